"""Run an experiment: every grid point times every replicate, serially or in parallel.

Each run is one :class:`RunSpec` (grid point, replicate). Its random streams come from
``SeedSequence(seed, spawn_key=(replicate,))`` (:func:`diffusion.rng.replicate_streams`), so
replicate r uses the same seeds in every scenario (paired comparisons) and no result depends on
the order, process or backend in which runs execute. A finished run is written at once, to a
temporary folder renamed into place (atomic), so an interrupted experiment keeps what it
finished. The tables are then gathered in a fixed order.

Four tidy tables result:

``trajectories``  one row per run and day: scenario columns, ``replicate``, ``step``, measures
``outcomes``      one row per run: scenario columns, ``replicate``, end-of-run measures
``cascades``      one row per run and item: size, depth, structural virality (W2), audience
                  by channel (P4)
``creators``      one row per run and creator: views, followers, income, newcomer milestone
                  (D1-D4, R2, R3)
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import math
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from diffusion import config as config_module
from diffusion import rules
from diffusion.config import Config, Settings
from diffusion.contagion import independent_cascade
from diffusion.errors import ConfigError, DiffusionError
from diffusion.metrics import commerce as commerce_metrics
from diffusion.metrics import creators as creator_metrics
from diffusion.metrics import tables
from diffusion.model import PlatformModel
from diffusion.networks import (
    barabasi_albert,
    giant_component_share,
    load_network,
    remove_in_order,
    removal_order,
    society_from_graph,
    weak_tie_society,
)
from diffusion.networks.csr import collector_paused
from diffusion.networks.society import Society
from diffusion.params import BehaviourParams
from diffusion.provenance import RUN_CONTROL_KEYS, config_hash
from diffusion.rng import replicate_streams

TABLES = ("trajectories", "outcomes", "cascades", "creators")
#: Files of the runs folder: the experiment's plan, each run's record, the failed runs.
MANIFEST, RUN_RECORD, FAILURES = "manifest.json", "run.json", "failures.json"


#: Seeds of the standard cascade whose reach measures a damaged network (D5).
STANDARD_CASCADE_SEEDS = 10


class RunsFailed(DiffusionError):
    """Some runs raised; the others are kept and the experiment can be resumed."""


@dataclass(frozen=True)
class RunSpec:
    """One simulation run: a grid point and a replicate."""

    index: int
    point: dict[str, Any]  # dotted config key -> value
    replicate: int

    def label(self, hidden: set[str] = frozenset()) -> dict[str, Any]:
        """The run's label columns: the grid point with short names (last component of each
        key), leaving out the keys in ``hidden`` (a sensitivity design's factors,
        :func:`diffusion.config.design_keys`), then the replicate."""
        shown = {key: value for key, value in self.point.items() if key not in hidden}
        return {**{key.rsplit(".", 1)[-1]: value for key, value in shown.items()}, "replicate": self.replicate}

    @property
    def name(self) -> str:
        return f"run-{self.index:05d}"


@dataclass(frozen=True)
class RunResult:
    """The tables of one run."""

    spec: RunSpec
    trajectories: pd.DataFrame
    outcomes: pd.DataFrame
    cascades: pd.DataFrame
    creators: pd.DataFrame


def plan(config: Config) -> list[RunSpec]:
    """Every run of an experiment, grid points outer, replicates inner."""
    specs = []
    for point in config_module.points(config):  # the grid, times a sensitivity design if any
        for replicate in range(config.run.n_replicates):
            specs.append(RunSpec(index=len(specs), point=point, replicate=replicate))
    return specs


def build_society(settings: Settings, *, rng: np.random.Generator) -> Society:
    """The network of one run, from the ``network`` settings and the run's network stream.

    The stream is split into three children: building, the removal order (D5) and the
    standard cascade (:func:`standard_cascade_reach`). Removal comes last and its order does
    not depend on the fraction, so a sweep over the removal fraction damages one network in
    nested steps.
    """
    build_rng, removal_rng, _ = rng.spawn(3)
    society = _intact(settings.network, rng=build_rng)
    return _damaged(society, settings.network, lambda rule: removal_order(society, rule, rng=removal_rng))


def _damaged(society: Society, network: Any, order_of: Callable[[str], np.ndarray]) -> Society:
    """``society`` after the removal the ``network`` settings ask for (D5), if any; ``order_of``
    gives a rule's removal order on this society."""
    if network.removal_rule == "none" or network.removal_fraction == 0:
        return society
    return remove_in_order(society, order_of(network.removal_rule), network.removal_fraction)


