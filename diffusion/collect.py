"""Collect the results of many runs into one tidy table, and rebuild figures and report from it.

Usage::

    python -m diffusion.collect multirun/2026-11-28/10-17-38           # a Hydra multirun folder
    python -m diffusion.collect outputs/a outputs/b --out collected    # several run folders

Every folder holding ``.hydra/config.yaml`` under the given paths is one experiment run. The
config keys whose values differ between them (e.g. ``behaviour.p_share`` of a multirun) become
columns of every table, next to the experiment's own sweep columns, and the tables are
concatenated in folder order. An interrupted run contributes the runs it finished
(``runs/run-NNNNN/``). The collected tables, ``summary.csv``, the figures and ``report.md`` are
written to ``--out`` (default ``collected/``): with no differing keys the experiment's own
analysis runs, otherwise the generic one (means and 95% CIs by every scenario column).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import OmegaConf

from diffusion import config as config_module
from diffusion.errors import DiffusionError
from diffusion.provenance import RUN_CONTROL_KEYS, config_hash
from diffusion.runner import MANIFEST, RUN_RECORD, TABLES

#: Keys that say how a run was computed, not what: never a reason to tell runs apart.
_IGNORED = ("hydra", *(f"run.{key}" for key in RUN_CONTROL_KEYS))


def find_run_folders(paths: list[Path]) -> list[Path]:
    """Run folders (holding ``.hydra/config.yaml``) at or under ``paths``, in natural order."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise DiffusionError(f"{path} does not exist; give run folders or a multirun folder.")
        if (path / ".hydra" / "config.yaml").is_file():
            found.append(path)
            continue
        below = sorted((p.parent.parent for p in path.rglob(".hydra/config.yaml")), key=_natural)
        if not below:
            raise DiffusionError(
                f"{path} holds no run folder (a folder with .hydra/config.yaml, as python -m diffusion "
                "writes); give the folder Hydra printed, or a multirun folder."
            )
        found.extend(below)
    return list(dict.fromkeys(found))


def _natural(path: Path) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(path))]


