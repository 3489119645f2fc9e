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
    swept = _swept_groups(overrides, config_dir)
    base = schema()
    for override in overrides:
        key = override.key_or_group
        if key.startswith("hydra") or override.is_delete():
            continue
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


_ABSENT = object()


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


def _swept_groups(overrides: list, config_dir: Path) -> dict[str, list[str]]:
    """Config groups the experiment sweeps by option name (from its file and the command line)."""
    from omegaconf import OmegaConf

    from diffusion.config import SWEEPABLE_GROUPS

    sweep: dict = {}
    experiment = next((o.value() for o in overrides if o.key_or_group == "experiment"), None)
    path = config_dir / "experiment" / f"{experiment}.yaml"
    if experiment and path.is_file():
        sweep.update(OmegaConf.to_container(OmegaConf.select(OmegaConf.load(path), "experiment.sweep", default={})))
    for override in overrides:
        if override.key_or_group.startswith("experiment.sweep."):
            sweep[override.key_or_group.removeprefix("experiment.sweep.")] = override.value()
    return {group: list(options) for group, options in sweep.items() if group in SWEEPABLE_GROUPS and isinstance(options, list)}


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


def _progress(finished: Iterator, total: int) -> Iterator:
    from tqdm.auto import tqdm

    # In a log file (no terminal) redraw rarely, so the log stays readable.
    interval = 0.1 if sys.stderr.isatty() else 10.0
    yield from tqdm(finished, total=total, desc="runs", unit="run", dynamic_ncols=True, mininterval=interval)


def run_task(cfg) -> Path:  # cfg: omegaconf.DictConfig
    """Run the experiment described by a composed config; return the run folder."""
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    from diffusion.analyses import analyse
    from diffusion.config import to_settings
    from diffusion.provenance import config_hash, provenance, write_provenance
    from diffusion.runner import execute

    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    settings = to_settings(cfg)
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    resolved = OmegaConf.to_container(cfg, resolve=True)
    digest = config_hash(resolved)
    command = "python -m diffusion " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    record = provenance(
        seed=settings.config.seed,
        config_hash=digest,
        command=command,
        extra={"experiment": settings.experiment.name, "scale": settings.config.scale},
    )
    write_provenance(out_dir / "provenance.json", record)
    progress = _progress if settings.run.progress else None
    tables = execute(settings.config, out_dir, progress=progress)
    report = analyse(settings, tables, out_dir, header=record)
    print(f"results: {out_dir}\nreport:  {report}")
    return out_dir


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
    try:
        check_overrides(sys.argv[1:], path)
    except DiffusionError as error:
        fail(error)

    @hydra.main(version_base="1.3", config_path=str(path), config_name="config")
    def _task(cfg) -> None:
        try:
            run_task(cfg)
        except DiffusionError as error:
            fail(error)

    _task()


if __name__ == "__main__":
    main()
