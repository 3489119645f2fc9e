"""The platform model's day written the way a Mesa tutorial would: one Python ``step`` per agent.

A benchmark peer for ``benchmarks/bench_model_vs_mesa.py``, not part of the package. It follows
the rules of :class:`diffusion.model.PlatformModel` at the package defaults (short videos, the
day-0 campaign, appeal-weighted discovery; no live streams, merchants or creator strategy), in
their plain form, with each agent looping over its own feed and dictionaries for what it has
seen and whom it trusts, as in Mesa's ``virus_on_network`` example:

- creators post; each online user fills ``feed_size`` slots from the follow, same-city and
  discovery feeds and also gets the items its ties shared yesterday; nobody is fed their own
  post;
- each (item, user) pair met today is decided once, reading the user's state at the start of
  its step: view, like, follow (boosted on the same-city feed), share (each tie with its own
  probability, delivered tomorrow); for products a purchase by trust or by reinforcement, a bad
  purchase, a recommendation to strong ties;
- the decisions are then applied: trust grows with each viewed item of a followed creator, new
  follows, good and bad purchases; item, creator and channel counters;
- an item's cascade (who saw it from whom) is closed when it expires: size, peers, depth and
  structural virality (Wiener index over subtree sizes, O(size)).

It draws its random numbers in its own order (Python's ``random``), so it agrees with the
package's model in distribution, not draw for draw; ``tests/test_mesa_style_peer.py`` checks
that agreement. The package keeps one definition of each rule (:mod:`diffusion.engine.reactions`);
this file is a cost model of the per-agent style, kept honest by that test.
"""

from __future__ import annotations

import bisect
import itertools
import math

import mesa
import numpy as np

from diffusion.relations import transmission_probabilities
from diffusion.networks.society import Society
from diffusion.params import BehaviourParams, CampaignParams, PlatformParams

SHARE, FOLLOW, SAME_CITY, DISCOVERY = 0, 1, 2, 3


