"""Registry of the claims the package tests, with stable IDs (see ``claims.md``).

Statements are our own English paraphrases; sources are the two documents' section numbers:
``000`` is the 2021 case-study paper on Kuaishou's self-media + e-commerce model, ``004`` the
2020 feature article on Kuaishou and poverty alleviation.

Each claim declares how it is judged (:class:`Part`: measure, claimed direction, unit and a
smallest effect of interest with its basis), how its parts combine
(:data:`diffusion.analysis.COMBINE_RULES`) and cites its knock-out control
(:data:`diffusion.knockouts.KNOCKOUTS`: the mechanism of the model that could produce the result
by construction and the override that switches it off, or why none is named). The registry is checked when this module is imported:
a claim without a smallest effect or a knock-out entry is an error naming the claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from diffusion.errors import ConfigError
from diffusion.knockouts import KNOCKOUTS, Knockout

#: The one convention for a smallest effect of interest (SESOI) where the source gives no
#: number, cited by every part that uses it. A part states its value in the measure's own unit.
CONVENTION = {
    "share": "one percentage point (0.01) on a 0-1 scale (shares of users, creators, views or GMV; Gini; "
             "normalised entropy): below what a platform report or a survey of this kind resolves",
    "survey": "three percentage points (0.03) around a survey share: the margin of error of a survey of about "
              "1,000 respondents (1.96 x sqrt(0.25/1000) = 0.031)",
    "conversion": "a tenth of a percentage point (0.001) of purchases per exposure: about a tenth of the model's "
                  "typical conversion (around 1%), the size a merchant would notice",
    "days": "one day, the model's time step: a change smaller than one step is below the model's resolution",
    "count": "one unit of the counted thing (a follower, a viewer, a hop, a household): the smallest change "
             "that exists",
    "slope": "the level convention spread over the swept range: a slope counts only if it moves the measure by "
             "the level's smallest effect across the whole range",
    "ratio": "0.1 on a dimensionless ratio or coefficient where 1 means proportional: a 10% difference",
    "money": "the value of one sale at the model's median price (40 yuan) per creator over the run",
    "source": "the source's own number or tolerance",
    "stated": "neither the source nor a unit convention fits: the value is reasoned in the part's basis",
}


@dataclass(frozen=True)
class Part:
    """One judged effect of a claim.

    ``direction`` is +1 or -1 (the claim predicts a rise or a fall of the effect) or 0 (it
    predicts no effect, or a value the effect is the difference from). ``sesoi`` is the smallest
    effect of interest in ``unit``; ``basis`` names the :data:`CONVENTION` entry it follows and
    says how the number follows from it.
    """

    name: str
    measure: str
    direction: int
    unit: str
    sesoi: float
    basis: str
    convention: str = "source"


@dataclass(frozen=True)
class Claim:
    """One claim: ID, group, paraphrase, source section, mechanism, how it is measured,
    figures, the judged parts, how they combine, the knock-out control and the experiment."""

    id: str
    group: str
    statement: str
    source: str
    mechanism: str
    measured_as: str
    figures: tuple[tuple[float, str, str], ...] = ()  # (value, "calibration" | "target", what)
    parts: tuple[Part, ...] = ()
    combine: str = "single"
    knockout: Knockout | None = None
    experiment: str | None = None  # the experiment whose report carries the verdict

    def part(self, name: str) -> Part:
        """The part called ``name``."""
        for part in self.parts:
            if part.name == name:
                return part
        raise ConfigError(f"claim {self.id} has no part {name!r}; its parts: {', '.join(p.name for p in self.parts)}.")


_A, _B, _C, _D, _E = (
    "network structure and diffusion",
    "platform exposure",
    "trust, purchase and traffic",
    "creator strategies",
    "inclusion and regional development",
)



def _share(name: str, measure: str, direction: int) -> Part:
    return Part(name, measure, direction, "share (0-1)", 0.01, "0.01", "share")


def _growth(strategy: str) -> Part:
    """A growth strategy's effect: followers gained per focal account over organic growth (S1-S4)."""
    return Part("growth", f"followers gained per focal account, {strategy} minus organic", +1, "followers", 1.0,
                "1 follower", "count")


