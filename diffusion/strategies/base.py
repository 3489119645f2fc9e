"""The interface between the platform model and a creator growth strategy (claims S1-S5, R4).

A strategy is adopted by a set of *focal* creators (the accounts trying to grow, or the rural
leaders). The model calls it at three points:

``bind(context, rng)``
    once, before day 0: choose the focal creators (:meth:`CreatorStrategy.choose_focal`, the
    same rule and the same first draws for every strategy, so runs that differ only in the
    strategy follow the *same* accounts on paired replicates) and anything else the strategy
    fixes for the whole run (sponsors, matrices, neighbouring households).
``produce(creators, product, rng)``
    each day, for the items being posted: which carry a product and whose produce it is
    (only the rural leader changes anything).
``promote(day, rng)``
    each day, after live-stream audiences are known: extra exposures of users to focal
    creators, outside the feed budget (shout-outs, leaderboard presence, bought impressions,
    cross-promotion), each with an endorsement factor on the follow probability, and the cost
    of the day per focal creator in yuan.

Costs are explicit so strategies compare per unit of cost: money actually spent (gifts, paid
impressions), and for promotion a creator gives away rather than buys (a big account's airtime,
a matrix's cross-promotion) the market value of the impressions at ``cpm`` yuan per thousand —
what the same audience would have cost as paid traffic.

Strategies draw only from their own ``strategy`` random stream (:mod:`diffusion.rng`), never
from the agents', platform's or content streams: a strategy that does nothing (``organic``, or
``gifting`` with zero budget) leaves the simulation identical to ``organic`` under the same
seed (tested).

To add a strategy: subclass :class:`CreatorStrategy` in one module, override what it changes,
and add ``conf/strategy/NAME.yaml`` whose ``_target_`` names the class (README, "Extend it").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diffusion.errors import ConfigError
from diffusion.params import check_range

#: Rules for choosing the focal creators (see :meth:`CreatorStrategy.choose_focal`).
FOCAL_RULES = ("small", "newcomers", "poor", "random")


@dataclass(frozen=True, eq=False)
class StrategyContext:
    """What a strategy may read when it is bound to a model (before day 0). Do not modify.

    Attributes
    ----------
    n_users : int
    creators : numpy.ndarray of int64
        Creator account ids, sorted.
    followers : numpy.ndarray of int64
        Initial follower count of every user (0 for non-creators), indexed by user id.
    user_city, user_circle : numpy.ndarray of int64
        City and acquaintance circle of every user.
    user_poor : numpy.ndarray of bool
        Whether each user lives in a poor-region city (R2-R4).
    is_creator : numpy.ndarray of bool
    indptr, indices : numpy.ndarray of int64
        The social graph as CSR arrays (ties of user ``u``: ``indices[indptr[u]:indptr[u+1]]``).
    present : numpy.ndarray of bool
        Users who are on the platform (all, unless some were removed).
    """

    n_users: int
    creators: np.ndarray
    followers: np.ndarray
    user_city: np.ndarray
    user_circle: np.ndarray
    user_poor: np.ndarray
    is_creator: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    present: np.ndarray


@dataclass(frozen=True, eq=False)
class DayState:
    """What a strategy may read on day ``day`` when it promotes. Do not modify.

    Attributes
    ----------
    day : int
    online : numpy.ndarray of int64
        Users online today, sorted.
    followers : numpy.ndarray of int64
        Current follower count of every user.
    streaming : numpy.ndarray of bool
        Whether each user holds a live stream today.
    fan_user, fan_creator : numpy.ndarray of int64
        Today's online followers: ``fan_user[k]`` follows ``fan_creator[k]`` and is online
        (sorted by creator).
    audience_user, audience_creator : numpy.ndarray of int64
        Today's live-stream audiences from followers: ``audience_user[k]`` watches the stream
        of ``audience_creator[k]`` (sorted by creator). Promotion in another creator's room
        reaches these viewers.
    has_content : numpy.ndarray of bool
        Whether each user has something live to show today (a stream or a live post); a
        promotion of a creator without content is not delivered.
    """

    day: int
    online: np.ndarray
    followers: np.ndarray
    streaming: np.ndarray
    fan_user: np.ndarray
    fan_creator: np.ndarray
    audience_user: np.ndarray
    audience_creator: np.ndarray
    has_content: np.ndarray

    def room(self, creators: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Viewers of the given creators' streams today: (viewer, index into ``creators``)."""
        return select_groups(self.audience_creator, self.audience_user, creators)

    def fans(self, creators: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Online followers of the given creators today: (follower, index into ``creators``)."""
        return select_groups(self.fan_creator, self.fan_user, creators)


def select_groups(keys: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Entries of ``values`` whose (sorted) ``keys`` equal each of ``wanted``: the values and,
    for each, its index into ``wanted``. Vectorised; ``wanted`` may repeat."""
    wanted = np.asarray(wanted, dtype=np.int64)
    start = np.searchsorted(keys, wanted, side="left")
    counts = np.searchsorted(keys, wanted, side="right") - start
    owner = np.repeat(np.arange(wanted.size), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return values[np.repeat(start, counts) + offsets], owner


@dataclass(frozen=True, eq=False)
class Promotion:
    """One day's promotion: exposures of ``user`` to focal ``creator``, and its cost.

    ``endorsement`` multiplies the viewer's follow probability (a big account vouching for a
    small one persuades more than an advert). ``cost`` is the day's cost in yuan of each
    creator in ``cost_creator``.
    """

    user: np.ndarray
    creator: np.ndarray
    endorsement: np.ndarray
    cost_creator: np.ndarray
    cost: np.ndarray

    @classmethod
    def none(cls) -> Promotion:
        empty = np.zeros(0, dtype=np.int64)
        return cls(empty, empty, np.zeros(0), empty, np.zeros(0))

    @property
    def impressions(self) -> int:
        return int(self.user.size)


class CreatorStrategy:
    """Base class: a strategy that does nothing (the ``organic`` baseline).

    Parameters
    ----------
    focal : str or list of int
        Which creators adopt the strategy: ``small`` (at most the median creator's initial
        followers, newcomers included), ``newcomers`` (no followers yet), ``poor`` (creators of
        poor-region cities), ``random`` (any creator), or an explicit list of creator ids
        (per-creator assignment; ``n_focal`` is then ignored).
    n_focal : int
        How many (fewer if not enough creators qualify).
    cpm : float
        Market price of 1,000 impressions (yuan, assumed): what paid traffic costs, and the
        value put on impressions a strategy gives away rather than buys.
    """

    #: Name used in tables and reports.
    name = "organic"

    def __init__(self, focal: str | list[int] = "small", n_focal: int = 20, cpm: float = 30.0) -> None:
        if isinstance(focal, str | int) or not hasattr(focal, "__iter__"):
            if focal not in FOCAL_RULES:
                raise ConfigError(
                    f"strategy.focal={focal!r} is not a focal rule; allowed: {', '.join(FOCAL_RULES)}, "
                    "or a list of creator ids."
                )
        else:
            focal = [int(v) for v in focal]
        check_range("strategy", "n_focal", n_focal, 0, integer=True)
        check_range("strategy", "cpm", cpm, 0.0)
        self.focal_rule = focal
        self.n_focal = int(n_focal)
        self.cpm = float(cpm)
        self.focal = np.zeros(0, dtype=np.int64)

    # ------------------------------------------------------------------ hooks
    def bind(self, context: StrategyContext, rng: np.random.Generator) -> None:
        """Fix the focal creators (and, in subclasses, anything else held for the run)."""
        self.focal = self.choose_focal(context, rng)

    def produce(
        self, creators: np.ndarray, product: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Which of today's new items carry a product, and whose produce (-1: the creator's)."""
        return product, np.full(creators.size, -1, dtype=np.int64)

    def promote(self, day: DayState, rng: np.random.Generator) -> Promotion:
        """Today's promotion of the focal creators (none for the organic baseline)."""
        return Promotion.none()

    # ------------------------------------------------------------------ helpers
    def choose_focal(self, context: StrategyContext, rng: np.random.Generator) -> np.ndarray:
        """The focal creators: ``n_focal`` drawn without replacement from those the rule allows.

        Always the first draw of the strategy stream, so every strategy with the same rule and
        ``n_focal`` follows the same accounts on the same replicate.
        """
        c = context.creators[context.present[context.creators]]
        if not isinstance(self.focal_rule, str):
            chosen = np.unique(np.asarray(self.focal_rule, dtype=np.int64))
            unknown = chosen[~np.isin(chosen, c)]
            if unknown.size:
                raise ConfigError(
                    f"strategy.focal lists {unknown[:5].tolist()}, which are not creators on the platform; "
                    f"creator ids are the users in Society.creators (here {c.size} of them, e.g. {c[:5].tolist()})."
                )
            return chosen
        followers = context.followers[c]
        if self.focal_rule == "small":
            eligible = c[followers <= np.median(followers)] if c.size else c
        elif self.focal_rule == "newcomers":
            eligible = c[followers == 0]
        elif self.focal_rule == "poor":
            eligible = c[context.user_poor[c]]
        else:
            eligible = c
        k = min(self.n_focal, eligible.size)
        return np.sort(rng.choice(eligible, size=k, replace=False)) if k else np.zeros(0, dtype=np.int64)

    def value_of(self, impressions: np.ndarray | int) -> np.ndarray | float:
        """Market value in yuan of the given number of impressions (at ``cpm``)."""
        return np.asarray(impressions, dtype=np.float64) * self.cpm / 1000.0

    def impression_costs(self, creator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-creator cost of the given promoted impressions at market value."""
        owners, counts = np.unique(creator, return_counts=True)
        return owners, self.value_of(counts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(focal={self.focal_rule!r}, n_focal={self.n_focal})"


def thin(users: np.ndarray, owner: np.ndarray, p: np.ndarray | float, rng: np.random.Generator) -> np.ndarray:
    """Keep each (user, owner) pair independently with probability ``p`` (scalar or per owner)."""
    if users.size == 0:
        return np.zeros(0, dtype=bool)
    p = np.asarray(p, dtype=np.float64)
    return rng.random(users.size) < (p[owner] if p.ndim else p)
