"""Typed configuration: the schema behind ``conf/`` and its conversion to parameter objects.

The schema is assembled from the parameter dataclasses the library layers already define
(:mod:`diffusion.params`, the keyword arguments of
:func:`diffusion.networks.weak_tie_society`), so every default is written exactly once.
Hydra validates types and unknown keys when it composes the config; ranges are checked when
:func:`to_settings` turns the composed config into dataclasses (each ``__post_init__``).
Errors are :class:`~diffusion.errors.ConfigError` with a message naming the key.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from diffusion.errors import ConfigError, DiffusionError
from diffusion.knockouts import KNOCKOUTS
from diffusion.networks import society as society_module
from diffusion.networks.removal import REMOVAL_RULES
from diffusion.params import (
    BEHAVIOUR_RANGES,
    CAMPAIGN_RANGES,
    PLATFORM_RANGES,
    BehaviourParams,
    CampaignParams,
    PlatformParams,
    Range,
    check_range,
)
from diffusion.policies import ExposurePolicy

#: Network kinds the config can build: the weak-tie society, a user's file, a hub-dominated
#: Barabási–Albert graph of the same size and mean degree (D5), and any generator function named
#: by a ``_target_`` spec (``network.generator``), each hosting the platform.
NETWORK_KINDS = ("society", "file", "barabasi_albert", "generator")
#: Where runs can execute (see :func:`diffusion.runner.execute`).
BACKENDS = ("joblib", "dask")
#: Config groups a sweep can range over by option name (e.g. ``platform: [centralized, ...]``).
SWEEPABLE_GROUPS = ("network", "platform", "behaviour", "strategy")
#: Groups whose option replaces the whole config node (a ``_target_`` spec: another class takes
#: other arguments), rather than setting the keys it names.
WHOLE_NODE_GROUPS = ("strategy",)
#: Config nodes instantiated through Hydra's ``_target_``: the key, the base class's import
#: path, and the group whose options hold them (key inside the option file, default option).
TARGET_NODES = {
    "platform.policy": ("diffusion.policies.ExposurePolicy", "platform", "policy", "baseline"),
    "strategy": ("diffusion.strategies.CreatorStrategy", "strategy", None, "organic"),
}


def conf_dir() -> Path:
    """Absolute path of the config folder: the installed package's own, else the repo's.

    A non-editable install ships ``conf/`` inside the wheel as ``diffusion/conf``; a source
    checkout (or an editable install) keeps it at the top of the repository.
    """
    package = Path(__file__).resolve().parent
    for candidate in (package / "conf", package.parent / "conf"):
        if (candidate / "config.yaml").is_file():
            return candidate
    raise DiffusionError(
        f"cannot find the config folder: neither {package / 'conf'} nor {package.parent / 'conf'} "
        "holds config.yaml. Reinstall the package (pip install .) or run from the repository."
    )


def group_options(group: str) -> list[str]:
    """Option names of a config group (the YAML files in ``conf/GROUP/``)."""
    return sorted(path.stem for path in (conf_dir() / group).glob("*.yaml"))


def _society_fields() -> list[tuple[str, Any, Any]]:
    """(name, type, dataclass field) for each keyword of :func:`weak_tie_society` but ``rng``."""
    hints = typing.get_type_hints(society_module.weak_tie_society)
    result = []
    for name, parameter in inspect.signature(society_module.weak_tie_society).parameters.items():
        if name == "rng":
            continue
        annotation = hints.get(name, Any)
        if isinstance(annotation, types.UnionType):  # OmegaConf wants typing.Optional
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = Optional[args[0]] if len(args) == 1 else Any
        default = parameter.default
        if default is inspect.Parameter.empty:
            default = dataclasses.MISSING
        result.append((name, annotation, field(default=default)))
    return result


def _validate_network(self) -> None:
    if self.kind not in NETWORK_KINDS:
        raise ConfigError(
            f"network.kind={self.kind!r} is not a known network kind; allowed: {', '.join(NETWORK_KINDS)}."
        )
    if self.kind == "generator" and not (self.generator or {}).get("_target_"):
        raise ConfigError(
            "network.kind=generator needs network.generator._target_=module.function: a function "
            "taking n_users and rng (and its own keywords) and returning an igraph.Graph."
        )
    if self.kind == "file" and not self.path:
        raise ConfigError("network.kind=file needs network.path=PATH to a CSV, GraphML or edge list.")
    if self.kind in ("society", "barabasi_albert"):
        names = inspect.signature(society_module.validate_society_parameters).parameters
        society_module.validate_society_parameters(**{name: getattr(self, name) for name in names})
    if self.removal_rule not in ("none", *REMOVAL_RULES):
        raise ConfigError(
            f"network.removal_rule={self.removal_rule!r} is not a removal rule; allowed: none, "
            f"{', '.join(REMOVAL_RULES)}."
        )
    check_range("network", "removal_fraction", self.removal_fraction, 0.0, 0.99)
    if self.removal_rule == "none" and self.removal_fraction > 0:
        raise ConfigError(
            f"network.removal_fraction={self.removal_fraction} removes users, but "
            "network.removal_rule=none says how to choose them: set network.removal_rule to one "
            f"of {', '.join(REMOVAL_RULES)}."
        )


#: ``network/`` group schema: the society generator's keywords, plus the kind and a file path.
NetworkConfig = dataclasses.make_dataclass(
    "NetworkConfig",
    [
        ("kind", str, field(default="society")),
        ("path", Optional[str], field(default=None)),
        # kind=file: drop self-loops and merge duplicate edges instead of refusing the file
        ("clean", bool, field(default=False)),
        ("generator", Optional[dict[str, Any]], field(default=None)),
        *_society_fields(),
        # D5: take users out after building (diffusion.networks.removal)
        ("removal_rule", str, field(default="none")),
        ("removal_fraction", float, field(default=0.0)),
    ],
    namespace={"__post_init__": _validate_network},
)

# Pickle (and so joblib workers) find the class by module and name: make it importable.
NetworkConfig.__module__ = __name__
NetworkConfig.__doc__ = (
    "Network to build (config group ``network/``). ``kind=society`` calls "
    ":func:`diffusion.networks.weak_tie_society` with the other fields; ``kind=file`` loads "
    "``path`` with :func:`diffusion.networks.load_network`, ``kind=barabasi_albert`` "
    "draws a Barabási–Albert graph with ``n_users`` nodes and ``m = round(mean_degree / 2)`` and "
    "``kind=generator`` calls the function ``generator._target_`` names with ``n_users``, ``rng`` "
    "and the spec's other keys (:func:`generate_network`); all three then host the platform "
    "through :func:`diffusion.networks.society_from_graph`. "
    "``removal_rule``/``removal_fraction`` remove users afterwards (D5)."
)


@dataclass
class RunConfig:
    """How many replicates and days, and how to run them."""

    #: Replicates per grid point; replicate r uses the same seeds in every scenario (paired).
    n_replicates: int = 20
    #: Days simulated per run.
    n_steps: int = 30
    #: Parallel worker processes (joblib), -1 for one per core; results do not depend on it.
    n_jobs: int = -1
    #: Show a progress bar.
    progress: bool = True
    #: Create one Mesa agent per user (off only for very large batch runs).
    create_agents: bool = True
    #: Where runs execute: ``joblib`` (local processes) or ``dask`` (a Dask distributed
    #: cluster: ``scheduler`` if given, else a LocalCluster on this machine).
    backend: str = "joblib"
    #: Address of an existing Dask scheduler, e.g. ``tcp://10.0.0.5:8786`` (backend=dask only).
    scheduler: Optional[str] = None
    #: Finish an interrupted experiment in the same folder (hydra.run.dir=...): runs already
    #: written are kept and only the missing ones are computed.
    resume: bool = False
    #: Independent worlds per society (MusicLab design, :mod:`diffusion.rng`): replicates come
    #: in groups of this size sharing the network and the posted items. 1: every replicate is
    #: its own world.
    worlds: int = 1

    def __post_init__(self) -> None:
        check_range("run", "n_replicates", self.n_replicates, 1, integer=True)
        check_range("run", "worlds", self.worlds, 1, integer=True)
        if self.backend not in BACKENDS:
            raise ConfigError(f"run.backend={self.backend!r} is not a backend; allowed: {', '.join(BACKENDS)}.")
        if self.scheduler and self.backend != "dask":
            raise ConfigError(
                f"run.scheduler={self.scheduler!r} is a Dask scheduler address; it needs run.backend=dask."
            )
        if self.n_replicates % self.worlds:
            raise ConfigError(
                f"run.n_replicates={self.n_replicates} is not a multiple of run.worlds="
                f"{self.worlds}: replicates come in groups of independent worlds. Use a multiple."
            )
        check_range("run", "n_steps", self.n_steps, 1, integer=True)
        if self.n_jobs == 0 or self.n_jobs < -1:
            raise ConfigError(
                f"run.n_jobs={self.n_jobs} is not allowed: use a positive number of worker "
                "processes, or -1 for one per core."
            )


@dataclass
class ExperimentConfig:
    """What an experiment file sets: its name, the claims it tests and its sweep grid."""

    name: str = "default"
    #: Claim IDs tested (``claims.md``), e.g. ``[W1, W2]``.
    claims: list[str] = field(default_factory=list)
    #: Grid: dotted config key -> list of values. The product of all lists is run.
    sweep: dict[str, list[Any]] = field(default_factory=dict)
    #: Knock-out arms (issue 18): claim ID -> where the claim's knock-out runs, as
    #: ``{sweep key: [values]}`` (a sweep key left out: all its values). The override comes from
    #: :data:`diffusion.knockouts.KNOCKOUTS`; arms run on the same replicates
    #: and their runs carry ``knockout = CLAIM`` (``none`` for the grid itself).
    knockouts: dict[str, Any] = field(default_factory=dict)


@dataclass
class SensitivityConfig:
    """A global sensitivity analysis of an experiment (config group ``sensitivity/``, issue 20;
    :mod:`diffusion.sensitivity`). Each sampled point of the plausible space is run as a grid
    point of the experiment, crossed with its sweep, on the same paired replicates."""

    #: ``morris`` (elementary effects, screening), ``sobol`` (Saltelli design, S1 and ST) or
    #: ``posterior`` (verdicts over calibration posterior draws).
    method: str = "morris"
    #: Factors sampled: dotted keys of ranged parameters (:func:`plausible_space`); empty: all
    #: ranged parameters the experiment does not sweep (or, for sobol, the ``top`` factors of
    #: the screening in ``screening``).
    factors: list[str] = field(default_factory=list)
    #: Morris: trajectories. Sobol: base sample size N (points = N * (D + 2)).
    n_samples: int = 10
    #: Morris grid levels.
    levels: int = 4
    #: Sobol: ``indices.csv`` of a Morris run whose top factors (by mu*) are decomposed.
    screening: Optional[str] = None
    #: Sobol: how many factors to take from the screening.
    top: int = 5
    #: Method ``posterior``: CSV of parameter draws (columns: ranged dotted keys), e.g. the
    #: ``posterior_draws.csv`` of ``python -m diffusion.calibration``.
    posterior: Optional[str] = None
    #: Morris: ``none`` (one step per factor) or ``mechanism`` (the factors of one mechanism
    #: move together, :data:`diffusion.sensitivity.experiment.MECHANISMS`: 8 steps per
    #: trajectory instead of 46, for experiments too costly to screen factor by factor).
    groups: str = "none"
    #: Seed of the design (the runs' seeds still come from the root ``seed``).
    design_seed: int = 0
    #: Sweep used in place of the experiment's (fewer points per sample); empty: the experiment's.
    sweep: dict[str, list[Any]] = field(default_factory=dict)
    #: The design's points (dotted key -> value), written by :mod:`diffusion.sensitivity`
    #: before the runs start; part of the design hash, so a resumed run with another design is
    #: refused.
    points: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Config:
    """The whole configuration (``conf/config.yaml`` extends this schema)."""

    #: Root seed: every replicate's streams derive from it (numpy SeedSequence).
    seed: int = 2021
    #: Name of the scale preset in use (``scale/``).
    scale: str = "paper"
    network: NetworkConfig = field(default_factory=NetworkConfig)  # type: ignore[valid-type]
    platform: PlatformParams = field(default_factory=PlatformParams)
    behaviour: BehaviourParams = field(default_factory=BehaviourParams)
    campaign: CampaignParams = field(default_factory=CampaignParams)
    run: RunConfig = field(default_factory=RunConfig)
    experiment: ExperimentConfig = field(default_factory=ExperimentConfig)
    #: The focal creators' growth strategy: a ``_target_`` spec (config group ``strategy/``,
    #: :mod:`diffusion.strategies`), instantiated per run. None: no focal creators.
    strategy: Optional[dict[str, Any]] = None
    #: A sensitivity analysis of the experiment (``+sensitivity=morris``); None: a plain run.
    sensitivity: Optional[SensitivityConfig] = None

    def __post_init__(self) -> None:
        check_range("", "seed", self.seed, 0, 2**63 - 1, integer=True)


@dataclass(frozen=True)
class Settings:
    """A validated config as plain objects, ready for the runner."""

    config: Config
    network: Any
    platform: PlatformParams
    behaviour: BehaviourParams
    campaign: CampaignParams
    run: RunConfig
    experiment: ExperimentConfig
    strategy: Optional[dict[str, Any]] = None


def schema() -> DictConfig:
    """The structured schema, as stored in Hydra's ConfigStore (see :mod:`diffusion.cli`)."""
    return _schema().copy()


