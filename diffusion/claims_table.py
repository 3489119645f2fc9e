"""The all-claims table (issue 18): one row per claim, built from the committed references.

Usage::

    python -m diffusion.claims            # print the table (Markdown)
    python -m diffusion.claims --write    # write CLAIMS.md at the top of the checkout
    python -m diffusion.claims --check    # exit 1 when CLAIMS.md no longer matches the references

Each row gives the claim's paraphrase and source, the source's figure, our estimate and 95%
interval for each judged part, the smallest effect of interest, the verdict by the one rule
(:func:`diffusion.analysis.judge`), its origin (knock-out control) and the experiment and figure
that show it, read from ``experiments/NAME/reference/effects.csv`` and ``report.md``. P1-P3 are
calibration targets: their row shows how close the calibrated model's simulated survey comes
(``survey_*`` columns of the weak-ties reference's ``summary.csv`` at the default weak-tie
share), judged by the same rule. A claim without an experiment says so.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from diffusion import analysis
from diffusion.analysis import Effect
from diffusion.claims import CLAIMS, Claim
from diffusion.provenance import repository
from diffusion.report import BUILT_IN, ORIGINS, read_effects

#: Root of the checkout.
#: The committed table.
TABLE_FILE = "CLAIMS.md"
#: P1-P3: the simulated survey column, the source's figure, and the weak-ties reference point.
SURVEY = {"P1": ("survey_trust_share", 0.32), "P2": ("survey_recommend_share", 0.40), "P3": ("survey_accept_again_share", 0.84)}
SURVEY_EXPERIMENT, SURVEY_POINT = "weak_ties", ("weak_tie_share", 0.2)
#: The W1 arm of the calibrated society (the package default, ``network.weak_ties``).
SURVEY_ARM = ("weak_ties", "replace")


def _number(value: float) -> str:
    return f"{value:+.3g}" if np.isfinite(value) else "undefined"


def _interval(row) -> str:
    return f"{_number(row['estimate'])} ({_number(row['ci_low'])} to {_number(row['ci_high'])})"


def _source_figure(claim: Claim) -> str:
    if not claim.figures:
        if any(part.direction == 0 for part in claim.parts):
            return "no number (claims no effect that matters)"
        return "no number (a direction)"
    texts = []
    for value, kind, what in claim.figures:
        number = "" if value == 0 else (f"{value:,.0f} " if abs(value) >= 1000 else f"{value:g} ")
        texts.append(f"{number}({kind}: {what})")
    return "; ".join(texts)


def _figures(reference: Path, claim_id: str) -> list[str]:
    """Figures shown under the claim's section of the reference report."""
    report = reference / "report.md"
    if not report.is_file():
        return []
    text = report.read_text()
    match = re.search(rf"^## {claim_id}: .*?(?=^## |\Z)", text, flags=re.M | re.S)
    return re.findall(r"!\[[^\]]*\]\(([^)]+)\)", match.group(0)) if match else []


def _parts(claim: Claim, effects: pd.DataFrame) -> tuple[list[str], str, str, bool]:
    """Per-part text, the claim's verdict and origin, and whether the reference predates
    per-part effects (then only the primary part is judged, from its ``main`` row)."""
    rows = effects[effects["claim"] == claim.id]
    if "part" in rows and (rows["role"] == "part").any():
        lines = []
        for part in claim.parts:
            row = rows[(rows["role"] == "part") & (rows["part"] == part.name)]
            if row.empty:
                continue
            row = row.iloc[0]
            text = f"{part.name}: {_interval(row)}, ±{part.sesoi:.3g} → {row['verdict']}"
            ko = rows[(rows["role"] == "knockout") & (rows["part"] == part.name)]
            if not ko.empty:
                text += f"; knock-out {_interval(ko.iloc[0])} → {ko.iloc[0]['verdict']}"
            lines.append(text)
        return lines, str(rows["claim_verdict"].iloc[0]), str(rows["origin"].iloc[0]), False
    main = rows[rows["role"] == "main"]
    if main.empty:
        return [], analysis.NOT_MEASURABLE, "", True
    # A reference written before per-part effects (issue 18): its main row is not always the
    # registry's primary part (R4's was the raw count, not the count minus 10), so it is shown
    # but not judged.
    row = main.iloc[0]
    return [f"{row['description']}: {_interval(row)}"], "pending: reference predates the verdict rule", "", True


