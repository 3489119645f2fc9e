"""The decentralized feed: broad, fresh, throttled past a heat threshold, with a cold start.

Claims D1 and D2 (source 000 §3.3, §4.3). D1: the feed pushes popular videos, but once a
video's heat passes a threshold its exposure is gradually reduced, so newcomers get a chance to
be seen. D2: the gatekeepers are ordinary users: influence grows by peer-to-peer spread. The
policy therefore

* samples broadly among fresh items (weight halves every ``freshness_half_life_steps`` days);
* lets heat (views plus ``share_heat`` per share, so peer shares are what amplifies an item)
  raise an item's weight up to the threshold, and lowers it smoothly beyond — decaying, never
  cut off;
* reserves ``cold_start_share`` of its slots for items with fewer than ``cold_start_views``
  views, drawn uniformly, so every new creator's posts get some first views.
"""

from __future__ import annotations

import numpy as np

from diffusion.params import check_range
from diffusion.policies.base import ExposurePolicy, FeedState, sample_weighted


def heat_factor(heat: np.ndarray, threshold: float, popularity_exponent: float, throttle_exponent: float) -> np.ndarray:
    """Exposure multiplier of an item with the given heat (D1).

    ``(1 + h) ** a`` up to the threshold ``T`` (popular items are pushed), then
    ``(1 + T) ** a * (T / h) ** s`` beyond it: continuous at ``T`` and, for ``s > 0``,
    strictly decreasing in ``h`` past it.
    """
    heat = np.asarray(heat, dtype=np.float64)
    capped = np.minimum(heat, threshold)
    throttle = (threshold / np.maximum(heat, threshold)) ** throttle_exponent
    return (1.0 + capped) ** popularity_exponent * throttle


class ThrottledDecentralized(ExposurePolicy):
    """Fresh, broad discovery whose push fades once an item is hot, plus a cold-start pool.

    Parameters
    ----------
    heat_threshold : float
        Heat past which exposure is throttled, as a fraction of all users (so the rule means
        the same at every population size). Heat is ``views + share_heat * shares``.
    throttle_exponent : float
        How fast the weight falls past the threshold: ``(T / heat) ** throttle_exponent``.
    popularity_exponent : float
        How strongly heat raises the weight below the threshold.
    share_heat : float
        Heat per share, in views (peer shares are the main amplifier, D2).
    freshness_half_life_steps : float
        Days after which an item's weight halves.
    cold_start_share : float
        Share of slots reserved for items with fewer than ``cold_start_views`` views.
    cold_start_views : int
        Views below which an item is in the cold-start pool.
    subsidy_share : float
        Traffic subsidy for poor-region products (R3), see :class:`ExposurePolicy`.
    """

    name = "decentralized"

    def __init__(
        self,
        heat_threshold: float = 0.02,
        throttle_exponent: float = 1.5,
        popularity_exponent: float = 0.5,
        share_heat: float = 5.0,
        freshness_half_life_steps: float = 2.0,
        cold_start_share: float = 0.2,
        cold_start_views: int = 20,
        *,
        subsidy_share: float = 0.0,
    ) -> None:
        super().__init__(subsidy_share=subsidy_share)
        s = "platform.policy"
        check_range(s, "heat_threshold", heat_threshold, 0.0, 1.0, low_open=True)
        check_range(s, "throttle_exponent", throttle_exponent, 0.0, 10.0)
        check_range(s, "popularity_exponent", popularity_exponent, 0.0, 5.0)
        check_range(s, "share_heat", share_heat, 0.0)
        check_range(s, "freshness_half_life_steps", freshness_half_life_steps, 0.0, low_open=True)
        check_range(s, "cold_start_share", cold_start_share, 0.0, 1.0)
        check_range(s, "cold_start_views", cold_start_views, 0, integer=True)
        self.heat_threshold = float(heat_threshold)
        self.throttle_exponent = float(throttle_exponent)
        self.popularity_exponent = float(popularity_exponent)
        self.share_heat = float(share_heat)
        self.freshness_half_life_steps = float(freshness_half_life_steps)
        self.cold_start_share = float(cold_start_share)
        self.cold_start_views = int(cold_start_views)

    def heat(self, state: FeedState, items: np.ndarray) -> np.ndarray:
        """Views plus ``share_heat`` per share of each item."""
        return state.item_views[items] + self.share_heat * state.item_shares[items]

    def weights(self, state: FeedState, items: np.ndarray) -> np.ndarray:
        """Exposure weight of each item: appeal x freshness x heat factor."""
        age = state.step - state.item_created[items]
        threshold = self.heat_threshold * state.n_users
        factor = heat_factor(self.heat(state, items), threshold, self.popularity_exponent, self.throttle_exponent)
        return state.item_appeal[items] * 0.5 ** (age / self.freshness_half_life_steps) * factor

    def allocate(self, state: FeedState, n_slots: int, *, rng: np.random.Generator) -> np.ndarray:
        items = state.live_items
        result = sample_weighted(items, self.weights(state, items), n_slots, rng=rng)
        cold = items[state.item_views[items] < self.cold_start_views]
        n_cold = int(round(self.cold_start_share * n_slots)) if cold.size else 0
        if n_cold:
            slots = rng.permutation(n_slots)[:n_cold]
            result[slots] = cold[rng.integers(0, cold.size, size=n_cold)]
        return result
