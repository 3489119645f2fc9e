"""Compressed sparse row (CSR) view of an igraph graph, the array form every kernel uses.

Kernels and the platform model never walk an igraph graph vertex by vertex; they work on the
three arrays of a :class:`CSR`: ``indptr`` (where each vertex's neighbours start),
``indices`` (the neighbours) and ``edge_ids`` (the igraph edge id of each entry, so per-edge
attributes such as tie strength can be gathered in CSR order with ``attr[csr.edge_ids]``).
"""

from __future__ import annotations

import ctypes
import functools
import gc
import itertools
from contextlib import contextmanager
from dataclasses import dataclass

import igraph as ig
import numpy as np


@dataclass(frozen=True, eq=False)
class CSR:
    """Out-neighbour lists of a graph as arrays.

    Attributes
    ----------
    indptr : numpy.ndarray of int64, shape (n_nodes + 1,)
        Neighbours of vertex ``v`` are ``indices[indptr[v]:indptr[v + 1]]``.
    indices : numpy.ndarray of int64, shape (n_entries,)
        Neighbour vertex ids. An undirected edge appears twice, once from each end.
    edge_ids : numpy.ndarray of int64, shape (n_entries,)
        igraph edge id of each entry.
    directed : bool
        Whether the source graph was directed (then entries follow edge direction).
    """

    indptr: np.ndarray
    indices: np.ndarray
    edge_ids: np.ndarray
    directed: bool = False

    @property
    def n_nodes(self) -> int:
        """Number of vertices."""
        return int(self.indptr.shape[0] - 1)

    @property
    def n_entries(self) -> int:
        """Number of stored (source, target) entries: 2 x edges if undirected."""
        return int(self.indices.shape[0])

    def degree(self) -> np.ndarray:
        """Out-degree of every vertex (degree, for an undirected graph)."""
        return np.diff(self.indptr)

    def sources(self) -> np.ndarray:
        """Source vertex of every entry, aligned with :attr:`indices`."""
        return np.repeat(np.arange(self.n_nodes, dtype=np.int64), self.degree())

    def edge_values(self, values: np.ndarray | float) -> np.ndarray:
        """Per-edge values (indexed by igraph edge id) laid out in CSR entry order."""
        if np.isscalar(values):
            return np.full(self.n_entries, float(values))
        return np.asarray(values)[self.edge_ids]


def csr_from_edges(
    n_nodes: int, sources: np.ndarray, targets: np.ndarray, *, directed: bool = False
) -> CSR:
    """Build a :class:`CSR` from edge endpoint arrays.

    Edge ``k`` is ``(sources[k], targets[k])``; its id in the result is ``k``. For an
    undirected graph each edge is stored from both ends.

    Notes
    -----
    A stable counting sort by source, compiled with numba: one pass counts the entries of each
    vertex, a second places them. O(n_nodes + n_edges) time; no memory beyond the result.
    Within a vertex, entries follow edge id, those where the vertex is the edge's source first
    (undirected graphs), which is the order a stable sort of ``concatenate([sources,
    targets])`` gives. The first call in a process loads the compiled function from numba's
    on-disk cache, or compiles it (about a second) if there is none.
    """
    sources = np.asarray(sources)
    targets = np.asarray(targets)
    if sources.shape != targets.shape or sources.ndim != 1:
        raise ValueError(f"sources and targets must be 1-d arrays of one length, got {sources.shape} and {targets.shape}")
    # The compiled sort does not check bounds: refuse out-of-range endpoints here.
    for name, ends in (("sources", sources), ("targets", targets)):
        if ends.size and (ends.min() < 0 or ends.max() >= n_nodes):
            raise ValueError(f"{name} hold vertex ids outside [0, {n_nodes - 1}]")
    indptr, indices, edge_ids = _counting_sort()(
        int(n_nodes), sources.astype(np.int64, copy=False), targets.astype(np.int64, copy=False), not directed
    )
    return CSR(indptr=indptr, indices=indices, edge_ids=edge_ids, directed=directed)


@functools.cache
def _counting_sort():
    """The compiled counting sort (numba is imported on first use, not with the package)."""
    import numba

    # One explicit signature: int64[:] accepts contiguous and strided arrays alike, so the
    # strided views to_csr passes and the contiguous arrays of society builders share one build.
    @numba.njit("Tuple((int64[:], int64[:], int64[:]))(int64, int64[:], int64[:], boolean)", cache=True, nogil=True)
    def counting_sort(n_nodes, sources, targets, both_ends):
        n_edges = sources.shape[0]
        indptr = np.zeros(n_nodes + 1, dtype=np.int64)
        for k in range(n_edges):
            indptr[sources[k] + 1] += 1
            if both_ends:
                indptr[targets[k] + 1] += 1
        for v in range(n_nodes):
            indptr[v + 1] += indptr[v]
        n_entries = indptr[n_nodes]
        indices = np.empty(n_entries, dtype=np.int64)
        edge_ids = np.empty(n_entries, dtype=np.int64)
        cursor = indptr[:-1].copy()
        for k in range(n_edges):
            j = cursor[sources[k]]
            indices[j] = targets[k]
            edge_ids[j] = k
            cursor[sources[k]] = j + 1
        if both_ends:
            for k in range(n_edges):
                j = cursor[targets[k]]
                indices[j] = sources[k]
                edge_ids[j] = k
                cursor[targets[k]] = j + 1
        return indptr, indices, edge_ids

    return counting_sort


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector, restoring its previous state afterwards.

    For code that allocates many small objects while many others are alive: each allocation
    can trigger a collection that walks every tracked object. ``get_edgelist()`` creates one
    tuple per edge (this tripled the time of a 5-million-edge export), and a platform run
    creates tens of thousands (a tenth of a 5,000-user run, :func:`diffusion.runner.simulate`).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _VectorInt(ctypes.Structure):
    """igraph's ``igraph_vector_int_t``: storage start, storage end, end of the used part."""

    _fields_ = [("stor_begin", ctypes.c_void_p), ("stor_end", ctypes.c_void_p), ("end", ctypes.c_void_p)]


