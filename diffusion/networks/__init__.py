"""Networks: igraph graphs built as pure functions of parameters and an explicit rng."""

from diffusion.networks.csr import CSR, csr_from_edges, edge_arrays, to_csr
from diffusion.networks.io import load_network
from diffusion.networks.society import Society, society_from_graph, weak_tie_society

__all__ = [
    "CSR", "Society", "csr_from_edges", "edge_arrays", "load_network", "society_from_graph",
    "to_csr", "weak_tie_society",
]