@functools.lru_cache(maxsize=1)
def _schema() -> DictConfig:
    return OmegaConf.structured(Config)


def to_settings(cfg: DictConfig | dict[str, Any]) -> Settings:
    """Validate a composed config and convert it to dataclasses.

    Raises
    ------
    ConfigError
        For an unknown key, a value of the wrong type, or a value out of range.
    """
    try:
        merged = OmegaConf.merge(schema(), cfg)
        config: Config = OmegaConf.to_object(merged)  # runs every __post_init__
    except ConfigError:
        raise
    except OmegaConfBaseException as error:
        raise ConfigError(_describe_omegaconf_error(error)) from None
    _check_sweep(config)
    return _settings(config)


def _settings(config: Config) -> Settings:
    return Settings(
        config=config,
        network=config.network,
        platform=config.platform,
        behaviour=config.behaviour,
        campaign=config.campaign,
        run=config.run,
        experiment=config.experiment,
        strategy=config.strategy,
    )


def describe_bad_value(key: str, value: Any) -> str:
    """One line for a value of the wrong type at ``key`` (e.g. ``network.n_users=abc``).

    The value is put into a default configuration as it is and the section holding ``key`` is
    validated, so a parameter with a range gets the same message as an out-of-range value
    ("must be a whole number in [4, 5e+07]"); other keys are described by their type.
    """
    config = Config()
    try:
        _assign(config, key, value)
        section = config
        for part in key.split(".")[:-1]:
            section = section[part] if isinstance(section, dict) else getattr(section, part)
        for node in (section, config):
            if dataclasses.is_dataclass(node) and hasattr(node, "__post_init__"):
                node.__post_init__()
    except ConfigError as error:
        return str(error)
    except Exception:  # the value breaks the section in another way: fall back to its type
        pass
    kind = _kind_of(OmegaConf.select(schema(), key))
    return f"{key}={value!r} is not {kind}: change it on the command line ({key}=...) or in the config file that sets it."


