"""Metrics: pure functions shared by the model's DataCollector, the analysis and the tests."""

from diffusion.metrics.cascades import cascade_depth, cascade_sizes, structural_virality, tree_depth
from diffusion.metrics.inequality import (
    ccdf,
    coefficient_of_variation,
    gini,
    lorenz_curve,
    shannon_entropy,
    time_to_fraction,
    top_share,
)

__all__ = [
    "cascade_depth", "cascade_sizes", "ccdf", "coefficient_of_variation", "gini", "lorenz_curve",
    "shannon_entropy", "structural_virality", "time_to_fraction", "top_share", "tree_depth",
]
