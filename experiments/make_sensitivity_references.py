"""Compute the committed sensitivity references (issue 20): a Morris screening of every ranged
parameter for weak_ties, gatekeeping and big_account, copied to ``experiments/NAME/sensitivity/``
(indices, robustness, flips, design, responses, figures, report), which fill the robustness
column of the all-claims table (``python -m diffusion.claims --write``).

    python experiments/make_sensitivity_references.py                 # all three, reference setting
    python experiments/make_sensitivity_references.py weak_ties       # one
    python experiments/make_sensitivity_references.py --reduced       # r=2, 2 replicates: timing only, nothing copied

Reference setting: 5 paired replicates per point at the experiment's own scale, 4 levels, design
seed 0, root seed 2021, each experiment's sweep narrowed to the points its claims compare and
its own number of trajectories (``SWEEPS`` and ``DESIGNS`` below), knock-out arms off. The
trajectories are fewer than the r = 10 of a full screening because every point is crossed with
the sweep (4 configurations in weak_ties and gatekeeping, 10 in big_account): what fits in this
project's two-core budget, stated in each reference's report. Runs go to ``--work`` (default a folder
under the system's temporary directory) and can be resumed there after a kill (same command).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Per experiment: the sensitivity sweep (the grid points its claims compare) and the design.
SWEEPS = {
    # W1's slopes from 0.2 to 0.6 in both arms (the verdict is the add arm's), W2-W4 in the
    # replace arm (W3 at the reference share 0.2, W4 pooled)
    "weak_ties": ["sensitivity.sweep.network.weak_tie_share=[0.2,0.6]", "sensitivity.sweep.network.weak_ties=[replace,add]"],
    # D1-D4 compare these four policies; peer_only enters no verdict. One world per society:
    # the verdicts need no unpredictability measure, and 5 replicates are not a multiple of 4 worlds
    "gatekeeping": ["sensitivity.sweep.platform=[centralized,popularity,decentralized,inclusive]", "run.worlds=1"],
    # S1-S5: every strategy, cold-start pool on and off (S5 compares them)
    "big_account": [],
}
#: Per experiment: the design (trajectories, grouping). weak_ties is screened factor by factor
#: (r = 5: 236 points x 4 configurations x 5 replicates = 4,720 runs). gatekeeping (4 policies)
#: and big_account (10 configurations of 3,000 users x 90 days) would take 1 and 8 hours on 2
#: cores factor by factor, so their factors move in their 8 mechanisms (sensitivity.groups=
#: mechanism): r (8 + 1) points.
DESIGNS = {
    "weak_ties": ["sensitivity.n_samples=5"],
    "gatekeeping": ["sensitivity.n_samples=6", "sensitivity.groups=mechanism"],
    "big_account": ["sensitivity.n_samples=4", "sensitivity.groups=mechanism"],
}
#: What is copied from the run's sensitivity folder.
COPIED = ("indices.csv", "robustness.csv", "flips.csv", "design.csv", "responses.csv", "design.json", "report.md", "figures")


def command(name: str, folder: Path, *, reduced: bool, resume: bool) -> list[str]:
    size = ["sensitivity.n_samples=2", "run.n_replicates=2"] if reduced else [*DESIGNS[name], "run.n_replicates=5"]
    return [sys.executable, "-m", "diffusion", f"+experiment={name}", "+sensitivity=morris", *SWEEPS[name], *size,
            f"hydra.run.dir={folder}", *(["run.resume=true"] if resume else [])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiments", nargs="*", help=f"any of {', '.join(SWEEPS)} (default: all)")
    parser.add_argument("--reduced", action="store_true", help="r=2 and 2 replicates: time it, copy nothing")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "diffusion-sensitivity-references")
    args = parser.parse_args(argv)
    unknown = [name for name in args.experiments if name not in SWEEPS]
    if unknown:
        parser.error(f"{unknown[0]!r} has no sensitivity reference setting; allowed: {', '.join(SWEEPS)}")
    for name in args.experiments or list(SWEEPS):
        folder = args.work / (f"{name}-reduced" if args.reduced else name)
        resume = (folder / "runs").is_dir()
        started = time.perf_counter()
        result = subprocess.run(command(name, folder, reduced=args.reduced, resume=resume), cwd=REPO)
        minutes = (time.perf_counter() - started) / 60
        print(f"{name}: {'reduced ' if args.reduced else ''}Morris screening took {minutes:.1f} min "
              f"(exit status {result.returncode})", flush=True)
        if result.returncode != 0:
            return result.returncode
        if args.reduced:
            continue
        target = REPO / "experiments" / name / "sensitivity"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for item in COPIED:
            source = folder / "sensitivity" / item
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, target / item)
        print(f"{name}: reference written to {target}")
    if not args.reduced:
        print("now rebuild the all-claims table: python -m diffusion.claims --write")
    return 0


if __name__ == "__main__":
    sys.exit(main())
