"""Registry of the claims the package tests, with stable IDs (see ``claims.md``).

Statements are our own English paraphrases; sources are the two documents' section numbers:
``000`` is the 2021 case-study paper on Kuaishou's self-media + e-commerce model, ``004`` the
2020 feature article on Kuaishou and poverty alleviation.
"""

from __future__ import annotations

from dataclasses import dataclass

from diffusion.errors import ConfigError


@dataclass(frozen=True)
class Claim:
    """One claim: ID, group, paraphrase, source section, mechanism, how it is measured, figures."""

    id: str
    group: str
    statement: str
    source: str
    mechanism: str
    measured_as: str
    figures: tuple[tuple[float, str, str], ...] = ()  # (value, "calibration" | "target", what)


_A, _B, _C, _D, _E = (
    "network structure and diffusion",
    "platform exposure",
    "trust, purchase and traffic",
    "creator strategies",
    "inclusion and regional development",
)

CLAIMS: dict[str, Claim] = {c.id: c for c in (
    Claim("W1", _A, "Loose ties between different circles widen reach and let information travel fast between circles, so marketing through them works better.",
          "000 §3.2", "Circles with strong internal ties plus a tunable share of weak bridging ties; sharing probability rises with tie strength.",
          "final reach, time to 50% reach and purchases against weak-tie share"),
    Claim("W2", _A, "Viewers re-share a streamer's posts into their own circles and their contacts share again, so information fissions over several hops.",
          "000 §3.2", "Multi-hop peer-sharing cascades.", "cascade size distribution, depth, structural virality"),
    Claim("W3", _A, "Inside an acquaintance circle values and needs are alike, so a streamer's message persuades more there.",
          "000 §3.2", "Homophily: purchase probability rises with sender-receiver similarity.", "conversion within vs across circles"),
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


def get_claim(claim_id: str) -> Claim:
    """The claim with this ID, or a ConfigError listing the valid IDs."""
    try:
        return CLAIMS[claim_id]
    except KeyError:
        raise ConfigError(f"unknown claim ID {claim_id!r}; valid IDs: {', '.join(CLAIMS)}.") from None
