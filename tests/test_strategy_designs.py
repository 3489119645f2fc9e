"""The target comparisons of S2, S5 and R4 (issue 19): what each compares, built on cases whose
answer is known by construction, so a design that lets organic growth or an assumed pool decide
the answer fails here.

No test asserts that a target claim holds; the few simulated checks use fixed seeds and compare
a design's two arms exactly (the same run seen two ways), never a stochastic level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from diffusion import analysis, report
from diffusion.analyses import big_account, rural_leaders
from diffusion.claims import get_claim
from diffusion.metrics.commerce import PLATFORM_USERS, scaled_followers
from diffusion.model import PlatformModel
from diffusion.networks import weak_tie_society
from diffusion.params import PlatformParams
from diffusion.policies import ThrottledDecentralized
from diffusion.rng import replicate_streams
from diffusion.strategies import RuralLeader


# ---------------------------------------------------------------- S2: people and money, beyond organic
def outcomes_with_excess(excess: list[float], organic: float = 46.0) -> pd.DataFrame:
    """Paired runs: organic gains ``organic`` in every replicate, gifting ``organic + excess[r]``."""
    rows = []
    for replicate, extra in enumerate(excess):
        rows.append({"strategy": "organic", "replicate": replicate, "focal_follower_gain": organic})
        rows.append({"strategy": "gifting", "replicate": replicate, "focal_follower_gain": organic + extra})
    return pd.DataFrame(rows)


def test_s2_target_compares_the_gain_beyond_organic_on_a_log_scale():
    """The target part is log10(mean paired excess / scaled target): with excesses 70, 80, 90
    and a target of 80 it is exactly 0, whatever organic growth gains on its own."""
    target = scaled_followers(7_950_000, 3_000)
    assert target == pytest.approx(79.5)
    for organic in (0.0, 46.0, 500.0):  # organic growth alone may pass the target: no matter
        effect = big_account.target_effect(outcomes_with_excess([70.0, 80.0, 90.0], organic), "gifting", 80.0)
        assert effect.estimate == pytest.approx(0.0, abs=1e-12)
        assert effect.ci_low < 0 < effect.ci_high
        growth = big_account.growth_effect(outcomes_with_excess([70.0, 80.0, 90.0], organic), "gifting")
        assert effect.ci_low == pytest.approx(np.log10(growth.ci_low / 80.0))


def test_s2_target_cannot_be_reached_by_organic_growth():
    """A strategy that adds nothing beyond organic (paired excesses -1, 0, +1 around organic's
    46 or 100 followers, below or above the scaled 79.5 in all) has no order of magnitude:
    its interval reaches below zero, so the target part is not measurable, never the source's
    figure. (The old comparison of gains in all put organic growth at 58% of the target.)"""
    for organic in (46.0, 100.0):
        effect = big_account.target_effect(outcomes_with_excess([-1.0, 0.0, 1.0], organic), "gifting", 79.5)
        part = get_claim("S2").part("target")
        judged = analysis.judge(effect, direction=part.direction, sesoi=part.sesoi)
        assert judged.verdict == analysis.NOT_MEASURABLE
    # and a real excess of the right size is judged (the same frame, shifted by the target)
    effect = big_account.target_effect(outcomes_with_excess([78.5, 79.5, 80.5], 100.0), "gifting", 79.5)
    assert analysis.judge(effect, direction=0, sesoi=0.5).verdict == analysis.SUPPORTED


def test_s2_target_is_reported_and_growth_decides():
    """S2's verdict is the growth part's: a target far off (contradicted) does not change it."""
    claim = get_claim("S2")
    assert [p.name for p in claim.parts] == ["growth", "target"] and claim.combine == "primary part"
    growth = analysis.Effect("g", "g", 50.0, 45.0, 55.0, 16)
    far = analysis.Effect("t", "t", -2.0, -2.1, -1.9, 16)
    result = report.claim_result("S2", {"growth": growth, "target": far}, conditions="")
    assert [p.judgement.verdict for p in result.parts] == [analysis.SUPPORTED, analysis.CONTRADICTED]
    assert result.verdict == analysis.SUPPORTED


def test_s2_money_scales_with_the_population_like_people():
    """A yuan spent among n users buys what PLATFORM_USERS / n yuan buy on the platform: the
    default 3 yuan a day at 3,000 users is 300,000 yuan a day; halving the population doubles it."""
    assert big_account.platform_yuan(3.0, 3_000) == pytest.approx(3.0 * PLATFORM_USERS / 3_000) == pytest.approx(3e5)
    assert big_account.platform_yuan(3.0, 1_500) == pytest.approx(2 * big_account.platform_yuan(3.0, 3_000))


# ---------------------------------------------------------------- S5: the scaled figure cannot discriminate
def test_s5_scaled_figure_is_passed_by_one_follower():
    """10,000 followers scale to 0.1 at 3,000 users: one follower passes, none does not."""
    village = scaled_followers(10_000, 3_000)
    creators = pd.DataFrame({
        "focal": [True, True, True, True, False], "initial_followers": [0, 0, 0, 5, 0],
        "followers": [0, 1, 30, 40, 7], "strategy": "organic", "cold_start_share": 0.2, "replicate": 0,
    })
    passing = big_account.newcomer_passing(creators, village)
    # only the three focal newcomers count; two of them have any follower
    assert passing["passed"].tolist() == pytest.approx([2 / 3])


# ---------------------------------------------------------------- R4: the pool does not cap the count
@pytest.fixture(scope="module")
def society():
    return weak_tie_society(n_users=1500, creator_share=0.1, newcomer_share=0.3, users_per_city=250,
                            rng=np.random.default_rng(7))


def leaders_model(society, pool_size: int) -> PlatformModel:
    s = replicate_streams(5, 0)
    return PlatformModel(
        society, platform=PlatformParams(p_stream=0.2), policy=ThrottledDecentralized(), rng=s["agents"],
        platform_rng=s["platform"], content_rng=s["content"], layout_rng=s["layout"],
        strategy=RuralLeader(pool_size=pool_size, n_focal=5), strategy_rng=s["strategy"], create_agents=False,
    )


def test_whole_city_pool_is_every_reachable_neighbour_of_the_city(society):
    """With a pool size above the population, a leader's pool is every present non-creator of
    its city connected to it through same-city ties (checked against scipy's components of the
    same-city subgraph), and the 100-nearest pool is its first 100 (BFS order)."""
    model = leaders_model(society, 100_000)
    city, near = model.strategy, leaders_model(society, 100).strategy
    np.testing.assert_array_equal(city.focal, near.focal)
    indptr, indices = society.csr.indptr, society.csr.indices
    rows = np.repeat(np.arange(society.n_users), np.diff(indptr))
    same = model.user_city[rows] == model.user_city[indices]
    graph = csr_matrix((np.ones(same.sum()), (rows[same], indices[same])), shape=(society.n_users,) * 2)
    _, component = connected_components(graph, directed=False)
    for k, leader in enumerate(city.focal):
        expected = np.flatnonzero((component == component[leader]) & ~model.is_creator)
        np.testing.assert_array_equal(np.sort(city.households(k)), expected)
        np.testing.assert_array_equal(near.households(k), city.households(k)[:100])
    # the whole-city pools are not capped below the source's 44 households per leader
    assert min(city.households(k).size for k in range(city.focal.size)) > rural_leaders.MEAN_HOUSEHOLDS


def test_pool_labels_and_households_figure_draws_the_source():
    """The figure draws the source's 44 and 63 and the lower edge of 'tens' as lines."""
    assert rural_leaders.pool_label(100, 3_000) == "100 nearest"
    assert rural_leaders.pool_label(100_000, 3_000) == rural_leaders.WHOLE_CITY
    summary = pd.DataFrame({
        "subsidy_share": [0.0, 0.0], "pool": ["100 nearest", "whole city"], "measure": "households_per_leader",
        "mean": [20.0, 25.0], "ci_low": [18.0, 23.0], "ci_high": [22.0, 27.0], "n": 16,
    })
    fig = rural_leaders.households_figure(summary, 90)
    levels = {float(line.get_ydata()[0]) for line in fig.axes[0].get_lines() if len(set(line.get_ydata())) == 1}
    assert {44.0, 63.0, 10.0} <= levels