def _intact(network: Any, *, rng: np.random.Generator) -> Society:
    """The society described by ``network`` before any removal."""
    keywords = {name: getattr(network, name) for name in inspect.signature(weak_tie_society).parameters if name != "rng"}
    if network.kind == "society":
        return weak_tie_society(**keywords, rng=rng)
    if network.kind == "file":
        graph = load_network(network.path, clean=network.clean)
    elif network.kind == "generator":
        graph = config_module.generate_network(network.generator, n_users=network.n_users, rng=rng)
    else:  # barabasi_albert: same size and (close to the) same mean degree
        graph = barabasi_albert(n_nodes=network.n_users, m=max(1, round(network.mean_degree / 2)), rng=rng)
    accepted = inspect.signature(society_from_graph).parameters
    return society_from_graph(graph, rng=rng, **{k: v for k, v in keywords.items() if k in accepted})


# Within one worker process, runs that differ only in policy or removal share their network:
# it is built (and its removal order computed: betweenness is the costly part) once per
# replicate group. The cache changes nothing in the results, only how often work is redone.
_REMOVAL_FIELDS = ("removal_rule", "removal_fraction")


def _network_key(network: Any) -> tuple:
    # Hashable: the generator spec (a dict) is held as canonical JSON.
    return tuple(
        (name, json.dumps(value, sort_keys=True) if isinstance(value, dict) else value)
        for name in network.__dataclass_fields__ if name not in _REMOVAL_FIELDS
        for value in (getattr(network, name),)
    )


def _network_rngs(seed: int, group: int) -> list[np.random.Generator]:
    return replicate_streams(seed, group)["network"].spawn(3)


@functools.lru_cache(maxsize=16)
def _cached_intact(key: tuple, seed: int, group: int) -> Society:
    fields = dict(key)
    if fields.get("generator") is not None:
        fields["generator"] = json.loads(fields["generator"])
    network = config_module.NetworkConfig(**fields)
    return _intact(network, rng=_network_rngs(seed, group)[0])


@functools.lru_cache(maxsize=64)
def _cached_order(key: tuple, seed: int, group: int, rule: str) -> np.ndarray:
    return removal_order(_cached_intact(key, seed, group), rule, rng=_network_rngs(seed, group)[1])


def society_for_run(settings: Settings, seed: int, group: int) -> Society:
    """The same society as ``build_society(settings, rng=<network stream of group>)``, cached."""
    network = settings.network
    key = _network_key(network)
    society = _cached_intact(key, seed, group)
    return _damaged(society, network, lambda rule: _cached_order(key, seed, group, rule))


def standard_cascade_reach(society: Society, behaviour: BehaviourParams, *, rng: np.random.Generator) -> float:
    """Reach of a standard cascade: an independent cascade over the social graph from
    :data:`STANDARD_CASCADE_SEEDS` random present users, each tie passing it on with the
    model's share probability (:func:`diffusion.rules.tie_reach_probability`). Share of all
    users (D5)."""
    present = np.flatnonzero(society.present) if society.present is not None else np.arange(society.n_users)
    if present.size == 0:
        return 0.0
    seeds = rng.choice(present, size=min(STANDARD_CASCADE_SEEDS, present.size), replace=False)
    similarity = society.similarity(society.edge_source, society.edge_target)
    p = rules.tie_reach_probability(behaviour.record(), society.edge_weight, similarity)
    result = independent_cascade(society.csr, seeds, p=p, rng=rng)
    return result.size / society.n_users


def model_arguments(settings: Settings, streams: dict[str, np.random.Generator]) -> dict[str, Any]:
    """Keyword arguments of :class:`PlatformModel` for these settings and replicate streams
    (everything but the society): parameters, the built policy and strategy, one stream each."""
    return {
        "platform": settings.platform,
        "behaviour": settings.behaviour,
        "campaign": settings.campaign,
        "policy": config_module.build_policy(settings.platform.policy),
        "strategy": config_module.build_strategy(settings.strategy),
        "rng": streams["agents"],
        "platform_rng": streams["platform"],
        "content_rng": streams["content"],
        "layout_rng": streams["layout"],
        "strategy_rng": streams["strategy"],
    }


def simulate(config: Config, spec: RunSpec, *, day_progress: bool = False) -> RunResult:
    """Simulate one run and return its tables (no I/O). ``day_progress`` shows a bar over the
    run's days (used when an experiment is a single long run, e.g. a million users)."""
    # The cyclic collector is paused for the run and catches up after it (collector_paused).
    with collector_paused():
        return _simulate(config, spec, day_progress=day_progress)


