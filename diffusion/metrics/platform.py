"""Platform-level metrics: reach, channel shares, the simulated survey (P1-P3).

Each metric is a pure function of arrays. The model's DataCollector (:data:`MODEL_REPORTERS`),
the experiment runner and the tests call the same functions, so a number in a figure and a
number in a test mean the same thing.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from diffusion.params import CHANNELS


class PlatformState(Protocol):
    """What the metrics read of a running platform model, by name.

    :class:`diffusion.model.PlatformModel` has these; the metrics do not import it (they sit
    below the model in the package's layers), so any object with them can be measured.
    """

    n_users: int
    behaviour: Any  # BehaviourParams: trust_accept
    items: Any  # ItemStore: purchases, price, stream
    relations: Any  # PairTable with a "following" column
    n_purchases: np.ndarray
    last_purchase_trusted: np.ndarray
    last_purchase_creator: np.ndarray
    recommended: np.ndarray
    campaign_view_step: np.ndarray
    campaign_buy_step: np.ndarray
    views_by_channel: np.ndarray
    purchases_today: int
    gmv_today: float
    format_exposures: np.ndarray
    format_purchases: np.ndarray
    locality_exposures: np.ndarray
    locality_purchases: np.ndarray
    tier_price_exposures: np.ndarray
    tier_price_purchases: np.ndarray
    gift_income: np.ndarray

    def trust_of(self, users: np.ndarray, creators: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


def reached_share(event_step: np.ndarray) -> float:
    """Share of users for whom an event has happened (``event_step >= 0``).

    Used for the reach of the campaign's content and its purchases (W1).
    """
    event_step = np.asarray(event_step)
    return float((event_step >= 0).mean()) if event_step.size else float("nan")


def channel_shares(counts: np.ndarray) -> np.ndarray:
    """Counts per channel (ordered as :data:`~diffusion.params.CHANNELS`) as shares of their sum.

    All NaN when nothing was counted. Measures W4: which channel carries views and follows.
    """
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    return counts / total if total > 0 else np.full(counts.shape, np.nan)


def survey(
    n_purchases: np.ndarray,
    last_purchase_trusted: np.ndarray,
    recommended: np.ndarray,
    trust_in_last_creator: np.ndarray,
    *,
    trust_accept: float,
) -> dict[str, float]:
    """The simulated buyer survey behind claims P1-P3 (source 000 §2.3).

    Every user who has bought at least once answers three questions, computed from their state
    as a survey would ask them:

    * ``survey_trust_share`` (P1, target 0.32): their latest purchase was made because they
      trusted the creator (the trust route of the purchase rule, not peer reinforcement);
    * ``survey_recommend_share`` (P2, target > 0.40): they recommended a purchase to family or
      friends;
    * ``survey_accept_again_share`` (P3, target 0.84): their trust in the creator of their
      latest purchase is at least ``trust_accept``, i.e. they would accept that creator's
      recommendations again.

    Returns NaN shares and ``n_buyers = 0`` when nobody has bought.
    """
    buyers = np.asarray(n_purchases) > 0
    n_buyers = int(buyers.sum())
    if n_buyers == 0:
        nan = float("nan")
        return {"n_buyers": 0, "survey_trust_share": nan, "survey_recommend_share": nan,
                "survey_accept_again_share": nan}
    return {
        "n_buyers": n_buyers,
        "survey_trust_share": float(np.asarray(last_purchase_trusted)[buyers].mean()),
        "survey_recommend_share": float(np.asarray(recommended)[buyers].mean()),
        "survey_accept_again_share": float(
            (np.asarray(trust_in_last_creator)[buyers] >= trust_accept).mean()
        ),
    }


def model_survey(model: PlatformState) -> dict[str, float]:
    """Run :func:`survey` on a model's current state."""
    buyers = np.flatnonzero(model.n_purchases > 0)
    trust_last = np.zeros(model.n_users)
    if buyers.size:
        trust_last[buyers], _ = model.trust_of(buyers, model.last_purchase_creator[buyers])
    return survey(
        model.n_purchases,
        model.last_purchase_trusted,
        model.recommended,
        trust_last,
        trust_accept=model.behaviour.trust_accept,
    )


# ---- DataCollector reporters: named functions of the model, one per trajectory column.
def campaign_reach_share(model: PlatformState) -> float:
    """Share of users who have viewed a campaign item (content sharing, W1)."""
    return reached_share(model.campaign_view_step)


def campaign_purchase_share(model: PlatformState) -> float:
    """Share of users who have bought a campaign item (purchase adoption, W1)."""
    return reached_share(model.campaign_buy_step)


def views_total(model: PlatformState) -> int:
    """Views (first exposures) so far, all items and channels."""
    return int(model.views_by_channel.sum())


def purchases_today(model: PlatformState) -> int:
    """Purchases made on the current day."""
    return model.purchases_today


def gmv_today(model: PlatformState) -> float:
    """Gross merchandise value of the current day's purchases (yuan)."""
    return model.gmv_today


def follows_total(model: PlatformState) -> int:
    """Follow relations existing now."""
    return int(model.relations["following"].sum())


MODEL_REPORTERS = {
    "campaign_reach_share": campaign_reach_share,
    "campaign_purchase_share": campaign_purchase_share,
    "views_total": views_total,
    "purchases": purchases_today,
    "gmv": gmv_today,
    "follows_total": follows_total,
}


def channel_columns(prefix: str, counts: np.ndarray) -> dict[str, float]:
    """``{prefix}_{channel}_share`` columns from per-channel counts (W4)."""
    return {f"{prefix}_{name}_share": float(v) for name, v in zip(CHANNELS, channel_shares(counts))}
