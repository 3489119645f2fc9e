"""Invariants of the kernels and cascade metrics on random small graphs (hypothesis)."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffusion.contagion import complex_contagion, independent_cascade, linear_threshold, sir
from diffusion.errors import ConfigError
from diffusion.metrics.cascades import cascade_depth, structural_virality, tree_depth
from diffusion.rng import igraph_rng

pytestmark = pytest.mark.property


@st.composite
def graphs(draw):
    n = draw(st.integers(2, 60))
    m = draw(st.integers(0, min(3 * n, n * (n - 1) // 2)))
    seed = draw(st.integers(0, 2**32 - 1))
    with igraph_rng(np.random.default_rng(seed)):
        graph = ig.Graph.Erdos_Renyi(n=n, m=m)
    seeds = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3))
    return graph, seeds, seed


KERNELS = {
    "ic": lambda g, s, rng: independent_cascade(g, s, p=0.4, rng=rng),
    "lt": lambda g, s, rng: linear_threshold(g, s, rng=rng),
    "cc": lambda g, s, rng: complex_contagion(g, s, threshold=2, rng=rng),
    "sir": lambda g, s, rng: sir(g, s, p_transmit=0.5, p_recover=0.3, rng=rng),
}


@settings(max_examples=40, deadline=None)
@given(case=graphs(), kernel=st.sampled_from(sorted(KERNELS)))
def test_cascade_trees_are_consistent(case, kernel):
    graph, seeds, seed = case
    result = KERNELS[kernel](graph, seeds, np.random.default_rng(seed))
    again = KERNELS[kernel](graph, seeds, np.random.default_rng(seed))
    assert np.array_equal(result.activation_step, again.activation_step)  # deterministic
    step, parent = result.activation_step, result.parent
    assert np.all(step[np.unique(seeds)] == 0)
    child = parent >= 0
    assert np.all(step[child] > step[parent[child]])  # parents come first
    assert all(graph.are_adjacent(int(c), int(p)) for c, p in zip(np.flatnonzero(child), parent[child]))
    assert np.all((step > 0) <= child) or kernel == "lt"  # every non-seed activation has a parent
    # Reach never decreases over steps (cumulative activations are monotone by construction).
    counts = np.bincount(step[step >= 0])
    assert np.all(np.cumsum(counts) >= 1)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 40))
def test_structural_virality_of_star_and_path(n):
    star_parent = np.array([-1] + [0] * (n - 1))
    star_step = np.array([0] + [1] * (n - 1))
    assert structural_virality(star_parent, star_step)[0] == pytest.approx(2 * (n - 1) / n)
    path_parent = np.arange(-1, n - 1)
    path_step = np.arange(n)
    assert structural_virality(path_parent, path_step)[0] == pytest.approx((n + 1) / 3)
    assert cascade_depth(path_parent, path_step) == n - 1
    assert tree_depth(star_parent, star_step).max() == 1


def test_structural_virality_of_a_forest_is_per_tree_and_nan_for_singletons():
    parent = np.array([-1, 0, 0, -1, -1, 4])
    step = np.array([0, 1, 1, 0, 0, 1])
    sv = structural_virality(parent, step)
    assert sv[0] == pytest.approx(4 / 3) and np.isnan(sv[1]) and sv[2] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "call",
    [
        lambda g: independent_cascade(g, [0], p=1.5, rng=np.random.default_rng(0)),
        lambda g: independent_cascade(g, [99], p=0.5, rng=np.random.default_rng(0)),
        lambda g: complex_contagion(g, [0], threshold=0, rng=np.random.default_rng(0)),
        lambda g: sir(g, [0], p_transmit=0.5, p_recover=-1, rng=np.random.default_rng(0)),
    ],
)
def test_bad_arguments_raise_config_errors(call):
    with pytest.raises(ConfigError):
        call(ig.Graph.Ring(5))
