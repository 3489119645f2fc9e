"""The interface between the platform model and an exposure policy.

Each day the model decides how many discovery slots there are (the impression budget, fixed by
the number of active users, ``platform.feed_size`` and the channel weights) and asks the policy
which live items fill them. A policy sees a read-only :class:`FeedState` snapshot and returns
exactly ``n_slots`` item ids. Because the model, not the policy, fixes the budget, every policy
spends the same number of impressions (claims D1-D4 compare policies on that basis).

To add a policy: subclass :class:`ExposurePolicy` in one module, implement :meth:`allocate`,
and add a config file ``conf/platform/NAME.yaml`` whose ``policy._target_`` names the class
(README, "Add your own exposure policy").

Every policy also takes ``subsidy_share``: the traffic subsidy of claim R3 (source 004 (二),
the "500 million traffic" plan for products of poor counties). That share of the day's
discovery slots is reserved for live product items of creators from poor regions, drawn in
proportion to appeal; the policy fills the rest. The subsidy is handled here, once, so it means
the same thing under every policy.
"""

from __future__ import annotations

import dataclasses
import functools
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from diffusion.errors import ConfigError
from diffusion.params import check_range


@dataclass(frozen=True, eq=False)
class FeedState:
    """What a policy may read on day ``step``. Arrays are views: do not modify them.

    Attributes
    ----------
    step : int
        The current day.
    n_users : int
        Number of users (policies scale their thresholds by it).
    live_items : numpy.ndarray of int64
        Ids of the items eligible for exposure today (posted and not expired).
    slot_user : numpy.ndarray of int64
        The user of each slot to fill, grouped by user (a user's slots are contiguous).
    item_creator, item_appeal, item_created, item_views, item_shares, item_purchases : numpy.ndarray
        Per-item attributes indexed by item id (all items ever posted, live or not).
    item_product : numpy.ndarray of bool
        Whether each item carries a product for sale.
    creator_followers : numpy.ndarray of int64
        Current follower count of every user (0 for non-creators), indexed by user id.
    creator_poor : numpy.ndarray of bool
        Whether each user lives in a poor-region city (claims R2, R3).
    creators : numpy.ndarray of int64
        Ids of every creator account (the population a fairness constraint is about).
    creator_views : numpy.ndarray of int64
        Views every user's items have had so far, all channels, indexed by user id.
    """

    step: int
    n_users: int
    live_items: np.ndarray
    slot_user: np.ndarray
    item_creator: np.ndarray
    item_appeal: np.ndarray
    item_created: np.ndarray
    item_views: np.ndarray
    item_shares: np.ndarray
    item_purchases: np.ndarray
    item_product: np.ndarray
    creator_followers: np.ndarray
    creator_poor: np.ndarray
    creators: np.ndarray
    creator_views: np.ndarray


class ExposurePolicy(ABC):
    """How the platform fills discovery slots. Subclasses must spend exactly ``n_slots``.

    Parameters
    ----------
    subsidy_share : float
        Share of discovery slots reserved for product items of poor-region creators (R3);
        0 switches the subsidy off.
    """

    #: Short name used in configs, tables and plots.
    name: str = "policy"
    #: Whether the policy has a discovery feed at all. ``False`` (``peer_only``) makes the model
    #: give the discovery slots to the follow and same-city feeds instead.
    uses_discovery: bool = True
    #: Class default, so a subclass that does not call ``super().__init__()`` has no subsidy.
    subsidy_share: float = 0.0

    def __init__(self, *, subsidy_share: float = 0.0) -> None:
        check_range("platform.policy", "subsidy_share", subsidy_share, 0.0, 1.0)
        if subsidy_share > 0 and not self.uses_discovery:
            raise ConfigError(
                f"platform.policy.subsidy_share={subsidy_share} is not allowed with the "
                f"{self.name!r} policy: it has no discovery feed whose slots could be reserved. "
                "Use 0, or a policy with a discovery feed."
            )
        self.subsidy_share = float(subsidy_share)

    @abstractmethod
    def allocate(self, state: FeedState, n_slots: int, *, rng: np.random.Generator) -> np.ndarray:
        """Return ``n_slots`` item ids (from ``state.live_items``) for today's discovery slots.

        ``state.slot_user`` holds the user of each slot, in the order the ids are returned.
        """

    def __call__(self, state: FeedState, n_slots: int, *, rng: np.random.Generator) -> np.ndarray:
        if n_slots == 0 or state.live_items.size == 0:
            return np.zeros(0, dtype=np.int64)
        if state.slot_user.size not in (0, n_slots):
            raise ValueError(f"state.slot_user has {state.slot_user.size} entries for {n_slots} slots")
        items = np.empty(n_slots, dtype=np.int64)
        pool = self._subsidy_pool(state)
        subsidised = np.zeros(n_slots, dtype=bool)
        if pool.size:  # a random subsidy_share of the slots, when there is something to subsidise
            subsidised[rng.permutation(n_slots)[: int(round(self.subsidy_share * n_slots))]] = True
        rest = np.flatnonzero(~subsidised)
        if subsidised.any():
            items[subsidised] = sample_weighted(pool, state.item_appeal[pool], int(subsidised.sum()), rng=rng)
            if state.slot_user.size:
                state = dataclasses.replace(state, slot_user=state.slot_user[rest])
        if rest.size:
            chosen = np.asarray(self.allocate(state, rest.size, rng=rng), dtype=np.int64)
            if chosen.shape != (rest.size,):
                raise RuntimeError(
                    f"policy {self.name!r} returned {chosen.shape[0]} items for {rest.size} "
                    "slots; a policy must fill exactly the slots it is given (equal impression "
                    "budgets)"
                )
            items[rest] = chosen
        return items

    def _subsidy_pool(self, state: FeedState) -> np.ndarray:
        """Live product items of poor-region creators, the subsidy's candidates (none when the
        subsidy is off)."""
        if self.subsidy_share <= 0:
            return np.zeros(0, dtype=np.int64)
        live = state.live_items
        return live[state.item_product[live] & state.creator_poor[state.item_creator[live]]]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"


