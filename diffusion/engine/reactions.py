"""The engine's reaction passes: the rules of :mod:`diffusion.rules` over every pair of a day.

For each (item, user) pair met today, reading only the state at the start of the day, the
passes apply the rules in this order (each rule is a function of :mod:`diffusion.rules`, with
its claim and source there):

- **view**: the pair is new (no row in the exposure table). Only a view can lead to a like, a
  follow (only if not following yet; the same-city feed and a strategy's endorsement raise
  it, W4, S1-S4) and a share to the ties (W1-W3).
- **sources**: the pair's distinct sources so far are the sharing ties that delivered it plus
  the platform once (complex contagion's reinforcement, P2); the most recent sharing tie is
  remembered.
- **buy** (products only, once per pair; a local service only in the merchant's city, R1):
  the trust route (the viewer trusts the creator, P1) or the peer route (enough distinct
  sources, P2); the persuasion is the trust, or the similarity to the recommending tie (W3);
  goods shown live convert better (P8).
- **outcome**: a purchase may turn out bad (P3) and, independently, be recommended to strong
  ties (P2); a pair passes the item on (share or recommendation) at most once.

``decide_views`` and ``decide_purchases`` decide and change nothing; ``commit_seen`` then
updates the exposure table's rows of the pairs seen before, and ``tally`` adds the reactions to
the model's counters (views by channel, likes, shares, purchases by format, locality and route,
survey state). ``group_exposures`` turns the day's exposure rows (feed slots, shares,
promotions) into one row per pair, as :meth:`PlatformModel.expose` defines it. The passes take
and return named records of arrays (:data:`Pairs`, :data:`Views`, ...), read by name.

Why compiled: the rules are a handful of comparisons per pair; written as whole-array numpy
expressions they took about sixty passes over the ~500,000 pairs of a day at 100,000 users.
Here each pair is read once. The uniform draws are made by the caller in the same order as one
``rng.random(n_pairs)`` per decision, so the results do not depend on how the rules are
evaluated: :meth:`diffusion.agents.User.react` applies the same rules one exposure at a time
and gives identical results (``tests/test_rules.py``).

Taste similarity is needed only on the peer route of a purchasable product; the caller computes
it with :meth:`diffusion.networks.society.Society.similarity` for exactly those pairs
(``needs_similarity``), between the two decide passes.
"""

from __future__ import annotations

import functools
import hashlib
from collections import namedtuple
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from diffusion import rules

#: Rows of the uniform draws, in the order the decisions draw them.
LIKE, FOLLOW, SHARE, BUY, BAD, RECOMMEND = range(6)
N_DRAWS = 6

#: Channel codes the rules need (see :data:`diffusion.params.CHANNELS`).
SHARE_CHANNEL, SAME_CITY_CHANNEL = 0, 2

# Named records of arrays the compiled passes take and return (numba reads them by name).
#: The day's (item, user) pairs, as :meth:`PlatformModel.expose` groups them.
Pairs = namedtuple("Pairs", "row user item channel source n_deliveries platform endorsement")
#: Item attributes the rules read, indexed by item id.
ItemArrays = namedtuple("ItemArrays", "creator appeal stream product local price")
#: User attributes the rules read, indexed by user id (city tier: 1 = first tier ... 5).
Users = namedtuple("Users", "city circle tier")
#: What the exposure table remembers of each pair (its columns of the same names).
Seen = namedtuple("Seen", "n_sources platform_seen last_source bought sent")
#: What each pair's viewer does up to the purchase (:func:`compiled` ``decide_views``).
Views = namedtuple("Views", "n_sources last_source like follow share product trusted live same_city may_buy "
                            "needs_similarity acceptance cheap")
#: Purchases, their outcomes and what is passed on (``decide_purchases``).
Purchases = namedtuple("Purchases", "buy bad recommend send send_share send_recommend")
#: Per-item counters the day's reactions add to.
ItemCounters = namedtuple("ItemCounters", "views views_by_channel likes shares purchases")
#: The model's running counters the day's reactions add to.
Counters = namedtuple(
    "Counters",
    "views_by_channel creator_views format_exposures format_purchases locality_exposures locality_purchases "
    "n_purchases last_purchase_trusted last_purchase_creator recommended peer_purchases tier_price_exposures "
    "tier_price_purchases peer_exposures peer_exposure_purchases",
)

#: The source files whose code the compiled passes contain: this engine and the rules.
_SOURCES = (Path(__file__).resolve(), Path(rules.__file__).resolve())


