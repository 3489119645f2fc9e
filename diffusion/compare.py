"""Compare a run with its experiment's committed reference, effect by effect (issue 18).

Usage::

    python -m diffusion.compare RUN_DIR [--reference DIR]

The reference is ``experiments/NAME/reference`` of the checkout, NAME being the run's
experiment (from its ``provenance.json``). For every judged part (and every other reported
effect) it prints both estimates, their difference in combined standard errors (each standard
error recovered from the 95% Student-t interval and its n) and whether the verdicts agree, then
the claims' verdicts. The exit status is 0 when every verdict agrees, 1 when any differs, and 2
with one line of explanation when the input is wrong: a folder that is not a finished run, a
run of another experiment than the reference, or a reference made with another configuration.
Nothing is written.

What must match is the *estimand*: the configuration apart from the root seed and the number of
replicates (:func:`estimand_hash`), so a rerun with another seed or fewer replicates can be
compared with the reference; a reference that records only the full config hash is compared on
that.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import OmegaConf
from scipy import stats

from diffusion.errors import DiffusionError
from diffusion.provenance import config_hash, repository
from diffusion.report import EFFECTS_FILE, read_effects

#: Tolerance, in combined standard errors, of :func:`compare` (used by the slow replication test).
Z = 4.0


class CompareError(DiffusionError):
    """The folders given cannot be compared."""


def standard_error(frame: pd.DataFrame) -> pd.Series:
    """Standard error of each effect, from its 95% t interval: width / (2 t_{0.975, n-1})."""
    n = frame["n"].clip(lower=2)
    return (frame["ci_high"] - frame["ci_low"]) / (2 * stats.t.ppf(0.975, n - 1))


def _key(frame: pd.DataFrame) -> pd.Series:
    """Match judged parts by claim, role and part name (their descriptions may name a scenario
    that differs between runs), other effects by claim and description."""
    role = frame["role"] if "role" in frame else pd.Series("main", index=frame.index)
    part = frame["part"].fillna("").astype(str) if "part" in frame else pd.Series("", index=frame.index)
    judged = role.isin(["part", "knockout"]) & part.ne("")
    return frame["claim"].astype(str) + "|" + role.astype(str) + "|" + part.where(judged, frame["description"].astype(str))


def side_by_side(reference: pd.DataFrame, run: pd.DataFrame) -> pd.DataFrame:
    """One row per effect in either table: both estimates and verdicts, and the difference in
    combined standard errors (``z``)."""
    reference, run = (t.assign(se=standard_error(t), key=_key(t)).drop_duplicates("key") for t in (reference, run))
    columns = ["key", "claim", "description", "estimate", "se", *[c for c in ("verdict",) if c in reference]]
    merged = reference[columns].merge(run[[c for c in columns if c in run]], on="key", how="outer",
                                      suffixes=("_ref", "_run"))
    merged["z"] = (merged["estimate_run"] - merged["estimate_ref"]) / np.hypot(merged["se_ref"], merged["se_run"])
    return merged


def compare(reference: pd.DataFrame, rerun: pd.DataFrame, z: float = Z) -> list[str]:
    """Disagreements in size or sign between two effects tables, one line each (empty: they
    agree). An effect whose reference interval excludes zero must come out within ``z``
    combined standard errors of the reference, and with the same sign when the reference lies
    more than ``z`` combined standard errors from zero."""
    merged = side_by_side(reference, rerun).dropna(subset=["estimate_ref"])
    reference = reference.assign(key=_key(reference)).set_index("key")
    problems = []
    for _, row in merged.iterrows():
        low, high = reference.loc[row["key"], ["ci_low", "ci_high"]]
        estimate = row["estimate_ref"]
        if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 <= high:
            continue  # the reference cannot tell the sign: nothing to check
        se = np.hypot(row["se_ref"], row["se_run"])
        new = row["estimate_run"]
        label = f"{row['claim_ref']}: {row['description_ref']}: reference {estimate:+.4g}, rerun {new:+.4g} (combined SE {se:.3g})"
        if not np.isfinite(new) or abs(new - estimate) > z * se:
            problems.append(f"size differs by more than {z:g} SE — {label}")
        elif abs(estimate) > z * se and np.sign(new) != np.sign(estimate):
            problems.append(f"sign differs — {label}")
    return problems


def estimand_hash(resolved: dict[str, Any]) -> str:
    """The config hash without the root seed and the number of replicates: two runs with the
    same estimand hash estimate the same quantities, with other draws or precision."""
    data = {key: value for key, value in resolved.items() if key != "seed"}
    if isinstance(data.get("run"), dict):
        data["run"] = {key: value for key, value in data["run"].items() if key != "n_replicates"}
    return config_hash(data)


def _run_record(run_dir: Path) -> tuple[dict[str, Any], pd.DataFrame, str | None]:
    """A run folder's provenance, effects table and estimand hash (None without its config)."""
    provenance, effects = run_dir / "provenance.json", run_dir / EFFECTS_FILE
    if not run_dir.is_dir() or not provenance.is_file() or not effects.is_file():
        raise CompareError(f"{run_dir} is not a finished run folder (it needs provenance.json and {EFFECTS_FILE}, "
                           "written by python -m diffusion +experiment=NAME).")
    try:
        record = json.loads(provenance.read_text())
        table = read_effects(effects)
    except (ValueError, OSError) as error:
        raise CompareError(f"{run_dir}: cannot read its provenance.json or {EFFECTS_FILE} ({error}).") from None
    config = run_dir / ".hydra" / "config.yaml"
    estimand = estimand_hash(OmegaConf.to_container(OmegaConf.load(config), resolve=True)) if config.is_file() else None
    return record, table, estimand


