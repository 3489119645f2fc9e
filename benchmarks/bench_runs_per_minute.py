"""Runs per minute at 5,000 users x 30 days, serially and with 2 workers (issue 20).

A sensitivity analysis is thousands of ordinary runs, so its cost is runs per minute. This runs
the weak-ties experiment's reference point (weak-tie share 0.2) ``--runs`` times through
:func:`diffusion.runner.execute` (the path a sensitivity run takes: joblib workers, per-run
atomic writes, gathering) with ``run.n_jobs`` 1 and 2, each replicate its own network, and
prints runs per minute and the share of a run spent building its network (measured serially).

    python benchmarks/bench_runs_per_minute.py [--runs 8] [--n-users 5000] [--n-steps 30]

The README's "Sensitivity and calibration" section records the last result.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

from diffusion.config import Config, ExperimentConfig, NetworkConfig, RunConfig
from diffusion.rng import replicate_streams
from diffusion.runner import _intact, execute, warm_up


def config(n_users: int, n_steps: int, runs: int, n_jobs: int) -> Config:
    return Config(
        network=NetworkConfig(n_users=n_users),
        run=RunConfig(n_replicates=runs, n_steps=n_steps, n_jobs=n_jobs, progress=False),
        experiment=ExperimentConfig(name="bench", sweep={"network.weak_tie_share": [0.2]}),
    )


def runs_per_minute(cfg: Config) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-runs-") as folder:
        started = time.perf_counter()
        execute(cfg, Path(folder))
        elapsed = time.perf_counter() - started
    return 60.0 * cfg.run.n_replicates / elapsed


def network_seconds(cfg: Config, repeats: int = 3) -> float:
    started = time.perf_counter()
    for replicate in range(repeats):
        _intact(cfg.network, rng=replicate_streams(cfg.seed, replicate)["network"].spawn(3)[0])
    return (time.perf_counter() - started) / repeats


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--n-users", type=int, default=5000)
    parser.add_argument("--n-steps", type=int, default=30)
    args = parser.parse_args(argv)
    serial = config(args.n_users, args.n_steps, args.runs, 1)
    warm_up(serial)  # compile or load the kernels before timing
    per_minute = {jobs: runs_per_minute(dataclasses.replace(serial, run=dataclasses.replace(serial.run, n_jobs=jobs)))
                  for jobs in (1, 2)}
    build = network_seconds(serial)
    print(f"{args.n_users} users x {args.n_steps} days, {args.runs} runs each:")
    for jobs, rate in per_minute.items():
        print(f"  n_jobs={jobs}: {rate:.1f} runs per minute ({60.0 / rate:.2f} s per run)")
    print(f"  network build: {build:.2f} s per run ({build * per_minute[1] / 60.0:.0%} of a serial run)")


if __name__ == "__main__":
    main()
