"""Python API: run an experiment or open a run folder from a notebook.

``run_experiment("weak_ties", scale="ci", overrides={"behaviour.p_share": 0.1})`` does what
``python -m diffusion +experiment=weak_ties scale=ci behaviour.p_share=0.1`` does, through the
same code: the config is composed by Hydra's compose API from the package's ``conf``, checked by
the command line's checks (:func:`diffusion.cli.check_overrides`, the typed schema), run and
analysed by :func:`diffusion.cli.run_task`, and written to a run folder identical to the command
line's. Same seeds, same tables, same one-paragraph :class:`~diffusion.errors.DiffusionError`
messages (raised here, printed there).

:func:`load_run` opens any run folder, or a committed reference (``experiments/NAME/reference``,
which keeps the effects, summary, report and figures but not the per-run tables), as the same
:class:`Results` object.
"""

from __future__ import annotations

import json
import shlex
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from diffusion.errors import ConfigError, DiffusionError

__all__ = ["Results", "run_experiment", "load_run", "hydra_overrides"]

#: Files of a run folder read into :class:`Results` (besides the Parquet tables).
EFFECTS, SUMMARY, REPORT = "effects.csv", "summary.csv", "report.md"
#: Provenance record: ``provenance.json`` in a run folder, ``run.json`` in a reference.
PROVENANCE_FILES = ("provenance.json", "run.json")


@dataclass
class Results:
    """What one experiment run produced, read from its run folder.

    Attributes
    ----------
    folder : pathlib.Path
        The run folder (or committed reference folder).
    tables : dict of str to pandas.DataFrame
        Every Parquet table at the top of the folder, by name: ``outcomes`` (one row per run),
        ``trajectories`` (per run and day), ``creators``, ``cascades``. Each is also an
        attribute (``res.outcomes``). Empty for a committed reference, which keeps no tables.
    effects : pandas.DataFrame
        The claims' paired effects with 95% CIs and verdicts (``effects.csv``, columns of
        :data:`diffusion.report.EFFECTS_COLUMNS`); empty for an experiment with no claims.
    summary : pandas.DataFrame or None
        Means and 95% CIs per grid point and measure (``summary.csv``), if written.
    provenance : dict
        Package and library versions, root seed, config hash and command.
    report : pathlib.Path or None
        The Markdown report.

    Notes
    -----
    Verdicts come from :func:`diffusion.analysis.judge` (one rule, the SESOI of
    :mod:`diffusion.claims`); ``origin`` says whether a supported claim is built in.
    """

    folder: Path
    tables: dict[str, pd.DataFrame]
    effects: pd.DataFrame
    summary: pd.DataFrame | None
    provenance: dict[str, Any]
    report: Path | None
    _figures: dict[str, Any] | None = field(default=None, repr=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        # A table is an attribute (res.outcomes); only called when normal lookup failed.
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(
            f"{type(self).__name__} has no attribute {name!r}; tables in {self.__dict__.get('folder')}: "
            f"{', '.join(sorted(tables)) or 'none (a committed reference keeps no tables)'}"
        )

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.tables})

    @property
    def verdicts(self) -> pd.DataFrame:
        """One row per claim: ``claim``, ``verdict`` and ``origin`` ("built in", "emergent", ...)."""
        if self.effects.empty:
            return pd.DataFrame(columns=["claim", "verdict", "origin"])
        parts = self.effects[self.effects["role"] == "part"]
        return (parts[["claim", "claim_verdict", "origin"]].drop_duplicates("claim")
                .rename(columns={"claim_verdict": "verdict"}).reset_index(drop=True))

    @property
    def figures(self) -> dict[str, Any]:
        """The report's figures as :class:`matplotlib.figure.Figure`, by file stem.

        After :func:`run_experiment`, the figures the analysis drew. For :func:`load_run`, drawn
        again by the same analysis from the saved tables (into a temporary folder, so the run
        folder is not touched); a committed reference has no tables, so its saved PNGs are shown.
        """
        if self._figures is None:
            self._figures = _redraw(self) if self.tables else _pictures(self.folder / "figures")
        return self._figures

    def _repr_markdown_(self) -> str:  # a notebook shows the verdicts table
        lines = [f"**Run folder** `{self.folder}`; tables: {', '.join(sorted(self.tables)) or 'none'}", ""]
        verdicts = self.verdicts
        if not verdicts.empty:
            lines += ["| claim | verdict | origin |", "|---|---|---|"]
            lines += [f"| {r.claim} | {r.verdict} | {r.origin} |" for r in verdicts.itertuples()]
        return "\n".join(lines)


