"""The weak-ties experiment's design (issue 19): W1's two arms, speed at a fixed reach, and W3
compared at equal numbers of distinct sources.

Every check here is exact (edge sets, counts, hand-worked values): none depends on sampling
error, so none needs a tolerance.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from diffusion.analyses.weak_ties import FIXED_REACH_SHARE, days_to_reach, w1_effects, with_days_to_reach
from diffusion.errors import ConfigError
from diffusion.metrics.tables import conversion_at_equal_sources
from diffusion.networks.society import weak_tie_society


def _society(share: float, mode: str | None, seed: int = 7):
    extra = {} if mode is None else {"weak_ties": mode}
    return weak_tie_society(n_users=1500, weak_tie_share=share, rng=np.random.default_rng(seed), **extra)


def _strong_edges(society) -> set[tuple[int, int]]:
    strong = ~society.edge_weak
    return set(zip(society.edge_source[strong].tolist(), society.edge_target[strong].tolist()))


@pytest.mark.parametrize("share", [0.2, 0.6])
def test_added_bridges_keep_every_strong_tie_of_the_share_zero_society(share):
    base = _society(0.0, None)
    added = _society(share, "add")
    replaced = _society(share, "replace")
    assert _strong_edges(added) == _strong_edges(base)
    # as many bridges as the replace arm has at that share, on top of all the strong ties
    assert added.edge_weak.sum() == replaced.edge_weak.sum() == round(round(1500 * 10 / 2) * share)
    assert added.csr.degree().mean() == pytest.approx(10 * (1 + share))
    assert replaced.csr.degree().mean() == pytest.approx(10)
    # everything but the ties is shared by the arms: tastes, cities and follows are paired
    np.testing.assert_array_equal(added.circle, replaced.circle)
    np.testing.assert_array_equal(added.follow_source, replaced.follow_source)


def test_replace_is_the_default_and_unchanged():
    default, explicit = _society(0.3, None), _society(0.3, "replace")
    np.testing.assert_array_equal(default.edge_source, explicit.edge_source)
    np.testing.assert_array_equal(default.edge_target, explicit.edge_target)
    np.testing.assert_array_equal(default.edge_weight, explicit.edge_weight)


def test_an_unknown_arm_is_refused_with_the_allowed_values():
    with pytest.raises(ConfigError, match=r"network\.weak_ties='swap'.*replace, add"):
        _society(0.2, "swap")


def test_an_unknown_arm_is_refused_by_the_config():
    from diffusion.config import schema, to_settings

    cfg = schema()
    cfg.network.weak_ties = "swap"
    with pytest.raises(ConfigError, match="network.weak_ties"):
        to_settings(cfg)


def test_conversion_at_equal_sources_removes_a_difference_in_sources():
    # Within every stratum both kinds of tie convert alike (0 at one source, 0.1 at two, 0.2 at
    # three or more), but same-circle decisions come more often with two or more sources: the
    # crude ratios differ (0.14 vs 0.03), the standardised ones must not.
    exposures = np.array([[20, 50, 30, 0], [70, 20, 10, 0]])
    purchases = np.array([[0, 5, 6, 0], [0, 2, 2, 0]])
    crude = purchases.sum(axis=1) / exposures.sum(axis=1)
    assert crude[0] - crude[1] == pytest.approx(0.11 - 0.04)
    same, cross = conversion_at_equal_sources(exposures, purchases, reinforcement=2)
    # strata 2 and 3 (both rows have decisions there; stratum 1 cannot buy): weights 70 and 40
    assert same == pytest.approx((0.1 * 70 + 0.2 * 40) / 110)
    assert cross == pytest.approx(same)


def test_conversion_at_equal_sources_keeps_a_real_difference_and_handles_empty_strata():
    exposures = np.array([[0, 10, 0, 5], [4, 30, 8, 5]])
    purchases = np.array([[0, 3, 0, 2], [1, 3, 1, 1]])
    same, cross = conversion_at_equal_sources(exposures, purchases, reinforcement=2)
    # strata 2 and 4+ only: weights 40 and 10
    assert same == pytest.approx((0.3 * 40 + 0.4 * 10) / 50)
    assert cross == pytest.approx((0.1 * 40 + 0.2 * 10) / 50)
    # reinforcement 1: the first stratum is eligible but one row has no decisions there
    assert conversion_at_equal_sources(exposures, purchases, reinforcement=1) == pytest.approx((same, cross))
    assert all(math.isnan(v) for v in conversion_at_equal_sources(np.zeros((2, 4)), np.zeros((2, 4)), 2))


def _trajectories() -> pd.DataFrame:
    rows = []
    for replicate, reach in enumerate([[0.01, 0.04, 0.05, 0.2], [0.06, 0.1, 0.1, 0.1], [0.0, 0.01, 0.02, 0.03]]):
        for step, value in enumerate(reach, start=1):
            rows.append({"weak_ties": "add", "weak_tie_share": 0.2, "knockout": "none", "replicate": replicate,
                         "step": step, "campaign_reach_share": value, "campaign_purchase_share": 0.0})
    return pd.DataFrame(rows)


def test_days_to_reach_is_the_first_day_at_the_fixed_share_and_nan_when_never():
    assert FIXED_REACH_SHARE == 0.05
    days = days_to_reach(_trajectories()).sort_values("replicate")
    assert days["content_days_to_reach"].iloc[:2].tolist() == [3.0, 1.0]
    assert math.isnan(days["content_days_to_reach"].iloc[2])
    outcomes = pd.DataFrame({"weak_ties": "add", "weak_tie_share": 0.2, "knockout": "none", "replicate": [2, 0, 1]})
    joined = with_days_to_reach(outcomes, _trajectories())
    assert joined["content_days_to_reach"].iloc[1:].tolist() == [3.0, 1.0] and len(joined) == 3


def test_w1_speed_is_the_paired_change_in_days_to_the_fixed_reach():
    outcomes = pd.DataFrame({
        "weak_tie_share": [0.0, 0.6] * 3, "replicate": [0, 0, 1, 1, 2, 2],
        "content_days_to_reach": [5.0, 3.0, 6.0, 3.0, 4.0, 3.0],
        "content_reach_share": [0.1, 0.16, 0.1, 0.13, 0.1, 0.1],
        "purchase_reach_share": [0.01] * 6,
    })
    effects = w1_effects(outcomes)
    assert effects["speed"].estimate == pytest.approx(-2.0) and effects["speed"].n == 3
    assert effects["reach"].estimate == pytest.approx((0.1 + 0.05 + 0.0) / 3)
    assert effects["purchases"].estimate == pytest.approx(0.0)


@pytest.mark.slow
def test_added_strong_bridges_widen_the_campaign_in_every_replicate():
    """Constructed extreme of the add arm: bridges as strong as strong ties, one per strong tie
    (mean degree 10 -> 20). Every replicate, paired on its seeds, must reach more users than
    without bridges; a direction checked over four seeds, not a size (W1 is never asserted to
    hold at the defaults)."""
    import dataclasses

    from diffusion.config import Config
    from diffusion.runner import RunSpec, simulate

    config = Config(seed=3)
    config.network.n_users = 800
    config.network.weak_tie_strength = 0.7
    config.run = dataclasses.replace(config.run, n_steps=10, n_replicates=1)
    for replicate in range(4):
        reach = [simulate(config, RunSpec(index=0, point={"network.weak_ties": "add", "network.weak_tie_share": share},
                                          replicate=replicate)).outcomes["content_reach_share"].iloc[0]
                 for share in (0.0, 1.0)]
        assert reach[1] > reach[0], (replicate, reach)
