"""Reporting tables of a run: one row per creator, one row per item's cascade, the run's outcomes.

Named functions of the model's state (read by name; :class:`diffusion.metrics.platform.PlatformState`),
so the runner, the notebook user and the tests build the same tables. Every experiment's
analysis reads these tables only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from diffusion.metrics.cascades import shapes_of_runs
from diffusion.metrics.inequality import time_to_fraction
from diffusion.metrics.platform import (
    PlatformState,
    campaign_purchase_share,
    campaign_reach_share,
    channel_columns,
    model_survey,
)
from diffusion.params import CHANNELS

#: Follower counts whose first passing day is recorded per creator (S5: time to a milestone).
FOLLOWER_MILESTONES: tuple[int, ...] = (10, 25, 50, 100)


def cascade_frame(store, items, size, peer_size, depth, virality) -> pd.DataFrame:
    """One row per item's cascade: the item's attributes (from the item ``store``), the shape
    of its tree (size, viewers reached through peers, depth, structural virality; W2), its
    sales, and its audience by channel of first view (P4: private vs public traffic)."""
    it = store
    by_channel = it.views_by_channel[items]
    return pd.DataFrame(
        {
            "item": items,
            "creator": it.creator[items],
            "product": it.product[items],
            "campaign": it.campaign[items],
            "stream": it.stream[items],
            "announced": it.announced[items],
            "local": it.local[items],
            "household": it.household[items],
            "created": it.created[items],
            "expires": it.expires[items],
            "size": size,
            "peer_size": peer_size,
            "depth": depth,
            "structural_virality": virality,
            "purchases": it.purchases[items],
            "gmv": it.purchases[items] * it.price[items],
            # Audience of the item by channel of first view (P4: private vs public traffic)
            **{f"views_{name}": by_channel[:, k] for k, name in enumerate(CHANNELS)},
        }
    )


def cascades_of_runs(exposures, store, start: np.ndarray, stop: np.ndarray) -> pd.DataFrame:
    """Size, depth and structural virality of the cascade trees of the items whose rows
    in the ``exposures`` table are ``[start[i], stop[i])`` (increasing; empty runs skipped).

    Each item's tree has the creator's post as root; a viewer's parent is the tie whose
    share they saw first, or the root when a platform channel showed them the item
    (W2; structural virality after Goel et al. 2016). A sharer always has a row for the
    item (a share follows a view), so every parent is found.
    """
    ex = exposures
    nonempty = stop > start
    start, stop = start[nonempty], stop[nonempty]
    items = ex.keys[start] // ex.n_second
    size, peer_size, max_depth, virality = shapes_of_runs(
        ex.keys, ex["parent"], ex["first_step"], start, stop, ex.n_second
    )
    return cascade_frame(store, items, size, peer_size, max_depth, virality)

def empty_cascades(store, items: np.ndarray) -> pd.DataFrame:
    """Cascade rows of items nobody viewed (size 0)."""
    zeros = np.zeros(items.size, dtype=np.int64)
    return cascade_frame(store, items, zeros, zeros, zeros, np.full(items.size, np.nan))


def creators_table(model: PlatformState) -> pd.DataFrame:
    """One row per creator: audience, growth, income and the newcomer milestone.

    ``income`` is the gross value of sales of the creator's products (yuan); a creator
    "earns" when it is positive (R2). ``milestone_step`` is the day the creator's items
    passed ``MILESTONE_VIEWS`` views in total, -1 if never (D1). ``focal`` marks the
    accounts that follow the run's strategy, ``strategy_cost`` what it cost them (yuan,
    S1-S4); ``followers_N_step`` is the day the creator first had N followers (-1: never,
    0 also when it started with them; S5). ``stream_*`` are live-stream totals (S3, P8),
    ``interactions`` stream comments received (P5), ``households_with_income`` and
    ``household_income`` the neighbours whose produce the creator sold and what they
    received (R4).
    """
    c, it, n = model.creators, model.items, model.n_users
    by_channel = np.zeros((n, len(CHANNELS)), dtype=np.int64)
    np.add.at(by_channel, it.creator, it.views_by_channel)
    value = it.purchases * it.price
    income = np.bincount(it.creator, weights=value, minlength=n)
    sales = np.bincount(it.creator, weights=it.purchases, minlength=n)
    n_items = np.bincount(it.creator, minlength=n)
    stream_views = np.bincount(it.creator, weights=it.views * it.stream, minlength=n)
    stream_sales = np.bincount(it.creator, weights=it.purchases * it.stream, minlength=n)
    stream_income = np.bincount(it.creator, weights=value * it.stream, minlength=n)
    # R4: distinct households whose produce sold, and what they received, per seller
    sold = (it.household >= 0) & (it.purchases > 0)
    pairs = np.unique(it.creator[sold] * n + it.household[sold])
    households = np.bincount(pairs // n, minlength=n)
    household_income = np.bincount(it.creator[sold], weights=value[sold], minlength=n)
    milestones = {
        f"followers_{m}_step": model.follower_milestone_step[c, k] for k, m in enumerate(FOLLOWER_MILESTONES)
    }
    return pd.DataFrame(
        {
            "creator": c,
            "poor": model.user_poor[c],
            "city_tier": model.society.city_tier[model.user_city[c]],
            "present": np.ones(c.size, bool) if model.present is None else model.present[c],
            "initial_followers": model.initial_followers[c],
            "followers": model.follower_count[c],
            "n_items": n_items[c],
            "views": model.creator_views[c],
            **{f"views_{name}": by_channel[c, k] for k, name in enumerate(CHANNELS)},
            "milestone_step": model.milestone_step[c],
            "sales": sales[c].astype(np.int64),
            "income": income[c],
            "focal": model.is_focal[c],
            "focal_strategy": np.where(model.is_focal[c], model.strategy.name, ""),
            "strategy_cost": model.strategy_cost[c],
            "promotion_impressions": model.promotion_impressions[c],
            **milestones,
            "engagement": model.engagement[c],
            "merchant": model.merchant[c],
            "n_streams": model.n_streams[c],
            "stream_views": stream_views[c].astype(np.int64),
            "stream_sales": stream_sales[c].astype(np.int64),
            "stream_income": stream_income[c],
            "interactions": model.interactions[c],
            "gift_income": model.gift_income[c],
            "households_with_income": households[c],
            "household_income": household_income[c],
        }
    )


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else float("nan")


def conversion_at_equal_sources(exposures: np.ndarray, purchases: np.ndarray, reinforcement: int) -> tuple[float, float]:
    """Peer-route conversion of same-circle and other-circle ties at equal numbers of distinct sources (W3).

    Parameters
    ----------
    exposures, purchases : numpy.ndarray, shape (2, K)
        Peer-route purchase decisions and purchases, row 0 by a tie of the viewer's circle, row 1
        by a tie of another circle; column ``k`` holds decisions at ``k + 1`` distinct sources
        (the last column: ``K`` or more).
    reinforcement : int
        Fewest distinct sources at which the peer route can buy (``behaviour.reinforcement``).

    Returns
    -------
    (float, float)
        Conversion of each row, direct-standardised to the pooled number of decisions per stratum,
        over the strata where the rule allows a peer purchase and both rows have decisions (NaN
        when there is none).

    Notes
    -----
    Tests W3 (source 000 §3.2). The purchase rule's reinforcement rewards a second source, and a
    same-circle delivery is more often a user's second exposure (its circle shares the item too),
    so the crude ratio of purchases to deliveries mixes homophily with reinforcement. Comparing
    within strata of distinct sources, weighted alike for both rows, removes the second part.
    """
    exposures, purchases = np.asarray(exposures, dtype=np.float64), np.asarray(purchases, dtype=np.float64)
    eligible = np.arange(exposures.shape[1]) + 1 >= reinforcement
    eligible[-1] = True  # the open last stratum always reaches the threshold once K >= it
    usable = eligible & (exposures > 0).all(axis=0)
    if not usable.any():
        return float("nan"), float("nan")
    weight = exposures[:, usable].sum(axis=0)
    rate = purchases[:, usable] / exposures[:, usable]
    same, cross = (rate * weight).sum(axis=1) / weight.sum()
    return float(same), float(cross)


def _second_source_share(exposures: np.ndarray, row: int) -> float:
    """Share of a row's peer-route decisions that came with two or more distinct sources (W3)."""
    return _ratio(exposures[row, 1:].sum(), exposures[row].sum())


