"""Gathering the CSR entries of a set of nodes, and sampling among them: the vectorised steps
every kernel shares."""

from __future__ import annotations

import functools

import numpy as np

from diffusion.networks.csr import CSR

#: Below this success probability :func:`bernoulli_positions` draws the gaps between successes
#: (about p x n geometric draws) instead of one uniform per trial (n draws and an n-long index).
GAP_SAMPLING_BELOW = 0.5


def frontier_degrees(csr: CSR, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First CSR position and number of entries of each node in ``nodes``."""
    start = csr.indptr[nodes]
    return start, csr.indptr[nodes + 1] - start


def entries_of(start: np.ndarray, degree: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All CSR positions in the runs ``[start[i], start[i] + degree[i])`` and the run of each.

    ``entries = repeat(start - first, d) + arange(sum d)`` with ``first = cumsum(d) - d``.
    O(len(start) + sum d).
    """
    total = int(degree.sum())
    owner = np.repeat(np.arange(start.size, dtype=np.int64), degree)
    first = np.cumsum(degree) - degree
    entries = np.repeat(start - first, degree) + np.arange(total, dtype=np.int64)
    return entries, owner


def neighbour_entries(csr: CSR, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All CSR entries out of ``nodes`` (repeats allowed), without a Python loop.

    Returns
    -------
    entries : numpy.ndarray of int64
        Positions in ``csr.indices`` / ``csr.edge_ids``.
    owner : numpy.ndarray of int64
        For each entry, the position in ``nodes`` of the node it leaves from.

    Notes
    -----
    With ``d`` the degrees of ``nodes``: ``entries = repeat(start, d) + (arange(sum d) -
    repeat(cumsum(d) - d, d))``. O(len(nodes) + sum d).
    """
    nodes = np.asarray(nodes, dtype=np.int64)
    return entries_of(*frontier_degrees(csr, nodes))


def bernoulli_positions(n_trials: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of the successes among ``n_trials`` independent Bernoulli(p) trials.

    Notes
    -----
    The gaps between consecutive successes of a Bernoulli process are independent and
    geometric (support 1, 2, ...), so the positions are ``cumsum(gaps) - 1`` cut at
    ``n_trials``: about ``p n`` draws instead of ``n``, and no array of length ``n``. A batch
    of ``p n + 6 sqrt(p n) + 16`` gaps is drawn; in the rare case it falls short of
    ``n_trials``, another batch continues it. The result has exactly the law of
    ``flatnonzero(rng.random(n) < p)`` (``tests/test_contagion_properties.py`` checks the
    success frequency).
    """
    if n_trials <= 0 or p <= 0.0:
        return np.empty(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(n_trials, dtype=np.int64)
    expected = n_trials * p
    batch = int(expected + 6.0 * (expected**0.5) + 16.0)
    # (array methods rather than np.* wrappers: this runs once per step, often on tiny arrays)
    positions = rng.geometric(p, size=batch).cumsum()
    while positions[-1] <= n_trials:
        positions = np.concatenate([positions, positions[-1] + rng.geometric(p, size=batch).cumsum()])
    positions -= 1
    return positions[: positions.searchsorted(n_trials)]


def first_arrivals(
    targets: np.ndarray, sources: np.ndarray, *, rng: np.random.Generator, scratch: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct targets and, for each, one of its sources chosen uniformly at random.

    Used when several nodes reach the same node in one step: the parent is drawn among them.

    Parameters
    ----------
    targets, sources : numpy.ndarray of int64
    rng : numpy.random.Generator
    scratch : numpy.ndarray of float64, optional
        An array of ``inf`` at least ``targets.max() + 1`` long, reused across calls by a
        kernel so that a step costs O(len(targets)) rather than O(n); it is left all ``inf``.

    Notes
    -----
    Each arrival gets a uniform random key; per target, the arrival with the smallest key wins
    (``np.minimum.at``). O(len(targets)) plus a scatter over the distinct targets, no sort;
    the result is ordered by first appearance in ``targets``. A single arrival draws nothing.
    """
    if targets.size <= 1:
        return targets, sources
    key = rng.random(targets.size)
    best = np.full(int(targets.max()) + 1, np.inf) if scratch is None else scratch
    np.minimum.at(best, targets, key)
    winner = key == best[targets]
    if scratch is not None:
        scratch[targets] = np.inf
    return targets[winner], sources[winner]


def settle_arrivals(
    targets: np.ndarray, owner: np.ndarray, senders: np.ndarray, step: np.ndarray, parent: np.ndarray,
    t: int, *, rng: np.random.Generator, scratch: np.ndarray,
) -> np.ndarray:
    """Activate at step ``t`` every not-yet-active target, each with a random sender as parent.

    ``targets[i]`` was reached from ``senders[owner[i]]``. For each target with ``step < 0``
    one of its arrivals is chosen uniformly at random (as :func:`first_arrivals`); its
    ``step`` becomes ``t`` and its ``parent`` that arrival's sender. Returns the newly active
    nodes, the next frontier. ``scratch`` is an all-``inf`` float array of length n, left so.

    Notes
    -----
    The bookkeeping of a cascade step, fused into one compiled pass (numba): the random keys
    are drawn with ``rng`` in numpy, the per-arrival filtering and the scatter run compiled.
    A step then costs a few numpy calls instead of a dozen, which is what dominates on small
    graphs (a cascade on 10^4 nodes is about 25 steps of a few hundred arrivals).
    """
    keys = rng.random(targets.size) if targets.size > 1 else np.zeros(targets.size)
    return _settle_compiled()(targets, owner, senders, keys, step, parent, t, scratch)


@functools.cache
def _settle_compiled():
    import numba

    @numba.njit(
        "int64[:](int64[:], int64[:], int64[:], float64[:], int64[:], int64[:], int64, float64[:])",
        cache=True, nogil=True,
    )
    def settle(targets, owner, senders, keys, step, parent, t, best):
        for i in range(targets.size):  # smallest key per fresh target
            u = targets[i]
            if step[u] < 0 and keys[i] < best[u]:
                best[u] = keys[i]
        fresh = np.empty(targets.size, dtype=np.int64)
        n_fresh = 0
        for i in range(targets.size):  # its arrival wins
            u = targets[i]
            if step[u] < 0 and keys[i] == best[u]:
                step[u] = t
                parent[u] = senders[owner[i]]
                fresh[n_fresh] = u
                n_fresh += 1
        for i in range(n_fresh):
            best[fresh[i]] = np.inf
        return fresh[:n_fresh]

    return settle