CLAIMS: dict[str, Claim] = {c.id: c for c in (
    Claim("W1", _A, "Loose ties between different circles widen reach and let information travel fast between circles, so marketing through them works better.",
          "000 §3.2", "Circles with strong internal ties plus a tunable share of weak bridging ties; sharing probability rises with tie strength.",
          "final reach, days to a fixed reach and purchases against weak-tie share, with bridges added to and replacing strong ties"),
    Claim("W2", _A, "Viewers re-share a streamer's posts into their own circles and their contacts share again, so information fissions over several hops.",
          "000 §3.2", "Multi-hop peer-sharing cascades.", "cascade size distribution, depth, structural virality"),
    Claim("W3", _A, "Inside an acquaintance circle values and needs are alike, so a streamer's message persuades more there.",
          "000 §3.2", "Homophily: purchase probability rises with sender-receiver similarity.",
          "conversion within vs across circles at equal numbers of distinct sources"),
    Claim("W4", _A, "The follow tab maintains existing relationships while the same-city tab opens new, local ones.",
          "000 §3.2, §4.1", "Two exposure channels: follow feed and same-city feed.", "share of views and new follows by channel"),
    Claim("D1", _B, "The feed promotes popular videos but throttles a video once its heat passes a threshold, giving newcomers a chance.",
          "000 §3.3", "Popularity-throttled exposure.", "Gini of views, share of creators seen, newcomers' time to first views"),
    Claim("D2", _B, "In a decentralised system ordinary users, not experts, act as gatekeepers; influence grows by spreading sideways among peers.",
          "000 §3.3, §4.3", "Peer-driven cascades vs a central editor.", "the D1 metrics plus diversity of what is seen"),
    Claim("D3", _B, "Traditional platforms set a direction in advance and favour head users who fit the rules, shutting others out.",
          "000 §1.2", "Centralised gatekeeping: top-k by editorial score, head-user preference.", "Gini, top-1% share"),
    Claim("D4", _B, "An inclusive algorithm spreads attention fairly, like a trickle that reaches everyone.",
          "004 (二), (四)", "Fairness-constrained exposure allocation.", "Gini, share of creators earning anything"),
    Claim("D5", _B, "Decentralisation makes the network robust: no central node whose loss brings it down.",
          "000 §4.2", "Targeted vs random removal of nodes.", "giant component and reach vs fraction removed"),
    Claim("P1", _C, "About a third of users (32%) buy because they trust the streamer's recommendation.",
          "000 §2.3", "Trust-weighted purchase decision.", "survey share", ((0.32, "calibration", "share buying out of trust"),)),
    Claim("P2", _C, "More than 40% of buyers recommend what they bought to family and friends.",
          "000 §2.3", "Post-purchase word of mouth over strong ties.", "survey share", ((0.40, "calibration", "lower bound on recommending buyers"),)),
    Claim("P3", _C, "84% are willing to accept the streamer's recommendations again.",
          "000 §2.3", "Trust kept after a purchase; repeat purchase.", "survey share", ((0.84, "calibration", "share accepting again"),)),
    Claim("P4", _C, "Followers give a streamer stable, predictable traffic, unlike public traffic.",
          "000 §2.3", "Follow feed vs algorithmic feed audiences.", "coefficient of variation of audience per post by channel"),
    Claim("P5", _C, "Follower count is not everything: accounts with about 100k loyal followers can earn 1-2 million yuan a year through trust and stickiness.",
          "000 §2.3", "Trust growing with repeated interaction.", "sales vs followers and vs engagement"),
    Claim("P6", _C, "Streamers with 100k-1M followers take the largest share of sales.",
          "004 (二)", "Heavy-tailed followers plus trust-driven sales.", "GMV share by follower tier", ((0.0, "target", "mid tier largest"),)),
    Claim("P7", _C, "Same-city communities are sticky and trusting, so local services convert very well.",
          "000 §2.4", "Same-city ties carry more trust.", "conversion local vs non-local"),
    Claim("P8", _C, "Showing goods live on video convinces more than pictures.",
          "000 §3.1", "Live format raises purchase probability.", "purchases per exposure by format"),
    Claim("S1", _D, "A big account promotes a small one to grow it.", "000 §2.3", "Shout-outs to the big account's followers.", "small account's follower growth vs organic"),
    Claim("S2", _D, "Gifting on head streamers' leaderboards buys presence in their rooms; one streamer gained 7.95M followers in three months this way.",
          "000 §2.3", "Paid presence in other rooms' audiences.", "follower gain per unit spent", ((7.95e6, "target", "followers in ~90 days"),)),
    Claim("S3", _D, "Creators warm up a live stream with short videos and fan-group posts, and sometimes buy traffic.",
          "000 §2.3", "Pre-announcement and paid exposure.", "audience and sales per stream"),
    Claim("S4", _D, "Agencies build matrices of accounts that promote each other.", "000 §2.3", "Account matrix with mutual promotion.", "growth of members vs independents"),
    Claim("S5", _D, "A village account grew from nothing to over 10k followers in three months with platform support.",
          "004 (二)", "Cold-start support for new accounts.", "time to a follower milestone", ((1e4, "target", "followers in ~90 days"),)),
    Claim("R1", _E, "Regional marketing joins online and offline data to reach local customers; local merchants convert well.",
          "000 §2.4", "Regions, same-city feed, local merchants.", "local merchants' sales"),
    Claim("R2", _E, "25.7M people earned income on the platform in a year, about 26% of them from poor regions.",
          "004 (三)", "Region labels, penetration and income from sales.", "share of earning creators from poor regions", ((0.26, "target", "poor-region share of earners"),)),
    Claim("R3", _E, "A traffic subsidy for products from poor counties helps local producers sell.",
          "004 (二)", "Exposure boost for poor-region creators.", "income uplift and cost to others"),
    Claim("R4", _E, "Rural leaders sell their neighbours' produce, lifting tens of households each.",
          "004 (三)", "Leader agents carrying neighbours' products.", "households with income per leader", ((44.0, "target", "households per leader"),)),
    Claim("R5", _E, "Cheap goods dominate because the core audience is price-sensitive users in lower-tier cities.",
          "000 §1.3, §4.1", "City tier and price sensitivity.", "conversion by price and tier"),
)}


