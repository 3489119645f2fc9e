"""Model solutions of the course exercises (lecturer's copy: keep out of the hand-out)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from diffusion.policies import ExposurePolicy, sample_weighted


def gini(values) -> float:
    """Exercise 1: ``sum((2i - n - 1) x_(i)) / (n sum x)`` over sorted values."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = x.size, x.sum()
    if total == 0:
        return 0.0
    return float(np.sum((2 * np.arange(1, n + 1) - n - 1) * x) / (n * total))


def structural_virality(parent) -> float:
    """Exercise 2: Wiener index from subtree sizes (children have larger indices than parents)."""
    parent = np.asarray(parent)
    n = parent.size
    if n < 2:
        return float("nan")
    size = np.ones(n)
    for node in range(n - 1, 0, -1):
        size[parent[node]] += size[node]
    wiener = np.sum(size[1:] * (n - size[1:]))
    return float(2 * wiener / (n * (n - 1)))


def transmissibility(p_transmit: float, p_recover: float) -> float:
    """Exercise 3: K transmission steps, K ~ Geometric(p_recover) on {1, 2, ...};
    T = 1 - E[(1 - p)^K] = 1 - r (1 - p) / (1 - (1 - r)(1 - p))."""
    p, r = p_transmit, p_recover
    if p == 0:
        return 0.0
    return 1.0 - r * (1 - p) / (1 - (1 - r) * (1 - p))


def verdict(estimate: float, ci_low: float, ci_high: float, direction: int, sesoi: float) -> str:
    """Exercise 4: the rule of diffusion.analysis.judge."""
    sign = direction if direction else 1
    low, high = sorted((sign * ci_low, sign * ci_high))
    if direction == 0:
        if -sesoi < low and high < sesoi:
            return "supported"
        if low > sesoi or high < -sesoi:
            return "contradicted"
        return "inconclusive"
    if low > sesoi:
        return "supported"
    if high < -sesoi:
        return "contradicted"
    if -sesoi < low and high < sesoi:
        return "negligible"
    return "inconclusive"


def paired_effect(outcomes: pd.DataFrame, scenario: str, low, high, measure: str) -> tuple[float, float, float]:
    """Exercise 5: mean paired difference and its 95% Student-t interval."""
    wide = outcomes[outcomes[scenario].isin([low, high])].pivot_table(index="replicate", columns=scenario, values=measure)
    diff = (wide[high] - wide[low]).dropna().to_numpy()
    mean = diff.mean()
    half = stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / np.sqrt(diff.size)
    return float(mean), float(mean - half), float(mean + half)


class FairFeed(ExposurePolicy):
    """Exercise 6: weight an item by 1 / (1 + its creator's views so far): the least-seen
    creators first."""

    name = "fair_feed"

    def allocate(self, state, n_slots: int, *, rng: np.random.Generator) -> np.ndarray:
        items = state.live_items
        weights = 1.0 / (1.0 + state.creator_views[state.item_creator[items]])
        return sample_weighted(items, weights, n_slots, rng=rng)
