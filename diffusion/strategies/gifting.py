"""``gifting``: buy presence on head streamers' gift leaderboards (claim S2).

Source 000 §2.3 tells how one streamer gained 7.95 million followers in three months by
gifting lavishly in the rooms of several head streamers: the top gifter's name is shown and
thanked in the room, so its audience notices the gifter. Here each focal creator spends
``daily_budget`` yuan a day, split over ``n_rooms`` rooms drawn each day from the ``n_head``
biggest creators streaming that day. Holding a room's leaderboard costs in proportion to its
audience, ``price_per_viewer`` yuan per viewer, so a spend ``s`` in a room of ``a`` viewers
makes each viewer see the gifter with probability ``min(1, s / (price_per_viewer * a))``. A
viewer who sees the gifter follows with the usual probability times ``endorsement`` (the
streamer thanks the gifter on air). The cost is the money spent. With ``daily_budget = 0`` the
strategy does nothing and the run equals ``organic`` under the same seed.
"""

from __future__ import annotations

import numpy as np

from diffusion.params import check_range
from diffusion.strategies.base import CreatorStrategy, DayState, Promotion, thin


class Gifting(CreatorStrategy):
    """Leaderboard gifting in head streamers' rooms (S2).

    Parameters
    ----------
    daily_budget : float
        Yuan each focal creator spends on gifts per day (only on days a head room is live).
    n_rooms : int
        Rooms a gifter spends in per day.
    n_head : int
        The rooms are drawn from the ``n_head`` streaming creators with the most followers.
    price_per_viewer : float
        Yuan per room viewer needed to top a room's leaderboard (assumed).
    endorsement : float
        Multiplier of the follow probability of a gifter seen in a room (assumed).
    focal, n_focal, cpm
        See :class:`~diffusion.strategies.CreatorStrategy`.
    """

    name = "gifting"

    def __init__(
        self,
        daily_budget: float = 3.0,
        n_rooms: int = 2,
        n_head: int = 10,
        price_per_viewer: float = 0.05,
        endorsement: float = 2.0,
        focal: str = "small",
        n_focal: int = 20,
        cpm: float = 30.0,
    ) -> None:
        super().__init__(focal=focal, n_focal=n_focal, cpm=cpm)
        check_range("strategy", "daily_budget", daily_budget, 0.0)
        check_range("strategy", "n_rooms", n_rooms, 1, integer=True)
        check_range("strategy", "n_head", n_head, 1, integer=True)
        check_range("strategy", "price_per_viewer", price_per_viewer, 0.0, low_open=True)
        check_range("strategy", "endorsement", endorsement, 0.0)
        self.daily_budget, self.n_rooms, self.n_head = float(daily_budget), int(n_rooms), int(n_head)
        self.price_per_viewer, self.endorsement = float(price_per_viewer), float(endorsement)

    def promote(self, day: DayState, rng: np.random.Generator) -> Promotion:
        if self.daily_budget == 0 or self.focal.size == 0:
            return Promotion.none()
        live = np.flatnonzero(day.streaming)
        live = live[~np.isin(live, self.focal)]
        if live.size == 0:
            return Promotion.none()
        head = live[np.lexsort((live, -day.followers[live]))[: self.n_head]]
        k = min(self.n_rooms, head.size)
        # Each gifter's rooms today: k distinct head rooms (a random permutation per gifter).
        rooms = head[np.argsort(rng.random((self.focal.size, head.size)), axis=1)[:, :k]]
        gifter = np.repeat(self.focal, k)
        room = rooms.ravel()
        viewers, which = day.room(room)
        size = np.bincount(which, minlength=room.size)
        visibility = np.minimum(1.0, (self.daily_budget / k) / (self.price_per_viewer * np.maximum(size, 1)))
        seen = thin(viewers, which, visibility, rng)
        user, creator = viewers[seen], gifter[which[seen]]
        keep = (user != creator) & day.has_content[creator]
        user, creator = user[keep], creator[keep]
        return Promotion(user, creator, np.full(user.size, self.endorsement), self.focal.copy(),
                         np.full(self.focal.size, self.daily_budget))
