"""The Mesa-style peer of the speed benchmark is the same model as ours, in distribution.

``benchmarks/bench_model_vs_mesa.py`` reports how much faster :class:`PlatformModel` is than the
same day written one Python agent step at a time (``benchmarks/mesa_style_platform.py``). The
ratio means something only if both do the same work, so the peer must follow the same rules:
here both run on one society with independent seeds, and every outcome — views by channel,
likes, shares, follows, purchases and the shape of the closed cascades — must agree within the
sampling error of the replicates (Welch's t, Bonferroni over the outcomes).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from diffusion.model import PlatformModel
from diffusion.networks import weak_tie_society
from diffusion.rng import replicate_streams

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from mesa_style_platform import MesaStylePlatform  # noqa: E402

N_USERS, DAYS, REPLICATES = 2500, 12, 10
#: Family-wise false-alarm rate of the whole comparison.
ALPHA = 0.001
OUTCOMES = ("views_share", "views_follow", "views_same_city", "views_discovery", "likes", "shares",
            "follows", "purchases", "purchase_rate", "cascade_size", "cascade_peers", "cascade_depth", "cascade_virality")


def _cascade_means(size, peers, depth, virality) -> list[float]:
    return [float(np.mean(size)), float(np.mean(peers)), float(np.mean(depth)), float(np.nanmean(virality))]


def _ours(society, replicate: int) -> list[float]:
    s = replicate_streams(11, replicate)
    m = PlatformModel(society, rng=s["agents"], platform_rng=s["platform"], content_rng=s["content"],
                      layout_rng=s["layout"], create_agents=False)
    for _ in range(DAYS):
        m.step()
    k = len(m.items)
    closed = m.finish().query(f"expires <= {DAYS}")  # the peer closes expired items only
    return [*m.views_by_channel[:4].tolist(), int(m.items.likes[:k].sum()), int(m.items.shares[:k].sum()),
            int(m.follows_by_channel.sum()), int(m.items.purchases[:k].sum()),
            m.format_purchases.sum() / m.format_exposures.sum(),
            *_cascade_means(closed["size"], closed["peer_size"], closed["depth"],
                            closed["structural_virality"])]


def _peer(society, replicate: int) -> list[float]:
    m = MesaStylePlatform(society, seed=1000 + replicate)
    for _ in range(DAYS):
        m.step()
    closed = np.array([c[1:] for c in m.cascades], dtype=float)
    return [*m.views_by_channel, sum(m.item_likes), sum(m.item_shares), sum(m.follows_by_channel), m.purchases,
            m.purchases / m.product_exposures,
            *_cascade_means(*closed.T)]


@pytest.fixture(scope="module")
def outcomes():
    society = weak_tie_society(n_users=N_USERS, rng=np.random.default_rng(5))
    ours = np.array([_ours(society, r) for r in range(REPLICATES)])
    peer = np.array([_peer(society, r) for r in range(REPLICATES)])
    return ours, peer


def test_the_peer_and_the_model_agree_on_every_outcome(outcomes):
    ours, peer = outcomes
    varied = ours.std(axis=0) + peer.std(axis=0) > 0  # follow-feed follows can be 0 in both
    _, p = stats.ttest_ind(ours[:, varied], peer[:, varied], equal_var=False)
    names = np.array(OUTCOMES)[varied]
    threshold = ALPHA / varied.sum()
    disagree = {str(n): (round(a, 2), round(b, 2), float(q)) for n, a, b, q in
                zip(names, ours.mean(axis=0)[varied], peer.mean(axis=0)[varied], p) if q < threshold}
    assert not disagree, f"ours vs peer (mean, mean, p): {disagree}"


def test_the_comparison_has_power(outcomes):
    """A 30% difference in any outcome would be detected at the test's threshold — except the raw
    purchase count, which a handful of product posts decide (its rate per exposure is checked)."""
    ours, _ = outcomes
    z = stats.norm.isf(ALPHA / len(OUTCOMES) / 2)
    mean, se = ours.mean(axis=0), ours.std(axis=0, ddof=1) / np.sqrt(REPLICATES)
    detectable = {name: z * np.sqrt(2) * s / m for name, m, s in zip(OUTCOMES, mean, se) if m > 0}
    detectable.pop("purchases")
    assert max(detectable.values()) < 0.30, detectable