#: How each claim is judged: its parts, how they combine, its knock-out control and the
#: experiment whose report carries the verdict. Kept beside the statements so that a reader
#: sees in one place what would count as support (see the module docstring).
_JUDGED: dict[str, dict[str, Any]] = {
    "W1": dict(
        experiment="weak_ties", combine="all parts",
        parts=(
            Part("reach", "slope of final content reach on weak-tie share", +1, "share of users per unit of weak-tie share",
                 0.01 / 0.6, "0.01 of users across the swept range 0-0.6", "slope"),
            # Days to a fixed share of all users (the same number of users in every arm; issue 19),
            # no longer days to half of each run's own final reach, which a narrower spread reaches sooner.
            Part("speed", "days to reach a fixed 5% of users, highest minus lowest weak-tie share", -1, "days", 1.0,
                 "1 day", "days"),
            Part("purchases", "slope of the share of users buying on weak-tie share", +1, "share of users per unit of weak-tie share",
                 0.001 / 0.6, "0.001 of users (a conversion-sized share) across the swept range 0-0.6", "slope"),
        ),
    ),
    "W2": dict(
        experiment="weak_ties",
        parts=(Part("depth", "mean campaign cascade depth minus 2 hops", +1, "hops", 1.0, "1 hop", "count"),),
    ),
    "W3": dict(
        experiment="weak_ties",
        # At equal numbers of distinct sources (issue 19): the crude purchases per delivery favour
        # same-circle ties through the reinforcement rule, whose deliveries are more often a second source.
        parts=(Part("equal_sources", "peer-route conversion at equal numbers of distinct sources, same-circle minus "
                    "other-circle ties", +1, "purchases per peer-route purchase decision", 0.001,
                    "0.001 (a peer-route purchase decision is an exposure)", "conversion"),),
    ),
    "W4": dict(
        experiment="weak_ties",
        parts=(Part("follows", "new follows per view relative to view share, same-city feed minus other feeds", +1,
                    "ratio (1 = proportional)", 0.1, "0.1", "ratio"),),
    ),
    "D1": dict(
        experiment="gatekeeping", combine="all parts",
        parts=(Part("newcomers", "newcomers' days to 100 views, decentralized minus popularity", -1, "days", 1.0, "1 day", "days"),
               _share("gini", "Gini of views across creators, decentralized minus popularity", -1)),
    ),
    "D2": dict(
        experiment="gatekeeping", combine="all parts",
        parts=(_share("diversity", "normalised entropy of views, decentralized minus centralized", +1),
               _share("peer_share", "share of views from peer shares, decentralized minus centralized", +1)),
    ),
    "D3": dict(
        experiment="gatekeeping", combine="all parts",
        parts=(_share("top1", "top 1% of creators' share of views, centralized minus decentralized", +1),
               _share("gini", "Gini of views, centralized minus decentralized", +1)),
    ),
    "D4": dict(
        experiment="inclusive_traffic", combine="all parts",
        # Judged against each other policy in turn; the comparisons combine by "all parts" too
        # (diffusion.analyses.gatekeeping.inclusive_against_all).
        parts=(_share("earners", "share of creators earning anything, inclusive minus each other policy", +1),
               _share("gini", "Gini (of views or income), inclusive minus each other policy", -1)),
    ),
    "D5": dict(
        experiment="robustness", combine="all parts",
        parts=(Part("structure", "giant component after targeted minus after random removal (30% of users)", 0,
                    "share of users", 0.10, "targeted removal may cost at most 10 points of all users more than random "
                    "failure: a network that loses a tenth of its users to an attack is not 'little affected'", "stated"),
               Part("function", "standard cascade reach after targeted minus after random removal (30% of users)", 0,
                    "share of users", 0.10, "as for structure", "stated")),
    ),
    "P1": dict(
        experiment=None,
        parts=(Part("survey", "simulated survey share buying out of trust minus 0.32", 0, "share", 0.03, "0.03", "survey"),),
    ),
    "P2": dict(
        experiment=None,
        parts=(Part("survey", "simulated survey share of buyers recommending minus 0.40", +1, "share", 0.03, "0.03", "survey"),),
    ),
    "P3": dict(
        experiment=None,
        parts=(Part("survey", "simulated survey share accepting again minus 0.84", 0, "share", 0.03, "0.03", "survey"),),
    ),
    "P4": dict(
        experiment="private_traffic",
        parts=(Part("steadiness", "CV of per-post audience beyond its sampling null (binomial for followers, Poisson "
                    "for public feeds), followers minus public feeds (decentralized)", -1,
                    "coefficient of variation", 0.1, "0.1", "ratio"),),
    ),
    "P5": dict(
        experiment="gmv_tiers", combine="all parts",
        parts=(Part("engagement", "change in log(1 + GMV) per SD of stream engagement, followers held fixed", +1,
                    "log GMV per SD", 0.1, "0.1 (about 10% more GMV per SD)", "ratio"),
               # "Many accounts" (issue 19): one in ten of the engaged mid-tier accounts out-earning a median
               # head account is a pattern a creator would meet among peers; fewer is an exception, not "many".
               Part("many", "share of highly engaged 100k-1M creators who out-earn the median >=1M creator", +1,
                    "share (0-1)", 0.1, "0.1: 'many' read as at least one in ten of the engaged mid-tier accounts "
                    "(the source gives no number)", "stated")),
    ),
    "P6": dict(
        experiment="gmv_tiers",
        parts=(_share("mid_tier", "GMV share of the 100k-1M tier minus the largest other tier", +1),),
    ),
    "P7": dict(
        experiment="same_city",
        parts=(Part("local", "conversion, same-city minus other-city audiences", +1, "purchases per exposure", 0.001, "0.001",
                    "conversion"),),
    ),
    "P8": dict(
        experiment="gmv_tiers",
        parts=(Part("live", "conversion of trusting viewers, live stream minus short video", +1, "purchases per exposure",
                    0.001, "0.001", "conversion"),),
    ),
    "S1": dict(
        experiment="big_account",
        parts=(_growth("big_brings_small"),),
    ),
    "S2": dict(
        # The growth part decides; the target part says whether the gain the strategy adds is of
        # the source's order of magnitude once people and money are scaled (issue 19). Organic
        # growth adds nothing beyond itself, so this target can tell gifting from organic growth;
        # the budget is assumed, so the target does not decide the verdict.
        experiment="big_account", combine="primary part",
        parts=(_growth("gifting"),
               Part("target", "log10 of followers gained beyond organic per gifting account over the source's 7.95M "
                    "in three months scaled to the simulated users", 0, "orders of magnitude (log10)", 0.5,
                    "half an order of magnitude: two figures share an order of magnitude when their ratio lies within "
                    "a factor sqrt(10) = 3.2 either way", "stated")),
    ),
    "S3": dict(
        experiment="big_account", combine="all parts",
        parts=(_growth("paid_traffic"),
               Part("warm_up", "viewers per stream, announced minus not announced (organic)", +1, "viewers", 1.0,
                    "1 viewer", "count")),
    ),
    "S4": dict(
        experiment="big_account",
        parts=(_growth("mcn_matrix"),),
    ),
    "S5": dict(
        experiment="big_account",
        parts=(Part("time", "days for a new account to reach 10 followers, cold-start pool on minus off (organic)", -1,
                    "days", 1.0, "1 day", "days"),),
    ),
    "R1": dict(
        experiment="same_city",
        parts=(Part("merchants", "slope of local merchants' sales on the same-city feed weight", +1, "sales per run per unit weight",
                    1.0 / 0.3, "one sale across the swept range 0-0.3", "slope"),),
    ),
    "R2": dict(
        experiment="inclusive_traffic",
        # The share follows the input share of poor-region creators (network.poor_city_share);
        # the report says so first and gives the 000 §4.4 figure (about 0.21) beside it.
        parts=(Part("poor_share", "share of earners from poor regions minus the source's 0.258 (004 (三))", 0, "share", 0.03,
                    "0.03", "survey"),),
    ),
    "R3": dict(
        experiment="inclusive_traffic",
        parts=(Part("uplift", "poor-region creators' mean income, largest subsidy minus none (decentralized)", +1, "yuan",
                    40.0, "40 yuan", "money"),),
    ),
    "R4": dict(
        experiment="rural_leaders",
        parts=(Part("households", "households with income per leader minus 10 (the source's 'tens'), pool of the "
                    "leader's whole city", +1, "households", 1.0, "1 household", "count"),),
    ),
    "R5": dict(
        experiment="price_tiers", combine="all parts",
        parts=(_share("dominance", "low-price goods' share of purchases minus their share of exposures", +1),
               Part("low_price", "conversion of low-price minus high-price goods among lower-tier-city users", +1,
                    "purchases per exposure", 0.001, "0.001", "conversion"),
               _share("audience", "low-price share of purchases, lower-tier minus upper-tier buyers", +1)),
    ),
}


