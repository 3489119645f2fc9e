"""Gathering the CSR entries of a set of nodes: the vectorised step every kernel shares."""

from __future__ import annotations

import numpy as np

from diffusion.networks.csr import CSR


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
    start = csr.indptr[nodes]
    degree = csr.indptr[nodes + 1] - start
    total = int(degree.sum())
    owner = np.repeat(np.arange(nodes.size, dtype=np.int64), degree)
    first = np.cumsum(degree) - degree
    entries = np.repeat(start - first, degree) + np.arange(total, dtype=np.int64)
    return entries, owner


def first_arrivals(targets: np.ndarray, sources: np.ndarray, *, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Distinct targets and, for each, one of its sources chosen uniformly at random.

    Used when several nodes reach the same node in one step: the parent is drawn among them.

    Notes
    -----
    Each arrival gets a uniform random key; per target, the arrival with the smallest key wins
    (``np.minimum.at``). O(len(targets)) plus a scatter over the distinct targets, no sort;
    the result is ordered by first appearance in ``targets``.
    """
    if targets.size == 0:
        return targets, sources
    key = rng.random(targets.size)
    best = np.full(int(targets.max()) + 1, np.inf)
    np.minimum.at(best, targets, key)
    winner = key == best[targets]
    return targets[winner], sources[winner]
