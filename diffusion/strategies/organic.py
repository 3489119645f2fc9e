"""``organic``: the focal creators post and stream, nothing else (the baseline of S1-S5)."""

from __future__ import annotations

from diffusion.strategies.base import CreatorStrategy


class Organic(CreatorStrategy):
    """Post and stream, nothing else. Growth comes only from the feeds and from peer shares.

    The focal accounts are chosen exactly as under every other strategy (same rule, same
    draws), so ``organic`` is the paired baseline each strategy is compared with.
    """

    name = "organic"
