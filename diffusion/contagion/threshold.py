"""Threshold models: linear/fractional threshold (Watts 2002) and absolute threshold (Centola & Macy 2007)."""

from __future__ import annotations

import functools

import numpy as np

from diffusion.contagion._frontier import first_arrivals, neighbour_entries
from diffusion.contagion.result import CascadeResult, check_probability, check_seeds
from diffusion.errors import ConfigError
from diffusion.networks.csr import CSR, to_csr

#: Slack when comparing accumulated pressure with a threshold (sums of fractions round down).
_TOLERANCE = 1e-12


def _run_threshold(
    csr: CSR,
    seeds: np.ndarray,
    entry_weight: np.ndarray | None,
    receiver_scale: np.ndarray | None,
    needed: np.ndarray,
    rng: np.random.Generator,
    max_steps: int | None,
) -> CascadeResult:
    """Synchronous threshold dynamics: a node activates once the pressure from active
    neighbours reaches ``needed``. Pressure is added incrementally as the frontier grows.

    The pressure an entry ``e`` (from an active node to ``v``) adds is ``entry_weight[e] *
    receiver_scale[v]``, either factor 1 when None; it is computed only for the entries out of
    each new layer, so a step costs O(sum of the layer's degrees), with nothing of size n or of
    size "all entries" built per step. The two passes over the layer's entries (add pressure
    and collect the nodes that cross; choose each new node's parent) are compiled with numba:
    in numpy each was a dozen gathers and scatters over the layer's entries.
    """
    n = csr.n_nodes
    step = np.full(n, -1, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    pressure = np.zeros(n, dtype=np.float64)
    best = np.full(n, np.inf)  # smallest random key per tipped node (parent choice)
    # Compact per-node flags (1 byte a node, cache-resident at 10^6 nodes) so that most entries
    # are settled without touching the 8-byte arrays: active nodes, and this step's new nodes.
    active = np.zeros(n, dtype=np.bool_)
    crossed = np.zeros(n, dtype=np.bool_)
    step[seeds] = 0
    active[seeds] = True
    # Nodes whose threshold is met with no active neighbour (threshold <= 0) join at step 1;
    # afterwards only nodes that just received pressure can cross their threshold.
    free = np.flatnonzero((needed <= _TOLERANCE) & (step < 0))
    no_values = np.empty(0, dtype=np.float64)
    push, tip = _compiled()
    frontier, t, trials = seeds, 0, 0
    while max_steps is None or t < max_steps:
        fresh, n_entries = push(
            csr.indptr, csr.indices, frontier,
            no_values if entry_weight is None else entry_weight,
            no_values if receiver_scale is None else receiver_scale,
            pressure, needed, active, crossed, _TOLERANCE,
        )
        trials += n_entries
        if t == 0 and free.size:
            extra = free[~crossed[free]]
            crossed[extra] = True
            fresh = np.concatenate([fresh, extra])
        if fresh.size == 0:
            break
        t += 1
        step[fresh] = t
        active[fresh] = True
        # Parent: a neighbour in the latest active layer (the one that tipped it), at random.
        tip(csr.indptr, csr.indices, frontier, rng.random(n_entries), crossed, parent, best)
        crossed[fresh] = False
        orphans = fresh[parent[fresh] < 0]
        if orphans.size:  # tipped by older neighbours only (possible when thresholds <= 0)
            parent[orphans] = _any_active_neighbour(csr, orphans, step, t, rng)
        frontier = fresh
    return CascadeResult(activation_step=step, parent=parent, n_edge_trials=trials)


@functools.cache
def _compiled():
    """The two compiled passes of a threshold step (numba is imported on first use)."""
    import numba

    @numba.njit(
        "Tuple((int64[:], int64))(int64[:], int64[:], int64[:], float64[:], float64[:], float64[:], float64[:], "
        "boolean[:], boolean[:], float64)",
        cache=True, nogil=True,
    )
    def push(indptr, indices, frontier, entry_weight, receiver_scale, pressure, needed, active, crossed, tolerance):
        """Add the pressure of every entry out of ``frontier``; return the distinct inactive
        nodes that reach their threshold (flagged in ``crossed``) and the entries examined."""
        weighted, scaled = entry_weight.size > 0, receiver_scale.size > 0
        fresh = np.empty(64, dtype=np.int64)
        n_fresh, n_entries = 0, 0
        for f in frontier:
            for e in range(indptr[f], indptr[f + 1]):
                v = indices[e]
                n_entries += 1
                if active[v]:
                    continue
                w = entry_weight[e] if weighted else 1.0
                pressure[v] += w * receiver_scale[v] if scaled else w
                # tolerance guards against rounding in sums of fractions (e.g. 3 * (1/3) < 1)
                if not crossed[v] and pressure[v] >= needed[v] - tolerance:
                    crossed[v] = True
                    if n_fresh == fresh.size:
                        grown = np.empty(2 * fresh.size, dtype=np.int64)
                        grown[:n_fresh] = fresh
                        fresh = grown
                    fresh[n_fresh] = v
                    n_fresh += 1
        return fresh[:n_fresh].copy(), n_entries

    @numba.njit(
        "void(int64[:], int64[:], int64[:], float64[:], boolean[:], int64[:], float64[:])", cache=True, nogil=True
    )
    def tip(indptr, indices, frontier, keys, crossed, parent, best):
        """Give every node activated this step (flagged in ``crossed``) a parent drawn uniformly
        among its neighbours in ``frontier`` (smallest of the entries' random keys)."""
        k = 0
        for f in frontier:
            for e in range(indptr[f], indptr[f + 1]):
                v = indices[e]
                if crossed[v] and keys[k] < best[v]:
                    best[v] = keys[k]
                    parent[v] = f
                k += 1
        for f in frontier:  # leave best all inf for the next step
            for e in range(indptr[f], indptr[f + 1]):
                if crossed[indices[e]]:
                    best[indices[e]] = np.inf

    return push, tip


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
    Pressure is accumulated incrementally from each newly active layer: O(n) once to set up,
    then O(sum of degrees of activated nodes) in total (only nodes that just received pressure
    are tested against their thresholds).

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
        w = None
        # receiver's total incoming weight = its in-degree (undirected: its degree)
        receiver_total = np.bincount(csr.indices, minlength=csr.n_nodes).astype(np.float64) if csr.directed else csr.degree().astype(np.float64)
    else:
        if isinstance(weights, str):
            weights = np.asarray(graph.es[weights], dtype=np.float64)
        w = np.asarray(weights, dtype=np.float64)[csr.edge_ids]
        if np.any(w < 0):
            raise ConfigError("linear_threshold weights must be non-negative.")
        receiver_total = np.bincount(csr.indices, weights=w, minlength=csr.n_nodes)
    # Each node's incoming weights are normalised by its total: pressure per entry is
    # w / receiver_total[receiver] (1 / in-degree unweighted), applied per step.
    with np.errstate(divide="ignore"):
        scale = np.where(receiver_total > 0, 1.0 / receiver_total, 0.0)
    # Isolated nodes (no incoming weight) can never be tipped unless their threshold is 0.
    needed = np.where(receiver_total > 0, needed, np.where(needed <= 0, 0.0, np.inf))
    return _run_threshold(csr, seeds, w, scale, needed, rng, max_steps)


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
    return _run_threshold(csr, seeds, None, None, needed, rng, max_steps)
