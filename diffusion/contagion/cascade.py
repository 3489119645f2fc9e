"""Independent cascade (Kempe, Kleinberg & Tardos 2003), vectorised over the frontier."""

from __future__ import annotations

import functools

import numpy as np

from diffusion.contagion._frontier import (
    GAP_SAMPLING_BELOW,
    bernoulli_positions,
    entries_of,
    frontier_degrees,
    percolate,
)
from diffusion.contagion.result import CascadeResult, check_seeds, entry_probabilities
from diffusion.networks.csr import CSR, to_csr


def transmit(
    csr: CSR, senders: np.ndarray, p: float | np.ndarray, *, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """One independent-cascade hop: every entry out of ``senders`` succeeds with probability p.

    Parameters
    ----------
    csr : CSR
        The graph.
    senders : array of int
        Sending nodes; repeats are allowed (each repeat sends independently), which is how the
        platform model sends several items from one user in one step.
    p : float or numpy.ndarray
        Success probability, scalar or one value per CSR entry.
    rng : numpy.random.Generator

    Returns
    -------
    targets : numpy.ndarray of int64
        Receiving node of each success.
    sender_index : numpy.ndarray of int64
        Position in ``senders`` of the sender of each success.

    Notes
    -----
    :class:`diffusion.model.PlatformModel` calls it for peer shares (W1, W2). The kernels
    :func:`independent_cascade` and :func:`diffusion.contagion.sir` apply the same rule through
    :func:`~diffusion.contagion._frontier.percolate`, which runs the whole cascade in one
    compiled call; ``tests/test_contagion_properties.py`` checks that both give each
    target the probability ``1 - (1 - p)^k`` of being reached by ``k`` sender entries.

    With a scalar ``p`` below 0.5 the successes are drawn as a Bernoulli process over the
    senders' concatenated entries (:func:`~diffusion.contagion._frontier.bernoulli_positions`:
    about p x entries draws, no entry-long arrays); otherwise each entry gets one float32
    uniform (half the bytes of float64, resolution 2**-24, ample for probabilities). Both
    give every entry an independent success with probability p.
    """
    senders = np.asarray(senders, dtype=np.int64)
    start, degree = frontier_degrees(csr, senders)
    return _transmit(csr, start, degree, p, rng)


def _transmit(
    csr: CSR, start: np.ndarray, degree: np.ndarray, p: float | np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`transmit` for senders whose CSR runs (start, degree) are already known."""
    if isinstance(p, float | int) and p < GAP_SAMPLING_BELOW:
        if degree.size == 0:
            return degree, degree
        ends = degree.cumsum()
        positions = bernoulli_positions(int(ends[-1]), p, rng)
        owner = ends.searchsorted(positions, side="right")
        # entry = start[owner] + (position - first position of owner's run)
        offset = start - ends
        offset += degree
        positions += offset[owner]
        return csr.indices[positions], owner
    if np.ndim(p) == 0:
        entries, owner = entries_of(start, degree)
        draws = rng.random(entries.size, dtype=np.float32)
        success = draws < float(p)
        return csr.indices[entries[success]], owner[success]
    # One probability per entry: the same draws (one float32 per entry, senders in order),
    # compared entry by entry in one compiled pass instead of gathering every entry first.
    draws = rng.random(int(degree.sum()), dtype=np.float32)
    return _per_entry_compiled()(
        csr.indices, np.ascontiguousarray(start, dtype=np.int64), np.ascontiguousarray(degree, dtype=np.int64),
        np.ascontiguousarray(p, dtype=np.float64), draws,
    )


@functools.cache
def _per_entry_compiled():
    """The successes among the senders' entries (entry k of the concatenated runs succeeds when
    ``draws[k] < p[entry]``): their targets and the position of their sender."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def run(indices, start, degree, p, draws):
        targets = np.empty(draws.size, dtype=indices.dtype)
        owner = np.empty(draws.size, dtype=np.int64)
        m, k = 0, 0
        for i in range(start.size):
            for e in range(start[i], start[i] + degree[i]):
                if np.float64(draws[k]) < p[e]:
                    targets[m] = indices[e]
                    owner[m] = i
                    m += 1
                k += 1
        return targets[:m].copy(), owner[:m].copy()

    return run


def independent_cascade(
    graph,
    seeds,
    *,
    p: float | np.ndarray | str,
    rng: np.random.Generator,
    max_steps: int | None = None,
) -> CascadeResult:
    """Simulate an independent cascade from ``seeds``.

    Each node activated at step t gets one chance, at step t + 1, to activate each inactive
    neighbour, succeeding independently with the edge's probability. Synchronous update.

    Parameters
    ----------
    graph : igraph.Graph or CSR
        Directed graphs spread along edge direction.
    seeds : array of int
        Nodes active at step 0.
    p : float, numpy.ndarray or str
        Transmission probability: a scalar, one value per igraph edge id, or the name of an
        edge attribute (e.g. tie strength, ``"weight"``).
    rng : numpy.random.Generator
    max_steps : int, optional
        Stop after this many steps.

    Returns
    -------
    CascadeResult
        Activation step per node (-1: never) and the parent that activated it. When several
        nodes reach the same node in one step, the parent is one of them chosen uniformly
        (the successes are shuffled before the first one is kept).

    Notes
    -----
    One step costs O(sum of frontier degrees) in one compiled pass; no per-node Python loop. The final active set
    has the distribution of the seeds' component in the bond-percolated graph (each edge kept
    with its probability); ``tests/test_validation.py`` checks this.

    References
    ----------
    .. [1] Kempe, D., Kleinberg, J., Tardos, É. (2003). Maximizing the spread of influence
       through a social network. KDD '03, 137-146. doi:10.1145/956750.956769
    """
    csr = to_csr(graph)
    probabilities = entry_probabilities(graph, csr, p)
    seeds = check_seeds(seeds, csr.n_nodes)
    # an independent cascade is an SIR in which every node recovers after its one step
    step, parent, _, trials = percolate(csr, seeds, probabilities, 1.0, rng, max_steps)
    return CascadeResult(activation_step=step, parent=parent, n_edge_trials=trials)
