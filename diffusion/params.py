"""Parameters of the platform model: one definition of every default.

These dataclasses are the model's input (the model reads them, never changes them) and, through
:mod:`diffusion.config`, the typed schema of the Hydra config groups ``platform/`` and
``behaviour/``. A default is written once, here; YAML files hold only deltas.

Each field says what it models, its unit and where its value comes from:

* **calibrated** — tuned so the simulated survey reproduces P1-P3 (``claims.md`` §C,
  source 000 §2.3); see ``docs/calibration.md`` and :mod:`diffusion.calibration`;
* **assumed** — a modelling choice, varied in sensitivity sweeps.

Range checks run in ``__post_init__`` and raise :class:`~diffusion.errors.ConfigError` naming
the key and the allowed range.
"""

from __future__ import annotations

import math
from collections import namedtuple
from dataclasses import dataclass, fields
from typing import Any

from diffusion.errors import ConfigError

#: Exposure channels, in the order used by every per-channel array and table (W4).
#: ``promotion`` carries exposures a creator strategy arranges (shout-outs, leaderboard
#: presence, paid impressions, matrix cross-promotion; S1-S4), outside the feed budget.
CHANNELS: tuple[str, ...] = ("share", "follow", "same_city", "discovery", "promotion")


def check_range(
    section: str,
    name: str,
    value: float,
    low: float,
    high: float = math.inf,
    *,
    low_open: bool = False,
    integer: bool = False,
) -> None:
    """Raise :class:`ConfigError` unless ``low <= value <= high`` (``low < value`` if open)."""
    kind = "a whole number" if integer else "a number"
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok and integer:
        ok = float(value).is_integer()
    if ok:
        ok = (value > low if low_open else value >= low) and value <= high
    if not ok:
        left = "(" if low_open else "["
        right = "]" if math.isfinite(high) else ")"
        upper = f"{high:g}" if math.isfinite(high) else "inf"
        key = f"{section}.{name}" if section else name
        raise ConfigError(
            f"{key}={value!r} is out of range: it must be {kind} in "
            f"{left}{low:g}, {upper}{right}. Change it on the command line "
            f"(e.g. {key}=...) or in the config file that sets it."
        )


def _check_probabilities(obj: Any, section: str, names: tuple[str, ...]) -> None:
    for name in names:
        check_range(section, name, getattr(obj, name), 0.0, 1.0)


