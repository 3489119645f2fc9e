"""The day's exposures: who is online, what fills each feed slot, streams and promotions.

The *expose* phase of :meth:`diffusion.model.PlatformModel.step`, as functions of the model's
state. Each online user has ``platform.feed_size`` slots; the layout stream alone decides who is
online and which channel fills each slot (follow feed, same-city feed, discovery feed), so every
exposure policy spends the same impressions on the same users in paired replicates. The follow
feed shows a followed creator's live item (private traffic, P4), the same-city feed one of a
creator in the user's city (W4), the discovery feed what the policy chooses (D1-D4). Then come
yesterday's shares (W1-W3), stream audiences (S3) and the strategy's promotions (S1-S4), and
:func:`expose` groups everything into one row per (item, user) pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from diffusion import rules
from diffusion.contagion import transmit
from diffusion.engine.pairs import random_row_of_first, sort_with_order
from diffusion.engine.reactions import compiled as reaction_rules
from diffusion.errors import ConfigError
from diffusion.params import CHANNELS
from diffusion.strategies import CreatorStrategy, DayState, Promotion

if TYPE_CHECKING:
    from diffusion.model import PlatformModel
    from diffusion.params import PlatformParams
    from diffusion.policies import ExposurePolicy

SHARE, FOLLOW, SAME_CITY, DISCOVERY, PROMOTION = range(len(CHANNELS))


def pair_channel_code(keys: np.ndarray, channel: np.ndarray) -> np.ndarray:
    """``keys * 8 + channel``: sorting these orders rows by pair key, then channel.

    Channels fit in 3 bits. Raises ``OverflowError`` when a key is too large to combine
    (items x users of 2**60 or more).
    """
    if keys.size and keys.max() >= 2**60:
        raise OverflowError(
            f"exposure key {int(keys.max())} is too large: items x users must stay below 2**60"
        )
    return keys * 8 + channel


@dataclass(frozen=True, eq=False)
class Exposures:
    """One day's exposures, one row per (item, user) pair, with what they lead to."""

    key: np.ndarray  # the pair's key in the exposure table (item * n_users + user), ascending
    user: np.ndarray
    item: np.ndarray
    channel: np.ndarray  # channel of the day's first exposure (share wins over the platform)
    source: np.ndarray  # a sharing tie of the day, -1 if none
    n_deliveries: np.ndarray  # sharing ties that delivered the item today
    platform: np.ndarray  # reached by a platform channel today
    row: np.ndarray  # row in the exposure table, -1 if the pair is new (a view)
    place: np.ndarray  # the pair's place in the exposure table: its row, or where it goes if new
    endorsement: np.ndarray  # multiplier of the follow probability (a strategy's promotion)
    delivery_user: np.ndarray  # every share delivery of the day (for W3 conversion counts)
    delivery_item: np.ndarray
    delivery_source: np.ndarray


def channel_weights(p: PlatformParams, policy: ExposurePolicy) -> np.ndarray:
    """Relative weights of the follow, same-city and discovery slots.

    A policy without a discovery feed (``uses_discovery = False``, e.g. ``peer_only``) gives
    its slots to the follow and same-city feeds, so the impression budget is unchanged.
    """
    weights = np.array([p.follow_weight, p.same_city_weight, p.discovery_weight], dtype=np.float64)
    if not policy.uses_discovery:
        weights[2] = 0.0
        if p.feed_size > 0 and weights.sum() <= 0:
            raise ConfigError(
                f"platform policy {policy.name!r} has no discovery feed, and "
                "platform.follow_weight and platform.same_city_weight are both 0, so no "
                "channel can fill the feed. Give one of them a positive weight."
            )
    return weights / weights.sum() if weights.sum() > 0 else weights



