"""``big_brings_small``: a big account promotes small ones to its own audience (claim S1).

Source 000 §2.3 lists "big account brings small account" among the growth tactics of
Kuaishou's head streamers. Here each focal (small) account is paired with a sponsor, one of
the ``n_sponsors`` creators with the most followers at the start. Whenever a sponsor streams,
it gives ``airtime_share`` of the stream to its protégés (a shout-out or a joint stream): each
viewer in its room is shown one of its protégés with that probability. A viewer's follow
probability for a promoted account is multiplied by ``endorsement`` — the sponsor vouches for
it. The cost is the sponsor's airtime: the impressions given away, valued at ``cpm``.
"""

from __future__ import annotations

import numpy as np

from diffusion.params import check_range
from diffusion.strategies.base import CreatorStrategy, DayState, Promotion, StrategyContext, thin


class BigBringsSmall(CreatorStrategy):
    """Shout-outs from a big account to its stream audience (S1).

    Parameters
    ----------
    airtime_share : float
        Share of the sponsor's stream audience shown a protégé (0-1; assumed).
    n_sponsors : int
        Sponsors: the creators with the most initial followers; protégé ``k`` gets sponsor
        ``k mod n_sponsors``.
    endorsement : float
        Multiplier of the follow probability of a promoted view (assumed).
    focal, n_focal, cpm
        See :class:`~diffusion.strategies.CreatorStrategy`.
    """

    name = "big_brings_small"

    def __init__(
        self,
        airtime_share: float = 0.2,
        n_sponsors: int = 5,
        endorsement: float = 3.0,
        focal: str = "small",
        n_focal: int = 20,
        cpm: float = 30.0,
    ) -> None:
        super().__init__(focal=focal, n_focal=n_focal, cpm=cpm)
        check_range("strategy", "airtime_share", airtime_share, 0.0, 1.0)
        check_range("strategy", "n_sponsors", n_sponsors, 1, integer=True)
        check_range("strategy", "endorsement", endorsement, 0.0)
        self.airtime_share, self.n_sponsors, self.endorsement = float(airtime_share), int(n_sponsors), float(endorsement)
        self.sponsor = np.zeros(0, dtype=np.int64)

    def bind(self, context: StrategyContext, rng: np.random.Generator) -> None:
        super().bind(context, rng)
        others = np.setdiff1d(context.creators[context.present[context.creators]], self.focal)
        # Biggest first; ties broken by id so the choice needs no random draw.
        order = np.lexsort((others, -context.followers[others]))
        sponsors = others[order[: self.n_sponsors]]
        self.sponsor = sponsors[np.arange(self.focal.size) % max(sponsors.size, 1)] if sponsors.size else sponsors

    def promote(self, day: DayState, rng: np.random.Generator) -> Promotion:
        if self.focal.size == 0 or self.sponsor.size == 0 or self.airtime_share == 0:
            return Promotion.none()
        sponsors = np.unique(self.sponsor[day.streaming[self.sponsor]])
        viewers, room = day.room(sponsors)
        shown = thin(viewers, room, self.airtime_share, rng)
        viewers, room = viewers[shown], room[shown]
        # Each shown viewer sees one of the sponsor's protégés, uniformly.
        proteges = [self.focal[self.sponsor == s] for s in sponsors]
        n_proteges = np.array([p.size for p in proteges], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(n_proteges)]).astype(np.int64)
        flat = np.concatenate([np.zeros(0, dtype=np.int64), *proteges])
        pick = offsets[room] + np.floor(rng.random(room.size) * n_proteges[room]).astype(np.int64)
        creator = flat[pick]
        keep = (viewers != creator) & day.has_content[creator]
        viewers, creator = viewers[keep], creator[keep]
        owners, cost = self.impression_costs(creator)
        return Promotion(viewers, creator, np.full(creator.size, self.endorsement), owners, cost)