@dataclass
class PlatformParams:
    """How the platform fills each user's feed (config group ``platform/``).

    Every active user views ``feed_size`` platform slots a day; each slot is drawn from the
    follow feed, the same-city feed or the discovery feed with the given weights (W4: "Follow"
    keeps old relationships, "Same city" opens new local ones; source 000 §3.2, §4.1). Items
    shared by ties arrive as messages on top of the feed. The discovery slots are filled by the
    exposure policy (:mod:`diffusion.policies`); all policies fill the same number of slots, so
    they spend the same impression budget (issue: platform exposure, D1-D4).
    """

    #: Platform feed slots each active user views per day (count; assumed).
    feed_size: int = 8
    #: Relative weight of follow-feed slots (private domain; assumed).
    follow_weight: float = 0.35
    #: Relative weight of same-city slots (W4; assumed).
    same_city_weight: float = 0.15
    #: Relative weight of discovery slots filled by the policy (assumed).
    discovery_weight: float = 0.5
    #: Days an item stays eligible for feeds and shares (days; assumed).
    item_lifetime_steps: int = 7
    #: Probability a creator posts an item on a given day (per creator per day; assumed).
    p_post: float = 0.3
    #: Share of posted items that carry a product for sale (assumed).
    product_share: float = 0.3
    #: An item's appeal is drawn from Beta(appeal_alpha, appeal_beta): mean 0.4, most items
    #: middling and few very appealing (assumed).
    appeal_alpha: float = 2.0
    #: Second shape parameter of the appeal distribution (assumed).
    appeal_beta: float = 3.0
    #: A product's price is lognormal with this median (yuan; assumed: cheap goods dominate, R5).
    price_median: float = 40.0
    #: Standard deviation of the log price (assumed).
    price_log_sd: float = 0.8
    #: Probability a creator holds a live stream on a given day (per creator per day; assumed).
    #: 0 by default: the calibrated core (P1-P3) runs on short videos alone; the creator and
    #: commerce experiments switch streams on (S1-S5, P5-P8).
    p_stream: float = 0.0
    #: Share of live streams announced the day before with a warm-up short video and a
    #: fan-group post, which raises followers' attendance (S3; assumed).
    announce_share: float = 0.5
    #: Share of creators who are local merchants: their products are local services that only
    #: viewers in the merchant's city can buy (R1, P7; assumed).
    merchant_share: float = 0.0
    #: Exposure policy for the discovery feed: a ``_target_`` spec instantiated by the CLI
    #: layer (see :mod:`diffusion.policies`). The model receives the built policy object.
    policy: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        s = "platform"
        check_range(s, "feed_size", self.feed_size, 0, 1000, integer=True)
        for name in ("follow_weight", "same_city_weight", "discovery_weight"):
            check_range(s, name, getattr(self, name), 0.0)
        if self.feed_size > 0 and self.channel_weights_total() <= 0:
            raise ConfigError(
                "platform.follow_weight, platform.same_city_weight and platform.discovery_weight "
                "are all 0, so the feed has no channel to fill its slots. Give at least one a "
                "positive weight, or set platform.feed_size=0 for a feed of peer shares only."
            )
        check_range(s, "item_lifetime_steps", self.item_lifetime_steps, 1, integer=True)
        _check_probabilities(self, s, ("p_post", "product_share", "p_stream", "announce_share", "merchant_share"))
        for name in ("appeal_alpha", "appeal_beta", "price_median"):
            check_range(s, name, getattr(self, name), 0.0, low_open=True)
        check_range(s, "price_log_sd", self.price_log_sd, 0.0)

    def channel_weights_total(self) -> float:
        """Sum of the three platform channel weights."""
        return self.follow_weight + self.same_city_weight + self.discovery_weight


