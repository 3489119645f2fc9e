"""Provenance of a run folder: what produced these numbers."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from diffusion import __version__
from diffusion.errors import DiffusionError

#: Settings under ``run`` that say how results are computed, not what they are: which backend,
#: how many workers, whether to resume or show progress. They never enter a config hash, so a
#: resumed or parallel run is cited with the same hash as the serial one.
RUN_CONTROL_KEYS = ("n_jobs", "progress", "resume", "backend", "scheduler")

#: Libraries whose versions are recorded.
LIBRARIES = ("mesa", "igraph", "numpy", "pandas", "pyarrow", "seaborn", "matplotlib", "hydra-core", "omegaconf")


def repository() -> Path:
    """The checkout whose ``experiments/NAME/reference`` folders hold the committed references.

    In order: the folder named by the environment variable ``DIFFUSION_REPOSITORY``; the checkout
    the package runs from (a source tree or an editable install); the current directory or one
    of its parents (an installed package, ``pip install .``, run from the repository or from a
    notebook in ``docs/tutorials/``).

    Raises
    ------
    DiffusionError
        If none holds an ``experiments/`` folder.
    """
    named = os.environ.get("DIFFUSION_REPOSITORY")
    here = Path.cwd()
    for candidate in ([Path(named)] if named else []) + [Path(__file__).resolve().parents[1], here, *here.parents]:
        if (candidate / "experiments").is_dir():
            return candidate
    raise DiffusionError(
        f"cannot find the committed references: neither {Path(__file__).resolve().parents[1]} nor the "
        f"current directory {here} (or a folder above it) holds an experiments/ folder. Run this from the "
        "repository, or set DIFFUSION_REPOSITORY to the repository's folder."
    )


def git_revision(path: Path | None = None) -> str | None:
    """The git commit of the source tree the package runs from, if it is a checkout."""
    where = Path(__file__).resolve().parent if path is None else path
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def library_versions() -> dict[str, str | None]:
    """Installed versions of the libraries in :data:`LIBRARIES`."""
    found: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def scientific_config(resolved: dict[str, Any]) -> dict[str, Any]:
    """The part of a resolved config that decides the results: without Hydra's own settings
    and without the run-control keys of :data:`RUN_CONTROL_KEYS`."""
    data = {key: value for key, value in resolved.items() if key != "hydra"}
    if data.get("sensitivity", ...) is None:  # a plain run (no +sensitivity): hashed as before it existed
        del data["sensitivity"]
    if isinstance(data.get("run"), dict):
        data["run"] = {key: value for key, value in data["run"].items() if key not in RUN_CONTROL_KEYS}
    return data


def config_hash(resolved: dict[str, Any]) -> str:
    """Short, stable SHA-256 of the scientific part of a resolved config (canonical JSON,
    sorted keys; see :func:`scientific_config`). The hash a figure is cited with."""
    text = json.dumps(scientific_config(resolved), sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def provenance(*, seed: int, config_hash: str, command: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A provenance record: package, libraries, Python, platform, git revision, seed."""
    return {
        "package": "diffusion",
        "package_version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "libraries": library_versions(),
        "git_revision": git_revision(),
        "root_seed": seed,
        "config_hash": config_hash,
        "command": command,
        **(extra or {}),
    }


def write_provenance(path: Path, record: dict[str, Any]) -> Path:
    """Write a provenance record as JSON."""
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return path
