"""Classic models against theory and known results.

Tolerances come from sampling error: with R independent runs, a mean is compared with its
expected value within k = 4 standard errors (two-sided false alarm probability about 6e-5
per check under a normal approximation); seeds are fixed, so the tests are deterministic.
"""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest
from scipy.optimize import brentq

from diffusion.contagion import complex_contagion, independent_cascade, linear_threshold, sir
from diffusion.networks import to_csr
from diffusion.rng import igraph_rng

K = 4.0  # standard errors allowed

pytestmark = pytest.mark.validation


def er_graph(n: int, mean_degree: float, seed: int) -> ig.Graph:
    with igraph_rng(np.random.default_rng(seed)):
        return ig.Graph.Erdos_Renyi(n=n, m=int(n * mean_degree / 2))


def test_independent_cascade_equals_bond_percolation_in_distribution():
    """IC final size from one seed ~ size of the seed's component after keeping each edge w.p. p.

    R = 3000 runs each; compare means within K * sqrt(var_ic / R + var_perc / R), and the
    probability of reaching at least 20 nodes within K * sqrt(q1(1-q1)/R + q2(1-q2)/R).
    """
    graph, p, runs = er_graph(300, 3.0, seed=1), 0.35, 3000
    csr = to_csr(graph)
    rng = np.random.default_rng(2)
    ic = np.array([independent_cascade(csr, [0], p=p, rng=rng).size for _ in range(runs)])
    edges = np.array(graph.get_edgelist())
    perc = np.empty(runs)
    for r in range(runs):
        kept = edges[rng.random(len(edges)) < p]
        sub = ig.Graph(n=graph.vcount(), edges=kept.tolist())
        perc[r] = len(sub.subcomponent(0))
    se = np.sqrt(ic.var(ddof=1) / runs + perc.var(ddof=1) / runs)
    assert abs(ic.mean() - perc.mean()) < K * se
    q1, q2 = (ic >= 20).mean(), (perc >= 20).mean()
    assert abs(q1 - q2) < K * np.sqrt(q1 * (1 - q1) / runs + q2 * (1 - q2) / runs) + 1e-12


def test_independent_cascade_on_a_path_reaches_distance_d_with_probability_p_to_the_d():
    """P(node at distance d active) = p**d; binomial SE sqrt(p^d (1-p^d) / R)."""
    graph, p, runs = ig.Graph(n=6, edges=[(i, i + 1) for i in range(5)]), 0.6, 4000
    rng = np.random.default_rng(3)
    active = np.array([independent_cascade(graph, [0], p=p, rng=rng).active for _ in range(runs)])
    for d in range(1, 6):
        expected = p**d
        assert abs(active[:, d].mean() - expected) < K * np.sqrt(expected * (1 - expected) / runs)


def test_per_edge_probabilities_follow_edge_ids():
    graph = ig.Graph(n=3, edges=[(0, 1), (0, 2)])
    result = independent_cascade(graph, [0], p=np.array([1.0, 0.0]), rng=np.random.default_rng(0))
    assert result.active.tolist() == [True, True, False]
    assert result.parent.tolist() == [-1, 0, -1]


def _newman_final_size(mean_degree: float, transmissibility: float) -> float:
    """Poisson degrees: G0(x) = G1(x) = exp(c (x - 1)); u = 1 - T + T G1(u); S = 1 - G0(u)."""
    c, t = mean_degree, transmissibility
    u = brentq(lambda x: 1 - t + t * np.exp(c * (x - 1)) - x, 0.0, 1 - 1e-9)
    return 1 - np.exp(c * (u - 1))


def _outbreak_probability(mean_degree: float, p_transmit: float, p_recover: float) -> float:
    """Probability that one random seed starts a large SIR outbreak on a Poisson random graph.

    With a geometric infectious period the edges of one infected node are not independent:
    all depend on how long it stays infectious. Given D = d transmission chances (P(D = d) =
    gamma (1 - gamma)^(d-1)) each edge transmits with tau_d = 1 - (1 - beta)^d. The
    probability v that the branch below an infected neighbour dies out solves
    v = E_D[G1(1 - tau_D + tau_D v)], and the seed's outbreak dies out with probability
    E_D[G0(1 - tau_D + tau_D v)]; for Poisson degrees G0 = G1 = exp(c (x - 1)), so the
    outbreak probability is 1 - v (Kenah & Robins 2007, doi:10.1103/PhysRevE.76.036113;
    Miller 2007, doi:10.1103/PhysRevE.76.010101). It equals the final size only when every
    infected node transmits independently along each edge (a fixed infectious period).
    """
    c, beta, gamma = mean_degree, p_transmit, p_recover
    d = np.arange(1, 2000)
    weight = gamma * (1 - gamma) ** (d - 1)
    tau = 1 - (1 - beta) ** d
    v = brentq(lambda x: float(np.sum(weight * np.exp(c * tau * (x - 1)))) - x, 0.0, 1 - 1e-9)
    return 1 - v


