"""Every behavioural rule of the platform model, once, as a small named function.

Read this module first: it is what users of the simulated platform do. Each rule is a
function of a few numbers and the behaviour parameters ``b`` (a
:class:`~diffusion.params.BehaviourRecord`, read by name: ``b.p_like``), with the claim and the
source section it follows. The same functions serve three callers:

- the compiled engine (:mod:`diffusion.engine.reactions`), which applies them to every (item, user)
  pair of a day in one pass: numba compiles each rule into the pass's loop;
- the agents (:meth:`diffusion.agents.User.react`), which apply them to one exposure at a
  time in plain Python: the readable reference the engine is tested against, draw for draw
  (``tests/test_rules.py``);
- array code (tie reach over every tie, trust updates of many relations at once), since the
  arithmetic works on numpy arrays as on numbers.

To change a rule, edit its function here and rerun: nothing else needs to change. The
compiled engine notices the edit (:func:`diffusion.engine.reactions.compiled` recompiles when this
file changes), and the agents read the new rule directly. The README's "Change a rule"
section walks through one change.

Probabilities are clipped into [0, 1] by :func:`probability` where a product of factors can
leave it. Comparisons with a uniform draw ``u`` decide an event: ``u < p`` happens with
probability ``p``.
"""

from __future__ import annotations

import numpy as np


def probability(x):
    """``x`` clipped into [0, 1]: a product of rates and multipliers used as a probability."""
    return np.minimum(np.maximum(x, 0.0), 1.0)


# ---------------------------------------------------------------- viewing an item
def like_probability(b, appeal):
    """A first-time viewer likes an item with probability ``p_like`` times its appeal (assumed)."""
    return b.p_like * appeal


def follow_probability(b, appeal, same_city_feed, endorsement):
    """A first-time viewer who does not follow the creator yet starts following.

    ``p_follow`` times the item's appeal, times ``same_city_follow_boost`` when the view came
    from the same-city feed (W4, source 000 §3.2, §4.1: the same-city tab opens new local
    ties), times ``endorsement``, the multiplier a creator strategy's promotion carries
    (S1-S4: a big account's shout-out vouches for the small one; 1 otherwise).
    """
    boost = (b.same_city_follow_boost if same_city_feed else 1.0) * endorsement
    return probability(b.p_follow * appeal * boost)


def share_probability(b, appeal):
    """A first-time viewer shares an item to their ties with probability ``p_share`` times its
    appeal (W2, source 000 §3.2: viewers re-share a streamer's posts into their circles)."""
    return b.p_share * appeal


def tie_reach_probability(b, strength, similarity):
    """A share reaches a tie with probability ``strength * (1 - h + h * similarity)``.

    Strong ties carry more than weak ones (W1, source 000 §3.2), and more between similar
    people (homophily, W3), with ``h = share_homophily``: one independent-cascade hop
    (Kempe et al. 2003). Works on arrays: the model evaluates it once for every tie.
    """
    h = b.share_homophily
    return probability(strength * (1.0 - h + h * similarity))


def recommendation_reaches(b, strength):
    """A buyer's recommendation travels only over strong ties, at least
    ``strong_tie_min_weight`` (P2, source 000 §2.3: buyers tell family and friends)."""
    return strength >= b.strong_tie_min_weight


# ---------------------------------------------------------------- trust
def stranger_trust(b, same_city):
    """Trust in a creator one has no relation with: ``trust_stranger``, plus
    ``same_city_trust_bonus`` for a creator of one's own city (P7, source 000 §2.4: same-city
    communities are trusting), at most 1."""
    return min(1.0, b.trust_stranger + b.same_city_trust_bonus * (1.0 if same_city else 0.0))


def initial_follow_trust(b, history):
    """Trust of an existing follower at the start: ``trust_follow`` plus the share ``history``
    (in [0, 1]; the model draws it from Beta(1, 3)) of the remaining gap (assumed)."""
    return b.trust_follow + (1.0 - b.trust_follow) * history


