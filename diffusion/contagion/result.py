"""Results of contagion kernels and argument checks they share."""

from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import numpy as np

from diffusion.errors import ConfigError
from diffusion.networks.csr import CSR


@dataclass(frozen=True, eq=False)
class CascadeResult:
    """Outcome of one contagion run on n nodes.

    Attributes
    ----------
    activation_step : numpy.ndarray of int64
        Step at which each node became active; 0 for seeds, -1 for never.
    parent : numpy.ndarray of int64
        Node that activated each node; -1 for seeds and inactive nodes.
    n_edge_trials : int
        Transmission attempts made (edges examined), for throughput measurements.
    """

    activation_step: np.ndarray
    parent: np.ndarray
    n_edge_trials: int = 0

    @property
    def active(self) -> np.ndarray:
        """Mask of nodes that were ever active."""
        return self.activation_step >= 0

    @property
    def size(self) -> int:
        """Number of nodes ever active (seeds included)."""
        return int(self.active.sum())

    @property
    def n_steps(self) -> int:
        """Step of the last activation."""
        return int(self.activation_step.max()) if self.activation_step.size else 0


def check_seeds(seeds, n_nodes: int) -> np.ndarray:
    """Seeds as a unique int64 array, or a ConfigError naming the bad ones."""
    seeds = np.unique(np.asarray(seeds, dtype=np.int64).ravel())
    bad = seeds[(seeds < 0) | (seeds >= n_nodes)]
    if bad.size:
        raise ConfigError(
            f"seeds {bad[:5].tolist()} are not nodes of this graph: seed ids must lie in "
            f"[0, {n_nodes - 1}]."
        )
    return seeds


def check_probability(name: str, value: np.ndarray | float) -> None:
    """Raise ConfigError unless every value lies in [0, 1]."""
    array = np.asarray(value, dtype=np.float64)
    if array.size and (not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1):
        shown = value if np.ndim(value) == 0 else f"values from {array.min():g} to {array.max():g}"
        raise ConfigError(f"{name}={shown} is not a probability: it must lie in [0, 1].")


def entry_probabilities(graph: ig.Graph | CSR, csr: CSR, p: float | np.ndarray | str) -> float | np.ndarray:
    """Transmission probability as a scalar or per CSR entry."""
    if isinstance(p, str):
        if not isinstance(graph, ig.Graph) or p not in graph.es.attributes():
            raise ConfigError(f"p={p!r} names no edge attribute of this graph.")
        p = np.asarray(graph.es[p], dtype=np.float64)
    if np.ndim(p) == 0:
        check_probability("p", float(p))
        return float(p)
    p = np.asarray(p, dtype=np.float64)
    n_edges = int(csr.edge_ids.max()) + 1 if csr.edge_ids.size else 0
    if p.shape != (n_edges,):
        raise ConfigError(f"p has {p.size} values but the graph has {n_edges} edges: give one per edge.")
    check_probability("p", p)
    return p[csr.edge_ids]