def expose(model: PlatformModel) -> Exposures:
    """Fill today's feeds and collect yesterday's shares; one row per (item, user) pair."""
    t, rng = model.day, model.platform_rng
    d_user, d_item, d_source = model._pending
    alive = model.items.expires[d_item] > t
    d_user, d_item, d_source = d_user[alive], d_item[alive], d_source[alive]

    slot_user, slot_channel = layout(model)
    slot_item = np.full(slot_user.size, -1, dtype=np.int64)
    live = model.items.live(t)
    campaign = model.items.campaign[live]
    mask = slot_channel == FOLLOW
    slot_item[mask] = fill_follow(model, slot_user[mask], live[~campaign])
    mask = slot_channel == SAME_CITY
    eligible = live if model.campaign.in_same_city else live[~campaign]
    slot_item[mask] = fill_same_city(model, slot_user[mask], eligible)
    mask = slot_channel == DISCOVERY
    eligible = live if model.campaign.in_discovery else live[~campaign]
    if eligible.size:  # with nothing live the discovery slots stay empty
        state = model.feed_state(eligible, slot_user[mask])
        slot_item[mask] = model.policy(state, int(mask.sum()), rng=rng)

    e_user, e_item, e_channel, e_endorsement = streams_and_promotions(model, live)
    user = np.concatenate([d_user, slot_user, e_user])
    item = np.concatenate([d_item, slot_item, e_item])
    channel = np.concatenate([np.full(d_user.size, SHARE), slot_channel, e_channel]).astype(np.int8)
    # Sorted by pair, then channel (a share, channel 0, first), then position; the
    # grouping skips empty slots (item -1: negative codes) and a user's own posts.
    sorted_code, order = sort_with_order(pair_channel_code(model.exposures.key(item, user), channel))
    grouped = reaction_rules().group_exposures(
        sorted_code, order, model.n_users, model.items.creator, d_source, d_user.size + slot_user.size,
        np.asarray(e_endorsement, dtype=np.float64), model.exposures.keys,
    )
    p_key, p_user, p_item, p_channel, p_source, n_deliveries, platform, p_endorsement, row, place = grouped
    return Exposures(
        key=p_key,
        user=p_user,
        item=p_item,
        channel=p_channel,
        source=p_source,
        n_deliveries=n_deliveries,
        platform=platform,
        row=row,
        place=place,
        endorsement=p_endorsement,
        delivery_user=d_user,
        delivery_item=d_item,
        delivery_source=d_source,
    )

