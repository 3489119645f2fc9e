"""Classic contagion kernels, vectorised over the CSR adjacency; usable on any igraph graph."""

from diffusion.contagion._frontier import neighbour_entries
from diffusion.contagion.cascade import independent_cascade, transmit
from diffusion.contagion.result import CascadeResult

__all__ = ["CascadeResult", "independent_cascade", "neighbour_entries", "transmit"]
