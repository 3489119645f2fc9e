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
# # Tutorial 3: write an exposure policy and test it against D1–D3
#
# **Learning goals.** After this tutorial you can
#
# 1. write an exposure policy: a class that fills the discovery feed's slots, one item per slot,
#    from a read-only view of the platform (`diffusion.policies.FeedState`);
# 2. run the platform model under it with the same networks, items and feed slots as the
#    built-in policies (paired replicates);
# 3. judge it against the decentralization claims with the package's own rule:
#    **D1** (000 §3.3: popular items are throttled past a heat threshold, so newcomers get seen),
#    **D2** (000 §3.3, §4.3: peers, not an editor, decide what spreads) and
#    **D3** (000 §1.2: a central editor favours head users).
#
# The gatekeeping experiment judges D1–D3 on paired differences between policies: D1 is
# decentralized minus popularity (newcomers' days to 100 views, Gini of views: both must fall),
# D2 decentralized minus centralized (diversity of views, share of views from peer shares: both
# must rise), D3 centralized minus decentralized (top-1% share, Gini: both must rise). Here your
# policy takes the decentralized feed's place: would it earn D1–D3?

# %%
import sys
import tempfile
from pathlib import Path

import pandas as pd

from diffusion import run_experiment
from diffusion.analyses import gatekeeping

workdir = Path(tempfile.mkdtemp(prefix="tutorial-3-"))

# %% [markdown]
# ## The policy
#
# A share-driven feed: an item's chance of a discovery slot grows with the times it was shared,
# `(1 + shares) ** strength`. It lives in a module on the Python path (here a file in the
# temporary folder), because the config names it by its import path (`_target_`), as the
# README's "Add your own exposure policy" shows.

# %%
(workdir / "mypolicies.py").write_text('''
from diffusion.policies import ExposurePolicy, sample_weighted


class ShareDriven(ExposurePolicy):
    """Discovery exposure in proportion to (1 + shares) ** strength."""

    name = "share_driven"

    def __init__(self, strength: float = 1.0, *, subsidy_share: float = 0.0) -> None:
        super().__init__(subsidy_share=subsidy_share)
        self.strength = strength

    def allocate(self, state, n_slots, *, rng):
        items = state.live_items
        weights = (1.0 + state.item_shares[items]) ** self.strength
        return sample_weighted(items, weights, n_slots, rng=rng)
''')
sys.path.insert(0, str(workdir))

# %% [markdown]
# ## Paired runs
#
# One run per policy, each at `scale=ci` with 5 replicates and the gatekeeping experiment's
# network (a fifth of users are creators, a fifth of those newcomers with no followers). The
# root seed is the same, so replicate *r* has the same network, posts and feed slots under
# every policy; only the choice of items differs.

# %%
common = {"network.creator_share": 0.2, "network.newcomer_share": 0.2, "run.n_replicates": 5, "seed": 3}
policies = {
    "popularity": {"platform": "popularity"},
    "centralized": {"platform": "centralized"},
    "decentralized": {"platform": "decentralized"},
    "share_driven": {"platform": "baseline", "platform.policy._target_": "mypolicies.ShareDriven"},
}
outcomes = {}
for name, choice in policies.items():
    res = run_experiment(None, scale="ci", overrides={**common, **choice}, out_dir=workdir / name, progress=False)
    outcomes[name] = res.outcomes.assign(platform=name)

measures = ["views_gini", "views_top1_share", "newcomer_days_to_100_views", "view_entropy", "views_share_share"]
pd.concat(outcomes.values()).groupby("platform")[measures].mean()

# %% [markdown]
# ## Judged against D1–D3
#
# `gatekeeping.claim_results` is the function the experiment's report uses: it computes each
# part's paired effect with its 95% interval and applies `diffusion.analysis.judge` with the
# claims registry's SESOI. We call it twice: once with the package's decentralized feed, once with
# yours in its place.

# %%
def verdicts(decentralized: str) -> pd.DataFrame:
    table = pd.concat([outcomes["popularity"], outcomes["centralized"],
                       outcomes[decentralized].assign(platform="decentralized")], ignore_index=True)
    rows = []
    for result in gatekeeping.claim_results(table, paths={}):
        if result.claim_id == "D4":
            continue
        for part in result.parts:
            rows.append({"claim": result.claim_id, "part": part.name, "estimate": part.effect.estimate,
                         "ci_low": part.effect.ci_low, "ci_high": part.effect.ci_high,
                         "part verdict": part.judgement.verdict, "claim verdict": result.verdict})
    return pd.DataFrame(rows)


pd.concat({"package's decentralized feed": verdicts("decentralized"), "your share-driven feed": verdicts("share_driven")})

# %% [markdown]
# Read the table part by part: a part is *supported* when its whole interval lies beyond the
# SESOI in the claimed direction, *contradicted* when beyond it the other way, *negligible* when
# inside ±SESOI, and *inconclusive* otherwise. With 5 replicates at 600 users parts may well be
# inconclusive; that is a finding about the design's power, not about the policy.
#
# **Try next.** Give `strength` through the config (`"+platform.policy.strength": 2.0` in the
# overrides); add a heat throttle like `ThrottledDecentralized` (`diffusion/policies/decentralized.py`,
# the package's model of a mechanism module) and see which D1 part it changes.
