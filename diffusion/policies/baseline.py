"""The baseline discovery policy: exposure proportional to item appeal.

A deliberately simple reference point for the core model: no popularity feedback, no editor,
no fairness constraint. The policy family that tests D1-D4 (centralized gatekeeping,
popularity, throttled decentralized feed, inclusive allocation) builds on the same interface.
"""

from __future__ import annotations

import numpy as np

from diffusion.errors import ConfigError
from diffusion.policies.base import ExposurePolicy, FeedState, sample_weighted


class AppealWeighted(ExposurePolicy):
    """Fill each discovery slot with a live item drawn with probability proportional to appeal.

    Parameters
    ----------
    freshness_half_life_steps : float or None
        If given, an item's weight also halves every this many days since it was posted, so the
        feed favours new items. ``None`` ignores age.
    subsidy_share : float
        Traffic subsidy for poor-region products (R3), see :class:`ExposurePolicy`.
    """

    name = "baseline"

    def __init__(self, freshness_half_life_steps: float | None = None, *, subsidy_share: float = 0.0) -> None:
        super().__init__(subsidy_share=subsidy_share)
        if freshness_half_life_steps is not None and not freshness_half_life_steps > 0:
            raise ConfigError(
                f"platform.policy.freshness_half_life_steps={freshness_half_life_steps!r} must "
                "be a positive number of days, or null to ignore item age."
            )
        self.freshness_half_life_steps = freshness_half_life_steps

    def allocate(self, state: FeedState, n_slots: int, *, rng: np.random.Generator) -> np.ndarray:
        items = state.live_items
        weights = state.item_appeal[items].astype(np.float64)
        if self.freshness_half_life_steps is not None:
            age = state.step - state.item_created[items]
            weights = weights * 0.5 ** (age / self.freshness_half_life_steps)
        return sample_weighted(items, weights, n_slots, rng=rng)
