"""Statistics over replicates: means with t intervals, paired effects and verdicts.

Every stochastic result of the package is reported as a mean over replicates with a 95%
Student-t confidence interval. Effects between scenarios are computed within each replicate
first (replicate r shares its seeds across scenarios), then averaged: a paired design whose
intervals are narrower than those of independent samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class Effect:
    """An estimated effect with its confidence interval."""

    measure: str
    description: str
    estimate: float
    ci_low: float
    ci_high: float
    n: int


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of the finite values; NaN bounds when n < 2."""
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if x.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half


def summarise(df: pd.DataFrame, by: list[str], measures: list[str], level: float = 0.95) -> pd.DataFrame:
    """Tidy summary: the ``by`` columns, ``measure``, ``mean``, ``ci_low``, ``ci_high``, ``n``."""
    rows = []
    for key, group in df.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        for measure in measures:
            values = group[measure].to_numpy(dtype=np.float64)
            mean, low, high = mean_ci(values, level)
            rows.append({**dict(zip(by, key)), "measure": measure, "mean": mean, "ci_low": low,
                         "ci_high": high, "n": int(np.isfinite(values).sum())})
    return pd.DataFrame(rows)


def _effect(values, measure: str, description: str, level: float, offset: float = 0.0) -> Effect:
    mean, low, high = mean_ci(np.asarray(values, dtype=np.float64) - offset, level)
    n = int(np.isfinite(np.asarray(values, dtype=np.float64)).sum())
    return Effect(measure, description, mean, low, high, n)


def paired_difference(
    df: pd.DataFrame,
    *,
    scenario: str,
    low,
    high,
    measure: str,
    pair_on: str = "replicate",
    cluster: str | None = None,
    description: str | None = None,
    level: float = 0.95,
) -> Effect:
    """Mean over replicates of (measure at ``high``) - (measure at ``low``), paired on ``pair_on``.

    ``description`` labels the effect in reports (default: the measure and the two scenarios).
    With ``cluster`` (e.g. ``world_group``: replicates sharing a network), differences are
    averaged within each cluster first and the interval is taken over clusters, the
    independent units.
    """
    part = df[df[scenario].isin([low, high])]
    index = [pair_on] if cluster is None else [cluster, pair_on]
    wide = part.pivot_table(index=index, columns=scenario, values=measure)
    if not {low, high} <= set(wide.columns):
        diff = pd.Series(dtype=np.float64)
    else:
        diff = wide[high] - wide[low]
    if cluster is not None and len(diff):
        diff = diff.groupby(level=cluster).mean()
    description = description or f"{measure} at {scenario}={high} minus at {scenario}={low}"
    return _effect(diff.to_numpy(), measure, description, level)


def paired_slope(
    df: pd.DataFrame, *, x: str, measure: str, pair_on: str = "replicate", description: str | None = None, level: float = 0.95
) -> Effect:
    """Mean over replicates of the least-squares slope of ``measure`` on ``x`` within each replicate."""
    slopes = []
    for _, group in df.groupby(pair_on):
        g = group[[x, measure]].dropna()
        if g[x].nunique() >= 2:
            slopes.append(np.polyfit(g[x].to_numpy(float), g[measure].to_numpy(float), 1)[0])
    return _effect(slopes, measure, description or f"slope of {measure} on {x} (per unit of {x})", level)


def paired_columns_difference(df: pd.DataFrame, *, high: str, low: str, description: str, level: float = 0.95) -> Effect:
    """Mean and CI of ``df[high] - df[low]`` over rows (each row one run)."""
    return _effect((df[high] - df[low]).to_numpy(), f"{high} - {low}", description, level)


def mean_effect(df: pd.DataFrame, *, measure: str, offset: float = 0.0, description: str, level: float = 0.95) -> Effect:
    """Mean and CI of ``df[measure] - offset`` over runs."""
    return _effect(df[measure].to_numpy(), measure, description, level, offset)


def verdict(effect: Effect, *, expected_sign: int, min_effect: float = 0.0) -> str:
    """Turn an effect into "supported", "not supported" or "mixed".

    * supported: the whole CI lies beyond ``min_effect`` on the expected side;
    * not supported: the whole CI lies on the other side, or within ``±min_effect`` of zero;
    * mixed: otherwise (the CI straddles the line: the data cannot tell).
    """
    if expected_sign not in (-1, 1):
        raise ValueError("expected_sign must be +1 or -1")
    low, high = sorted((expected_sign * effect.ci_low, expected_sign * effect.ci_high))
    if not (np.isfinite(low) and np.isfinite(high)):
        return "mixed"
    if low > min_effect:
        return "supported"
    if high < 0 or (min_effect > 0 and -min_effect <= low and high <= min_effect):
        return "not supported"
    return "mixed"