def _kind_of(default: Any) -> str:
    """How a value of ``default``'s type is described to a user."""
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "a whole number"
    if isinstance(default, float):
        return "a number"
    if isinstance(default, str):
        return "a string"
    return "a value of the right type"


def _describe_omegaconf_error(error: OmegaConfBaseException) -> str:
    key = getattr(error, "full_key", None)
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    where = f" at key {key!r}" if key else ""
    return f"Invalid configuration{where}: {message}."


def _check_sweep(config: Config) -> None:
    base = OmegaConf.structured(config)
    names = {}
    for key, values in config.experiment.sweep.items():
        if key in SWEEPABLE_GROUPS:
            allowed = group_options(key)
            unknown = [v for v in values if v not in allowed] if isinstance(values, list | tuple) else [values]
            if unknown:
                raise ConfigError(
                    f"experiment.sweep.{key} lists {unknown[0]!r}, which is not a {key}/ option; "
                    f"allowed: {', '.join(allowed)}."
                )
        elif key.startswith("platform.policy.") and "platform" in config.experiment.sweep:
            pass  # an argument of the swept policies: checked when each point's policy is built
        elif key.startswith("strategy.") and "strategy" in config.experiment.sweep:
            pass  # likewise for the swept strategies
        elif OmegaConf.select(base, key, default=_MISSING) is _MISSING:
            raise ConfigError(
                f"experiment.sweep names {key!r}, which is not a config key. Sweep keys are "
                "dotted paths such as network.weak_tie_share or behaviour.p_share."
            )
        if not isinstance(values, list | tuple) or len(values) == 0:
            raise ConfigError(f"experiment.sweep.{key} must be a non-empty list of values.")
        name = key.rsplit(".", 1)[-1]
        if name in names:
            raise ConfigError(f"experiment.sweep keys {names[name]!r} and {key!r} end in the same name.")
        names[name] = key


