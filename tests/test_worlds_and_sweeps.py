"""Independent worlds, group sweeps and the creators table: the experiment design of issue D1-D5."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from diffusion import config as config_module
from diffusion import runner
from diffusion.config import Config, apply_point, grid
from diffusion.errors import ConfigError
from diffusion.metrics.creators import excess_cv, restricted_mean_time, survival_curve, traffic_stability
from diffusion.metrics.worlds import rank_agreement, unpredictability, world_measures
from diffusion.rng import replicate_streams


def small_config(**sections) -> Config:
    base = {"network": {"n_users": 400, "creator_share": 0.1}, "run": {"n_replicates": 4, "n_steps": 5, "n_jobs": 1}}
    for key, value in sections.items():
        base.setdefault(key, {}).update(value)
    return OmegaConf.to_object(OmegaConf.merge(config_module.schema(), base))


def test_worlds_share_network_and_content_but_not_behaviour():
    a, b, c = (replicate_streams(7, r, worlds=2) for r in (0, 1, 2))
    for name in ("network", "content"):
        assert a[name].random() == b[name].random()
        assert a[name].random() != replicate_streams(7, 2, worlds=2)[name].random()
    for name in ("agents", "platform", "layout"):
        assert a[name].random() != b[name].random()
    # worlds=1 is the old scheme: replicate r's own streams
    assert replicate_streams(7, 2)["network"].random() == replicate_streams(7, 4, worlds=2)["network"].random()
    del c


def test_worlds_of_a_group_post_the_same_items_and_diverge_in_views():
    config = small_config(run={"worlds": 2, "n_replicates": 2})
    first, second = (runner.simulate(config, runner.RunSpec(r, {}, r)) for r in (0, 1))
    columns = ["item", "creator", "created", "product"]
    pd.testing.assert_frame_equal(first.cascades[columns], second.cascades[columns])
    assert not first.cascades["size"].equals(second.cascades["size"])
    assert (first.outcomes["world_group"] == 0).all() and (second.outcomes["world_group"] == 0).all()


def test_unpredictability_known_values():
    same = np.array([[0.5, 0.3, 0.2], [0.5, 0.3, 0.2]])
    assert unpredictability(same) == 0.0
    swapped = np.array([[0.6, 0.4], [0.4, 0.6]])
    assert unpredictability(swapped) == pytest.approx(0.2)
    three = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])  # pairs differ by 1, 0, 1
    assert unpredictability(three) == pytest.approx(2 / 3)
    assert rank_agreement(np.array([[1, 2, 3, 4], [10, 20, 30, 40]])) == pytest.approx(1.0)
    assert rank_agreement(np.array([[1, 2, 3, 4], [4, 3, 2, 1]])) == pytest.approx(-1.0)


def test_world_measures_need_the_same_items():
    rows = [{"platform": "x", "world_group": 0, "replicate": r, "item": i, "size": s, "campaign": False}
            for r, sizes in enumerate(([5, 3, 2], [2, 3, 5])) for i, s in enumerate(sizes)]
    table = world_measures(pd.DataFrame(rows), by=["platform"])
    assert table["unpredictability"].iloc[0] == pytest.approx(np.mean([0.3, 0.0, 0.3]))
    rows[-1]["item"] = 9  # a different catalogue: not comparable
    assert np.isnan(world_measures(pd.DataFrame(rows), by=["platform"])["unpredictability"].iloc[0])


def test_sweeping_a_group_applies_its_option_then_the_plain_keys():
    config = small_config()
    config.experiment.sweep = {"platform": ["centralized", "inclusive"], "platform.policy.subsidy_share": [0.0, 0.1]}
    points = grid(config.experiment)
    assert len(points) == 4
    settings = apply_point(config, {"platform.policy.subsidy_share": 0.1, "platform": "inclusive"})
    assert settings.platform.policy["_target_"].endswith("FairShareInclusive")
    assert settings.platform.policy["subsidy_share"] == 0.1
    assert config.platform.policy is None  # the base config is untouched


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"experiment": {"sweep": {"platform": ["central"]}}}, "allowed: baseline, centralized"),
        ({"network": {"removal_fraction": 0.2}}, "removal_rule"),
        ({"network": {"removal_rule": "hubs"}}, "removal_rule='hubs'"),
        ({"run": {"worlds": 3}}, "multiple of run.worlds"),
        ({"network": {"kind": "lattice"}}, "network.kind='lattice'"),
    ],
)
def test_design_mistakes_are_reported_with_the_key(sections, message):
    with pytest.raises(ConfigError, match=message):
        config_module.to_settings(OmegaConf.merge(config_module.schema(), sections))


def test_a_bad_sweep_value_is_caught_before_any_run(tmp_path):
    config = small_config()
    config.experiment.sweep = {"platform": ["peer_only"], "platform.policy.subsidy_share": [0.1]}
    with pytest.raises(ConfigError, match="subsidy_share"):
        runner.execute(config, tmp_path)
    assert not (tmp_path / "runs").exists()


def test_creators_table_is_consistent_with_the_items():
    result = runner.simulate(small_config(network={"newcomer_share": 0.3}), runner.RunSpec(0, {}, 0))
    creators, cascades = result.creators, result.cascades
    assert creators["views"].sum() == cascades["size"].sum()
    views = creators[[f"views_{c}" for c in ("share", "follow", "same_city", "discovery")]].sum(axis=1)
    np.testing.assert_array_equal(views.to_numpy(), creators["views"].to_numpy())
    assert creators["income"].sum() == pytest.approx(cascades["gmv"].sum())
    assert (creators["initial_followers"] == 0).sum() == round(0.3 * len(creators))
    assert (creators["followers"] >= 0).all()
    reached = creators["milestone_step"] >= 0
    assert (creators.loc[reached, "views"] >= 100).all()


def test_restricted_mean_time_and_survival_curve():
    steps = np.array([0, 2, -1, -1])  # days 1 and 3, two censored at the 10-day horizon
    assert restricted_mean_time(steps, 10) == pytest.approx((1 + 3 + 10 + 10) / 4)
    curve = survival_curve(steps, 10)
    assert curve["surviving"].tolist()[:4] == [1.0, 0.75, 0.75, 0.5]
    assert curve["surviving"].iloc[-1] == 0.5


def test_excess_cv_removes_counting_noise():
    assert excess_cv([5, 5, 5, 5]) == 0.0
    x = np.array([10.0, 30.0])  # var 200, mean 20: CV^2 = 0.5, minus 1/20
    assert excess_cv(x) == pytest.approx(np.sqrt(0.5 - 0.05))
    # Poisson counts with a fixed rate mu = 50 over n = 20 posts: the excess CV^2 estimate
    # v = (s^2 - xbar) / xbar^2 has mean ~0 and, with Var s^2 = mu/n + 2 mu^2/(n-1),
    # Var xbar = mu/n and Cov(s^2, xbar) = mu/n (Poisson cumulants all mu),
    # Var(s^2 - xbar) = 2 mu^2/(n-1) = 263.2: standard deviation about
    # sqrt(263.2) / mu^2 = 16.2 / 2500 = 0.00649. The median of 200
    # such estimates has standard error 1.2533 x 0.00649 / sqrt(200) = 0.000575, so it stays
    # below K = 4 of them, 0.0023, and the median excess CV (a monotone function of v, clipped
    # at 0) below sqrt(0.0023) = 0.048. Without the 1/mean correction it would be
    # sqrt(1/50) = 0.14.
    rng = np.random.default_rng(0)
    medians = np.median([excess_cv(rng.poisson(50, 20)) for _ in range(200)])
    assert medians < 0.048


def test_traffic_stability_matches_a_direct_computation():
    rng = np.random.default_rng(1)
    n = 60
    table = pd.DataFrame({
        "creator": rng.integers(0, 8, n), "campaign": False, "expires": rng.integers(3, 12, n),
        "views_follow": rng.poisson(20, n), "views_discovery": rng.poisson(30, n), "views_same_city": rng.poisson(5, n),
    })
    result = traffic_stability(table, horizon=10).set_index("creator")
    done = table[table["expires"] <= 10]
    for creator, group in done.groupby("creator"):
        if len(group) < 3:
            assert creator not in result.index
            continue
        x = group["views_follow"].to_numpy(float)
        assert result.loc[creator, "private_cv"] == pytest.approx(x.std(ddof=1) / x.mean())
        assert result.loc[creator, "private_excess_cv"] == pytest.approx(excess_cv(x))


def test_the_cached_society_of_a_run_is_the_one_build_society_makes():
    """runner.society_for_run reuses networks and removal orders across runs; it must give the
    same society as building from the replicate's network stream."""
    config = small_config(network={"removal_rule": "betweenness", "removal_fraction": 0.2})
    settings = config_module.apply_point(config, {})
    cached = runner.society_for_run(settings, config.seed, 1)
    built = runner.build_society(settings, rng=replicate_streams(config.seed, 1)["network"])
    np.testing.assert_array_equal(cached.removed, built.removed)
    np.testing.assert_array_equal(cached.edge_source, built.edge_source)
    np.testing.assert_array_equal(cached.edge_target, built.edge_target)
    np.testing.assert_array_equal(cached.follow_source, built.follow_source)
    assert cached.removed.sum() == round(0.2 * cached.n_users)