def _simulate(config: Config, spec: RunSpec, *, day_progress: bool) -> RunResult:
    settings = config_module.apply_point(config, spec.point)
    streams = replicate_streams(config.seed, spec.replicate, worlds=settings.run.worlds)
    group = spec.replicate // settings.run.worlds
    society = society_for_run(settings, config.seed, group)
    # Structural measures first, from the network stream only: identical for every policy.
    structure = {
        "giant_component_share": giant_component_share(society),
        "standard_cascade_reach": standard_cascade_reach(
            society, settings.behaviour, rng=_network_rngs(config.seed, group)[2]
        ),
    }
    model = PlatformModel(society, **model_arguments(settings, streams), create_agents=settings.run.create_agents)
    # A bar only when asked: tqdm creates a multiprocessing lock, which a worker stopped by
    # Ctrl-C would leave behind (the "leaked semaphore" warning).
    days = range(settings.run.n_steps)
    for _ in tqdm(days, desc="days", unit="day", leave=False) if day_progress else days:
        model.step()
    cascades = model.finish()
    creators = model.creators_table()
    trajectory = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    trajectory.insert(0, "step", np.arange(1, len(trajectory) + 1))
    outcome = {**tables.run_outcomes(model, trajectory, cascades), **structure}
    outcome.update(creator_metrics.creator_outcomes(creators, settings.run.n_steps))
    outcome.update(creator_metrics.stability_outcomes(cascades, settings.run.n_steps))
    outcome.update(commerce_metrics.conversion_outcomes(model))
    outcome.update(commerce_metrics.strategy_outcomes(creators, settings.run.n_steps))
    model.release()
    # A sensitivity run is labelled by its sample number; the factors' values are in the
    # design's table (a column per factor on every row tripled the cascades' memory).
    label = spec.label(config_module.design_keys(config))
    if settings.run.worlds > 1:
        label["world_group"] = group
    return RunResult(
        spec=spec,
        trajectories=_label(trajectory, label),
        outcomes=_label(pd.DataFrame([outcome]), label),
        cascades=_label(cascades, label),
        creators=_label(creators, label),
    )


def check_points(config: Config) -> None:
    """Validate every grid point before any run starts, so a mistake in the sweep is reported
    at once rather than after hours of runs: its settings, policy, strategy and network
    generator, a network file (read once per file), and whether the experiment's claims can be
    measured at all under these settings (:func:`check_design`)."""
    for point in config_module.points(config):
        settings = config_module.apply_point(config, point)
        _check_swept_keys_apply(settings, list(config.experiment.sweep))
        config_module.build_policy(settings.platform.policy)
        config_module.build_strategy(settings.strategy)
        if settings.network.kind == "generator":
            config_module.network_generator(settings.network.generator)
        n_users = settings.network.n_users
        if settings.network.kind == "file":
            n_users = file_users(settings.network.path, settings.network.clean)
        check_design(settings, n_users)


@functools.lru_cache(maxsize=8)
def file_users(path: str, clean: bool) -> int:
    """Users in a network file, read (and so checked) once per process."""
    return load_network(path, clean=clean).vcount()


def network_keys_used(kind: str) -> set[str]:
    """The ``network`` settings that a network of this kind reads when it is built (the rest
    are ignored): every generator keyword for the society; for the others, the keywords of
    :func:`society_from_graph` that host the platform, plus the size (and the Barabási–Albert
    graph's mean degree) for graphs drawn here rather than read from a file."""
    if kind == "society":
        return set(inspect.signature(weak_tie_society).parameters) - {"rng"}
    used = set(inspect.signature(society_from_graph).parameters) - {"graph", "rng", "circle"}
    if kind != "file":
        used.add("n_users")
    if kind == "barabasi_albert":
        used.add("mean_degree")
    return used


def _check_swept_keys_apply(settings: Settings, swept: list[str]) -> None:
    """A sweep over a network setting that this grid point's network kind ignores would run
    the same network at every value: refuse it."""
    kind = settings.network.kind
    society_keys = set(inspect.signature(weak_tie_society).parameters)
    for key in swept:
        name = key.removeprefix("network.")
        if key.startswith("network.") and name in society_keys and name not in network_keys_used(kind):
            source = "its ties come from the file" if kind == "file" else f"the {kind} network does not read it"
            raise ConfigError(
                f"experiment {settings.experiment.name} sweeps {key}, which a network of kind={kind} ignores "
                f"({source}): every value would give the same network. Use network.kind=society for this "
                f"experiment, or sweep something the {kind} network uses."
            )


#: Claims whose measures follow the day-0 campaign (reach, speed and cascades of its items).
CAMPAIGN_CLAIMS = ("W1", "W2")