@dataclass
class BehaviourParams:
    """How users view, share, follow, trust and buy (config group ``behaviour/``).

    Notes
    -----
    Sharing (W1, W2, W3; source 000 §3.2): a user who views an item for the first time
    shares it with probability ``p_share * appeal``; the share reaches each tie independently
    with probability ``tie_strength * (1 - share_homophily + share_homophily * similarity)``.
    This is one hop of an independent cascade (:func:`diffusion.contagion.transmit`).

    Purchase (complex contagion with a trust route; P1, W3): a product exposure can lead to a
    purchase only if the viewer trusts the creator at least ``trust_threshold`` ("bought because
    they trust the streamer", P1) or has been exposed to the item by at least ``reinforcement``
    distinct sources (Centola & Macy 2007). An eligible exposure converts with probability
    ``p_buy * appeal * trust`` on the trust route (purchase intent in proportion to trust in the
    creator) and ``p_buy * appeal * (1 - h + h * similarity)`` on the peer route, with the
    similarity of the recommending tie (W3).

    Trust (P3, P5; source 000 §2.3): trust in a creator starts at ``trust_follow`` when a user
    follows, grows by ``trust_gain * (1 - trust)`` with each viewed item, rises after a good
    purchase and is multiplied by ``1 - trust_loss`` after a bad one (probability
    ``p_bad_purchase``). Word of mouth (P2): a buyer recommends the item to their strong ties
    with probability ``p_recommend``.
    """

    #: Probability a user opens the app on a given day (assumed).
    p_active: float = 0.6
    #: Probability a viewer likes an item, times its appeal (assumed).
    p_like: float = 0.2
    #: Probability a viewer follows a creator they do not follow, times appeal (assumed).
    p_follow: float = 0.02
    #: Multiplier of ``p_follow`` for views from the same-city feed (W4; assumed).
    same_city_follow_boost: float = 3.0
    #: Probability a first-time viewer shares an item, times its appeal (assumed).
    p_share: float = 0.15
    #: Weight of sender-receiver similarity in share reach and peer persuasion (W3; assumed).
    share_homophily: float = 0.5
    #: Distinct exposures needed before a peer-driven purchase (complex contagion; assumed).
    reinforcement: int = 2
    #: Trust at or above which a single exposure can lead to a purchase (calibrated, P1).
    trust_threshold: float = 0.461
    #: Probability an eligible product exposure converts, times appeal (assumed).
    p_buy: float = 0.25
    #: Initial trust of a new follower in the creator (assumed).
    trust_follow: float = 0.25
    #: Trust of a non-follower in a creator outside their city (assumed).
    trust_stranger: float = 0.05
    #: Extra trust in creators of one's own city (P7; assumed).
    same_city_trust_bonus: float = 0.1
    #: Trust gained per viewed item of a followed creator, on the remaining gap (assumed: the
    #: calibration fits no survey figure to it).
    trust_gain: float = 0.06
    #: Trust gained after a good purchase, on the remaining gap (assumed).
    trust_gain_purchase: float = 0.3
    #: Probability a purchase turns out badly (calibrated, P3).
    p_bad_purchase: float = 0.213
    #: Fraction of trust lost after a bad purchase (assumed).
    trust_loss: float = 0.6
    #: Trust at or above which a buyer accepts the creator's recommendations again (P3).
    trust_accept: float = 0.3
    #: Probability a buyer recommends the item to their strong ties (calibrated, P2).
    p_recommend: float = 0.356
    #: Tie strength at or above which a tie counts as strong for word of mouth (assumed).
    strong_tie_min_weight: float = 0.4
    #: Probability an online follower joins a followed creator's live stream (assumed).
    p_attend: float = 0.3
    #: Multiplier of ``p_attend`` when the stream was announced ahead (S3; assumed).
    announce_boost: float = 1.5
    #: Multiplier of the purchase probability when goods are shown live rather than in a short
    #: video (P8: live demonstration persuades more; assumed).
    live_purchase_boost: float = 1.5
    #: Price elasticity of purchase of users in the lowest-tier cities (tier 5); it falls
    #: linearly with the tier to 0 in first-tier cities, whose buyers the source calls
    #: insensitive to the price of cheap goods (R5, source 000 §4.1). A product dearer than
    #: ``price_reference`` is bought with its probability times (price / reference) ** -elasticity;
    #: cheaper ones are not boosted. 0 switches price sensitivity off (default: only the
    #: price_tiers experiment sets it; assumed).
    price_elasticity: float = 0.0
    #: Price (yuan) up to which no buyer hesitates: the median product price (R5; assumed).
    price_reference: float = 40.0
    #: Probability a stream viewer interacts (comments), times twice the creator's engagement,
    #: which has mean 1/2 (P5; assumed).
    p_interact: float = 0.3
    #: Trust gained by interacting in a stream, on the remaining gap (P5; assumed).
    trust_gain_interaction: float = 0.1
    #: Probability a stream viewer sends a gift (assumed).
    p_gift: float = 0.03
    #: Mean value of a viewer's gift (yuan; lognormal with sigma 1; assumed).
    gift_mean: float = 2.0

    def __post_init__(self) -> None:
        s = "behaviour"
        _check_probabilities(
            self,
            s,
            (
                "p_active", "p_like", "p_follow", "p_share", "share_homophily",
                "trust_threshold", "p_buy", "trust_follow", "trust_stranger",
                "same_city_trust_bonus", "trust_gain", "trust_gain_purchase", "p_bad_purchase",
                "trust_loss", "trust_accept", "p_recommend", "strong_tie_min_weight",
                "p_attend", "p_interact", "trust_gain_interaction", "p_gift",
            ),
        )
        for name in ("announce_boost", "live_purchase_boost", "gift_mean"):
            check_range(s, name, getattr(self, name), 0.0)
        check_range(s, "price_elasticity", self.price_elasticity, 0.0, 10.0)
        check_range(s, "price_reference", self.price_reference, 0.0, low_open=True)
        check_range(s, "same_city_follow_boost", self.same_city_follow_boost, 0.0)
        check_range(s, "reinforcement", self.reinforcement, 1, 1000, integer=True)

    def record(self) -> BehaviourRecord:
        """These parameters as the record the rules read by name (:mod:`diffusion.rules`), each
        value of its declared type (so the compiled engine sees one signature)."""
        return BehaviourRecord(*(int(getattr(self, f.name)) if f.type in (int, "int") else float(getattr(self, f.name))
                                 for f in fields(self)))


