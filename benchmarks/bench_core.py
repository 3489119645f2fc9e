"""Time the contagion kernels and one platform-model step at several sizes.

Usage::

    python benchmarks/bench_core.py                          # 10^4, 10^5, 10^6
    python benchmarks/bench_core.py --sizes 10000 100000 --repeats 5 --out results.csv

Prints, per kernel and size: graph setup time (igraph -> CSR), median simulation time over
``--repeats`` runs, edge trials per second, and peak traced memory (``tracemalloc``, numpy
allocations included). Kernels run on Erdős–Rényi graphs with mean degree 10 built directly
as arrays; the model runs on the weak-tie society with default parameters. Single process,
single thread. Nothing is written unless ``--out`` is given.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
from pathlib import Path

import igraph as ig
import numpy as np
import pandas as pd

from diffusion.contagion import complex_contagion, independent_cascade, linear_threshold, sir
from diffusion.model import PlatformModel
from diffusion.networks import to_csr, weak_tie_society


def er_edges(n: int, mean_degree: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    m = int(n * mean_degree / 2)
    u, v = rng.integers(0, n, size=(2, int(m * 1.02) + 10))
    keep = u != v
    keys = np.unique(np.minimum(u[keep], v[keep]) * n + np.maximum(u[keep], v[keep]))[:m]
    return keys // n, keys % n


def measure(function, repeats: int) -> tuple[float, float, object]:
    """Median wall time and peak traced memory (MB) of ``function()``; its last result."""
    times, result = [], None
    gc.collect()
    tracemalloc.start()
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return statistics.median(times), peak, result


def bench_kernels(n: int, repeats: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    source, target = er_edges(n, 10.0, rng)
    graph = ig.Graph(n=n, edges=np.column_stack([source, target]))
    start = time.perf_counter()
    csr = to_csr(graph)
    setup = time.perf_counter() - start
    seeds = rng.choice(n, size=10, replace=False)
    kernels = {
        "independent_cascade p=0.3": lambda: independent_cascade(csr, seeds, p=0.3, rng=rng),
        "linear_threshold phi=0.1": lambda: linear_threshold(csr, seeds, thresholds=0.1, rng=rng),
        "complex_contagion k=2": lambda: complex_contagion(csr, rng.choice(n, size=n // 50, replace=False), threshold=2, rng=rng),
        "sir beta=0.1 gamma=0.2": lambda: sir(csr, seeds, p_transmit=0.1, p_recover=0.2, rng=rng),
    }
    rows = []
    for name, call in kernels.items():
        seconds, peak, result = measure(call, repeats)
        rows.append({"what": name, "n_nodes": n, "n_edges": int(source.size), "setup_s": setup,
                     "median_s": seconds, "edge_trials_per_s": result.n_edge_trials / seconds,
                     "peak_mb": peak, "final_size": result.size})
    return rows


def bench_model(n: int, repeats: int, seed: int, warmup_steps: int = 5) -> dict:
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    society = weak_tie_society(n_users=n, rng=rng)
    build = time.perf_counter() - start
    model = PlatformModel(society, rng=np.random.default_rng(seed + 1), platform_rng=np.random.default_rng(seed + 2), create_agents=False)
    for _ in range(warmup_steps):  # let items and exposures accumulate to a steady state
        model.step()
    seconds, peak, _ = measure(model.step, repeats)
    return {"what": "platform model step", "n_nodes": n, "n_edges": int(society.edge_source.size),
            "setup_s": build, "median_s": seconds, "edge_trials_per_s": float("nan"),
            "peak_mb": peak, "final_size": len(model.exposures)}


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write the table as CSV here")
    parser.add_argument("--skip-model", action="store_true")
    args = parser.parse_args(argv)
    # Pay the once-per-process costs (importing numba, loading compiled kernels from its cache,
    # binding igraph's C struct) before any timing, so the first size is not charged for them.
    warm = to_csr(ig.Graph.Ring(100))
    independent_cascade(warm, [0], p=0.3, rng=np.random.default_rng(0))
    linear_threshold(warm, [0], thresholds=0.1, rng=np.random.default_rng(0))
    complex_contagion(warm, [0, 1], threshold=2, rng=np.random.default_rng(0))
    sir(warm, [0], p_transmit=0.1, p_recover=0.2, rng=np.random.default_rng(0))
    rows = []
    for n in args.sizes:
        rows += bench_kernels(n, args.repeats, args.seed)
        if not args.skip_model:
            rows.append(bench_model(n, args.repeats, args.seed))
        print(f"done n={n}", flush=True)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.3g}".format):
        print(table.to_string(index=False))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out, index=False)
    return table


if __name__ == "__main__":
    main()
