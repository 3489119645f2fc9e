"""``paid_traffic``: buy discovery impressions (claim S3).

Source 000 §2.3: besides warming up a stream with short videos and fan-group posts (see
``platform.announce_share``), creators "sometimes buy traffic". Each focal creator buys
``daily_budget`` yuan of impressions a day at ``cpm`` yuan per thousand, shown to online users
drawn uniformly at random (untargeted). Impressions are paid only when delivered: a creator
with nothing live that day buys none. Endorsement 1 by default: an advert persuades no more
than an ordinary feed view.
"""

from __future__ import annotations

import numpy as np

from diffusion.params import check_range
from diffusion.strategies.base import CreatorStrategy, DayState, Promotion


class PaidTraffic(CreatorStrategy):
    """Bought impressions for the focal creators (S3).

    Parameters
    ----------
    daily_budget : float
        Yuan each focal creator spends per day.
    endorsement : float
        Multiplier of the follow probability of a paid view (assumed 1).
    focal, n_focal, cpm
        See :class:`~diffusion.strategies.CreatorStrategy`.
    """

    name = "paid_traffic"

    def __init__(
        self,
        daily_budget: float = 3.0,
        endorsement: float = 1.0,
        focal: str = "small",
        n_focal: int = 20,
        cpm: float = 30.0,
    ) -> None:
        super().__init__(focal=focal, n_focal=n_focal, cpm=cpm)
        check_range("strategy", "daily_budget", daily_budget, 0.0)
        check_range("strategy", "endorsement", endorsement, 0.0)
        check_range("strategy", "cpm", cpm, 0.0, low_open=True)
        self.daily_budget, self.endorsement = float(daily_budget), float(endorsement)

    def promote(self, day: DayState, rng: np.random.Generator) -> Promotion:
        per_creator = int(self.daily_budget / self.cpm * 1000.0)
        buyers = self.focal[day.has_content[self.focal]]
        if per_creator == 0 or buyers.size == 0 or day.online.size == 0:
            return Promotion.none()
        creator = np.repeat(buyers, per_creator)
        user = day.online[rng.integers(0, day.online.size, size=creator.size)]
        keep = user != creator
        user, creator = user[keep], creator[keep]
        owners, cost = self.impression_costs(creator)
        return Promotion(user, creator, np.full(user.size, self.endorsement), owners, cost)
