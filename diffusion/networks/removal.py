"""Removing users or accounts from a society: random failure and targeted attack (claim D5).

Claim D5 (source 000 §4.2) says a decentralized network has no central node whose loss
collapses it. The classic test (Albert, Jeong & Barabási 2000) removes a growing fraction of
nodes either at random (failure) or in order of importance (attack) and follows the size of
the giant component. Here importance is one of:

``random``       a uniformly random order (failure);
``followers``    accounts by follower count, largest first (losing head creators);
``degree``       users by number of social ties, largest first;
``betweenness``  users by betweenness centrality in the social graph, largest first.

Orders are computed once on the intact network (the "initial" attack of Holme et al. 2002),
with ties broken at random, so ``fraction`` sweeps remove nested sets.

References
----------
.. [1] Albert, R., Jeong, H. & Barabási, A.-L. (2000). Error and attack tolerance of complex
   networks. Nature 406, 378-382. doi:10.1038/35019019
.. [2] Holme, P., Kim, B. J., Yoon, C. N. & Han, S. K. (2002). Attack vulnerability of complex
   networks. Physical Review E 65, 056109. doi:10.1103/PhysRevE.65.056109
"""

from __future__ import annotations

import numpy as np

from diffusion.errors import ConfigError
from diffusion.networks.society import Society
from diffusion.params import check_range

#: Removal rules, in the order figures list them.
REMOVAL_RULES: tuple[str, ...] = ("random", "followers", "degree", "betweenness")


def removal_order(society: Society, rule: str, *, rng: np.random.Generator) -> np.ndarray:
    """All user ids in the order ``rule`` removes them (most important first).

    Raises
    ------
    ConfigError
        If ``rule`` is not one of :data:`REMOVAL_RULES`.
    """
    n = society.n_users
    tiebreak = rng.random(n)  # drawn for every rule, so rules are paired on the same draws
    if rule == "random":
        return np.argsort(tiebreak, kind="stable")
    if rule == "followers":
        score = society.follower_counts().astype(np.float64)
    elif rule == "degree":
        score = society.csr.degree().astype(np.float64)
    elif rule == "betweenness":
        score = np.asarray(society.graph.betweenness(directed=False), dtype=np.float64)
    else:
        raise ConfigError(
            f"network.removal_rule={rule!r} is not a removal rule; allowed: none, "
            f"{', '.join(REMOVAL_RULES)}."
        )
    return np.lexsort((tiebreak, -score))


def remove(society: Society, fraction: float, rule: str, *, rng: np.random.Generator) -> Society:
    """The society without the first ``round(fraction * n_users)`` users of ``rule``'s order."""
    return remove_in_order(society, removal_order(society, rule, rng=rng), fraction)


def remove_in_order(society: Society, order: np.ndarray, fraction: float) -> Society:
    """The society without the first ``round(fraction * n_users)`` users of ``order`` (an order
    from :func:`removal_order`, which may be computed once and reused for every fraction)."""
    check_range("network", "removal_fraction", fraction, 0.0, 1.0)
    return society.without(order[: int(round(fraction * society.n_users))])


def giant_component_share(society: Society) -> float:
    """Size of the largest connected component of the social graph, over all users (removed
    users count as lost), as in Albert et al. (2000)."""
    sizes = society.graph.connected_components().sizes()
    if society.removed is not None:
        # Removed users are isolated vertices: each is a component of size 1, never the giant
        # unless everything is gone.
        present = int((~society.removed).sum())
        if present == 0:
            return 0.0
    return max(sizes) / society.n_users if sizes else 0.0
