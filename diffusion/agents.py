"""Mesa agents: the readable face of the platform model's users and creators.

Agent ``i`` sits on vertex ``i`` of the social graph (``agent.vertex``). Agents hold no hot
state: every attribute below reads the model's arrays, so a student can inspect one user in a
notebook (``model.agent_of(42).trust_in(7)``) while the model updates all users at once in
vectorised phases (see :class:`diffusion.model.PlatformModel`).

Agents also act: :meth:`User.react` applies the rules of :mod:`diffusion.rules` to one
exposure, in plain Python. It is the readable statement of what the compiled engine does to
every (item, user) pair of a day; a model built with ``agents_decide=True`` lets its agents
decide one exposure at a time, and ``tests/test_rules.py`` requires the same results, draw
for draw, as the engine's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from diffusion import rules
from diffusion.engine.reactions import BAD, BUY, FOLLOW, LIKE, RECOMMEND, SAME_CITY_CHANNEL, SHARE, Purchases, Seen, Views

if TYPE_CHECKING:
    from diffusion.feeds import Exposures
    from diffusion.model import PlatformModel


@dataclass(frozen=True)
class Memory:
    """What a user remembers of an item met on an earlier day (its exposure-table row)."""

    n_sources: int  # distinct sources so far: each sharing tie, plus the platform once
    platform_seen: bool  # a platform channel has shown it
    last_source: int  # the most recent tie who shared it, -1 if none
    bought: bool
    sent: bool  # the user has passed it on (share or recommendation)


@dataclass(frozen=True)
class Exposure:
    """One item reaching one user today, with everything the rules read about it."""

    item: int
    creator: int
    appeal: float
    live: bool  # shown in a live stream (P8)
    product: bool  # carries a product
    local: bool  # a local service, sold only in the creator's city (R1)
    price: float  # yuan (R5)
    channel: int  # the channel of today's first exposure (diffusion.params.CHANNELS)
    endorsement: float  # a strategy's promotion multiplies the follow probability (S1-S4)
    source: int  # a tie who shared it today, -1 if none
    n_deliveries: int  # ties who shared it to the user today
    platform: bool  # a platform channel (feed, stream, promotion) showed it today
    trust: float  # the user's trust in the creator at the start of the day
    following: bool  # whether the user follows the creator
    memory: Memory | None  # None: the user meets the item for the first time (a view)


@dataclass(frozen=True)
class Reaction:
    """What a user does with one exposure (:meth:`User.react`)."""

    n_sources: int
    last_source: int
    like: bool
    follow: bool
    share: bool
    purchasable: bool  # a product the user may still buy here
    trusted: bool  # trusts the creator enough to buy on their word (P1)
    live: bool
    same_city: bool
    may_buy: bool
    needs_similarity: bool  # the peer route: persuasion by similarity to the sharing tie
    acceptance: float  # how far the price lets the user buy (R5)
    cheap: bool  # priced at or below the reference price (R5)
    buy: bool
    bad: bool
    recommend: bool
    send: bool  # passes the item on today (share or recommendation), once per item
    send_share: bool
    send_recommend: bool


class User(mesa.Agent):
    """A platform user: views feeds, shares with ties, follows creators, trusts and buys."""

    model: PlatformModel

    def __init__(self, model: PlatformModel, vertex: int) -> None:
        super().__init__(model)
        self.vertex = int(vertex)

    @property
    def circle(self) -> int:
        """The acquaintance circle the user belongs to (W3)."""
        return int(self.model.user_circle[self.vertex])

    @property
    def city(self) -> int:
        """The user's city (W4, P7)."""
        return int(self.model.user_city[self.vertex])

    @property
    def city_tier(self) -> int:
        """The tier of the user's city, 1 (first tier) to 5 (R5)."""
        return int(self.model.user_tier[self.vertex])

    @property
    def ties(self) -> np.ndarray:
        """Vertices of the user's social ties."""
        csr = self.model.society.csr
        return csr.indices[csr.indptr[self.vertex] : csr.indptr[self.vertex + 1]]

    @property
    def following(self) -> np.ndarray:
        """Creators the user follows."""
        rel = self.model.relations
        start, stop = rel.rows_of_first(np.array([self.vertex]))
        rows = np.arange(start[0], stop[0])
        return rel.second()[rows][rel["following"][rows]]

    def trust_in(self, creator: int) -> float:
        """The user's current trust in ``creator``, in [0, 1] (P1, P3, P7)."""
        trust, _ = self.model.trust_of(np.array([self.vertex]), np.array([creator]))
        return float(trust[0])

    @property
    def n_purchases(self) -> int:
        """Purchases the user has made so far."""
        return int(self.model.n_purchases[self.vertex])

    @property
    def saw_campaign(self) -> bool:
        """Whether the user has viewed a campaign item (W1)."""
        return bool(self.model.campaign_view_step[self.vertex] >= 0)

    def similarity_to(self, other: int) -> float:
        """Taste similarity to user ``other``, in [0, 1] (W3)."""
        return float(self.model.society.similarity(np.array([self.vertex]), np.array([other]))[0])

    def react(self, exposure: Exposure, draws: np.ndarray) -> Reaction:
        """React to one exposure: view, like, follow, share, buy, recommend.

        Applies the rules of :mod:`diffusion.rules` to this one exposure, in the order the
        compiled engine applies them to every pair of the day. ``draws`` are this exposure's
        uniform numbers, one per decision (rows ``LIKE`` ... ``RECOMMEND`` of
        :mod:`diffusion.engine.reactions`): an event happens when its draw is below its probability.
        Reads only the state at the start of the day; the model commits the result.
        """
        b, e, memory = self.model.rules, exposure, exposure.memory
        new = memory is None
        # Distinct sources: each tie who shared it, plus the platform once (complex contagion).
        platform_before = not new and memory.platform_seen
        n_sources = (0 if new else memory.n_sources) + e.n_deliveries + (1 if e.platform and not platform_before else 0)
        last_source = e.source if e.source >= 0 else (-1 if new else memory.last_source)
        like = follow = share = False
        if new:  # a view: only a first exposure is liked, followed from or shared
            like = bool(draws[LIKE] < rules.like_probability(b, e.appeal))
            follow = not e.following and bool(draws[FOLLOW] < rules.follow_probability(
                b, e.appeal, e.channel == SAME_CITY_CHANNEL, e.endorsement))
            share = bool(draws[SHARE] < rules.share_probability(b, e.appeal))
        same_city = self.city == int(self.model.user_city[e.creator])
        bought_before = not new and memory.bought
        purchasable = e.product and not bought_before and (not e.local or same_city)
        trusted = bool(rules.is_trusted(b, e.trust))
        may_buy = bool(rules.may_buy(b, purchasable, trusted, n_sources))
        needs_similarity = may_buy and not trusted and last_source >= 0
        acceptance = float(rules.price_acceptance(b, e.price, self.city_tier)) if may_buy else 1.0
        buy = False
        if may_buy:
            similarity = self.similarity_to(last_source) if needs_similarity else 1.0
            persuasion = rules.persuasion(b, trusted, e.trust, similarity)
            buy = bool(draws[BUY] < rules.purchase_probability(b, e.appeal, persuasion, e.live, acceptance))
        bad = buy and bool(rules.purchase_is_bad(b, draws[BAD]))
        recommend = buy and bool(rules.buyer_recommends(b, draws[RECOMMEND]))
        sent_before = not new and memory.sent
        return Reaction(
            n_sources=n_sources, last_source=last_source, like=like, follow=follow, share=share,
            purchasable=purchasable, trusted=trusted, live=e.live, same_city=same_city, may_buy=may_buy,
            needs_similarity=needs_similarity, acceptance=acceptance, cheap=bool(e.price <= b.price_reference),
            buy=buy, bad=bad, recommend=recommend,
            send=(share or recommend) and not sent_before, send_share=share and not sent_before,
            send_recommend=recommend and not share and not sent_before,
        )


