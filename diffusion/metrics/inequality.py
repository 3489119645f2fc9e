"""Inequality, concentration and timing metrics (used for D1-D4, P4, W1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from diffusion.errors import ConfigError


def _values(values) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).ravel()
    if array.size and (np.any(~np.isfinite(array)) or array.min() < 0):
        raise ConfigError("inequality metrics need finite, non-negative values (counts, views, income).")
    return array


def gini(values) -> float:
    """Gini coefficient of non-negative values: 0 when all equal, (n-1)/n when one holds all.

    Returns 0.0 for all-zero input (nobody has anything: perfectly equal) and NaN for an empty
    one. Computed as ``sum((2i - n - 1) x_(i)) / (n sum x)`` over sorted values.
    """
    x = np.sort(_values(values))
    n = x.size
    if n == 0:
        return float("nan")
    total = x.sum()
    if total == 0:
        return 0.0
    index = np.arange(1, n + 1)
    return float(np.sum((2 * index - n - 1) * x) / (n * total))


def lorenz_curve(values) -> tuple[np.ndarray, np.ndarray]:
    """Population share and cumulative value share, both starting at 0 and ending at 1."""
    x = np.sort(_values(values))
    population = np.linspace(0.0, 1.0, x.size + 1)
    cumulative = np.concatenate([[0.0], np.cumsum(x)])
    share = cumulative / cumulative[-1] if cumulative[-1] > 0 else population.copy()
    return population, share


def top_share(values, fraction: float = 0.01) -> float:
    """Share of the total held by the top ``fraction`` of units (at least one unit)."""
    x = np.sort(_values(values))[::-1]
    if x.size == 0 or x.sum() == 0:
        return float("nan")
    k = max(1, int(np.ceil(fraction * x.size)))
    return float(x[:k].sum() / x.sum())


def shannon_entropy(counts, base: float = 2.0) -> float:
    """Shannon entropy of the distribution given by counts (0 for a single category)."""
    c = _values(counts)
    total = c.sum()
    if total == 0:
        return float("nan")
    p = c[c > 0] / total
    return float(-(p * np.log(p)).sum() / np.log(base))


def coefficient_of_variation(values) -> float:
    """Standard deviation (ddof=1) over mean; NaN when the mean is 0 or fewer than 2 values."""
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size < 2 or x.mean() == 0:
        return float("nan")
    return float(x.std(ddof=1) / x.mean())


def time_to_fraction(cumulative, fraction: float = 0.5, steps=None) -> float:
    """First step at which a non-decreasing cumulative series reaches ``fraction`` of its end.

    ``steps`` labels the entries (default 0, 1, ...). NaN when the final value is 0.
    Used for "time to 50% of final reach" (W1).
    """
    c = np.asarray(cumulative.to_numpy() if isinstance(cumulative, pd.Series) else cumulative, dtype=np.float64)
    labels = np.arange(c.size) if steps is None else np.asarray(steps)
    if c.size == 0 or not c[-1] > 0:
        return float("nan")
    index = int(np.argmax(c >= fraction * c[-1]))
    return float(labels[index])


def ccdf(values) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values x and the empirical P(X >= x)."""
    x = np.sort(np.asarray(values, dtype=np.float64).ravel())
    unique, first = np.unique(x, return_index=True)
    return unique, 1.0 - first / x.size