class _GraphStruct(ctypes.Structure):
    """The leading fields of igraph's C ``igraph_t`` (``include/igraph_datatype.h``): vertex
    count, directedness, then the two columns of the edge list, ``from`` and ``to``."""

    _fields_ = [("n", ctypes.c_int64), ("directed", ctypes.c_bool), ("from_", _VectorInt), ("to", _VectorInt)]


def _edge_columns_from_struct(graph: ig.Graph) -> tuple[np.ndarray, np.ndarray] | None:
    """Copy the edge list straight out of igraph's C graph, or ``None`` if that is not safe.

    python-igraph has no bulk numeric export (``get_edgelist()`` builds a Python tuple per
    edge: about 1.3 s of the 2 s a 5-million-edge graph took to convert). ``_raw_pointer()``
    gives the address of the C ``igraph_t``, whose ``from``/``to`` vectors hold the endpoints
    as 64-bit integers. The layout is not a public API, so it is checked before any vector is
    read (vertex count, directedness, both lengths equal to ``ecount()``, storage bounds) and
    after (a sample of edges against ``graph.es[k].tuple``); any mismatch returns ``None`` and
    the caller falls back to ``get_edgelist()``.
    """
    raw_pointer = getattr(graph, "_raw_pointer", None)
    n_edges = graph.ecount()
    if raw_pointer is None or n_edges == 0:
        return None
    struct = _GraphStruct.from_address(raw_pointer())
    if struct.n != graph.vcount() or bool(struct.directed) != graph.is_directed():
        return None
    item = ctypes.sizeof(ctypes.c_int64)
    columns = []
    for vector in (struct.from_, struct.to):
        begin, end, stor_end = vector.stor_begin, vector.end, vector.stor_end
        if not begin or end is None or stor_end is None or not begin <= end <= stor_end:
            return None
        if end - begin != n_edges * item:
            return None
        columns.append(np.ctypeslib.as_array((ctypes.c_int64 * n_edges).from_address(begin)).copy())
    first, second = columns
    # igraph keeps an undirected edge as (larger id, smaller id) and reports it the other way
    # round, so ``get_edgelist()`` order is (to, from) there.
    sources, targets = (first, second) if graph.is_directed() else (second, first)
    probe = np.unique(np.r_[0, n_edges - 1, np.linspace(0, n_edges - 1, 7).astype(np.int64)])
    for k in probe:
        if graph.es[int(k)].tuple != (int(sources[k]), int(targets[k])):
            return None
    return sources, targets


def edge_arrays(graph: ig.Graph) -> tuple[np.ndarray, np.ndarray]:
    """Source and target arrays (int64) of an igraph graph's edges, in edge-id order.

    The same arrays as ``zip(*graph.get_edgelist())``, read from igraph's C edge list where its
    layout checks out (about 20x faster at 5 x 10^6 edges), else through ``get_edgelist()``.
    """
    columns = _edge_columns_from_struct(graph)
    if columns is not None:
        return columns
    with collector_paused():
        # fromiter over the flattened tuples is about 2x faster than np.array(list of tuples).
        flat = np.fromiter(
            itertools.chain.from_iterable(graph.get_edgelist()), dtype=np.int64, count=2 * graph.ecount()
        )
    return flat[0::2].copy(), flat[1::2].copy()


def to_csr(graph: ig.Graph | CSR) -> CSR:
    """Return the :class:`CSR` of an igraph graph (a :class:`CSR` is returned unchanged).

    Notes
    -----
    The edge list comes from :func:`edge_arrays` (igraph's own C arrays, checked, or
    ``get_edgelist()``), then a compiled counting sort (:func:`csr_from_edges`) lays it out.
    ``get_adjacency_sparse()`` goes through ``get_edgelist()`` and is slower.
    """
    if isinstance(graph, CSR):
        return graph
    if not isinstance(graph, ig.Graph):
        raise TypeError(f"expected an igraph.Graph or a CSR, got {type(graph).__name__}")
    sources, targets = edge_arrays(graph)
    return csr_from_edges(graph.vcount(), sources, targets, directed=graph.is_directed())