def _survey(claim: Claim, repo: Path) -> tuple[list[str], str]:
    column, target = SURVEY[claim.id]
    summary_path = repo / "experiments" / SURVEY_EXPERIMENT / "reference" / "summary.csv"
    if not summary_path.is_file():
        return ["no reference yet"], analysis.NOT_MEASURABLE
    summary = pd.read_csv(summary_path)
    key, value = SURVEY_POINT
    rows = summary[(summary["measure"] == column) & np.isclose(summary[key], value)]
    if SURVEY_ARM[0] in rows.columns:  # the calibrated society: bridges replace strong ties (W1's two arms)
        rows = rows[rows[SURVEY_ARM[0]] == SURVEY_ARM[1]]
    if rows.empty:
        return [f"{column} not in the {SURVEY_EXPERIMENT} reference"], analysis.NOT_MEASURABLE
    row = rows.iloc[0]
    part = claim.parts[0]
    effect = Effect(column, column, row["mean"] - target, row["ci_low"] - target, row["ci_high"] - target, int(row["n"]))
    verdict = analysis.judge(effect, direction=part.direction, sesoi=part.sesoi).verdict
    return [f"simulated survey {row['mean']:.3f} ({row['ci_low']:.3f} to {row['ci_high']:.3f}) vs {target:g}: "
            f"{_interval({'estimate': effect.estimate, 'ci_low': effect.ci_low, 'ci_high': effect.ci_high})}, "
            f"±{part.sesoi:g} → {verdict}"], verdict


#: Sub-folder of ``experiments/NAME/`` holding the committed sensitivity reference (issue 20).
SENSITIVITY_FOLDER = "sensitivity"


def _robustness(claim: Claim, repo: Path) -> str:
    """The claim's verdict robustness from a committed sensitivity reference
    (``experiments/NAME/sensitivity/robustness.csv``, written by
    ``python experiments/make_sensitivity_references.py``): share of sampled plausible points with
    the verdict at the defaults, its 95% interval and the factors that flip it. The claim's own
    experiment first; else another experiment that also judges it, named; "not run" without one."""
    if claim.experiment is None:
        return "not run"
    own = repo / "experiments" / claim.experiment / SENSITIVITY_FOLDER / "robustness.csv"
    others = sorted(p for p in (repo / "experiments").glob(f"*/{SENSITIVITY_FOLDER}/robustness.csv") if p != own)
    for path in [own, *others]:
        if not path.is_file():
            continue
        table = pd.read_csv(path, keep_default_na=False, na_values=["", "nan"])
        row = table[table["claim"] == claim.id]
        if not row.empty:
            text = _robustness_text(row.iloc[0], path)
            return text if path == own else f"in {path.parent.parent.name}: {text}"
    return "not run"


def _robustness_text(row: pd.Series, path: Path) -> str:
    flipped = str(row["flipped_by"]).split("; ")
    text = (f"{row['robustness']:.2f} ({row['ci_low']:.2f}-{row['ci_high']:.2f}) of {int(row['n_points'])} "
            f"points ({row['method']}) keep '{row['default_verdict']}'")
    if flipped and flipped[0] != "none":
        text += "; flipped by " + ", ".join(f.split(" (")[0].rsplit(".", 1)[-1] for f in flipped[:3])
    experiment = path.parent.parent.name
    if (path.parent / "figures" / "robustness.png").is_file():
        text += f" ([figure](experiments/{experiment}/{SENSITIVITY_FOLDER}/figures/robustness.png))"
    return text


