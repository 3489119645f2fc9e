"""Global sensitivity analysis (issue 20): the plausible space, known-answer indices through the
design code the model uses, both commands at scale=ci, and clear refusals of bad input."""

from __future__ import annotations

import copy
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from diffusion.config import Config, check_declared_range, plausible_space
from diffusion.errors import ConfigError
from diffusion.params import Range
from diffusion.sensitivity import design as design_module
from diffusion.sensitivity import prepare

REPO = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------- the plausible space
def test_every_range_is_valid_and_holds_its_default():
    """The declared space: about 40 parameters, each default inside its range, every bound
    accepted by the parameter's own domain check (plausible_space raises otherwise)."""
    space = plausible_space()
    assert len(space) >= 40
    defaults = Config()
    for key, declared in space.items():
        section, name = key.split(".")
        assert declared.low <= getattr(getattr(defaults, section), name) <= declared.high, key
        assert declared.why, f"{key} has no justification"


def test_every_ranged_parameter_belongs_to_exactly_one_mechanism():
    """sensitivity.groups=mechanism moves every ranged parameter with its mechanism: a new
    range must be placed in a group, or a grouped design would leave it out."""
    from diffusion.sensitivity.experiment import MECHANISMS

    members = [key for keys in MECHANISMS.values() for key in keys]
    assert len(members) == len(set(members)) and set(members) == set(plausible_space())


def test_a_range_outside_the_domain_is_refused_naming_it():
    with pytest.raises(ConfigError, match=r"behaviour\.p_share.*allowed domain"):
        check_declared_range("behaviour.p_share", Range(0.05, 1.5, "too wide"), 0.15)
    with pytest.raises(ConfigError, match=r"default behaviour\.p_share=0\.15 lies outside"):
        check_declared_range("behaviour.p_share", Range(0.2, 0.3, "misses the default"), 0.15)
    with pytest.raises(ConfigError, match="distribution 'normal'"):
        check_declared_range("behaviour.p_share", Range(0.05, 0.3, "x", "normal"), 0.15)


def test_range_value_maps_the_unit_interval_by_distribution():
    assert Range(2, 4, "x", "integer").value(0.0) == 2 and Range(2, 4, "x", "integer").value(1.0) == 4
    assert [Range(2, 4, "x", "integer").value(u) for u in (0.2, 0.5, 0.9)] == [2, 3, 4]
    assert Range(10.0, 40.0, "x", "log-uniform").value(0.5) == pytest.approx(20.0)
    assert Range(0.1, 0.3, "x").value(0.25) == pytest.approx(0.15)


# ---------------------------------------------------------------------- known answers
def ishigami(values: list[dict[str, float]], a: float = 7.0, b: float = 0.1) -> np.ndarray:
    x = np.array([[v["x1"], v["x2"], v["x3"]] for v in values])
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


ISHIGAMI_SPACE = {name: Range(-math.pi, math.pi, "Ishigami & Homma (1990)") for name in ("x1", "x2", "x3")}


def test_sobol_recovers_the_ishigami_indices():
    """Analytic first-order and total indices of Ishigami (a=7, b=0.1; Saltelli et al. 2008,
    §4.8): S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244). Drawn through the same
    sample -> Design.values -> indices path as the model's factors. Tolerance: twice the
    reported 95% half-width (about 4 standard errors of the bootstrap) plus 0.01 for the
    estimator's finite-N bias."""
    design = design_module.sample("sobol", ISHIGAMI_SPACE, n_samples=2048, seed=3)
    table = design_module.indices(design, ishigami(design.values()), seed=3).set_index("factor")
    expected = {"S1": [0.3139, 0.4424, 0.0], "ST": [0.5576, 0.4424, 0.2437]}
    for column, values in expected.items():
        for factor, value in zip(("x1", "x2", "x3"), values):
            tolerance = 2 * table.loc[factor, f"{column}_ci"] + 0.01
            assert abs(table.loc[factor, column] - value) < tolerance, (column, factor, table.loc[factor, column])


