"""Produce the committed reference result of each experiment at its default scale.

Usage::

    python experiments/make_references.py                     # every experiment
    python experiments/make_references.py big_account same_city

For each experiment, runs ``python -m diffusion +experiment=NAME`` (default scale, root seed
2021) in a temporary folder, times it, and copies what a replicator compares against into
``experiments/NAME/reference/``: ``report.md``, ``summary.csv``, ``effects.csv`` (every reported
effect with its 95% CI, machine-readable) and ``figures/``, plus ``run.json`` (command, wall
time, date, cores, package version, config hash, estimand hash (the config without seed and
replicate count, :func:`diffusion.compare.estimand_hash`), git revision and whether the tree was clean).
``tests/test_staleness.py`` recomposes each experiment's configuration from the current code
and fails when its hash differs from the reference's; ``tests/test_references.py`` (slow) reruns
each experiment with another root seed and checks the effects against ``effects.csv``
(``python -m diffusion.compare RUN_DIR`` does the same for any run).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from omegaconf import OmegaConf

from diffusion.compare import estimand_hash

HERE = Path(__file__).resolve().parent
COPIED = ("report.md", "summary.csv", "effects.csv")


def experiments() -> list[str]:
    """Experiments with a protocol folder and a config file."""
    conf = HERE.parent / "conf" / "experiment"
    return sorted(p.stem for p in conf.glob("*.yaml") if (HERE / p.stem).is_dir())


def _clean_tree() -> bool | None:
    """Whether the code and configs that decide results (``diffusion/``, ``conf/``) have no
    uncommitted changes: a reference should come from a commit. The references this script
    is rewriting do not count."""
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "diffusion", "conf"],
                             cwd=HERE.parent,
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() == "" if out.returncode == 0 else None


def make_reference(name: str) -> dict:
    """Run one experiment at its default scale and copy its reference result into place."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "diffusion", f"+experiment={name}", f"hydra.run.dir={folder}", "run.progress=false"]
        started = time.perf_counter()
        subprocess.run(command, check=True)
        seconds = time.perf_counter() - started
        target = HERE / name / "reference"
        if target.exists():
            shutil.rmtree(target)
        (target / "figures").mkdir(parents=True)
        for file in COPIED:
            shutil.copy(Path(folder) / file, target / file)
        for figure in sorted((Path(folder) / "figures").glob("*.png")):
            shutil.copy(figure, target / "figures" / figure.name)
        provenance = json.loads((Path(folder) / "provenance.json").read_text())
        resolved = OmegaConf.to_container(OmegaConf.load(Path(folder) / ".hydra" / "config.yaml"), resolve=True)
    record = {
        "command": f"python -m diffusion +experiment={name}",
        "wall_seconds": round(seconds, 1),
        "date": datetime.date.today().isoformat(),
        "cores": os.cpu_count(),
        "package_version": provenance.get("package_version"),
        "config_hash": provenance.get("config_hash"),
        "estimand_hash": estimand_hash(resolved),
        "git_revision": provenance.get("git_revision"),
        "git_clean": _clean_tree(),
        "root_seed": provenance.get("root_seed"),
        "experiment": name,
    }
    (target / "run.json").write_text(json.dumps(record, indent=1) + "\n")
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="experiments (default: all)")
    args = parser.parse_args()
    for name in args.names or experiments():
        record = make_reference(name)
        print(f"{name}: {record['wall_seconds']:.0f} s -> experiments/{name}/reference/", flush=True)
    # The all-claims table is built from the references: keep it in step with them.
    from diffusion.claims_table import main as claims_table

    claims_table(["--write"])


if __name__ == "__main__":
    main()
