"""Knock-out controls of the claims (issue 18): for each claim, the model's mechanism that
could produce the claimed result by construction and the config override that switches it off,
or why none is named.

Plain data at the bottom of the layers, so that the config layer can plan knock-out arms
(:func:`diffusion.config.grid`) and the claims registry (:mod:`diffusion.claims`, which checks
that every claim has an entry) can cite them, without either importing the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Knockout:
    """The knock-out control of a claim.

    ``mechanism``: the model's rule that could produce the claimed result by construction;
    ``overrides``: config keys that switch it off (dotted key -> value). ``reason`` says why no
    override is named when ``overrides`` is empty. An experiment file places the arm on its grid
    (``experiment.knockouts: {CLAIM: {sweep key: [values]}}``); it runs on the same paired
    replicates.
    """

    mechanism: str
    overrides: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    @property
    def named(self) -> bool:
        """Whether an override that switches the mechanism off is named."""
        return bool(self.overrides)

    def override_text(self) -> str:
        """The override as command-line text, e.g. ``behaviour.share_homophily=0.0``."""
        return " ".join(f"{key}={value}" for key, value in self.overrides.items())


def _none(reason: str, mechanism: str = "none named") -> Knockout:
    return Knockout(mechanism, {}, reason)


#: Claim ID -> its knock-out control.
KNOCKOUTS: dict[str, Knockout] = {
    "W1": _none(
        ("no rule of the model favours weak ties: bridges act only through the network's structure and"
            ' the tie strengths, which the sweep itself varies'),
    ),
    "W2": _none(
        're-sharing is the general share rule every item follows; no term was added for this claim',
    ),
    "W3": Knockout(
        'the homophily term of the share and purchase rule (similar circles persuade more)',
        {'behaviour.share_homophily': 0.0},
    ),
    "W4": Knockout(
        'the same-city follow boost (views from the same-city feed turn into follows more often)',
        {'behaviour.same_city_follow_boost': 1.0},
    ),
    "D1": Knockout(
        ('the cold-start pool (a share of slots reserved for little-seen posts), which is not the heat'
            ' throttle the claim describes'),
        {'platform.policy.cold_start_share': 0.0},
    ),
    "D2": _none(
        ('the contrast is between the two allocation rules the claim itself describes (an editor vs '
            'peers); there is no extra term to switch off'),
    ),
    "D3": Knockout(
        "the editor's head-user preference (score times (1 + followers) ** head_bias)",
        {'platform.policy.head_bias': 0.0},
    ),
    "D4": Knockout(
        "the inclusive policy's Gini cap on discovery impressions",
        {'platform.policy.gini_cap': 1.0},
    ),
    "D5": _none(
        "removal acts on the network's structure only; no rule was added for this claim",
    ),
    "P1": _none(
        'calibration input: the behaviour defaults are tuned to reproduce it (diffusion.calibration)',
    ),
    "P2": _none(
        'calibration input: the behaviour defaults are tuned to reproduce it (diffusion.calibration)',
    ),
    "P3": _none(
        'calibration input: the behaviour defaults are tuned to reproduce it (diffusion.calibration)',
    ),
    "P4": _none(
        ("no rule makes follower audiences steadier; the follow feed's regularity comes from the "
            'general feed rules'),
    ),
    "P5": _none(
        ('engagement acts through the general trust-gain rule of every interaction; switching it off '
            'would switch off trust itself, not a claim-specific term'),
    ),
    "P6": _none(
        ('no rule favours any follower tier; the shares follow from the follower distribution and '
            'trust'),
    ),
    "P7": Knockout(
        "the same-city trust bonus (strangers of the creator's city trust more)",
        {'behaviour.same_city_trust_bonus': 0.0},
    ),
    "P8": Knockout(
        'the live purchase boost (a live showing multiplies the purchase probability)',
        {'behaviour.live_purchase_boost': 1.0},
    ),
    "S1": Knockout(
        "the promotion's endorsement (a promoted view converts to a follow more often)",
        {'strategy.endorsement': 1.0},
    ),
    "S2": Knockout(
        "the gifter's endorsement (a view in a head streamer's room converts to a follow more often)",
        {'strategy.endorsement': 1.0},
    ),
    "S3": _none(
        ('paid traffic carries no endorsement (its follow multiplier is 1): the gain is the bought '
            'impressions the claim describes'),
    ),
    "S4": Knockout(
        "the matrix's endorsement (a cross-promoted view converts to a follow more often)",
        {'strategy.endorsement': 1.0},
    ),
    "S5": _none(
        'the cold-start pool is the platform support the claim describes; the contrast is its size',
    ),
    "R1": _none(
        ("local services are sold only to viewers of the merchant's city by design (no setting lifts "
            "that); the slope is the same-city feed's reach into that market"),
        mechanism='city-only local services (platform.merchant_share)',
    ),
    "R2": _none(
        ('no rule favours or hinders poor regions without the subsidy, so their share of earners follows '
            'their share of creators, an input (network.poor_city_share); only how far it follows is an outcome'),
    ),
    "R3": _none(
        'the reserved slots are the subsidy the claim describes; the contrast is its size',
    ),
    "R4": _none(
        ("each of a leader's sales goes to a neighbour's household by design; the count measures how "
            'many sales a leader makes'),
        mechanism="leaders carry only neighbours' produce",
    ),
    "R5": Knockout(
        ("the price-sensitivity rule (buyers in lower-tier cities buy dear goods less often), written "
            "for this claim"),
        {'behaviour.price_elasticity': 0.0},
    ),
}
