"""Who follows and trusts whom: initial follows, how shares travel ties, and the commit of
follows, trust and stream interactions.

Set-up: :func:`init_follows` loads the society's follows with their trust and
:func:`transmission_probabilities` gives each tie its share and recommendation probability
(W1, W3, P2).

Part of the *commit* phase of :meth:`diffusion.model.PlatformModel.step`: after the day's
decisions, trust grows with viewing a followed creator's items (P1), with interacting in a
stream (P5) and with good purchases, and falls after bad ones (P3); new follows are recorded by
channel (W4). Each change is a rule of :mod:`diffusion.rules`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from diffusion import rules
from diffusion.metrics.tables import FOLLOWER_MILESTONES
from diffusion.params import CHANNELS

if TYPE_CHECKING:
    from diffusion.networks.society import Society
    from diffusion.params import BehaviourParams
    from diffusion.feeds import Exposures
    from diffusion.model import PlatformModel


def transmission_probabilities(society: Society, behaviour: BehaviourParams) -> tuple[np.ndarray, np.ndarray]:
    """Per-CSR-entry probabilities that a share, and a recommendation, reaches each tie.

    A share reaches a tie with probability ``strength * (1 - h + h * similarity)`` (W1, W3);
    a recommendation after a purchase goes the same way but only over strong ties (P2).
    """
    csr = society.csr
    weight = csr.edge_values(society.edge_weight)
    similarity = society.similarity(csr.sources(), csr.indices)
    b = behaviour.record()
    p_share = rules.tie_reach_probability(b, weight, similarity)
    p_recommend = np.where(rules.recommendation_reaches(b, weight), p_share, 0.0)
    return p_share, p_recommend


def init_follows(model: PlatformModel) -> None:
    """Load the society's follows with trust drawn around ``trust_follow`` (assumed)."""
    follower, creator = model.society.follow_edges()
    # Existing follows have some history: trust starts at trust_follow plus a Beta(1, 3)
    # share (mean 1/4) of the remaining gap, so a minority already trusts strongly.
    history = model.rng.beta(1.0, 3.0, size=follower.size)
    trust = rules.initial_follow_trust(model.rules, history)
    keys = model.relations.key(follower, creator)
    model.relations.insert(keys, {"trust": trust, "following": np.ones(keys.size, bool)})
    model.follower_count = np.bincount(creator, minlength=model.n_users).astype(np.int64)


def commit_relations(
    model: PlatformModel,
    ex: Exposures,
    creator: np.ndarray,
    is_new: np.ndarray,
    following: np.ndarray,
    rel_row: np.ndarray,
    follow: np.ndarray,
    buy: np.ndarray,
    bad: np.ndarray,
    interact: np.ndarray,
) -> None:
    b, rel = model.rules, model.relations
    # Each newly viewed item of a followed creator closes part of the trust gap (P5).
    gain_rows = rel_row[is_new & following]
    if gain_rows.size:
        counts = np.bincount(gain_rows, minlength=len(rel))  # np.unique's counts, without a sort
        rows = np.flatnonzero(counts)
        counts = counts[rows]
        rel["trust"][rows] = rules.trust_after_gains(rel["trust"][rows], b.trust_gain, counts)

    # Make sure a row exists for every new follow and every purchase, then update it.
    touched = follow | buy | interact
    keys = rel.key(ex.user[touched], creator[touched])
    absent = np.unique(keys[rel.find(keys) < 0])
    if absent.size:
        users, creators = absent // model.n_users, absent % model.n_users
        base, _ = model.trust_of(users, creators)
        rel.insert(absent, {"trust": base, "since": np.full(absent.size, model.day)})

    follow_keys, follow_channel = np.unique(
        rel.key(ex.user[follow], creator[follow]), return_index=True
    )
    rows = rel.find(follow_keys)
    rel["following"][rows] = True
    rel["since"][rows] = model.day
    rel["trust"][rows] = rules.trust_after_follow(b, rel["trust"][rows])
    np.add.at(model.follower_count, follow_keys % model.n_users, 1)
    np.add.at(model.items.follows, ex.item[follow][follow_channel], 1)
    model.follows_by_channel += np.bincount(
        ex.channel[follow][follow_channel].astype(np.int64), minlength=len(CHANNELS)
    )

    # Interacting in a stream builds trust (P5); then good purchases raise trust and bad
    # ones cut it (P3): interaction, good, bad, in that order within a day.
    for outcome, gain in ((interact, b.trust_gain_interaction), (buy & ~bad, b.trust_gain_purchase), (bad, None)):
        if not outcome.any():
            continue
        rows, counts = np.unique(
            rel.find(rel.key(ex.user[outcome], creator[outcome])), return_counts=True
        )
        trust = rel["trust"][rows]
        if gain is not None:
            rel["trust"][rows] = rules.trust_after_gains(trust, gain, counts)
        else:
            rel["trust"][rows] = rules.trust_after_bad_purchases(b, trust, counts)
    reached = model.follower_count[model.creators, None] >= np.asarray(FOLLOWER_MILESTONES)
    newly = reached & (model.follower_milestone_step[model.creators] < 0)
    rows, cols = np.nonzero(newly)
    model.follower_milestone_step[model.creators[rows], cols] = model.day

def stream_interactions(model: PlatformModel, ex: Exposures, creator: np.ndarray, viewing: np.ndarray) -> np.ndarray:
    """Stream viewers comment (with probability ``p_interact`` times twice the creator's
    engagement; P5) and send gifts (``p_gift``, lognormal value with mean ``gift_mean``
    yuan). Returns which exposures interact. No draws when nobody watches a stream."""
    interact = np.zeros(ex.user.size, dtype=bool)
    if not viewing.any():
        return interact
    b, rng = model.behaviour, model.rng
    rows = np.flatnonzero(viewing)
    host = creator[rows]
    interact[rows] = rng.random(rows.size) < rules.interact_probability(model.rules, model.engagement[host])
    gifts = rng.random(rows.size) < b.p_gift
    value = rng.lognormal(np.log(b.gift_mean) - 0.5, 1.0, size=int(gifts.sum()))  # mean gift_mean
    np.add.at(model.gift_income, host[gifts], value)
    np.add.at(model.interactions, host, interact[rows])
    return interact