def test_sir_final_size_and_outbreak_probability_match_theory():
    """Large outbreaks on a Poisson random graph (n = 20,000, c = 4), R = 2,000 random seeds.

    beta = 0.3, gamma = 0.5 give T = beta / (beta + gamma - beta gamma) = 0.4615 and a final
    size S = 1 - G0(u) = 0.7492 (u = 1 - T + T G1(u)). Outbreaks above 5% of nodes are large
    (the sizes are bimodal: none falls between 0.1% and 73% here). Their mean attack rate must
    lie within K standard errors of S, plus 0.01 for finite size (the giant component of
    n = 20,000 differs from the n -> infinity limit by O(n^-1/2)).

    The share of large outbreaks estimates the outbreak probability P = 0.6834
    (:func:`_outbreak_probability`), not S: its binomial standard error over R = 2,000 runs is
    sqrt(0.6834 x 0.3166 / 2000) = 0.0104, so the band is K x 0.0104 + 0.01 (finite size) =
    0.0516 around P. S lies 0.0658 = 6.3 standard errors away, outside the band: a kernel
    whose outbreaks followed S would fail with probability about Phi(1.4) = 0.92. With the
    40 runs this test used before, the band was +-0.29 and could not tell the two apart.
    """
    n, c, beta, gamma, runs = 20_000, 4.0, 0.3, 0.5, 2000
    graph = er_graph(n, c, seed=4)
    csr = to_csr(graph)
    rng = np.random.default_rng(5)
    sizes = np.array([sir(csr, [int(rng.integers(n))], p_transmit=beta, p_recover=gamma, rng=rng).size for _ in range(runs)]) / n
    large = sizes[sizes > 0.05]
    final_size = _newman_final_size(c, beta / (beta + gamma - beta * gamma))
    se = large.std(ddof=1) / np.sqrt(large.size)
    assert abs(large.mean() - final_size) < K * se + 0.01
    outbreak = _outbreak_probability(c, beta, gamma)
    assert outbreak == pytest.approx(0.6834, abs=5e-4)  # the value quoted in issue 24
    band = K * np.sqrt(outbreak * (1 - outbreak) / runs) + 0.01
    assert band < final_size - outbreak  # the test can tell the two theories apart
    share = large.size / runs
    assert abs(share - outbreak) < band


def test_outbreak_probability_equals_final_size_when_every_infected_node_transmits_once():
    """gamma = 1: one transmission chance each, edges independent, so P = S (Newman 2002)."""
    beta, c = 0.4, 3.0
    assert _outbreak_probability(c, beta, 1.0) == pytest.approx(_newman_final_size(c, beta), abs=1e-9)


def test_sir_with_certain_transmission_and_recovery_after_one_step_is_breadth_first_search():
    graph = er_graph(500, 3.0, seed=6)
    result = sir(graph, [0], p_transmit=1.0, p_recover=1.0, rng=np.random.default_rng(0))
    distances = np.array(graph.distances(source=0)[0], dtype=float)
    reachable = np.isfinite(distances)
    assert np.array_equal(result.infection_step[reachable], distances[reachable].astype(int))
    assert np.all(result.infection_step[~reachable] == -1)
    assert np.all(result.recovery_step[reachable] == result.infection_step[reachable] + 1)


def test_complex_contagion_spreads_on_a_ring_lattice_but_stalls_after_rewiring():
    """Centola & Macy (2007): threshold 2 on a ring with k = 4 from two adjacent seeds covers
    the ring; on a fully rewired graph of the same degree it dies out almost at once.

    The bound 50 (10% of the nodes) is not a sampling tolerance: on a random 4-regular graph a
    third node adopts only if it neighbours both seeds, i.e. closes a triangle with them, which
    has probability about (k - 1)^2 / n = 9/500 per seed pair, and each adoption needs another
    such short cycle; 20 seed pairs therefore reach a handful of nodes at most, against 500 on
    the ring."""
    ring = ig.Graph.Lattice([500], circular=True, nei=2)
    assert complex_contagion(ring, [0, 1], threshold=2, rng=np.random.default_rng(0)).size == 500
    with igraph_rng(np.random.default_rng(7)):
        rewired = ig.Graph.Degree_Sequence([4] * 500, method="vl")
    sizes = [complex_contagion(rewired, [s, rewired.neighbors(s)[0]], threshold=2, rng=np.random.default_rng(s)).size for s in range(0, 500, 25)]
    assert max(sizes) < 50


def test_threshold_one_is_reachability_and_zero_thresholds_fill_the_component():
    graph = er_graph(400, 1.5, seed=8)
    component = set(graph.subcomponent(3))
    cc = complex_contagion(graph, [3], threshold=1, rng=np.random.default_rng(0))
    assert set(np.flatnonzero(cc.active)) == component
    lt = linear_threshold(graph, [3], thresholds=0.0, rng=np.random.default_rng(0))
    assert set(np.flatnonzero(lt.active)) >= component


def test_watts_threshold_on_a_star():
    """Leaves of a star seeded at the centre have one neighbour: any threshold <= 1 tips them."""
    star = ig.Graph.Star(6)
    result = linear_threshold(star, [0], thresholds=0.9, rng=np.random.default_rng(0))
    assert result.activation_step.tolist() == [0, 1, 1, 1, 1, 1]
    # Seeding one leaf: the centre needs 1/5 of its neighbours active.
    assert linear_threshold(star, [1], thresholds=0.2, rng=np.random.default_rng(0)).size == 6
    assert linear_threshold(star, [1], thresholds=0.25, rng=np.random.default_rng(0)).size == 1
