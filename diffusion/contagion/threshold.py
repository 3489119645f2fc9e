"""Threshold models: linear/fractional threshold (Watts 2002) and absolute threshold (Centola & Macy 2007)."""

from __future__ import annotations

import numpy as np

from diffusion.contagion._frontier import first_arrivals, neighbour_entries
from diffusion.contagion.result import CascadeResult, check_probability, check_seeds
from diffusion.errors import ConfigError
from diffusion.networks.csr import CSR, to_csr


def _run_threshold(
    csr: CSR,
    seeds: np.ndarray,
    pressure_per_entry: np.ndarray | float,
    needed: np.ndarray,
    rng: np.random.Generator,
    max_steps: int | None,
) -> CascadeResult:
    """Synchronous threshold dynamics: a node activates once the pressure from active
    neighbours reaches ``needed``. Pressure is added incrementally as the frontier grows."""
    n = csr.n_nodes
    step = np.full(n, -1, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    pressure = np.zeros(n, dtype=np.float64)
    step[seeds] = 0
    frontier, t, trials = seeds, 0, 0
    # Nodes whose threshold is already met with no active neighbour (threshold <= 0) join at step 1.
    while max_steps is None or t < max_steps:
        entries, owner = neighbour_entries(csr, frontier)
        trials += entries.size
        targets = csr.indices[entries]
        weights = pressure_per_entry if np.isscalar(pressure_per_entry) else pressure_per_entry[entries]
        np.add.at(pressure, targets, weights)
        inactive = step < 0
        # tolerance guards against rounding in sums of fractions (e.g. 3 * (1/3) < 1)
        fresh = np.flatnonzero(inactive & (pressure >= needed - 1e-12))
        if fresh.size == 0:
            break
        t += 1
        step[fresh] = t
        # Parent: a neighbour in the latest active layer (the one that tipped it), at random.
        last = step[targets] < 0
        hit = np.zeros(n, dtype=bool)
        hit[fresh] = True
        cand = hit[targets] & last
        if cand.any():
            tipped, tippers = first_arrivals(targets[cand], frontier[owner[cand]], rng=rng)
            parent[tipped] = tippers
        orphans = fresh[parent[fresh] < 0]
        if orphans.size:  # tipped by older neighbours only (possible when thresholds <= 0)
            parent[orphans] = _any_active_neighbour(csr, orphans, step, t, rng)
        frontier = fresh
    return CascadeResult(activation_step=step, parent=parent, n_edge_trials=trials)


def _any_active_neighbour(csr: CSR, nodes: np.ndarray, step: np.ndarray, t: int, rng: np.random.Generator) -> np.ndarray:
    entries, owner = neighbour_entries(csr, nodes)
    neighbours = csr.indices[entries]
    ok = (step[neighbours] >= 0) & (step[neighbours] < t)
    result = np.full(nodes.size, -1, dtype=np.int64)
    positions, chosen = first_arrivals(owner[ok], neighbours[ok], rng=rng)
    result[positions] = chosen
    return result


def linear_threshold(
    graph,
    seeds,
    *,
    thresholds: float | np.ndarray | None = None,
    weights: np.ndarray | str | None = None,
    rng: np.random.Generator,
    max_steps: int | None = None,
) -> CascadeResult:
    """Linear (fractional) threshold model.

    A node activates when the weighted fraction of its active in-neighbours reaches its
    threshold; updates are synchronous. Unweighted with a common threshold φ this is Watts'
    (2002) global-cascade model; with weights and thresholds drawn U(0, 1) per node
    (``thresholds=None``) it is the linear threshold model of Kempe et al. (2003).

    Parameters
    ----------
    graph : igraph.Graph or CSR
    seeds : array of int
    thresholds : float, array or None
        Common threshold, one per node, or None to draw each U(0, 1) from ``rng``.
    weights : array (per igraph edge id), edge attribute name, or None
        Edge weights; each node's incoming weights are normalised to sum to 1.
    rng : numpy.random.Generator
        Thresholds (when drawn) and the choice of parent among the tipping neighbours.
    max_steps : int, optional

    Returns
    -------
    CascadeResult
        Parent = a neighbour activated in the step just before (one that tipped the node).

    Notes
    -----
    Pressure is accumulated incrementally from each newly active layer: O(sum of degrees of
    activated nodes) in total.

    References
    ----------
    .. [1] Watts, D. J. (2002). A simple model of global cascades on random networks. PNAS
       99(9), 5766-5771. doi:10.1073/pnas.082090499
    .. [2] Kempe, D., Kleinberg, J., Tardos, É. (2003). doi:10.1145/956750.956769
    """
    csr = to_csr(graph)
    seeds = check_seeds(seeds, csr.n_nodes)
    if thresholds is None:
        needed = rng.random(csr.n_nodes)
    else:
        check_probability("thresholds", thresholds)
        needed = np.broadcast_to(np.asarray(thresholds, dtype=np.float64), (csr.n_nodes,)).copy()
    if weights is None:
        w = np.ones(csr.n_entries)
    else:
        if isinstance(weights, str):
            weights = np.asarray(graph.es[weights], dtype=np.float64)
        w = np.asarray(weights, dtype=np.float64)[csr.edge_ids]
        if np.any(w < 0):
            raise ConfigError("linear_threshold weights must be non-negative.")
    # Normalise by the receiver's total incoming weight (undirected: the same as outgoing).
    receiver_total = np.bincount(csr.indices, weights=w, minlength=csr.n_nodes)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_entry = np.where(receiver_total[csr.indices] > 0, w / receiver_total[csr.indices], 0.0)
    # Isolated nodes (no incoming weight) can never be tipped unless their threshold is 0.
    needed = np.where(receiver_total > 0, needed, np.where(needed <= 0, 0.0, np.inf))
    return _run_threshold(csr, seeds, per_entry, needed, rng, max_steps)


def complex_contagion(
    graph,
    seeds,
    *,
    threshold: int = 2,
    rng: np.random.Generator,
    max_steps: int | None = None,
) -> CascadeResult:
    """Absolute-threshold complex contagion (Centola & Macy 2007).

    A node activates once at least ``threshold`` distinct neighbours are active; synchronous.
    ``threshold=1`` is plain reachability (every node in the seeds' components activates).

    References
    ----------
    .. [1] Centola, D., Macy, M. (2007). Complex contagions and the weakness of long ties.
       American Journal of Sociology 113(3), 702-734. doi:10.1086/521848
    """
    if not (isinstance(threshold, int | np.integer) and threshold >= 1):
        raise ConfigError(f"threshold={threshold!r} must be a whole number of neighbours, at least 1.")
    csr = to_csr(graph)
    seeds = check_seeds(seeds, csr.n_nodes)
    needed = np.full(csr.n_nodes, float(threshold))
    return _run_threshold(csr, seeds, 1.0, needed, rng, max_steps)
