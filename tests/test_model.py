"""Unit and property tests of the Mesa platform model."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import make_model, make_society

from diffusion.agents import Creator, User
from diffusion.params import BehaviourParams, PlatformParams
from diffusion.policies import AppealWeighted, ExposurePolicy


def run(model, n_steps=12):
    for _ in range(n_steps):
        model.step()
    return model


def test_one_agent_per_user_on_its_vertex(model, society):
    assert len(model.agents) == society.n_users
    creators = model.agents_by_type[Creator]
    assert len(creators) == society.creators.size
    assert sorted(a.vertex for a in model.agents) == list(range(society.n_users))
    assert all(model.is_creator[a.vertex] for a in creators)
    assert all(not model.is_creator[a.vertex] for a in model.agents_by_type[User])


def test_same_seeds_give_identical_runs(society):
    a, b = run(make_model(society, seed=3)), run(make_model(society, seed=3))
    pd.testing.assert_frame_equal(
        a.datacollector.get_model_vars_dataframe(), b.datacollector.get_model_vars_dataframe()
    )
    pd.testing.assert_frame_equal(a.finish(), b.finish())
    c = run(make_model(society, seed=4))
    assert not a.datacollector.get_model_vars_dataframe().equals(c.datacollector.get_model_vars_dataframe())


def test_state_stays_within_bounds(model):
    run(model)
    trust = model.relations["trust"]
    assert np.all((trust >= 0) & (trust <= 1))
    assert np.all(model.follower_count >= 0)
    assert model.follower_count.sum() == model.relations["following"].sum()
    assert np.all(model.exposures["n_sources"] >= 1)
    assert np.all(model.items.views <= model.n_users)
    # A viewer's parent (the tie whose share they saw) is one of their ties.
    rows = np.flatnonzero(model.exposures["parent"] >= 0)
    users, parents = model.exposures.second()[rows], model.exposures["parent"][rows]
    graph = model.society.graph
    assert all(graph.are_adjacent(int(u), int(p)) for u, p in zip(users[:200], parents[:200]))


def test_reach_and_purchases_never_decrease(model):
    run(model)
    frame = model.datacollector.get_model_vars_dataframe()
    for column in ("campaign_reach_share", "campaign_purchase_share", "views_total"):
        assert frame[column].is_monotonic_increasing


def test_cascade_records_account_for_every_view(model):
    run(model)
    cascades = model.finish()
    assert cascades["item"].is_unique
    assert set(cascades["item"]) == set(range(len(model.items)))
    by_item = cascades.set_index("item")
    assert np.array_equal(by_item.loc[np.arange(len(model.items)), "size"].to_numpy(), model.items.views)
    assert (cascades["peer_size"] <= cascades["size"]).all()
    grown = cascades[cascades["size"] >= 2]
    assert (grown["structural_virality"] >= 1).all()


def test_no_weak_ties_means_no_share_crosses_a_circle():
    society = make_society(weak_tie_share=0.0, seed=2)
    model = run(make_model(society, seed=8))
    assert model.views_by_channel[0] > 0  # shares did happen
    assert model.share_views_cross_circle == 0
    assert model.peer_deliveries[1] == 0


class CountingPolicy(ExposurePolicy):
    """Records the slot counts it is asked to fill (to check the impression budget)."""

    name = "counting"

    def __init__(self) -> None:
        self.requests: list[int] = []
        self.inner = AppealWeighted()

    def allocate(self, state, n_slots, *, rng):
        self.requests.append(n_slots)
        return self.inner.allocate(state, n_slots, rng=rng)


def test_policy_fills_exactly_the_discovery_budget(society):
    policy = CountingPolicy()
    model = run(make_model(society, policy=policy), n_steps=5)
    assert len(policy.requests) == 5
    p = model.platform
    # Each user is online with probability a, then each of its f slots is a discovery slot with
    # probability q: per user and day X = Bernoulli(a) x Binomial(f, q), so E X = a f q and
    # Var X = a f q (1 - q) + a (1 - a) (f q)^2. At a = 0.6, f = 8, q = 0.5 and 800 users:
    # mean 1,920 a day and variance 800 (1.2 + 3.84) = 4,032; over 5 independent days the
    # standard deviation is sqrt(5 x 4,032) = 142 (a Poisson sd, sqrt(5 x 1,920) = 98, would
    # understate it). Tolerance K = 4 standard deviations.
    a, f, q = model.behaviour.p_active, p.feed_size, p.discovery_weight / p.channel_weights_total()
    expected = society.n_users * a * f * q
    sd = np.sqrt(5 * society.n_users * (a * f * q * (1 - q) + a * (1 - a) * (f * q) ** 2))
    assert abs(sum(policy.requests) - 5 * expected) < 4 * sd


def test_a_policy_that_overspends_is_refused(society):
    class Greedy(ExposurePolicy):
        def allocate(self, state, n_slots, *, rng):
            return np.repeat(state.live_items[:1], n_slots + 1)

    model = make_model(society, policy=Greedy())
    with pytest.raises(RuntimeError, match="exactly the slots"):
        model.step()


def test_too_many_users_for_32_bit_ids_is_refused(society, monkeypatch):
    import diffusion.model
    from diffusion.errors import ConfigError

    monkeypatch.setattr(diffusion.model, "MAX_USERS", society.n_users - 1)
    with pytest.raises(ConfigError, match=f"has {society.n_users:,} users.*at most"):
        make_model(society)


def test_trust_route_only_purchases_when_reinforcement_is_impossible(society):
    """With reinforcement out of reach every purchase must come through the trust route."""
    behaviour = BehaviourParams(reinforcement=1000)
    model = run(make_model(society, behaviour=behaviour))
    buyers = model.n_purchases > 0
    assert buyers.any()
    assert model.last_purchase_trusted[buyers].all()


def test_without_feed_nothing_is_seen():
    society = make_society(n_users=300, seed=1)
    model = run(make_model(society, platform=PlatformParams(feed_size=0)), n_steps=4)
    assert model.views_by_channel.sum() == 0


def test_agents_read_model_state(model):
    run(model, n_steps=6)
    creator = model.agent_of(int(model.creators[0]))
    assert creator.n_followers == model.follower_count[creator.vertex]
    user = model.agent_of(int(np.flatnonzero(~model.is_creator)[0]))
    for c in user.following:
        assert 0 <= user.trust_in(int(c)) <= 1
    assert set(user.ties.tolist()) == set(model.society.graph.neighbors(user.vertex))


def test_params_are_not_modified(society):
    behaviour = BehaviourParams()
    before = dataclasses.asdict(behaviour)
    run(make_model(society, behaviour=behaviour), n_steps=3)
    assert dataclasses.asdict(behaviour) == before


def test_a_released_model_is_freed(society):
    """Mesa 3 keeps every model that created agents in a class-level dict (Agent._ids); the
    runner releases it after each run, or a worker's memory grows with every run."""
    import gc
    import weakref

    model = run(make_model(society), n_steps=2)
    model.release()
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None
