"""The Python API (issue 22): ``run_experiment`` gives the command line's tables, checks and
messages; ``load_run`` reads run folders and committed references."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from omegaconf import OmegaConf

import diffusion
from diffusion.api import hydra_overrides, load_run, run_experiment
from diffusion.errors import ConfigError, DiffusionError

REPO = Path(__file__).resolve().parents[1]
#: A small weak-ties run: two weak-tie shares x the two W1 arms, two replicates, the knock-out
#: arms off-grid so they do not run (eight runs at scale=ci, a few seconds).
OVERRIDES = {"behaviour.p_share": 0.1, "experiment.sweep.network.weak_tie_share": [0.0, 0.6],
             "run.n_replicates": 2, "seed": 7}
ARGUMENTS = ["+experiment=weak_ties", "scale=ci", "behaviour.p_share=0.1",
             "experiment.sweep.network.weak_tie_share=[0.0,0.6]", "run.n_replicates=2", "seed=7"]


def _cli(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "diffusion", *arguments], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> tuple[Path, Path, object, str]:
    """The same config and seed run by the command line and by the API."""
    root = tmp_path_factory.mktemp("api")
    done = _cli(*ARGUMENTS, f"hydra.run.dir={root / 'cli'}", cwd=root)
    assert done.returncode == 0, done.stderr
    bar = io.StringIO()
    with contextlib.redirect_stderr(bar):
        res = run_experiment("weak_ties", scale="ci", overrides=OVERRIDES, out_dir=root / "api", progress=True)
    return root / "cli", root / "api", res, bar.getvalue()


def test_api_tables_identical_to_command_line(both) -> None:
    """Same config and root seed -> bit-identical tables (one code path, deterministic seeds:
    any difference is a bug, so the comparison is exact)."""
    cli, api, res, _ = both
    names = sorted(p.stem for p in cli.glob("*.parquet"))
    assert names == sorted(res.tables) == ["cascades", "creators", "outcomes", "trajectories"]
    for name in names:
        pd.testing.assert_frame_equal(res.tables[name], pd.read_parquet(cli / f"{name}.parquet"))
    assert (api / "effects.csv").read_text() == (cli / "effects.csv").read_text()
    assert OmegaConf.load(api / ".hydra" / "config.yaml") == OmegaConf.load(cli / ".hydra" / "config.yaml")
    assert res.provenance["config_hash"] == load_run(cli).provenance["config_hash"]


def test_progress_bar_counts_the_runs(both) -> None:
    """tqdm.auto's bar (a widget in Jupyter, text here) counts the 8 runs, even at scale=ci,
    whose config switches the command line's bar off."""
    *_, bar = both
    assert "runs: 100%" in bar and "8/8" in bar


def test_provenance_command_reproduces_the_run(both) -> None:
    """The provenance record holds the equivalent command line."""
    _, _, res, _ = both
    assert res.provenance["command"].startswith("python -m diffusion +experiment=weak_ties scale=ci ")


def test_results_object(both) -> None:
    """Tables as attributes, one verdict per claim tested, the report's own figures."""
    _, api, res, _ = both
    assert res.folder == api.resolve()
    assert res.outcomes.shape[0] == 2 * 2 * 2  # two shares x two W1 arms x two replicates
    assert list(res.verdicts["claim"]) == ["W1", "W2", "W3", "W4"]
    assert set(res.verdicts["verdict"]) <= {"supported", "contradicted", "negligible", "inconclusive",
                                            "not measurable", "not supported"}
    assert {"weak_ties_reach", "verdict_W1"} <= set(res.figures)
    assert all(isinstance(f, Figure) for f in res.figures.values())
    with pytest.raises(AttributeError, match="tables in"):
        res.no_such_table  # noqa: B018


def test_load_run_redraws_the_same_figures(both) -> None:
    """load_run on a run folder draws the figures again from its tables, without touching it."""
    _, api, res, _ = both
    before = sorted(p.name for p in api.rglob("*"))
    loaded = load_run(api)
    assert set(loaded.figures) == set(res.figures)
    assert sorted(p.name for p in api.rglob("*")) == before
    pd.testing.assert_frame_equal(loaded.verdicts, res.verdicts)


def test_load_committed_reference() -> None:
    """A committed reference has effects and figures but no tables."""
    res = load_run(REPO / "experiments" / "weak_ties" / "reference")
    assert res.tables == {}
    assert list(res.verdicts["claim"]) == ["W1", "W2", "W3", "W4"]
    assert res.summary is not None and not res.summary.empty
    assert "verdict_W1" in res.figures


def test_package_exports() -> None:
    assert diffusion.run_experiment is run_experiment
    assert diffusion.load_run is load_run


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [({"network.n_userz": 10}, "unknown config key 'network.n_userz'"),
     ({"network": "nosuch"}, "network=nosuch names no file in conf/network/"),
     ({"network.n_users": "abc"}, "network.n_users")],
)
def test_bad_input_gives_the_command_line_message(tmp_path, overrides, fragment) -> None:
    """The API raises the one-paragraph error the command line prints, word for word."""
    with pytest.raises(DiffusionError) as caught:
        run_experiment("weak_ties", scale="ci", overrides=overrides, out_dir=tmp_path / "run")
    assert fragment in str(caught.value)
    argument = hydra_overrides(overrides)[0]
    done = _cli("+experiment=weak_ties", "scale=ci", argument, f"hydra.run.dir={tmp_path / 'cli'}", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {caught.value}"
    assert not (tmp_path / "run").exists()


def test_unknown_experiment_and_bad_arguments(tmp_path) -> None:
    with pytest.raises(DiffusionError, match="experiment=weak_tie names no file.*Did you mean"):
        run_experiment("weak_tie", out_dir=tmp_path)
    with pytest.raises(ConfigError, match="single string"):
        run_experiment("weak_ties", overrides="seed=1", out_dir=tmp_path)
    with pytest.raises(DiffusionError, match="no run folder"):
        load_run(tmp_path / "missing")
    with pytest.raises(DiffusionError, match="not a run folder"):
        load_run(tmp_path)


def test_hydra_overrides_formatting() -> None:
    assert hydra_overrides({"a.b": True, "c": None, "d": [0, 0.5], "+e": "x"}) == [
        "a.b=true", "c=null", "d=[0,0.5]", "+e=x"]
    assert hydra_overrides(["seed=3"]) == ["seed=3"]
    assert hydra_overrides(None) == []
