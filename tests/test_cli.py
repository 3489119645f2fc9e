"""The command line as a user meets it: outputs of a run, and clear errors for mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf

REPO = Path(__file__).resolve().parents[1]
EXPERIMENTS = sorted(p.stem for p in (REPO / "conf" / "experiment").glob("*.yaml"))


def run_cli(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "diffusion", *arguments], cwd=cwd, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def weak_ties_run(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("cwd")
    result = run_cli("+experiment=weak_ties", "scale=ci", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return cwd, result


def test_weak_ties_writes_everything_into_the_run_folder(weak_ties_run):
    cwd, result = weak_ties_run
    assert [p.name for p in cwd.iterdir()] == ["outputs"]  # nothing else in the current directory
    (run_dir,) = [p for p in (cwd / "outputs").glob("*/*") if p.is_dir()]
    for name in ("trajectories.parquet", "outcomes.parquet", "cascades.parquet", "provenance.json", "report.md"):
        assert (run_dir / name).is_file(), name
    assert (run_dir / ".hydra" / "config.yaml").is_file()
    figures = sorted(p.name for p in (run_dir / "figures").glob("*.png"))
    assert "weak_ties_reach.png" in figures and "weak_ties_cascade_ccdf.png" in figures
    assert all((run_dir / "figures" / f).stat().st_size > 10_000 for f in figures)
    provenance = json.loads((run_dir / "provenance.json").read_text())
    assert provenance["root_seed"] == 2021
    assert {"mesa", "igraph", "numpy"} <= set(provenance["libraries"])
    outcomes = pd.read_parquet(run_dir / "outcomes.parquet")
    assert sorted(outcomes["weak_tie_share"].unique()) == [0.0, 0.2, 0.4, 0.6]
    assert sorted(outcomes["weak_ties"].unique()) == ["add", "replace"]
    assert outcomes.groupby(["weak_ties", "weak_tie_share"])["replicate"].nunique().eq(3).all()
    trajectories = pd.read_parquet(run_dir / "trajectories.parquet")
    assert trajectories["step"].max() == 8
    report = (run_dir / "report.md").read_text()
    for claim in ("W1", "W2", "W3", "W4"):
        assert f"## {claim}: " in report
    assert "95% CI" in report


@pytest.mark.experiments
@pytest.mark.parametrize("experiment", [e for e in EXPERIMENTS if e != "weak_ties"])
def test_every_experiment_runs_at_ci_scale(experiment, tmp_path):
    result = run_cli(f"+experiment={experiment}", "scale=ci", f"hydra.run.dir={tmp_path}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = (tmp_path / "report.md").read_text()
    claims = OmegaConf.load(REPO / "conf" / "experiment" / f"{experiment}.yaml").experiment.claims
    for claim in claims:  # every claim the experiment names gets a verdict section
        assert f"## {claim}: " in report, claim
    figures = list((tmp_path / "figures").glob("*.png"))
    assert figures and all(f.stat().st_size > 10_000 for f in figures)
    for table in ("outcomes", "cascades", "creators"):
        assert len(pd.read_parquet(tmp_path / f"{table}.parquet")) > 0
    # what a replicator compares with a committed reference (experiments/NAME/reference)
    effects = pd.read_csv(tmp_path / "effects.csv")
    assert set(effects["claim"]) == set(claims) and len(pd.read_csv(tmp_path / "summary.csv")) > 0


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("network.n_users=-5", "network.n_users=-5"),
        ("network.weak_tie_share=1.7", "network.weak_tie_share=1.7"),
        ("network.colour=3", "network.colour"),
        ("behaviour.p_sahre=0.1", "Did you mean behaviour.p_share"),
        ("scale=huge", "scale=huge"),
        ("run.n_jobs=0", "run.n_jobs=0"),
        ("network.n_users=abc", "n_users"),
    ],
)
def test_user_mistakes_get_one_clear_message(override, expected, tmp_path):
    result = run_cli("+experiment=weak_ties", "scale=ci", override, f"hydra.run.dir={tmp_path}", cwd=tmp_path)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "outcomes.parquet").exists()


def test_misspelt_experiment_lists_the_allowed_names(tmp_path):
    result = run_cli("+experiment=weak_tie", "scale=ci", cwd=tmp_path)
    assert result.returncode != 0
    assert "weak_ties" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (["platform=centralized", "platform.policy.top_kk=3"], "Did you mean platform.policy.top_k"),
        (["platform=centralized", "platform.policy.top_k=0"], "platform.policy.top_k=0"),
        (["platform=peer_only", "+platform.policy.subsidy_share=0.1"], "no discovery feed"),
        (["platform.policy.freshness_half_life_steps=2"], "+platform.policy.freshness_half_life_steps"),
        (["platform=centralised"], "Did you mean platform=centralized"),
    ],
)
def test_policy_mistakes_get_one_clear_message(overrides, expected, tmp_path):
    result = run_cli("+experiment=weak_ties", "scale=ci", *overrides, f"hydra.run.dir={tmp_path}", cwd=tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_value_the_sweep_would_overwrite_is_refused(tmp_path):
    result = run_cli("+experiment=gatekeeping", "scale=ci", "platform.policy.top_k=5", f"hydra.run.dir={tmp_path}",
                     cwd=tmp_path)
    assert result.returncode == 2
    assert "would be replaced by each platform option the experiment sweeps" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_experiment_file_without_a_sweep_is_one_grid_point(tmp_path):
    """A user's experiment file may leave out ``sweep:`` (one grid point); reading its grid
    crashed on the missing node."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from diffusion.cli import _sweep_of

    (tmp_path / "experiment").mkdir()
    (tmp_path / "experiment" / "mine.yaml").write_text("experiment:\n  name: mine\n  claims: []\n")
    overrides = OverridesParser.create().parse_overrides(["+experiment=mine", "experiment.sweep.behaviour.p_share=[0.1,0.2]"])
    assert _sweep_of(overrides[:1], tmp_path) == ("mine", {})
    assert _sweep_of(overrides, tmp_path) == ("mine", {"behaviour.p_share": [0.1, 0.2]})
