"""No platform feed: attention flows only through follows, the same-city feed and peer shares.

The limiting case of decentralization (D2): nobody, neither an editor nor an algorithm,
chooses what strangers see. The model gives the discovery slots to the follow and same-city
feeds (in proportion to their weights), so the impression budget is the same as under every
other policy.
"""

from __future__ import annotations

import numpy as np

from diffusion.policies.base import ExposurePolicy, FeedState


class PeerOnly(ExposurePolicy):
    """A platform without a discovery feed (``uses_discovery = False``)."""

    name = "peer_only"
    uses_discovery = False

    def allocate(self, state: FeedState, n_slots: int, *, rng: np.random.Generator) -> np.ndarray:
        raise RuntimeError(
            "the peer_only policy has no discovery feed: the model gives its slots to the follow "
            "and same-city feeds and never asks it to fill any"
        )
