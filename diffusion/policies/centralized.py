"""Centralized gatekeeping: an editor picks today's top items for everyone (claim D3).

Claim D3 (source 000 §1.2): traditional platforms fix a direction in advance and favour the
head users who fit its rules, which excludes the others. Here an editor ranks the live items by
an editorial score that rewards both appeal and the creator's existing audience, keeps the top
``top_k``, and shows them in every user's discovery feed.
"""

from __future__ import annotations

import numpy as np

from diffusion.errors import ConfigError
from diffusion.params import check_range
from diffusion.policies.base import ExposurePolicy, FeedState


class CentralizedGatekeeper(ExposurePolicy):
    """Each day, the ``top_k`` live items by editorial score fill every discovery feed.

    The editorial score of an item is ``appeal * (1 + followers) ** head_bias``, where
    ``followers`` is its creator's current follower count: ``head_bias = 0`` is a pure
    quality editor, larger values favour established head accounts (D3). Ties are broken at
    random. Each user's discovery slots run through the chosen list from a random starting
    place, so a user sees distinct top items and every chosen item gets the same share of
    the day's impressions.

    Parameters
    ----------
    top_k : int
        Items the editor promotes each day.
    head_bias : float
        Exponent of the creator's audience in the editorial score (>= 0).
    subsidy_share : float
        Traffic subsidy for poor-region products (R3), see :class:`ExposurePolicy`.
    """

    name = "centralized"

    def __init__(self, top_k: int = 20, head_bias: float = 1.0, *, subsidy_share: float = 0.0) -> None:
        super().__init__(subsidy_share=subsidy_share)
        if isinstance(top_k, bool) or not isinstance(top_k, int | np.integer) or top_k < 1:
            raise ConfigError(f"platform.policy.top_k={top_k!r} must be a whole number of items, at least 1.")
        check_range("platform.policy", "head_bias", head_bias, 0.0)
        self.top_k = int(top_k)
        self.head_bias = float(head_bias)

    def editorial_score(self, state: FeedState, items: np.ndarray) -> np.ndarray:
        """The editor's score of each item: appeal times the creator's audience to ``head_bias``."""
        followers = state.creator_followers[state.item_creator[items]].astype(np.float64)
        return state.item_appeal[items] * (1.0 + followers) ** self.head_bias

    def allocate(self, state: FeedState, n_slots: int, *, rng: np.random.Generator) -> np.ndarray:
        items = state.live_items
        score = self.editorial_score(state, items)
        k = min(self.top_k, items.size)
        chosen = items[np.lexsort((rng.random(items.size), -score))[:k]]
        users = state.slot_user
        if users.size == 0:  # no user information: plain rotation
            return chosen[np.arange(n_slots) % k]
        first = np.r_[True, users[1:] != users[:-1]]
        run = np.cumsum(first) - 1
        starts = np.flatnonzero(first)
        within = np.arange(n_slots) - starts[run]  # position of the slot among its user's slots
        offset = rng.integers(0, k, size=starts.size)[run]
        return chosen[(offset + within) % k]
