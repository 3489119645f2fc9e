"""Inclusive allocation: attention shared out under a cap on inequality (claim D4).

Claim D4 (source 004 (二), (四)): an "inclusive" (普惠) algorithm allocates attention fairly,
"like a trickle reaching everyone", so nobody is forgotten. Here that is an explicit
constraint: the day's discovery impressions are planned so that the Gini coefficient of
creators' total views (so far plus planned today) does not exceed ``gini_cap``.

The plan mixes two allocations over the creators with live items: the appeal-proportional one
(what a neutral feed would do) and the most equalising one, water-filling (give each slot to
the creator with the fewest views so far). The smallest mixing weight that meets the cap is
found by bisection; if even water-filling cannot meet it today, water-filling is used. Slots
are then drawn from the plan, and within a creator in proportion to item appeal. The plan
controls only discovery: follow, same-city and share views can still push the realised Gini
above the cap. The poor-region boost is the shared ``subsidy_share`` (R3).
"""

from __future__ import annotations

import numpy as np

from diffusion.metrics.inequality import gini
from diffusion.params import check_range
from diffusion.policies.base import ExposurePolicy, FeedState, sample_weighted


def water_fill(levels: np.ndarray, amount: float) -> np.ndarray:
    """Add ``amount`` to the lowest ``levels`` first, raising them to a common level.

    Returns the additions ``x >= 0`` with ``sum(x) == amount`` that make the smallest values
    as equal as possible: ``x_i = max(0, L - levels_i)``.
    """
    levels = np.asarray(levels, dtype=np.float64)
    if levels.size == 0:
        return levels.copy()
    v = np.sort(levels)
    candidate = (amount + np.cumsum(v)) / np.arange(1, v.size + 1)
    k = int(np.flatnonzero(candidate >= v)[-1])  # the last creator the water reaches
    return np.maximum(candidate[k] - levels, 0.0)


class FairShareInclusive(ExposurePolicy):
    """Discovery impressions planned so the Gini of creators' views stays under a cap.

    Parameters
    ----------
    gini_cap : float
        Largest allowed Gini coefficient of total views across all creators, in [0, 1].
    subsidy_share : float
        Traffic subsidy for poor-region products (R3), see :class:`ExposurePolicy`.
    """

    name = "inclusive"

    def __init__(self, gini_cap: float = 0.5, *, subsidy_share: float = 0.0) -> None:
        super().__init__(subsidy_share=subsidy_share)
        check_range("platform.policy", "gini_cap", gini_cap, 0.0, 1.0)
        self.gini_cap = float(gini_cap)

    def plan(self, state: FeedState, n_slots: int) -> tuple[np.ndarray, np.ndarray, float]:
        """Planned impressions per live creator: (creator ids, impressions, mixing weight)."""
        creators, _, _, planned, mix = self._plan(state, n_slots)
        return creators, planned, mix

    def _plan(self, state: FeedState, n_slots: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
        """The plan, with each live item's creator index and each creator's summed appeal."""
        items = state.live_items
        creators, which = np.unique(state.item_creator[items], return_inverse=True)
        weight = np.bincount(which, weights=state.item_appeal[items], minlength=creators.size)
        neutral = n_slots * (weight / weight.sum() if weight.sum() > 0 else np.full(creators.size, 1 / creators.size))
        everyone = state.creator_views[state.creators].astype(np.float64)
        position = np.searchsorted(state.creators, creators)
        filled = water_fill(everyone[position], n_slots)

        def projected_gini(mix: float) -> float:
            total = everyone.copy()
            total[position] += (1.0 - mix) * neutral + mix * filled
            return gini(total)

        if projected_gini(0.0) <= self.gini_cap:
            mix = 0.0
        elif projected_gini(1.0) > self.gini_cap:
            mix = 1.0
        else:
            low, high = 0.0, 1.0
            for _ in range(30):  # Gini falls as the mix moves toward water-filling
                middle = 0.5 * (low + high)
                low, high = (low, middle) if projected_gini(middle) <= self.gini_cap else (middle, high)
            mix = high
        return creators, which, weight, (1.0 - mix) * neutral + mix * filled, mix

    def allocate(self, state: FeedState, n_slots: int, *, rng: np.random.Generator) -> np.ndarray:
        items = state.live_items
        _, which, weight, planned, _ = self._plan(state, n_slots)
        # A creator's planned impressions go to its items in proportion to their appeal.
        appeal = state.item_appeal[items]
        share = np.divide(appeal, weight[which], out=np.zeros(items.size), where=weight[which] > 0)
        return sample_weighted(items, planned[which] * share, n_slots, rng=rng)
