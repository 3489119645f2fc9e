"""The designs of issue 19 for D1, D4, D5 and R2: D1's single-mechanism arms, D4 judged
against every other policy, reach among survivors after removal (D5), R2's two source figures.

Effect functions are checked on small constructed tables whose answers are worked by hand
(paired differences of fixed numbers: exact up to float rounding, hence ``pytest.approx``);
the arms' configurations and the removal rule on a real society and model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from conftest import make_society
from diffusion import analysis
from diffusion.analyses import gatekeeping, inclusive_traffic, robustness
from diffusion.config import Config, apply_point, conf_dir
from diffusion.model import PlatformModel
from diffusion.networks import remove
from diffusion.policies import heat_factor

ARMS = ("throttle_only", "cold_start_only", "fresh_only")


def _policy_spec(name: str) -> dict:
    return OmegaConf.to_container(OmegaConf.load(conf_dir() / "platform" / f"{name}.yaml"))["policy"]


# D1: the arms


def test_throttle_only_is_the_registry_knockout_of_d1():
    """The analysis uses the throttle_only rows as D1's knock-out arm: the two must be the
    same policy with the same arguments."""
    config = Config()
    arm = apply_point(config, {"platform": "throttle_only"}).platform.policy
    knockout = apply_point(config, {"platform": "decentralized", "knockout": "D1"}).platform.policy
    assert arm == knockout


@pytest.mark.parametrize(("arm", "changed"), [
    ("throttle_only", {"cold_start_share"}),
    ("cold_start_only", {"heat_threshold", "throttle_exponent"}),
    ("fresh_only", {"cold_start_share", "heat_threshold", "throttle_exponent"}),
])
def test_each_arm_differs_from_decentralized_only_in_its_mechanism(arm, changed):
    base, spec = _policy_spec("decentralized"), _policy_spec(arm)
    assert set(base) == set(spec)
    assert {key for key in base if base[key] != spec[key]} == changed


@pytest.mark.parametrize("arm", ["cold_start_only", "fresh_only"])
def test_without_the_throttle_heat_never_lowers_an_items_weight(arm):
    """With heat_threshold=1 and throttle_exponent=0 the factor is non-decreasing in heat at
    every heat, even past all users; decentralized's own factor falls past its threshold."""
    spec, n_users = _policy_spec(arm), 5000
    heat = np.linspace(0.0, 3.0 * n_users, 2001)
    factor = heat_factor(heat, spec["heat_threshold"] * n_users, spec["popularity_exponent"], spec["throttle_exponent"])
    assert (np.diff(factor) >= 0).all()
    base = _policy_spec("decentralized")
    throttled = heat_factor(heat, base["heat_threshold"] * n_users, base["popularity_exponent"], base["throttle_exponent"])
    assert throttled[-1] < throttled.max()


def _frame(values: dict[str, list[float]], measure: str) -> pd.DataFrame:
    return pd.DataFrame([{"platform": p, "replicate": r, measure: v} for p, vs in values.items() for r, v in enumerate(vs)])


def test_d1_decomposition_known_values():
    days = {"decentralized": [5.0, 6.0, 7.0], "throttle_only": [9.0, 9.0, 9.0], "cold_start_only": [6.0, 6.0, 6.0],
            "fresh_only": [10.0, 11.0, 12.0], "popularity": [12.0] * 3}
    frame = _frame(days, "newcomer_days_to_100_views")
    frame["views_gini"] = 0.5
    effects, text = gatekeeping.d1_decomposition(frame)
    by = {e.description: e.estimate for e in effects}
    assert by["newcomers: days to 100 views, throttle_only minus fresh_only"] == pytest.approx(-2.0)
    assert by["newcomers: days to 100 views, cold_start_only minus fresh_only"] == pytest.approx(-5.0)
    assert by["newcomers: days to 100 views, decentralized minus cold_start_only"] == pytest.approx(0.0)
    assert by["newcomers: days to 100 views, decentralized minus throttle_only"] == pytest.approx(-3.0)
    assert by["newcomers: days to 100 views, fresh_only minus popularity"] == pytest.approx(-1.0)
    assert "the pool added alone" in text and len(effects) == 10
    assert gatekeeping.d1_decomposition(frame[frame["platform"] != "fresh_only"]) == ([], "")


def test_d1_knockout_rows_are_the_throttle_only_rows_relabelled():
    frame = _frame({"decentralized": [1.0, 2.0], "throttle_only": [3.0, 4.0], "popularity": [0.0, 0.0]}, "views_gini")
    arm = gatekeeping._d1_knockout(frame)["outcomes"]
    assert sorted(arm.loc[arm["platform"] == "decentralized", "views_gini"]) == [3.0, 4.0]
    assert "throttle_only" not in set(arm["platform"])


# D4: against every other policy


def _d4_frame(gini: dict[str, list[float]], earners: dict[str, list[float]]) -> pd.DataFrame:
    frame = _frame(gini, "views_gini")
    frame["earners_share"] = _frame(earners, "earners_share")["earners_share"]
    return frame