_MISSING = object()


def grid(experiment: ExperimentConfig) -> list[dict[str, Any]]:
    """Every combination of the sweep, as ``{dotted_key: value}`` dicts, in a fixed order.

    A key naming a config group (:data:`SWEEPABLE_GROUPS`) takes option names as values.
    """
    points: list[dict[str, Any]] = [{}]
    for key, values in experiment.sweep.items():
        points = [{**point, key: value} for point in points for value in values]
    if experiment.knockouts:
        points = [*({**point, KNOCKOUT: "none"} for point in points), *_knockout_points(experiment, points)]
    return points


#: Grid-point key (and table column) naming a run's knock-out arm; ``none`` for the grid itself.
KNOCKOUT = "knockout"
#: Grid-point key (and table column) numbering a sensitivity design's sampled point (issue 20).
SAMPLE = "sample"


def points(config: Config) -> list[dict[str, Any]]:
    """Every grid point of a run: :func:`grid`, crossed (outer) with the sensitivity design's
    points when there is one, each carrying its :data:`SAMPLE` number."""
    sensitivity = config.sensitivity
    if sensitivity is None or not sensitivity.points:
        return grid(config.experiment)
    inner = grid(config.experiment)
    return [{**point, **sample} for sample in sensitivity.points for point in inner]


