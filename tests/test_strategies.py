"""Creator strategies, live streams and commerce mechanisms (claims S1-S5, P5, P7, P8, R1, R4)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diffusion import config as config_module
from diffusion.errors import ConfigError
from diffusion.model import PlatformModel
from diffusion.networks import weak_tie_society
from diffusion.params import BehaviourParams, PlatformParams
from diffusion.policies import ThrottledDecentralized
from diffusion.rng import replicate_streams
from diffusion.strategies import (
    BigBringsSmall,
    CreatorStrategy,
    DayState,
    Gifting,
    McnMatrix,
    Organic,
    PaidTraffic,
    RuralLeader,
    select_groups,
)

STREAMS_ON = PlatformParams(p_stream=0.3, merchant_share=0.2)


@pytest.fixture(scope="module")
def society():
    return weak_tie_society(n_users=1500, creator_share=0.1, newcomer_share=0.3, users_per_city=250,
                            rng=np.random.default_rng(7))


def run(society, strategy=None, *, days=12, seed=3, platform=STREAMS_ON, behaviour=None, check=None):
    s = replicate_streams(seed, 0)
    model = PlatformModel(
        society, platform=platform, behaviour=behaviour, policy=ThrottledDecentralized(), rng=s["agents"],
        platform_rng=s["platform"], content_rng=s["content"], layout_rng=s["layout"], strategy=strategy,
        strategy_rng=s["strategy"], create_agents=False,
    )
    for _ in range(days):
        model.step()
        if check is not None:
            check(model)
    return model


def tables(model):
    creators = model.creators_table().drop(columns=["focal_strategy"])
    trajectory = model.datacollector.get_model_vars_dataframe()
    return creators, model.finish(), trajectory


def assert_same_run(a, b):
    """``a`` and ``b``: models, or their :func:`tables` (``finish`` may be called only once)."""
    a, b = (x if isinstance(x, tuple) else tables(x) for x in (a, b))
    for left, right in zip(a, b):
        pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True))


# ---------------------------------------------------------------- doing nothing changes nothing
def test_zero_budget_gifting_equals_organic_exactly(society):
    organic = run(society, Organic())
    gifting = run(society, Gifting(daily_budget=0.0))
    assert organic.strategy.focal.tolist() == gifting.strategy.focal.tolist()
    assert gifting.strategy_cost.sum() == 0 and gifting.promotion_impressions.sum() == 0
    assert_same_run(organic, gifting)


def test_zero_spend_strategies_equal_organic(society):
    organic = tables(run(society, Organic()))
    for idle in (PaidTraffic(daily_budget=0.0), BigBringsSmall(airtime_share=0.0), McnMatrix(cross_share=0.0)):
        assert_same_run(organic, run(society, idle))


def test_organic_equals_no_strategy_apart_from_the_focal_marks(society):
    organic, none = run(society, Organic()), run(society, None)
    a, b = tables(organic)[0], tables(none)[0]
    assert a["focal"].sum() == 20 and b["focal"].sum() == 0
    pd.testing.assert_frame_equal(a.drop(columns=["focal"]), b.drop(columns=["focal"]))


def test_every_strategy_follows_the_same_accounts(society):
    focal = [run(society, cls(), days=1).strategy.focal.tolist()
             for cls in (Organic, Gifting, PaidTraffic, BigBringsSmall, McnMatrix)]
    assert all(f == focal[0] for f in focal) and len(focal[0]) == 20


def test_small_rule_takes_accounts_at_or_below_the_median(society):
    model = run(society, Organic(n_focal=40), days=1)
    followers = model.initial_followers
    assert (followers[model.strategy.focal] <= np.median(followers[model.creators])).all()
    new = run(society, Organic(focal="newcomers", n_focal=15), days=1)
    assert (followers[new.strategy.focal] == 0).all()


# ---------------------------------------------------------------- invariants of a run
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    gain=st.floats(0.0, 1.0), interaction=st.floats(0.0, 1.0), loss=st.floats(0.0, 1.0), bonus=st.floats(0.0, 1.0),
    strategy=st.sampled_from(["gifting", "paid_traffic", "big_brings_small", "mcn_matrix", "rural_leader"]),
    seed=st.integers(0, 2**16),
)
def test_trust_bounded_and_followers_consistent(society, gain, interaction, loss, bonus, strategy, seed):
    behaviour = BehaviourParams(trust_gain=gain, trust_gain_interaction=interaction, trust_loss=loss, p_interact=0.5,
                                trust_stranger=0.2, same_city_trust_bonus=bonus)
    build = {"gifting": Gifting, "paid_traffic": PaidTraffic, "big_brings_small": BigBringsSmall,
             "mcn_matrix": McnMatrix, "rural_leader": RuralLeader}[strategy]

    def check(model):
        trust = model.relations["trust"]
        assert ((trust >= 0) & (trust <= 1)).all()
        users = np.arange(model.n_users)
        derived, _ = model.trust_of(users, np.roll(users, 1))  # relation or stranger trust
        assert ((derived >= 0) & (derived <= 1)).all()
        assert (model.follower_count >= 0).all()
        following = model.relations.keys[model.relations["following"]] % model.n_users
        np.testing.assert_array_equal(model.follower_count, np.bincount(following, minlength=model.n_users))
        assert (model.strategy_cost >= 0).all()

    run(society, build(), days=6, seed=seed, behaviour=behaviour, check=check)


def test_streams_live_one_day_and_always_sell(society):
    model = run(society, days=10)
    it = model.items
    stream = it.stream
    assert stream.sum() > 0
    assert (it.expires[stream] - it.created[stream] == 1).all()
    assert it.product[stream].all()
    per_day = pd.Series(it.creator[stream]).groupby(it.created[stream]).apply(lambda c: c.is_unique)
    assert per_day.all()  # at most one stream per creator per day


def test_no_stream_sales_without_the_live_purchase_route(society):
    model = run(society, behaviour=BehaviourParams(live_purchase_boost=0.0))
    assert model.items.purchases[model.items.stream].sum() == 0
    assert model.format_purchases[1].sum() == 0 and model.format_exposures[1].sum() > 0


def test_local_services_sell_only_in_their_city(society):
    def check(model):
        ex, it = model.exposures, model.items
        item, user = ex.first(), ex.second()
        sold_local = ex["bought"] & it.local[item]
        np.testing.assert_array_equal(model.user_city[user[sold_local]], model.user_city[it.creator[item[sold_local]]])

    model = run(society, days=15, check=check)
    assert model.items.local.any()


def test_announcing_a_stream_draws_more_followers():
    """Online followers attend with p_attend, times announce_boost when the stream was announced
    (S3). With no feed slots and no new follows, a stream's follow-channel views are exactly its
    attendance: Binomial(online followers, p). Checked within 4 standard errors."""
    society = weak_tie_society(n_users=4000, creator_share=0.05, rng=np.random.default_rng(1))
    behaviour = BehaviourParams(p_attend=0.1, announce_boost=3.0, p_follow=0.0)
    platform = PlatformParams(p_stream=0.5, announce_share=0.5, feed_size=0)
    model = run(society, platform=platform, behaviour=behaviour, days=1)
    it = model.items
    stream = np.flatnonzero(it.stream)
    follow_views = it.views_by_channel[stream, 1]
    rel = model.relations
    keys = rel.keys[rel["following"]]
    online_fans = np.bincount(keys[model.online[keys // model.n_users]] % model.n_users, minlength=model.n_users)
    fans = online_fans[it.creator[stream]]
    for announced, p in ((True, 0.3), (False, 0.1)):
        mask = it.announced[stream] == announced
        n, k = fans[mask].sum(), follow_views[mask].sum()
        assert n > 500
        assert abs(k - p * n) <= 4 * np.sqrt(n * p * (1 - p))


# ---------------------------------------------------------------- each strategy's mechanism
def day_state(n=50, streaming=(), audience=(), fans=(), content=None, online=None):
    a_user, a_creator = (np.array([u for u, _ in audience], dtype=np.int64), np.array([c for _, c in audience], dtype=np.int64))
    order = np.argsort(a_creator, kind="stable")
    f_user, f_creator = (np.array([u for u, _ in fans], dtype=np.int64), np.array([c for _, c in fans], dtype=np.int64))
    f_order = np.argsort(f_creator, kind="stable")
    is_streaming = np.zeros(n, bool)
    is_streaming[list(streaming)] = True
    followers = np.arange(n, dtype=np.int64)  # user i has i followers: creator 49 is the biggest
    return DayState(
        day=0, online=np.arange(n) if online is None else np.asarray(online), followers=followers,
        streaming=is_streaming, fan_user=f_user[f_order], fan_creator=f_creator[f_order],
        audience_user=a_user[order], audience_creator=a_creator[order],
        has_content=np.ones(n, bool) if content is None else content,
    )


def test_gifting_reaches_head_rooms_in_proportion_to_spend():
    """A gifter spending s in a room of a viewers is seen by each with probability
    min(1, s / (price * a)); here 1 yuan / (0.05 * 100) = 0.2."""
    strategy = Gifting(daily_budget=1.0, n_rooms=1, n_head=1, price_per_viewer=0.05)
    strategy.focal = np.array([3])
    viewers = [(u, 49) for u in range(100, 200)] + [(u, 20) for u in range(200, 300)]
    state = day_state(n=400, streaming=[49, 20], audience=viewers)
    seen, trials = 0, 200
    rng = np.random.default_rng(0)
    for _ in range(trials):
        promo = strategy.promote(state, rng)
        assert set(promo.user.tolist()) <= set(range(100, 200))  # only the biggest room
        assert (promo.creator == 3).all() and promo.cost.tolist() == [1.0]
        seen += promo.user.size
    n, p = 100 * trials, 0.2
    assert abs(seen - n * p) <= 4 * np.sqrt(n * p * (1 - p))


def test_paid_traffic_buys_budget_over_cpm_impressions():
    strategy = PaidTraffic(daily_budget=3.0, cpm=30.0)
    strategy.focal = np.array([1, 2])
    content = np.ones(50, bool)
    content[2] = False  # nothing live: no impressions bought
    promo = strategy.promote(day_state(content=content, online=np.arange(10, 50)), np.random.default_rng(0))
    assert promo.impressions == 100 and (promo.creator == 1).all()
    assert promo.cost_creator.tolist() == [1] and promo.cost.tolist() == pytest.approx([3.0])
    assert ((promo.user >= 10) & (promo.user < 50)).all()


def test_big_account_promotes_only_its_proteges_to_its_own_room(society):
    model = run(society, BigBringsSmall(n_sponsors=3), days=1)
    strategy = model.strategy
    followers = model.initial_followers
    biggest = np.sort(followers[model.creators])[::-1][:3]
    assert sorted(followers[np.unique(strategy.sponsor)].tolist(), reverse=True) == biggest.tolist()
    assert not np.isin(strategy.sponsor, strategy.focal).any()
    room = [(u, int(strategy.sponsor[0])) for u in range(600, 700)]
    state = day_state(n=model.n_users, streaming=[int(strategy.sponsor[0])], audience=room)
    promo = strategy.promote(state, np.random.default_rng(1))
    assert promo.impressions > 0
    assert set(promo.creator.tolist()) <= set(strategy.focal[strategy.sponsor == strategy.sponsor[0]].tolist())
    assert set(promo.user.tolist()) <= set(range(600, 700))


def test_matrix_members_promote_other_members_only():
    strategy = McnMatrix(group_size=3, cross_share=1.0)
    strategy.focal = np.array([5, 6, 7, 8, 9, 10, 11])  # set directly instead of bind
    strategy.matrix = np.array([0, 0, 0, 1, 1, 1, 1])
    # each fan follows exactly one member, so the member behind each promotion is known
    follows = {100 + 30 * i + k: int(c) for i, c in enumerate(strategy.focal) for k in range(30)}
    promo = strategy.promote(day_state(n=400, fans=[(u, c) for u, c in follows.items()]), np.random.default_rng(2))
    assert promo.impressions == len(follows)  # cross_share 1: every online fan is shown someone
    matrix_of = dict(zip(strategy.focal.tolist(), strategy.matrix.tolist()))
    shown_pairs = set()
    for user, creator in zip(promo.user.tolist(), promo.creator.tolist()):
        member = follows[user]
        assert creator != member and matrix_of[creator] == matrix_of[member]
        shown_pairs.add((member, creator))
    # every other member of each matrix gets shown to someone's fans (30 draws each)
    expected = {(a, b) for a in matrix_of for b in matrix_of if a != b and matrix_of[a] == matrix_of[b]}
    assert shown_pairs == expected


def test_matrix_bind_never_leaves_a_matrix_of_one(society):
    model = run(society, McnMatrix(group_size=3, n_focal=7), days=1)
    sizes = np.bincount(model.strategy.matrix)
    assert (sizes >= 2).all() and sizes.sum() == 7


def test_rural_leaders_sell_for_same_city_neighbours(society):
    model = run(society, RuralLeader(pool_size=30, n_focal=5), days=20)
    strategy, it = model.strategy, model.items
    assert model.user_poor[strategy.focal].all()
    for k, leader in enumerate(strategy.focal):
        pool = strategy.households(k)
        assert pool.size <= 30 and not model.is_creator[pool].any()
        assert (model.user_city[pool] == model.user_city[leader]).all()
        mine = it.creator == leader
        assert it.product[mine].all()
        assert np.isin(it.household[mine], pool).all()
    table = model.creators_table().set_index("creator")
    sold = (it.household >= 0) & (it.purchases > 0)
    for leader in strategy.focal:
        households = np.unique(it.household[sold & (it.creator == leader)])
        assert table.loc[leader, "households_with_income"] == households.size
    assert (it.household[~np.isin(it.creator, strategy.focal)] == -1).all()


@given(
    keys=st.lists(st.integers(0, 8), max_size=40),
    wanted=st.lists(st.integers(0, 9), max_size=10),
)
def test_select_groups_matches_a_plain_loop(keys, wanted):
    keys = np.sort(np.array(keys, dtype=np.int64))
    values = np.arange(keys.size) * 10
    got, owner = select_groups(keys, values, np.array(wanted, dtype=np.int64))
    expected = [(int(v), i) for i, w in enumerate(wanted) for v in values[keys == w]]
    assert list(zip(got.tolist(), owner.tolist())) == expected


# ---------------------------------------------------------------- configuration
def test_strategy_options_build_and_bad_arguments_are_named():
    for option in config_module.group_options("strategy"):
        spec = config_module._group_option("strategy", option)
        assert isinstance(config_module.build_strategy(spec), CreatorStrategy)
    with pytest.raises(ConfigError, match="Did you mean strategy.daily_budget"):
        config_module.build_strategy({"_target_": "diffusion.strategies.Gifting", "daily_budgt": 1})
    with pytest.raises(ConfigError, match="strategy.focal='tiny' is not a focal rule"):
        config_module.build_strategy({"_target_": "diffusion.strategies.Organic", "focal": "tiny"})
    with pytest.raises(ConfigError, match="not a CreatorStrategy"):
        config_module.build_strategy({"_target_": "diffusion.policies.PeerOnly"})


def test_sweeping_strategies_replaces_the_whole_spec():
    config = config_module.Config(strategy=config_module._group_option("strategy", "gifting"))
    organic = config_module.apply_point(config, {"strategy": "organic"})
    assert "daily_budget" not in organic.strategy
    gifting = config_module.apply_point(config, {"strategy": "gifting", "strategy.daily_budget": 0.5})
    assert gifting.strategy["daily_budget"] == 0.5
    assert dataclasses.is_dataclass(gifting.config)


def _readme_block(start: str, language: str) -> str:
    """The fenced ``language`` block of the README whose first line is ``start``."""
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for block in text.split(f"```{language}\n")[1:]:
        body = block.split("```", 1)[0]
        if body.startswith(start):
            return body
    raise AssertionError(f"no {language} block starting with {start!r} in README.md")


#: Runs ``python -m diffusion`` with its config folder moved: the first argument names a copy
#: of ``conf/`` that replaces :func:`diffusion.config.conf_dir` (the CLI's and the sweep's).
_CLI_WITH_CONF = """\
import sys
from pathlib import Path

