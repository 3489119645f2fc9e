"""Classic contagion kernels, vectorised over the CSR adjacency; usable on any igraph graph.

All kernels take an igraph Graph or a :class:`~diffusion.networks.CSR`, seed nodes and a
``rng``, and return per-node activation steps (-1: never) and the parent that activated each
node, so cascade trees can be measured (:mod:`diffusion.metrics.cascades`).
"""

from diffusion.contagion._frontier import neighbour_entries
from diffusion.contagion.cascade import independent_cascade, transmit
from diffusion.contagion.result import CascadeResult
from diffusion.contagion.sir import SIRResult, sir
from diffusion.contagion.threshold import complex_contagion, linear_threshold

__all__ = [
    "CascadeResult", "SIRResult", "complex_contagion", "independent_cascade", "linear_threshold",
    "neighbour_entries", "sir", "transmit",
]