def _attach(claims: dict[str, Claim], judged: dict[str, dict[str, Any]],
            knockouts: dict[str, Knockout] = KNOCKOUTS) -> dict[str, Claim]:
    """Claims with their judging entries, checked: every claim needs parts with a positive
    smallest effect of interest and a basis, a known combining rule and a knock-out entry."""
    from dataclasses import replace

    from diffusion.analysis import COMBINE_RULES

    out = {}
    for claim_id, claim in claims.items():
        entry = judged.get(claim_id)
        if entry is None:
            raise ConfigError(f"claim {claim_id} has no judging entry (parts with a smallest effect of interest, "
                              "and a knock-out control) in diffusion.claims.")
        claim = replace(claim, **{"knockout": knockouts.get(claim_id), **entry})
        if not claim.parts:
            raise ConfigError(f"claim {claim_id} declares no part, so no smallest effect of interest.")
        for part in claim.parts:
            if part.sesoi is None or not part.sesoi > 0 or not part.basis:
                raise ConfigError(f"claim {claim_id}, part {part.name!r}: no smallest effect of interest (a positive "
                                  "sesoi with its basis) is declared.")
            if part.direction not in (-1, 0, 1):
                raise ConfigError(f"claim {claim_id}, part {part.name!r}: direction must be +1, -1 or 0.")
            if part.convention not in CONVENTION:
                raise ConfigError(f"claim {claim_id}, part {part.name!r}: unknown convention {part.convention!r}.")
        if claim.combine not in COMBINE_RULES or (len(claim.parts) > 1 and claim.combine == "single"):
            raise ConfigError(f"claim {claim_id} has {len(claim.parts)} parts but combining rule {claim.combine!r}; "
                              f"use one of: {', '.join(COMBINE_RULES)}.")
        if claim.knockout is None or not (claim.knockout.named or claim.knockout.reason):
            raise ConfigError(f"claim {claim_id} has no knock-out entry: name the mechanism and the override that "
                              "switches it off, or say why none is named.")
        out[claim_id] = claim
    return out


def get_claim(claim_id: str) -> Claim:
    """The claim with this ID, or a ConfigError listing the valid IDs."""
    try:
        return CLAIMS[claim_id]
    except KeyError:
        raise ConfigError(f"unknown claim ID {claim_id!r}; valid IDs: {', '.join(CLAIMS)}.") from None


CLAIMS = _attach(CLAIMS, _JUDGED)


if __name__ == "__main__":  # python -m diffusion.claims runs the all-claims table's command
    import runpy

    runpy.run_module("diffusion.claims_table", run_name="__main__", alter_sys=True)
