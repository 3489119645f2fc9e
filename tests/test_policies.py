"""Exposure policies (D1-D4, R3): equal budgets, the mechanisms each policy claims, the subsidy."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_model, make_society
from diffusion import feeds
from diffusion.config import build_policy, group_options
from diffusion.errors import ConfigError
from diffusion.feeds import DISCOVERY, SHARE
from diffusion.metrics.inequality import gini
from diffusion.model import PlatformModel
from diffusion.policies import (
    CentralizedGatekeeper,
    CumulativeAdvantage,
    FairShareInclusive,
    PeerOnly,
    ThrottledDecentralized,
    heat_factor,
    water_fill,
)
from omegaconf import OmegaConf

from diffusion.config import conf_dir

POLICIES = group_options("platform")


def policy_named(name: str, **overrides):
    spec = OmegaConf.to_container(OmegaConf.load(conf_dir() / "platform" / f"{name}.yaml"))["policy"]
    return build_policy({**spec, **overrides})


def streams(seed: int = 3) -> dict:
    names = ("rng", "platform_rng", "content_rng", "layout_rng")
    return {name: np.random.default_rng([seed, i]) for i, name in enumerate(names)}


@pytest.fixture(scope="module")
def busy_state():
    """A feed state from a model that has run a few days (items with views, shares, followers)."""
    society = make_society(creator_share=0.1, newcomer_share=0.2)
    model = PlatformModel(society, create_agents=False, **streams())
    for _ in range(4):
        model.step()
    live = model.items.live(model.day)
    users = np.repeat(np.arange(0, society.n_users, 3), 4)
    return model.feed_state(live, users)


def test_every_platform_option_is_documented_and_builds():
    assert {"baseline", "centralized", "popularity", "decentralized", "inclusive", "peer_only"} <= set(POLICIES)
    for name in POLICIES:
        policy = policy_named(name)
        assert policy.__doc__ and type(policy).__module__.startswith("diffusion.policies")


@pytest.mark.parametrize("name", [p for p in POLICIES if p != "peer_only"])
@pytest.mark.parametrize("subsidy", [0.0, 0.25])
def test_every_policy_spends_exactly_its_slots_on_live_items(busy_state, name, subsidy):
    policy = policy_named(name, subsidy_share=subsidy)
    n_slots = busy_state.slot_user.size
    items = policy(busy_state, n_slots, rng=np.random.default_rng(1))
    assert items.shape == (n_slots,)
    assert np.isin(items, busy_state.live_items).all()


def test_all_policies_get_the_same_slots_on_paired_seeds(monkeypatch):
    """The layout stream alone decides who is online and which channel fills each slot."""
    society = make_society()
    seen: dict[str, list] = {}
    original = feeds.layout

    def recording(model):
        users, channels = original(model)
        seen.setdefault(model.policy.name, []).append((users.copy(), channels.copy()))
        return users, channels

    monkeypatch.setattr(feeds, "layout", recording)
    for name in POLICIES:
        model = PlatformModel(society, policy=policy_named(name), create_agents=False, **streams())
        for _ in range(3):
            model.step()
    reference = seen["baseline"]
    for name, days in seen.items():
        for (users, channels), (ref_users, ref_channels) in zip(days, reference):
            np.testing.assert_array_equal(users, ref_users)  # same budget, same users
            if name != "peer_only":
                np.testing.assert_array_equal(channels, ref_channels)
            else:
                assert not (channels == DISCOVERY).any()


def test_peer_only_has_no_discovery_views_and_keeps_the_budget(society):
    model = make_model(society, policy=PeerOnly())
    for _ in range(5):
        model.step()
    assert model.views_by_channel[DISCOVERY] == 0
    assert model.views_by_channel.sum() > 0
    with pytest.raises(ConfigError, match="no discovery feed"):
        PeerOnly(subsidy_share=0.1)


def test_with_peer_only_and_no_weak_ties_shares_never_leave_the_circle():
    society = make_society(weak_tie_share=0.0)
    model = make_model(society, policy=PeerOnly())
    for _ in range(6):
        model.step()
    rows = model.exposures["channel"] == SHARE
    viewer = model.exposures.second()[rows]
    sharer = model.exposures["parent"][rows]
    assert rows.sum() > 50  # the test has something to check
    np.testing.assert_array_equal(society.circle[viewer], society.circle[sharer])


# ---------------------------------------------------------------- decentralized (D1)
@settings(max_examples=200, deadline=None)
@given(
    threshold=st.floats(1.0, 1e4),
    a=st.floats(0.0, 2.0),
    s=st.floats(0.05, 4.0),
    h1=st.floats(0.0, 1e6),
    h2=st.floats(0.0, 1e6),
)
def test_throttle_pushes_below_and_lowers_weight_monotonically_past_the_threshold(threshold, a, s, h1, h2):
    low, high = sorted((h1, h2))
    f_low, f_high = heat_factor(np.array([low, high]), threshold, a, s)
    if high <= threshold:
        assert f_high >= f_low  # popular items are pushed up to the threshold
    if low >= threshold and high > low * (1 + 1e-9):
        assert f_high < f_low  # past it, more heat means less weight: decaying...
    assert f_high > 0  # ...never cut off
    at = heat_factor(np.array([threshold * (1 - 1e-9), threshold * (1 + 1e-9)]), threshold, a, s)
    assert at[0] == pytest.approx(at[1], rel=1e-6)  # continuous at the threshold


def test_cold_start_pool_reaches_unseen_items(busy_state):
    views = busy_state.item_views.copy()
    live = busy_state.live_items
    views[live[::2]] = 10_000  # half the live items are hot, the rest unseen
    views[live[1::2]] = 0
    state = dataclasses.replace(busy_state, item_views=views)
    policy = ThrottledDecentralized(cold_start_share=0.3, cold_start_views=1)
    n = state.slot_user.size
    items = policy(state, n, rng=np.random.default_rng(2))
    unseen = np.isin(items, live[1::2]).sum()
    # At least the reserved 30% go to unseen items (the weighted draws may add more).
    assert unseen >= round(0.3 * n)


# ---------------------------------------------------------------- centralized (D3)
def test_centralized_shows_only_the_editors_top_k_and_no_repeats_per_user(busy_state):
    policy = CentralizedGatekeeper(top_k=6, head_bias=1.0)
    n = busy_state.slot_user.size
    items = policy(busy_state, n, rng=np.random.default_rng(4))
    score = policy.editorial_score(busy_state, busy_state.live_items)
    cutoff = np.sort(score)[-6]
    assert (policy.editorial_score(busy_state, items) >= cutoff).all()
    assert np.unique(items).size == 6
    for user in np.unique(busy_state.slot_user)[:50]:
        shown = items[busy_state.slot_user == user]
        assert np.unique(shown).size == shown.size  # 4 slots <= 6 items: all distinct


def test_head_bias_favours_accounts_with_followers(busy_state):
    """A direction, so checked over five seeds (paired: the same draws for both policies)."""
    n = busy_state.slot_user.size
    followers = busy_state.creator_followers[busy_state.item_creator]
    for seed in range(5):
        biased = CentralizedGatekeeper(top_k=10, head_bias=2.0)(busy_state, n, rng=np.random.default_rng(seed))
        neutral = CentralizedGatekeeper(top_k=10, head_bias=0.0)(busy_state, n, rng=np.random.default_rng(seed))
        assert followers[biased].mean() > followers[neutral].mean(), seed


def test_popularity_weight_grows_with_views(busy_state):
    policy = CumulativeAdvantage()
    items = busy_state.live_items[:2]
    views = busy_state.item_views.copy()
    appeal = busy_state.item_appeal.copy()
    appeal[items] = 0.5
    views[items] = [1, 99]
    state = dataclasses.replace(busy_state, item_views=views, item_appeal=appeal)
    w = policy.weights(state, items)
    assert w[1] / w[0] == pytest.approx(100 / 2)


# ---------------------------------------------------------------- inclusive (D4)
@settings(max_examples=200, deadline=None)
@given(levels=st.lists(st.floats(0, 1e4), min_size=1, max_size=40), amount=st.floats(0, 1e5))
def test_water_fill_spends_the_amount_and_raises_the_lowest_first(levels, amount):
    levels = np.array(levels)
    x = water_fill(levels, amount)
    assert (x >= 0).all()
    assert x.sum() == pytest.approx(amount, rel=1e-9, abs=1e-6)
    after = levels + x
    filled = x > 1e-9
    if filled.any():
        level = after[filled].max()
        assert np.allclose(after[filled], level, rtol=1e-9, atol=1e-6)  # one common water level
        assert (levels[~filled] >= level - 1e-6).all()  # nobody left below it


def test_inclusive_plan_meets_the_gini_cap_when_it_can(busy_state):
    n = busy_state.slot_user.size
    for cap in (0.2, 0.35, 0.6):
        policy = FairShareInclusive(gini_cap=cap)
        creators, planned, mix = policy.plan(busy_state, n)
        total = busy_state.creator_views[busy_state.creators].astype(float)
        total[np.searchsorted(busy_state.creators, creators)] += planned
        assert planned.sum() == pytest.approx(n)
        if mix < 1.0:
            assert gini(total) <= cap + 1e-6
    # A looser cap never needs more levelling than a tighter one.
    mixes = [FairShareInclusive(gini_cap=c).plan(busy_state, n)[2] for c in (0.2, 0.35, 0.6, 1.0)]
    assert mixes == sorted(mixes, reverse=True) and mixes[-1] == 0.0


# ---------------------------------------------------------------- subsidy (R3)
def test_subsidy_reserves_its_share_for_poor_region_products(busy_state):
    live = busy_state.live_items
    poor_products = live[busy_state.item_product[live] & busy_state.creator_poor[busy_state.item_creator[live]]]
    assert poor_products.size  # the fixture has some
    n = busy_state.slot_user.size
    items = CentralizedGatekeeper(top_k=5, subsidy_share=0.2)(busy_state, n, rng=np.random.default_rng(3))
    assert np.isin(items, poor_products).sum() >= round(0.2 * n)


def test_zero_subsidy_changes_nothing(busy_state):
    """With subsidy_share = 0 the policy's call is its own allocation: no slot is set aside and
    no draw is spent on choosing subsidised slots (same generator state, same items). A small
    subsidy does change the feed, so the comparison can tell."""
    n = busy_state.slot_user.size
    policy = ThrottledDecentralized(subsidy_share=0.0)
    own = policy.allocate(busy_state, n, rng=np.random.default_rng(9))
    np.testing.assert_array_equal(policy(busy_state, n, rng=np.random.default_rng(9)), own)
    subsidised = ThrottledDecentralized(subsidy_share=0.05)(busy_state, n, rng=np.random.default_rng(9))
    assert not np.array_equal(subsidised, own)


def test_subsidy_without_poor_products_falls_back_to_the_policy(busy_state):
    state = dataclasses.replace(busy_state, creator_poor=np.zeros_like(busy_state.creator_poor))
    n = state.slot_user.size
    a = CumulativeAdvantage(subsidy_share=0.5)(state, n, rng=np.random.default_rng(5))
    b = CumulativeAdvantage()(state, n, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: CentralizedGatekeeper(top_k=0), "top_k"),
        (lambda: CentralizedGatekeeper(head_bias=-1), "head_bias"),
        (lambda: ThrottledDecentralized(heat_threshold=0), "heat_threshold"),
        (lambda: FairShareInclusive(gini_cap=1.5), "gini_cap"),
        (lambda: CumulativeAdvantage(prior_views=0), "prior_views"),
        (lambda: CumulativeAdvantage(subsidy_share=2), "subsidy_share"),
    ],
)
def test_bad_policy_arguments_name_the_key(make, message):
    with pytest.raises(ConfigError, match=message):
        make()
