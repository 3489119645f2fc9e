"""Grade a hand-in of the course exercises (docs/course/exercises.md) against hidden answers.

Usage::

    python docs/course/solutions/check.py path/to/answers.py   # points per exercise, total
    python docs/course/solutions/check.py --self-test           # model solutions 100, template 0

Each check compares the student's function with the package's own implementation (or a known
closed form) on inputs drawn at check time from a fresh seed, so a hand-in cannot be fitted to
them. Exercise 6 runs the platform model (600 users, 8 days, 3 paired seeds: about a minute).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

from diffusion.analysis import Effect, judge, paired_difference
from diffusion.metrics import gini, structural_virality
from diffusion.networks import weak_tie_society
from diffusion.policies import CumulativeAdvantage

HERE = Path(__file__).resolve().parent
POINTS = {"gini": 10, "structural_virality": 15, "transmissibility": 15, "verdict": 20, "paired_effect": 20,
          "FairFeed": 20}


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"handin_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _close(a, b, tol: float = 1e-9) -> bool:
    return bool(np.isclose(a, b, rtol=tol, atol=tol, equal_nan=True))


def check_gini(f, rng) -> int:
    cases = [np.zeros(5), np.ones(7), np.array([0, 0, 0, 10.0]), rng.random(50), rng.pareto(1.2, 1000),
             rng.integers(0, 5, 30).astype(float)]
    return POINTS["gini"] if all(_close(f(x), gini(x)) for x in cases) else 0


def _random_tree(n: int, rng) -> np.ndarray:
    parent = np.full(n, -1)
    for node in range(1, n):
        parent[node] = rng.integers(0, node)
    return parent


def _truth(parent: np.ndarray) -> float:
    return float(structural_virality(parent, np.arange(parent.size))[0])  # parents precede children


def check_structural_virality(f, rng) -> int:
    points = 0
    shapes = [np.array([-1] + [0] * (n - 1)) for n in (2, 5, 30)] + [np.arange(-1, n - 1) for n in (3, 10, 50)]
    if all(_close(f(p), _truth(p)) for p in shapes):
        points += 5
    if all(_close(f(p), _truth(p)) for p in (_random_tree(int(rng.integers(2, 500)), rng) for _ in range(20))):
        points += 10
    return points


def _transmissibility(p: float, r: float) -> float:
    return 1.0 - r * (1 - p) / (1 - (1 - r) * (1 - p)) if p else 0.0


def check_transmissibility(f, rng) -> int:
    from diffusion.contagion import sir
    import igraph as ig

    points = 0
    grid = [(p, r) for p in (0.0, 0.05, 0.3, 1.0) for r in (0.1, 0.5, 1.0)] + [tuple(rng.random(2) * 0.9 + 0.05)]
    if all(_close(f(p, r), _transmissibility(p, r)) for p, r in grid):
        points += 10
    # Simulated: share of 4,000 two-node runs in which the seed infects its neighbour; the
    # student's T must lie within 4 standard errors (sqrt(T(1-T)/4000) <= 0.008).
    p, r = 0.2, 0.3
    pair = ig.Graph(n=2, edges=[(0, 1)])
    hits = np.mean([sir(pair, seeds=[0], p_transmit=p, p_recover=r, rng=rng).size == 2 for _ in range(4000)])
    t = f(p, r)
    if abs(hits - t) < 4 * np.sqrt(t * (1 - t) / 4000):
        points += 5
    return points


def check_verdict(f, rng) -> int:
    cases = []
    for _ in range(2000):
        low, high = np.sort(rng.normal(0, 2, 2))
        cases.append(((low + high) / 2, low, high, int(rng.choice([-1, 0, 1])), float(rng.uniform(0.1, 2))))
    for direction in (-1, 0, 1):  # intervals touching a boundary belong to the weaker outcome
        cases += [(1.5, 1.0, 2.0, direction, 1.0), (-1.5, -2.0, -1.0, direction, 1.0), (0.0, -1.0, 1.0, direction, 1.0),
                  (0.0, -0.5, 0.5, direction, 1.0)]
    for estimate, low, high, direction, sesoi in cases:
        expected = judge(Effect("m", "d", estimate, low, high, 20), direction=direction, sesoi=sesoi).verdict
        if f(estimate, low, high, direction, sesoi) != expected:
            return 0
    return POINTS["verdict"]


def check_paired_effect(f, rng) -> int:
    for _ in range(5):
        n = int(rng.integers(4, 30))
        world = rng.normal(0, 1, n)  # a replicate's shared randomness: what pairing removes
        frame = pd.DataFrame({"replicate": np.tile(np.arange(n), 2), "share": np.repeat([0.0, 0.6], n),
                              "reach": np.concatenate([world, world + 0.3 + rng.normal(0, 0.2, n)])})
        frame = frame.drop(index=int(rng.integers(0, n)))  # one unpaired replicate
        truth = paired_difference(frame, scenario="share", low=0.0, high=0.6, measure="reach")
        got = f(frame, "share", 0.0, 0.6, "reach")
        if not all(_close(a, b) for a, b in zip(got, (truth.estimate, truth.ci_low, truth.ci_high))):
            return 0
    return POINTS["paired_effect"]


def check_policy(cls, rng) -> int:
    from diffusion.model import PlatformModel

    problems: list[str] = []

    class Checked(cls):
        def allocate(self, state, n_slots, *, rng):
            chosen = np.asarray(super().allocate(state, n_slots, rng=rng))
            if chosen.shape != (n_slots,) or not np.isin(chosen, state.live_items).all():
                problems.append(f"day {state.step}: {chosen.shape} items for {n_slots} slots, or items not live")
            return chosen

    ginis = {}
    for seed in (1, 2, 3):
        for name, policy in (("student", Checked()), ("popularity", CumulativeAdvantage())):
            society = weak_tie_society(n_users=600, users_per_city=100, creator_share=0.2, newcomer_share=0.2,
                                       rng=np.random.default_rng(seed))
            model = PlatformModel(society, policy=policy, rng=np.random.default_rng(seed + 100),
                                  platform_rng=np.random.default_rng(seed + 200), create_agents=False)
            for _ in range(8):
                model.step()
            creators = model.creators_table()
            ginis[name, seed] = gini(creators["views"].to_numpy())
    points = 0 if problems else 10
    if all(ginis["student", s] < ginis["popularity", s] for s in (1, 2, 3)):
        points += 10
    return points


CHECKS = {"gini": check_gini, "structural_virality": check_structural_virality,
          "transmissibility": check_transmissibility, "verdict": check_verdict, "paired_effect": check_paired_effect,
          "FairFeed": check_policy}


def grade(module: ModuleType, seed: int | None = None) -> dict[str, int]:
    """Points per exercise; an exercise whose function is missing or raises gets 0."""
    rng = np.random.default_rng(seed)
    points = {}
    for name, check in CHECKS.items():
        try:
            points[name] = check(getattr(module, name), rng)
        except Exception as error:  # noqa: BLE001 - a hand-in's bug costs the exercise, not the run
            print(f"  {name}: {type(error).__name__}: {str(error)[:120]}", file=sys.stderr)
            points[name] = 0
    return points


def report(points: dict[str, int]) -> str:
    lines = [f"exercise {i} {name:<20} {points[name]:>3} / {POINTS[name]}" for i, name in enumerate(CHECKS, 1)]
    return "\n".join([*lines, f"total {sum(points.values()):>29} / {sum(POINTS.values())}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("handin", nargs="?", type=Path, help="the student's answers.py")
    parser.add_argument("--self-test", action="store_true", help="grade the model solutions and the blank template")
    parser.add_argument("--seed", type=int, default=None, help="seed of the hidden inputs (default: fresh)")
    args = parser.parse_args(argv)
    if args.self_test:
        full = grade(load(HERE / "answers.py"), args.seed)
        blank = grade(load(HERE.parent / "answers_template.py"), args.seed)
        print("model solutions:\n" + report(full) + "\nblank template:\n" + report(blank))
        return 0 if sum(full.values()) == sum(POINTS.values()) and sum(blank.values()) == 0 else 1
    if args.handin is None or not args.handin.is_file():
        parser.error("give the path of a hand-in file (answers.py), or --self-test")
    started = time.perf_counter()
    print(report(grade(load(args.handin), args.seed)) + f"\n(checked in {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
