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
    """
    order = rng.permutation(targets.size)
    unique, first = np.unique(targets[order], return_index=True)
    return unique, sources[order][first]