import diffusion.cli
import diffusion.config

conf = Path(sys.argv.pop(1))
diffusion.config.conf_dir = diffusion.cli.conf_dir = lambda: conf
diffusion.cli.main()
"""


def _cli_with_own_conf(tmp_path: Path) -> tuple[list[str], Path]:
    """The command that runs the CLI on a copy of the repository's ``conf/`` under
    ``tmp_path``, and that copy: a README example's YAML goes there, never into the repository."""
    conf = tmp_path / "conf"
    shutil.copytree(config_module.conf_dir(), conf)
    script = tmp_path / "diffusion_cli.py"
    script.write_text(_CLI_WITH_CONF)
    return [sys.executable, str(script), str(conf)], conf


def test_readme_strategy_example_runs_through_the_cli(tmp_path):
    """The README's "Add your own strategy" example, exactly as printed, run as it says, with
    its YAML in a copy of ``conf/`` (the test writes nothing into the repository)."""
    (tmp_path / "mystrategies.py").write_text(_readme_block("# mystrategies.py", "python"))
    cli, conf = _cli_with_own_conf(tmp_path)
    (conf / "strategy" / "local_ads.yaml").write_text(_readme_block("# conf/strategy/local_ads.yaml", "yaml"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [*cli, "+experiment=big_account", "scale=ci",
         "experiment.sweep.strategy=[organic,local_ads]", f"hydra.run.dir={tmp_path / 'run'}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert not (config_module.conf_dir() / "strategy" / "local_ads.yaml").exists()
    assert done.returncode == 0, done.stderr[-2000:]
    creators = pd.read_parquet(tmp_path / "run" / "creators.parquet")
    ads = creators[(creators["strategy"] == "local_ads") & creators["focal"]]
    assert len(ads) and (ads["promotion_impressions"] > 0).all() and (ads["strategy_cost"] > 0).all()
    organic = creators[(creators["strategy"] == "organic") & creators["focal"]]
    assert sorted(ads["creator"]) == sorted(organic["creator"])  # the same accounts


def test_creator_agents_show_streams_and_strategy(society):
    s = replicate_streams(5, 0)
    model = PlatformModel(society, platform=STREAMS_ON, rng=s["agents"], platform_rng=s["platform"],
                          content_rng=s["content"], layout_rng=s["layout"], strategy=Gifting(), strategy_rng=s["strategy"])
    for _ in range(3):
        model.step()
    focal = model.agent_of(int(model.strategy.focal[0]))
    assert focal.is_focal and focal.strategy_cost == pytest.approx(model.strategy_cost[focal.vertex])
    live = [model.agent_of(int(c)).is_live for c in model.creators]
    assert sum(live) == int((model.live_item_of >= 0).sum()) > 0
    assert 0.0 <= focal.engagement <= 1.0


def test_explicit_focal_assignment(society):
    chosen = society.creators[[3, 10, 42]].tolist()
    model = run(society, Gifting(focal=chosen), days=2)
    assert model.strategy.focal.tolist() == sorted(chosen)
    with pytest.raises(ConfigError, match="not creators on the platform"):
        non_creator = int(np.setdiff1d(np.arange(society.n_users), society.creators)[0])
        run(society, Gifting(focal=[non_creator]), days=1)


def test_readme_network_generator_example_runs_through_the_cli(tmp_path):
    """The README's "Add your own network generator" example, run as it says (at ci scale),
    with its YAML in a copy of ``conf/`` (the test writes nothing into the repository)."""
    (tmp_path / "mynetworks.py").write_text(_readme_block("# mynetworks.py", "python"))
    cli, conf = _cli_with_own_conf(tmp_path)
    (conf / "network" / "caveman.yaml").write_text(_readme_block("# conf/network/caveman.yaml", "yaml"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    command = [*cli, "network=caveman", "+experiment=gatekeeping", "scale=ci"]
    done = subprocess.run([*command, f"hydra.run.dir={tmp_path / 'run'}"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    typo = subprocess.run([*command, "network.generator.p_rewir=0.3", f"hydra.run.dir={tmp_path / 'bad'}"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert not (config_module.conf_dir() / "network" / "caveman.yaml").exists()
    assert done.returncode == 0, done.stderr[-2000:]
    outcomes = pd.read_parquet(tmp_path / "run" / "outcomes.parquet")
    # caves of 10 are cliques (degree 9) before rewiring; rewiring and de-duplication change little
    assert outcomes["realised_mean_degree"].between(7.5, 9.0).all()
    assert typo.returncode == 2 and "Did you mean network.generator.p_rewire?" in typo.stderr
