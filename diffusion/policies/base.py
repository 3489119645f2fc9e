"""The interface between the platform model and an exposure policy.

Each day the model decides how many discovery slots there are (the impression budget, fixed by
the number of active users, ``platform.feed_size`` and the channel weights) and asks the policy
which live items fill them. A policy sees a read-only :class:`FeedState` snapshot and returns
exactly ``n_slots`` item ids. Because the model, not the policy, fixes the budget, every policy
spends the same number of impressions (claims D1-D4 compare policies on that basis).

To add a policy: subclass :class:`ExposurePolicy` in one module, implement :meth:`allocate`,
and add a config file ``conf/platform/NAME.yaml`` whose ``policy._target_`` names the class.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class FeedState:
    """What a policy may read on day ``step``. Arrays are views: do not modify them.

    Attributes
    ----------
    step : int
        The current day.
    live_items : numpy.ndarray of int64
        Ids of the items eligible for exposure today (posted and not expired).
    item_creator, item_appeal, item_created, item_views, item_shares, item_purchases : numpy.ndarray
        Per-item attributes indexed by item id (all items ever posted, live or not).
    creator_followers : numpy.ndarray of int64
        Current follower count of every user (0 for non-creators), indexed by user id.
    creator_poor : numpy.ndarray of bool
        Whether each user lives in a poor-region city (claims R2, R3).
    """

    step: int
    live_items: np.ndarray
    item_creator: np.ndarray
    item_appeal: np.ndarray
    item_created: np.ndarray
    item_views: np.ndarray
    item_shares: np.ndarray
    item_purchases: np.ndarray
    creator_followers: np.ndarray
    creator_poor: np.ndarray


class ExposurePolicy(ABC):
    """How the platform fills discovery slots. Subclasses must spend exactly ``n_slots``."""

    #: Short name used in configs, tables and plots.
    name: str = "policy"

    @abstractmethod
    def allocate(self, state: FeedState, n_slots: int, *, rng: np.random.Generator) -> np.ndarray:
        """Return ``n_slots`` item ids (from ``state.live_items``) for today's discovery slots."""

    def __call__(self, state: FeedState, n_slots: int, *, rng: np.random.Generator) -> np.ndarray:
        if n_slots == 0 or state.live_items.size == 0:
            return np.zeros(0, dtype=np.int64)
        items = np.asarray(self.allocate(state, n_slots, rng=rng), dtype=np.int64)
        if items.shape != (n_slots,):
            raise RuntimeError(
                f"policy {self.name!r} returned {items.shape[0]} items for {n_slots} slots; "
                "a policy must fill exactly the slots it is given (equal impression budgets)"
            )
        return items


def sample_weighted(
    items: np.ndarray, weights: np.ndarray, n_slots: int, *, rng: np.random.Generator
) -> np.ndarray:
    """Draw ``n_slots`` items with replacement, with probability proportional to ``weights``.

    Falls back to uniform sampling when every weight is zero.
    """
    weights = np.asarray(weights, dtype=np.float64)
    total = weights.sum()
    if not total > 0:
        return items[rng.integers(0, items.size, size=n_slots)]
    cumulative = np.cumsum(weights)
    picks = np.searchsorted(cumulative, rng.random(n_slots) * cumulative[-1], side="right")
    return items[np.minimum(picks, items.size - 1)]
