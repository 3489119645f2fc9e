"""Invariants of the kernels and cascade metrics on random small graphs (hypothesis)."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffusion.contagion import complex_contagion, independent_cascade, linear_threshold, sir, transmit
from diffusion.errors import ConfigError
from diffusion.metrics.cascades import cascade_depth, structural_virality, tree_depth
from diffusion.networks import to_csr
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
    """Every activation but a seed's has a neighbour as parent, activated earlier (every
    kernel records one, LT included: the neighbour whose activation tipped the threshold).
    IC, LT and CC are synchronous and a node changes state only after a neighbour did in the
    step before, so the parent is exactly one step older and no step in a cascade is empty.
    In SIR a node infects from the step after its infection until the step it recovers, so
    the parent's infection precedes the child's and its recovery does not."""
    graph, seeds, seed = case
    result = KERNELS[kernel](graph, seeds, np.random.default_rng(seed))
    again = KERNELS[kernel](graph, seeds, np.random.default_rng(seed))
    assert np.array_equal(result.activation_step, again.activation_step)  # deterministic
    assert np.array_equal(result.parent, again.parent)
    step, parent = result.activation_step, result.parent
    assert np.all(step[np.unique(seeds)] == 0)
    assert np.array_equal(step > 0, parent >= 0)  # exactly the non-seed activations have a parent
    child = parent >= 0
    assert all(graph.are_adjacent(int(c), int(p)) for c, p in zip(np.flatnonzero(child), parent[child]))
    if kernel == "sir":
        assert np.all(step[child] > step[parent[child]])
        assert np.all(step[child] <= result.recovery_step[parent[child]])
    else:
        assert np.all(step[child] == step[parent[child]] + 1)
        assert np.all(np.bincount(step[step >= 0]) > 0)  # no empty step before the last


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
        lambda g: sir(g, [0], p_transmit=0.5, p_recover=0, rng=np.random.default_rng(0)),
    ],
)
def test_bad_arguments_raise_config_errors(call):
    with pytest.raises(ConfigError):
        call(ig.Graph.Ring(5))


# ---- one rule, two implementations: the model's transmit() and the kernels' compiled hop

HOP_SENDERS = [0, 1, 2, 5]


def _reach_probability(graph: ig.Graph, senders: list[int], p: np.ndarray) -> np.ndarray:
    """Exact chance that each node is reached in one hop: 1 - prod over sender edges (1 - p)."""
    miss = np.ones(graph.vcount())
    for edge in graph.es:
        for a, b in ((edge.source, edge.target), (edge.target, edge.source)):
            if a in senders:
                miss[b] *= 1.0 - p[edge.index]
    return 1.0 - miss


@pytest.mark.parametrize("per_edge", [False, True], ids=["scalar p", "per-edge p"])
def test_transmit_and_the_kernels_hop_reach_each_target_with_the_exact_probability(per_edge):
    """transmit() (used by the platform model) and the compiled hop of independent_cascade
    (max_steps=1) are two implementations of the sharing rule: both must reach every target
    with probability 1 - prod(1 - p) over its sender entries. Tolerance: 4.5 binomial standard
    errors per target (over ~30 targets a false failure has probability ~2e-4; seeds fixed)."""
    with igraph_rng(np.random.default_rng(3)):
        graph = ig.Graph.Erdos_Renyi(n=40, m=120)
    csr = to_csr(graph)
    p = np.random.default_rng(4).uniform(0.05, 0.6, graph.ecount()) if per_edge else np.full(graph.ecount(), 0.3)
    exact = _reach_probability(graph, HOP_SENDERS, p)
    exact[HOP_SENDERS] = 0.0  # senders are already active for the kernel; excluded below
    runs = 4000
    rng = np.random.default_rng(5)
    via_transmit = np.zeros(graph.vcount())
    via_kernel = np.zeros(graph.vcount())
    for _ in range(runs):
        targets, _ = transmit(csr, np.array(HOP_SENDERS), p[csr.edge_ids] if per_edge else 0.3, rng=rng)
        via_transmit[np.unique(targets)] += 1
        result = independent_cascade(csr, HOP_SENDERS, p=p if per_edge else 0.3, rng=rng, max_steps=1)
        via_kernel[result.activation_step == 1] += 1
    others = np.setdiff1d(np.arange(graph.vcount()), HOP_SENDERS)
    se = np.sqrt(exact[others] * (1 - exact[others]) / runs) + 1e-12
    assert np.all(np.abs(via_transmit[others] / runs - exact[others]) <= 4.5 * se)
    assert np.all(np.abs(via_kernel[others] / runs - exact[others]) <= 4.5 * se)


@pytest.mark.parametrize("kernel", ["ic", "sir", "lt"])
def test_a_node_reached_by_several_senders_at_once_gets_a_uniform_parent(kernel):
    """Node 3 is tied to seeds 0, 1, 2 and reached by all three in step 1; its parent must be
    each with probability 1/3 (4.5 binomial standard errors over 3,000 runs, fixed seed)."""
    graph = ig.Graph([(0, 3), (1, 3), (2, 3)])
    run = {
        "ic": lambda rng: independent_cascade(graph, [0, 1, 2], p=1.0, rng=rng),
        "sir": lambda rng: sir(graph, [0, 1, 2], p_transmit=1.0, p_recover=0.5, rng=rng),
        "lt": lambda rng: linear_threshold(graph, [0, 1, 2], thresholds=0.5, rng=rng),
    }[kernel]
    rng = np.random.default_rng(11)
    runs = 3000
    parents = np.bincount([run(rng).parent[3] for _ in range(runs)], minlength=3)
    se = np.sqrt(runs * (1 / 3) * (2 / 3))
    assert np.all(np.abs(parents - runs / 3) <= 4.5 * se), parents