def test_d4_is_supported_only_when_it_holds_against_every_other_policy():
    """Inclusive beats A clearly on both parts; B is fairer than inclusive on the Gini. The
    combined verdict is B's (contradicted), shown first, with A's effects listed after it."""
    gini = {"inclusive": [0.30, 0.31, 0.29, 0.30], "A": [0.60, 0.63, 0.58, 0.61], "B": [0.20, 0.22, 0.18, 0.20]}
    earners = {"inclusive": [0.6, 0.61, 0.59, 0.6], "A": [0.3, 0.32, 0.28, 0.31], "B": [0.4, 0.42, 0.38, 0.41]}
    frame = _d4_frame(gini, earners)
    parts = {"gini": "views_gini", "earners": "earners_share"}
    result, listed, text = gatekeeping.inclusive_against_all(frame, parts, ["A", "B"])
    assert result.verdict == analysis.CONTRADICTED
    part = {p.name: p for p in result.parts}
    assert part["gini"].effect.description.endswith("inclusive minus B")
    assert part["gini"].effect.estimate == pytest.approx(0.10)
    assert part["earners"].effect.estimate == pytest.approx(0.6 - 0.4025)
    assert [e.description.rsplit(" ", 1)[1] for e in listed] == ["B", "B", "A", "A"]
    assert "against A: supported" in text and "against B: contradicted" in text
    only_a, _, _ = gatekeeping.inclusive_against_all(frame, parts, ["A"])
    assert only_a.verdict == analysis.SUPPORTED


def test_inclusive_traffic_compares_d4_with_every_policy_on_its_grid():
    experiment = OmegaConf.load(conf_dir() / "experiment" / "inclusive_traffic.yaml").experiment
    swept = set(experiment.sweep.platform) - {"inclusive"}
    # peer_only has no discovery feed to subsidise (its policy refuses subsidy_share > 0)
    assert swept == set(inclusive_traffic.D4_OTHERS)
    gatekeeping_sweep = OmegaConf.load(conf_dir() / "experiment" / "gatekeeping.yaml").experiment.sweep.platform
    assert set(gatekeeping.ORDER) | set(ARMS) == set(gatekeeping_sweep)


# R2: both figures, and the input


def test_r2_reports_both_source_figures_and_the_ratio_to_the_input():
    rows = []
    for policy in ("decentralized", "centralized"):
        for r, (earners, creators) in enumerate([(0.20, 0.20), (0.22, 0.20), (0.18, 0.20)]):
            rows.append({"platform": policy, "subsidy_share": 0.0, "replicate": r,
                         "poor_earner_share": earners, "poor_creator_share": creators})
    result = inclusive_traffic.r2_result(pd.DataFrame(rows), "decentralized", 0.0, {"inclusive_earners.png": "f.png"})
    assert result.parts[0].effect.estimate == pytest.approx(0.20 - 6.64 / 25.7)
    other, *ratios = result.extra_effects
    assert other.estimate == pytest.approx(0.20 - 3.4 / 16.0)
    assert [r.estimate for r in ratios] == [pytest.approx(1.0)] * 2
    assert result.conditions.startswith("An input, not a finding")
    assert "000 §4.4" in result.conditions and "004 (三)" in result.conditions


# D5: reach among survivors, and the campaign when no creator is left


def test_survivor_reach_divides_by_the_remaining_share_and_leaves_missing_campaigns_undefined():
    frame = pd.DataFrame({
        "removal_fraction": [0.0, 0.3, 0.3], "content_reach_share": [0.5, 0.35, 0.0],
        "standard_cascade_reach": [0.4, 0.14, 0.07], "campaign_cascade_size": [10.0, 8.0, np.nan],
    })
    out = robustness.with_survivor_reach(frame, n_users=1000)
    assert list(out["remaining_share"]) == pytest.approx([1.0, 0.7, 0.7])
    assert out["campaign_reach_survivors"].iloc[:2].tolist() == pytest.approx([0.5, 0.5])
    assert np.isnan(out["campaign_reach_survivors"].iloc[2])
    assert out["cascade_reach_survivors"].tolist() == pytest.approx([0.4, 0.2, 0.1])


def test_followers_removal_past_the_accounts_leaves_no_campaign_to_measure():
    """The followers rule removes accounts first: with 10% creators, removing 30% by followers
    leaves none, so no campaign item is posted (the analysis then reports its reach as
    undefined, not zero); removing 30% at random leaves creators who post it."""
    society = make_society(creator_share=0.1)
    rngs = {"rng": np.random.default_rng(1), "platform_rng": np.random.default_rng(2)}
    for rule, posted in (("followers", False), ("random", True)):
        damaged = remove(society, 0.3, rule, rng=np.random.default_rng(3))
        assert (damaged.creators.size > 0) == posted
        model = PlatformModel(damaged, create_agents=False, **rngs)
        model.step()
        assert bool(model.items.campaign[: model.items.n].any()) == posted