class PlatformUser(mesa.Agent):
    """A user whose day is one Python method."""

    def __init__(self, model: MesaStylePlatform, vertex: int, ties: list[int], p_share: list[float],
                 p_recommend: list[float]) -> None:
        super().__init__(model)
        self.vertex, self.city = vertex, model.city[vertex]
        self.ties, self.p_share, self.p_recommend = ties, p_share, p_recommend
        self.following: list[int] = []  # creators, in the order followed (the follow feed draws from it)
        self.following_set: set[int] = set()
        self.trust: dict[int, float] = {}  # creator -> trust, for every relation
        # item -> [n_sources, platform_seen, last_source, sent, bought]
        self.seen: dict[int, list] = {}
        self.inbox: list[tuple[int, int]] = []  # (item, sharing tie), delivered today
        self.next_inbox: list[tuple[int, int]] = []

    def trust_in(self, creator: int) -> float:
        """Trust in ``creator``; a stranger from the same city gets the bonus (P7)."""
        trust = self.trust.get(creator)
        if trust is None:
            b = self.model.behaviour
            same_city = self.model.city[creator] == self.city
            trust = min(1.0, b.trust_stranger + (b.same_city_trust_bonus if same_city else 0.0))
        return trust

    # ---------------------------------------------------------------- today's feed
    def feed(self) -> dict[int, list]:
        """Today's exposures: item -> [channel, source, n_deliveries, platform]."""
        m, rng, t = self.model, self.model.random, self.model.day
        today: dict[int, list] = {}
        for item, source in self.inbox:
            if m.item_expires[item] <= t:
                continue
            entry = today.get(item)
            if entry is None:
                today[item] = [SHARE, source, 1, False]
            else:
                entry[2] += 1
        self.inbox = []
        if rng.random() >= m.behaviour.p_active:
            return today
        for _ in range(m.platform.feed_size):
            channel = rng.random()
            if channel < m.cum_weights[0]:
                channel, item = FOLLOW, -1
                if self.following:
                    creator = self.following[int(rng.random() * len(self.following))]
                    item = m.pinned.get(creator, -1)
                    live = m.live_by_creator.get(creator)
                    if item < 0 and live:
                        item = live[int(rng.random() * len(live))]
            elif channel < m.cum_weights[1]:
                channel, local = SAME_CITY, m.live_by_city.get(self.city)
                item = local[int(rng.random() * len(local))] if local else -1
            else:
                channel, item = DISCOVERY, -1
                if m.discovery:
                    x = rng.random() * m.discovery_total
                    item = m.discovery[min(bisect.bisect_right(m.discovery_cum, x), len(m.discovery) - 1)]
            if item < 0 or m.item_creator[item] == self.vertex:
                continue
            entry = today.get(item)
            if entry is None:
                today[item] = [channel, -1, 0, True]
            else:
                entry[0] = min(entry[0], channel)
                entry[3] = True
        return today

    # ---------------------------------------------------------------- one day
    def step(self) -> None:
        m, b, rng = self.model, self.model.behaviour, self.model.random
        h = b.share_homophily
        view_gain: list[int] = []
        follows: list[tuple[int, int]] = []  # (creator, channel)
        good: list[int] = []
        bad: list[int] = []
        for item, (channel, source, n_deliveries, platform) in self.feed().items():
            creator, appeal = m.item_creator[item], m.item_appeal[item]
            record = self.seen.get(item)
            is_new = record is None
            if is_new:
                record = self.seen[item] = [0, False, -1, False, False]
                m.viewers[item].append((self.vertex, source))
                m.item_views[item] += 1
                m.views_by_channel[channel] += 1
                m.creator_views[creator] += 1
            record[0] += n_deliveries + (platform and not record[1])
            record[1] = record[1] or platform
            if source >= 0:
                record[2] = source
            following = creator in self.following_set
            share = recommend = False
            if is_new:
                if rng.random() < b.p_like * appeal:
                    m.item_likes[item] += 1
                boost = b.same_city_follow_boost if channel == SAME_CITY else 1.0
                if not following and rng.random() < min(b.p_follow * appeal * boost, 1.0):
                    follows.append((creator, channel))
                if rng.random() < b.p_share * appeal:
                    share = True
                    m.item_shares[item] += 1
                if following:
                    view_gain.append(creator)
            if m.item_product[item] and not record[4]:
                m.product_exposures += 1
                trust = self.trust_in(creator)  # read before any commit: the start of the step
                trusted = trust >= b.trust_threshold
                if trusted or record[0] >= b.reinforcement:
                    if trusted:
                        persuasion = trust
                    elif record[2] >= 0:
                        persuasion = 1.0 - h + h * m.similarity(self.vertex, record[2])
                    else:
                        persuasion = 1.0
                    if rng.random() < min(b.p_buy * appeal * persuasion, 1.0):
                        record[4] = True
                        m.item_purchases[item] += 1
                        m.purchases += 1
                        (bad if rng.random() < b.p_bad_purchase else good).append(creator)
                        recommend = rng.random() < b.p_recommend
            if (share or recommend) and not record[3]:
                record[3] = True
                probabilities = self.p_share if share else self.p_recommend
                for tie, p in zip(self.ties, probabilities):
                    if tie != creator and rng.random() < p:
                        m.agent_list[tie].next_inbox.append((item, self.vertex))
        # Commit, in the package's order: views of followed creators, follows, good, bad.
        for creator in view_gain:
            self.trust[creator] = 1.0 - (1.0 - self.trust[creator]) * (1.0 - b.trust_gain)
        for creator, channel in follows:
            if creator in self.following_set:  # two new items of one creator: one follow
                continue
            m.follows_by_channel[channel] += 1
            self.trust[creator] = max(self.trust_in(creator), b.trust_follow)
            self.following.append(creator)
            self.following_set.add(creator)
            m.followers[creator] += 1
        for creator in good:
            trust = self.trust_in(creator)
            self.trust[creator] = 1.0 - (1.0 - trust) * (1.0 - b.trust_gain_purchase)
        for creator in bad:
            trust = self.trust_in(creator)
            self.trust[creator] = trust * (1.0 - b.trust_loss)


