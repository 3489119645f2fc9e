"""The platform model: creators post, feeds expose, users view, share, follow, trust and buy.

Time unit: one step is one day. Update rule: synchronous decide-then-commit. Every decision of
day ``t`` reads the state at the start of day ``t``; all changes are applied together in
:meth:`PlatformModel.commit`, so the order in which users are processed never matters.

One day::

    post    creators post new items (short videos; some carry a product) and some hold a live
            stream (a one-day item that always sells; S3, P8)
    expose  each active user's feed is filled: follow feed, same-city feed, discovery feed
            (the exposure policy), plus items shared to them by ties yesterday; online
            followers join the streams of creators they follow; the creator strategy adds its
            promotions (shout-outs, leaderboard presence, paid impressions; S1-S4);
            :mod:`diffusion.feeds`
    decide  on each exposure: view, like, follow, share (an independent-cascade hop over the
            social graph), and for products a purchase (complex contagion with a trust route);
            the rules are in :mod:`diffusion.rules`, applied to every pair by the compiled
            passes of :mod:`diffusion.engine.reactions` (or agent by agent, ``agents_decide=True``)
    commit  apply views, follows, trust changes, purchases and word of mouth; queue shares
            for tomorrow; close the cascades of items that expire
    record  the DataCollector calls the named metric functions of :mod:`diffusion.metrics`

Users are Mesa agents (:mod:`diffusion.agents`); agent ``i`` sits on vertex ``i`` of the social
graph. Hot state lives in arrays owned by the model; agents read their own entries. Claims:
W1-W4 (sharing over weak and strong ties, homophily, two channels), P1-P3 (trust, word of mouth,
repeat acceptance), P5 (interaction builds trust), P7 (same-city trust), P8 (live format),
R1 (local merchants), R4 (leaders selling neighbours' produce), S1-S5 (growth strategies).

Live streams are off by default (``platform.p_stream = 0``): the core experiments and the
calibration to P1-P3 run on short videos alone; the creator and commerce experiments switch
them on.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from diffusion import content, feeds, relations
from diffusion.agents import Creator, User, decide_by_agents
from diffusion.engine.pairs import PairTable
from diffusion.engine.reactions import N_DRAWS, Counters, ItemArrays, ItemCounters, Pairs, Seen, Users
from diffusion.engine.reactions import compiled as reaction_rules
from diffusion.errors import ConfigError
from diffusion.feeds import Exposures
from diffusion.items import ItemStore
from diffusion.metrics import creators as creator_metrics
from diffusion.metrics import platform as platform_metrics
from diffusion.metrics import tables
from diffusion.networks.society import Society
from diffusion.params import CHANNELS, BehaviourParams, CampaignParams, PlatformParams
from diffusion.policies import AppealWeighted, ExposurePolicy, FeedState
from diffusion.strategies import CreatorStrategy



#: Columns of the exposure table, one row per (item, user) pair that has met.
EXPOSURE_COLUMNS = {
    "first_step": np.int32,  # day of first exposure (the view)
    "parent": np.int32,  # user whose share caused the view, -1 if a platform channel did
    "channel": np.int8,  # channel of the first exposure
    "n_sources": np.int16,  # distinct sources so far: each sharing tie, plus the platform once
    "platform_seen": np.bool_,
    "last_source": np.int32,  # most recent sharing tie, -1 if none
    "sent": np.bool_,  # the user has passed the item on (share or recommendation)
    "bought": np.bool_,
}

#: User ids are stored in 32 bits (a quarter less to move when the table is merged each day).
MAX_USERS = 2**31 - 1

#: Columns of the user-creator relation table (trust, following).
RELATION_COLUMNS = {"trust": np.float64, "following": np.bool_, "since": np.int32}


class PlatformModel(mesa.Model):
    """A short-video platform on a weak-tie society.

    Parameters
    ----------
    society : Society
        The built social graph, circles, cities, creators and initial follows. The model builds
        no network.
    platform, behaviour, campaign : parameter dataclasses
        Read, never modified. Defaults are the package defaults (:mod:`diffusion.params`).
    policy : ExposurePolicy, optional
        Fills the discovery slots. Default: :class:`~diffusion.policies.AppealWeighted`.
    rng : numpy.random.Generator
        The agents' stream: every user decision.
    platform_rng : numpy.random.Generator
        The platform's stream: which item fills a slot, the policy's draws.
    content_rng : numpy.random.Generator, optional
        What creators post (who posts, appeal, price, products) and the campaign's creators.
        Independent of everything users do, so runs that share it post the same items
        (independent worlds, :mod:`diffusion.rng`). Default: ``rng``.
    layout_rng : numpy.random.Generator, optional
        Who is online each day and which channel fills each slot. Policies never draw from
        it, so every policy gets the same slots on paired replicates. Default: ``platform_rng``.
    create_agents : bool
        Create one Mesa agent per user (default). ``False`` skips them for large batch runs;
        the simulation is identical because agents hold no hot state.
    strategy : CreatorStrategy, optional
        The growth strategy of the focal creators (:mod:`diffusion.strategies`). Default: none
        (no focal creators).
    strategy_rng : numpy.random.Generator, optional
        The strategy's own stream (which creators adopt it, whom it promotes to). Default: a
        child of ``platform_rng``'s seed sequence, so no other stream is touched.
    agents_decide : bool
        Let each user's agent decide its exposures one at a time (:meth:`User.react`) instead
        of the compiled engine: the same results draw for draw, much slower; for reading and
        for testing the engine against the agents.

    Notes
    -----
    Day-level update rule: see the module docstring. Complexity per day is
    O(E_day log P + P) for E_day exposures and P stored (item, user) pairs, with no per-user
    Python loop.
    """

    def __init__(
        self,
        society: Society,
        *,
        platform: PlatformParams | None = None,
        behaviour: BehaviourParams | None = None,
        campaign: CampaignParams | None = None,
        policy: ExposurePolicy | None = None,
        rng: np.random.Generator,
        platform_rng: np.random.Generator,
        content_rng: np.random.Generator | None = None,
        layout_rng: np.random.Generator | None = None,
        create_agents: bool = True,
        strategy: CreatorStrategy | None = None,
        strategy_rng: np.random.Generator | None = None,
        agents_decide: bool = False,
    ) -> None:
        super().__init__(rng=rng)
        if agents_decide and not create_agents:
            raise ConfigError("agents_decide=True needs the agents: leave create_agents=True.")
        self.agents_decide = agents_decide
        self.society = society
        self.platform = PlatformParams() if platform is None else platform
        self.behaviour = BehaviourParams() if behaviour is None else behaviour
        self.rules = self.behaviour.record()  # what diffusion.rules reads, by name
        self.campaign = CampaignParams() if campaign is None else campaign
        self.policy = AppealWeighted() if policy is None else policy
        self.platform_rng = platform_rng
        self.content_rng = rng if content_rng is None else content_rng
        self.layout_rng = platform_rng if layout_rng is None else layout_rng
        n = self.n_users = society.n_users
        if n > MAX_USERS:
            raise ConfigError(
                f"the society has {n:,} users; the platform model stores user ids in 32 bits, "
                f"so at most {MAX_USERS:,} users are allowed"
            )
        self.present = society.present
        self.channel_weights = feeds.channel_weights(self.platform, self.policy)

        self.user_circle = society.circle
        self.user_city = society.city
        self.user_poor = society.city_poor[society.city]
        self.user_tier = society.city_tier[society.city]
        self.users = Users(self.user_city, self.user_circle, self.user_tier)  # what the rules read of users
        self.is_creator = np.zeros(n, dtype=bool)
        self.is_creator[society.creators] = True
        self.creators = society.creators
        self.traits = society.traits
        self.p_share_entry, self.p_recommend_entry = relations.transmission_probabilities(society, self.behaviour)

        self.items = ItemStore()
        self.pinned_item = np.full(n, -1, dtype=np.int64)  # shown in the follow feed instead
        self.exposures = PairTable(n, EXPOSURE_COLUMNS)
        self.relations = PairTable(n, RELATION_COLUMNS)
        relations.init_follows(self)
        self._pending = (np.zeros(0, np.int64),) * 3  # tomorrow's deliveries: user, item, source

        # Per-user survey state (P1-P3) and campaign outcomes (W1).
        self.n_purchases = np.zeros(n, dtype=np.int64)
        self.last_purchase_trusted = np.zeros(n, dtype=bool)
        self.last_purchase_creator = np.full(n, -1, dtype=np.int64)
        self.recommended = np.zeros(n, dtype=bool)
        self.campaign_view_step = np.full(n, -1, dtype=np.int64)
        self.campaign_buy_step = np.full(n, -1, dtype=np.int64)
        # Running totals (W3, W4).
        self.views_by_channel = np.zeros(len(CHANNELS), dtype=np.int64)
        self.follows_by_channel = np.zeros(len(CHANNELS), dtype=np.int64)
        self.share_views_cross_circle = 0
        self.peer_deliveries = np.zeros(2, dtype=np.int64)  # product deliveries: [same, cross] circle
        self.peer_purchases = np.zeros(2, dtype=np.int64)  # peer-route purchases: [same, cross]
        # Peer-route purchase decisions and purchases by [same, cross] circle x distinct sources
        # (1, 2, 3, 4+): W3 compared at equal numbers of sources.
        self.peer_exposures = np.zeros((2, 4), dtype=np.int64)
        self.peer_exposure_purchases = np.zeros((2, 4), dtype=np.int64)
        self.purchases_today = 0
        self.gmv_today = 0.0
        self.cascade_records: list[pd.DataFrame] = []
        # Per-creator views so far and the day each creator reached ``milestone_views`` (D1).
        self.creator_views = np.zeros(n, dtype=np.int64)
        self.milestone_step = np.full(n, -1, dtype=np.int64)
        self.initial_followers = self.follower_count.copy()
        content.init_commerce(self, strategy, strategy_rng)

        if create_agents:
            User.create_agents(self, int((~self.is_creator).sum()), np.flatnonzero(~self.is_creator))
            Creator.create_agents(self, int(self.is_creator.sum()), self.creators)
        self.datacollector = mesa.DataCollector(model_reporters=platform_metrics.MODEL_REPORTERS)

    #: Views after which a creator counts as "seen" (newcomers' time to first 100 views, D1).
    milestone_views: int = creator_metrics.MILESTONE_VIEWS

    # ------------------------------------------------------------------ set-up
    def agent_of(self, vertex: int) -> User:
        """The Mesa agent sitting on ``vertex`` (requires ``create_agents=True``)."""
        if not hasattr(self, "_agent_by_vertex"):
            self._agent_by_vertex = {a.vertex: a for a in self.agents}
        return self._agent_by_vertex[int(vertex)]

    # ------------------------------------------------------------------ one day
    @property
    def day(self) -> int:
        """The current day (0 during the first step)."""
        return self.steps - 1

    def step(self) -> None:
        """Advance one day: post, expose, decide, commit, record."""
        content.post(self)
        exposures = feeds.expose(self)
        self.decide_and_commit(exposures)
        self.expire()
        self.datacollector.collect(self)

    def feed_state(self, live: np.ndarray, slot_user: np.ndarray | None = None) -> FeedState:
        """The read-only snapshot an exposure policy sees."""
        it = self.items
        return FeedState(
            step=self.day,
            n_users=self.n_users,
            live_items=live,
            slot_user=np.zeros(0, dtype=np.int64) if slot_user is None else slot_user,
            item_creator=it.creator,
            item_appeal=it.appeal,
            item_created=it.created,
            item_views=it.views,
            item_shares=it.shares,
            item_purchases=it.purchases,
            item_product=it.product,
            creator_followers=self.follower_count,
            creator_poor=self.user_poor,
            creators=self.creators,
            creator_views=self.creator_views,
        )

    def trust_of(self, users: np.ndarray, creators: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Trust of each user in each creator, and the relation row (-1 if none).

        Without a relation, trust is ``trust_stranger`` plus ``same_city_trust_bonus`` when both
        live in the same city (P7).
        """
        trust, row, _ = self._relation_state(users, creators)
        return trust, row

    def _relation_state(self, users: np.ndarray, creators: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Trust, relation row (-1 if none) and following of each (user, creator) pair."""
        users, creators = (
            np.ascontiguousarray(a, dtype=np.int64).ravel() for a in np.broadcast_arrays(users, creators)
        )
        row = self.relations.find_pairs(users, creators)
        rel = self.relations
        trust, following = reaction_rules().trust(
            row, users, creators, self.user_city, rel["trust"], rel["following"], self.rules
        )
        return trust, row, following

    def decide_and_commit(self, ex: Exposures) -> None:
        """Decide every reaction to today's exposures, then apply them all at once."""
        t, rng, it = self.day, self.rng, self.items
        n_pairs = ex.user.size
        creator = it.creator[ex.item]
        is_new = ex.row < 0
        exposures = self.exposures

        # ---- decide (reads start-of-day state only; the rules: diffusion.rules)
        trust, rel_row, following = self._relation_state(ex.user, creator)
        u = rng.random((N_DRAWS, n_pairs))  # the same draws as one rng.random(n_pairs) per decision
        pairs = Pairs(ex.row, ex.user, ex.item, ex.channel, ex.source, ex.n_deliveries, ex.platform, ex.endorsement)
        items = ItemArrays(it.creator, it.appeal, it.stream, it.product, it.local, it.price)
        seen = Seen(*(exposures.columns[name] for name in Seen._fields))
        engine = reaction_rules()
        if self.agents_decide:  # the readable reference: each user reacts to one exposure at a time
            views, purchases = decide_by_agents(self, u, ex, creator, trust, following, seen)
        else:
            views = engine.decide_views(u, pairs, items, seen, self.users, trust, following, self.rules)
            peer_rows = np.flatnonzero(views.needs_similarity)
            similarity = self.society.similarity(ex.user[peer_rows], views.last_source[peer_rows])
            purchases = engine.decide_purchases(u, pairs, items, views, trust, peer_rows, similarity, seen.sent,
                                                self.rules)
        interact = relations.stream_interactions(self, ex, creator, is_new & views.live)

        # ---- commit: the exposure table (pairs seen before, then the new pairs)
        engine.commit_seen(pairs, views, purchases, seen)
        new_pairs = np.flatnonzero(is_new)
        exposures.insert(
            ex.key[new_pairs],
            {
                "first_step": t,
                "parent": ex.source,
                "channel": ex.channel,
                "n_sources": views.n_sources,
                "platform_seen": ex.platform,
                "last_source": views.last_source,
                "sent": purchases.send,
                "bought": purchases.buy,
            },
            select=new_pairs,
            at=ex.place[new_pairs],
        )

        # ---- commit: counters of items, channels (W4), creators (D1), commerce (P7, P8),
        # purchases and survey state (P1-P3), word of mouth (W1, W3)
        self.share_views_cross_circle += engine.tally(
            pairs, creator, views, purchases, self.users,
            ItemCounters(it.views, it.views_by_channel, it.likes, it.shares, it.purchases),
            Counters(*(getattr(self, name) for name in Counters._fields)),
        )
        buy, bad, follow = purchases.buy, purchases.bad, views.follow
        reached = (self.creator_views >= self.milestone_views) & (self.milestone_step < 0)
        self.milestone_step[reached] = t
        self.purchases_today = int(buy.sum())
        self.gmv_today = float(it.price[ex.item[buy]].sum())
        feeds.count_peer_deliveries(self, ex)

        # ---- commit: relations (trust from viewing, new follows, purchase outcomes)
        relations.commit_relations(self, ex, creator, is_new, following, rel_row, follow, buy, bad, interact)

        # ---- commit: campaign reach and purchases (W1)
        campaign = it.campaign[ex.item]
        seen = ex.user[campaign & is_new]
        self.campaign_view_step[seen[self.campaign_view_step[seen] < 0]] = t
        got = ex.user[campaign & buy]
        self.campaign_buy_step[got[self.campaign_buy_step[got] < 0]] = t

        # ---- commit: queue tomorrow's deliveries (shares over all ties, recommendations
        # over strong ties only), one independent-cascade hop each (diffusion.contagion.transmit)
        feeds.queue_deliveries(self, ex, purchases.send_share, purchases.send_recommend)

    def expire(self) -> None:
        """Close the cascades of items whose last day was today and drop their exposures."""
        dying = np.flatnonzero(self.items.expires == self.day + 1)
        # Rows are sorted by item, so each dying item's rows are one run of the table.
        start, stop = self.exposures.rows_of_first(dying)
        if np.any(stop > start):
            self.cascade_records.append(tables.cascades_of_runs(self.exposures, self.items, start, stop))
            self.exposures.drop_runs(start, stop)
        no_views = dying[self.items.views[dying] == 0]
        if no_views.size:
            self.cascade_records.append(tables.empty_cascades(self.items, no_views))

    def creators_table(self) -> pd.DataFrame:
        """One row per creator: audience, growth, income, the newcomer milestone
        (:func:`diffusion.metrics.tables.creators_table`)."""
        return tables.creators_table(self)

    def release(self) -> None:
        """Drop the references Mesa keeps to this model, so it can be freed.

        Mesa 3 numbers agents with a class-level ``Agent._ids`` dict keyed by model, which keeps
        every model that ever created agents alive; a worker running thousands of runs would
        grow without bound. Call when the run is finished (the runner does).
        """
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(self, None)

    def finish(self) -> pd.DataFrame:
        """Close the cascades of every item still live and return all cascade records."""
        live_with_rows = np.unique(self.exposures.first())
        if live_with_rows.size:
            self.cascade_records.append(tables.cascades_of_runs(self.exposures, self.items, *self.exposures.rows_of_first(live_with_rows)))
        never = np.setdiff1d(
            np.flatnonzero((self.items.expires > self.day + 1) & (self.items.views == 0)), live_with_rows
        )
        if never.size:
            self.cascade_records.append(tables.empty_cascades(self.items, never))
        if not self.cascade_records:
            return tables.empty_cascades(self.items, np.zeros(0, dtype=np.int64))
        return pd.concat(self.cascade_records, ignore_index=True).sort_values("item", ignore_index=True)
