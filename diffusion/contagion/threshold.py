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


#: Node states of a threshold run (one byte a node, cache-resident at 10^6 nodes).
_INACTIVE, _CROSSED, _ACTIVE = 0, 1, 2


def _run_threshold(
    csr: CSR,
    seeds: np.ndarray,
    entry_weight: np.ndarray | None,
    receiver_total: np.ndarray | None,
    needed: np.ndarray,
    rng: np.random.Generator,
    max_steps: int | None,
) -> CascadeResult:
    """Synchronous threshold dynamics: a node activates once the pressure from active
    neighbours reaches ``needed``. Pressure is added incrementally as the frontier grows.

    The pressure an entry ``e`` (from an active node to ``v``) adds is ``entry_weight[e] /
    receiver_total[v]`` (each factor 1 when None): ``needed`` is a fraction of the receiver's
    total incoming weight, or a count when ``receiver_total`` is None. Each node instead keeps
    the weight it still lacks, ``(needed - tolerance) * receiver_total``, so an entry only
    subtracts its weight. A step is one compiled pass (numba) over the entries out of the
    newest layer, O(sum of the layer's degrees): it subtracts, collects the nodes whose slack
    reaches zero, and makes the sender of each node's smallest-key arrival of the step its
    parent, a uniform choice among the node's neighbours in that layer.

    The pass is memory-bound on large graphs: the frontier is sorted so that the neighbour
    lists are read in address order, and everything a node's arrival touches (slack, step of
    its last arrival, arrivals in that step, parent candidate) lies in one 32-byte row of
    ``work``, so an entry costs a single cache line beyond the 1-byte state. The parent is
    reservoir-sampled (the k-th arrival of a step replaces it with probability 1/k), drawing
    from ``rng`` inside the compiled pass only when a node is reached twice or more in a step.
    """
    n = csr.n_nodes
    step = np.full(n, -1, dtype=np.int64)
    # tolerance guards against rounding in sums of fractions (e.g. 3 * (1/3) < 1)
    slack = needed - _TOLERANCE
    if receiver_total is not None:  # nodes without incoming weight are never reached
        slack = np.where(receiver_total > 0, slack * np.where(receiver_total > 0, receiver_total, 1.0), np.inf)
    # work[v] = (slack, step of the last arrival, arrivals in that step, parent candidate);
    # the step column tells a count of an older step from this one's (no reset per step).
    work = np.empty((n, _ROW))
    work[:, _SLACK] = slack
    work[:, _LAST:] = -1.0
    state = np.zeros(n, dtype=np.uint8)
    step[seeds] = 0
    state[seeds] = _ACTIVE
    # Nodes whose threshold is met with no active neighbour (threshold <= 0) join at step 1;
    # afterwards only nodes that just received pressure can cross their threshold.
    free = np.flatnonzero((needed <= _TOLERANCE) & (step < 0))
    no_weights = np.empty(0, dtype=np.float64)
    push = _compiled()
    frontier, t, trials = seeds, 0, 0
    while max_steps is None or t < max_steps:
        fresh, n_entries = push(
            csr.indptr, csr.indices, frontier, no_weights if entry_weight is None else entry_weight,
            work, state, t + 1, rng,
        )
        trials += n_entries
        if t == 0 and free.size:
            extra = free[state[free] == _INACTIVE]
            state[extra] = _CROSSED
            fresh = np.concatenate([fresh, extra])
        if fresh.size == 0:
            break
        t += 1
        step[fresh] = t
        state[fresh] = _ACTIVE
        orphans = fresh[work[fresh, _LAST] < t]
        if orphans.size:  # tipped by older neighbours only (possible when thresholds <= 0)
            work[orphans, _PARENT] = _any_active_neighbour(csr, orphans, step, t, rng)
        frontier = np.sort(fresh)
    # candidates of nodes that were reached but never tipped are not parents
    parent = np.where(step > 0, work[:, _PARENT], -1.0).astype(np.int64)
    return CascadeResult(activation_step=step, parent=parent, n_edge_trials=trials)


#: Columns of a node's row in the threshold kernel's ``work`` array (one 32-byte row a node).
_SLACK, _LAST, _COUNT, _PARENT, _ROW = 0, 1, 2, 3, 4


@functools.cache
def _compiled():
    """The compiled pass of a threshold step (numba is imported on first use)."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def push(indptr, indices, frontier, entry_weight, work, state, t, rng):
        """Subtract the weight of every entry out of ``frontier`` from its receiver's slack;
        return the inactive nodes whose slack reaches zero (marked crossed in ``state``) and
        the number of entries. The k-th arrival of step ``t`` at a node becomes its parent
        candidate with probability 1/k."""
        weighted = entry_weight.size > 0
        fresh = np.empty(64, dtype=np.int64)
        n_fresh, n_entries = 0, 0
        for f in frontier:
            n_entries += indptr[f + 1] - indptr[f]
            for e in range(indptr[f], indptr[f + 1]):
                v = indices[e]
                if state[v] == 2:  # active
                    continue
                row = work[v]
                row[_SLACK] -= entry_weight[e] if weighted else 1.0
                if row[_LAST] != t:
                    row[_LAST], row[_COUNT], row[_PARENT] = t, 1.0, f
                else:
                    row[_COUNT] += 1.0
                    if rng.random() * row[_COUNT] < 1.0:
                        row[_PARENT] = f
                if state[v] == 0 and row[_SLACK] <= 0.0:
                    state[v] = 1  # crossed: active from this step
                    if n_fresh == fresh.size:
                        grown = np.empty(2 * fresh.size, dtype=np.int64)
                        grown[:n_fresh] = fresh
                        fresh = grown
                    fresh[n_fresh] = v
                    n_fresh += 1
        return fresh[:n_fresh].copy(), n_entries

    return push


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
    # w / receiver_total[receiver] (1 / in-degree unweighted).
    # Isolated nodes (no incoming weight) can never be tipped unless their threshold is 0.
    needed = np.where(receiver_total > 0, needed, np.where(needed <= 0, 0.0, np.inf))
    return _run_threshold(csr, seeds, w, receiver_total, needed, rng, max_steps)


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