def _experiment_of(record: dict[str, Any]) -> str | None:
    if record.get("experiment"):
        return str(record["experiment"])
    for word in str(record.get("command", "")).split():
        if word.startswith("+experiment="):
            return word.split("=", 1)[1]
    return None


def load(run_dir: Path, reference_dir: Path | None = None) -> tuple[str, pd.DataFrame, pd.DataFrame, Path]:
    """Check that a run and a reference can be compared; return the experiment, both effects
    tables and the reference folder, or raise :class:`CompareError` saying why not."""
    record, run, run_estimand = _run_record(run_dir)
    name = _experiment_of(record)
    if name is None:
        raise CompareError(f"{run_dir}: its provenance.json names no experiment, so it has no reference to compare with.")
    reference_dir = reference_dir or repository() / "experiments" / name / "reference"
    ref_json, ref_effects = reference_dir / "run.json", reference_dir / EFFECTS_FILE
    if not ref_json.is_file() or not ref_effects.is_file():
        raise CompareError(f"{reference_dir} is not a reference (it needs run.json and {EFFECTS_FILE}, written by "
                           f"python experiments/make_references.py {name}).")
    ref_record = json.loads(ref_json.read_text())
    ref_name = _experiment_of(ref_record)
    if ref_name != name:
        raise CompareError(f"{run_dir} is a run of {name!r} but {reference_dir} is a reference of {ref_name!r}; "
                           f"compare it with experiments/{name}/reference.")
    if ref_record.get("estimand_hash") is not None and run_estimand is not None:
        if ref_record["estimand_hash"] != run_estimand:
            raise CompareError(
                f"{reference_dir} was made with another configuration (estimand hash {ref_record['estimand_hash']}, "
                f"this run {run_estimand}); rerun with the reference's settings, or rebuild the reference with "
                f"python experiments/make_references.py {name}.")
    elif ref_record.get("config_hash") != record.get("config_hash"):
        raise CompareError(
            f"{reference_dir} was made with config hash {ref_record.get('config_hash')} and this run with "
            f"{record.get('config_hash')}; rerun with the reference's settings, or rebuild the reference with "
            f"python experiments/make_references.py {name}.")
    return name, read_effects(ref_effects), run, reference_dir


def _fmt(value: float) -> str:
    return f"{value:+.4g}" if np.isfinite(value) else "—"


def render(reference: pd.DataFrame, run: pd.DataFrame) -> tuple[list[str], bool]:
    """The printed comparison and whether every verdict agrees."""
    merged = side_by_side(reference, run)
    lines = [f"{'claim':<6} {'effect':<60} {'reference':>11} {'this run':>11} {'diff/SE':>8}  verdicts"]
    agree = True
    for _, row in merged.iterrows():
        claim = row["claim_ref"] if isinstance(row["claim_ref"], str) else row["claim_run"]
        description = row["description_ref"] if isinstance(row["description_ref"], str) else row["description_run"]
        ref_v, run_v = (row.get(f"verdict_{s}") for s in ("ref", "run"))
        ref_v, run_v = ("" if not isinstance(v, str) else v for v in (ref_v, run_v))
        if ref_v or run_v:
            same = ref_v == run_v
            agree &= same
            verdicts = f"{ref_v or 'missing'} / {run_v or 'missing'} ({'agree' if same else 'DIFFER'})"
        else:
            verdicts = "(not judged)"
        lines.append(f"{claim:<6} {description[:60]:<60} {_fmt(row['estimate_ref']):>11} {_fmt(row['estimate_run']):>11} "
                     f"{_fmt(row['z']):>8}  {verdicts}")
    claims = {}
    for label, table in (("reference", reference), ("this run", run)):
        if "claim_verdict" in table:
            for claim, verdict in table.drop_duplicates("claim")[["claim", "claim_verdict"]].itertuples(index=False):
                claims.setdefault(claim, {})[label] = verdict
    for claim, verdicts in claims.items():
        same = verdicts.get("reference") == verdicts.get("this run")
        agree &= same
        lines.append(f"claim {claim}: reference {verdicts.get('reference', 'missing')}, this run "
                     f"{verdicts.get('this run', 'missing')} ({'agree' if same else 'DIFFER'})")
    return lines, agree


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m diffusion.compare``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m diffusion.compare", description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path, help="a run folder of python -m diffusion +experiment=NAME")
    parser.add_argument("--reference", type=Path, default=None, help="reference folder (default: experiments/NAME/reference)")
    args = parser.parse_args(argv)
    try:
        name, reference, run, reference_dir = load(args.run_dir, args.reference)
    except CompareError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    lines, agree = render(reference, run)
    print(f"{name}: {args.run_dir} against {reference_dir}")
    print("\n".join(lines))
    print("all verdicts agree" if agree else "verdicts differ: see DIFFER above")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