def streams_and_promotions(model: PlatformModel, live: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Today's stream audiences from followers and the strategy's promotions.

    Online followers of a creator who streams today join the stream with probability
    ``p_attend`` (times ``announce_boost`` if it was announced; S3): private-domain traffic,
    recorded on the follow channel. The strategy then sees who watches which stream and
    adds its promotions (S1-S4), each shown the promoted creator's stream, else its newest
    live post; a creator with nothing live gets none. Returns (user, item, channel,
    endorsement) rows to add to the day's exposures.
    """
    n = model.n_users
    none = np.zeros(0, dtype=np.int64)
    promotes = model.strategy.focal.size > 0 and type(model.strategy).promote is not CreatorStrategy.promote
    if model.platform.p_stream == 0 and not promotes:
        return none, none, none, np.zeros(0)
    rel = model.relations
    keys = rel.keys[rel["following"]]
    fan_user, fan_creator = keys // n, keys % n
    online = model.online[fan_user]
    fan_user, fan_creator = fan_user[online], fan_creator[online]
    # Stream audiences, by creator (a stable sort, so the draws follow the same order
    # whether or not every online fan is sorted for the strategy below).
    watching = model.live_item_of[fan_creator] >= 0
    order = np.argsort(fan_creator[watching], kind="stable")
    a_user, a_creator = fan_user[watching][order], fan_creator[watching][order]
    a_item = model.live_item_of[a_creator]
    if a_item.size:
        joins = model.rng.random(a_item.size) < rules.attend_probability(model.rules, model.items.announced[a_item])
        a_user, a_creator, a_item = a_user[joins], a_creator[joins], a_item[joins]
    if not promotes:
        return a_user, a_item, np.full(a_user.size, FOLLOW), np.ones(a_user.size)

    order = np.argsort(fan_creator, kind="stable")
    fan_user, fan_creator = fan_user[order], fan_creator[order]
    content = np.full(n, -1, dtype=np.int64)
    posts = live[~model.items.campaign[live]]
    np.maximum.at(content, model.items.creator[posts], posts)  # newest live item (streams are newest)
    promotion: Promotion = model.strategy.promote(
        DayState(
            day=model.day, online=np.flatnonzero(model.online), followers=model.follower_count,
            streaming=model.live_item_of >= 0, fan_user=fan_user, fan_creator=fan_creator,
            audience_user=a_user, audience_creator=a_creator, has_content=content >= 0,
        ),
        model.strategy_rng,
    )
    np.add.at(model.strategy_cost, promotion.cost_creator, promotion.cost)
    model.promotion_impressions += np.bincount(promotion.creator, minlength=n)
    p_item = content[promotion.creator]
    return (
        np.concatenate([a_user, promotion.user]),
        np.concatenate([a_item, p_item]),
        np.concatenate([np.full(a_user.size, FOLLOW), np.full(p_item.size, PROMOTION)]),
        np.concatenate([np.ones(a_user.size), promotion.endorsement]),
    )

def layout(model: PlatformModel) -> tuple[np.ndarray, np.ndarray]:
    """Today's platform slots: the user and the channel of each, grouped by user.

    Drawn from the layout stream only, so the budget (``feed_size`` slots per online user)
    and the slots are the same whatever the policy does.
    """
    rng, p = model.layout_rng, model.platform
    online = rng.random(model.n_users) < model.behaviour.p_active
    if model.present is not None:
        online &= model.present
    model.online = online
    slot_user = np.repeat(np.flatnonzero(online), p.feed_size)
    if slot_user.size == 0:
        return slot_user, np.zeros(0, dtype=np.int64)
    # rng.choice([FOLLOW, SAME_CITY, DISCOVERY], size, p=weights) by the same draws and
    # arithmetic (one uniform per slot against the normalised cumulative weights), with
    # the binary search replaced by two comparisons: three times faster at ~10^6 slots.
    cdf = np.cumsum(model.channel_weights)
    cdf /= cdf[-1]
    u = rng.random(slot_user.size)
    pick = (u >= cdf[0]).astype(np.int64)
    for bound in cdf[1:-1]:
        pick += u >= bound
    return slot_user, np.array([FOLLOW, SAME_CITY, DISCOVERY])[pick]

def fill_follow(model: PlatformModel, users: np.ndarray, live: np.ndarray) -> np.ndarray:
    """For each slot, a live item of a random followed creator, or -1 (private domain, P4).

    The creator is drawn uniformly from those the user follows, then one of the creator's
    live items uniformly (a campaign creator's pinned item instead), so every post gets
    follower traffic for its whole life, not only while it is the newest.
    """
    rel, rng = model.relations, model.platform_rng
    follow_keys = rel.keys[rel["following"]]  # sorted: each user's follows are contiguous
    draw_creator, draw_item = rng.random(users.size), rng.random(users.size)
    if follow_keys.size == 0:
        return np.full(users.size, -1, dtype=np.int64)
    row = random_row_of_first(follow_keys, model.n_users, users, draw_creator)
    creator = follow_keys[row] % model.n_users  # row -1 (follows nobody): dropped below
    item = pick_by_group(live, model.items.creator[live], creator, draw_item)
    pinned = model.pinned_item[creator]
    return np.where(row >= 0, np.where(pinned >= 0, pinned, item), -1)

def pick_by_group(live: np.ndarray, live_group: np.ndarray, group: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """For each entry of ``group``, a uniformly drawn live item of that group, or -1."""
    if live.size == 0:
        return np.full(group.size, -1, dtype=np.int64)
    order = np.argsort(live_group, kind="stable")
    # The live items sorted by group are keys with one second component: a group's items
    # are one block, drawn from as a user's follows are (random_row_of_first).
    row = random_row_of_first(live_group[order], 1, group, draw)
    return np.where(row >= 0, live[order][row], -1)

def fill_same_city(model: PlatformModel, users: np.ndarray, live: np.ndarray) -> np.ndarray:
    """A random live item by a creator of the user's city for each slot, or -1 (W4)."""
    draw = model.platform_rng.random(users.size)
    city = model.user_city[model.items.creator[live]]
    return pick_by_group(live, city, model.user_city[users], draw)


def count_peer_deliveries(model: PlatformModel, ex: Exposures) -> None:
    """Product deliveries by ties, split by whether the tie shares the circle (W3)."""
    d_user, d_item, d_source = ex.delivery_user, ex.delivery_item, ex.delivery_source
    product = model.items.product[d_item]
    cross = model.user_circle[d_user[product]] != model.user_circle[d_source[product]]
    model.peer_deliveries += np.bincount(cross.astype(np.int64), minlength=2)

def queue_deliveries(model: PlatformModel, ex: Exposures, share: np.ndarray, recommend: np.ndarray) -> None:
    """Tomorrow's share deliveries: each sender's share reaches each tie with the tie's share
    probability, a recommendation each strong tie (one independent-cascade hop,
    :func:`diffusion.contagion.transmit`); nobody is delivered their own post."""
    csr = model.society.csr
    parts = []
    for mask, p_entry in ((share, model.p_share_entry), (recommend, model.p_recommend_entry)):
        senders, items = ex.user[mask], ex.item[mask]
        targets, sender_index = transmit(csr, senders, p_entry, rng=model.rng)
        parts.append((targets, items[sender_index], senders[sender_index]))
    user, item, source = (np.concatenate(cols) for cols in zip(*parts))
    keep = model.items.creator[item] != user
    model._pending = (user[keep], item[keep], source[keep])
