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
# # Tutorial 1: replicate a claim and compare it with the committed reference
#
# **Learning goals.** After this tutorial you can
#
# 1. run an experiment from Python with `diffusion.run_experiment` and read its tables;
# 2. say what a verdict is: a paired effect with a 95% confidence interval judged against the
#    claim's smallest effect of interest (SESOI), by one rule for every claim;
# 3. compare your rerun with the committed reference, effect by effect, and tell a sampling
#    difference from a real disagreement.
#
# We replicate **W2** (source 000 §3.2): viewers re-share a streamer's posts into their own
# circles and their contacts share again, so information "fissions" over several hops. The
# weak-ties experiment measures it as the campaign's mean cascade depth minus 2 hops
# (root → platform viewer → re-share → re-share); the claim is supported when that difference is
# above zero by more than the SESOI of 1 hop, with the whole interval on that side.
#
# The run uses another root seed than the reference and 2 replicates instead of 20, so it takes
# well under two minutes. Everything else is the reference's configuration, so the two can be
# compared (same *estimand*).

# %%
import tempfile
from pathlib import Path

from diffusion import load_run, run_experiment
from diffusion.compare import side_by_side
from diffusion.provenance import repository

workdir = Path(tempfile.mkdtemp(prefix="tutorial-1-"))
res = run_experiment("weak_ties", overrides={"seed": 11, "run.n_replicates": 2}, out_dir=workdir / "weak_ties")
res

# %% [markdown]
# `res` holds the run folder's tables as pandas DataFrames. `outcomes` has one row per run
# (grid point × replicate); `cascades` one row per item's cascade. Replicate *r* uses the same
# random streams at every weak-tie share, so differences between shares are paired.

# %%
print(sorted(res.tables))
res.outcomes[["weak_tie_share", "replicate", "campaign_cascade_depth", "campaign_structural_virality"]].head(8)

# %% [markdown]
# The effects table is what the verdicts are made of: one row per judged part, with the
# estimate, its 95% interval, the number of paired units `n`, the claimed direction and the
# SESOI.

# %%
res.effects[res.effects["claim"] == "W2"][["part", "estimate", "ci_low", "ci_high", "n", "sesoi", "verdict"]]

# %% [markdown]
# ## Compare with the committed reference
#
# `experiments/weak_ties/reference` holds the reference run's effects, summary, report and
# figures (not its tables). `load_run` opens it like any run folder.

# %%
reference = load_run(repository() / "experiments" / "weak_ties" / "reference")
reference.verdicts

# %% [markdown]
# `side_by_side` (the function behind `python -m diffusion.compare RUN_DIR`) lines up each
# effect of the two runs and expresses their difference in combined standard errors (`z`).
# With 2 replicates against 20 the intervals are wider; an estimate within about 2-4 combined
# standard errors of the reference's is a sampling difference, not a failure to replicate.

# %%
table = side_by_side(reference.effects, res.effects)
table[["claim_ref", "description_ref", "estimate_ref", "estimate_run", "z", "verdict_ref", "verdict_run"]]

# %%
w2 = table[table["claim_ref"] == "W2"].iloc[0]
print(f"W2 depth effect: reference {w2.estimate_ref:+.2f}, this run {w2.estimate_run:+.2f} hops "
      f"({w2.z:+.1f} combined SE apart); verdicts: {w2.verdict_ref} / {w2.verdict_run}")

# %% [markdown]
# ## The figures
#
# `res.figures` holds the figures the report drew, as matplotlib figures: here W2's verdict
# panel (the paired effect, its interval and the shaded ±SESOI band).

# %%
res.figures["verdict_W2"]

# %% [markdown]
# **Try next.** Rerun with `"run.n_replicates": 20` (the reference's size, a few minutes) and
# watch the intervals narrow; or open `res.report` for the full Markdown report.
