"""The claims report: per claim, our paraphrase, the measured effect with its 95% CI, a verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from diffusion.analysis import Effect
from diffusion.claims import get_claim


@dataclass(frozen=True)
class ClaimResult:
    """What an experiment found about one claim."""

    claim_id: str
    effect: Effect
    verdict: str  # "supported" | "not supported" | "mixed"
    expected_sign: int
    conditions: str  # a sentence on the conditions under which it holds
    figures: list[str] = field(default_factory=list)
    extra_effects: list[Effect] = field(default_factory=list)


def _effect_text(effect: Effect) -> str:
    return f"{effect.estimate:+.4g} (95% CI {effect.ci_low:+.4g} to {effect.ci_high:+.4g}; n={effect.n})"


def write_report(
    path: Path,
    *,
    title: str,
    claim_results: list[ClaimResult],
    header: dict[str, Any],
    figures: list[str],
    notes: list[str] = (),
) -> Path:
    """Write the Markdown report and return its path."""
    lines = [f"# {title}", ""]
    lines += [f"- **{key}**: `{value}`" for key, value in header.items() if value is not None]
    lines.append("")
    if claim_results:
        lines += ["## Summary", "", "| claim | our paraphrase (source) | measure | estimate (95% CI) | verdict |",
                  "|---|---|---|---|---|"]
        for result in claim_results:
            claim = get_claim(result.claim_id)
            lines.append(
                f"| {claim.id} | {claim.statement} ({claim.source}) | {result.effect.description} | "
                f"{_effect_text(result.effect)} | **{result.verdict}** |"
            )
        lines += ["", "A claim the mechanisms do not support is a finding, reported with the same care as "
                  "one they do. *Mixed* means the interval straddles zero: the data cannot tell.", ""]
        for result in claim_results:
            claim = get_claim(result.claim_id)
            lines += [f"## {claim.id}: {result.verdict}", "", f"*Claim ({claim.source}).* {claim.statement}", "",
                      f"*Mechanism modelled.* {claim.mechanism}", "",
                      f"*Effect.* {result.effect.description}: {_effect_text(result.effect)}."]
            for extra in result.extra_effects:
                lines.append(f"Also: {extra.description}: {_effect_text(extra)}.")
            lines += ["", f"*Conditions.* {result.conditions}", ""]
            lines += [f"![{Path(fig).stem}]({fig})" for fig in result.figures]
            lines.append("")
    if notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in notes] + [""]
    listed = {fig for r in claim_results for fig in r.figures}
    others = [fig for fig in figures if fig not in listed]
    if others:
        lines += ["## Other figures", ""] + [f"![{Path(fig).stem}]({fig})" for fig in others] + [""]
    path = Path(path)
    path.write_text("\n".join(lines))
    effects_table(claim_results).to_csv(path.parent / EFFECTS_FILE, index=False)
    return path


#: Machine-readable twin of the report's effects, written next to ``report.md``.
EFFECTS_FILE = "effects.csv"


def effects_table(claim_results: list[ClaimResult]) -> pd.DataFrame:
    """One row per reported effect (each claim's main effect first, then its extra effects):
    claim, role (``main`` or ``extra``), description, estimate, 95% CI, n and the claim's
    verdict. Used to compare a rerun with a committed reference result."""
    rows = []
    for result in claim_results:
        for role, effect in (("main", result.effect), *(("extra", e) for e in result.extra_effects)):
            rows.append({
                "claim": result.claim_id, "role": role, "description": effect.description,
                "estimate": effect.estimate, "ci_low": effect.ci_low, "ci_high": effect.ci_high, "n": effect.n,
                "verdict": result.verdict,
            })
    columns = ["claim", "role", "description", "estimate", "ci_low", "ci_high", "n", "verdict"]
    return pd.DataFrame(rows, columns=columns)
