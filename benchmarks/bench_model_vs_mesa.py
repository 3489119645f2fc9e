"""Per user-step cost of the platform model against the same day written Mesa-style.

Usage::

    python benchmarks/bench_model_vs_mesa.py                 # 100,000 users
    python benchmarks/bench_model_vs_mesa.py --users 20000 --days 3

Both run on the same weak-tie society with the package's default parameters:
:class:`diffusion.model.PlatformModel` (vectorised phases over all users, compiled reaction
rules, Mesa agents created as its readable face) and
:class:`mesa_style_platform.MesaStylePlatform` (the same rules with one Python ``step`` per
agent, as in Mesa's ``virus_on_network`` example; ``tests/test_mesa_style_peer.py`` checks that
the two agree in distribution, so both do the same work). After ``--warmup`` days (so feeds
hold a week of items and cascades close every day), the mean day (total time over the days
timed) is divided by the number of users: over ``--days`` days of the Mesa-style model (days 8-13
by default), and over ``--our-days`` days of ours, half timed just before and half just after the
Mesa-style days (the VM's speed drifts by tens of percent within minutes; bracketing keeps both
measurements in the same window). Our day is steady from day 8 on. The Mesa-style day is not: it
alternates between cheap and dear days (for example 4.97, 7.24, 4.49, 6.71, 7.27 s on days 8-12;
likely Python's collector walking its millions of objects on some days and not others), so a median
over three days depends on which kind of day comes twice; the mean over an even number of days
covers whole cycles. Every day's time is printed, and the medians too.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mesa_style_platform import MesaStylePlatform  # noqa: E402

from diffusion.model import PlatformModel  # noqa: E402
from diffusion.networks import weak_tie_society  # noqa: E402
from diffusion.rng import replicate_streams  # noqa: E402


def day_times(model, days: int) -> list[float]:
    times = []
    for _ in range(days):
        started = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--warmup", type=int, default=7)
    parser.add_argument("--days", type=int, default=6, help="days timed of the Mesa-style model")
    parser.add_argument("--our-days", type=int, default=20, help="days timed of ours, half before and half after")
    args = parser.parse_args()
    society = weak_tie_society(n_users=args.users, rng=np.random.default_rng(2021))
    s = replicate_streams(2021, 0)
    ours = PlatformModel(society, rng=s["agents"], platform_rng=s["platform"], content_rng=s["content"], layout_rng=s["layout"])
    day_times(ours, args.warmup)
    # Our days are timed in two halves, before and after the Mesa-style ones: the machine's
    # speed drifts over minutes, and bracketing keeps the two measurements in the same window.
    ours_times = day_times(ours, args.our_days // 2)
    started = time.perf_counter()
    mesa_model = MesaStylePlatform(society, seed=2021)
    mesa_setup = time.perf_counter() - started
    day_times(mesa_model, args.warmup)
    mesa_times = day_times(mesa_model, args.days)
    mesa_day = statistics.mean(mesa_times)
    # Free the Mesa-style agents first: Python's garbage collector would otherwise walk their
    # millions of objects during our days.
    del mesa_model
    gc.collect()
    ours_times += day_times(ours, args.our_days - args.our_days // 2)
    ours_day = statistics.mean(ours_times)
    n = args.users
    print(f"{n:,} users, after {args.warmup} warm-up days: mean of {args.our_days} days of ours "
          f"(half before, half after), of {args.days} days of the Mesa-style model")
    print(f"  diffusion PlatformModel : {ours_day:8.3f} s per day = {1e6 * ours_day / n:7.2f} us per user-step "
          f"(before: {' '.join(f'{t:.3f}' for t in ours_times[: args.our_days // 2])}; "
          f"after: {' '.join(f'{t:.3f}' for t in ours_times[args.our_days // 2:])})")
    print(f"  Mesa-style per agent    : {mesa_day:8.3f} s per day = {1e6 * mesa_day / n:7.2f} us per user-step "
          f"(set-up {mesa_setup:.1f} s; days: {' '.join(f'{t:.2f}' for t in mesa_times)})")
    print(f"  ratio (Mesa-style / ours): {mesa_day / ours_day:.1f}x "
          f"(of the medians: {statistics.median(mesa_times) / statistics.median(ours_times):.1f}x)")


if __name__ == "__main__":
    main()
