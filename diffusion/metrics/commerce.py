"""Commerce and creator-growth outcomes: strategies, streams, tiers, locality, households.

Pure functions of a run's creators table (and the model's running counters for conversion), so
the runner, the analyses and the tests compute them the same way. Claims: S1-S5 (growth of
focal accounts and its cost), P5/P6 (sales by follower tier and engagement), P7/P8 (conversion
by locality and format), R1 (local merchants), R4 (households a leader sells for).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diffusion.metrics.creators import restricted_mean_time
from diffusion.metrics.platform import PlatformState

#: Population the source's absolute figures refer to: about 300 million daily active users on
#: Kuaishou in 2020 (an outside figure, assumed; the sources give none). Used to scale follower
#: counts and tier boundaries to a simulated population (S2, S5, P6).
PLATFORM_USERS = 300_000_000
#: Follower tiers in the source's units (P6: 100k-1M is the tier with the largest GMV share).
TIER_BOUNDS: tuple[float, ...] = (10_000, 100_000, 1_000_000)
TIER_NAMES: tuple[str, ...] = ("<10k", "10k-100k", "100k-1M", ">=1M")


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else float("nan")


def conversion_outcomes(model: PlatformState) -> dict[str, float]:
    """Purchases per purchasable product exposure, by format (P8; all viewers, and viewers who
    trust the creator at least ``trust_threshold``) and locality (P7), and stream and gift totals."""
    fe, fp = model.format_exposures, model.format_purchases
    le, lp = model.locality_exposures, model.locality_purchases
    it = model.items
    return {
        "conversion_short_video": _ratio(fp[0].sum(), fe[0].sum()),
        "conversion_live": _ratio(fp[1].sum(), fe[1].sum()),
        # like for like: viewers who trust the creator enough to buy on one exposure
        "conversion_short_video_trusted": _ratio(fp[0, 1], fe[0, 1]),
        "conversion_live_trusted": _ratio(fp[1, 1], fe[1, 1]),
        "conversion_nonlocal": _ratio(lp[0], le[0]),
        "conversion_local": _ratio(lp[1], le[1]),
        "stream_gmv_total": float((it.purchases * it.price * it.stream).sum()),
        **price_tier_outcomes(model.tier_price_exposures, model.tier_price_purchases),
        "gift_income_total": float(model.gift_income.sum()),
    }


#: City tiers counted as "lower-tier" (the source's third- and fourth-tier cities and below, R5).
LOWER_TIERS = (3, 4, 5)


def price_tier_outcomes(exposures: np.ndarray, purchases: np.ndarray) -> dict[str, float]:
    """Conversion and sales shares by price and city tier (R5, source 000 §1.3, §4.1).

    ``exposures`` and ``purchases`` count purchasable product exposures and purchases by the
    viewer's city tier (rows 1-5) and price (column 0: dearer than the reference price, 1: not
    dearer, "low-price"). Lower tiers are :data:`LOWER_TIERS`; upper tiers the others.
    ``low_price_sales_share`` is the low-price goods' share of purchases and
    ``low_price_exposure_share`` their share of exposures, what price-blind buyers would buy;
    ``lower_tier_exposure_share`` is the lower tiers' share of the exposures (the audience).
    """
    lower = np.isin(np.arange(1, 6), LOWER_TIERS)
    out = {}
    for group, rows in (("lower", lower), ("upper", ~lower)):
        e, b = exposures[rows].sum(axis=0), purchases[rows].sum(axis=0)
        out[f"conversion_low_price_{group}_tier"] = _ratio(b[1], e[1])
        out[f"conversion_high_price_{group}_tier"] = _ratio(b[0], e[0])
        out[f"low_price_sales_share_{group}_tier"] = _ratio(b[1], b.sum())
    out["low_price_sales_share"] = _ratio(purchases[:, 1].sum(), purchases.sum())
    out["low_price_exposure_share"] = _ratio(exposures[:, 1].sum(), exposures.sum())
    out["lower_tier_sales_share"] = _ratio(purchases[lower].sum(), purchases.sum())
    out["lower_tier_exposure_share"] = _ratio(exposures[lower].sum(), exposures.sum())
    return out


def scaled_followers(followers: float, n_users: int) -> float:
    """A follower count in the source's units, scaled to a population of ``n_users``."""
    return followers * n_users / PLATFORM_USERS


def tier_of(followers: np.ndarray, n_users: int) -> np.ndarray:
    """The source's follower tier (:data:`TIER_NAMES`) of each count, boundaries scaled to the
    population (P6)."""
    bounds = np.array([scaled_followers(b, n_users) for b in TIER_BOUNDS])
    return np.asarray(TIER_NAMES, dtype=object)[np.searchsorted(bounds, np.asarray(followers), side="right")]


#: Follower milestone whose passing day measures a new account's take-off (S5).
NEWCOMER_MILESTONE = 10


def strategy_outcomes(creators: pd.DataFrame, horizon: int) -> dict[str, float]:
    """Follower growth and cost of the focal creators (S1-S5, R4); NaN when there are none.

    ``focal_follower_gain`` is the mean gain over focal accounts, ``focal_newcomer_gain`` over
    focal accounts that started with none, ``focal_cost`` the mean cost (yuan) and
    ``focal_gain_per_100_yuan`` the gain per 100 yuan of cost (NaN for a free strategy).
    ``focal_newcomer_days_to_10`` is the restricted mean number of days (over ``horizon``) a
    focal newcomer took to reach :data:`NEWCOMER_MILESTONE` followers (S5).
    """

    focal = creators[creators["focal"]] if "focal" in creators else creators.iloc[:0]
    gain = (focal["followers"] - focal["initial_followers"]).to_numpy(np.float64)
    new = (focal["initial_followers"] == 0).to_numpy()
    cost = focal["strategy_cost"].to_numpy(np.float64) if len(focal) else np.zeros(0)
    nan = float("nan")
    households = focal["households_with_income"].to_numpy(np.float64) if len(focal) else np.zeros(0)
    return {
        "n_focal": int(len(focal)),
        "focal_follower_gain": float(gain.mean()) if gain.size else nan,
        "focal_newcomer_gain": float(gain[new].mean()) if new.any() else nan,
        "focal_newcomer_days_to_10": restricted_mean_time(
            focal[f"followers_{NEWCOMER_MILESTONE}_step"].to_numpy()[new], horizon
        ) if new.any() else nan,
        "focal_cost": float(cost.mean()) if cost.size else nan,
        "focal_gain_per_100_yuan": _ratio(100.0 * gain.sum(), cost.sum()) if cost.size else nan,
        "focal_impressions": float(focal["promotion_impressions"].mean()) if len(focal) else nan,
        "focal_income": float(focal["income"].mean()) if len(focal) else nan,
        "focal_households": float(households.mean()) if households.size else nan,
        "focal_income_per_household": _ratio(focal["household_income"].sum(), households.sum()) if len(focal) else nan,
    }
