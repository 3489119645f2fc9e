"""Popularity: rich-get-richer discovery, the cumulative-advantage baseline.

The social-influence world of the MusicLab experiments (Salganik, Dodds & Watts 2006,
doi:10.1126/science.1121066): what has been viewed is shown more, so early luck compounds and
outcomes become unequal and unpredictable. It is the reference point for claims D1 and D2:
what the throttle of the decentralized feed changes is measured against it.
"""

from __future__ import annotations

import numpy as np

from diffusion.params import check_range
from diffusion.policies.base import ExposurePolicy, FeedState, sample_weighted


class CumulativeAdvantage(ExposurePolicy):
    """Discovery exposure in proportion to past views.

    An item's weight is ``appeal ** quality_exponent * (views + prior_views) **
    popularity_exponent``; each slot draws an item with probability proportional to it.
    ``prior_views`` gives unseen items a start (without it they could never be shown).

    Parameters
    ----------
    popularity_exponent : float
        1 is linear preferential attachment; 0 removes the popularity feedback.
    prior_views : float
        Pseudo-views every item starts with (> 0).
    quality_exponent : float
        Weight of appeal; 0 ignores it.
    subsidy_share : float
        Traffic subsidy for poor-region products (R3), see :class:`ExposurePolicy`.
    """

    name = "popularity"

    def __init__(
        self,
        popularity_exponent: float = 1.0,
        prior_views: float = 1.0,
        quality_exponent: float = 1.0,
        *,
        subsidy_share: float = 0.0,
    ) -> None:
        super().__init__(subsidy_share=subsidy_share)
        check_range("platform.policy", "popularity_exponent", popularity_exponent, 0.0, 5.0)
        check_range("platform.policy", "prior_views", prior_views, 0.0, low_open=True)
        check_range("platform.policy", "quality_exponent", quality_exponent, 0.0, 5.0)
        self.popularity_exponent = float(popularity_exponent)
        self.prior_views = float(prior_views)
        self.quality_exponent = float(quality_exponent)

    def weights(self, state: FeedState, items: np.ndarray) -> np.ndarray:
        """Exposure weight of each item."""
        views = state.item_views[items].astype(np.float64)
        return state.item_appeal[items] ** self.quality_exponent * (views + self.prior_views) ** self.popularity_exponent

    def allocate(self, state: FeedState, n_slots: int, *, rng: np.random.Generator) -> np.ndarray:
        items = state.live_items
        return sample_weighted(items, self.weights(state, items), n_slots, rng=rng)