def rows(repo: Path | None = None) -> list[dict[str, str]]:
    """The table's rows, one per claim, in registry order, from the references of ``repo``
    (default: :func:`diffusion.provenance.repository`)."""
    repo = repository() if repo is None else repo
    out = []
    for claim in CLAIMS.values():
        row = {"claim": claim.id, "statement": f"{claim.statement} ({claim.source})", "figure": _source_figure(claim),
               "sesoi": "; ".join(f"±{p.sesoi:.3g} {p.unit} ({p.convention})" for p in claim.parts)}
        if claim.id in SURVEY:
            parts, verdict = _survey(claim, repo)
            row.update(parts="<br>".join(parts), verdict=f"{verdict} (calibration target: tuned to it)",
                       origin="calibrated", where=f"[{SURVEY_EXPERIMENT}](experiments/{SURVEY_EXPERIMENT}/reference/summary.csv) "
                                                  f"survey columns at {SURVEY_POINT[0]} {SURVEY_POINT[1]:g}, {SURVEY_ARM[0]} {SURVEY_ARM[1]}")
        elif claim.experiment is None:
            row.update(parts="—", verdict="no experiment yet", origin=claim.knockout.mechanism, where="—")
        else:
            reference = repo / "experiments" / claim.experiment / "reference"
            effects_path = reference / "effects.csv"
            if not effects_path.is_file():
                row.update(parts="—", verdict="no reference yet", origin="", where=claim.experiment)
            else:
                parts, verdict, origin, legacy = _parts(claim, read_effects(effects_path))
                if legacy:
                    origin = f"rebuild: python experiments/make_references.py {claim.experiment}"
                elif origin == BUILT_IN:
                    verdict += ", built in: not evidence"
                figures = _figures(reference, claim.id)
                where = f"[{claim.experiment}](experiments/{claim.experiment}/README.md)"
                if figures:
                    where += ", " + ", ".join(f"[{Path(f).stem}](experiments/{claim.experiment}/reference/{f})" for f in figures[:2])
                row.update(parts="<br>".join(parts) or "—", verdict=verdict, origin=origin, where=where)
        row["robustness"] = _robustness(claim, repo)
        out.append(row)
    return out


def build(repo: Path | None = None) -> str:
    """The whole of ``CLAIMS.md``."""
    lines = [
        "# The 27 claims and what the model says about them",
        "",
        "Generated by `python -m diffusion.claims --write` from the committed references "
        "(`experiments/*/reference/`); `tests/test_claims_table.py` fails when it no longer matches them. "
        "Each part's 95% interval is judged against its smallest effect of interest (±SESOI) by the one rule "
        "of `diffusion.analysis.judge`; conventions for the SESOI are in `diffusion.claims.CONVENTION`.",
        "",
        "| ID | claim (source) | source's figure | our estimate (95% CI) → part verdict | SESOI | verdict | origin | robustness | experiment, figures |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows(repo):
        cells = [row["claim"], row["statement"], row["figure"], row["parts"], row["sesoi"], f"**{row['verdict']}**",
                 row["origin"], row["robustness"], row["where"]]
        lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    lines += ["", "Verdicts:", ""] + [f"- {line}" for line in analysis.legend()]
    lines += [f"- origin *{name}*: {text}." for name, text in ORIGINS.items()]
    lines += ["- origin *calibrated*: P1-P3 are inputs the behaviour defaults are tuned to reproduce "
              "(`python -m diffusion.calibration`); their row says how close the model comes, not whether the paper is right.",
              "- *robustness*: share of the sampled plausible parameter space (a Morris screening of every ranged "
              "parameter, `experiments/NAME/sensitivity/`: factor by factor, or *by mechanism* where the parameters "
              "of one mechanism move together) in which the claim's verdict is the one at the defaults, with its 95% "
              "interval and the parameters (or mechanisms) whose change alone flips it most often. Every point is "
              "judged on 5 replicates, fewer than the reference's, so part of a low robustness is lost power; "
              "*not run* without a committed sensitivity reference.",
              ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m diffusion.claims``."""
    parser = argparse.ArgumentParser(prog="python -m diffusion.claims", description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help=f"write {TABLE_FILE}")
    group.add_argument("--check", action="store_true", help=f"exit 1 when {TABLE_FILE} is out of date")
    args = parser.parse_args(argv)
    text = build()
    path = repository() / TABLE_FILE
    if args.write:
        path.write_text(text)
        print(f"wrote {path}")
    elif args.check:
        current = path.read_text() if path.is_file() else ""
        if current != text:
            print(f"{TABLE_FILE} does not match the references; run python -m diffusion.claims --write", file=sys.stderr)
            return 1
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