#: The behaviour parameters as an immutable record with the same field names, read by the
#: rules (``b.p_like``) in plain Python and inside the compiled engine alike.
BehaviourRecord = namedtuple("BehaviourRecord", [f.name for f in fields(BehaviourParams)])


@dataclass
class CampaignParams:
    """The focal product campaign whose spread the weak-ties experiment follows (W1, W2).

    On day 0, ``n_creators`` creators drawn at random from those with ``min_followers`` to
    ``max_followers`` followers post one product item each; it lives for the whole run. As in
    the source's account of fission (000 §3.2: a streamer's post reaches followers, who re-share
    it into their circles), the campaign reaches viewers through the creators' follow feeds and
    peer shares; the platform's same-city and discovery feeds carry it only if
    ``in_same_city`` / ``in_discovery`` are set. Its reach and purchases are the "content
    sharing" and "purchase adoption" outcomes of W1.
    """

    #: Number of campaign items (one per seeding creator).
    n_creators: int = 5
    #: Smallest follower count of a seeding creator (mid-tier accounts).
    min_followers: int = 10
    #: Largest follower count of a seeding creator (keeps head accounts out of the campaign).
    max_followers: int = 200
    #: Appeal of the campaign item, in [0, 1] (assumed).
    appeal: float = 0.6
    #: Price of the campaign's product (yuan; the median product price; assumed).
    price: float = 40.0
    #: Whether the same-city feed may show campaign items.
    in_same_city: bool = False
    #: Whether the discovery feed (the exposure policy) may show campaign items.
    in_discovery: bool = False

    def __post_init__(self) -> None:
        check_range("campaign", "n_creators", self.n_creators, 0, integer=True)
        check_range("campaign", "min_followers", self.min_followers, 0, integer=True)
        check_range("campaign", "max_followers", self.max_followers, self.min_followers, integer=True)
        check_range("campaign", "appeal", self.appeal, 0.0, 1.0)
        check_range("campaign", "price", self.price, 0.0)


def as_dict(params: Any) -> dict[str, Any]:
    """Field values of a parameter dataclass, for provenance records and tables."""
    return {f.name: getattr(params, f.name) for f in fields(params)}


# ---------------------------------------------------------------------- plausible ranges
@dataclass(frozen=True)
class Range:
    """The plausible range of an assumed or calibrated parameter (issue 20), declared beside
    its default and sampled by :mod:`diffusion.sensitivity`.

    ``distribution`` is ``uniform`` (equal weight across the range), ``log-uniform`` (a scale
    factor: equal weight to each doubling) or ``integer`` (uniform, rounded to a whole number).
    ``why`` says where the bounds come from. The default must lie inside the range and the
    bounds inside the parameter's allowed domain (checked by
    :func:`diffusion.config.plausible_space`).
    """

    low: float
    high: float
    why: str
    distribution: str = "uniform"

    def value(self, unit: float) -> float | int:
        """The parameter value at ``unit`` in [0, 1] of the range (inverse CDF of the
        distribution), so one unit-cube design serves every distribution."""
        if self.distribution == "log-uniform":
            return float(math.exp(math.log(self.low) + unit * (math.log(self.high) - math.log(self.low))))
        if self.distribution == "integer":
            # equal-width bins, one per whole number, so each value is equally likely
            return int(min(self.high, math.floor(self.low + unit * (self.high - self.low + 1))))
        return float(self.low + unit * (self.high - self.low))


_HALF = "half to double the default: no measurement, so a factor of two either way"
_PROB = "a modelling choice with no measurement; the range spans values a reader would still call plausible"

