"""How a user reacts to one exposure: view, like, follow, share, buy — compiled, one pass per pair.

This module is the single definition of the per-exposure rules of
:meth:`diffusion.model.PlatformModel.decide_and_commit`. For each (item, user) pair met today,
reading only the state at the start of the day:

- **view**: the pair is new (no row in the exposure table). Only a view can lead to a like
  (``p_like * appeal``), a follow (``p_follow * appeal``, times ``same_city_follow_boost`` on
  the same-city feed (W4) and a strategy's endorsement (S1-S4); only if not following yet) and a
  share to the ties (``p_share * appeal``; W1-W3).
- **sources**: the pair's distinct sources so far are the sharing ties that delivered it plus
  the platform once (complex contagion's reinforcement, D3/P2); the most recent sharing tie is
  remembered.
- **buy** (products only, once per pair; a local service only in the merchant's city, R1): the
  viewer must trust the creator at least ``trust_threshold`` (trust route, P1) or have had the
  item from at least ``reinforcement`` sources (peer route, P2). The probability is
  ``p_buy * appeal * persuasion``, times ``live_purchase_boost`` for a live stream (P8), where
  persuasion is the trust itself on the trust route and ``1 - h + h * similarity`` to the
  recommending tie otherwise (homophily, W3).
- **outcome**: a purchase turns out bad with ``p_bad_purchase`` (P3) and, independently, is
  recommended to strong ties with ``p_recommend`` (P2); a pair passes the item on (share or
  recommendation) at most once.

Why compiled: the rules are a handful of comparisons per pair; written as whole-array numpy
expressions they took about sixty passes over the ~500,000 pairs of a day at 100,000 users,
roughly a third of the model's day. Here each pair is read once. The uniform draws are made by
the caller in the same order as one ``rng.random(n_pairs)`` per decision, so the results do not
depend on how the rules are evaluated.

Taste similarity is needed only on the peer route of a purchasable product; the caller computes
it with :meth:`diffusion.networks.society.Society.similarity` for exactly those pairs
(``needs_similarity``), between the two passes.

Two more passes frame the rules: ``group_exposures`` turns the day's exposure rows (feed slots,
shares, promotions) into one row per pair, as :meth:`PlatformModel.expose` defines it, and
``tally`` adds the reactions to the model's counters (views by channel, likes, shares,
purchases by format, locality and route, survey state).
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

import numpy as np

from diffusion.params import BehaviourParams

#: Rows of the uniform draws, in the order the decisions draw them.
LIKE, FOLLOW, SHARE, BUY, BAD, RECOMMEND = range(6)
N_DRAWS = 6

#: Channel codes the rules need (see :data:`diffusion.params.CHANNELS`).
SHARE_CHANNEL, SAME_CITY_CHANNEL = 0, 2


def rule_parameters(b: BehaviourParams) -> np.ndarray:
    """The behaviour parameters the compiled rules read, in their fixed order."""
    return np.array(
        [
            b.p_like, b.p_follow, b.p_share, b.same_city_follow_boost, b.trust_threshold,
            b.reinforcement, b.share_homophily, b.p_buy, b.live_purchase_boost, b.p_bad_purchase,
            b.p_recommend,
        ],
        dtype=np.float64,
    )


@functools.cache
def compiled() -> SimpleNamespace:
    """The compiled passes (numba is imported on first use, not with the package)."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def trust(row, user, creator, user_city, relation_trust, relation_following, trust_stranger, same_city_bonus):
        """Trust of each user in each creator and whether the user follows them, from the pair's
        relation row (-1 if none): a stranger is trusted ``trust_stranger``, plus
        ``same_city_bonus`` in the same city (P7), at most 1."""
        n = row.size
        out = np.empty(n, dtype=np.float64)
        following = np.zeros(n, dtype=np.bool_)
        for i in range(n):
            r = row[i]
            if r >= 0:
                out[i] = relation_trust[r]
                following[i] = relation_following[r]
            else:
                same_city = 1.0 if user_city[user[i]] == user_city[creator[i]] else 0.0
                out[i] = min(1.0, trust_stranger + same_city_bonus * same_city)
        return out, following

    @numba.njit(cache=True, nogil=True)
    def first_pass(
        u, row, n_deliveries, platform, source, channel, endorsement, user, item,
        item_creator, item_appeal, item_stream, item_product, item_local, user_city,
        seen_sources, seen_platform, seen_last_source, seen_bought, trust, following, params,
    ):
        """Everything up to the purchase: who views, likes, follows, shares, and who may buy."""
        p_like, p_follow, p_share, city_boost = params[0], params[1], params[2], params[3]
        trust_threshold, reinforcement = params[4], params[5]
        n = row.size
        n_sources = np.empty(n, dtype=np.int64)
        last_source = np.empty(n, dtype=np.int64)
        like = np.zeros(n, dtype=np.bool_)
        follow = np.zeros(n, dtype=np.bool_)
        share = np.zeros(n, dtype=np.bool_)
        product = np.zeros(n, dtype=np.bool_)
        trusted = np.zeros(n, dtype=np.bool_)
        live = np.zeros(n, dtype=np.bool_)
        same_city = np.zeros(n, dtype=np.bool_)
        may_buy = np.zeros(n, dtype=np.bool_)
        needs_similarity = np.zeros(n, dtype=np.bool_)
        for i in range(n):
            it, r, c = item[i], row[i], item_creator[item[i]]
            appeal = item_appeal[it]
            is_new = r < 0
            prev_sources = 0 if is_new else np.int64(seen_sources[r])
            prev_platform = False if is_new else seen_platform[r]
            n_sources[i] = prev_sources + n_deliveries[i] + (1 if platform[i] and not prev_platform else 0)
            last_source[i] = source[i] if source[i] >= 0 else (-1 if is_new else seen_last_source[r])
            if is_new:
                like[i] = u[LIKE, i] < p_like * appeal
                boost = (city_boost if channel[i] == SAME_CITY_CHANNEL else 1.0) * endorsement[i]
                follow[i] = not following[i] and u[FOLLOW, i] < min(max(p_follow * appeal * boost, 0.0), 1.0)
                share[i] = u[SHARE, i] < p_share * appeal
            live[i] = item_stream[it]
            same_city[i] = user_city[user[i]] == user_city[c]
            bought_before = False if is_new else seen_bought[r]
            product[i] = item_product[it] and not bought_before and (not item_local[it] or same_city[i])
            trusted[i] = trust[i] >= trust_threshold
            may_buy[i] = product[i] and (trusted[i] or n_sources[i] >= reinforcement)
            # The peer route persuades by the similarity to the recommending tie.
            needs_similarity[i] = may_buy[i] and not trusted[i] and last_source[i] >= 0
        return (n_sources, last_source, like, follow, share, product, trusted, live,
                same_city, may_buy, needs_similarity)

    @numba.njit(cache=True, nogil=True)
    def second_pass(
        u, row, item, item_appeal, may_buy, trusted, trust, live, share, n_sources, last_source, platform,
        peer_rows, similarity, seen_sources, seen_platform, seen_last_source, seen_bought, seen_sent,
        params,
    ):
        """Purchases and their outcomes, and the update of the pairs already seen.

        ``similarity[k]`` belongs to pair ``peer_rows[k]`` (increasing); other pairs have none.
        """
        h, p_buy, live_boost, p_bad, p_recommend = params[6], params[7], params[8], params[9], params[10]
        n = row.size
        buy = np.zeros(n, dtype=np.bool_)
        k = 0
        for i in range(n):
            if not may_buy[i]:
                continue
            if trusted[i]:
                persuasion = trust[i]
            else:
                tie_similarity = 1.0
                if k < peer_rows.size and peer_rows[k] == i:
                    tie_similarity = similarity[k]
                    k += 1
                persuasion = 1.0 - h + h * tie_similarity
            p = p_buy * item_appeal[item[i]] * persuasion * (live_boost if live[i] else 1.0)
            buy[i] = u[BUY, i] < min(max(p, 0.0), 1.0)
        bad = np.zeros(n, dtype=np.bool_)
        recommend = np.zeros(n, dtype=np.bool_)
        send = np.zeros(n, dtype=np.bool_)
        send_share = np.zeros(n, dtype=np.bool_)
        send_recommend = np.zeros(n, dtype=np.bool_)
        for i in range(n):
            if buy[i]:
                bad[i] = u[BAD, i] < p_bad
                recommend[i] = u[RECOMMEND, i] < p_recommend
            r = row[i]
            sent_before = False if r < 0 else seen_sent[r]
            send[i] = (share[i] or recommend[i]) and not sent_before
            send_share[i] = share[i] and not sent_before
            send_recommend[i] = recommend[i] and not share[i] and not sent_before
            if r >= 0:  # each pair occurs once a day, so updating in place reads no update
                seen_sources[r] = n_sources[i]
                seen_platform[r] = seen_platform[r] or platform[i]
                seen_last_source[r] = last_source[i]
                seen_bought[r] = seen_bought[r] or buy[i]
                seen_sent[r] = sent_before or send[i]
        return buy, bad, recommend, send, send_share, send_recommend

    @numba.njit(cache=True, nogil=True)
    def group_exposures(sorted_code, order, n_users, creator, share_source, promoted_from, promotion_endorsement,
                        table_keys):
        """The day's exposure rows as one row per (item, user) pair.

        Rows are coded ``(item * n_users + user) * 8 + channel`` and visited in sorted order
        (``sorted_code``; ``order`` gives each one's position among the day's rows), so a
        pair's rows are adjacent and its share rows (channel 0) lead. The day's rows are the
        share deliveries first (their senders in ``share_source``), then feed slots, then from
        position ``promoted_from`` on the streams and promotions (their endorsements in
        ``promotion_endorsement``; every other row has endorsement 1). Rows without an item (a
        slot left empty: negative code) and rows showing users their own post are skipped.

        Returns, per pair: its key, user, item, first channel, sharing tie (-1 if none),
        number of share deliveries, whether a platform channel showed it, the strongest
        endorsement, its row in the exposure table (-1 if new; ``table_keys`` sorted) and its
        place there (its row, or where it would be inserted).
        Key, item, user and channel come from the code, so the walk reads nothing else at
        random but a share's sender and a promotion's endorsement."""
        m = order.size
        n_shares = share_source.size
        out_key = np.empty(m, dtype=np.int64)
        out_user = np.empty(m, dtype=np.int64)
        out_item = np.empty(m, dtype=np.int64)
        out_channel = np.empty(m, dtype=np.int8)
        out_source = np.empty(m, dtype=np.int64)
        n_deliveries = np.zeros(m, dtype=np.int64)
        platform = np.zeros(m, dtype=np.bool_)
        out_endorsement = np.empty(m, dtype=np.float64)
        row = np.empty(m, dtype=np.int64)
        place = np.empty(m, dtype=np.int64)
        k, p, n_table = -1, 0, table_keys.size
        last_key, own_post = -1, False
        it, item_base, next_item_base = 0, 0, 0  # the current item, its first key, the next item's
        for j in range(m):
            key, ch = sorted_code[j] >> 3, sorted_code[j] & 7
            if key < 0:  # an empty slot
                continue
            i = order[j]
            endorsement = promotion_endorsement[i - promoted_from] if i >= promoted_from else 1.0
            if key != last_key:  # a new pair: its first row leads
                last_key = key
                if key >= next_item_base:  # keys ascend: divide only when the item changes
                    it = key // n_users
                    item_base, next_item_base = it * n_users, (it + 1) * n_users
                u = key - item_base
                own_post = creator[it] == u
                if own_post:  # nobody is fed their own post: skip the pair's rows
                    continue
                k += 1
                out_key[k], out_user[k], out_item[k], out_channel[k] = key, u, it, ch
                out_source[k] = share_source[i] if ch == SHARE_CHANNEL and i < n_shares else -1
                out_endorsement[k] = endorsement
                while p < n_table and table_keys[p] < key:  # keys ascend: one merge walk
                    p += 1
                place[k] = p
                row[k] = p if p < n_table and table_keys[p] == key else -1
            elif own_post:
                continue
            elif endorsement > out_endorsement[k]:
                out_endorsement[k] = endorsement
            if ch == SHARE_CHANNEL:
                n_deliveries[k] += 1
            else:
                platform[k] = True
        k += 1
        return (out_key[:k], out_user[:k], out_item[:k], out_channel[:k], out_source[:k], n_deliveries[:k],
                platform[:k], out_endorsement[:k], row[:k], place[:k])

    @numba.njit(cache=True, nogil=True)
    def tally(
        row, user, item, creator, channel, source, last_source, like, share, buy, recommend, product, live,
        trusted, same_city, user_circle, item_views, item_views_by_channel, item_likes, item_shares,
        item_purchases, views_by_channel, creator_views, format_exposures, format_purchases,
        locality_exposures, locality_purchases, n_purchases, last_purchase_trusted, last_purchase_creator,
        recommended, peer_purchases,
    ):
        """Add the day's reactions to the model's counters (in place); return the views through
        a share from a tie outside the viewer's circle (W1)."""
        cross_circle_views = 0
        for i in range(row.size):
            it, u = item[i], user[i]
            if row[i] < 0:  # a view
                item_views[it] += 1
                item_views_by_channel[it, channel[i]] += 1
                views_by_channel[channel[i]] += 1
                creator_views[creator[i]] += 1
                if source[i] >= 0 and user_circle[u] != user_circle[source[i]]:
                    cross_circle_views += 1
            if like[i]:
                item_likes[it] += 1
            if share[i]:
                item_shares[it] += 1
            if product[i]:  # purchasable: by format and trust (P8), by locality (P7)
                format_exposures[np.int64(live[i]), np.int64(trusted[i])] += 1
                locality_exposures[np.int64(same_city[i])] += 1
            if buy[i]:
                item_purchases[it] += 1
                format_purchases[np.int64(live[i]), np.int64(trusted[i])] += 1
                locality_purchases[np.int64(same_city[i])] += 1
                n_purchases[u] += 1
                last_purchase_trusted[u] = trusted[i]
                last_purchase_creator[u] = creator[i]
                if not trusted[i] and last_source[i] >= 0:  # a peer-route purchase (W3)
                    peer_purchases[np.int64(user_circle[u] != user_circle[last_source[i]])] += 1
            if recommend[i]:
                recommended[u] = True
        return cross_circle_views

    return SimpleNamespace(trust=trust, first_pass=first_pass, second_pass=second_pass, group_exposures=group_exposures, tally=tally)