def test_morris_recovers_the_slopes_of_a_linear_function():
    """y = 2 x1 + 0 x2 - 3 x3 on [0, 1], [0, 1], [0, 2]: every elementary effect per unit of the
    range is the slope times the range width, so mu* = (2, 0, 6) and sigma = 0 exactly."""
    space = {"x1": Range(0, 1, "x"), "x2": Range(0, 1, "x"), "x3": Range(0, 2, "x")}
    design = design_module.sample("morris", space, n_samples=6, levels=4, seed=1)
    values = design.values()
    y = np.array([2 * v["x1"] - 3 * v["x3"] for v in values])
    table = design_module.indices(design, y).set_index("factor")
    np.testing.assert_allclose(table["mu_star"], [2.0, 0.0, 6.0], atol=1e-9)
    np.testing.assert_allclose(table["sigma"], [0.0, 0.0, 0.0], atol=1e-9)


def test_grouped_morris_recovers_each_groups_slope_and_attributes_flips_to_groups():
    """y = 2 x1 - 3 x4 with groups a = (x1, x2), b = (x3, x4), c = (x5, x6): each group holds
    at most one factor with an effect, so every elementary effect of a group is that factor's
    slope and mu* = (2, 3, 0) exactly; a trajectory has G + 1 = 4 points, each group has one
    move per trajectory, and a verdict on x4 alone is flipped only by group b's moves."""
    space = {f"x{i}": Range(0, 1, "x") for i in range(1, 7)}
    groups = {"x1": "a", "x2": "a", "x3": "b", "x4": "b", "x5": "c", "x6": "c"}
    design = design_module.sample("morris", space, n_samples=10, levels=4, seed=3, groups=groups)
    assert design.names == ("a", "b", "c") and design.unit.shape == (10 * 4, 6)
    values = design.values()
    table = design_module.indices(design, np.array([2 * v["x1"] - 3 * v["x4"] for v in values])).set_index("factor")
    np.testing.assert_allclose(table.loc[["a", "b", "c"], "mu_star"], [2.0, 3.0, 0.0], atol=1e-9)
    verdicts = np.where(np.array([v["x4"] for v in values]) > 0.5, "contradicted", "supported")
    _, flips = design_module.robustness(design, verdicts, "supported")
    by_group = flips.set_index("factor")
    assert (by_group["moves"] == 10).all()
    assert by_group.loc["b", "flips"] > 0 and by_group.loc["a", "flips"] == 0 and by_group.loc["c", "flips"] == 0
    assert list(design.positions().columns) == ["a", "b", "c"]


@pytest.mark.parametrize("method,n", [("morris", 8), ("sobol", 16)])
def test_robustness_attributes_flips_to_the_factor_that_moves(method, n):
    """A verdict that depends on x1 alone: only x1's one-factor moves flip it, and the share of
    points with the default verdict is the share with x1 below the threshold."""
    design = design_module.sample(method, ISHIGAMI_SPACE, n_samples=n, seed=2)
    x1 = np.array([v["x1"] for v in design.values()])
    verdicts = np.where(x1 > 0.5, "contradicted", "supported")
    summary, flips = design_module.robustness(design, verdicts, "supported")
    assert summary["same"] == int(np.sum(x1 <= 0.5))
    assert summary["ci_low"] <= summary["robustness"] <= summary["ci_high"]
    by_factor = flips.set_index("factor")
    assert by_factor.loc["x2", "flips"] == 0 and by_factor.loc["x3", "flips"] == 0
    assert by_factor.loc["x1", "flips"] > 0


# ---------------------------------------------------------------------- bad input, in process
def _config(**sensitivity) -> Config:
    from diffusion.config import SensitivityConfig, apply_point

    config = copy.deepcopy(Config())
    config.experiment.name = "weak_ties"
    config.experiment.sweep = {"network.weak_tie_share": [0.2, 0.6]}
    config.sensitivity = SensitivityConfig(**sensitivity)
    apply_point(config, {})  # the base config is valid
    return config