class MesaStylePlatform(mesa.Model):
    """Creators post, every user agent steps (shuffled), shares are delivered, cascades close."""

    def __init__(self, society: Society, *, seed: int = 0, platform: PlatformParams | None = None,
                 behaviour: BehaviourParams | None = None, campaign: CampaignParams | None = None) -> None:
        super().__init__(rng=seed)
        self.platform = platform or PlatformParams()
        self.behaviour = behaviour or BehaviourParams()
        self.campaign = campaign or CampaignParams()
        p, b = self.platform, self.behaviour
        if p.p_stream > 0 or p.merchant_share > 0 or p.policy not in (None, {}):
            raise ValueError("the Mesa-style peer models the default platform only (no streams, "
                             "merchants or other exposure policies)")
        weights = np.array([p.follow_weight, p.same_city_weight, p.discovery_weight])
        self.cum_weights = np.cumsum(weights / weights.sum()).tolist()
        self.city = society.city.tolist()
        self.traits = society.traits.tolist()
        csr = society.csr
        # Each tie's share and recommendation probability: the package's own definition.
        p_share, p_recommend = (a.tolist() for a in transmission_probabilities(society, b))
        indptr, indices = csr.indptr.tolist(), csr.indices.tolist()
        self.agent_list = [
            PlatformUser(self, v, indices[indptr[v]:indptr[v + 1]], p_share[indptr[v]:indptr[v + 1]],
                         p_recommend[indptr[v]:indptr[v + 1]])
            for v in range(society.n_users)
        ]
        n = society.n_users
        self.followers = [0] * n
        self.creator_views = [0] * n
        # The society's follows, with trust trust_follow plus a Beta(1, 3) share of the gap.
        for user, creator in zip(*(a.tolist() for a in society.follow_edges())):
            agent = self.agent_list[user]
            agent.following.append(creator)
            agent.following_set.add(creator)
            agent.trust[creator] = b.trust_follow + (1.0 - b.trust_follow) * self.random.betavariate(1.0, 3.0)
            self.followers[creator] += 1
        self.creators = society.creators.tolist()
        self.item_creator: list[int] = []
        self.item_appeal: list[float] = []
        self.item_product: list[bool] = []
        self.item_price: list[float] = []
        self.item_expires: list[float] = []
        self.item_views: list[int] = []
        self.item_likes: list[int] = []
        self.item_shares: list[int] = []
        self.item_purchases: list[int] = []
        self.viewers: list[list[tuple[int, int]]] = []  # item -> (viewer, sharer or -1)
        self.pinned: dict[int, int] = {}
        self.views_by_channel = [0] * 4
        self.follows_by_channel = [0] * 4
        self.purchases = 0
        self.product_exposures = 0  # exposures to a product the user has not bought yet
        self.cascades: list[tuple[int, int, int, int, float]] = []  # item, size, peers, depth, virality
        self.day = 0

    def similarity(self, u: int, v: int) -> float:
        """Taste similarity ``(1 + cos angle) / 2`` (traits are unit vectors)."""
        dot = sum(x * y for x, y in zip(self.traits[u], self.traits[v]))
        return min(max(0.5 * (1.0 + dot), 0.0), 1.0)

    def post_item(self, creator: int, appeal: float, product: bool, expires: float) -> int:
        self.item_creator.append(creator)
        self.item_appeal.append(appeal)
        self.item_product.append(product)
        self.item_price.append(self.random.lognormvariate(math.log(40.0), 0.8))
        self.item_expires.append(expires)
        for counter in (self.item_views, self.item_likes, self.item_shares, self.item_purchases):
            counter.append(0)
        self.viewers.append([])
        return len(self.item_creator) - 1

    def step(self) -> None:
        p, rng, t = self.platform, self.random, self.day
        if t == 0 and self.campaign.n_creators > 0:  # campaign creators pin one post all run long
            c = self.campaign
            eligible = [x for x in self.creators if c.min_followers <= self.followers[x] <= c.max_followers]
            pool = eligible or self.creators
            for creator in rng.sample(pool, min(c.n_creators, len(pool))):
                self.pinned[creator] = self.post_item(creator, c.appeal, True, math.inf)
        for creator in self.creators:
            if rng.random() < p.p_post:
                self.post_item(creator, rng.betavariate(2.0, 3.0), rng.random() < p.product_share,
                               t + p.item_lifetime_steps)
        campaign = set(self.pinned.values())
        live = [i for i, expires in enumerate(self.item_expires) if expires > t and i not in campaign]
        self.live_by_creator: dict[int, list[int]] = {}
        self.live_by_city: dict[int, list[int]] = {}
        for item in live:
            creator = self.item_creator[item]
            self.live_by_creator.setdefault(creator, []).append(item)
            self.live_by_city.setdefault(self.city[creator], []).append(item)
        self.discovery = live
        self.discovery_cum = list(itertools.accumulate(self.item_appeal[i] for i in live))
        self.discovery_total = self.discovery_cum[-1] if live else 0.0
        self.agents.shuffle_do("step")
        for agent in self.agent_list:
            agent.inbox, agent.next_inbox = agent.next_inbox, []
        self.expire()
        self.day += 1

    def expire(self) -> None:
        """Close the cascades of the items whose last day was today and forget their views."""
        t = self.day
        for item, expires in enumerate(self.item_expires):
            if expires != t + 1:
                continue
            # Node 0 is the creator's post; a viewer's parent is the sharer, else the post.
            # Viewers are in order of viewing, so a sharer comes before those it reached.
            node: dict[int, int] = {}
            parent, depth = [-1], [0]
            for k, (user, source) in enumerate(self.viewers[item], 1):
                node[user] = k
                up = node[source] if source >= 0 else 0
                parent.append(up)
                depth.append(depth[up] + 1)
                del self.agent_list[user].seen[item]
            n = len(parent)
            size = [1] * n
            for k in range(n - 1, 0, -1):
                size[parent[k]] += size[k]
            wiener = sum(s * (n - s) for s in size[1:])
            virality = 2.0 * wiener / (n * (n - 1)) if n > 1 else math.nan
            peers = sum(1 for up in parent[1:] if up > 0)
            self.cascades.append((item, n - 1, peers, max(depth), virality))
            self.viewers[item] = []
