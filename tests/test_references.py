"""Replication check (slow): rerun each experiment with another root seed and fewer replicates,
and compare every effect with the committed reference result (``experiments/NAME/reference``).

Same network size, days and design as the reference, so both estimate the same quantities; the
tolerance comes from the two runs' sampling errors (standard errors recovered from the 95% t
intervals), not from trial and error. An effect whose reference interval excludes zero must come
out within 4 combined standard errors of the reference, and with the same sign when the
reference lies more than 4 combined standard errors from zero. Run with ``pytest -m slow``;
regenerate references with ``python experiments/make_references.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf
from scipy import stats

REPO = Path(__file__).resolve().parents[1]
REFERENCED = sorted(p.parent.parent.name for p in (REPO / "experiments").glob("*/reference/effects.csv"))
#: Root seed of the rerun (the references use the default, 2021).
SEED = 7
#: Tolerance in combined standard errors.
Z = 4.0


def standard_error(frame: pd.DataFrame) -> pd.Series:
    n = frame["n"].clip(lower=2)
    return (frame["ci_high"] - frame["ci_low"]) / (2 * stats.t.ppf(0.975, n - 1))


def reduced_replicates(name: str) -> int:
    """About a quarter of the reference's replicates, a multiple of its worlds, at least 4."""
    conf = REPO / "conf"
    experiment = OmegaConf.load(conf / "experiment" / f"{name}.yaml")
    scale = next((d["override /scale"] for d in experiment.get("defaults", []) if "override /scale" in d), "paper")
    run = OmegaConf.load(conf / "scale" / f"{scale}.yaml").get("run", {})
    replicates, worlds = int(run.get("n_replicates", 20)), int(run.get("worlds", 1))
    return max(4, worlds * 2, (replicates // 4) // worlds * worlds)


def compare(reference: pd.DataFrame, rerun: pd.DataFrame) -> list[str]:
    """Disagreements between two effects tables, one line each (empty: they agree)."""
    reference, rerun = (t.assign(se=standard_error(t)) for t in (reference, rerun))
    merged = reference.merge(rerun, on=["claim", "description"], suffixes=("_ref", "_new"))
    problems = []
    for _, row in merged.iterrows():
        low, high, estimate = row["ci_low_ref"], row["ci_high_ref"], row["estimate_ref"]
        if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 <= high:
            continue  # the reference cannot tell the sign: nothing to check
        se = np.hypot(row["se_ref"], row["se_new"])
        new = row["estimate_new"]
        label = f"{row['claim']}: {row['description']}: reference {estimate:+.4g}, rerun {new:+.4g} (combined SE {se:.3g})"
        if not np.isfinite(new) or abs(new - estimate) > Z * se:
            problems.append(f"size differs by more than {Z:g} SE — {label}")
        elif abs(estimate) > Z * se and np.sign(new) != np.sign(estimate):
            problems.append(f"sign differs — {label}")
    return problems


def test_compare_flags_a_shifted_effect():
    reference = pd.DataFrame({"claim": ["X"], "description": ["d"], "estimate": [1.0], "ci_low": [0.8],
                              "ci_high": [1.2], "n": [20]})
    assert compare(reference, reference) == []
    shifted = reference.assign(estimate=-1.0, ci_low=-1.2, ci_high=-0.8)
    assert compare(reference, shifted) and "size differs" in compare(reference, shifted)[0]


@pytest.mark.slow
@pytest.mark.parametrize("name", REFERENCED)
def test_rerun_agrees_with_the_committed_reference(name, tmp_path):
    out = tmp_path / name
    done = subprocess.run(
        [sys.executable, "-m", "diffusion", f"+experiment={name}", f"seed={SEED}",
         f"run.n_replicates={reduced_replicates(name)}", "run.progress=false", f"hydra.run.dir={out}"],
        capture_output=True, text=True, timeout=1800,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    reference = pd.read_csv(REPO / "experiments" / name / "reference" / "effects.csv")
    rerun = pd.read_csv(out / "effects.csv")
    assert set(reference["claim"]) == set(rerun["claim"])
    problems = compare(reference, rerun)
    assert not problems, "\n".join(problems)
