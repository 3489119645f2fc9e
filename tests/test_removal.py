"""Removing users and accounts (D5): orders, the damaged society, the giant component."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest

from conftest import make_model, make_society
from diffusion.errors import ConfigError
from diffusion.networks import REMOVAL_RULES, giant_component_share, remove, removal_order, society_from_graph


def star_society(n: int = 50):
    graph = ig.Graph.Star(n)  # vertex 0 is the hub
    return society_from_graph(graph, rng=np.random.default_rng(0), circle=np.zeros(n, dtype=int))


def test_removing_the_hub_of_a_star_by_degree_or_betweenness_shatters_it():
    society = star_society(50)
    for rule in ("degree", "betweenness"):
        assert removal_order(society, rule, rng=np.random.default_rng(1))[0] == 0
        damaged = remove(society, 1 / 50, rule, rng=np.random.default_rng(1))
        assert giant_component_share(damaged) == pytest.approx(1 / 50)  # every leaf is alone
    assert giant_component_share(society) == 1.0


def test_random_removal_of_a_path_keeps_the_expected_giant_on_average():
    """On a path, removing one uniformly random node leaves a largest piece of expected size
    sum_k max(k, n-1-k) / n; compare the mean over many draws within 4 standard errors."""
    n = 21
    society = society_from_graph(ig.Graph.Lattice([n], circular=False), rng=np.random.default_rng(0),
                                 circle=np.zeros(n, dtype=int))
    draws = np.array([giant_component_share(remove(society, 1 / n, "random", rng=np.random.default_rng(s))) * n
                      for s in range(400)])
    expected = np.mean([max(k, n - 1 - k) for k in range(n)])
    assert abs(draws.mean() - expected) < 4 * draws.std(ddof=1) / np.sqrt(draws.size)


def test_orders_are_nested_and_followers_rule_takes_the_biggest_accounts_first():
    society = make_society(creator_share=0.1)
    order = removal_order(society, "followers", rng=np.random.default_rng(2))
    followers = society.follower_counts()
    assert (np.diff(followers[order]) <= 0).all()
    small = remove(society, 0.1, "followers", rng=np.random.default_rng(2))
    large = remove(society, 0.3, "followers", rng=np.random.default_rng(2))
    assert (small.removed <= large.removed).all()  # nested: the 10% are inside the 30%


@pytest.mark.parametrize("rule", REMOVAL_RULES)
def test_removed_users_have_no_ties_follows_or_posts_and_never_come_online(rule):
    society = make_society(creator_share=0.4)  # creators remain even when the biggest go first
    damaged = remove(society, 0.25, rule, rng=np.random.default_rng(3))
    gone = np.flatnonzero(damaged.removed)
    assert gone.size == round(0.25 * society.n_users)
    assert not np.isin(damaged.edge_source, gone).any() and not np.isin(damaged.edge_target, gone).any()
    assert damaged.graph.ecount() == damaged.edge_source.size == damaged.csr.indices.size // 2
    assert not np.isin(damaged.follow_source, gone).any() and not np.isin(damaged.follow_target, gone).any()
    assert not np.isin(damaged.creators, gone).any()
    model = make_model(damaged)
    for _ in range(3):
        model.step()
    assert not np.isin(model.items.creator, gone).any()
    assert model.creator_views[gone].sum() == 0
    assert model.exposures.second().size and not np.isin(model.exposures.second(), gone).any()


def test_unknown_rule_is_a_clear_error():
    with pytest.raises(ConfigError, match="removal_rule='pagerank'.*random, followers"):
        removal_order(make_society(), "pagerank", rng=np.random.default_rng(0))
