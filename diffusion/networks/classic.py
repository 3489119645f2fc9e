"""Classic random-graph baselines, seeded through an explicit ``rng``.

Each wraps an igraph generator in :func:`diffusion.rng.igraph_rng`, so the same ``rng`` state
gives the same graph, and validates its arguments with a clear :class:`ConfigError`.
"""

from __future__ import annotations

from collections.abc import Sequence

import igraph as ig
import numpy as np

from diffusion.errors import ConfigError
from diffusion.params import check_range
from diffusion.rng import igraph_rng


def erdos_renyi(*, n_nodes: int, mean_degree: float, rng: np.random.Generator) -> ig.Graph:
    """G(n, m) random graph with ``m = round(n_nodes * mean_degree / 2)`` edges (Erdős & Rényi 1959)."""
    check_range("network", "n_nodes", n_nodes, 1, integer=True)
    check_range("network", "mean_degree", mean_degree, 0.0, n_nodes - 1)
    with igraph_rng(rng):
        return ig.Graph.Erdos_Renyi(n=n_nodes, m=int(round(n_nodes * mean_degree / 2)))


def watts_strogatz(*, n_nodes: int, k: int, p_rewire: float, rng: np.random.Generator) -> ig.Graph:
    """Ring lattice where each node links to its ``k`` nearest neighbours, edges rewired with
    probability ``p_rewire`` (Watts & Strogatz 1998, doi:10.1038/30918).

    ``k`` must be even. igraph rewires both endpoints of a chosen edge (so ``p_rewire = 1``
    gives a G(n, m) graph), a variant of the original single-endpoint rule; rewiring never
    creates loops or multi-edges. At ``p_rewire = 0`` the clustering is 3(k-2)/(4(k-1)).
    """
    check_range("network", "n_nodes", n_nodes, 3, integer=True)
    if not (isinstance(k, int | np.integer) and k >= 2 and k % 2 == 0 and k < n_nodes):
        raise ConfigError(f"network.k={k!r} must be an even whole number in [2, n_nodes - 1].")
    check_range("network", "p_rewire", p_rewire, 0.0, 1.0)
    with igraph_rng(rng):
        return ig.Graph.Watts_Strogatz(dim=1, size=n_nodes, nei=k // 2, p=p_rewire, allowed_edge_types="simple")


def barabasi_albert(*, n_nodes: int, m: int, rng: np.random.Generator) -> ig.Graph:
    """The Barabási–Albert model: each new node attaches ``m`` edges to existing nodes with
    probability proportional to their degree (Barabási & Albert 1999, doi:10.1126/science.286.5439.509).

    Notes
    -----
    igraph's ``Graph.Barabasi`` is called with ``power=1`` (linear preferential attachment),
    ``zero_appeal=1``, ``outpref=False``, undirected, and ``implementation="psumtree"`` (no
    multi-edges), starting from a single node: the standard model, whose degree distribution
    tends to ``2 m (m + 1) / (k (k + 1) (k + 2))`` (Bollobás et al. 2001). Early nodes have
    fewer than ``m`` edges, so the graph has ``m (n - 1) - m (m - 1) / 2`` edges.
    """
    check_range("network", "n_nodes", n_nodes, 2, integer=True)
    check_range("network", "m", m, 1, n_nodes - 1, integer=True)
    with igraph_rng(rng):
        return ig.Graph.Barabasi(
            n_nodes, m, outpref=False, directed=False, power=1.0, zero_appeal=1.0,
            implementation="psumtree", start_from=None,
        )


def configuration_model(*, degrees: Sequence[int] | np.ndarray, rng: np.random.Generator, method: str = "vl") -> ig.Graph:
    """A simple graph with exactly the given degree sequence.

    ``method="vl"`` (Viger–Latapy, connected) or ``"edge_switching_simple"``; the stack notes
    record that ``"configuration_simple"`` can hang on heavy-tailed sequences.
    """
    degrees = np.asarray(degrees, dtype=np.int64)
    if degrees.size == 0 or degrees.min() < 0 or degrees.sum() % 2:
        raise ConfigError("degrees must be non-negative whole numbers with an even sum.")
    if method not in ("vl", "edge_switching_simple"):
        raise ConfigError(f"method={method!r}: use 'vl' or 'edge_switching_simple'.")
    with igraph_rng(rng):
        try:
            return ig.Graph.Degree_Sequence(degrees.tolist(), method=method)
        except ig.InternalError as error:
            raise ConfigError(f"no simple graph has this degree sequence ({error}).") from None


def stochastic_block_model(*, block_sizes: Sequence[int], pref_matrix: Sequence[Sequence[float]], rng: np.random.Generator) -> ig.Graph:
    """Stochastic block model: nodes in blocks, an edge between blocks i and j with
    probability ``pref_matrix[i][j]`` (Holland, Laskey & Leinhardt 1983, doi:10.1016/0378-8733(83)90021-7)."""
    sizes = [int(s) for s in block_sizes]
    matrix = np.asarray(pref_matrix, dtype=np.float64)
    if matrix.shape != (len(sizes), len(sizes)) or not np.allclose(matrix, matrix.T):
        raise ConfigError("pref_matrix must be a symmetric square matrix with one row per block.")
    if matrix.min() < 0 or matrix.max() > 1 or min(sizes) < 1:
        raise ConfigError("pref_matrix entries must be probabilities and block sizes positive.")
    with igraph_rng(rng):
        return ig.Graph.SBM(matrix.tolist(), sizes, directed=False, allowed_edge_types="simple")