def check_design(settings: Settings, n_users: int) -> None:
    """Refuse settings under which an experiment's claims cannot be measured, before running.

    The campaign's claims need campaign items and a creator for each, and every experiment
    needs at least two creators to compare. (A single replicate is allowed: its report says
    the claims are not measurable, for want of an interval.)

    Raises
    ------
    ConfigError
        Naming the setting and the smallest value that makes the design measurable.
    """
    claims = list(settings.experiment.claims)
    if not claims:
        return
    name = settings.experiment.name
    campaign = [c for c in claims if c in CAMPAIGN_CLAIMS]
    if campaign and settings.campaign.n_creators == 0:
        raise ConfigError(
            f"campaign.n_creators=0 leaves experiment {name} nothing to measure for {', '.join(campaign)}: "
            "their reach, speed and cascade measures follow the campaign's items. Use "
            "campaign.n_creators=1 or more (default 5)."
        )
    creator_share = settings.network.creator_share
    n_creators = max(1, int(round(creator_share * n_users)))
    needed = max(settings.campaign.n_creators if campaign else 2, 2)
    if n_creators < needed:
        # The smallest size whose creator count (as the society computes it, round half to
        # even) reaches ``needed``: (needed - 0.5) / share alone is refused when needed is odd.
        minimum = math.floor((needed - 0.5) / creator_share)
        while max(1, int(round(creator_share * minimum))) < needed:
            minimum += 1
        where = (f"the network file {settings.network.path} has {n_users} users"
                 if settings.network.kind == "file" else f"network.n_users={n_users}")
        raise ConfigError(
            f"{where}: with network.creator_share={creator_share:g} that makes {n_creators} creator(s), "
            f"fewer than the {needed} experiment {name} needs (one per campaign item, and at least "
            f"two to compare). It needs at least {minimum} users at this creator share, or a "
            "larger network.creator_share."
        )


def warm_up(config: Config) -> None:
    """Compile the kernels a run uses (or load them from numba's cache) in this process, before
    any worker starts: a short run of the experiment's first grid point on a small society,
    long enough for items to expire. Workers then load the cached machine code instead of each
    compiling it at once. Results are discarded; nothing is written."""
    point = {k: v for k, v in config_module.grid(config.experiment)[0].items() if not k.startswith("network")}
    small = dataclasses.replace(
        config,
        network=config_module.NetworkConfig(n_users=300),
        run=dataclasses.replace(config.run, n_replicates=1, worlds=1, n_steps=config.platform.item_lifetime_steps + 2),
    )
    simulate(small, RunSpec(index=0, point=point, replicate=0))


def unwritable_reason(folder: Path) -> str | None:
    """Why files cannot be created in ``folder`` (created if missing), or None if they can."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = Path(tempfile.mkstemp(prefix=".write-test-", dir=folder)[1])
        probe.unlink()
    except OSError as error:
        return error.strerror or str(error)
    return None


def check_output_folder(out_dir: Path, *, min_free_bytes: int = 100 * 2**20) -> None:
    """Refuse a run folder that cannot be written, or whose disk is nearly full, before any
    run starts (a run that cannot be written would be lost)."""
    reason = unwritable_reason(out_dir)
    if reason is not None:
        raise ConfigError(
            f"cannot write to the run folder {out_dir} ({reason}). Choose a folder you can write to "
            "(hydra.run.dir=...) or change its permissions; nothing was run."
        )
    free = shutil.disk_usage(out_dir).free
    if free < min_free_bytes:
        raise ConfigError(
            f"the disk holding {out_dir} has only {free / 2**20:.0f} MB free; an experiment writes every run's "
            f"tables there. Free at least {min_free_bytes / 2**20:.0f} MB or choose another folder "
            "(hydra.run.dir=...); nothing was run."
        )


def preflight(config: Config, out_dir: Path) -> RunsFolder:
    """Every check that can refuse an experiment, run before anything is written to ``out_dir``:
    the folder is writable, every grid point is valid and measurable, and a runs folder
    already there belongs to this configuration (:func:`inspect_runs_dir`). A refused command
    leaves the folder as it was. A network file's size is written into ``config.network.n_users``
    so that reports state the users actually simulated."""
    check_output_folder(out_dir)
    check_points(config)
    if config.network.kind == "file":  # the size the reports state is the file's, not a default
        config.network.n_users = file_users(config.network.path, config.network.clean)
    return inspect_runs_dir(config, out_dir / "runs", plan(config))


def _label(frame: pd.DataFrame, label: dict[str, Any]) -> pd.DataFrame:
    """``frame`` with the run's label columns first. One concatenation, not an insert per
    column: a sensitivity run's label holds every sampled factor (about fifty columns)."""
    labels = pd.DataFrame(label, index=frame.index)
    return pd.concat([labels, frame], axis=1)