def design_keys(config: Config) -> set[str]:
    """The keys a sensitivity design sets at its points (its factors), beyond :data:`SAMPLE`:
    empty without a design. Their values are in the design's table, by sample, so run tables
    carry the sample number, not a column per factor."""
    sensitivity = config.sensitivity
    if sensitivity is None:
        return set()
    return {key for point in sensitivity.points for key in point if key != SAMPLE}


def knockout_overrides(claim_id: str) -> dict[str, Any]:
    """The override that switches off ``claim_id``'s by-construction mechanism
    (:data:`diffusion.knockouts.KNOCKOUTS`, cited by the claims registry)."""
    knockout = KNOCKOUTS.get(claim_id)
    if knockout is None:
        raise ConfigError(f"experiment.knockouts names {claim_id!r}, an unknown claim ID; valid IDs: "
                          f"{', '.join(KNOCKOUTS)}.")
    if not knockout.named:
        raise ConfigError(f"experiment.knockouts names {claim_id}, but the claims registry names no knock-out "
                          f"override for it ({knockout.reason}); remove it from experiment.knockouts.")
    return dict(knockout.overrides)


def _knockout_points(experiment: ExperimentConfig, points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The extra grid points of the knock-out arms, after the grid's own (additive: the grid's
    points and their order are unchanged). An arm runs where the grid has the listed values;
    when a narrowed sweep leaves it none (e.g. ``experiment.sweep.strategy=[organic,local_ads]``)
    it does not run, and the report says the claim's knock-out was not run. A key the sweep does
    not vary places no constraint (the arm runs at the configured value)."""
    extra = []
    for claim_id, where in experiment.knockouts.items():
        knockout_overrides(claim_id)
        where = {key: list(values) if isinstance(values, (list, tuple)) else [values]
                 for key, values in dict(where or {}).items() if key in experiment.sweep}
        extra += [{**point, KNOCKOUT: claim_id} for point in points
                  if all(point[key] in values for key, values in where.items())]
    return extra


def apply_point(config: Config, point: dict[str, Any]) -> Settings:
    """Settings for one grid point: the config with the point's values set, re-validated.

    Group options are applied first (each key of ``conf/GROUP/OPTION.yaml`` replaces the
    config's value), then plain keys, so ``platform: inclusive`` with
    ``platform.policy.subsidy_share: 0.1`` subsidises the inclusive policy.
    """
    # Plain dataclasses, not OmegaConf: this runs once per run, and OmegaConf's structured
    # configs cost a tenth of a second each. Every section is re-validated afterwards. A
    # sensitivity design's points (hundreds of dicts, read only) are shared, not copied.
    shared = {id(config.sensitivity.points): config.sensitivity.points} if config.sensitivity is not None else {}
    config = copy.deepcopy(config, memo=shared)
    for key in sorted(point, key=lambda k: k not in SWEEPABLE_GROUPS):
        value = point[key]
        if key in WHOLE_NODE_GROUPS:
            setattr(config, key, copy.deepcopy(_group_option(key, value)))
        elif key in SWEEPABLE_GROUPS:
            for name, setting in _group_option(key, value).items():
                _assign(config, f"{key}.{name}", copy.deepcopy(setting))
        elif key not in (KNOCKOUT, SAMPLE):
            _assign(config, key, value)
    if point.get(KNOCKOUT, "none") != "none":  # the arm's override, after the point's own values
        for key, value in knockout_overrides(point[KNOCKOUT]).items():
            _assign(config, key, copy.deepcopy(value))
    for section in (config, *(getattr(config, f.name) for f in dataclasses.fields(config))):
        post_init = getattr(section, "__post_init__", None)
        if dataclasses.is_dataclass(section) and post_init is not None:
            post_init()
    return _settings(config)


@functools.lru_cache(maxsize=64)
def _group_option_cached(group: str, option: str) -> tuple:
    loaded = OmegaConf.to_container(OmegaConf.load(conf_dir() / group / f"{option}.yaml")) or {}
    return tuple(loaded.items())


def _group_option(group: str, option: str) -> dict[str, Any]:
    """The settings of ``conf/GROUP/OPTION.yaml`` as plain Python values."""
    return dict(_group_option_cached(group, option))


def _assign(config: Config, key: str, value: Any) -> None:
    """Set a dotted key on nested dataclasses and dicts (e.g. ``platform.policy.top_k``)."""
    *path, last = key.split(".")
    node: Any = config
    for part in path:
        node = node[part] if isinstance(node, dict) else getattr(node, part)
        if node is None:
            raise ConfigError(f"cannot set {key}: {part} is empty (null) in this configuration.")
    if isinstance(node, dict):
        node[last] = value
    elif dataclasses.is_dataclass(node) and last in {f.name for f in dataclasses.fields(node)}:
        setattr(node, last, value)
    else:
        raise ConfigError(f"{key} is not a config key.")


def _check_arguments(key: str, names: Any, allowed: list[str], owner: str) -> None:
    """Raise for the first of ``names`` that ``owner`` does not accept, naming what it accepts
    and the closest spelling (the keys sit under config ``key``)."""
    import difflib

    for name in names:
        if name != "_target_" and name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f" Did you mean {key}.{close[0]}?" if close else ""
            raise ConfigError(
                f"{key}.{name} is not an argument of {owner}; allowed: {', '.join(allowed) or '(none)'}.{hint}"
            )


def check_target_arguments(key: str, spec: dict[str, Any]) -> None:
    """Name a misspelt argument of the class a ``_target_`` spec at ``key`` builds, with what
    the class accepts (``key`` is one of :data:`TARGET_NODES`)."""
    from hydra.utils import get_class

    target = spec.get("_target_")
    package = TARGET_NODES[key][0].rsplit(".", 1)[0]
    try:
        cls = get_class(target)
    except Exception:
        raise ConfigError(
            f"{key}._target_={target!r} is not an importable class. Use one of the classes in "
            f"{package} (see conf/{TARGET_NODES[key][1]}/) or your own module.Class."
        ) from None
    allowed = [n for n, p in inspect.signature(cls).parameters.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    _check_arguments(key, spec, allowed, cls.__name__)


def instantiate_target(key: str, spec: dict[str, Any]) -> Any:
    """Build the object a ``_target_`` spec at config ``key`` describes (one of
    :data:`TARGET_NODES`), checking its arguments and its class first."""
    from hydra.utils import get_class, instantiate  # only here: the model layers never import Hydra

    base = get_class(TARGET_NODES[key][0])
    check_target_arguments(key, spec)
    try:
        built = instantiate(spec)
    except ConfigError:
        raise
    except Exception as error:  # Hydra wraps import and argument errors in its own types
        cause = error.__cause__ or error
        if isinstance(cause, ConfigError):
            raise cause from None
        raise ConfigError(
            f"{key} could not be built from {dict(spec)!r}: {cause}. Check that _target_ names "
            f"a {base.__name__} class and that its arguments are spelt right."
        ) from None
    if not isinstance(built, base):
        raise ConfigError(f"{key}._target_={spec.get('_target_')!r} built a {type(built).__name__}, not a {base.__name__}.")
    return built


def build_policy(spec: dict[str, Any] | None) -> ExposurePolicy:
    """Instantiate the exposure policy named by a ``_target_`` spec (default: the baseline)."""
    from diffusion.policies import AppealWeighted

    return AppealWeighted() if spec is None else instantiate_target("platform.policy", spec)


def network_generator(spec: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The function a ``network.generator`` spec names and its keywords, checked: ``_target_``
    must be an importable function ``f(*, n_users, rng, **keywords) -> igraph.Graph`` and every
    other key one of its keywords."""
    from hydra.utils import get_method

    target = spec.get("_target_")
    try:
        function = get_method(target)
    except Exception:
        raise ConfigError(
            f"network.generator._target_={target!r} is not an importable function. Name one as "
            "module.function, with the module on the Python path."
        ) from None
    parameters = inspect.signature(function).parameters
    if not {"n_users", "rng"} <= set(parameters):
        raise ConfigError(
            f"network.generator._target_={target!r} must take the keywords n_users and rng; it takes "
            f"{', '.join(parameters) or 'none'}."
        )
    keywords = {k: v for k, v in spec.items() if k != "_target_"}
    _check_arguments("network.generator", keywords, [n for n in parameters if n not in ("n_users", "rng")], target)
    return function, keywords


def generate_network(spec: dict[str, Any], *, n_users: int, rng: Any) -> Any:
    """Call the network generator a ``network.generator`` spec names with ``n_users``, ``rng`` and
    the spec's other keys (see :func:`network_generator`); it must return an igraph.Graph."""
    import igraph as ig

    function, keywords = network_generator(spec)
    graph = function(n_users=n_users, rng=rng, **keywords)
    if not isinstance(graph, ig.Graph):
        raise ConfigError(
            f"network.generator._target_={spec.get('_target_')!r} returned a {type(graph).__name__}, not an igraph.Graph."
        )
    return graph


def build_strategy(spec: dict[str, Any] | None) -> Any:
    """Instantiate the creator strategy named by a ``_target_`` spec (None: no strategy)."""
    return None if spec is None else instantiate_target("strategy", spec)


# ---------------------------------------------------------------------- plausible space
_NETWORK_HALF = "half to double the default: no measurement, so a factor of two either way"

#: Plausible ranges of the weak-tie society's assumed keywords (``network.*``; the defaults are
#: those of :func:`diffusion.networks.weak_tie_society`). Left out: sizes and shares an
#: experiment sets by design (n_users, creator_share, newcomer_share, weak_tie_share, cities).
NETWORK_RANGES: dict[str, Range] = {
    "mean_degree": Range(6.0, 14.0, "a sympathy group of about 10-15 close contacts (Dunbar's layers); 6-14 ties"),
    # above mean_degree + 1 everywhere in the joint range, so every sampled point is a valid society
    "circle_size_mean": Range(16.0, 40.0, "a circle of a few dozen acquaintances; 16-40", "log-uniform"),
    "strong_tie_strength": Range(0.5, 0.9, "strong ties pass most shares on (Granovetter 1973)"),
    "weak_tie_strength": Range(0.05, 0.35, "weak ties pass a share on less often than strong ones (W1)"),
    "weak_same_city_share": Range(0.25, 0.75, "a quarter to three quarters of bridges stay in the city (W4)"),
    "trait_noise": Range(0.3, 1.0, "circles from clearly alike to barely alike in taste (W3)"),
    "follower_tail_index": Range(0.6, 1.4, "Pareto tail of follower counts: heavy (0.6) to moderate (1.4; Kwak et al. 2010 fit 1.276 on Twitter)"),
    "follow_same_city_share": Range(0.15, 0.5, "a sixth to a half of follows are local (W4, P7)"),
}

#: Config sections holding ranged parameters, with their ranges.
RANGED_SECTIONS: dict[str, dict[str, Range]] = {
    "network": NETWORK_RANGES, "platform": PLATFORM_RANGES, "behaviour": BEHAVIOUR_RANGES, "campaign": CAMPAIGN_RANGES,
}


@functools.lru_cache(maxsize=1)
def plausible_space() -> dict[str, Range]:
    """Every ranged parameter as ``{dotted key: Range}``, checked (issue 20).

    Raises
    ------
    ConfigError
        For a range whose bounds leave the parameter's allowed domain (the section's own
        ``__post_init__`` check), whose default lies outside it, or whose distribution is
        unknown.
    """
    space: dict[str, Range] = {}
    defaults = Config()
    for section, ranges in RANGED_SECTIONS.items():
        for name, declared in ranges.items():
            key = f"{section}.{name}"
            check_declared_range(key, declared, getattr(getattr(defaults, section), name))
            space[key] = declared
    return space


#: Distributions a :class:`~diffusion.params.Range` can declare.
DISTRIBUTIONS = ("uniform", "log-uniform", "integer")


def check_declared_range(key: str, declared: Range, default: Any) -> None:
    """Raise :class:`ConfigError` unless ``declared`` is a valid range for the parameter at
    ``key`` with this ``default``: known distribution, low < high, both bounds allowed by the
    section's own checks, the default inside."""
    if declared.distribution not in DISTRIBUTIONS:
        raise ConfigError(f"the range of {key} has distribution {declared.distribution!r}; allowed: "
                          f"{', '.join(DISTRIBUTIONS)}.")
    if not declared.low < declared.high:
        raise ConfigError(f"the range of {key} is [{declared.low:g}, {declared.high:g}]: low must be below high.")
    if declared.distribution == "log-uniform" and declared.low <= 0:
        raise ConfigError(f"the range of {key} is log-uniform but starts at {declared.low:g}: it must start above 0.")
    if not declared.low <= default <= declared.high:
        raise ConfigError(f"the default {key}={default!r} lies outside its plausible range "
                          f"[{declared.low:g}, {declared.high:g}]; widen the range or say why the default is implausible.")
    for bound in (declared.low, declared.high):
        value = int(bound) if isinstance(default, int) and not isinstance(default, bool) else float(bound)
        config = Config()
        _assign(config, key, value)
        section = getattr(config, key.split(".")[0])
        try:
            section.__post_init__()
        except ConfigError as error:
            raise ConfigError(f"the plausible range of {key} [{declared.low:g}, {declared.high:g}] leaves the "
                              f"parameter's allowed domain: {error}") from None
