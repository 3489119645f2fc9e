"""Statistics over replicates: means with t intervals, paired effects and the one verdict rule.

Every stochastic result of the package is reported as a mean over replicates with a 95%
Student-t confidence interval. Effects between scenarios are computed within each replicate
first (replicate r shares its seeds across scenarios), then averaged: a paired design whose
intervals are narrower than those of independent samples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class Effect:
    """An estimated effect with its confidence interval.

    ``deterministic`` marks a quantity with no sampling variation by construction (a fixed
    cost, a count set by the design): it is reported as a fact, never judged (:func:`judge`).
    """

    measure: str
    description: str
    estimate: float
    ci_low: float
    ci_high: float
    n: int
    deterministic: bool = False


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


#: The four verdicts of the rule, in the order the legend lists them, then the two labels for
#: results that are not judged.
SUPPORTED, CONTRADICTED, NEGLIGIBLE, INCONCLUSIVE = "supported", "contradicted", "negligible", "inconclusive"
NOT_MEASURABLE, FACT = "not measurable", "fact"
VERDICTS = (SUPPORTED, CONTRADICTED, NEGLIGIBLE, INCONCLUSIVE)


@dataclass(frozen=True)
class Judgement:
    """A verdict and the reason for it, in one sentence."""

    verdict: str
    reason: str


@dataclass(frozen=True)
class Rule:
    """One outcome of the verdict rule: its name, its condition on the interval and the legend text.

    ``applies(low, high, sesoi)`` receives the 95% interval on the claimed scale (multiplied by
    the claim's direction, so that "the claimed direction" is always upwards) and the smallest
    effect of interest; the first rule that applies gives the verdict.
    """

    verdict: str
    applies: Callable[[float, float, float], bool]
    legend: str


#: The rule for a directional claim (the claim says the effect goes one way), after Lakens'
#: equivalence testing (two one-sided tests). Boundaries belong to the weaker outcome: an
#: interval touching +SESOI is not "entirely beyond" it.
DIRECTIONAL_RULES: tuple[Rule, ...] = (
    Rule(SUPPORTED, lambda low, high, sesoi: low > sesoi,
         "the whole interval lies beyond the smallest effect of interest in the claimed direction"),
    Rule(CONTRADICTED, lambda low, high, sesoi: high < -sesoi,
         "the whole interval lies beyond the smallest effect of interest in the opposite direction"),
    Rule(NEGLIGIBLE, lambda low, high, sesoi: -sesoi < low and high < sesoi,
         "the whole interval lies within plus or minus the smallest effect of interest: any effect is too small to matter"),
    Rule(INCONCLUSIVE, lambda low, high, sesoi: True,
         "otherwise: the interval reaches across a boundary, so the data cannot tell"),
)

#: The rule for a claim of equivalence (the claim says the effect is nil, e.g. D5 "one node
#: failing has little effect", or a figure the model should reproduce, e.g. R2's 26%).
EQUIVALENCE_RULES: tuple[Rule, ...] = (
    Rule(SUPPORTED, lambda low, high, sesoi: -sesoi < low and high < sesoi,
         "(claims of no effect, or of the source's figure) the whole interval lies within plus or minus the smallest effect of interest"),
    Rule(CONTRADICTED, lambda low, high, sesoi: low > sesoi or high < -sesoi,
         "(claims of no effect, or of the source's figure) the whole interval lies beyond the smallest effect of interest, on either side"),
    Rule(INCONCLUSIVE, lambda low, high, sesoi: True,
         "(claims of no effect, or of the source's figure) otherwise"),
)

#: Legend text of the two results that are not verdicts.
NOT_JUDGED = {
    NOT_MEASURABLE: "the estimate or its interval is undefined (no finite value, fewer than 2 independent "
                    "units, or replicates that do not vary at all): no verdict is drawn from it",
    FACT: "a quantity with no sampling variation by construction (a set cost, a design count): reported, not judged",
}


def rules_for(direction: int) -> tuple[Rule, ...]:
    """The rule table for a claimed direction: +1 or -1 (directional) or 0 (equivalence)."""
    if direction in (-1, 1):
        return DIRECTIONAL_RULES
    if direction == 0:
        return EQUIVALENCE_RULES
    raise ValueError(f"direction must be +1, -1 or 0, not {direction!r}")


def judge(effect: Effect, *, direction: int, sesoi: float) -> Judgement:
    """Judge an effect against a smallest effect of interest (SESOI) with its 95% interval.

    Parameters
    ----------
    effect : Effect
        The estimate and its 95% confidence interval.
    direction : int
        +1 or -1: the direction the claim predicts; 0: the claim predicts no effect (or the
        effect is a difference from the source's figure that should vanish).
    sesoi : float
        The smallest effect of interest, positive, in the effect's unit (declared per claim in
        :mod:`diffusion.claims`).

    Returns
    -------
    Judgement
        ``supported``, ``contradicted``, ``negligible`` or ``inconclusive`` (the first rule of
        :func:`rules_for` that applies), or ``not measurable`` / ``fact`` with the reason.

    Notes
    -----
    Equivalence-testing logic (two one-sided tests): an interval entirely beyond +SESOI shows an
    effect that matters in the claimed direction; entirely within ±SESOI shows any effect is too
    small to matter. The 95% interval is used for every boundary, which makes the equivalence
    decision conservative (TOST at level 0.05 needs only the 90% interval).

    References
    ----------
    .. [1] Lakens, D. (2017). Equivalence tests: a practical primer for t tests, correlations,
       and meta-analyses. Social Psychological and Personality Science 8(4), 355-362.
       https://doi.org/10.1177/1948550617697177
    """
    rules = rules_for(direction)
    if not (np.isfinite(sesoi) and sesoi > 0):
        raise ValueError(f"the smallest effect of interest must be a positive number, not {sesoi!r}")
    if effect.deterministic:
        return Judgement(FACT, "no sampling variation by construction")
    values = (effect.estimate, effect.ci_low, effect.ci_high)
    if not all(np.isfinite(v) for v in values):
        return Judgement(NOT_MEASURABLE, f"the estimate or its interval is undefined (n={effect.n})")
    if effect.n < 2:
        return Judgement(NOT_MEASURABLE, f"fewer than 2 independent units (n={effect.n})")
    if effect.ci_high - effect.ci_low <= 0:
        return Judgement(NOT_MEASURABLE, f"the {effect.n} replicates do not vary (zero variance), so there is no interval")
    sign = direction if direction else 1
    low, high = sorted((sign * effect.ci_low, sign * effect.ci_high))
    for rule in rules:
        if rule.applies(low, high, sesoi):
            return Judgement(rule.verdict, rule.legend)
    raise AssertionError("the last rule always applies")  # pragma: no cover


#: How the parts of a claim combine into its verdict (declared per claim in the registry).
COMBINE_RULES = {
    "single": "the claim has one part; its verdict is the claim's",
    "all parts": "the claim holds only if every part does: supported when all parts are supported; "
                 "contradicted when any part is contradicted; otherwise negligible when any part is negligible; "
                 "otherwise not measurable when any part is; otherwise inconclusive",
    "primary part": "the first (primary) part decides; the others are reported beside it",
}


def combine(verdicts: list[str], rule: str) -> str:
    """Combine the parts' verdicts of a claim by a rule of :data:`COMBINE_RULES`."""
    if rule not in COMBINE_RULES:
        raise ValueError(f"unknown combining rule {rule!r}; known: {', '.join(COMBINE_RULES)}")
    if not verdicts:
        return NOT_MEASURABLE
    if rule in ("single", "primary part"):
        return verdicts[0]
    if all(v == SUPPORTED for v in verdicts):
        return SUPPORTED
    for outcome in (CONTRADICTED, NEGLIGIBLE, NOT_MEASURABLE):
        if outcome in verdicts:
            return outcome
    return INCONCLUSIVE


def legend(directions: set[int] | None = None) -> list[str]:
    """The verdict legend, one line per outcome, generated from the rule tables themselves.

    ``directions``: the claimed directions present in a report (default: both kinds of rule).
    """
    directions = {1, 0} if directions is None else directions
    lines = []
    tables = [DIRECTIONAL_RULES] if directions & {1, -1} else []
    if 0 in directions:
        tables.append(EQUIVALENCE_RULES)
    for table in tables:
        lines += [f"*{rule.verdict}*: {rule.legend}." for rule in table]
    lines += [f"*{name}*: {text}." for name, text in NOT_JUDGED.items()]
    return lines
