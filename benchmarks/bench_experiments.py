"""Time the experiments at their default scale, and one model day under each exposure policy.

Usage::

    python benchmarks/bench_experiments.py                            # every experiment + policies
    python benchmarks/bench_experiments.py --experiments gatekeeping --policy-sizes 100000
    python benchmarks/bench_experiments.py --skip-experiments --out policies.csv
    python benchmarks/bench_experiments.py --skip-experiments --policy-sizes --backends

``--backends`` times the weak-ties experiment serially, with joblib on 2 processes and on a Dask
LocalCluster of 2 workers (the README's "Running at scale" figures: joblib at most 0.65x
serial, Dask at most 1.1x joblib).

Experiments run exactly as a user runs them (``python -m diffusion +experiment=NAME``, all
cores, default scale) into a temporary folder; the wall time is what the issue's "at most 5
minutes on a 2-core machine" refers to. The policy benchmark times one model day (median of
``--repeats`` days after a warm-up) on the weak-tie society under every ``conf/platform/``
option, so the cost of a policy's allocation shows next to the baseline's.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from diffusion.config import build_policy, conf_dir, group_options
from diffusion.model import PlatformModel
from diffusion.networks import weak_tie_society

EXPERIMENTS = (
    "weak_ties", "gatekeeping", "robustness", "inclusive_traffic", "private_traffic",
    "big_account", "gmv_tiers", "same_city", "rural_leaders",
)


def time_experiment(name: str, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "diffusion", f"+experiment={name}", f"hydra.run.dir={folder}",
             "run.progress=false", *extra],
            capture_output=True, text=True,
        )
        elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"experiment {name} failed:\n{result.stderr}")
    label = " ".join([f"experiment {name}", *extra])
    return {"what": label, "size": "default scale", "seconds": elapsed}


#: Backend settings compared by ``--backends``.
BACKENDS = {"serial": ["run.n_jobs=1"], "joblib x2": ["run.n_jobs=2"], "dask x2": ["run.backend=dask", "run.n_jobs=2"]}


def time_policy_day(name: str, n_users: int, repeats: int, seed: int, warmup: int = 5) -> dict:
    from omegaconf import OmegaConf

    spec = OmegaConf.to_container(OmegaConf.load(conf_dir() / "platform" / f"{name}.yaml"))["policy"]
    society = weak_tie_society(n_users=n_users, creator_share=0.2, rng=np.random.default_rng(seed))
    model = PlatformModel(
        society, policy=build_policy(spec), create_agents=False,
        **{k: np.random.default_rng([seed, i]) for i, k in enumerate(("rng", "platform_rng", "content_rng", "layout_rng"))},
    )
    for _ in range(warmup):
        model.step()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - started)
    return {"what": f"model day, policy {name}", "size": n_users, "seconds": statistics.median(times)}


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experiments", nargs="*", default=list(EXPERIMENTS))
    parser.add_argument("--skip-experiments", action="store_true")
    parser.add_argument("--policy-sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--backends", action="store_true", help="time weak_ties on each backend")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write the table as CSV here")
    args = parser.parse_args(argv)
    rows = []
    if not args.skip_experiments:
        for name in args.experiments:
            rows.append(time_experiment(name, []))
            print(rows[-1], flush=True)
    if args.backends:
        for extra in BACKENDS.values():
            rows.append(time_experiment("weak_ties", extra))
            print(rows[-1], flush=True)
    for n in args.policy_sizes:
        for name in group_options("platform"):
            rows.append(time_policy_day(name, n, args.repeats, args.seed))
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    if args.out:
        table.to_csv(args.out, index=False)
    return table


if __name__ == "__main__":
    main()
