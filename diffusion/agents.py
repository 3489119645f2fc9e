"""Mesa agents: the readable face of the platform model's users and creators.

Agent ``i`` sits on vertex ``i`` of the social graph (``agent.vertex``). Agents hold no hot
state: every attribute below reads the model's arrays, so a student can inspect one user in a
notebook (``model.agent_of(42).trust_in(7)``) while the model updates all users at once in
vectorised phases (see :class:`diffusion.model.PlatformModel`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from diffusion.model import PlatformModel


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
