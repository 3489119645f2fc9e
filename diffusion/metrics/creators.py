"""Creator-level outcomes: concentration of attention, newcomers, income, traffic stability.

Pure functions of a run's creators table (:meth:`diffusion.model.PlatformModel.creators_table`)
and cascades table, so the runner, the analyses and the tests compute them the same way.
Claims: D1-D4 (concentration, newcomers, diversity), P4 (stability of private vs public
traffic), R2/R3 (who earns).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diffusion.metrics.inequality import gini, shannon_entropy, top_share

#: Views that count as "being seen" for a newcomer (D1: time to first 100 views).
MILESTONE_VIEWS = 100
#: Fewest complete posts a creator needs for a per-post coefficient of variation (P4).
MIN_POSTS_FOR_CV = 3


def normalised_entropy(counts) -> float:
    """Shannon entropy of ``counts`` over ``log(len(counts))``: 1 when attention is spread
    evenly over every unit, 0 when one unit has it all (diversity of what was seen, D2)."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.size < 2 or counts.sum() == 0:
        return float("nan")
    return shannon_entropy(counts, base=np.e) / np.log(counts.size)


def restricted_mean_time(event_step: np.ndarray, horizon: int) -> float:
    """Restricted mean time to an event over ``horizon`` days, counting days from 1.

    ``event_step`` is the 0-based day of the event, -1 if it never happened (censored at
    ``horizon``). The restricted mean survival time is the area under the Kaplan-Meier curve up
    to the horizon; with a common censoring time it equals this plain mean.
    """
    event_step = np.asarray(event_step)
    if event_step.size == 0:
        return float("nan")
    days = np.where(event_step >= 0, event_step + 1, horizon)
    return float(np.minimum(days, horizon).mean())


def survival_curve(event_step: np.ndarray, horizon: int) -> pd.DataFrame:
    """Share of units still without the event after each day ``0..horizon`` (D1 figure)."""
    event_step = np.asarray(event_step)
    day = np.arange(horizon + 1)
    if event_step.size == 0:
        return pd.DataFrame({"day": day, "surviving": np.nan})
    happened = np.where(event_step >= 0, event_step + 1, horizon + 1)
    surviving = 1.0 - np.searchsorted(np.sort(happened), day, side="right") / event_step.size
    return pd.DataFrame({"day": day, "surviving": surviving})


def creator_outcomes(creators: pd.DataFrame, horizon: int) -> dict[str, float]:
    """End-of-run measures over the creators still present (D1-D4, R2, R3).

    Newcomers are creators who started with no followers (``network.newcomer_share``).
    """
    present = creators[creators["present"]]
    views = present["views"].to_numpy()
    income = present["income"].to_numpy()
    earning = income > 0
    poor = present["poor"].to_numpy()
    newcomers = present[present["initial_followers"] == 0]
    nan = float("nan")
    return {
        "creators": int(len(present)),
        "views_gini": gini(views) if views.size else nan,
        "views_top1_share": top_share(views, 0.01) if views.size else nan,
        "creators_any_views_share": float((views >= 1).mean()) if views.size else nan,
        "creators_100_views_share": float((views >= MILESTONE_VIEWS).mean()) if views.size else nan,
        "view_entropy": normalised_entropy(views),
        "newcomers": int(len(newcomers)),
        "newcomer_100_views_share": float((newcomers["milestone_step"] >= 0).mean()) if len(newcomers) else nan,
        "newcomer_days_to_100_views": restricted_mean_time(newcomers["milestone_step"].to_numpy(), horizon),
        "earners_share": float(earning.mean()) if income.size else nan,
        "poor_creator_share": float(poor.mean()) if poor.size else nan,
        "poor_earner_share": float(poor[earning].mean()) if earning.any() else nan,
        "income_gini": gini(income) if income.size else nan,
        "poor_income_mean": float(income[poor].mean()) if poor.any() else nan,
        "other_income_mean": float(income[~poor].mean()) if (~poor).any() else nan,
    }


def excess_cv(values) -> float:
    """Coefficient of variation beyond counting noise: ``sqrt(max(CV^2 - 1/mean, 0))``.

    Audiences are counts; even a perfectly steady rate gives Poisson scatter with
    ``CV^2 = 1/mean``, which alone makes small audiences look erratic. Subtracting it leaves
    the variation of the underlying rate (the overdispersion), which is what "stable and
    predictable" is about (P4). NaN for fewer than 2 values or a zero mean.
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size < 2 or x.mean() == 0:
        return float("nan")
    return float(np.sqrt(max(x.var(ddof=1) / x.mean() ** 2 - 1.0 / x.mean(), 0.0)))


def traffic_stability(cascades: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Per creator: variability across posts of the audience from followers (private domain)
    and from the platform's public feeds (discovery and same city) (P4).

    Columns ``*_mean``, ``*_cv`` (plain coefficient of variation, as
    :func:`diffusion.metrics.inequality.coefficient_of_variation`) and ``*_excess_cv`` (beyond
    counting noise, :func:`excess_cv`). Only ordinary posts whose
    whole life fell inside the run count (campaign items and items still live at the end are
    left out); creators need :data:`MIN_POSTS_FOR_CV` such posts.
    """
    done = cascades[~cascades["campaign"] & (cascades["expires"] <= horizon)]
    creator, which = np.unique(done["creator"].to_numpy(), return_inverse=True)
    n = np.bincount(which, minlength=creator.size).astype(np.float64)
    keep = n >= MIN_POSTS_FOR_CV
    columns: dict[str, np.ndarray] = {"creator": creator[keep]}
    audiences = {
        "private": done["views_follow"].to_numpy(np.float64),
        "public": (done["views_discovery"] + done["views_same_city"]).to_numpy(np.float64),
    }
    for side, x in audiences.items():
        # Grouped mean and sample variance from sums (one pass, no per-creator Python loop).
        total = np.bincount(which, weights=x, minlength=creator.size)
        squares = np.bincount(which, weights=x * x, minlength=creator.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / n
            var = np.maximum(squares - n * mean**2, 0.0) / (n - 1)
            cv = np.where(mean > 0, np.sqrt(var) / mean, np.nan)
            excess = np.where(mean > 0, np.sqrt(np.maximum(var / mean**2 - 1.0 / mean, 0.0)), np.nan)
        columns[f"{side}_mean"] = mean[keep]
        columns[f"{side}_cv"] = cv[keep]
        columns[f"{side}_excess_cv"] = excess[keep]
    return pd.DataFrame(columns)


def stability_outcomes(cascades: pd.DataFrame, horizon: int) -> dict[str, float]:
    """Median over creators of the per-post audience variability, private vs public (P4)."""
    table = traffic_stability(cascades, horizon)
    names = {
        "private_audience_cv": "private_cv", "public_audience_cv": "public_cv",
        "private_audience_excess_cv": "private_excess_cv", "public_audience_excess_cv": "public_excess_cv",
    }
    return {
        out: float(table[column].median()) if len(table) else float("nan") for out, column in names.items()
    }
