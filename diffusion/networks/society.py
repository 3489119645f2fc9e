"""The weak-tie society: acquaintance circles nested in cities, bridged by weak ties.

Serves claims W1-W4 (source 000 §3.2, §4.1), P7 and R2/R3 (cities with tiers and a poor-region
flag). Users belong to acquaintance circles (熟人圈); circles belong to cities. Strong ties join
users of the same circle; weak ties join users of different circles, a share of them inside the
same city. ``weak_tie_share`` sets the expected fraction of weak ties while the mean degree stays
fixed, so a sweep over it trades strong ties for bridges without adding contacts
(Granovetter 1973); with ``weak_ties="add"`` the strong ties stay and the bridges come on top
(W1's other reading: weak ties widen a user's contacts). A share of users are creators, followed by other users with heavy-tailed
follower counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import igraph as ig
import numpy as np

from diffusion.errors import ConfigError
from diffusion.networks.csr import CSR, csr_from_edges, edge_arrays
from diffusion.engine.pairs import search
from diffusion.params import check_range

#: How bridges enter the society (W1): in place of strong ties, or on top of them.
WEAK_TIE_MODES: tuple[str, ...] = ("replace", "add")

#: Concentration of the Beta distributions of tie strength (mean fixed by the parameters).
_STRENGTH_CONCENTRATION = 10.0


@dataclass(frozen=True, eq=False)
class Society:
    """A social graph with circles, cities, creators and follows. Vertex ``i`` is user ``i``.

    Attributes
    ----------
    graph : igraph.Graph
        Undirected simple graph; edge attributes ``weight`` (tie strength in (0, 1]), ``weak``
        (bridges two circles) and ``same_city``.
    csr : CSR
        Array form of ``graph`` (edge ids match ``graph``'s).
    edge_source, edge_target, edge_weight, edge_weak, edge_same_city : numpy.ndarray
        The edge list and its attributes as arrays, indexed by edge id.
    circle, city : numpy.ndarray of int64
        Each user's acquaintance circle and city.
    city_tier : numpy.ndarray of int64
        Tier of each city, 1 (largest cities) to 5 (smallest).
    city_poor : numpy.ndarray of bool
        Poor-region flag of each city (R2, R3).
    traits : numpy.ndarray of float64, shape (n_users, n_dims)
        Unit taste vectors, similar within a circle (homophily, W3).
    creators : numpy.ndarray of int64
        Sorted user ids of creator accounts.
    follow_source, follow_target : numpy.ndarray of int64
        Follow edges: ``follow_source[k]`` follows creator ``follow_target[k]``.
    removed : numpy.ndarray of bool, optional
        Users taken out of the network (D5, :mod:`diffusion.networks.removal`): they keep
        their vertex ids but have no ties, follows or posts and never come online.
        ``None`` when nobody was removed.
    """

    graph: ig.Graph
    csr: CSR
    edge_source: np.ndarray
    edge_target: np.ndarray
    edge_weight: np.ndarray
    edge_weak: np.ndarray
    edge_same_city: np.ndarray
    circle: np.ndarray
    city: np.ndarray
    city_tier: np.ndarray
    city_poor: np.ndarray
    traits: np.ndarray
    creators: np.ndarray
    follow_source: np.ndarray
    follow_target: np.ndarray
    removed: np.ndarray | None = None

    @property
    def present(self) -> np.ndarray | None:
        """Mask of users still in the network, or ``None`` when nobody was removed."""
        return None if self.removed is None else ~self.removed

    def without(self, users: np.ndarray) -> Society:
        """A copy with ``users`` removed: their ties, follows and creator accounts are gone.

        Vertex ids are kept (a removed user becomes an isolated, absent vertex), so every
        per-user array keeps its meaning and runs with and without removal stay comparable.
        """
        removed = np.zeros(self.n_users, dtype=bool) if self.removed is None else self.removed.copy()
        removed[np.asarray(users, dtype=np.int64)] = True
        keep = ~(removed[self.edge_source] | removed[self.edge_target])
        source, target = self.edge_source[keep], self.edge_target[keep]
        graph = self.graph.subgraph_edges(np.flatnonzero(keep), delete_vertices=False)
        follows = ~(removed[self.follow_source] | removed[self.follow_target])
        return Society(
            graph=graph, csr=csr_from_edges(self.n_users, source, target), edge_source=source,
            edge_target=target, edge_weight=self.edge_weight[keep], edge_weak=self.edge_weak[keep],
            edge_same_city=self.edge_same_city[keep], circle=self.circle, city=self.city,
            city_tier=self.city_tier, city_poor=self.city_poor, traits=self.traits,
            creators=self.creators[~removed[self.creators]],
            follow_source=self.follow_source[follows], follow_target=self.follow_target[follows],
            removed=removed,
        )

    @property
    def n_users(self) -> int:
        """Number of users (vertices)."""
        return int(self.circle.shape[0])

    @property
    def n_cities(self) -> int:
        """Number of cities."""
        return int(self.city_tier.shape[0])

    @property
    def n_circles(self) -> int:
        """Number of acquaintance circles."""
        return int(self.circle.max()) + 1 if self.circle.size else 0

    def follow_edges(self) -> tuple[np.ndarray, np.ndarray]:
        """(follower, creator) arrays of the initial follows."""
        return self.follow_source, self.follow_target

    @property
    def follows(self) -> ig.Graph:
        """The follower graph as a directed igraph graph (user -> creator)."""
        return ig.Graph(n=self.n_users, edges=np.column_stack([self.follow_source, self.follow_target]), directed=True)

    @property
    def follow_csr(self) -> CSR:
        """Whom each user follows, as a CSR."""
        return csr_from_edges(self.n_users, self.follow_source, self.follow_target, directed=True)

    def follower_counts(self) -> np.ndarray:
        """Follower count of every user (0 for non-creators)."""
        return np.bincount(self.follow_target, minlength=self.n_users)

    def similarity(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Taste similarity of users ``u`` and ``v`` in [0, 1]: ``(1 + cos angle) / 2`` (W3)."""
        dots = np.einsum("ij,ij->i", self.traits[np.asarray(u)], self.traits[np.asarray(v)])
        return np.clip(0.5 * (1.0 + dots), 0.0, 1.0)


def weak_tie_society(
    *,
    n_users: int = 5000,
    mean_degree: float = 10.0,
    weak_tie_share: float = 0.2,
    weak_same_city_share: float = 0.5,
    circle_size_mean: float = 20.0,
    users_per_city: float = 500.0,
    poor_city_share: float = 0.3,
    strong_tie_strength: float = 0.7,
    weak_tie_strength: float = 0.15,
    trait_noise: float = 0.6,
    n_trait_dims: int = 4,
    creator_share: float = 0.02,
    follower_min: int = 5,
    follower_tail_index: float = 0.8,
    follow_same_city_share: float = 0.3,
    newcomer_share: float = 0.0,
    weak_ties: str = "replace",
    rng: np.random.Generator,
) -> Society:
    """Build a weak-tie society.

    Parameters
    ----------
    n_users : int
        Number of users.
    mean_degree : float
        Mean number of social ties per user; held fixed for every ``weak_tie_share``.
    weak_tie_share : float
        Expected fraction of ties that are weak (bridge two circles), in [0, 1].
    weak_same_city_share : float
        Fraction of weak ties whose ends live in the same city (W4, same-city ties).
    circle_size_mean : float
        Mean acquaintance-circle size; sizes are 2 + negative binomial (dispersion 4).
    users_per_city : float
        Mean users per city; city sizes are Zipf-distributed (exponent 1) over circles.
    poor_city_share : float
        Fraction of cities flagged as poor regions; lower tiers are more likely poor (R2).
    strong_tie_strength, weak_tie_strength : float
        Mean tie strength of strong and weak ties (Beta distributed, concentration 10).
    trait_noise : float
        Spread of users' tastes around their circle's centre (smaller: more homophily).
    n_trait_dims : int
        Dimensions of the taste vectors.
    creator_share : float
        Fraction of users who are creators (at least one creator).
    follower_min : int
        Smallest follower count a creator is drawn with.
    follower_tail_index : float
        Pareto tail index of follower counts (smaller: heavier tail). Counts are drawn at
        stratified quantiles, so the largest count is reliably close to
        ``follower_min * (2 n_creators) ** (1 / follower_tail_index)`` (capped at n_users - 1).
    follow_same_city_share : float
        Fraction of a creator's followers drawn from the creator's own city.
    newcomer_share : float
        Fraction of creators who are new accounts with no followers yet (D1: newcomers'
        chance to be seen). The others keep the heavy-tailed follower counts.
    weak_ties : {"replace", "add"}
        How bridges enter (W1, source 000 §3.2). ``"replace"``: the mean degree is held at
        ``mean_degree`` and a share ``weak_tie_share`` of the ties are weak, so each bridge
        takes the place of a strong tie. ``"add"``: every user keeps the strong ties of the
        ``weak_tie_share = 0`` society (the very same edges) and ``round(n_users *
        mean_degree * weak_tie_share / 2)`` bridges are added on top, as many as the
        ``"replace"`` society has at that share; the mean degree grows to about
        ``mean_degree * (1 + weak_tie_share)`` and the weak fraction of all ties is
        ``weak_tie_share / (1 + weak_tie_share)``.
    rng : numpy.random.Generator
        Source of all randomness.

    Returns
    -------
    Society

    Notes
    -----
    Strong ties: repeatedly draw a user uniformly and a partner uniformly from the rest of
    their circle, dropping duplicates, until ``round(n_users * mean_degree * (1 - s) / 2)``
    distinct edges exist. Weak ties: draw a user and a partner from another circle (same city
    with probability ``weak_same_city_share``), likewise until ``round(n_users * mean_degree *
    s / 2)``. With ``weak_ties="add"`` the strong ties are drawn as for ``s = 0`` (from the same
    stream, so they are identical) and the same number of weak ties is then added. Every step is vectorised; cost O(n_users + n_edges) per round, a few rounds.
    With ``weak_tie_share = 0`` no edge leaves a circle.

    References
    ----------
    .. [1] Granovetter, M. S. (1973). The strength of weak ties. American Journal of Sociology
       78(6), 1360-1380. doi:10.1086/225469
    .. [2] Onnela, J.-P. et al. (2007). Structure and tie strengths in mobile communication
       networks. PNAS 104(18), 7332-7336. doi:10.1073/pnas.0610245104
    """
    validate_society_parameters(
        n_users=n_users, mean_degree=mean_degree, weak_tie_share=weak_tie_share,
        weak_same_city_share=weak_same_city_share, circle_size_mean=circle_size_mean,
        users_per_city=users_per_city, poor_city_share=poor_city_share,
        strong_tie_strength=strong_tie_strength, weak_tie_strength=weak_tie_strength,
        trait_noise=trait_noise, n_trait_dims=n_trait_dims, creator_share=creator_share,
        follower_min=follower_min, follower_tail_index=follower_tail_index,
        follow_same_city_share=follow_same_city_share, newcomer_share=newcomer_share,
        weak_ties=weak_ties,
    )

    # Each component draws from its own child stream, so changing one parameter (e.g. the
    # weak-tie share) leaves circles, cities, tastes, creators and follows identical: the
    # replicates of a sweep are paired on everything but the ties themselves.
    r_circles, r_cities, r_strong, r_weak, r_strength, r_labels, r_traits, r_follows = rng.spawn(8)
    circle_sizes = _circle_sizes(n_users, circle_size_mean, r_circles)
    n_circles = circle_sizes.size
    n_cities = max(1, int(round(n_users / users_per_city)))
    zipf = 1.0 / np.arange(1, n_cities + 1)
    circle_city = np.sort(r_cities.choice(n_cities, size=n_circles, p=zipf / zipf.sum()))
    _, circle_city = np.unique(circle_city, return_inverse=True)  # drop empty cities
    n_cities = int(circle_city.max()) + 1
    circle = np.repeat(np.arange(n_circles), circle_sizes)
    city = circle_city[circle]
    circle_start = np.concatenate([[0], np.cumsum(circle_sizes)[:-1]])
    city_sizes = np.bincount(city, minlength=n_cities)
    city_start = np.concatenate([[0], np.cumsum(city_sizes)[:-1]])

    n_edges = int(round(n_users * mean_degree / 2))
    n_weak = int(round(n_edges * weak_tie_share))
    n_strong = n_edges if weak_ties == "add" else n_edges - n_weak
    keys = _strong_ties(n_strong, circle, circle_start, circle_sizes, r_strong)
    if n_weak and n_circles > 1:
        keys = _weak_ties(n_weak, keys, circle, city, city_start, city_sizes, weak_same_city_share, r_weak)
    keys = np.sort(keys)
    source, target = keys // n_users, keys % n_users
    weak = circle[source] != circle[target]
    weight = _tie_strength(weak, strong_tie_strength, weak_tie_strength, r_strength)
    same_city = city[source] == city[target]

    graph = ig.Graph(n=n_users, edges=np.column_stack([source, target]), directed=False)
    graph.es["weight"] = weight
    graph.es["weak"] = weak
    graph.es["same_city"] = same_city

    city_tier, city_poor = _city_labels(city_sizes, poor_city_share, r_labels)
    traits = _traits(circle, n_circles, n_trait_dims, trait_noise, r_traits)
    creators, follow_source, follow_target = _follows(
        n_users, city, creator_share, follower_min, follower_tail_index,
        follow_same_city_share, r_follows, newcomer_share,
    )
    return Society(
        graph=graph,
        csr=csr_from_edges(n_users, source, target),
        edge_source=source,
        edge_target=target,
        edge_weight=weight,
        edge_weak=weak,
        edge_same_city=same_city,
        circle=circle,
        city=city,
        city_tier=city_tier,
        city_poor=city_poor,
        traits=traits,
        creators=creators,
        follow_source=follow_source,
        follow_target=follow_target,
    )


def validate_society_parameters(
    *,
    n_users: int,
    mean_degree: float,
    weak_tie_share: float,
    weak_same_city_share: float,
    circle_size_mean: float,
    users_per_city: float,
    poor_city_share: float,
    strong_tie_strength: float,
    weak_tie_strength: float,
    trait_noise: float,
    n_trait_dims: int,
    creator_share: float,
    follower_min: int,
    follower_tail_index: float,
    follow_same_city_share: float,
    newcomer_share: float = 0.0,
    weak_ties: str = "replace",
) -> None:
    """Raise :class:`ConfigError` naming the first out-of-range parameter of :func:`weak_tie_society`."""
    s = "network"
    check_range(s, "n_users", n_users, 4, 50_000_000, integer=True)
    check_range(s, "mean_degree", mean_degree, 0.0, low_open=True)
    for name, value in (
        ("weak_tie_share", weak_tie_share),
        ("weak_same_city_share", weak_same_city_share),
        ("poor_city_share", poor_city_share),
        ("follow_same_city_share", follow_same_city_share),
    ):
        check_range(s, name, value, 0.0, 1.0)
    check_range(s, "circle_size_mean", circle_size_mean, 2.0)
    if circle_size_mean > n_users:
        raise ConfigError(
            f"network.n_users={n_users} is too small for acquaintance circles of "
            f"network.circle_size_mean={circle_size_mean:g} users: the society needs at least "
            f"{math.ceil(circle_size_mean)} users. Raise network.n_users or lower network.circle_size_mean."
        )
    check_range(s, "users_per_city", users_per_city, 1.0)
    check_range(s, "strong_tie_strength", strong_tie_strength, 0.0, 1.0, low_open=True)
    check_range(s, "weak_tie_strength", weak_tie_strength, 0.0, 1.0, low_open=True)
    check_range(s, "trait_noise", trait_noise, 0.0)
    check_range(s, "n_trait_dims", n_trait_dims, 1, 64, integer=True)
    check_range(s, "creator_share", creator_share, 0.0, 1.0, low_open=True)
    check_range(s, "follower_min", follower_min, 1, integer=True)
    check_range(s, "follower_tail_index", follower_tail_index, 0.0, low_open=True)
    check_range(s, "newcomer_share", newcomer_share, 0.0, 1.0)
    if weak_ties not in WEAK_TIE_MODES:
        raise ConfigError(
            f"network.weak_ties={weak_ties!r} is not a way of adding weak ties; allowed: "
            f"{', '.join(WEAK_TIE_MODES)} (replace: bridges take the place of strong ties at fixed "
            "mean degree; add: strong ties stay and bridges come on top; W1)."
        )
    if mean_degree >= circle_size_mean - 1 and weak_tie_share < 1:
        raise ConfigError(
            f"network.mean_degree={mean_degree} needs circles larger than mean_degree + 1, but "
            f"network.circle_size_mean={circle_size_mean}: strong ties would saturate the "
            "circles. Raise circle_size_mean or lower mean_degree."
        )


def _tie_strength(weak: np.ndarray, strong_mean: float, weak_mean: float, rng: np.random.Generator) -> np.ndarray:
    """Tie strengths: Beta with the given means (concentration 10), clipped into (0, 1]."""
    c = _STRENGTH_CONCENTRATION
    strength = np.where(
        weak,
        rng.beta(c * weak_mean, c * (1 - weak_mean) + 1e-9, size=weak.size),
        rng.beta(c * strong_mean, c * (1 - strong_mean) + 1e-9, size=weak.size),
    )
    return np.clip(strength, 1e-6, 1.0)


def _circle_sizes(n_users: int, mean: float, rng: np.random.Generator) -> np.ndarray:
    """Circle sizes 2 + NegBin(dispersion 4, mean - 2), adjusted to sum to ``n_users``."""
    extra = mean - 2.0
    n_draw = int(np.ceil(n_users / mean * 1.5)) + 2
    sizes = 2 + (rng.negative_binomial(4, 4.0 / (4.0 + extra), size=n_draw) if extra > 0 else np.zeros(n_draw, int))
    total = np.cumsum(sizes)
    k = int(np.searchsorted(total, n_users))
    sizes = sizes[: k + 1].copy()
    sizes[-1] -= total[k] - n_users
    if sizes[-1] < 2:  # fold a too-small last circle into the previous one
        if sizes.size > 1:
            sizes[-2] += sizes[-1]
            sizes = sizes[:-1]
        else:
            sizes[-1] = n_users
    return sizes.astype(np.int64)


# Sort-based set operations: numpy >= 2.3's hash-based np.unique / np.isin take most of the
# builder's time on int64 keys at 10^6 users (about 16 of 21 s at 3 * 10^5); these give the
# same results.
def _absent(candidates: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Mask of candidates not among ``keys`` (``~np.isin(candidates, keys)``)."""
    if keys.size == 0:
        return np.ones(candidates.size, dtype=bool)
    ordered = np.sort(keys)
    pos = np.minimum(search(ordered, candidates), ordered.size - 1)
    return ordered[pos] != candidates


def _first_occurrences(values: np.ndarray) -> np.ndarray:
    """Index of the first occurrence of each distinct value, in order of value
    (``np.unique(values, return_index=True)[1]``)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    return order[np.r_[True, ordered[1:] != ordered[:-1]]] if values.size else order


def _unique_new(keys: np.ndarray, candidates: np.ndarray, needed: int) -> np.ndarray:
    """Append up to ``needed`` candidate keys that are not already present (first come first)."""
    candidates = candidates[_absent(candidates, keys)]
    first = _first_occurrences(candidates)
    fresh = candidates[np.sort(first)][:needed]
    return np.concatenate([keys, fresh])


def _pair_keys(u: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(u, v) * n + np.maximum(u, v)


def _strong_ties(
    n_strong: int, circle: np.ndarray, start: np.ndarray, size: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    n_users = circle.size
    keys = np.zeros(0, dtype=np.int64)
    for _ in range(60):
        missing = n_strong - keys.size
        if missing <= 0:
            break
        u = rng.integers(0, n_users, size=int(missing * 1.2) + 16)
        c = circle[u]
        offset = (u - start[c] + 1 + np.floor(rng.random(u.size) * (size[c] - 1)).astype(np.int64)) % size[c]
        keys = _unique_new(keys, _pair_keys(u, start[c] + offset, n_users), missing)
    return keys


def _weak_ties(
    n_weak: int,
    keys: np.ndarray,
    circle: np.ndarray,
    city: np.ndarray,
    city_start: np.ndarray,
    city_size: np.ndarray,
    same_city_share: float,
    rng: np.random.Generator,
) -> np.ndarray:
    n_users = circle.size
    target = keys.size + n_weak
    for _ in range(60):
        missing = target - keys.size
        if missing <= 0:
            break
        m = int(missing * 1.3) + 16
        u = rng.integers(0, n_users, size=m)
        local = rng.random(m) < same_city_share
        v = rng.integers(0, n_users, size=m)
        c = city[u[local]]
        v[local] = city_start[c] + np.floor(rng.random(c.size) * city_size[c]).astype(np.int64)
        ok = circle[u] != circle[v]
        keys = _unique_new(keys, _pair_keys(u[ok], v[ok], n_users), missing)
    return keys


def _city_labels(city_sizes: np.ndarray, poor_share: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Tiers by size rank (top 5% tier 1, then 15%, 30%, 30%, 20%); poor flag favouring low tiers."""
    n = city_sizes.size
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(-city_sizes, kind="stable")] = np.arange(n)
    bounds = np.array([0.05, 0.20, 0.50, 0.80]) * n
    tier = 1 + np.searchsorted(bounds, rank, side="right")
    n_poor = int(round(poor_share * n))
    poor = np.zeros(n, dtype=bool)
    if n_poor:
        weights = tier.astype(np.float64)
        poor[rng.choice(n, size=n_poor, replace=False, p=weights / weights.sum())] = True
    return tier.astype(np.int64), poor


def _traits(circle: np.ndarray, n_circles: int, dims: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    centres = rng.normal(size=(n_circles, dims))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    traits = centres[circle] + noise * rng.normal(size=(circle.size, dims))
    return traits / np.linalg.norm(traits, axis=1, keepdims=True)


def _follows(
    n_users: int,
    city: np.ndarray,
    creator_share: float,
    follower_min: int,
    tail_index: float,
    same_city_share: float,
    rng: np.random.Generator,
    newcomer_share: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Creators and their followers; follower counts from stratified Pareto quantiles.

    A ``newcomer_share`` of creators, drawn at random, start with no followers.
    """
    by_city = np.argsort(city, kind="stable")
    city_size = np.bincount(city)
    city_start = np.concatenate([[0], np.cumsum(city_size)[:-1]])
    n_creators = max(1, int(round(creator_share * n_users)))
    creators = np.sort(rng.choice(n_users, size=n_creators, replace=False))
    quantile = (rng.permutation(n_creators) + rng.random(n_creators)) / n_creators
    wanted = np.floor(follower_min * (1.0 - quantile) ** (-1.0 / tail_index))
    wanted = np.minimum(wanted, n_users - 1).astype(np.int64)
    n_new = int(round(newcomer_share * n_creators))
    if n_new:  # no draw when there are no newcomers: other societies stay as they were
        wanted[rng.choice(n_creators, size=n_new, replace=False)] = 0
    keys = np.zeros(0, dtype=np.int64)  # follower * n_users + creator
    for _ in range(8):
        have = np.bincount(keys % n_users, minlength=n_users)[creators] if keys.size else np.zeros(n_creators, np.int64)
        deficit = wanted - have
        if deficit.sum() <= 0:
            break
        c = np.repeat(creators, np.maximum(deficit, 0))
        local = rng.random(c.size) < same_city_share
        follower = rng.integers(0, n_users, size=c.size)
        cc = city[c[local]]
        follower[local] = by_city[city_start[cc] + np.floor(rng.random(cc.size) * city_size[cc]).astype(np.int64)]
        ok = follower != c
        candidates = follower[ok] * n_users + c[ok]
        candidates = candidates[_absent(candidates, keys)]
        keys = np.concatenate([keys, np.sort(candidates[_first_occurrences(candidates)])])
    keys = np.sort(keys)
    return creators, keys // n_users, keys % n_users


def society_from_graph(
    graph: ig.Graph,
    *,
    rng: np.random.Generator,
    circle: np.ndarray | None = None,
    users_per_city: float = 500.0,
    poor_city_share: float = 0.3,
    strong_tie_strength: float = 0.7,
    weak_tie_strength: float = 0.15,
    trait_noise: float = 0.6,
    n_trait_dims: int = 4,
    creator_share: float = 0.02,
    follower_min: int = 5,
    follower_tail_index: float = 0.8,
    follow_same_city_share: float = 0.3,
    newcomer_share: float = 0.0,
) -> Society:
    """Host the platform model on any undirected graph (a user's own network, or a baseline).

    Circles are ``circle`` if given, else the communities found by the multilevel (Louvain)
    method; circles are grouped into cities with Zipf sizes; a tie is weak when it joins two
    circles. Tie strength is the graph's ``weight`` attribute scaled into (0, 1] when present,
    else drawn as in :func:`weak_tie_society`. Creators and follows are generated as there.
    Multi-edges and self-loops are removed first.
    """
    from diffusion.rng import igraph_rng

    graph = graph.as_undirected() if graph.is_directed() else graph.copy()
    has_weight = "weight" in graph.es.attributes()
    graph.simplify(combine_edges={"weight": "max"} if has_weight else None)
    n_users = graph.vcount()
    check_range("network", "n_users", n_users, 4, integer=True)
    if circle is None:
        with igraph_rng(rng):
            circle = np.asarray(graph.community_multilevel().membership, dtype=np.int64)
    circle = np.unique(np.asarray(circle, dtype=np.int64), return_inverse=True)[1]
    n_circles = int(circle.max()) + 1
    n_cities = max(1, min(n_circles, int(round(n_users / users_per_city))))
    zipf = 1.0 / np.arange(1, n_cities + 1)
    circle_city = np.unique(rng.choice(n_cities, size=n_circles, p=zipf / zipf.sum()), return_inverse=True)[1]
    city = circle_city[circle]
    source, target = edge_arrays(graph)
    weak = circle[source] != circle[target]
    if has_weight:
        raw = np.asarray(graph.es["weight"], dtype=np.float64)
        weight = np.clip(raw / raw.max(), 1e-6, 1.0) if raw.size and raw.max() > 0 else np.ones(raw.size)
    else:
        weight = _tie_strength(weak, strong_tie_strength, weak_tie_strength, rng)
    same_city = city[source] == city[target]
    graph.es["weight"] = weight
    graph.es["weak"] = weak
    graph.es["same_city"] = same_city
    city_tier, city_poor = _city_labels(np.bincount(city), poor_city_share, rng)
    traits = _traits(circle, n_circles, n_trait_dims, trait_noise, rng)
    creators, follow_source, follow_target = _follows(
        n_users, city, creator_share, follower_min, follower_tail_index, follow_same_city_share, rng,
        newcomer_share,
    )
    return Society(
        graph=graph, csr=csr_from_edges(n_users, source, target), edge_source=source,
        edge_target=target, edge_weight=weight, edge_weak=weak, edge_same_city=same_city,
        circle=circle, city=city, city_tier=city_tier, city_poor=city_poor, traits=traits,
        creators=creators, follow_source=follow_source, follow_target=follow_target,
    )
