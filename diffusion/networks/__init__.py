"""Networks: igraph graphs built as pure functions of parameters and an explicit rng."""

from diffusion.networks.csr import CSR, csr_from_edges, edge_arrays, to_csr

__all__ = ["CSR", "csr_from_edges", "edge_arrays", "to_csr"]