def sample_weighted(
    items: np.ndarray, weights: np.ndarray, n_slots: int, *, rng: np.random.Generator
) -> np.ndarray:
    """Draw ``n_slots`` items with replacement, with probability proportional to ``weights``.

    Parameters
    ----------
    items : numpy.ndarray
        The candidates.
    weights : numpy.ndarray of float
        One finite, non-negative weight per item. When every weight is zero the draw is
        uniform.
    n_slots : int
        Number of draws.
    rng : numpy.random.Generator
        Consumed by one ``rng.random(n_slots)`` (``rng.integers`` when the draw is uniform).

    Returns
    -------
    numpy.ndarray
        The drawn items, in draw order.

    Raises
    ------
    ConfigError
        If a weight is negative, NaN or infinite (a policy's parameters produced it).

    Notes
    -----
    Draw k is the item whose cumulative-weight interval holds ``u_k * total``, i.e.
    ``searchsorted(cumsum(weights), u * total, side="right")``. A compiled guide table (one
    bucket per item over ``[0, total)``, each holding the first item that can contain its
    values) starts each search within a step or two of its answer, and an exact scan from
    there gives the same item the binary search would: O(n_slots + items) rather than
    O(n_slots log items).
    """
    weights = np.asarray(weights, dtype=np.float64)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        bad = weights[~np.isfinite(weights) | (weights < 0)][0]
        raise ConfigError(
            f"an exposure policy gave an item the sampling weight {bad!r}; weights must be "
            "finite and non-negative (all zero draws uniformly). Check the policy's parameters "
            "(platform.policy) or, for your own policy, the weights its allocate() computes."
        )
    total = weights.sum()
    if not total > 0:
        return items[rng.integers(0, items.size, size=n_slots)]
    cumulative = np.cumsum(weights)
    targets = rng.random(n_slots) * cumulative[-1]
    picks = _guided_search()(cumulative, targets)
    return items[np.minimum(picks, items.size - 1)]


@functools.cache
def _guided_search():
    """``searchsorted(cumulative, targets, side="right")`` for non-decreasing ``cumulative``
    with a guide table (numba is imported on first use, not with the package)."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def run(cumulative, targets):
        n = cumulative.size
        top = cumulative[n - 1]
        n_buckets = n
        width = top / n_buckets
        guide = np.empty(n_buckets + 1, dtype=np.int64)  # first item past each bucket's start
        i = 0
        for b in range(n_buckets + 1):
            bound = b * width
            while i < n and cumulative[i] <= bound:
                i += 1
            guide[b] = i
        out = np.empty(targets.size, dtype=np.int64)
        for k in range(targets.size):
            x = targets[k]
            b = int(x / width) if width > 0 else 0
            i = guide[min(max(b, 0), n_buckets)]
            # The guide is only a hint (bucket bounds are rounded): scan to the exact answer.
            while i > 0 and cumulative[i - 1] > x:
                i -= 1
            while i < n and cumulative[i] <= x:
                i += 1
            out[k] = i
        return out

    return run
