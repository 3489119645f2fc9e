"""Side-by-side benchmark: diffusion's kernels against NDlib, EoN, cynetdiff and a Mesa model.

Usage::

    python benchmarks/compare.py                       # 10^4, 10^5, 10^6 nodes (~20 min, 2 cores)
    python benchmarks/compare.py --quick               # 10^4 and 10^5, 3 repeats, 20 agreement runs
    python benchmarks/compare.py --sizes 10000 100000 --budget 60 --out /tmp/compare
    python benchmarks/compare.py --plot-only           # rebuild compare.md and compare.png from the CSVs

Writes to ``--out`` (default ``benchmarks/results/``): ``compare.csv`` (one row per
implementation, model and size), ``compare_agreement.csv`` (final sizes compared at the
smallest size), ``compare.md`` (tables, targets, what was compared) and ``compare.png``
(time against graph size, log-log). Needs the peers: ``pip install -e ".[bench]"``.

What is compared
----------------
Graphs: Barabási–Albert, m = 5 (``diffusion.networks.barabasi_albert``, igraph), built once per
size in this process from the root ``--seed``; every implementation gets the same edges (saved
to a temporary file) and the same 10 seed nodes (drawn with a numpy Generator from the root
seed). Run ``r`` of every implementation uses the same integer seed for its own generator.

* ``IC`` — independent cascade, p = 0.1 per edge and direction: ours
  (``independent_cascade``), NDlib ``IndependentCascadesModel`` (edge threshold 0.1), cynetdiff
  ``IndependentCascadeModel`` (activation_prob 0.1), and the Mesa model of
  ``benchmarks/mesa_style.py`` (one agent per node, ``virus_on_network`` style).
* ``LT`` — linear threshold with the same fixed threshold φ = 0.1301 for every node and in-weights
  1/degree: a node activates once at least a fraction φ of its neighbours is active (φ is not a
  ratio k/d for any degree d < 10^4, so no comparison sits on a tie). Ours
  (``linear_threshold(thresholds=φ)``), NDlib ``ThresholdModel`` (node threshold φ), cynetdiff
  ``LinearThresholdModel`` (influence 1/degree, thresholds set to φ with ``_assign_thresholds``
  after ``set_seeds``, its documented testing hook). Deterministic given the seeds, so the
  agreement check also counts runs with identical final sizes. Ours and NDlib update
  synchronously, cynetdiff in queue order; the final set of a monotone threshold process does
  not depend on the order.
* ``LT-U`` (agreement check only) — Kempe et al.'s LT: thresholds drawn U(0, 1) per node and run
  (ours ``thresholds=None``; cynetdiff draws its own; NDlib gets one draw per node).
* ``SIR`` — discrete SIR with β = 0.1 per step and γ = 1 (infectious for exactly one step):
  EoN's ``basic_discrete_SIR`` semantics exactly (``sir(p_transmit=0.1, p_recover=1.0)``; the
  final-size law is that of IC with p = 0.1). Also EoN's event-driven ``fast_nonMarkov_SIR``
  with recovery after exactly 1 time unit and exponential transmission delays of rate
  τ = −ln 0.9, so an edge transmits with probability 1 − e^−τ = 0.1: the same final-size law,
  a continuous time course.

What is measured
----------------
Each implementation runs in its own subprocess (``--worker``), so imports, memory and a time
budget are its own. Setup = from the shared igraph graph to a model ready to run, with the modules already imported (ours:
``to_csr``; NDlib, EoN: an edge-list conversion to networkx plus the model's configuration;
cynetdiff: our CSR cast to uint32 arrays, its constructors' input; Mesa: neighbour lists and
agents), timed once, in a fresh process. Simulation = one run from the seeds to the end (state
reset included), median of ``--repeats`` runs. A subprocess that passes ``--budget`` seconds
stops starting new repeats; one still running at budget + 60 s is ended and recorded as "did not
finish within N s" (speed-ups are then lower bounds, marked ≥). Memory: peak resident set size
during the phase minus the resident size before it (Linux ``/proc/self/clear_refs``), for every
implementation; for ours also the ``tracemalloc`` peak of one extra run. Edge trials per second:
the model's work, the median number of (active node, neighbour) pairs examined by our kernel on
that graph, divided by each implementation's median simulation time — the same numerator for
every implementation of a model, whose final sizes the agreement check shows to agree.
Speed-up = peer time / our time for the same model and size.

Agreement check (smallest size, ``--agreement-runs`` ≥ 20): run r of every implementation starts
from its own 10 random seed nodes (the same for all implementations). Per model, each peer's final
sizes are compared with ours by Welch's t-test on the means and a Brown–Forsythe test on the
spreads (pass: both p ≥ 0.01), with the ratio of standard deviations reported.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from importlib import metadata
from pathlib import Path

import numpy as np

P_TRANSMIT = 0.1
PHI = 0.1301
M_EDGES = 5
N_SEEDS = 10
TAU = -math.log(1.0 - P_TRANSMIT)  # EoN fast_nonMarkov_SIR: P(transmission before recovery at 1) = p
GRACE_S = 60.0
OURS = "diffusion"
#: (implementation, model) pairs timed at every size, in run order.
TIMED = [
    (OURS, "IC"), (OURS, "LT"), (OURS, "SIR"),
    ("cynetdiff", "IC"), ("cynetdiff", "LT"),
    ("EoN basic_discrete_SIR", "SIR"), ("EoN fast_nonMarkov_SIR", "SIR"),
    ("NDlib", "IC"), ("NDlib", "LT"),
    ("Mesa (virus_on_network style)", "IC"),
]
#: (implementation, model) pairs of the agreement check; ours first within each model.
AGREEMENT = [
    (OURS, "IC"), ("cynetdiff", "IC"), ("NDlib", "IC"), ("Mesa (virus_on_network style)", "IC"),
    (OURS, "LT"), ("cynetdiff", "LT"), ("NDlib", "LT"),
    (OURS, "LT-U"), ("cynetdiff", "LT-U"), ("NDlib", "LT-U"),
    (OURS, "SIR"), ("EoN basic_discrete_SIR", "SIR"), ("EoN fast_nonMarkov_SIR", "SIR"),
]
PACKAGES = ["numpy", "igraph", "numba", "networkx", "ndlib", "EoN", "cynetdiff", "mesa", "scipy"]


# ----------------------------------------------------------------------------- implementations
# Each setup_* takes the igraph graph and the model name and returns run(seeds, seed) -> final
# size. Everything a run needs that depends on the seeds or the run's seed happens inside run.


def networkx_graph(graph):
    """networkx copy of an igraph graph, by edge list (faster than to_networkx)."""
    import networkx as nx

    nx_graph = nx.Graph()
    nx_graph.add_nodes_from(range(graph.vcount()))
    nx_graph.add_edges_from(graph.get_edgelist())
    return nx_graph


def setup_ours(graph, model):
    from diffusion.contagion import independent_cascade, linear_threshold, sir
    from diffusion.networks import to_csr

    csr = to_csr(graph)
    calls = {
        "IC": lambda seeds, rng: independent_cascade(csr, seeds, p=P_TRANSMIT, rng=rng),
        "LT": lambda seeds, rng: linear_threshold(csr, seeds, thresholds=PHI, rng=rng),
        "LT-U": lambda seeds, rng: linear_threshold(csr, seeds, thresholds=None, rng=rng),
        "SIR": lambda seeds, rng: sir(csr, seeds, p_transmit=P_TRANSMIT, p_recover=1.0, rng=rng),
    }
    call = calls[model]
    trials: list[int] = []

    def run(seeds, seed):
        result = call(np.asarray(seeds), np.random.default_rng(seed))
        trials.append(result.n_edge_trials)
        return result.size

    run.trials = trials
    return run


def setup_cynetdiff(graph, model):
    from cynetdiff.models import IndependentCascadeModel, LinearThresholdModel

    from diffusion.networks import to_csr

    csr = to_csr(graph)
    starts = csr.indptr[:-1].astype(np.uint32)
    edges = csr.indices.astype(np.uint32)
    if model == "IC":
        cyn = IndependentCascadeModel(starts, edges, activation_prob=P_TRANSMIT)
    else:
        influence = (1.0 / csr.degree()[csr.indices]).astype(np.float32)
        cyn = LinearThresholdModel(starts, edges, influence=influence)
    thresholds = np.full(csr.n_nodes, PHI, dtype=np.float32)

    def run(seeds, seed):
        cyn.set_rng(seed)
        cyn.set_seeds([int(s) for s in seeds])  # resets the model (and clears its thresholds)
        if model == "LT":
            cyn._assign_thresholds(thresholds)
        cyn.advance_until_completion()
        return cyn.get_num_activated_nodes()

    return run


def setup_ndlib(graph, model):
    import ndlib.models.ModelConfig as mc
    from ndlib.models.epidemics import IndependentCascadesModel, ThresholdModel

    nx_graph = networkx_graph(graph)

    def configured(seeds, thresholds=None):
        config = mc.Configuration()
        config.add_model_initial_configuration("Infected", [int(s) for s in seeds])
        if model == "IC":
            simulation = IndependentCascadesModel(nx_graph)
            config.add_edge_set_configuration("threshold", dict.fromkeys(nx_graph.edges, P_TRANSMIT))
        else:
            simulation = ThresholdModel(nx_graph)
            config.add_node_set_configuration("threshold", dict(enumerate(thresholds)))
        simulation.set_initial_status(config)
        return simulation

    simulation = None if model == "LT-U" else configured([], np.full(graph.vcount(), PHI))

    def run(seeds, seed):
        nonlocal simulation
        np.random.seed(seed % 2**32)  # NDlib draws from numpy's global generator
        if model == "LT-U":
            simulation = configured(seeds, np.random.random(graph.vcount()))
        else:
            simulation.reset(infected_nodes=[int(s) for s in seeds])
        while True:  # iterate until nothing changes (IC: until no node is left infected)
            iteration = simulation.iteration(node_status=False)
            counts = iteration["node_count"]
            if iteration["iteration"] > 0 and (counts[1] == 0 if model == "IC" else not any(iteration["status_delta"].values())):
                break
        return counts[1] + counts[2] if model == "IC" else counts[1]

    return run


def setup_eon(graph, model, variant):
    import EoN

    nx_graph = networkx_graph(graph)

    def run(seeds, seed):
        rng = np.random.default_rng(seed)
        seeds = [int(s) for s in seeds]
        if variant == "discrete":
            _, _, infected, recovered = EoN.basic_discrete_SIR(nx_graph, P_TRANSMIT, initial_infecteds=seeds, rng=rng)
        else:
            _, _, infected, recovered = EoN.fast_nonMarkov_SIR(
                nx_graph, trans_time_fxn=lambda u, v, r: r.exponential(1.0 / TAU), trans_time_args=(rng,),
                rec_time_fxn=lambda u: 1.0, initial_infecteds=seeds, rng=rng,
            )
        return int(infected[-1] + recovered[-1])

    return run


def setup_mesa(graph, model):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from mesa_style import CascadeModel

    cascade = CascadeModel(graph.get_adjlist(), p_transmit=P_TRANSMIT, rng=0)

    def run(seeds, seed):
        cascade.random.seed(seed)
        cascade.infect(seeds)
        cascade.run()
        return cascade.ever_infected()

    return run


#: Modules each implementation needs, imported before its setup is timed (one-off costs).
IMPORTS = {
    OURS: ["diffusion.contagion", "diffusion.networks", "numba"],
    "cynetdiff": ["cynetdiff.models", "diffusion.networks", "numba"],
    "NDlib": ["networkx", "ndlib.models.ModelConfig", "ndlib.models.epidemics"],
    "EoN": ["networkx", "EoN"],
    "Mesa": ["mesa"],
}


def import_for(implementation: str) -> None:
    import importlib

    for prefix, modules in IMPORTS.items():
        if implementation.startswith(prefix):
            for module in modules:
                importlib.import_module(module)


def setup(implementation: str, graph, model: str):
    if implementation == OURS:
        return setup_ours(graph, model)
    if implementation == "cynetdiff":
        return setup_cynetdiff(graph, model)
    if implementation == "NDlib":
        return setup_ndlib(graph, model)
    if implementation.startswith("EoN"):
        return setup_eon(graph, model, "discrete" if "discrete" in implementation else "fast")
    if implementation.startswith("Mesa"):
        return setup_mesa(graph, model)
    raise ValueError(implementation)


# ----------------------------------------------------------------------------- measuring


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


class PeakRSS:
    """Peak resident set size during a block minus the size before it (MB), via clear_refs."""

    def __enter__(self):
        try:
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")  # reset the high-water mark to the current RSS
            self.ok = True
        except OSError:
            self.ok = False
        self.before = _status_mb("VmRSS")
        return self

    def __exit__(self, *exc):
        self.mb = _status_mb("VmHWM") - self.before if self.ok else float("nan")


def load_graph(path: str):
    import igraph as ig

    edges = np.load(path)
    gc.disable()  # building millions of tuples: keep the collector out of it
    try:
        graph = ig.Graph(n=int(edges.max()) + 1, edges=edges.tolist())
    finally:
        gc.enable()
    del edges
    gc.collect()
    return graph


def worker(spec_path: str) -> None:
    """Run one implementation on one graph; write what was measured after every phase."""
    spec = json.loads(Path(spec_path).read_text())
    out = Path(spec["result"])
    result: dict = {"phase": "loading"}

    def save():
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(result))
        tmp.replace(out)

    save()
    graph = load_graph(spec["edges"])
    import_for(spec["implementation"])
    if spec["implementation"] in (OURS, "cynetdiff"):  # both use our compiled to_csr
        tic = time.perf_counter()
        warm_up()
        result["load_s"] = time.perf_counter() - tic
    started = time.perf_counter()
    result["phase"] = "setup"
    save()
    with PeakRSS() as memory:
        tic = time.perf_counter()
        run = setup(spec["implementation"], graph, spec["model"])
        result["setup_s"] = time.perf_counter() - tic
    result["setup_rss_mb"] = memory.mb
    result.update(phase="simulation", sim_s=[], sizes=[], sim_rss_mb=0.0)
    save()
    budget = spec["budget"]
    for seeds, seed in zip(spec["seeds"], spec["run_seeds"]):
        spent = time.perf_counter() - started
        last = result["sim_s"][-1] if result["sim_s"] else 0.0
        if result["sim_s"] and spent + last > budget:
            result["stopped"] = f"stopped after {len(result['sim_s'])} runs: the next would pass the {budget:g} s budget"
            break
        with PeakRSS() as memory:
            tic = time.perf_counter()
            size = run(seeds, seed)
            result["sim_s"].append(time.perf_counter() - tic)
        result["sizes"].append(int(size))
        result["sim_rss_mb"] = max(result["sim_rss_mb"], memory.mb)
        save()
    if spec["implementation"] == OURS:
        result["trials"] = [int(t) for t in run.trials]
        if spec.get("traced"):  # tracemalloc slows Python-heavy code: one separate, untimed run
            tracemalloc.start()
            run(spec["seeds"][0], spec["run_seeds"][0])
            result["sim_traced_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
    result["phase"] = "done"
    save()


def warm_up() -> None:
    """Call each of our compiled functions once on a tiny graph (numba loads them from its
    on-disk cache, or compiles them if there is none): a one-off cost per process, like an
    import, kept out of the timed setup and reported on its own."""
    import igraph as ig

    from diffusion.contagion import independent_cascade, linear_threshold, sir
    from diffusion.networks import to_csr

    csr = to_csr(ig.Graph.Ring(10))
    rng = np.random.default_rng(0)
    independent_cascade(csr, [0], p=0.5, rng=rng)
    independent_cascade(csr, [0], p=np.full(10, 0.5), rng=rng)
    sir(csr, [0], p_transmit=0.5, p_recover=0.5, rng=rng)
    linear_threshold(csr, [0], thresholds=0.3, rng=rng)


def jit_worker() -> None:
    """First-call cost of our compiled functions with an empty numba cache (compile included)."""
    tic = time.perf_counter()
    warm_up()
    first = time.perf_counter() - tic
    tic = time.perf_counter()
    warm_up()
    print(json.dumps({"jit_s": first - (time.perf_counter() - tic)}))


def run_worker(spec: dict, workdir: Path, timeout: float) -> dict:
    name = f"{spec['implementation']}-{spec['model']}-{spec['n_nodes']}".replace(" ", "_").replace("/", "_")
    spec_path, result_path = workdir / f"{name}.spec.json", workdir / f"{name}.result.json"
    spec["result"] = str(result_path)
    spec_path.write_text(json.dumps(spec))
    tic = time.perf_counter()
    try:
        completed = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(spec_path)],
            capture_output=True, text=True, timeout=timeout,
        )
        killed, stderr = False, completed.stderr
    except subprocess.TimeoutExpired:
        killed, stderr = True, ""
    result = json.loads(result_path.read_text()) if result_path.exists() else {"phase": "not started"}
    result["wall_s"] = time.perf_counter() - tic
    result["killed"] = killed
    if result.get("phase") != "done" and not killed:
        result["error"] = stderr.strip().splitlines()[-1] if stderr.strip() else "worker failed"
    return result


# ----------------------------------------------------------------------------- orchestration


def versions() -> dict[str, str]:
    found = {}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def build_graph(n: int, size_index: int, seed: int, workdir: Path):
    from diffusion.networks import barabasi_albert
    from diffusion.networks.csr import edge_arrays

    streams = np.random.SeedSequence(seed, spawn_key=(size_index,)).spawn(2)
    graph = barabasi_albert(n_nodes=n, m=M_EDGES, rng=np.random.default_rng(streams[0]))
    sources, targets = edge_arrays(graph)
    path = workdir / f"edges-{n}.npy"
    np.save(path, np.column_stack([sources, targets]))
    seeds = np.random.default_rng(streams[1]).choice(n, size=N_SEEDS, replace=False)
    return path, graph.ecount(), seeds


def run_seeds(seed: int, size_index: int, count: int, salt: int) -> list[int]:
    return [int(np.random.SeedSequence(seed, spawn_key=(size_index, salt, r)).generate_state(1)[0]) for r in range(count)]


def timing_row(implementation, model, n, n_edges, result, budget) -> dict:
    times = result.get("sim_s") or []
    row = {
        "implementation": implementation, "model": model, "n_nodes": n, "n_edges": n_edges,
        "setup_s": result.get("setup_s", float("nan")),
        "sim_s": statistics.median(times) if times else float("nan"),
        "n_runs": len(times),
        "setup_rss_mb": result.get("setup_rss_mb", float("nan")),
        "sim_rss_mb": result.get("sim_rss_mb", float("nan")) if times else float("nan"),
        "sim_traced_mb": result.get("sim_traced_mb", float("nan")),
        "final_size": statistics.median(result["sizes"]) if result.get("sizes") else float("nan"),
        "edge_trials": statistics.median(result["trials"]) if result.get("trials") else float("nan"),
        "load_s": result.get("load_s", float("nan")),
    }
    if result.get("killed"):
        where = "in setup" if "setup_s" not in result else f"after {len(times)} runs"
        row["status"] = f"did not finish within {budget:g} s ({where})"
    elif result.get("error"):
        row["status"] = "failed: " + result["error"][:120]
    else:
        row["status"] = "ok" if "stopped" not in result else f"ok ({result['stopped']})"
    row["total_s"] = row["setup_s"] + row["sim_s"]
    return row


def add_ratios(rows: list[dict], budget: float) -> None:
    ours = {(r["model"], r["n_nodes"]): r for r in rows if r["implementation"] == OURS}
    for row in rows:
        mine = ours.get((row["model"], row["n_nodes"]))
        row["edge_trials_per_s"] = (mine["edge_trials"] / row["sim_s"]) if mine and row["n_runs"] else float("nan")
        row["speedup_sim"] = row["speedup_total"] = float("nan")
        row["speedup_is_lower_bound"] = False
        if mine is None or row["implementation"] == OURS:
            continue
        if row["n_runs"]:
            row["speedup_sim"] = row["sim_s"] / mine["sim_s"]
            row["speedup_total"] = row["total_s"] / mine["total_s"]
        elif row["status"].startswith("did not finish"):
            # the peer needed more than the budget: these are lower bounds
            row["speedup_is_lower_bound"] = True
            row["speedup_total"] = budget / mine["total_s"]
            if not math.isnan(row["setup_s"]):
                row["speedup_sim"] = max(budget - row["setup_s"], 0.0) / mine["sim_s"]


def agreement_rows(results: dict[tuple[str, str], list[int]]) -> list[dict]:
    from scipy import stats

    rows = []
    for (implementation, model), sizes in results.items():
        if implementation == OURS or (OURS, model) not in results:
            continue
        ours = np.asarray(results[(OURS, model)], dtype=float)
        peer = np.asarray(sizes, dtype=float)
        row = {"model": model, "implementation": implementation, "runs_ours": ours.size, "runs_peer": peer.size,
               "mean_ours": ours.mean(), "mean_peer": peer.mean(), "sd_ours": ours.std(ddof=1), "sd_peer": peer.std(ddof=1)}
        k = min(ours.size, peer.size)
        row["identical_runs"] = int(np.sum(ours[:k] == peer[:k]))
        if row["sd_ours"] == 0 and row["sd_peer"] == 0:
            row["welch_p"] = 1.0 if row["mean_ours"] == row["mean_peer"] else 0.0
            row["spread_p"], row["sd_ratio"] = 1.0, 1.0
        else:
            row["welch_p"] = float(stats.ttest_ind(peer, ours, equal_var=False).pvalue)
            row["spread_p"] = float(stats.levene(peer, ours, center="median").pvalue)
            row["sd_ratio"] = row["sd_peer"] / row["sd_ours"] if row["sd_ours"] else float("inf")
        row["verdict"] = "pass" if peer.size >= 20 and row["welch_p"] >= 0.01 and row["spread_p"] >= 0.01 else "FAIL"
        rows.append(row)
    return rows


def loglog_slopes(table) -> dict[str, float]:
    slopes = {}
    for model, group in table[(table.implementation == OURS) & table.sim_s.notna()].groupby("model"):
        if group.n_nodes.nunique() >= 2:
            slopes[model] = float(np.polyfit(np.log10(group.n_edges), np.log10(group.sim_s), 1)[0])
            slopes[model + " (setup + simulation)"] = float(np.polyfit(np.log10(group.n_edges), np.log10(group.total_s), 1)[0])
    return slopes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=None, help="node counts (default 10^4 10^5 10^6)")
    parser.add_argument("--quick", action="store_true", help="10^4 and 10^5 only, 3 repeats, 20 agreement runs")
    parser.add_argument("--repeats", type=int, default=None, help="simulation runs per implementation (default 5; 3 with --quick)")
    parser.add_argument("--agreement-runs", type=int, default=None, help="runs per implementation in the agreement check (default 30; 20 with --quick)")
    parser.add_argument("--budget", type=float, default=180.0, help="seconds per implementation and size (setup + runs)")
    parser.add_argument("--seed", type=int, default=0, help="root seed: graphs, seed nodes, run seeds")
    parser.add_argument("--only", nargs="+", default=None, help="implementations to run (names as in the table; prefix match)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    parser.add_argument("--plot-only", action="store_true", help="rebuild compare.md and compare.png from saved CSVs")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--jit-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker)
    if args.jit_worker:
        return jit_worker()
    import pandas as pd

    args.out.mkdir(parents=True, exist_ok=True)
    meta_path = args.out / "compare_meta.json"
    if args.plot_only:
        report(pd.read_csv(args.out / "compare.csv"), pd.read_csv(args.out / "compare_agreement.csv"), json.loads(meta_path.read_text()), args.out)
        return None
    sizes = args.sizes or ([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    repeats = args.repeats or (3 if args.quick else 5)
    n_agree = args.agreement_runs or (20 if args.quick else 30)
    chosen = (lambda name: any(name.startswith(p) for p in args.only)) if args.only else (lambda name: True)
    started = time.perf_counter()
    meta = {"date": datetime.date.today().isoformat(), "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores", "versions": versions(),
            "budget_s": args.budget, "repeats": repeats, "agreement_runs": n_agree, "seed": args.seed,
            "command": "python benchmarks/compare.py " + " ".join(argv if argv is not None else sys.argv[1:])}
    rows, agreement = [], {}
    with tempfile.TemporaryDirectory(prefix="compare-") as tmp:
        workdir = Path(tmp)
        env_cache = tempfile.mkdtemp(prefix="numba-cache-", dir=tmp)
        jit = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--jit-worker"], capture_output=True,
                             text=True, env={**os.environ, "NUMBA_CACHE_DIR": env_cache})
        meta["jit_s"] = json.loads(jit.stdout.strip().splitlines()[-1])["jit_s"] if jit.returncode == 0 else float("nan")
        print(f"numba first-call compile (empty cache): {meta['jit_s']:.2f} s", flush=True)
        for size_index, n in enumerate(sizes):
            edges_path, n_edges, seeds = build_graph(n, size_index, args.seed, workdir)
            for implementation, model in TIMED:
                if not chosen(implementation):
                    continue
                spec = {"implementation": implementation, "model": model, "n_nodes": n, "edges": str(edges_path),
                        "budget": args.budget, "seeds": [seeds.tolist()] * repeats,
                        "run_seeds": run_seeds(args.seed, size_index, repeats, 1), "traced": True}
                result = run_worker(spec, workdir, args.budget + GRACE_S)
                rows.append(timing_row(implementation, model, n, n_edges, result, args.budget))
                r = rows[-1]
                print(f"n={n:>8} {implementation:32} {model:4} setup {r['setup_s']:8.3f} s  sim {r['sim_s']:9.4f} s "
                      f"x{r['n_runs']}  size {r['final_size']:>9}  {r['status']}  [{time.perf_counter() - started:.0f} s]", flush=True)
            if size_index == 0:  # agreement check on the smallest graph
                rng = np.random.default_rng(np.random.SeedSequence(args.seed, spawn_key=(size_index, 2)))
                seed_sets = [rng.choice(n, size=N_SEEDS, replace=False).tolist() for _ in range(n_agree)]
                for implementation, model in AGREEMENT:
                    if not chosen(implementation):
                        continue
                    spec = {"implementation": implementation, "model": model, "n_nodes": n, "edges": str(edges_path),
                            "budget": args.budget, "seeds": seed_sets, "run_seeds": run_seeds(args.seed, size_index, n_agree, 3)}
                    result = run_worker(spec, workdir, args.budget + GRACE_S)
                    agreement[(implementation, model)] = result.get("sizes", [])
                    print(f"agreement {implementation:32} {model:4} {len(agreement[(implementation, model)])} runs, "
                          f"mean size {np.mean(agreement[(implementation, model)]) if agreement[(implementation, model)] else float('nan'):.1f}", flush=True)
    add_ratios(rows, args.budget)
    table = pd.DataFrame(rows)
    agreement_table = pd.DataFrame(agreement_rows(agreement))
    meta["elapsed_s"] = time.perf_counter() - started
    table.to_csv(args.out / "compare.csv", index=False)
    agreement_table.to_csv(args.out / "compare_agreement.csv", index=False)
    meta_path.write_text(json.dumps(meta, indent=1))
    report(table, agreement_table, meta, args.out)
    print(f"done in {meta['elapsed_s']:.0f} s; wrote {args.out}/compare.{{csv,md,png}}")
    return None


# ----------------------------------------------------------------------------- report


def _fmt_time(value: float) -> str:
    if value != value:
        return "—"
    return f"{value * 1e3:.2f} ms" if value < 1 else f"{value:.2f} s"


def _fmt_speedup(row) -> str:
    def one(value):
        if value != value:
            return "—"
        return ("≥ " if row["speedup_is_lower_bound"] else "") + (f"{value:.0f}×" if value >= 10 else f"{value:.2f}×")

    return f"{one(row['speedup_sim'])} / {one(row['speedup_total'])}"


def targets(table, slopes, meta) -> list[tuple[str, str, str]]:
    def pick(implementation, model, n):
        match = table[(table.implementation == implementation) & (table.model == model) & (table.n_nodes == n)]
        return None if match.empty else match.iloc[0]

    def check(label, row, column, bound, at_least=True):
        if row is None or row[column] != row[column]:
            return (label, "not measured", "—")
        value = row[column]
        lower = bool(row.get("speedup_is_lower_bound", False)) and column.startswith("speedup")
        met = value >= bound if at_least else value <= bound
        shown = ("≥ " if lower else "") + (f"{value:.2f}" if value < 10 else f"{value:.0f}")
        verdict = "met" if met else ("not shown (lower bound below target)" if lower else "missed")
        return (label, shown, verdict)

    out = [
        check("IC vs NDlib at 10^6, simulation speed-up ≥ 200", pick("NDlib", "IC", 10**6), "speedup_sim", 200),
        check("IC vs cynetdiff at 10^4, simulation speed-up ≥ 0.5 (within 2×)", pick("cynetdiff", "IC", 10**4), "speedup_sim", 0.5),
        check("IC vs cynetdiff at 10^5, simulation speed-up ≥ 1", pick("cynetdiff", "IC", 10**5), "speedup_sim", 1),
        check("IC vs cynetdiff at 10^6, simulation speed-up ≥ 1", pick("cynetdiff", "IC", 10**6), "speedup_sim", 1),
        check("LT vs NDlib at 10^6, simulation speed-up ≥ 100", pick("NDlib", "LT", 10**6), "speedup_sim", 100),
        check("SIR vs EoN basic_discrete_SIR at 10^6, speed-up with setup ≥ 20", pick("EoN basic_discrete_SIR", "SIR", 10**6), "speedup_total", 20),
        check("igraph → CSR (to_csr) at 10^6 under 2 s", pick(OURS, "IC", 10**6), "setup_s", 2.0, at_least=False),
    ]
    ours = table[table.implementation == OURS]
    worst = ours[["sim_rss_mb", "sim_traced_mb"]].max().max() if not ours.empty else float("nan")
    out.append(("our kernels' peak memory (max of RSS delta and tracemalloc, MB) under 1 GB",
                f"{worst:.0f} MB" if worst == worst else "not measured", "met" if worst < 1000 else "missed"))
    for model in ("IC", "LT", "SIR"):
        if model in slopes:
            out.append((f"log–log slope of our {model} simulation time vs edges ≤ 1.1", f"{slopes[model]:.2f}",
                        "met" if slopes[model] <= 1.1 else "missed"))
    return out


def report(table, agreement_table, meta, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    slopes = loglog_slopes(table)
    lines = [
        "# diffusion vs peers: side-by-side benchmark", "",
        f"{meta['date']}, {meta['machine']}, Python {meta['python']}; "
        + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()) + ".",
        f"Command: `{meta['command']}` (budget {meta['budget_s']:g} s per implementation and size, "
        f"median of up to {meta['repeats']} runs, root seed {meta['seed']}; the whole run took {meta.get('elapsed_s', float('nan')) / 60:.1f} min).",
        f"numba's first-call compile of our compiled functions (CSR sort, kernels) with an empty cache: {meta['jit_s']:.2f} s "
        "(paid once per machine). Loading them from numba's cache when a process first calls them: median "
        f"{_fmt_time(float(np.nanmedian(table['load_s']))) if 'load_s' in table else 'not recorded'}, paid once per process like an import, and like the peers' "
        "imports kept out of the setup times below.", "",
        "Speed-up = peer time / our time for the same model and graph (simulation / setup + simulation); ≥ marks a lower "
        "bound for a peer that did not finish within the budget. Memory: peak RSS during the phase minus RSS before it.",
        "", "| model | implementation | nodes | edges | setup | simulation (median) | runs | edge trials/s | setup / sim RSS Δ (MB) | final size | speed-up (sim / total) | status |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    order = {name: i for i, name in enumerate(dict.fromkeys(i for i, _ in TIMED))}
    shown = table.assign(_o=table.implementation.map(order)).sort_values(["model", "n_nodes", "_o"])
    for _, row in shown.iterrows():
        rate = row["edge_trials_per_s"]
        lines.append(
            f"| {row['model']} | {row['implementation']} | {row['n_nodes']:,} | {row['n_edges']:,} | {_fmt_time(row['setup_s'])} | "
            f"{_fmt_time(row['sim_s'])} | {row['n_runs']} | {'—' if rate != rate else f'{rate / 1e6:.2f} M'} | "
            f"{row['setup_rss_mb']:.0f} / {row['sim_rss_mb']:.0f} | {row['final_size']:.0f} | "
            f"{'—' if row['implementation'] == OURS else _fmt_speedup(row)} | {row['status']} |".replace("nan", "—"))
    lines += ["", "## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in targets(table, slopes, meta)]
    lines += ["", "Fitted log–log slopes of our time against edges: "
              + ", ".join(f"{k} {v:.2f}" for k, v in slopes.items()) + ".", ""]
    lines += ["## Agreement of final sizes", "",
              "Each implementation against ours, same seed sets per run; Welch's t-test on means and Brown–Forsythe test on "
              "spreads, pass when both p ≥ 0.01 (and ≥ 20 runs).", "",
              "| model | implementation | runs | mean (ours / peer) | SD (ours / peer) | SD ratio | identical runs | Welch p | spread p | verdict |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for _, row in agreement_table.iterrows():
        lines.append(f"| {row['model']} | {row['implementation']} | {row['runs_peer']} | {row['mean_ours']:.1f} / {row['mean_peer']:.1f} | "
                     f"{row['sd_ours']:.1f} / {row['sd_peer']:.1f} | {row['sd_ratio']:.2f} | {row['identical_runs']} | "
                     f"{row['welch_p']:.3f} | {row['spread_p']:.3f} | {row['verdict']} |")
    lines += ["", "## What is compared", "", __doc__.split("What is compared\n----------------\n")[1].split("\nWhat is measured")[0].strip(), ""]
    (out / "compare.md").write_text("\n".join(lines))

    data = table[table.sim_s.notna()].melt(
        id_vars=["implementation", "model", "n_edges"], value_vars=["sim_s", "total_s"], var_name="time", value_name="seconds")
    data["time"] = data["time"].map({"sim_s": "simulation", "total_s": "setup + simulation"})
    grid = sns.relplot(data=data, x="n_edges", y="seconds", hue="implementation", style="implementation", col="model",
                       row="time", kind="line", markers=True, dashes=False, height=3.2, aspect=1.1,
                       facet_kws={"sharey": True})
    grid.set(xscale="log", yscale="log")
    grid.set_axis_labels("graph edges", "time (s)")
    for (time_kind, model), ax in grid.axes_dict.items():
        slope = slopes.get(model if time_kind == "simulation" else model + " (setup + simulation)")
        ax.set_title(f"{model}, {time_kind}" + (f"\nours: slope {slope:.2f}" if slope is not None else ""), fontsize=9)
        ax.axhline(meta["budget_s"], color="grey", lw=0.8, ls=":")
    grid.figure.suptitle(f"Barabási–Albert m = 5; dotted: the {meta['budget_s']:g} s budget", y=1.02, fontsize=10)
    grid.savefig(out / "compare.png", dpi=110, bbox_inches="tight")
    plt.close(grid.figure)


if __name__ == "__main__":
    main()
