"""Hand-in for the course exercises (docs/course/exercises.md). Replace each body; keep the names.

Graded by ``python docs/course/solutions/check.py answers.py`` (the lecturer's copy).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diffusion.policies import ExposurePolicy


def gini(values) -> float:
    """Exercise 1."""
    raise NotImplementedError


def structural_virality(parent) -> float:
    """Exercise 2: mean pairwise distance in the tree given by ``parent`` (-1 at the root)."""
    raise NotImplementedError


def transmissibility(p_transmit: float, p_recover: float) -> float:
    """Exercise 3."""
    raise NotImplementedError


def verdict(estimate: float, ci_low: float, ci_high: float, direction: int, sesoi: float) -> str:
    """Exercise 4."""
    raise NotImplementedError


def paired_effect(outcomes: pd.DataFrame, scenario: str, low, high, measure: str) -> tuple[float, float, float]:
    """Exercise 5: (estimate, ci_low, ci_high)."""
    raise NotImplementedError


class FairFeed(ExposurePolicy):
    """Exercise 6."""

    name = "fair_feed"

    def allocate(self, state, n_slots: int, *, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError
