"""Command line: ``python -m diffusion +experiment=NAME [overrides...]``.

The only module that runs Hydra. It composes the config, validates it
(:func:`diffusion.config.to_settings`), runs the experiment (:func:`diffusion.runner.execute`)
with a progress bar, and writes into Hydra's run folder: ``.hydra/`` (resolved config),
``provenance.json``, the Parquet tables, ``figures/`` and ``report.md``.

A user mistake (bad value, unknown key, missing file) prints one paragraph and exits with
status 2, with no traceback; runs already finished stay in the run folder.
"""

from __future__ import annotations

import logging
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

from diffusion.config import TARGET_NODES, conf_dir
from diffusion.errors import DiffusionError

#: Exit status for a user mistake.
EXIT_USER_ERROR = 2


def fail(error: BaseException) -> None:
    """Print a user error as one paragraph and exit with :data:`EXIT_USER_ERROR`."""
    print(f"error: {error}", file=sys.stderr)
    raise SystemExit(EXIT_USER_ERROR)


#: Hydra flags followed by a value (``--cfg job``), and ``--info``'s optional values.
_FLAGS_WITH_VALUE = {"-c", "--cfg", "-p", "--package", "-cp", "--config-path", "-cn", "--config-name",
                     "-cd", "--config-dir", "--experimental-rerun"}
_INFO_VALUES = {"all", "config", "defaults", "defaults-tree", "plugins", "searchpath"}


def _override_arguments(arguments: list[str]) -> list[str]:
    """The command line without Hydra's own flags and their values."""
    kept, skip = [], False
    for i, argument in enumerate(arguments):
        if skip:
            skip = False
            continue
        if argument.startswith("-"):
            following = arguments[i + 1] if i + 1 < len(arguments) else ""
            skip = argument in _FLAGS_WITH_VALUE or (argument in ("-i", "--info") and following in _INFO_VALUES)
            continue
        kept.append(argument)
    return kept


def check_overrides(arguments: list[str], config_dir: Path) -> None:
    """Reject an unknown config key or group option before Hydra composes the config.

    Hydra's own messages for these mistakes are correct but terse; this names the key, lists
    what is allowed, and suggests the closest spelling. Values are checked later, by the schema.
    """
    import difflib

    from hydra.core.override_parser.overrides_parser import OverridesParser
    from omegaconf import OmegaConf

    from diffusion.config import schema

    try:
        overrides = OverridesParser.create().parse_overrides(_override_arguments(arguments))
    except Exception as error:  # Hydra's grammar errors: report the text
        raise DiffusionError(f"cannot parse the command line: {error}") from None
    groups = {p.name: sorted(f.stem for f in p.glob("*.yaml")) for p in config_dir.iterdir() if p.is_dir()}
    experiment, sweep = _sweep_of(overrides, config_dir)
    swept = _swept_groups(sweep)
    base = schema()
    for override in overrides:
        key = override.key_or_group
        if key.startswith("hydra") or override.is_delete():
            continue
        _check_not_swept(override, experiment, sweep)
        _check_not_overwritten_by_sweep(key, swept, config_dir)
        if key in groups:
            value = override.value()
            if isinstance(value, str) and value not in groups[key]:
                close = difflib.get_close_matches(value, groups[key], n=1)
                plus = "+" if key == "experiment" else ""
                hint = f" Did you mean {plus}{key}={close[0]}?" if close else ""
                raise DiffusionError(
                    f"{key}={value} names no file in conf/{key}/; allowed: "
                    f"{', '.join(groups[key])}.{hint}"
                )
            continue
        node = next((n for n in (*TARGET_NODES, "network.generator") if key.startswith(n + ".")), None)
        if node is not None:
            _check_target_override(node, key, override.input_line.startswith("+"), overrides, config_dir)
            continue
        if key.startswith("sensitivity."):
            # the sensitivity node is empty (None) until +sensitivity=... fills it: check its schema
            _check_sensitivity_key(key)
            continue
        if OmegaConf.select(base, key, default=_ABSENT) is _ABSENT and not key.startswith("experiment.sweep"):
            parent, _, leaf = key.rpartition(".")
            node = OmegaConf.select(base, parent) if parent else base
            allowed = sorted(node.keys()) if hasattr(node, "keys") else []
            close = difflib.get_close_matches(leaf, allowed, n=1)
            hint = f" Did you mean {parent + '.' if parent else ''}{close[0]}?" if close else ""
            raise DiffusionError(
                f"unknown config key {key!r}. Keys allowed under {parent or 'the top level'}: "
                f"{', '.join(allowed)}.{hint}"
            )
        if not key.startswith("experiment"):
            _check_value_types(override, base)


_ABSENT = object()


def _check_sensitivity_key(key: str) -> None:
    """A ``sensitivity.NAME`` override must name a field of the sensitivity schema."""
    import dataclasses
    import difflib

    from diffusion.config import SensitivityConfig

    allowed = [f.name for f in dataclasses.fields(SensitivityConfig) if f.name != "points"]
    leaf = key.removeprefix("sensitivity.").split(".")[0]
    if leaf not in allowed:
        close = difflib.get_close_matches(leaf, allowed, n=1)
        hint = f" Did you mean sensitivity.{close[0]}?" if close else ""
        raise DiffusionError(f"unknown config key {key!r}. Keys allowed under sensitivity: {', '.join(allowed)}.{hint}")


def _values(override) -> list:
    """The value(s) of an override: every value of a multirun sweep (``a,b``), else the one."""
    if override.is_sweep_override():
        try:
            return list(override.sweep_iterator())
        except Exception:  # an interval sweep (only for Hydra's sweeper plugins): leave it to Hydra
            return []
    return [override.value()]


def _check_value_types(override, base) -> None:
    """A value of the wrong type (``network.n_users=abc``) gets the package's one-line message,
    with the allowed range where the parameter has one, instead of Hydra's merge error."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from diffusion.config import describe_bad_value

    key = override.key_or_group
    for value in _values(override):
        trial = base.copy()
        try:
            OmegaConf.update(trial, key, value, merge=True)
        except OmegaConfBaseException:
            raise DiffusionError(describe_bad_value(key, value)) from None


def _check_not_swept(override, experiment: str | None, sweep: dict) -> None:
    """An override of a key (or group) that the experiment sweeps would be replaced at every grid
    point, silently: refuse it and say how to change the grid instead."""
    key = override.key_or_group
    if key not in sweep or key.startswith("experiment"):
        return
    given = override.input_line.partition("=")[2] if override.input_line else str(override.value())
    grid = ", ".join(str(v) for v in sweep[key])
    values = ",".join(str(v) for v in _values(override)) or given
    raise DiffusionError(
        f"{key}={given} would be ignored: experiment {experiment} sweeps {key} over [{grid}] and sets it "
        f"at every grid point. To run other values, change the grid instead: "
        f"'experiment.sweep.{key}=[{values}]' (one value or several)."
    )


def _check_target_override(node: str, key: str, appends: bool, overrides: list, config_dir: Path) -> None:
    """An override such as ``platform.policy.NAME`` or ``strategy.NAME`` must name an argument
    of the chosen option's class; one the option file does not set needs Hydra's ``+`` prefix."""
    from omegaconf import OmegaConf

    from diffusion.config import check_target_arguments, network_generator

    _, group, inside, default = TARGET_NODES.get(node, (None, "network", "generator", "society"))
    option = next((o.value() for o in overrides if o.key_or_group == group), default)
    loaded = OmegaConf.to_container(OmegaConf.load(config_dir / group / f"{option}.yaml")) or {}
    spec = (loaded.get(inside) if inside else loaded) or {}
    name = key.removeprefix(node + ".")
    if name == "_target_":
        return  # another class: its arguments are checked when it is built
    if node == "network.generator":
        if not spec:
            raise DiffusionError(
                f"{key}: the network option {option!r} has no generator (its kind is not generator). "
                "Choose a network option whose file sets kind: generator, e.g. network=NAME."
            )
        network_generator({**spec, name: None})
    else:
        check_target_arguments(node, {**spec, name: None})
    if name not in spec and not appends:
        raise DiffusionError(
            f"{key} is an argument of the {option} {group} option that conf/{group}/{option}.yaml "
            f"does not set; add it with a leading plus: +{key}=VALUE."
        )


def _sweep_of(overrides: list, config_dir: Path) -> tuple[str | None, dict]:
    """The experiment's name and its sweep grid, from its file and the command line's
    ``experiment.sweep...`` overrides (after :func:`rewrite_sweep_arguments`)."""
    from omegaconf import OmegaConf

    sweep: dict = {}
    experiment = next((o.value() for o in overrides if o.key_or_group == "experiment"), None)
    path = config_dir / "experiment" / f"{experiment}.yaml"
    if experiment and path.is_file():
        # An experiment without a sweep (one grid point) has no node to convert.
        node = OmegaConf.select(OmegaConf.load(path), "experiment.sweep", default=None)
        sweep.update(OmegaConf.to_container(node) if node is not None else {})
    for override in overrides:
        if override.key_or_group.startswith("experiment.sweep."):
            sweep[override.key_or_group.removeprefix("experiment.sweep.")] = override.value()
        elif override.key_or_group == "experiment.sweep" and isinstance(override.value(), dict):
            sweep.update(override.value())
    return experiment, sweep


def _swept_groups(sweep: dict) -> dict[str, list[str]]:
    """Config groups the experiment sweeps by option name."""
    from diffusion.config import SWEEPABLE_GROUPS

    return {group: list(options) for group, options in sweep.items() if group in SWEEPABLE_GROUPS and isinstance(options, list)}


def rewrite_sweep_arguments(arguments: list[str]) -> list[str]:
    """``experiment.sweep.network.weak_tie_share=[0,0.5]`` as Hydra can apply it.

    A sweep key is itself a dotted config key, which Hydra would read as a path of nested
    nodes (and refuse: "not in struct"). The documented form is rewritten to the dictionary
    form Hydra merges into the experiment's sweep, ``experiment.sweep={network.weak_tie_share:[0,0.5]}``:
    that key's values are replaced and the experiment's other sweep keys stay.
    """
    rewritten = []
    for argument in arguments:
        key, equals, value = argument.partition("=")
        prefix = key[: len(key) - len(key.lstrip("+~"))]
        name = key[len(prefix):]
        if equals and prefix in ("", "+", "++") and name.startswith("experiment.sweep.") and "." in name.removeprefix("experiment.sweep."):
            # No "+": experiment.sweep always exists, and Hydra refuses to append to it.
            argument = f"experiment.sweep={{{name.removeprefix('experiment.sweep.')}:{value}}}"
        elif equals and prefix in ("", "+", "++") and name.startswith("sensitivity.sweep"):
            # the sensitivity node comes from +sensitivity=...: Hydra merges a dict into it only with ++
            inner = name.removeprefix("sensitivity.sweep").lstrip(".")
            argument = f"++sensitivity.sweep={{{inner}:{value}}}" if inner else f"++sensitivity.sweep={value}"
        rewritten.append(argument)
    return rewritten


def _check_not_overwritten_by_sweep(key: str, swept: dict[str, list[str]], config_dir: Path) -> None:
    """A value under a swept group that the group's options set would be silently replaced by
    each option: refuse it and say what to do instead."""
    from omegaconf import OmegaConf

    from diffusion.config import WHOLE_NODE_GROUPS

    group, _, rest = key.partition(".")
    if not rest or group not in swept:
        return
    set_by_options = set()
    for option in swept[group]:
        set_by_options |= set(OmegaConf.load(config_dir / group / f"{option}.yaml") or {})
    if rest.split(".")[0] in set_by_options or group in WHOLE_NODE_GROUPS:
        raise DiffusionError(
            f"{key} would be replaced by each {group} option the experiment sweeps "
            f"({', '.join(swept[group])}), which set {group}.{rest.split('.')[0]} themselves. Edit "
            f"conf/{group}/OPTION.yaml, or run one option outside the sweep: "
            f"python -m diffusion {group}=OPTION {key}=VALUE."
        )


#: Flags after which Hydra prints something instead of running the experiment.
_NO_RUN_FLAGS = {"-h", "--help", "--hydra-help", "-c", "--cfg", "-i", "--info", "--version", "--shell-completion", "-sc"}


def check_output_target(arguments: list[str]) -> None:
    """Refuse, before Hydra creates anything, an output folder that cannot be written: the
    ``hydra.run.dir`` (``hydra.sweep.dir`` with ``-m``) given, else the current directory,
    where Hydra's default ``outputs/`` goes. The run folder itself is checked again, with the
    free disk space, by :func:`diffusion.runner.preflight`."""
    if _NO_RUN_FLAGS.intersection(arguments):
        return
    multirun = "-m" in arguments or "--multirun" in arguments
    key = "hydra.sweep.dir=" if multirun else "hydra.run.dir="
    given = next((a.removeprefix(key) for a in arguments if a.startswith(key)), None)
    target = Path.cwd() if given is None else Path(given.split("$", 1)[0] or ".")
    existing = target
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    from diffusion.runner import unwritable_reason

    reason = unwritable_reason(existing)
    if reason is not None:
        where = "the current directory, where outputs/ would go" if given is None else given
        raise DiffusionError(
            f"cannot write the run folder {where}: {existing} is not writable ({reason}). Choose a "
            f"folder you can write to ({key}...) or change its permissions; nothing was run."
        )


def _progress(finished: Iterator, total: int) -> Iterator:
    from tqdm.auto import tqdm

    # In a log file (no terminal) redraw rarely, so the log stays readable.
    interval = 0.1 if sys.stderr.isatty() else 10.0
    yield from tqdm(finished, total=total, desc="runs", unit="run", dynamic_ncols=True, mininterval=interval)


def run_task(cfg, *, command: str | None = None, progress: bool | None = None) -> Path:  # cfg: omegaconf.DictConfig
    """Run the experiment described by a composed config; return the run folder.

    Every check that can refuse the command runs before anything is written
    (:func:`diffusion.runner.preflight`), so a refused command leaves an existing run folder
    byte for byte as it was. Then the folder's record is written (``.hydra/``,
    ``provenance.json``), the kernels are compiled or loaded, and the runs start.

    The command line and :func:`diffusion.api.run_experiment` both run here: the run folder is
    Hydra's ``runtime.output_dir``; ``command`` (default: this process's command line) goes into
    the provenance record; ``progress`` (default: ``run.progress``) shows the progress bar.
    """
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    from diffusion.analyses import analyse
    from diffusion.config import to_settings
    from diffusion.provenance import config_hash, provenance, scientific_config, write_provenance
    from diffusion.runner import execute, plan, preflight

    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    settings = to_settings(cfg)
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    design = None
    if settings.config.sensitivity is not None:  # +sensitivity=...: the design becomes grid points (issue 20)
        from diffusion.sensitivity import prepare

        design = prepare(settings.config, out_dir)
    checked = preflight(settings.config, out_dir)
    resolved = OmegaConf.to_container(cfg, resolve=True)
    if command is None:
        command = "python -m diffusion " + " ".join(shlex.quote(a) for a in _original_arguments())
    record = provenance(
        seed=settings.config.seed,
        config_hash=config_hash(resolved),
        command=command,
        extra={"experiment": settings.experiment.name, "scale": settings.config.scale,
               "config": scientific_config(resolved)},
    )
    write_run_record(cfg, out_dir)
    write_provenance(out_dir / "provenance.json", record)
    _warm_up(settings.config)
    progress = _progress if (settings.run.progress if progress is None else progress) else None
    try:
        tables = execute(settings.config, out_dir, progress=progress, checked=checked)
    except KeyboardInterrupt:
        _interrupted(out_dir, len(plan(settings.config)))
    if design is not None:
        from diffusion.sensitivity import analyse_run

        report = analyse_run(settings, design, tables, out_dir)
    else:
        report = analyse(settings, tables, out_dir, header=record)
    print(f"results: {out_dir}\nreport:  {report}")
    return out_dir


def write_run_record(cfg, out_dir: Path) -> None:
    """Write ``.hydra/config.yaml``, ``hydra.yaml`` and ``overrides.yaml`` as Hydra would.

    Hydra's own copy is switched off (``hydra.output_subdir: null`` in ``conf/config.yaml``)
    because it is written before the task starts, so a command refused afterwards would
    overwrite the record of a finished run with a config that did not make its tables.
    """
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    hydra_cfg = HydraConfig.get()
    folder = out_dir / ".hydra"
    folder.mkdir(parents=True, exist_ok=True)
    OmegaConf.save(cfg, folder / "config.yaml")
    OmegaConf.save(OmegaConf.create({"hydra": OmegaConf.to_container(hydra_cfg)}), folder / "hydra.yaml")
    OmegaConf.save(hydra_cfg.overrides.task, folder / "overrides.yaml")


def _original_arguments() -> list[str]:
    """The command line as the user typed it (before :func:`rewrite_sweep_arguments`)."""
    return _ARGUMENTS or sys.argv[1:]


_ARGUMENTS: list[str] = []


def _warm_up(config) -> None:
    """Compile the kernels before the progress bar starts, saying so when numba's cache is
    empty (the first run on a machine), so the bar's first estimate is not a compile time."""
    import time

    from numba.core.config import CACHE_DIR

    from diffusion.runner import warm_up

    # numba's cache index files sit in __pycache__ beside the sources, or under NUMBA_CACHE_DIR
    first = not any(Path(CACHE_DIR).rglob("*.nbi") if CACHE_DIR else
                    Path(__file__).resolve().parent.rglob("__pycache__/*.nbi"))
    if first:
        print("compiling kernels (first run only, up to a minute)...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        warm_up(config)
    except DiffusionError:
        raise
    except Exception:  # noqa: BLE001 - a failing warm-up is reported by the real runs
        return
    if first:
        print(f"compiled in {time.perf_counter() - started:.0f} s; later runs load them from the cache.",
              file=sys.stderr, flush=True)


def _interrupted(out_dir: Path, total: int) -> None:
    """Ctrl-C: say what was kept of the ``total`` planned runs and how to continue, then exit
    with status 130."""
    from diffusion.runner import RUN_RECORD

    runs = out_dir / "runs"
    finished = len(list(runs.glob(f"run-*/{RUN_RECORD}")))
    kept = [a for a in _original_arguments() if not a.startswith(("run.resume=", "hydra.run.dir="))]
    resume = " ".join(["python -m diffusion", *(shlex.quote(a) for a in kept),
                       shlex.quote(f"hydra.run.dir={out_dir}"), "run.resume=true"])
    print(
        f"interrupted: {finished} of {total} runs had finished and are kept in {runs} (each written "
        f"whole as it finished; a run cut off mid-way is discarded). Continue with:\n  {resume}",
        file=sys.stderr,
    )
    raise SystemExit(130)


def main() -> None:
    """Entry point of ``python -m diffusion`` and the ``diffusion`` script."""
    import hydra
    from hydra.core.config_store import ConfigStore

    from diffusion.config import Config

    try:
        path = conf_dir()
    except DiffusionError as error:
        fail(error)
    ConfigStore.instance().store(name="diffusion_schema", node=Config)
    _ARGUMENTS[:] = sys.argv[1:]
    sys.argv[1:] = rewrite_sweep_arguments(sys.argv[1:])
    try:
        check_overrides(sys.argv[1:], path)
        check_output_target(sys.argv[1:])
    except DiffusionError as error:
        fail(error)

    @hydra.main(version_base="1.3", config_path=str(path), config_name="config")
    def _task(cfg) -> None:
        try:
            run_task(cfg)
        except DiffusionError as error:
            fail(error)

    try:
        _task()
    except KeyboardInterrupt:  # before the runs started (composing, checking, compiling)
        print("interrupted before any run started; nothing was computed.", file=sys.stderr)
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