@pytest.mark.parametrize("sensitivity,message", [
    ({"method": "fast"}, r"sensitivity.method='fast' is not a sensitivity method; allowed: morris, sobol"),
    ({"factors": ["behaviour.p_sahre"]}, r"not a ranged parameter.*Did you mean behaviour.p_share\?"),
    ({"factors": ["network.weak_tie_share"]}, r"which experiment weak_ties sweeps"),
    ({"method": "sobol", "n_samples": 6, "factors": ["behaviour.p_share"]}, r"a power of 2 and at least 4"),
    ({"method": "morris", "n_samples": 1}, r"too small a Morris design"),
    ({"groups": "family"}, r"sensitivity.groups='family' is not a grouping; allowed: none, mechanism"),
    ({"method": "sobol", "groups": "mechanism", "factors": ["behaviour.p_share"]}, r"works with method morris only"),
])
def test_bad_sensitivity_input_is_one_clear_line(sensitivity, message):
    with pytest.raises(ConfigError, match=message) as caught:
        prepare(_config(**sensitivity))
    assert "\n" not in str(caught.value)


def test_the_design_becomes_grid_points_crossed_with_the_sweep():
    """prepare() writes the defaults (sample 0) and r (D + 1) Morris points; the runner's plan
    crosses each with the sweep, replicates inner (paired across every point)."""
    from diffusion.runner import plan

    config = _config(factors=["behaviour.p_share", "behaviour.p_buy"], n_samples=3)
    config.run.n_replicates = 2
    design = prepare(config)
    assert len(design.unit) == 3 * 3
    specs = plan(config)
    assert len(specs) == (9 + 1) * 2 * 2
    assert specs[0].point == {"sample": 0, "network.weak_tie_share": 0.2}
    assert {s.point["sample"] for s in specs} == set(range(10))
    assert config.experiment.knockouts == {}


# ---------------------------------------------------------------------- the commands at scale=ci
def run_cli(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "diffusion", *arguments], cwd=cwd, capture_output=True, text=True,
                          timeout=900)


SMALL = ("+experiment=weak_ties", "scale=ci", "network.n_users=400", "run.n_replicates=2", "run.n_steps=6",
         "sensitivity.sweep={network.weak_tie_share:[0.2,0.6]}")