def trust_after_follow(b, trust):
    """Following a creator lifts trust to at least ``trust_follow`` (assumed)."""
    return np.maximum(trust, b.trust_follow)


def trust_after_gains(trust, gain, n):
    """Trust after ``n`` experiences that each close the share ``gain`` of the remaining gap:
    viewing a followed creator's item (``trust_gain``, P1), interacting in a stream
    (``trust_gain_interaction``, P5: interaction builds trust, source 000 §2.3) or a good
    purchase (``trust_gain_purchase``, P3)."""
    return 1.0 - (1.0 - trust) * (1.0 - gain) ** n


def trust_after_bad_purchases(b, trust, n):
    """Each bad purchase cuts trust by the share ``trust_loss`` (P3, source 000 §2.3)."""
    return trust * (1.0 - b.trust_loss) ** n


def is_trusted(b, trust):
    """Trusting the creator enough to buy on their word alone: ``trust >= trust_threshold``
    (P1, source 000 §2.3: a third of users buy because they trust the streamer)."""
    return trust >= b.trust_threshold


# ---------------------------------------------------------------- buying
def may_buy(b, purchasable, trusted, n_sources):
    """A purchasable product can convert on the trust route (the viewer trusts the creator) or
    the peer route: it has come from at least ``reinforcement`` distinct sources (complex
    contagion, Centola & Macy 2007; P2)."""
    return purchasable and (trusted or n_sources >= b.reinforcement)


def persuasion(b, trusted, trust, tie_similarity):
    """How persuasive the exposure is: the trust itself on the trust route; on the peer route
    ``1 - h + h * similarity`` to the recommending tie (homophily, W3, source 000 §3.2: a
    message persuades more inside an acquaintance circle)."""
    if trusted:
        return trust
    h = b.share_homophily
    return 1.0 - h + h * tie_similarity


def price_acceptance(b, price, tier):
    """How much a product's price lets a buyer in a city of ``tier`` (1 = first tier ... 5)
    go ahead: 1 up to ``price_reference`` yuan, then (price / reference) ** -elasticity, where
    the elasticity is ``price_elasticity`` in the lowest tier and falls linearly to 0 in the
    first tier (R5, source 000 §4.1: the cheap goods suit low-spending third- and fourth-tier
    users; first-tier buyers are not sensitive to their price)."""
    elasticity = b.price_elasticity * (tier - 1) / 4.0
    if elasticity == 0.0 or price <= b.price_reference:
        return 1.0
    return (price / b.price_reference) ** -elasticity


def purchase_probability(b, appeal, persuasion, live, acceptance):
    """A purchase: ``p_buy`` times the item's appeal times the persuasion, times
    ``live_purchase_boost`` for goods shown in a live stream (P8, source 000 §3.1: showing
    goods live convinces more than pictures), times the buyer's price acceptance (R5,
    :func:`price_acceptance`)."""
    return probability(b.p_buy * appeal * persuasion * (b.live_purchase_boost if live else 1.0) * acceptance)


def purchase_is_bad(b, u):
    """A purchase turns out badly with probability ``p_bad_purchase`` (P3)."""
    return u < b.p_bad_purchase


def buyer_recommends(b, u):
    """A buyer recommends the item to their strong ties with probability ``p_recommend`` (P2)."""
    return u < b.p_recommend


# ---------------------------------------------------------------- live streams
def attend_probability(b, announced):
    """An online follower joins a followed creator's stream with probability ``p_attend``,
    times ``announce_boost`` if it was announced the day before (S3, source 000 §2.3: creators
    warm up a stream with short videos and fan-group posts)."""
    return probability(b.p_attend * np.where(announced, b.announce_boost, 1.0))


def interact_probability(b, engagement):
    """A stream viewer comments with probability ``p_interact`` times twice the creator's
    engagement (mean 1/2; P5: interaction builds trust and stickiness)."""
    return probability(b.p_interact * 2.0 * engagement)