def run_outcomes(model: PlatformState, trajectory: pd.DataFrame, cascades: pd.DataFrame) -> dict[str, Any]:
    """End-of-run measures of one run (W1-W4, P1-P3), computed with the shared metrics."""
    steps = trajectory["step"].to_numpy()
    campaign = cascades[cascades["campaign"]]
    views_by_channel = model.views_by_channel
    result: dict[str, Any] = {
        # W1: content sharing (simple contagion) and purchase adoption (complex contagion)
        "content_reach_share": campaign_reach_share(model),
        "content_time_to_half": time_to_fraction(trajectory["campaign_reach_share"], 0.5, steps=steps),
        "purchase_reach_share": campaign_purchase_share(model),
        "purchase_time_to_half": time_to_fraction(trajectory["campaign_purchase_share"], 0.5, steps=steps),
        "content_cross_circle_share": _ratio(model.share_views_cross_circle, views_by_channel[0]),
        "purchase_cross_circle_share": _ratio(model.peer_purchases[1], model.peer_purchases.sum()),
        # W3: conversion of product deliveries from ties inside vs outside the circle
        "conversion_same_circle": _ratio(model.peer_purchases[0], model.peer_deliveries[0]),
        "conversion_cross_circle": _ratio(model.peer_purchases[1], model.peer_deliveries[1]),
        # W3 at equal numbers of distinct sources (the reinforcement confound removed)
        **dict(zip(("conversion_same_circle_equal_sources", "conversion_cross_circle_equal_sources"),
                   conversion_at_equal_sources(model.peer_exposures, model.peer_exposure_purchases,
                                               model.behaviour.reinforcement))),
        "second_source_share_same_circle": _second_source_share(model.peer_exposures, 0),
        "second_source_share_cross_circle": _second_source_share(model.peer_exposures, 1),
        # W2: the campaign's cascade trees
        "campaign_cascade_size": float(campaign["size"].mean()) if len(campaign) else float("nan"),
        "campaign_peer_share": _ratio(campaign["peer_size"].sum(), campaign["size"].sum()),
        "campaign_cascade_depth": float(campaign["depth"].mean()) if len(campaign) else float("nan"),
        "campaign_structural_virality": float(campaign["structural_virality"].mean())
        if len(campaign)
        else float("nan"),
        "purchases_total": int(model.items.purchases.sum()),
        "gmv_total": float((model.items.purchases * model.items.price).sum()),
        "realised_mean_degree": float(model.society.csr.degree().mean()),
    }
    result.update(channel_columns("views", views_by_channel))
    result.update(channel_columns("follows", model.follows_by_channel))
    result.update(model_survey(model))
    return result
