"""``rural_leader``: a creator whose channel also sells neighbouring households' produce (R4).

Source 004 (三): a couple who sold their own mangoes online went on to sell for 63 households
of their area (about 10,000 yuan more income per household), and 68 trained "rural leaders"
lifted over 3,000 poor households, about 44 each. Here the focal creators (by default drawn
from poor-region creators) are leaders. Each leader's household pool is the ``pool_size``
non-creator users of the leader's city closest to the leader in the social graph (breadth-first:
ties, then ties of ties, ...). Every item a leader posts or streams carries a product, and it is
the produce of one household of the pool drawn uniformly, so a sale credits that household.
Leaders receive no extra traffic: whether neighbours earn depends on the leader's own trust
and audience.
"""

from __future__ import annotations

import numpy as np

from diffusion.params import check_range
from diffusion.strategies.base import CreatorStrategy, StrategyContext


class RuralLeader(CreatorStrategy):
    """Leaders who sell their neighbours' produce (R4).

    Parameters
    ----------
    pool_size : int
        Neighbouring households a leader can sell for (the nearest non-creators of its city). A
        value above the city's size takes every non-creator of the city reachable through
        same-city ties, so that the count of households is bounded by the leader's sales and
        not by an assumed village size (the rural_leaders experiment sweeps 100 and 100,000).
    focal, n_focal, cpm
        See :class:`~diffusion.strategies.CreatorStrategy`; ``focal`` defaults to ``poor``.
    """

    name = "rural_leader"

    def __init__(self, pool_size: int = 100, focal: str = "poor", n_focal: int = 10, cpm: float = 30.0) -> None:
        super().__init__(focal=focal, n_focal=n_focal, cpm=cpm)
        check_range("strategy", "pool_size", pool_size, 1, integer=True)
        self.pool_size = int(pool_size)
        self.pool_offsets = np.zeros(1, dtype=np.int64)
        self.pool = np.zeros(0, dtype=np.int64)
        self.leader_index = np.zeros(0, dtype=np.int64)

    def bind(self, context: StrategyContext, rng: np.random.Generator) -> None:
        super().bind(context, rng)
        pools = [self.neighbourhood(context, leader) for leader in self.focal]  # set-up only
        self.pool = np.concatenate(pools) if pools else np.zeros(0, dtype=np.int64)
        self.pool_offsets = np.concatenate([[0], np.cumsum([p.size for p in pools])]).astype(np.int64)
        self.leader_index = np.full(context.n_users, -1, dtype=np.int64)
        self.leader_index[self.focal] = np.arange(self.focal.size)

    def neighbourhood(self, context: StrategyContext, leader: int) -> np.ndarray:
        """Up to ``pool_size`` non-creators of the leader's city, nearest first (BFS order)."""
        eligible = (context.user_city == context.user_city[leader]) & ~context.is_creator & context.present
        seen = np.zeros(context.n_users, dtype=bool)
        seen[leader] = True
        frontier, found = np.array([leader]), []
        while frontier.size and sum(f.size for f in found) < self.pool_size:
            starts, stops = context.indptr[frontier], context.indptr[frontier + 1]
            neighbours = np.unique(np.concatenate([context.indices[a:b] for a, b in zip(starts, stops)]))
            neighbours = neighbours[~seen[neighbours]]
            seen[neighbours] = True
            found.append(neighbours[eligible[neighbours]])
            frontier = neighbours[context.user_city[neighbours] == context.user_city[leader]]
        pool = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
        return pool[: self.pool_size].astype(np.int64)

    def produce(
        self, creators: np.ndarray, product: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        household = np.full(creators.size, -1, dtype=np.int64)
        if self.focal.size == 0:
            return product, household
        index = self.leader_index[creators]
        leads = index >= 0
        size = (self.pool_offsets[1:] - self.pool_offsets[:-1])[index[leads]]
        draw = np.floor(rng.random(int(leads.sum())) * size).astype(np.int64)
        household[leads] = np.where(size > 0, self.pool[np.minimum(self.pool_offsets[index[leads]] + draw, max(self.pool.size - 1, 0))], -1)
        product = product.copy()
        product[leads] = True
        return product, household

    def households(self, leader_index: int) -> np.ndarray:
        """The household pool of the ``leader_index``-th leader."""
        return self.pool[self.pool_offsets[leader_index] : self.pool_offsets[leader_index + 1]]