def _flat(node: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            out.update(_flat(value, f"{prefix}{key}."))
        return out
    return {prefix[:-1]: json.dumps(node, sort_keys=True, default=str) if isinstance(node, list) else node}


@dataclass(frozen=True)
class FolderResults:
    """The tables of one run folder, with how many of its planned runs they hold."""

    tables: dict[str, pd.DataFrame]
    n_present: int
    n_planned: int
    skipped: list[str]  # run folders that could not be read, with why


def _tables(folder: Path) -> FolderResults:
    """The tables of a finished experiment, or those of the runs an unfinished one completed."""
    runs = folder / "runs"
    manifest = _manifest(runs)
    if all((folder / f"{t}.parquet").is_file() for t in TABLES):
        tables = {t: pd.read_parquet(folder / f"{t}.parquet") for t in TABLES}
        n = manifest.get("n_runs") or len(tables["outcomes"])
        return FolderResults(tables, n, n, [])
    if not manifest:
        raise DiffusionError(f"{folder} has neither result tables nor a readable runs/{MANIFEST}: it holds no results.")
    frames: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    present, skipped = 0, []
    for run in sorted(p.parent for p in runs.glob(f"run-*/{RUN_RECORD}")):
        try:
            read = {t: pd.read_parquet(run / f"{t}.parquet") for t in TABLES}
        except Exception as error:  # pyarrow raises several types for a damaged file
            skipped.append(f"{run.name} ({type(error).__name__})")
            continue
        present += 1
        for t, frame in read.items():
            if len(frame):
                frames[t].append(frame)
    tables = {t: pd.concat(fs, ignore_index=True) if fs else pd.DataFrame() for t, fs in frames.items()}
    return FolderResults(tables, present, int(manifest.get("n_runs", present)), skipped)


def _manifest(runs: Path) -> dict:
    try:
        manifest = json.loads((runs / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def collect(paths: list[Path], out: Path) -> Path:
    """Collect the runs under ``paths`` into ``out``; return the report's path."""
    from diffusion.analyses import analyse

    folders = find_run_folders(paths)
    configs = [OmegaConf.to_container(OmegaConf.load(f / ".hydra" / "config.yaml"), resolve=True) for f in folders]
    names = {c.get("experiment", {}).get("name", "default") for c in configs}
    if len(names) > 1:
        raise DiffusionError(
            f"the folders hold different experiments ({', '.join(sorted(names))}); collect one experiment at a time."
        )
    flat = [_flat(c) for c in configs]
    keys = sorted({k for f in flat for k in f})
    varying = [k for k in keys if not k.startswith(_IGNORED) and len({repr(f.get(k)) for f in flat}) > 1]
    settings = config_module.to_settings(configs[0])
    own = {key.rsplit(".", 1)[-1] for key in settings.experiment.sweep}
    columns = {key: _column(key, own) for key in varying}

    collected: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    results = [_tables(folder) for folder in folders]
    present, planned = sum(r.n_present for r in results), sum(r.n_planned for r in results)
    skipped = [f"{folder.name}/runs/{run}" for folder, r in zip(folders, results) for run in r.skipped]
    if present == 0:
        raise DiffusionError(
            f"the {len(folders)} run folder(s) under {', '.join(str(p) for p in paths)} hold none of their "
            f"{planned} planned runs finished{' (unreadable: ' + ', '.join(skipped) + ')' if skipped else ''}: "
            "nothing to collect. Finish them with the same command and run.resume=true (see runs/failures.json "
            "for runs that raised)."
        )
    partial = present < planned
    print(f"collect: {present} of {planned} planned runs present in {len(folders)} folder(s)"
          + (f"; unreadable, left out: {', '.join(skipped)}" if skipped else ""), file=sys.stderr)
    for folder, values, result in zip(folders, flat, results):
        for name, frame in result.tables.items():
            if not len(frame):
                continue
            for position, key in enumerate(varying):
                frame.insert(position, columns[key], values.get(key))
            collected[name].append(frame)
    tables = {t: pd.concat(fs, ignore_index=True) if fs else pd.DataFrame() for t, fs in collected.items()}

    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(out / f"{name}.parquet", index=False)
    record = {
        "folders": [str(f) for f in folders],
        "runs_present": present,
        "runs_planned": planned,
        "config_hashes": [config_hash(c) for c in configs],
        "varying_keys": {key: columns[key] for key in varying},
        "command": "python -m diffusion.collect " + " ".join(str(p) for p in paths),
    }
    (out / "collected.json").write_text(json.dumps(record, indent=1))
    if varying:
        # The experiment's own analysis pairs replicates within one sweep; with runs differing in
        # other keys too, summarise by every scenario column instead.
        sweep = {**settings.experiment.sweep, **{columns[k]: sorted({f.get(k) for f in flat}, key=repr) for k in varying}}
        experiment = config_module.ExperimentConfig(name=f"{settings.experiment.name} (collected)",
                                                    claims=list(settings.experiment.claims), sweep=sweep)
        settings = config_module.Settings(**{**settings.__dict__, "experiment": experiment})
    header = {"config_hash": config_hash(record), "root_seed": settings.config.seed, "command": record["command"]}
    report = analyse(settings, tables, out, header=header)
    if partial:
        _mark_partial(report, present, planned)
    return report


def _mark_partial(report: Path, present: int, planned: int) -> None:
    """Put a warning under the report's title: its intervals rest on fewer runs than planned."""
    title, _, rest = report.read_text().partition("\n")
    warning = (f"> **Partial results: {present} of {planned} planned runs.** The experiment did not finish; "
               "every estimate, interval and verdict below uses only the runs present, and missing grid "
               "points or replicates can bias paired effects. Finish it with run.resume=true and collect again.")
    report.write_text(f"{title}\n\n{warning}\n{rest}")


def _column(key: str, taken: set[str]) -> str:
    short = key.rsplit(".", 1)[-1]
    return short if short not in taken else key.replace(".", "_")


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``python -m diffusion.collect``."""
    parser = argparse.ArgumentParser(prog="python -m diffusion.collect", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="run folders or multirun folders")
    parser.add_argument("--out", type=Path, default=Path("collected"), help="where to write (default: collected/)")
    args = parser.parse_args(argv)
    try:
        report = collect(args.paths, args.out)
    except DiffusionError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"collected: {args.out}\nreport:    {report}")


if __name__ == "__main__":
    main()