@pytest.fixture(scope="module")
def morris_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("morris")
    result = run_cli(*SMALL, "+sensitivity=morris", "sensitivity.n_samples=2",
                     "sensitivity.factors=[behaviour.p_share,network.weak_tie_strength]", f"hydra.run.dir={folder}",
                     cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.mark.experiments
def test_morris_command_writes_indices_robustness_and_figures(morris_run):
    folder = morris_run / "sensitivity"
    indices = pd.read_csv(folder / "indices.csv")
    assert {"claim", "part", "factor", "mu_star", "mu_star_ci", "sigma"} <= set(indices.columns)
    assert set(indices["claim"]) == {"W1", "W2", "W3", "W4"}
    robust = pd.read_csv(folder / "robustness.csv")
    assert robust["n_points"].eq(6).all()
    assert ((robust["robustness"] >= robust["ci_low"]) & (robust["robustness"] <= robust["ci_high"])).all()
    responses = pd.read_csv(folder / "responses.csv")
    assert sorted(responses["sample"].unique()) == list(range(7))
    for name in ("morris_plane.png", "robustness.png"):
        assert (folder / "figures" / name).stat().st_size > 10_000
    assert "## Verdict robustness" in (folder / "report.md").read_text()


@pytest.mark.experiments
def test_sobol_command_takes_the_top_factors_of_the_screening(morris_run, tmp_path):
    result = run_cli(*SMALL, "+sensitivity=sobol", "sensitivity.n_samples=4", "sensitivity.top=2",
                     f"sensitivity.screening={morris_run / 'sensitivity' / 'indices.csv'}", f"hydra.run.dir={tmp_path}",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    indices = pd.read_csv(tmp_path / "sensitivity" / "indices.csv")
    assert {"S1", "S1_ci", "ST", "ST_ci"} <= set(indices.columns)
    assert set(indices["factor"]) == {"behaviour.p_share", "network.weak_tie_strength"}
    assert (tmp_path / "sensitivity" / "figures" / "sobol_indices.png").is_file()


@pytest.mark.experiments
def test_a_resumed_run_with_another_design_is_refused_and_nothing_is_lost(morris_run):
    before = sorted(p.name for p in (morris_run / "runs").iterdir())
    result = run_cli(*SMALL, "+sensitivity=morris", "sensitivity.n_samples=2", "sensitivity.design_seed=5",
                     "sensitivity.factors=[behaviour.p_share,network.weak_tie_strength]", f"hydra.run.dir={morris_run}",
                     "run.resume=true", cwd=morris_run)
    assert result.returncode == 2
    assert "another design" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in (morris_run / "runs").iterdir()) == before


def test_unknown_sensitivity_option_and_key_are_one_line(tmp_path):
    result = run_cli("+experiment=weak_ties", "scale=ci", "+sensitivity=morrris", f"hydra.run.dir={tmp_path}", cwd=tmp_path)
    assert result.returncode == 2 and "Did you mean +sensitivity=morris?" not in result.stderr or "morris" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("+experiment=weak_ties", "scale=ci", "+sensitivity=morris", "sensitivity.n_sample=3",
                     f"hydra.run.dir={tmp_path}", cwd=tmp_path)
    assert result.returncode == 2 and "Did you mean sensitivity.n_samples?" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_odd_table_shows_every_plausible_range():
    """docs/ODD.md section 7 has the range of every ranged parameter in its row."""
    text = (REPO / "docs" / "ODD.md").read_text()
    for key, declared in plausible_space().items():
        name = key.split(".")[1]
        row = next((line for line in text.splitlines()
                    if line.startswith("| `") and f"`{name}`" in line.split("|")[1]), None)
        assert row is not None and f"[{declared.low:g}, {declared.high:g}] ({declared.distribution};" in row, key


def test_claims_table_fills_robustness_from_a_committed_sensitivity_reference(tmp_path):
    """The all-claims table reads experiments/NAME/sensitivity/robustness.csv; without it, "not run"."""
    from diffusion.claims_table import rows

    folder = tmp_path / "experiments" / "weak_ties" / "sensitivity"
    folder.mkdir(parents=True)
    pd.DataFrame([{"claim": "W1", "method": "morris", "default_verdict": "contradicted", "n_points": 470, "same": 400,
                   "robustness": 400 / 470, "ci_low": 0.82, "ci_high": 0.88,
                   "flipped_by": "network.weak_tie_strength (20/100); behaviour.p_share (5/100)"}]).to_csv(
        folder / "robustness.csv", index=False)
    table = {row["claim"]: row for row in rows(tmp_path)}
    assert table["W1"]["robustness"].startswith("0.85 (0.82-0.88) of 470 points (morris) keep 'contradicted'")
    assert "flipped by weak_tie_strength, p_share" in table["W1"]["robustness"]
    assert "figure" not in table["W1"]["robustness"]  # no robustness.png committed here
    (folder / "figures").mkdir()
    (folder / "figures" / "robustness.png").write_bytes(b"png")
    linked = {row["claim"]: row for row in rows(tmp_path)}["W1"]["robustness"]
    assert linked.endswith("([figure](experiments/weak_ties/sensitivity/figures/robustness.png))")
    assert table["W2"]["robustness"] == "not run"
    assert table["D1"]["robustness"] == "not run"
    # D4's own experiment is inclusive_traffic; gatekeeping judges it too and says so
    other = tmp_path / "experiments" / "gatekeeping" / "sensitivity"
    other.mkdir(parents=True)
    pd.DataFrame([{"claim": "D4", "method": "morris by mechanism", "default_verdict": "negligible", "n_points": 54,
                   "same": 22, "robustness": 22 / 54, "ci_low": 0.29, "ci_high": 0.54, "flipped_by": "none"}]).to_csv(
        other / "robustness.csv", index=False)
    d4 = {row["claim"]: row for row in rows(tmp_path)}["D4"]["robustness"]
    assert d4 == "in gatekeeping: 0.41 (0.29-0.54) of 54 points (morris by mechanism) keep 'negligible'"


@pytest.mark.experiments
def test_posterior_command_re_evaluates_verdicts_over_draws(tmp_path):
    """+sensitivity=posterior runs each draw as a grid point: robustness over the draws, the
    effect's spread in place of indices, no one-factor moves to attribute flips to."""
    draws = tmp_path / "draws.csv"
    pd.DataFrame({"behaviour.trust_threshold": [0.40, 0.46, 0.55], "behaviour.p_recommend": [0.30, 0.36, 0.45],
                  "behaviour.p_bad_purchase": [0.18, 0.21, 0.25]}).to_csv(draws, index=False)
    result = run_cli(*SMALL, "+sensitivity=posterior", f"sensitivity.posterior={draws}", f"hydra.run.dir={tmp_path / 'run'}",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "run" / "sensitivity"
    robust = pd.read_csv(folder / "robustness.csv")
    assert robust["n_points"].eq(3).all() and robust["flipped_by"].str.startswith("n/a").all()
    summary = pd.read_csv(folder / "indices.csv")
    assert (summary["q025"] <= summary["mean"]).all() and (summary["mean"] <= summary["q975"]).all()


def test_posterior_draws_outside_a_range_or_missing_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="needs sensitivity.posterior=PATH"):
        prepare(_config(method="posterior"))
    bad = tmp_path / "draws.csv"
    pd.DataFrame({"behaviour.trust_threshold": [0.9, 0.4]}).to_csv(bad, index=False)
    with pytest.raises(ConfigError, match=r"draws outside its plausible range \[0.35, 0.6\]"):
        prepare(_config(method="posterior", posterior=str(bad)))


@pytest.mark.experiments
def test_the_same_sensitivity_command_resumes_without_recomputing(morris_run):
    """The design is drawn from its own seed, so the same command rebuilds the same points and
    design hash: a resume finds every run finished and only redoes the analysis."""
    before = {p.name: p.stat().st_mtime_ns for p in (morris_run / "runs").glob("run-*")}
    result = run_cli(*SMALL, "+sensitivity=morris", "sensitivity.n_samples=2",
                     "sensitivity.factors=[behaviour.p_share,network.weak_tie_strength]", f"hydra.run.dir={morris_run}",
                     "run.resume=true", cwd=morris_run)
    assert result.returncode == 0, result.stderr
    assert {p.name: p.stat().st_mtime_ns for p in (morris_run / "runs").glob("run-*")} == before


def test_runs_without_mesa_agents_give_the_same_tables():
    """A sensitivity run builds no Mesa agents (prepare sets run.create_agents=False, a tenth of
    a 5,000-user run): the agents are views on the model's arrays, so all four tables must be
    identical with and without them."""
    import dataclasses

    from diffusion.config import NetworkConfig, RunConfig
    from diffusion.runner import RunSpec, simulate

    base = Config(network=NetworkConfig(n_users=400), run=RunConfig(n_replicates=1, n_steps=12, progress=False))
    spec = RunSpec(index=0, point={}, replicate=0)
    with_agents = simulate(base, spec)
    without = simulate(dataclasses.replace(base, run=dataclasses.replace(base.run, create_agents=False)), spec)
    for table in ("trajectories", "outcomes", "cascades", "creators"):
        pd.testing.assert_frame_equal(getattr(with_agents, table), getattr(without, table))
    config = _config()
    prepare(config)
    assert config.run.create_agents is False


#: Experiments with a committed sensitivity reference (issue 20: at least these three).
SENSITIVITY_REFERENCES = ("weak_ties", "gatekeeping", "big_account")


@pytest.mark.parametrize("name", SENSITIVITY_REFERENCES)
def test_each_experiment_readme_shows_its_committed_sensitivity_reference(name):
    """The reference exists (robustness, indices, figures) and the experiment's README holds its
    robustness table and figures exactly as robustness_section renders them from the files."""
    from diffusion.sensitivity.experiment import robustness_section

    folder = REPO / "experiments" / name / "sensitivity"
    for item in ("robustness.csv", "indices.csv", "flips.csv", "design.json", "report.md", "figures/robustness.png"):
        assert (folder / item).is_file(), f"{folder / item} missing: python experiments/make_sensitivity_references.py {name}"
    readme = (REPO / "experiments" / name / "README.md").read_text()
    assert robustness_section(folder, "sensitivity") in readme


def test_a_committed_reference_redraws_from_its_tables(tmp_path):
    """figures.redraw rebuilds the design (grouped here) from design.json and design.csv and
    draws every figure from the saved tables, simulating nothing."""
    import shutil

    from diffusion.sensitivity.figures import redraw

    copy_of = tmp_path / "sensitivity"
    shutil.copytree(REPO / "experiments" / "gatekeeping" / "sensitivity", copy_of)
    shutil.rmtree(copy_of / "figures")
    paths = redraw(copy_of)
    assert sorted(p.name for p in paths) == ["morris_groups.png", "robustness.png"]
    assert all(p.stat().st_size > 10_000 for p in paths)
