# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Tutorial 4: read a cascade — trees, depth, structural virality, and the classic kernels
#
# **Learning goals.** After this tutorial you can
#
# 1. run the classic contagion kernels (`diffusion.contagion`: independent cascade, complex
#    contagion, SIR) on an igraph network of your own, with a seeded random generator;
# 2. read a cascade as a tree: who activated whom, its depth and its structural virality
#    (Goel et al. 2016, doi:10.1287/mnsc.2015.2158);
# 3. tell a broadcast from a viral chain, and a simple from a complex contagion
#    (Centola & Macy 2007), which is what W1 and W2 turn on (source 000 §3.2).
#
# No Hydra, no experiment: this is the library layer a notebook can use directly.

# %%
import igraph as ig
import numpy as np
import pandas as pd

from diffusion.contagion import complex_contagion, independent_cascade, sir
from diffusion.metrics import cascade_depth, cascade_sizes, structural_virality, tree_depth

# %% [markdown]
# ## Two toy trees with known answers
#
# A cascade is stored as two arrays over nodes: `activation_step` (0 for seeds, −1 for never)
# and `parent` (who activated the node, −1 for roots). Structural virality is the mean distance
# between all pairs of nodes of a tree: a star of n nodes (one broadcaster) has `2(n−1)/n`, a
# path of n nodes (person to person) `(n+1)/3`.

# %%
n = 10
star_parent = np.array([-1] + [0] * (n - 1))
star_step = np.array([0] + [1] * (n - 1))
path_parent = np.arange(-1, n - 1)
path_step = np.arange(n)
for name, parent, step, theory in [("star", star_parent, star_step, 2 * (n - 1) / n),
                                   ("path", path_parent, path_step, (n + 1) / 3)]:
    print(f"{name}: depth {cascade_depth(parent, step)}, structural virality "
          f"{structural_virality(parent, step)[0]:.3f} (theory {theory:.3f})")

# %% [markdown]
# ## Your own network
#
# A Watts–Strogatz small world: a ring of 2,000 nodes, each tied to its 4 nearest neighbours on
# each side, with a share of ties rewired at random. igraph's generators draw from Python's
# global `random` module unless given a generator, so we seed it here.

# %%
import random

ig.set_random_number_generator(random.Random(42))
graph = ig.Graph.Watts_Strogatz(dim=1, size=2000, nei=4, p=0.05)
print(graph.summary())

# %% [markdown]
# ## Independent cascade (a simple contagion)
#
# Each newly active node gets one chance to activate each neighbour with probability `p`. The
# result holds the cascade tree, so depth and virality come for free. Twenty seeded runs give
# a mean and a 95% interval (a single stochastic run is not a result).

# %%
def summarise(results) -> dict:
    sizes = np.array([r.size for r in results])
    depths = np.array([cascade_depth(r.parent, r.activation_step) for r in results])
    virality = np.array([np.nanmax(structural_virality(r.parent, r.activation_step), initial=np.nan)
                         for r in results])
    half = 1.96 * sizes.std(ddof=1) / np.sqrt(len(sizes))
    return {"mean size": sizes.mean(), "size 95% CI ±": half, "mean depth": depths.mean(),
            "mean structural virality": np.nanmean(virality)}


rng = np.random.default_rng(7)
rows = {}
for p in (0.1, 0.2, 0.3):
    rows[f"IC p={p}"] = summarise([independent_cascade(graph, seeds=[0], p=p, rng=rng) for _ in range(20)])
pd.DataFrame(rows).T

# %% [markdown]
# The tree of one run, depth by depth: how many nodes were activated at each hop from the seed.

# %%
one = independent_cascade(graph, seeds=[0], p=0.3, rng=np.random.default_rng(1))
depth = tree_depth(one.parent, one.activation_step)[one.active]
print("nodes per hop:", np.bincount(depth))
print("tree sizes (one tree per seed):", cascade_sizes(one.parent, one.activation_step)[:5])

# %% [markdown]
# ## Complex contagion and rewiring
#
# A complex contagion needs `threshold` distinct active neighbours. On a ring lattice it spreads
# through the overlapping neighbourhoods; rewiring ties into long-range bridges helps a simple
# contagion but can stop a complex one (Centola & Macy 2007) — the argument behind the weak-ties
# experiment's two contagions (W1: content vs purchases).

# %%
rows = {}
for rewiring in (0.0, 0.1, 0.5):
    ig.set_random_number_generator(random.Random(1))
    g = ig.Graph.Watts_Strogatz(dim=1, size=2000, nei=4, p=rewiring)
    seeds = [0, 1, 2, 3]  # a cluster of neighbours on the ring
    complex_sizes = [complex_contagion(g, seeds=seeds, threshold=3, rng=np.random.default_rng(s)).size for s in range(5)]
    simple_sizes = [independent_cascade(g, seeds=seeds, p=0.15, rng=np.random.default_rng(s)).size for s in range(20)]
    rows[rewiring] = {"complex (threshold 3) mean size": np.mean(complex_sizes),
                      "simple (IC p=0.15) mean size": np.mean(simple_sizes)}
pd.DataFrame(rows).T.rename_axis("rewired share")

# %% [markdown]
# ## SIR
#
# Discrete-time SIR: infected nodes transmit with `p_transmit` each step and recover with
# `p_recover`. Its final size is the epidemic analogue of a cascade's reach.

# %%
finals = [sir(graph, seeds=[0], p_transmit=0.1, p_recover=0.3, rng=np.random.default_rng(s)).size for s in range(20)]
print(f"SIR final size: mean {np.mean(finals):.0f} of {graph.vcount()} nodes")

# %% [markdown]
# **Try next.** Run the weak-ties experiment (`run_experiment("weak_ties", scale="ci")`) and read
# `res.cascades`: the platform's cascades carry the same depth and structural virality columns,
# measured with these same functions.