#: Plausible ranges of the platform's assumed parameters (``platform.*``). Left out: switches
#: an experiment sets by design (``p_stream``, ``announce_share``, ``merchant_share``, the policy).
PLATFORM_RANGES: dict[str, Range] = {
    "feed_size": Range(4, 12, "a session of 4-12 platform slots a day (a short daily visit); assumed", "integer"),
    "follow_weight": Range(0.2, 0.5, "follow tab from a fifth to a half of feed slots (000 §3.2, §4.1 give no share)"),
    "same_city_weight": Range(0.05, 0.3, "same-city tab a minor channel (W4), 5-30% of slots"),
    "discovery_weight": Range(0.3, 0.7, "discovery the main channel of a recommendation feed, 30-70% of slots"),
    "item_lifetime_steps": Range(3, 14, "a short video stays in feeds for days, not months: 3-14 days", "integer"),
    "p_post": Range(0.1, 0.6, "a creator posts every 2-10 days"),
    "product_share": Range(0.1, 0.5, "a tenth to a half of items carry goods (self-media + e-commerce, 000 §2)"),
    "appeal_alpha": Range(1.0, 4.0, "Beta shape: mean appeal 0.25-0.57 with appeal_beta at its default"),
    "appeal_beta": Range(1.5, 6.0, _HALF),
    "price_median": Range(20.0, 80.0, "cheap goods dominate (R5): median 20-80 yuan", "log-uniform"),
    "price_log_sd": Range(0.4, 1.2, _HALF),
}

#: Plausible ranges of the behaviour parameters (``behaviour.*``), assumed and calibrated. The
#: calibrated ones (P1-P3) span the values that keep the simulated survey within about 0.1 of
#: its target; :mod:`diffusion.calibration` gives their posterior.
BEHAVIOUR_RANGES: dict[str, Range] = {
    "p_active": Range(0.4, 0.8, "daily active share of a large app's users: 40-80%"),
    "p_like": Range(0.1, 0.4, _HALF),
    "p_follow": Range(0.01, 0.04, _HALF, "log-uniform"),
    "same_city_follow_boost": Range(1.5, 6.0, "same-city views convert to follows 1.5-6 times as often (W4)", "log-uniform"),
    "p_share": Range(0.075, 0.3, _HALF, "log-uniform"),
    "share_homophily": Range(0.25, 0.75, "similarity weighs a quarter to three quarters of share reach (W3)"),
    "reinforcement": Range(1, 3, "complex contagion needs 1-3 sources (Centola & Macy 2007)", "integer"),
    "trust_threshold": Range(0.35, 0.6, "calibrated to P1 (0.461); P1 stays within about 0.1 of 0.32"),
    "p_buy": Range(0.125, 0.5, _HALF, "log-uniform"),
    "trust_follow": Range(0.15, 0.4, _PROB),
    "trust_stranger": Range(0.0, 0.1, _PROB),
    "same_city_trust_bonus": Range(0.05, 0.2, _HALF),
    "trust_gain": Range(0.03, 0.12, _HALF),
    "trust_gain_purchase": Range(0.15, 0.5, _PROB),
    "p_bad_purchase": Range(0.15, 0.3, "calibrated to P3 (0.213); P3 stays within about 0.05 of 0.84"),
    "trust_loss": Range(0.3, 0.9, _PROB),
    "trust_accept": Range(0.2, 0.4, _PROB),
    "p_recommend": Range(0.25, 0.5, "calibrated to P2 (0.356); P2 stays between about 0.35 and 0.55"),
    "strong_tie_min_weight": Range(0.3, 0.5, "between weak (0.15) and strong (0.7) tie strength"),
    "p_attend": Range(0.15, 0.6, _HALF),
    "announce_boost": Range(1.0, 2.5, "announcing does not lower attendance; at most 2.5 times (S3)"),
    "live_purchase_boost": Range(1.0, 2.5, "showing goods live does not persuade less (P8); at most 2.5 times"),
    "p_interact": Range(0.15, 0.6, _HALF),
    "trust_gain_interaction": Range(0.05, 0.2, _HALF),
    "p_gift": Range(0.01, 0.06, _HALF, "log-uniform"),
    "gift_mean": Range(1.0, 4.0, _HALF, "log-uniform"),
}

#: Plausible range of the campaign's assumed appeal (``campaign.*``, W1, W2).
CAMPAIGN_RANGES: dict[str, Range] = {
    "appeal": Range(0.4, 0.8, "an ordinary to a strong item (mean item appeal is 0.4)"),
}