class Creator(User):
    """A user who posts items and gathers followers (private-domain traffic, P4-P6)."""

    @property
    def n_followers(self) -> int:
        """Current follower count."""
        return int(self.model.follower_count[self.vertex])

    @property
    def items(self) -> np.ndarray:
        """Ids of every item this creator has posted."""
        return np.flatnonzero(self.model.items.creator == self.vertex)

    @property
    def is_live(self) -> bool:
        """Whether the creator holds a live stream today (S3, P8)."""
        return bool(self.model.live_item_of[self.vertex] >= 0)

    @property
    def engagement(self) -> float:
        """How much the creator interacts with stream viewers, in [0, 1] (P5)."""
        return float(self.model.engagement[self.vertex])

    @property
    def is_focal(self) -> bool:
        """Whether the creator follows the run's growth strategy (S1-S4, R4)."""
        return bool(self.model.is_focal[self.vertex])

    @property
    def strategy_cost(self) -> float:
        """What the strategy has cost this creator so far (yuan)."""
        return float(self.model.strategy_cost[self.vertex])


def decide_by_agents(model: PlatformModel, u, ex: Exposures, creator, trust, following, seen: Seen) -> tuple[Views, Purchases]:
    """The decide step agent by agent: every exposure goes to its user's
    :meth:`~diffusion.agents.User.react` with its column of draws. Gives exactly what the
    compiled passes give (``tests/test_rules.py``); a Python loop, so for small models."""
    it, reactions = model.items, []
    for i in range(ex.user.size):
        r, item = int(ex.row[i]), int(ex.item[i])
        memory = None if r < 0 else Memory(
            int(seen.n_sources[r]), bool(seen.platform_seen[r]), int(seen.last_source[r]), bool(seen.bought[r]),
            bool(seen.sent[r]),
        )
        exposure = Exposure(
            item=item, creator=int(creator[i]), appeal=float(it.appeal[item]), live=bool(it.stream[item]),
            product=bool(it.product[item]), local=bool(it.local[item]), price=float(it.price[item]), channel=int(ex.channel[i]),
            endorsement=float(ex.endorsement[i]), source=int(ex.source[i]), n_deliveries=int(ex.n_deliveries[i]),
            platform=bool(ex.platform[i]), trust=float(trust[i]), following=bool(following[i]), memory=memory,
        )
        reactions.append(model.agent_of(int(ex.user[i])).react(exposure, u[:, i]))

    def column(name: str, dtype) -> np.ndarray:
        return np.array([getattr(r, name) for r in reactions], dtype=dtype)

    views = Views(
        column("n_sources", np.int64), column("last_source", np.int64), column("like", bool), column("follow", bool),
        column("share", bool), column("purchasable", bool), column("trusted", bool), column("live", bool),
        column("same_city", bool), column("may_buy", bool), column("needs_similarity", bool),
        column("acceptance", np.float64), column("cheap", bool),
    )
    purchases = Purchases(*(column(name, bool) for name in Purchases._fields))
    return views, purchases
