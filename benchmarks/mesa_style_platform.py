"""The platform model's day written the way a Mesa tutorial would: one Python ``step`` per agent.

A benchmark peer for ``benchmarks/bench_model_vs_mesa.py``, not part of the package. It follows
the same rules as :class:`diffusion.model.PlatformModel` in their plain form — a user who is
online fills ``feed_size`` slots from the follow, same-city and discovery feeds, views what is
new, likes, follows, shares to ties (each tie with its share probability, delivered next day)
and buys a product when trust or two distinct sources allow — with each agent looping over its
own slots, dictionaries for trust and seen items, and lists for inboxes, as in Mesa's
``virus_on_network`` example. It is a faithful *cost* model of that style, not a second engine:
the package has one definition of each rule.
"""

from __future__ import annotations

import mesa
import numpy as np

from diffusion.networks.society import Society
from diffusion.params import BehaviourParams, PlatformParams


class PlatformUser(mesa.Agent):
    """A user whose day is one Python method."""

    def __init__(self, model: MesaStylePlatform, vertex: int, ties: list[int], p_ties: list[float], follows: list[int]) -> None:
        super().__init__(model)
        self.vertex, self.ties, self.p_ties, self.follows = vertex, ties, p_ties, follows
        self.trust: dict[int, float] = {c: model.behaviour.trust_follow for c in follows}
        self.sources: dict[int, int] = {}  # item -> distinct sources so far
        self.inbox: list[int] = []
        self.next_inbox: list[int] = []

    def step(self) -> None:
        m, b, rng = self.model, self.model.behaviour, self.model.random
        exposures = self.inbox
        self.inbox = []
        if rng.random() < b.p_active:
            for _ in range(m.platform.feed_size):
                channel = rng.random()
                if channel < m.weights[0] and self.follows:
                    creator = self.follows[int(rng.random() * len(self.follows))]
                    live = m.live_by_creator.get(creator)
                    item = live[int(rng.random() * len(live))] if live else -1
                elif channel < m.weights[0] + m.weights[1]:
                    local = m.live_by_city.get(m.city[self.vertex])
                    item = local[int(rng.random() * len(local))] if local else -1
                else:
                    item = m.discovery[int(rng.random() * len(m.discovery))] if m.discovery else -1
                if item >= 0:
                    exposures.append(item)
        for item in exposures:
            creator = m.item_creator[item]
            if creator == self.vertex:
                continue
            first = item not in self.sources
            self.sources[item] = self.sources.get(item, 0) + 1
            appeal = m.item_appeal[item]
            trust = self.trust.get(creator, b.trust_stranger)
            if first:
                if rng.random() < b.p_like * appeal:
                    m.likes += 1
                if creator not in self.trust and rng.random() < b.p_follow * appeal:
                    self.follows.append(creator)
                    self.trust[creator] = b.trust_follow
                if rng.random() < b.p_share * appeal:
                    for tie, p in zip(self.ties, self.p_ties):
                        if rng.random() < p:
                            m.agent_list[tie].next_inbox.append(item)
            if m.item_product[item] and (trust >= b.trust_threshold or self.sources[item] >= b.reinforcement):
                if rng.random() < b.p_buy * appeal * max(trust, 0.5):
                    m.purchases += 1
                    self.trust[creator] = 1.0 - (1.0 - trust) * (1.0 - b.trust_gain_purchase)


class MesaStylePlatform(mesa.Model):
    """Creators post, then every user agent steps (shuffled), then shares are delivered."""

    def __init__(self, society: Society, *, seed: int = 0, platform: PlatformParams | None = None,
                 behaviour: BehaviourParams | None = None) -> None:
        super().__init__(rng=seed)
        self.platform = platform or PlatformParams()
        self.behaviour = behaviour or BehaviourParams()
        p = self.platform
        self.weights = np.array([p.follow_weight, p.same_city_weight, p.discovery_weight]) / p.channel_weights_total()
        self.city = society.city.tolist()
        csr = society.csr
        weight = csr.edge_values(society.edge_weight)
        follows: list[list[int]] = [[] for _ in range(society.n_users)]
        for user, creator in zip(society.follow_source.tolist(), society.follow_target.tolist()):
            follows[user].append(creator)
        self.agent_list = [
            PlatformUser(self, v, csr.indices[csr.indptr[v]:csr.indptr[v + 1]].tolist(),
                         (weight[csr.indptr[v]:csr.indptr[v + 1]] * self.behaviour.p_share).tolist(), follows[v])
            for v in range(society.n_users)
        ]
        self.creators = society.creators.tolist()
        self.item_creator: list[int] = []
        self.item_appeal: list[float] = []
        self.item_product: list[bool] = []
        self.item_expires: list[int] = []
        self.likes = self.purchases = 0
        self.day = 0

    def step(self) -> None:
        p, rng = self.platform, self.random
        for creator in self.creators:
            if rng.random() < p.p_post:
                self.item_creator.append(creator)
                self.item_appeal.append(rng.betavariate(2.0, 3.0))
                self.item_product.append(rng.random() < p.product_share)
                self.item_expires.append(self.day + p.item_lifetime_steps)
        live = [i for i, expires in enumerate(self.item_expires) if expires > self.day]
        self.live_by_creator: dict[int, list[int]] = {}
        self.live_by_city: dict[int, list[int]] = {}
        for item in live:
            creator = self.item_creator[item]
            self.live_by_creator.setdefault(creator, []).append(item)
            self.live_by_city.setdefault(self.city[creator], []).append(item)
        self.discovery = live  # appeal weighting left out: it only makes this peer slower
        self.agents.shuffle_do("step")
        for agent in self.agent_list:
            agent.inbox, agent.next_inbox = agent.next_inbox, []
        self.day += 1
