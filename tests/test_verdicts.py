"""The one verdict rule (issue 18): boundaries, undefined inputs, the registry's checks, the
legend against the rule, and known-value checks of a few analyses' effect functions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from diffusion import analysis, claims, report
from diffusion.analysis import Effect, judge
from diffusion.errors import ConfigError

SESOI = 0.1
EPS = 1e-9


def interval(low: float, high: float, n: int = 10) -> Effect:
    return Effect("m", "d", (low + high) / 2, low, high, n)


@pytest.mark.parametrize("direction", [1, -1])
@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        # around +SESOI (claimed side)
        (SESOI + EPS, 1.0, "supported"),
        (SESOI, 1.0, "inconclusive"),  # touching the boundary is not "entirely beyond"
        (SESOI - EPS, 1.0, "inconclusive"),
        # around -SESOI (opposite side)
        (-1.0, -SESOI - EPS, "contradicted"),
        (-1.0, -SESOI, "inconclusive"),
        (-1.0, -SESOI + EPS, "inconclusive"),
        # within ±SESOI
        (-SESOI + EPS, SESOI - EPS, "negligible"),
        (-SESOI, SESOI - EPS, "inconclusive"),
        (-SESOI + EPS, SESOI, "inconclusive"),
        (0.0, SESOI + EPS, "inconclusive"),
        # straddling everything
        (-1.0, 1.0, "inconclusive"),
    ],
)
def test_directional_rule_on_each_side_of_each_boundary(direction, low, high, expected):
    # Intervals are given on the claimed scale; flip them for a claimed fall.
    lo, hi = sorted((direction * low, direction * high))
    assert judge(interval(lo, hi), direction=direction, sesoi=SESOI).verdict == expected


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (-SESOI + EPS, SESOI - EPS, "supported"),
        (-SESOI, SESOI - EPS, "inconclusive"),
        (SESOI + EPS, 1.0, "contradicted"),
        (-1.0, -SESOI - EPS, "contradicted"),
        (SESOI, 1.0, "inconclusive"),
        (-1.0, 1.0, "inconclusive"),
    ],
)
def test_equivalence_rule_on_each_side_of_each_boundary(low, high, expected):
    assert judge(interval(low, high), direction=0, sesoi=SESOI).verdict == expected


@pytest.mark.parametrize(
    "effect",
    [
        Effect("m", "d", math.nan, math.nan, math.nan, 0),
        Effect("m", "d", 1.0, math.nan, math.nan, 1),
        Effect("m", "d", 1.0, 0.5, math.inf, 5),
        Effect("m", "d", 1.0, 0.5, 1.5, 1),
        Effect("m", "d", 0.0, 0.0, 0.0, 10),  # zero variance: no interval
    ],
)
def test_undefined_or_zero_variance_is_not_measurable(effect):
    result = judge(effect, direction=1, sesoi=SESOI)
    assert result.verdict == "not measurable" and result.reason


def test_zero_variance_data_through_the_statistics_are_not_measurable():
    frame = pd.DataFrame({"x": [0, 1] * 4, "replicate": np.repeat(range(4), 2), "y": [1.0, 3.0] * 4})
    effect = analysis.paired_difference(frame, scenario="x", low=0, high=1, measure="y")
    assert effect.estimate == pytest.approx(2.0)
    assert judge(effect, direction=1, sesoi=SESOI).verdict == "not measurable"
    empty = analysis.mean_effect(frame.iloc[:0], measure="y", description="nothing")
    assert judge(empty, direction=1, sesoi=SESOI).verdict == "not measurable"


def test_a_deterministic_quantity_is_a_fact_not_a_verdict():
    effect = Effect("cost", "a set budget", 270.0, 270.0, 270.0, 20, deterministic=True)
    assert judge(effect, direction=1, sesoi=SESOI).verdict == "fact"
    assert "fixed by the design" in report.effect_text(effect)


def test_the_rule_refuses_a_missing_or_negative_smallest_effect():
    for bad in (0.0, -0.1, math.nan):
        with pytest.raises(ValueError, match="smallest effect"):
            judge(interval(0.2, 0.3), direction=1, sesoi=bad)
    with pytest.raises(ValueError, match="direction"):
        judge(interval(0.2, 0.3), direction=2, sesoi=SESOI)


@pytest.mark.parametrize(
    ("verdicts", "rule", "expected"),
    [
        (["supported", "supported"], "all parts", "supported"),
        (["supported", "contradicted"], "all parts", "contradicted"),
        (["supported", "negligible"], "all parts", "negligible"),
        (["supported", "not measurable"], "all parts", "not measurable"),
        (["supported", "inconclusive"], "all parts", "inconclusive"),
        (["negligible", "contradicted"], "all parts", "contradicted"),
        (["inconclusive", "supported"], "primary part", "inconclusive"),
        (["supported"], "single", "supported"),
    ],
)
def test_combining_parts(verdicts, rule, expected):
    assert analysis.combine(verdicts, rule) == expected


def test_legend_is_the_rule():
    """Each legend line is the text of a rule that the rule table applies, in the same order,
    and each rule's example interval gets exactly that rule's verdict."""
    lines = analysis.legend({1, 0})
    tables = [analysis.DIRECTIONAL_RULES, analysis.EQUIVALENCE_RULES]
    expected = [f"*{rule.verdict}*: {rule.legend}." for table in tables for rule in table]
    assert lines[: len(expected)] == expected
    examples = {  # an interval on the claimed scale that meets each rule first
        "supported": (0.2, 0.3), "contradicted": (-0.3, -0.2), "negligible": (-0.05, 0.05), "inconclusive": (0.0, 0.3),
    }
    for rule in analysis.DIRECTIONAL_RULES:
        judged = judge(interval(*examples[rule.verdict]), direction=1, sesoi=SESOI)
        assert (judged.verdict, judged.reason) == (rule.verdict, rule.legend)
    # the rendered report carries the same lines
    effect = interval(2.0, 3.0)
    result = report.claim_result("W2", {"depth": effect}, conditions="c")
    assert result.verdict == "supported"


def test_report_legend_matches_the_rule(tmp_path):
    result = report.claim_result("W2", {"depth": interval(2.0, 3.0)}, conditions="c")
    text = report.write_report(tmp_path / "report.md", title="t", claim_results=[result], header={}, figures=[]).read_text()
    for line in analysis.legend({1}):
        assert f"- {line}" in text
    assert "1 claim(s) through 1 part test(s)" in text and "adjust" in text


def test_every_claim_declares_parts_a_smallest_effect_and_a_knockout():
    assert len(claims.CLAIMS) == 27
    for claim in claims.CLAIMS.values():
        assert claim.parts and all(p.sesoi > 0 and p.basis for p in claim.parts)
        assert claim.knockout.named or claim.knockout.reason


def test_registry_error_names_the_claim_without_a_smallest_effect():
    base = {cid: {"parts": c.parts, "combine": c.combine, "knockout": c.knockout, "experiment": c.experiment}
            for cid, c in claims.CLAIMS.items()}
    broken = dict(base, W3={**base["W3"], "parts": (claims.Part("x", "m", 1, "u", 0.0, ""),)})
    with pytest.raises(ConfigError, match="W3"):
        claims._attach(claims.CLAIMS, broken)
    no_knockout = dict(base, P8={**base["P8"], "knockout": None})
    with pytest.raises(ConfigError, match="P8.*knock-out"):
        claims._attach(claims.CLAIMS, no_knockout)
    missing = {k: v for k, v in base.items() if k != "S2"}
    with pytest.raises(ConfigError, match="S2"):
        claims._attach(claims.CLAIMS, missing)


def test_origin_from_the_knockout_arm():
    on = interval(0.01, 0.02)  # W3's smallest effect is 0.001
    emergent = report.claim_result("W3", {"equal_sources": on}, conditions="",
                                   knockouts={"equal_sources": interval(0.005, 0.01)})
    built_in = report.claim_result("W3", {"equal_sources": on}, conditions="",
                                   knockouts={"equal_sources": interval(-0.0005, 0.0005)})
    not_run = report.claim_result("W3", {"equal_sources": on}, conditions="")
    none = report.claim_result("W2", {"depth": interval(2.0, 3.0)}, conditions="")
    assert (emergent.origin, built_in.origin, not_run.origin, none.origin) == (
        "emergent", "built in", "knock-out not run", "none named")
    assert report.first_sentence(built_in).startswith("**Built in")
    assert "not evidence" in report.verdict_label(built_in)
    rows = report.effects_table([built_in])
    assert list(rows["role"]) == ["part", "knockout"] and set(rows["origin"]) == {"built in"}


# Known values of effect functions on tiny hand-made tables.

def test_weak_ties_w3_effect_known_value():
    from diffusion.analyses.weak_ties import w3_effects

    outcomes = pd.DataFrame({
        "weak_tie_share": [0.0, 0.2, 0.2, 0.2, 0.4],
        "replicate": [0, 0, 1, 2, 0],
        "conversion_same_circle_equal_sources": [0.9, 0.05, 0.07, 0.06, 0.9],
        "conversion_cross_circle_equal_sources": [0.0, 0.03, 0.04, 0.05, 0.0],
    })
    effect = w3_effects(outcomes)["equal_sources"]
    assert effect.estimate == pytest.approx(0.02) and effect.n == 3  # (0.02 + 0.03 + 0.01) / 3, share 0.2 only


def test_gatekeeping_effect_known_value():
    from diffusion.analyses.gatekeeping import claim_effects

    rows = []
    for replicate, (dec, pop) in enumerate([(0.3, 0.5), (0.4, 0.5), (0.2, 0.5)]):
        rows += [{"platform": "decentralized", "replicate": replicate, "views_gini": dec, "newcomer_days_to_100_views": 5.0},
                 {"platform": "popularity", "replicate": replicate, "views_gini": pop, "newcomer_days_to_100_views": 9.0 + replicate}]
    effects = claim_effects(pd.DataFrame(rows), "D1")
    assert effects["gini"].estimate == pytest.approx(-0.2)
    assert effects["newcomers"].estimate == pytest.approx(-5.0)


def test_big_account_growth_effect_known_value():
    from diffusion.analyses.big_account import growth_effect

    frame = pd.DataFrame({
        "strategy": ["organic", "gifting"] * 3, "replicate": [0, 0, 1, 1, 2, 2],
        "focal_follower_gain": [1.0, 11.0, 2.0, 14.0, 3.0, 12.0],
    })
    effect = growth_effect(frame, "gifting")
    assert effect.estimate == pytest.approx(10.333333) and effect.n == 3


def test_knockout_split_replaces_base_rows_where_the_arm_ran():
    from types import SimpleNamespace

    from diffusion.analyses import common

    outcomes = pd.DataFrame({
        "strategy": ["organic", "gifting", "gifting"] * 2, "replicate": [0, 0, 0, 1, 1, 1],
        "knockout": ["none", "none", "S2"] * 2, "focal_follower_gain": [1.0, 10.0, 2.0, 1.0, 12.0, 1.0],
    })
    settings = SimpleNamespace(experiment=SimpleNamespace(sweep={"strategy": ["organic", "gifting"]}))
    base, arms = common.split_knockouts({"outcomes": outcomes}, settings)
    assert "knockout" not in base["outcomes"] and len(base["outcomes"]) == 4
    arm = arms["S2"]["outcomes"]
    assert sorted(arm["focal_follower_gain"]) == [1.0, 1.0, 1.0, 2.0]  # organic kept, gifting swapped
    assert list(arms["S2"][common.ARM_POINTS]["strategy"]) == ["gifting"]


# Knock-out arms on the grid (diffusion.config.grid / apply_point).

def _experiment(**knockouts):
    from diffusion.config import ExperimentConfig

    return ExperimentConfig(name="t", claims=["W3"], sweep={"network.weak_tie_share": [0.0, 0.2]}, knockouts=knockouts)


def test_knockout_arms_are_extra_grid_points_with_the_registry_override():
    from diffusion.config import Config, apply_point, grid

    points = grid(_experiment(W3={"network.weak_tie_share": [0.2]}))
    assert points == [
        {"network.weak_tie_share": 0.0, "knockout": "none"},
        {"network.weak_tie_share": 0.2, "knockout": "none"},
        {"network.weak_tie_share": 0.2, "knockout": "W3"},
    ]
    config = Config()
    assert config.behaviour.share_homophily > 0
    assert apply_point(config, points[2]).behaviour.share_homophily == 0.0
    assert apply_point(config, points[1]).behaviour.share_homophily == config.behaviour.share_homophily
    assert grid(_experiment()) == [{"network.weak_tie_share": 0.0}, {"network.weak_tie_share": 0.2}]


@pytest.mark.parametrize(("knockouts", "message"), [({"W1": {}}, "names no knock-out override"),
                                                  ({"W9": {}}, "unknown claim ID")])
def test_bad_knockout_arms_are_refused(knockouts, message):
    from diffusion.config import grid

    with pytest.raises(ConfigError, match=message):
        grid(_experiment(**knockouts))


def test_an_arm_outside_a_narrowed_sweep_does_not_run():
    from diffusion.config import grid

    # the sweep no longer has 0.5: no arm; a key the sweep does not vary: no constraint
    assert [p["knockout"] for p in grid(_experiment(W3={"network.weak_tie_share": [0.5]}))] == ["none", "none"]
    assert [p["knockout"] for p in grid(_experiment(W3={"network.n_users": [10]}))] == ["none", "none", "W3", "W3"]


def test_every_experiment_arm_belongs_to_a_claim_it_tests():
    from omegaconf import OmegaConf

    from diffusion.config import ExperimentConfig, conf_dir, grid

    for path in sorted((conf_dir() / "experiment").glob("*.yaml")):
        experiment = OmegaConf.load(path).experiment
        knockouts = OmegaConf.to_container(experiment.knockouts) if "knockouts" in experiment else {}
        for claim_id, where in knockouts.items():
            assert claim_id in experiment.claims, (path.name, claim_id)
            assert claims.CLAIMS[claim_id].knockout.named
            # every place is a swept key and value, so the arm runs (no typo silently drops it)
            for key, values in where.items():
                assert key in experiment.sweep and set(values) <= set(experiment.sweep[key]), (path.name, claim_id, key)
        planned = grid(ExperimentConfig(name=path.stem, sweep=OmegaConf.to_container(experiment.sweep), knockouts=knockouts))
        assert set(knockouts) <= {p.get("knockout") for p in planned}, path.name


def test_survey_check_flags_settings_that_leave_the_calibrated_tolerance():
    from diffusion.analyses import common

    rng = np.random.default_rng(0)
    calibrated = pd.DataFrame({
        "survey_trust_share": 0.32 + rng.normal(0, 0.005, 20),
        "survey_recommend_share": 0.47 + rng.normal(0, 0.005, 20),
        "survey_accept_again_share": 0.84 + rng.normal(0, 0.005, 20),
    })
    text, flagged = common.survey_check(calibrated)
    assert not flagged and "P1 survey_trust_share 0.3" in text
    moved = calibrated.assign(survey_trust_share=calibrated["survey_trust_share"] + 0.3)
    text, flagged = common.survey_check(moved)
    assert flagged and text.startswith("**Calibration flag:**")
    assert common.with_survey(["n"], moved)[0] == text
