"""The platform model at a million users, and how its memory grows with users and ties.

Usage::

    python benchmarks/bench_million.py                      # 10^6 users x 30 days + memory fit
    python benchmarks/bench_million.py --skip-million       # only the memory fit
    python benchmarks/bench_million.py --out results.csv

Part 1 runs one weak-tie society of ``--users`` users (mean degree 10, the follower graph on
top) for ``--days`` days in a fresh process, the way ``python -m diffusion scale=million`` does,
and reports the society build time, model set-up, the mean and last day's time, the total and
the peak resident memory (``ru_maxrss``). Part 2 runs smaller models (users x mean degree grid,
``--fit-days`` days, past the 7-day item lifetime so exposure tables reach their steady size),
each in its own process, and fits peak memory = base + a * users + b * ties by least squares:
the bytes per user and per tie the README quotes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np
import pandas as pd

WORKER = r"""
import json, resource, sys, time
import numpy as np
from diffusion.model import PlatformModel
from diffusion.networks import weak_tie_society
from diffusion.rng import replicate_streams
users, degree, days, agents = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
started = time.perf_counter()
society = weak_tie_society(n_users=users, mean_degree=degree, rng=np.random.default_rng(2021))
build = time.perf_counter() - started
s = replicate_streams(2021, 0)
started = time.perf_counter()
model = PlatformModel(society, rng=s["agents"], platform_rng=s["platform"], content_rng=s["content"],
                      layout_rng=s["layout"], create_agents=agents)
setup = time.perf_counter() - started
day_times = []
for day in range(days):
    started = time.perf_counter()
    model.step()
    day_times.append(time.perf_counter() - started)
    print(f"day {day + 1}/{days}: {day_times[-1]:.1f} s", file=sys.stderr, flush=True)
started = time.perf_counter()
model.finish()
model.creators_table()
finish = time.perf_counter() - started
print(json.dumps({
    "users": users, "mean_degree": degree, "ties": int(society.csr.n_entries // 2),
    "follows": int(society.follow_source.size), "days": days, "agents": agents,
    "build_s": build, "setup_s": setup, "mean_day_s": float(np.mean(day_times)), "last_day_s": day_times[-1],
    "finish_s": finish, "total_s": build + setup + sum(day_times) + finish,
    "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
}))
"""


def run_worker(users: int, degree: float, days: int, agents: bool) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(users), str(degree), str(days), "1" if agents else "0"],
        stdout=subprocess.PIPE, text=True, check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def memory_fit(rows: list[dict]) -> tuple[float, float, float]:
    """Least-squares base (GB), bytes per user and bytes per tie from peak RSS."""
    frame = pd.DataFrame(rows)
    design = np.column_stack([np.ones(len(frame)), frame["users"], frame["ties"]])
    base, per_user, per_tie = np.linalg.lstsq(design, frame["peak_rss_gb"] * 1e9, rcond=None)[0]
    return base / 1e9, per_user, per_tie


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--agents", action="store_true", help="create the Mesa agents in part 1 too")
    parser.add_argument("--skip-million", action="store_true")
    parser.add_argument("--fit-days", type=int, default=10)
    parser.add_argument("--out", help="CSV of every run")
    args = parser.parse_args()
    rows = []
    if not args.skip_million:
        started = time.perf_counter()
        row = run_worker(args.users, 10.0, args.days, args.agents)
        rows.append({**row, "part": "million"})
        print(f"{args.users:,} users x {args.days} days: build {row['build_s']:.0f} s, set-up {row['setup_s']:.0f} s, "
              f"{row['mean_day_s']:.1f} s per day (last {row['last_day_s']:.1f} s), total {row['total_s'] / 60:.1f} min "
              f"(wall {(time.perf_counter() - started) / 60:.1f} min), peak memory {row['peak_rss_gb']:.2f} GB")
    fit = []
    for users in (100_000, 200_000, 400_000):
        for degree in (5.0, 10.0, 15.0):  # circles (mean 20) must stay larger than the degree
            row = run_worker(users, degree, args.fit_days, False)
            fit.append(row)
            rows.append({**row, "part": "memory fit"})
            print(f"  {users:>9,} users, mean degree {degree:>4g}: peak {row['peak_rss_gb']:.2f} GB, "
                  f"{row['mean_day_s']:.2f} s per day", flush=True)
    base, per_user, per_tie = memory_fit(fit)
    print(f"peak memory ~ {base:.2f} GB + {per_user:,.0f} bytes per user + {per_tie:,.0f} bytes per tie "
          f"({args.fit_days} days, steady exposure tables)")
    if args.out:
        pd.DataFrame(rows).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
