"""Unpredictability across independent worlds (the MusicLab design; claims D1-D3).

Salganik, Dodds & Watts (2006, doi:10.1126/science.1121066) let the same songs compete in
several independent "worlds" and measured how much each song's market share differed between
them: the more social influence, the less predictable success. The runner reproduces the design
with ``run.worlds`` (:mod:`diffusion.rng`): replicates of one group share the society and the
posted items, and differ only in what users and the platform do.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd


def unpredictability(shares: np.ndarray) -> float:
    """Salganik et al.'s U: the mean over items of the mean absolute difference of an item's
    market share between every pair of worlds.

    Parameters
    ----------
    shares : array, shape (n_worlds, n_items)
        Market share of each item in each world (each row sums to 1).
    """
    shares = np.asarray(shares, dtype=np.float64)
    if shares.ndim != 2 or shares.shape[0] < 2:
        return float("nan")
    pairs = list(combinations(range(shares.shape[0]), 2))
    return float(np.mean([np.abs(shares[a] - shares[b]).mean() for a, b in pairs]))


def _ranks(x: np.ndarray) -> np.ndarray:
    return pd.Series(x).rank(method="average").to_numpy()


def rank_agreement(counts: np.ndarray) -> float:
    """Mean Spearman correlation of the items' success between every pair of worlds: 1 when
    every world ranks the items alike, about 0 when rankings are unrelated."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] < 2 or counts.shape[1] < 3:
        return float("nan")
    ranks = np.array([_ranks(row) for row in counts])
    values = [np.corrcoef(ranks[a], ranks[b])[0, 1] for a, b in combinations(range(ranks.shape[0]), 2)]
    return float(np.nanmean(values)) if values else float("nan")


def world_measures(cascades: pd.DataFrame, *, by: list[str], value: str = "size") -> pd.DataFrame:
    """Unpredictability and rank agreement per scenario and group of worlds.

    ``cascades`` needs ``world_group``, ``replicate``, ``item`` and ``value`` columns. The
    campaign's items are left out (they are seeded, not chosen by the feed). Groups whose
    worlds did not post the same items give NaN.
    """
    rows = []
    data = cascades[~cascades["campaign"]]
    for key, group in data.groupby([*by, "world_group"], sort=True):
        wide = group.pivot_table(index="replicate", columns="item", values=value, aggfunc="sum")
        counts = wide.to_numpy(dtype=np.float64)
        same_items = not np.isnan(counts).any()
        totals = counts.sum(axis=1, keepdims=True)
        ok = same_items and counts.shape[0] >= 2 and bool((totals > 0).all())
        rows.append({
            **dict(zip([*by, "world_group"], key if isinstance(key, tuple) else (key,))),
            "worlds": counts.shape[0],
            "unpredictability": unpredictability(counts / totals) if ok else float("nan"),
            # U over the mean share 1/n_items: comparable across catalogue sizes
            "unpredictability_relative": unpredictability(counts / totals) * counts.shape[1] if ok else float("nan"),
            "rank_agreement": rank_agreement(counts) if ok else float("nan"),
        })
    return pd.DataFrame(rows)