# ---------------------------------------------------------------------- storage
def run_record(config: Config, spec: RunSpec) -> dict[str, Any]:
    """What identifies a run: its grid point, replicate and seeds, so it can be rerun alone."""
    worlds = config.run.worlds
    return {
        "name": spec.name,
        "index": spec.index,
        "point": spec.point,
        "replicate": spec.replicate,
        "root_seed": config.seed,
        "seed_sequence": {"entropy": config.seed, "spawn_key": [spec.replicate]},
        "shared_world_seed_sequence": {"entropy": config.seed, "spawn_key": [spec.replicate // worlds]},
        "design_hash": design_hash(config),
        "rerun": "diffusion.runner.simulate(config, diffusion.runner.RunSpec(index, point, replicate))",
    }


def write_run(result: RunResult, runs_dir: Path, record: dict[str, Any] | None = None) -> Path:
    """Write one run's tables (and its ``run.json`` record) atomically: a temporary folder,
    then a rename. A run folder therefore exists only once the run is complete."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    final = runs_dir / result.spec.name
    staging = Path(tempfile.mkdtemp(prefix=f".{result.spec.name}-", dir=runs_dir))
    for table in TABLES:
        getattr(result, table).to_parquet(staging / f"{table}.parquet", index=False)
    (staging / RUN_RECORD).write_text(json.dumps(record or {"name": result.spec.name}, indent=1, default=str))
    if final.exists():
        shutil.rmtree(final)
    os.replace(staging, final)
    return final


def gather(
    runs_dir: Path, specs: list[RunSpec], results: dict[int, RunResult] | None = None,
    drop: frozenset[str] = frozenset(),
) -> dict[str, pd.DataFrame]:
    """Concatenate the runs' tables in plan order (so results never depend on run order).

    Runs found in ``results`` (finished in this process) are taken from memory; the others
    are read from their folders under ``runs_dir``. Columns named in ``drop`` are left out
    as each run is read (a sensitivity folder written before runs were labelled by sample
    alone carries a column per factor).
    """
    results = results or {}
    tables = {}
    for table in TABLES:
        frames = [
            getattr(results[spec.index], table) if spec.index in results
            else pd.read_parquet(runs_dir / spec.name / f"{table}.parquet").drop(columns=list(drop), errors="ignore")
            for spec in specs
        ]
        frames = [f for f in frames if len(f)]
        tables[table] = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return tables


@dataclass(frozen=True)
class RunFailure:
    """A run that raised: what it was, its seed, and the error."""

    spec: RunSpec
    record: dict[str, Any]
    error: str
    details: str

    @classmethod
    def caught(cls, config: Config, spec: RunSpec, error: BaseException) -> RunFailure:
        """The failure of ``spec``, from inside the ``except`` block that caught ``error``."""
        return cls(spec, run_record(config, spec), f"{type(error).__name__}: {error}", traceback.format_exc())


def simulate_safely(config: Config, spec: RunSpec, *, day_progress: bool = False) -> RunResult | RunFailure:
    """:func:`simulate`, returning a :class:`RunFailure` instead of raising."""
    try:
        return simulate(config, spec, day_progress=day_progress)
    except Exception as error:  # one run's failure must not cost the others
        return RunFailure.caught(config, spec, error)


def _simulate_and_write(config: Config, spec: RunSpec, runs_dir: Path, day_progress: bool = False) -> RunResult | RunFailure:
    if multiprocessing.parent_process() is not None and threading.current_thread() is threading.main_thread():
        # A worker leaves Ctrl-C to the main process, which stops it (_stop_workers): a worker
        # interrupted mid-write would print a traceback over the one-paragraph message.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    outcome = simulate_safely(config, spec, day_progress=day_progress)
    if isinstance(outcome, RunResult):
        write_run(outcome, runs_dir, run_record(config, spec))
    return outcome


def _joblib_runs(config: Config, pending: list[RunSpec], runs_dir: Path) -> Iterator[RunResult | RunFailure]:
    """Local processes; each worker writes its own run folder (same filesystem)."""
    from joblib import Parallel, delayed

    if len(pending) == 1:  # one long run: in this process, with a bar over its days
        return (_simulate_and_write(config, s, runs_dir, day_progress=config.run.progress) for s in pending)
    if config.run.n_jobs == 1:
        return (_simulate_and_write(config, s, runs_dir) for s in pending)
    parallel = Parallel(n_jobs=config.run.n_jobs, return_as="generator_unordered")
    return parallel(delayed(_simulate_and_write)(config, s, runs_dir) for s in pending)


#: Dask settings for the LocalCluster (and recommended for a cluster that runs these jobs).
#: A run is one long, GIL-holding numpy computation: the worker's event loop waking every
#: 20 ms (tick) and its system monitor every 0.5 s contend for the GIL and slowed runs ~15%.
LOCAL_CLUSTER_SETTINGS = {
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "5s",
}


def _spawn_environ() -> dict:
    """Dask's worker environment without ``MALLOC_TRIM_THRESHOLD_=65536``, which makes glibc
    return memory after every large free; runs allocate and free many medium arrays and were
    ~50% slower under it."""
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return environ


def _dask_runs(config: Config, pending: list[RunSpec], runs_dir: Path) -> Iterator[RunResult | RunFailure]:
    """A Dask distributed cluster: ``run.scheduler`` if given, else a LocalCluster on loopback.

    On an external cluster workers only compute (they may run on machines without this folder)
    and the driver writes each run as its result arrives; a LocalCluster's workers write their
    own runs, like joblib's.
    """
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ConfigError(
            "run.backend=dask needs Dask distributed, which the core install leaves out: "
            "pip install 'diffusion[cluster]' (or pip install 'dask[distributed]')."
        ) from None
    cluster = None
    try:
        if config.run.scheduler:
            try:
                client = Client(config.run.scheduler, timeout="10s")
            except OSError as error:
                raise ConfigError(
                    f"run.scheduler={config.run.scheduler!r}: no Dask scheduler answered ({error}). Check the "
                    "address (tcp://HOST:PORT) and that the scheduler is running, or leave run.scheduler "
                    "unset for a local cluster."
                ) from None
        else:
            import dask

            n_workers = os.cpu_count() if config.run.n_jobs == -1 else config.run.n_jobs
            with dask.config.set(LOCAL_CLUSTER_SETTINGS | {"distributed.nanny.pre-spawn-environ": _spawn_environ()}):
                cluster = LocalCluster(
                    n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address=":0",
                )
            client = Client(cluster)
        # A LocalCluster shares this filesystem: its workers write their runs, as joblib's do.
        # Workers of an external cluster may not see this folder: the driver writes for them.
        local = cluster is not None
        task = functools.partial(_simulate_and_write, runs_dir=runs_dir) if local else simulate_safely
        with client:
            futures = [client.submit(task, config, spec, pure=False) for spec in pending]
            by_key = {future.key: spec for future, spec in zip(futures, pending)}
            for future in as_completed(futures):
                spec = by_key[future.key]
                try:
                    outcome = future.result()
                except Exception as error:  # the worker died (KilledWorker) or the result was lost
                    outcome = RunFailure.caught(config, spec, error)
                if isinstance(outcome, RunResult) and not local:
                    write_run(outcome, runs_dir, run_record(config, spec))
                future.release()
                yield outcome
    finally:
        if cluster is not None:
            cluster.close()


def design_hash(config: Config) -> str:
    """Hash of everything that decides the results, to check that a resumed experiment is the
    same one. How they are computed (the run-control keys) is left out."""
    design = dataclasses.asdict(config)
    if design.get("sensitivity") is None:  # a plain run hashes as before sensitivity existed
        design.pop("sensitivity", None)
    return config_hash(design)


def _first_line(error: BaseException) -> str:
    """``TypeName: first line of the message``, for one-paragraph reports of a caught error."""
    text = str(error)
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"


def _read_json(path: Path) -> tuple[Any, str | None]:
    """The JSON document in ``path`` and None, or None and why it cannot be read."""
    try:
        return json.loads(path.read_text()), None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, _first_line(error)


def _damage_of(config: Config, spec: RunSpec, folder: Path) -> str | None:
    """Why a finished run's folder cannot be used as it is (None: it is sound).

    The record must describe this run of this plan (point, replicate, root seed, and the
    design hash where recorded) and every table must read back whole.
    """
    record, error = _read_json(folder / RUN_RECORD)
    if error is not None:
        return f"{RUN_RECORD} cannot be read ({error})"
    expected = json.loads(json.dumps(run_record(config, spec), default=str))
    if not isinstance(record, dict):
        return f"{RUN_RECORD} does not hold a run record"
    for key in ("name", "point", "replicate", "root_seed", "design_hash"):
        if key == "design_hash" and key not in record:
            continue  # a run written before records carried the design hash
        if record.get(key) != expected.get(key):
            return f"{RUN_RECORD} records {key}={record.get(key)!r}, but this run has {expected.get(key)!r}"
    import pyarrow.parquet as pq

    for table in TABLES:
        try:
            pq.read_table(folder / f"{table}.parquet")
        except Exception as error:  # pyarrow raises several types for damaged files
            return f"{table}.parquet cannot be read ({_first_line(error)})"
    return None


@dataclass(frozen=True)
class RunsFolder:
    """What a runs folder holds, checked against the plan before anything is written.

    ``finished`` are the indices of sound finished runs; ``damaged`` maps a run's index to why
    its folder cannot be used (it is moved aside and recomputed); ``manifest_damage`` says why
    a damaged manifest could still be rebuilt from the runs' own records (None: it is sound
    or absent).
    """

    finished: frozenset[int]
    damaged: dict[int, str]
    manifest_damage: str | None


def inspect_runs_dir(config: Config, runs_dir: Path, specs: list[RunSpec]) -> RunsFolder:
    """Check a runs folder against this configuration, writing nothing.

    Raises
    ------
    ConfigError
        If the folder already holds runs and ``run.resume`` is false; if it holds runs of a
        different configuration; or if its manifest is damaged and the runs' own records
        cannot show that they belong to this configuration.
    """
    manifest_path = runs_dir / MANIFEST
    digest = design_hash(config)
    held = [s for s in specs if (runs_dir / s.name).is_dir()]
    if not manifest_path.exists():
        if held and not config.run.resume:
            raise ConfigError(
                f"{runs_dir.parent} already holds runs ({runs_dir / held[0].name}). Rerun with "
                "run.resume=true to compute only the missing runs, or choose a new folder (hydra.run.dir=...)."
            )
        return _sound_runs(config, runs_dir, held, None)
    if not config.run.resume:
        raise ConfigError(
            f"{runs_dir.parent} already holds runs of an experiment ({manifest_path}). Rerun with "
            "run.resume=true to compute only the missing runs, or choose a new folder "
            "(hydra.run.dir=...)."
        )
    manifest, error = _read_json(manifest_path)
    if error is None and not (isinstance(manifest, dict) and "design_hash" in manifest):
        error = "it holds no design hash"
    if error is None:
        if manifest["design_hash"] != digest:
            raise ConfigError(
                f"run.resume=true, but {runs_dir.parent} was started with a different configuration "
                f"(design hash {manifest['design_hash']}, now {digest}). Resume with exactly the "
                f"same command (only {', '.join('run.' + k for k in RUN_CONTROL_KEYS)} may change)."
            )
        return _sound_runs(config, runs_dir, held, None)
    # A damaged manifest: the runs' own records carry the design hash that made them (an
    # unreadable record marks its run as damaged: it is recomputed, not trusted).
    records = [_read_json(runs_dir / s.name / RUN_RECORD)[0] for s in held]
    hashes = {record.get("design_hash") for record in records if isinstance(record, dict)}
    if hashes and hashes != {digest}:
        raise ConfigError(
            f"{manifest_path} is damaged ({error}), and the runs in {runs_dir} do not all record this "
            f"configuration's design hash ({digest}), so they cannot be checked against this command. "
            f"If they were made by this same command, delete {manifest_path} and rerun with "
            "run.resume=true; otherwise choose a new folder (hydra.run.dir=...)."
        )
    return _sound_runs(config, runs_dir, held, error)


def _sound_runs(config: Config, runs_dir: Path, held: list[RunSpec], manifest_damage: str | None) -> RunsFolder:
    damaged = {s.index: why for s in held if (why := _damage_of(config, s, runs_dir / s.name)) is not None}
    finished = frozenset(s.index for s in held if s.index not in damaged)
    return RunsFolder(finished, damaged, manifest_damage)


def prepare_runs_dir(
    config: Config, runs_dir: Path, specs: list[RunSpec], *, notify: Callable[[str], None] | None = None,
    state: RunsFolder | None = None,
) -> set[int]:
    """Check the runs folder (:func:`inspect_runs_dir`), write or repair the manifest, move
    damaged run folders aside to ``runs/damaged/`` so they are recomputed, and return the
    indices of the sound finished runs. ``notify`` receives one line per repair. ``state`` is
    the folder as :func:`inspect_runs_dir` found it just before (by :func:`preflight`), so the
    finished runs' tables are not read back twice; default: inspect it now.

    Raises
    ------
    ConfigError
        As :func:`inspect_runs_dir`.
    """
    state = inspect_runs_dir(config, runs_dir, specs) if state is None else state
    notify = notify or (lambda line: print(line, file=sys.stderr))
    manifest_path = runs_dir / MANIFEST
    runs_dir.mkdir(parents=True, exist_ok=True)
    if state.manifest_damage is not None:
        aside = _move_aside(manifest_path, runs_dir / "damaged")
        notify(f"note: {manifest_path} was damaged ({state.manifest_damage}); every finished run records "
               f"this configuration, so the manifest was rebuilt (the damaged one is kept as {aside}).")
    if not manifest_path.is_file():
        manifest = {
            "design_hash": design_hash(config), "root_seed": config.seed, "n_runs": len(specs),
            "runs": [{"name": s.name, "point": s.point, "replicate": s.replicate} for s in specs],
        }
        staging = runs_dir / f".{MANIFEST}.tmp"
        staging.write_text(json.dumps(manifest, indent=1, default=str))
        os.replace(staging, manifest_path)
    names = {s.index: s.name for s in specs}
    for index, why in sorted(state.damaged.items()):
        aside = _move_aside(runs_dir / names[index], runs_dir / "damaged")
        notify(f"note: {names[index]} was damaged ({why}); moved to {aside} and computed again.")
    for leftover in runs_dir.glob(".run-*"):  # staging folders of runs cut off mid-write
        shutil.rmtree(leftover, ignore_errors=True)
    return set(state.finished)


def _move_aside(path: Path, folder: Path) -> Path:
    """Move ``path`` into ``folder`` under a name not yet taken; return where it went."""
    folder.mkdir(parents=True, exist_ok=True)
    target, n = folder / path.name, 1
    while target.exists():
        n += 1
        target = folder / f"{path.name}.{n}"
    os.replace(path, target)
    return target


def _report_failures(failures: list[RunFailure], runs_dir: Path, n_kept: int) -> None:
    (runs_dir / FAILURES).write_text(json.dumps(
        [{**f.record, "error": f.error, "traceback": f.details} for f in failures], indent=1, default=str
    ))
    first = failures[0]
    raise RunsFailed(
        f"{len(failures)} run(s) failed; the first, {first.spec.name} (grid point {first.spec.point or '{}'}, "
        f"replicate {first.spec.replicate}, root seed {first.record['root_seed']}), raised {first.error}. "
        f"Every failure with its seed and traceback is in {runs_dir / FAILURES}; the {n_kept} finished "
        "runs are kept. Fix the cause and rerun the same command with run.resume=true to compute only "
        "the missing runs."
    )


def _stop_workers(finished: Iterator) -> None:
    """After Ctrl-C: end the backend's iterator (joblib aborts its jobs) and stop the local
    worker processes, so none lingers and no semaphore is left for the system to clean up."""
    close = getattr(finished, "close", None)
    if close is not None:
        try:
            close()
        except Exception:  # noqa: BLE001 - interrupted workers may raise while shutting down
            pass
    try:
        from joblib.externals.loky import get_reusable_executor

        get_reusable_executor().shutdown(wait=True, kill_workers=True)
    except Exception:  # noqa: BLE001
        pass


def execute(
    config: Config,
    out_dir: Path,
    *,
    progress: Callable[[Iterator[RunResult], int], Iterator[RunResult]] | None = None,
    notify: Callable[[str], None] | None = None,
    checked: RunsFolder | None = None,
) -> dict[str, pd.DataFrame]:
    """Run every planned run, writing each as it completes, and gather the tables.

    Runs execute on ``run.backend``: ``joblib`` (``run.n_jobs`` local processes) or ``dask``
    (``run.scheduler``, or a LocalCluster). With ``run.resume`` only the runs missing from
    ``out_dir/runs`` are computed. Results never depend on the backend, the number of workers
    or the order in which runs finish.

    Parameters
    ----------
    config : Config
        The validated configuration.
    out_dir : pathlib.Path
        Run folder. Each run goes to ``out_dir/runs/run-NNNNN/``; the gathered tables are
        written to ``out_dir/{trajectories,outcomes,cascades,creators}.parquet``.
    progress : callable, optional
        Wraps the iterator of finished runs (e.g. a tqdm progress bar) given the total count.
    notify : callable, optional
        Receives one line for each repair of the runs folder (a damaged run moved aside);
        default: printed to standard error.
    checked : RunsFolder, optional
        What :func:`preflight` returned for this config and folder: its checks are then not
        repeated (the grid points, and reading back every finished run on resume).
    """
    if checked is None:
        check_points(config)
    specs = plan(config)
    runs_dir = out_dir / "runs"
    done = prepare_runs_dir(config, runs_dir, specs, notify=notify, state=checked)
    pending = [s for s in specs if s.index not in done]
    backend = _dask_runs if config.run.backend == "dask" else _joblib_runs
    finished: Iterator[RunResult | RunFailure] = backend(config, pending, runs_dir)
    if progress is not None:
        finished = progress(finished, len(pending))
    results: dict[int, RunResult] = {}
    failures: list[RunFailure] = []
    try:
        for outcome in finished:
            if isinstance(outcome, RunFailure):
                failures.append(outcome)
            else:
                results[outcome.spec.index] = outcome
    except KeyboardInterrupt:
        _stop_workers(finished)
        raise
    except Exception as error:  # the backend itself broke, e.g. a worker process died
        kept = len(done) + len(results)
        raise RunsFailed(
            f"the {config.run.backend} backend stopped after {len(results)} of {len(pending)} runs: "
            f"{_first_line(error)}. A worker "
            f"process may have died (out of memory, a crash in compiled code). The {kept} finished "
            f"runs are kept in {runs_dir}; rerun the same command with run.resume=true to compute "
            "the rest."
        ) from error
    if failures:
        _report_failures(sorted(failures, key=lambda f: f.spec.index), runs_dir, len(done) + len(results))
    (runs_dir / FAILURES).unlink(missing_ok=True)
    swept = {key.rsplit(".", 1)[-1] for point in config_module.grid(config.experiment) for key in point}
    factors = frozenset(key.rsplit(".", 1)[-1] for key in config_module.design_keys(config)) - swept
    tables = gather(runs_dir, specs, results, drop=factors)
    for name, frame in tables.items():
        frame.to_parquet(out_dir / f"{name}.parquet", index=False)
    return tables
