"""``mcn_matrix``: a group of accounts that cross-promote (claim S4).

Source 000 §2.3: MCN agencies run matrices of accounts that promote each other. The focal
creators are shuffled into matrices of ``group_size``; every day each online follower of a
member is shown another member of the same matrix (drawn uniformly) with probability
``cross_share`` — a tag in a post, a mention in a stream. Follow probability is multiplied by
``endorsement``. The cost is the impressions the members give each other, valued at ``cpm``.
"""

from __future__ import annotations

import numpy as np

from diffusion.params import check_range
from diffusion.strategies.base import CreatorStrategy, DayState, Promotion, StrategyContext, thin


class McnMatrix(CreatorStrategy):
    """Mutual promotion inside account matrices (S4).

    Parameters
    ----------
    group_size : int
        Accounts per matrix (the last matrix may be smaller; a single leftover account joins
        the previous one).
    cross_share : float
        Probability an online follower of a member is shown another member that day (assumed).
    endorsement : float
        Multiplier of the follow probability of a cross-promoted view (assumed).
    focal, n_focal, cpm
        See :class:`~diffusion.strategies.CreatorStrategy`.
    """

    name = "mcn_matrix"

    def __init__(
        self,
        group_size: int = 5,
        cross_share: float = 0.2,
        endorsement: float = 2.0,
        focal: str = "small",
        n_focal: int = 20,
        cpm: float = 30.0,
    ) -> None:
        super().__init__(focal=focal, n_focal=n_focal, cpm=cpm)
        check_range("strategy", "group_size", group_size, 2, integer=True)
        check_range("strategy", "cross_share", cross_share, 0.0, 1.0)
        check_range("strategy", "endorsement", endorsement, 0.0)
        self.group_size, self.cross_share, self.endorsement = int(group_size), float(cross_share), float(endorsement)
        self.matrix = np.zeros(0, dtype=np.int64)

    def bind(self, context: StrategyContext, rng: np.random.Generator) -> None:
        super().bind(context, rng)
        n = self.focal.size
        self.focal = self.focal[rng.permutation(n)]
        matrix = np.arange(n) // self.group_size
        if n > 1 and np.sum(matrix == matrix[-1]) == 1:
            matrix[-1] -= 1  # no matrix of one
        order = np.argsort(self.focal)
        self.focal, self.matrix = self.focal[order], matrix[order]

    def promote(self, day: DayState, rng: np.random.Generator) -> Promotion:
        if self.focal.size < 2 or self.cross_share == 0:
            return Promotion.none()
        fans, member = day.fans(self.focal)
        shown = thin(fans, member, self.cross_share, rng)
        fans, member = fans[shown], member[shown]
        # Another member of the same matrix, uniformly: lay members out matrix by matrix, find
        # the member's own position in its block and draw one of the other positions.
        by_matrix = np.argsort(self.matrix, kind="stable")
        position = np.argsort(by_matrix)
        sizes = np.bincount(self.matrix)
        start = np.concatenate([[0], np.cumsum(sizes)])[self.matrix[member]]
        own = position[member] - start
        draw = np.floor(rng.random(member.size) * (sizes[self.matrix[member]] - 1)).astype(np.int64)
        other = by_matrix[start + draw + (draw >= own)]
        creator = self.focal[other]
        keep = (fans != creator) & day.has_content[creator]
        fans, creator = fans[keep], creator[keep]
        owners, cost = self.impression_costs(creator)
        return Promotion(fans, creator, np.full(fans.size, self.endorsement), owners, cost)
