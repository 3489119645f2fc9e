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
# # Tutorial 2: change a behavioural rule and watch a verdict move
#
# **Learning goals.** After this tutorial you can
#
# 1. find a behavioural rule in `diffusion/rules.py` and say which claim it serves;
# 2. change it the supported way (edit the one function: the compiled engine and the Mesa agents
#    both call it) without touching your installed package;
# 3. rerun an experiment on the same seeds and read how the effect, its interval and the
#    verdict respond.
#
# The rule: a first-time viewer shares an item with probability `p_share × appeal`
# (`rules.share_probability`, W2, source 000 §3.2). We replace it by `p_share × appeal²`, as in
# the README's "Change a rule" section, so mediocre items are hardly passed on. Re-shares feed
# cascade depth, so W2's effect (mean campaign cascade depth minus 2 hops) should shrink.
#
# To leave your installation alone, the edit is made in a copy of the package in a temporary
# folder and the experiment runs there in a fresh Python process (`PYTHONPATH` points at the
# copy). The first run of the edited copy compiles the engine's kernels once (numba's cache is
# keyed on the files), which takes about half a minute.

# %%
import inspect
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

import diffusion
from diffusion import load_run, rules, run_experiment
from diffusion.config import conf_dir

print(inspect.getsource(rules.share_probability))

# %% [markdown]
# A small design for speed: the weak-ties experiment at `scale=ci` (600 users, 8 days,
# 3 replicates) with two weak-tie shares. Both runs use the same root seed, so replicate *r*
# sees the same network and the same random draws before and after the edit.

# %%
workdir = Path(tempfile.mkdtemp(prefix="tutorial-2-"))
overrides = {"experiment.sweep.network.weak_tie_share": [0.0, 0.3], "seed": 5}
before = run_experiment("weak_ties", scale="ci", overrides=overrides, out_dir=workdir / "before")

# %% [markdown]
# Now the edit, in a copy of the package.

# %%
package = workdir / "src" / "diffusion"
shutil.copytree(Path(diffusion.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
if not (package / "conf").exists():  # an editable install keeps conf/ beside the package
    shutil.copytree(conf_dir(), package / "conf")
rules_file = package / "rules.py"
old = "    return b.p_share * appeal\n"
new = "    return b.p_share * appeal**2  # edited: mediocre items are hardly passed on\n"
source = rules_file.read_text()
assert source.count(old) == 1, "share_probability is not written as this tutorial expects"
rules_file.write_text(source.replace(old, new))

command = [sys.executable, "-m", "diffusion", "+experiment=weak_ties", "scale=ci",
           "experiment.sweep.network.weak_tie_share=[0.0,0.3]", "seed=5", f"hydra.run.dir={workdir / 'after'}"]
environment = {**os.environ, "PYTHONPATH": str(workdir / "src"), "NUMBA_CACHE_DIR": str(workdir / "numba-cache")}
done = subprocess.run(command, env=environment, cwd=workdir, capture_output=True, text=True)
print(done.stdout[-300:])
if done.returncode != 0:
    raise RuntimeError(done.stderr[-2000:])
after = load_run(workdir / "after")

# %% [markdown]
# ## What moved
#
# The shares of content first: the edited rule passes on fewer items, so the campaign's cascades
# should be smaller and shallower on the same seeds.

# %%
measures = ["content_reach_share", "campaign_cascade_depth", "campaign_structural_virality"]
pd.DataFrame({"before": before.outcomes[measures].mean(), "after": after.outcomes[measures].mean()})

# %% [markdown]
# And the verdicts: each claim's verdict, before and after, and W2's effect with its interval.
# Whether the *verdict* changes depends on where the interval lands relative to the SESOI of
# 1 hop; at this small scale the interval is wide, so "inconclusive" is a possible, honest result.

# %%
verdicts = before.verdicts.merge(after.verdicts, on="claim", suffixes=("_before", "_after"))
verdicts[["claim", "verdict_before", "verdict_after"]]

# %%
columns = ["estimate", "ci_low", "ci_high", "verdict"]
pd.concat({"before": before.effects.query("claim == 'W2'")[columns].iloc[0],
           "after": after.effects.query("claim == 'W2'")[columns].iloc[0]}, axis=1)

# %% [markdown]
# **Try next.** Make sharing depend on tie strength or on the item's age instead; add a new
# parameter to `diffusion.params.BehaviourParams` (one field with its default and range check)
# and read it as `b.NAME` in your rule. `tests/test_rules.py` checks that the agents' plain
# Python path and the compiled engine give identical results under any rule.