def hydra_overrides(overrides: Mapping[str, Any] | Sequence[str] | None) -> list[str]:
    """Command-line overrides from a mapping (``{"behaviour.p_share": 0.1}``) or a list of
    Hydra override strings (kept as given, e.g. ``"+platform.policy.cap=0.2"``).

    A mapping's values are written as Hydra reads them: booleans ``true``/``false``, ``None``
    as ``null``, lists as ``[a,b]``. A key may carry Hydra's ``+`` prefix.
    """
    if overrides is None:
        return []
    if isinstance(overrides, str):
        raise ConfigError(
            f"overrides={overrides!r} is a single string; give a mapping such as "
            "{'behaviour.p_share': 0.1} or a list of Hydra overrides such as ['behaviour.p_share=0.1']."
        )
    if isinstance(overrides, Mapping):
        return [f"{key}={_hydra_value(value)}" for key, value in overrides.items()]
    return [str(item) for item in overrides]


def _hydra_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_hydra_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{k}:{_hydra_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def compose_config(arguments: list[str], out_dir: Path | None):
    """Compose the config the command line would for ``arguments`` (its overrides, after the
    same checks); return it and set :class:`hydra.core.hydra_config.HydraConfig` with the run
    folder as ``runtime.output_dir``, as ``@hydra.main`` does.

    ``out_dir`` None: Hydra's default run folder (``outputs/DATE/TIME`` under the current
    directory), as on the command line.
    """
    from hydra import compose, initialize_config_dir
    from hydra.core.config_store import ConfigStore
    from hydra.core.hydra_config import HydraConfig
    from hydra.errors import HydraException
    from omegaconf import OmegaConf, open_dict

    from diffusion.cli import check_output_target, check_overrides, rewrite_sweep_arguments
    from diffusion.config import Config, conf_dir

    path = conf_dir()
    ConfigStore.instance().store(name="diffusion_schema", node=Config)
    arguments = rewrite_sweep_arguments(arguments)
    check_overrides(arguments, path)
    if out_dir is not None:
        arguments = [*arguments, f"hydra.run.dir={out_dir}"]
    check_output_target(arguments)
    try:
        with initialize_config_dir(config_dir=str(path), version_base="1.3", job_name="diffusion"):
            cfg = compose("config", overrides=arguments, return_hydra_config=True)
    except HydraException as error:  # what check_overrides lets through, e.g. a bad value's type
        raise ConfigError(str(error).splitlines()[0]) from None
    run_dir = Path(OmegaConf.select(cfg, "hydra.run.dir")).resolve()
    with open_dict(cfg):
        cfg.hydra.runtime.output_dir = str(run_dir)
    # What @hydra.main does before calling the task: the hydra node is kept by HydraConfig
    # (read by diffusion.cli.run_task for the run folder and .hydra/) and removed from cfg.
    HydraConfig.instance().set_config(cfg)
    with open_dict(cfg):
        del cfg["hydra"]
    return cfg


def run_experiment(
    experiment: str | None,
    *,
    scale: str | None = None,
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
    out_dir: str | Path | None = None,
    progress: bool = True,
) -> Results:
    """Run an experiment as ``python -m diffusion +experiment=NAME`` would; return its results.

    Parameters
    ----------
    experiment : str or None
        A file name in ``conf/experiment/`` without ``.yaml`` (``"weak_ties"``); None runs the
        plain defaults (one grid point, the generic analysis), as the command line without
        ``+experiment``.
    scale : str, optional
        ``"paper"`` (the default of ``conf/config.yaml``) or ``"ci"`` (seconds).
    overrides : mapping or list of str, optional
        Config overrides, ``{"behaviour.p_share": 0.1, "seed": 7}`` or Hydra strings
        (``["+platform.policy.cap=0.2"]``); see :func:`hydra_overrides`.
    out_dir : str or pathlib.Path, optional
        Run folder (``hydra.run.dir``); default ``outputs/DATE/TIME`` under the current
        directory, as on the command line. ``overrides={"run.resume": True}`` continues one.
    progress : bool
        Show a progress bar over the runs (``tqdm.auto``: a widget in Jupyter).

    Returns
    -------
    Results
        The run folder read back (:func:`load_run`), with the figures the analysis drew.

    Raises
    ------
    diffusion.errors.DiffusionError
        A bad experiment name, key or value (:class:`~diffusion.errors.ConfigError`), or an
        unusable run folder: the command line's one-paragraph message.

    Notes
    -----
    The tables are identical to the command line's for the same config and seed
    (``tests/test_api.py``): both go through :func:`diffusion.cli.run_task`. Every replicate is
    seeded from the one root ``seed`` (``SeedSequence(seed, spawn_key=(r,))``).
    """
    from hydra.core.hydra_config import HydraConfig

    from diffusion import cli, plots

    if experiment is not None and (not isinstance(experiment, str) or not experiment):
        raise ConfigError(f"experiment={experiment!r} must be the name of a file in conf/experiment/, e.g. 'weak_ties'.")
    arguments = [*([f"+experiment={experiment}"] if experiment is not None else []),
                 *([f"scale={scale}"] if scale is not None else []), *hydra_overrides(overrides)]
    # The provenance record gets the equivalent command line: it reproduces the same tables.
    command = "python -m diffusion " + " ".join(shlex.quote(a) for a in arguments)
    previous, previous_arguments = HydraConfig.instance().cfg, list(cli._ARGUMENTS)
    cli._ARGUMENTS[:] = arguments  # what an interrupted run's "continue with" line repeats
    try:
        cfg = compose_config(arguments, None if out_dir is None else Path(out_dir))
        with plots.keep_figures() as figures:
            folder = cli.run_task(cfg, command=command, progress=progress)
    except SystemExit as stop:
        if stop.code != 130:
            raise
        # Ctrl-C (a notebook's interrupt) while runs were going: run_task printed what was kept;
        # a notebook gets an interrupt back, not an exit.
        raise KeyboardInterrupt("interrupted: the finished runs are kept in the run folder; continue with the "
                                "same call and out_dir, adding 'run.resume': True to the overrides") from None
    finally:
        HydraConfig.instance().cfg = previous
        cli._ARGUMENTS[:] = previous_arguments
    results = load_run(folder)
    results._figures = figures
    return results


def load_run(path: str | Path) -> Results:
    """Open a run folder, or a committed reference (``experiments/NAME/reference``).

    Parameters
    ----------
    path : str or pathlib.Path
        A folder written by ``python -m diffusion`` or :func:`run_experiment`.

    Returns
    -------
    Results
        Its tables, effects, verdicts, summary, provenance and (lazily) figures.

    Raises
    ------
    diffusion.errors.DiffusionError
        The folder does not exist or holds neither tables nor an effects file.
    """
    from diffusion.report import EFFECTS_COLUMNS, read_effects

    folder = Path(path).expanduser().resolve()
    if not folder.is_dir():
        raise DiffusionError(f"no run folder at {folder}: give a folder written by python -m diffusion or "
                             "run_experiment, or a committed reference such as experiments/weak_ties/reference.")
    tables = {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}
    if not tables and not (folder / EFFECTS).is_file():
        raise DiffusionError(f"{folder} is not a run folder: it holds no *.parquet tables and no {EFFECTS}. "
                             "An interrupted run keeps its finished runs in runs/; continue it with run.resume=true.")
    effects = read_effects(folder / EFFECTS) if (folder / EFFECTS).is_file() else pd.DataFrame(columns=EFFECTS_COLUMNS)
    summary = pd.read_csv(folder / SUMMARY) if (folder / SUMMARY).is_file() else None
    record = next((folder / n for n in PROVENANCE_FILES if (folder / n).is_file()), None)
    provenance = json.loads(record.read_text()) if record is not None else {}
    report = folder / REPORT if (folder / REPORT).is_file() else None
    return Results(folder, tables, effects, summary, provenance, report)


def _redraw(results: Results) -> dict[str, Any]:
    """The analysis's figures drawn again from a run folder's tables (its resolved config in
    ``.hydra/config.yaml`` says which analysis and settings), into a temporary folder."""
    from omegaconf import OmegaConf

    from diffusion import plots
    from diffusion.analyses import analyse
    from diffusion.config import to_settings

    config = results.folder / ".hydra" / "config.yaml"
    if not config.is_file():
        return _pictures(results.folder / "figures")
    settings = to_settings(OmegaConf.load(config))
    with tempfile.TemporaryDirectory(prefix="diffusion-figures-") as scratch, plots.keep_figures() as figures:
        analyse(settings, dict(results.tables), Path(scratch), header=results.provenance)
    return dict(figures)


def _pictures(folder: Path) -> dict[str, Any]:
    """Saved PNG figures shown as matplotlib figures (a committed reference keeps no tables)."""
    import matplotlib.image as mpimg
    from matplotlib.figure import Figure

    pictures = {}
    for png in sorted(folder.glob("*.png")):
        image = mpimg.imread(png)
        fig = Figure(figsize=(image.shape[1] / 150, image.shape[0] / 150), dpi=150)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.imshow(image)
        ax.set_axis_off()
        pictures[png.stem] = fig
    return pictures