def _forget_stale_cache(dispatcher) -> None:
    """Drop numba's cached machine code of these passes when ``rules.py`` has changed.

    numba checks only the source file of a cached function, not the files of the functions it
    calls, so an edited rule would otherwise run its old compiled code. A stamp of both files'
    contents is kept beside the cache; when it differs, this module's cache entries are
    removed and the passes compile anew (once; then they are cached again).
    """
    cache = getattr(dispatcher, "_cache", None)
    folder = getattr(cache, "_cache_path", None)
    if folder is None:
        return
    folder = Path(folder)
    stamp = hashlib.sha256(b"".join(path.read_bytes() for path in _SOURCES)).hexdigest()
    stamp_file = folder / "reactions.rules-stamp"
    try:
        if stamp_file.read_text() == stamp:
            return
    except OSError:
        pass
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in list(folder.glob("reactions.*.nbi")) + list(folder.glob("reactions.*.nbc")):
            old.unlink(missing_ok=True)
        stamp_file.write_text(stamp)
    except OSError:  # a read-only cache: numba then compiles in memory every time
        pass


@functools.cache
def compiled() -> SimpleNamespace:
    """The compiled passes (numba is imported on first use, not with the package).

    The rules of :mod:`diffusion.rules` are registered with numba here, so the passes call
    them as they are written there.
    """
    import numba
    from numba.extending import register_jitable

    for name in dir(rules):
        function = getattr(rules, name)
        if callable(function) and getattr(function, "__module__", None) == rules.__name__:
            register_jitable(function)

    @numba.njit(cache=True, nogil=True)
    def trust(row, user, creator, user_city, relation_trust, relation_following, b):
        """Trust of each user in each creator and whether the user follows them, from the pair's
        relation row (-1 if none; then :func:`diffusion.rules.stranger_trust`)."""
        n = row.size
        out = np.empty(n, dtype=np.float64)
        following = np.zeros(n, dtype=np.bool_)
        for i in range(n):
            r = row[i]
            if r >= 0:
                out[i] = relation_trust[r]
                following[i] = relation_following[r]
            else:
                out[i] = rules.stranger_trust(b, user_city[user[i]] == user_city[creator[i]])
        return out, following

    @numba.njit(cache=True, nogil=True)
    def decide_views(u, pairs, items, seen, users, trust, following, b):
        """Everything up to the purchase: who views, likes, follows, shares, and who may buy.

        Reads the start-of-day state only (``seen``: the exposure table's columns)."""
        n = pairs.row.size
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
        acceptance = np.ones(n, dtype=np.float64)
        cheap = np.zeros(n, dtype=np.bool_)
        for i in range(n):
            it, r = pairs.item[i], pairs.row[i]
            appeal = items.appeal[it]
            is_new = r < 0
            prev_sources = 0 if is_new else np.int64(seen.n_sources[r])
            prev_platform = False if is_new else seen.platform_seen[r]
            # Distinct sources: each sharing tie, plus the platform once (complex contagion).
            n_sources[i] = prev_sources + pairs.n_deliveries[i] + (1 if pairs.platform[i] and not prev_platform else 0)
            last_source[i] = pairs.source[i] if pairs.source[i] >= 0 else (-1 if is_new else seen.last_source[r])
            if is_new:  # a view: only a first exposure can be liked, followed from or shared
                like[i] = u[LIKE, i] < rules.like_probability(b, appeal)
                follow[i] = not following[i] and u[FOLLOW, i] < rules.follow_probability(
                    b, appeal, pairs.channel[i] == SAME_CITY_CHANNEL, pairs.endorsement[i])
                share[i] = u[SHARE, i] < rules.share_probability(b, appeal)
            live[i] = items.stream[it]
            same_city[i] = users.city[pairs.user[i]] == users.city[items.creator[it]]
            bought_before = False if is_new else seen.bought[r]
            # Once per pair; a local service only in the merchant's own city (R1).
            product[i] = items.product[it] and not bought_before and (not items.local[it] or same_city[i])
            trusted[i] = rules.is_trusted(b, trust[i])
            may_buy[i] = rules.may_buy(b, product[i], trusted[i], n_sources[i])
            # The peer route persuades by the similarity to the recommending tie.
            needs_similarity[i] = may_buy[i] and not trusted[i] and last_source[i] >= 0
            if product[i]:  # price band and, for a possible purchase, price acceptance by city tier (R5)
                price = items.price[it]
                cheap[i] = price <= b.price_reference
                if may_buy[i] and b.price_elasticity > 0.0:
                    acceptance[i] = rules.price_acceptance(b, price, users.tier[pairs.user[i]])
        return Views(n_sources, last_source, like, follow, share, product, trusted, live, same_city, may_buy,
                     needs_similarity, acceptance, cheap)

    @numba.njit(cache=True, nogil=True)
    def decide_purchases(u, pairs, items, views, trust, peer_rows, similarity, sent, b):
        """Purchases, their outcomes, and what each pair passes on (at most once per pair).

        ``similarity[k]`` belongs to pair ``peer_rows[k]`` (increasing); other pairs have none.
        ``sent`` is the exposure table's column: whether the pair has passed the item on."""
        n = pairs.row.size
        buy = np.zeros(n, dtype=np.bool_)
        k = 0
        for i in range(n):
            if not views.may_buy[i]:
                continue
            tie_similarity = 1.0
            if not views.trusted[i] and k < peer_rows.size and peer_rows[k] == i:
                tie_similarity = similarity[k]
                k += 1
            persuasion = rules.persuasion(b, views.trusted[i], trust[i], tie_similarity)
            p = rules.purchase_probability(b, items.appeal[pairs.item[i]], persuasion, views.live[i],
                                           views.acceptance[i])
            buy[i] = u[BUY, i] < p
        bad = np.zeros(n, dtype=np.bool_)
        recommend = np.zeros(n, dtype=np.bool_)
        send = np.zeros(n, dtype=np.bool_)
        send_share = np.zeros(n, dtype=np.bool_)
        send_recommend = np.zeros(n, dtype=np.bool_)
        for i in range(n):
            if buy[i]:
                bad[i] = rules.purchase_is_bad(b, u[BAD, i])
                recommend[i] = rules.buyer_recommends(b, u[RECOMMEND, i])
            r = pairs.row[i]
            sent_before = False if r < 0 else sent[r]
            send[i] = (views.share[i] or recommend[i]) and not sent_before
            send_share[i] = views.share[i] and not sent_before
            send_recommend[i] = recommend[i] and not views.share[i] and not sent_before
        return Purchases(buy, bad, recommend, send, send_share, send_recommend)

    @numba.njit(cache=True, nogil=True)
    def commit_seen(pairs, views, purchases, seen):
        """Update, in place, the exposure-table rows of the pairs already seen (each pair
        occurs once a day, so no update reads another)."""
        for i in range(pairs.row.size):
            r = pairs.row[i]
            if r >= 0:
                seen.n_sources[r] = views.n_sources[i]
                seen.platform_seen[r] = seen.platform_seen[r] or pairs.platform[i]
                seen.last_source[r] = views.last_source[i]
                seen.bought[r] = seen.bought[r] or purchases.buy[i]
                seen.sent[r] = seen.sent[r] or purchases.send[i]

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
    def tally(pairs, creator, views, purchases, users, item_counters, counters):
        """Add the day's reactions to the model's counters (in place); return the views through
        a share from a tie outside the viewer's circle (W1)."""
        cross_circle_views = 0
        c = counters
        for i in range(pairs.row.size):
            it, u = pairs.item[i], pairs.user[i]
            if pairs.row[i] < 0:  # a view
                item_counters.views[it] += 1
                item_counters.views_by_channel[it, pairs.channel[i]] += 1
                c.views_by_channel[pairs.channel[i]] += 1
                c.creator_views[creator[i]] += 1
                if pairs.source[i] >= 0 and users.circle[u] != users.circle[pairs.source[i]]:
                    cross_circle_views += 1
            if views.like[i]:
                item_counters.likes[it] += 1
            if views.share[i]:
                item_counters.shares[it] += 1
            live, trusted, same_city = np.int64(views.live[i]), np.int64(views.trusted[i]), np.int64(views.same_city[i])
            tier, cheap = 0, 0
            if views.product[i]:  # purchasable: by format and trust (P8), by locality (P7), by tier and price (R5)
                tier, cheap = users.tier[u] - 1, np.int64(views.cheap[i])
                c.format_exposures[live, trusted] += 1
                c.locality_exposures[same_city] += 1
                c.tier_price_exposures[tier, cheap] += 1
            if purchases.buy[i]:
                item_counters.purchases[it] += 1
                c.format_purchases[live, trusted] += 1
                c.locality_purchases[same_city] += 1
                c.tier_price_purchases[tier, cheap] += 1
                c.n_purchases[u] += 1
                c.last_purchase_trusted[u] = views.trusted[i]
                c.last_purchase_creator[u] = creator[i]
                if not views.trusted[i] and views.last_source[i] >= 0:  # a peer-route purchase (W3)
                    c.peer_purchases[np.int64(users.circle[u] != users.circle[views.last_source[i]])] += 1
            # W3 at equal numbers of distinct sources: every peer-route purchase decision, by the
            # circle of the latest sharing tie and the sources so far (1, 2, 3, 4 or more), since
            # the purchase rule's reinforcement favours exposures that are a second source.
            if views.product[i] and not views.trusted[i] and views.last_source[i] >= 0:
                cross = np.int64(users.circle[u] != users.circle[views.last_source[i]])
                stratum = min(views.n_sources[i], c.peer_exposures.shape[1]) - 1
                c.peer_exposures[cross, stratum] += 1
                if purchases.buy[i]:
                    c.peer_exposure_purchases[cross, stratum] += 1
            if purchases.recommend[i]:
                c.recommended[u] = True
        return cross_circle_views

    _forget_stale_cache(decide_views)
    return SimpleNamespace(trust=trust, decide_views=decide_views, decide_purchases=decide_purchases,
                           commit_seen=commit_seen, group_exposures=group_exposures, tally=tally)
