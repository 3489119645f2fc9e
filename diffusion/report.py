"""The claims report: per claim, our paraphrase, each judged part's effect with its 95% CI and
verdict, the claim's verdict and its origin (knock-out control), from the one rule of
:func:`diffusion.analysis.judge`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from diffusion import analysis
from diffusion.analysis import Effect, Judgement
from diffusion.claims import Claim, get_claim

#: Origins of a verdict (issue 18): does the effect survive with the claim's by-construction
#: mechanism switched off?
EMERGENT, BUILT_IN, NONE_NAMED, NOT_RUN, NOT_APPLICABLE = (
    "emergent", "built in", "none named", "knock-out not run", "n/a",
)
ORIGINS = {
    EMERGENT: "the effect is still supported with the named mechanism switched off (knock-out arm)",
    BUILT_IN: "the effect is not supported once the named mechanism is switched off: the experiment measures the "
              "mechanism's size, and is not evidence for the claim",
    NONE_NAMED: "no mechanism of the model produces the result by construction (the registry says why)",
    NOT_RUN: "a mechanism is named but this run has no knock-out arm for it",
    NOT_APPLICABLE: "the claim is not supported, so there is no support whose origin to trace",
}


@dataclass(frozen=True)
class PartResult:
    """One judged part of a claim, and the same part with the knock-out arm (if run)."""

    name: str
    effect: Effect
    judgement: Judgement
    knockout: Effect | None = None
    knockout_judgement: Judgement | None = None


@dataclass(frozen=True)
class ClaimResult:
    """What an experiment found about one claim."""

    claim_id: str
    parts: tuple[PartResult, ...]
    verdict: str
    origin: str
    conditions: str  # a sentence on the conditions under which it holds
    figures: list[str] = field(default_factory=list)
    extra_effects: list[Effect] = field(default_factory=list)

    @property
    def effect(self) -> Effect:
        """The primary part's effect."""
        return self.parts[0].effect


def claim_result(
    claim_id: str,
    effects: dict[str, Effect],
    *,
    conditions: str,
    figures: list[str] = (),
    extra_effects: list[Effect] = (),
    knockouts: dict[str, Effect] | None = None,
) -> ClaimResult:
    """Judge a claim's parts by the registry (:mod:`diffusion.claims`) and combine them.

    ``effects`` maps each part name of the claim to its effect (parts left out are not judged
    here); ``knockouts`` maps part names to the same effect measured in the knock-out arm.
    The origin is *emergent* when the knock-out arm's combined verdict is still *supported*,
    *built in* when it is not, *none named* when the registry names no mechanism.
    """
    claim = get_claim(claim_id)
    knockouts = knockouts or {}
    parts = []
    for part in claim.parts:
        if part.name not in effects:
            continue
        effect = effects[part.name]
        ko = knockouts.get(part.name)
        parts.append(PartResult(
            part.name, effect, analysis.judge(effect, direction=part.direction, sesoi=part.sesoi),
            ko, None if ko is None else analysis.judge(ko, direction=part.direction, sesoi=part.sesoi),
        ))
    unknown = set(effects) - {p.name for p in claim.parts}
    if unknown or not parts:
        raise ValueError(f"claim {claim_id}: effects {sorted(effects)} do not match its parts "
                         f"{[p.name for p in claim.parts]}")
    verdict = analysis.combine([p.judgement.verdict for p in parts], claim.combine if len(parts) > 1 else "single")
    return ClaimResult(claim_id, tuple(parts), verdict, origin_of(claim, verdict, parts), conditions,
                       list(figures), list(extra_effects))


def origin_of(claim: Claim, verdict: str, parts: list[PartResult]) -> str:
    """The origin of a claim's verdict (see :data:`ORIGINS`)."""
    if not claim.knockout.named:
        return NONE_NAMED
    if verdict != analysis.SUPPORTED:
        return NOT_APPLICABLE
    judged = [p.knockout_judgement.verdict for p in parts if p.knockout_judgement is not None]
    if not judged:
        return NOT_RUN
    still = analysis.combine(judged, claim.combine if len(judged) > 1 else "single")
    return EMERGENT if still == analysis.SUPPORTED else BUILT_IN


def _number(value: float) -> str:
    return f"{value:+.4g}" if np.isfinite(value) else "undefined"


def effect_text(effect: Effect) -> str:
    """``+0.123 (95% CI +0.1 to +0.15; n=20)``, or the fixed value of a fact."""
    if effect.deterministic:
        return f"{effect.estimate:.4g} (fixed by the design; n={effect.n})"
    return f"{_number(effect.estimate)} (95% CI {_number(effect.ci_low)} to {_number(effect.ci_high)}; n={effect.n})"


def verdict_label(result: ClaimResult) -> str:
    """The verdict as the summary shows it: built-in support is never shown as plain support."""
    if result.origin == BUILT_IN:
        return f"{result.verdict}, built in (measures the mechanism, not evidence)"
    return result.verdict


def _sesoi_text(claim: Claim, name: str) -> str:
    part = claim.part(name)
    sign = {1: "rise", -1: "fall", 0: "no difference"}[part.direction]
    return f"claimed: {sign}; smallest effect of interest ±{part.sesoi:.4g} {part.unit} ({part.basis}; {part.convention} convention)"


def first_sentence(result: ClaimResult) -> str:
    """The sentence that opens a claim's section; for built-in support it says so first."""
    claim = get_claim(result.claim_id)
    if result.origin == BUILT_IN:
        return (f"**Built in: this experiment measures the size of {claim.knockout.mechanism}, not evidence for the "
                f"claim** — with `{claim.knockout.override_text()}` the effect is no longer supported.")
    if result.origin == EMERGENT:
        return (f"The effect survives with {claim.knockout.mechanism} switched off (`{claim.knockout.override_text()}`): "
                "it emerges from the model rather than from that rule.")
    if result.origin == NOT_RUN:
        return (f"Origin unknown: {claim.knockout.mechanism} could produce this result by construction, and this run "
                f"has no knock-out arm (`{claim.knockout.override_text()}`).")
    if result.origin == NONE_NAMED:
        return f"No knock-out control is named for this claim: {claim.knockout.reason}."
    return (f"Not supported here ({result.verdict}); {claim.knockout.mechanism} could have produced support by "
            f"construction (knock-out `{claim.knockout.override_text()}`).")


def tests_statement(claim_results: list[ClaimResult]) -> str:
    """How many tests a report's table makes and why the intervals are not adjusted."""
    n_parts = sum(len(r.parts) for r in claim_results)
    return (
        f"This report judges {len(claim_results)} claim(s) through {n_parts} part test(s), each against its own "
        "smallest effect of interest, with unadjusted 95% intervals. No multiplicity adjustment is made: each claim "
        "is a separate question asked of the source, and a claim with several parts is supported only when every "
        "part is (an intersection-union test, which keeps its error rate without adjustment; Berger 1982, "
        "https://doi.org/10.1080/00401706.1982.10487759)."
    )


def write_report(
    path: Path,
    *,
    title: str,
    claim_results: list[ClaimResult],
    header: dict[str, Any],
    figures: list[str],
    notes: list[str] = (),
) -> Path:
    """Write the Markdown report and ``effects.csv`` beside it; return the report's path."""
    path = Path(path)
    table = effects_table(claim_results)
    verdict_figures = _verdict_figures(claim_results, table, path.parent)
    lines = [f"# {title}", ""]
    lines += [f"- **{key}**: `{value}`" for key, value in header.items() if value is not None]
    lines.append("")
    # A calibration flag (analyses.common.survey_check) is repeated at the top, where a reader starts.
    lines += [note.split(" Simulated survey")[0] + " See Notes." for note in notes if note.startswith("**Calibration flag:**")]
    if lines[-1] != "":
        lines.append("")
    if claim_results:
        lines += ["## Summary", "", "| claim | our paraphrase (source) | part | estimate (95% CI) | part verdict | "
                  "claim verdict | origin |", "|---|---|---|---|---|---|---|"]
        for result in claim_results:
            claim = get_claim(result.claim_id)
            for i, part in enumerate(result.parts):
                first = i == 0
                lines.append(
                    f"| {claim.id if first else ''} | {f'{claim.statement} ({claim.source})' if first else ''} | "
                    f"{part.effect.description} | {effect_text(part.effect)} | {part.judgement.verdict} | "
                    f"{f'**{verdict_label(result)}**' if first else ''} | {result.origin if first else ''} |"
                )
        directions = {get_claim(r.claim_id).part(p.name).direction for r in claim_results for p in r.parts}
        lines += ["", "Verdicts (one rule, `diffusion.analysis.judge`; each part's 95% interval against its smallest "
                  "effect of interest):", ""]
        lines += [f"- {line}" for line in analysis.legend(directions)]
        lines += [f"- combining parts, *{name}*: {text}." for name, text in analysis.COMBINE_RULES.items()
                  if any(get_claim(r.claim_id).combine == name for r in claim_results)]
        lines += [f"- origin *{name}*: {text}." for name, text in ORIGINS.items()]
        lines += ["", tests_statement(claim_results), "",
                  "A claim the mechanisms do not support is a finding, reported with the same care as one they do.", ""]
        for result in claim_results:
            claim = get_claim(result.claim_id)
            lines += [f"## {claim.id}: {verdict_label(result)}", "", first_sentence(result), "",
                      f"*Claim ({claim.source}).* {claim.statement}", "",
                      f"*Mechanism modelled.* {claim.mechanism}", ""]
            for part in result.parts:
                lines.append(f"- *{part.name}* — {part.effect.description}: {effect_text(part.effect)}; "
                             f"{_sesoi_text(claim, part.name)}; **{part.judgement.verdict}** ({part.judgement.reason}).")
                if part.knockout is not None:
                    lines.append(f"  Knock-out (`{claim.knockout.override_text()}`): {effect_text(part.knockout)}; "
                                 f"**{part.knockout_judgement.verdict}**.")
            if len(result.parts) > 1:
                lines.append(f"- Parts combine by *{claim.combine}*: **{result.verdict}**.")
            lines.append("")
            for extra in result.extra_effects:
                lines.append(f"Also: {extra.description}: {effect_text(extra)}.")
            lines += ["", f"*Conditions.* {result.conditions}", ""]
            shown = [verdict_figures[result.claim_id]] if result.claim_id in verdict_figures else []
            lines += [f"![{Path(fig).stem}]({fig})" for fig in [*shown, *result.figures]]
            lines.append("")
    if notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in notes] + [""]
    listed = {fig for r in claim_results for fig in r.figures}
    others = [fig for fig in figures if fig not in listed]
    if others:
        lines += ["## Other figures", ""] + [f"![{Path(fig).stem}]({fig})" for fig in others] + [""]
    path.write_text("\n".join(lines))
    table.to_csv(path.parent / EFFECTS_FILE, index=False)
    return path


def _verdict_figures(claim_results: list[ClaimResult], table: pd.DataFrame, out_dir: Path) -> dict[str, str]:
    """Draw each claim's verdict figure (the paired effect of every part with its interval, the
    smallest effect of interest and the knock-out arm; :func:`diffusion.plots.effect_panels`)
    into ``out_dir/figures``; return claim ID -> path relative to ``out_dir``."""
    from diffusion import plots  # figures only when a report is written

    paths = {}
    for result in claim_results:
        claim = get_claim(result.claim_id)
        rows = table[(table["claim"] == result.claim_id) & table["role"].isin(["part", "knockout"])]
        source = "; ".join(f"{what} {value:g}" if value else what for value, kind, what in claim.figures)
        fig = plots.effect_panels(
            rows, title=f"{claim.id}: {result.verdict}" + (" — built in, not evidence" if result.origin == BUILT_IN else ""),
            xlabels={p.name: f"{p.measure} ({p.unit})" for p in claim.parts},
            source=f"{source}, {claim.source}" if source else claim.source,
        )
        name = f"verdict_{claim.id}.png"
        plots.save_figure(fig, out_dir / "figures" / name)
        paths[result.claim_id] = f"figures/{name}"
    return paths


#: Machine-readable twin of the report's effects, written next to ``report.md``.
EFFECTS_FILE = "effects.csv"
#: Columns of :data:`EFFECTS_FILE`.
EFFECTS_COLUMNS = ["claim", "role", "part", "description", "estimate", "ci_low", "ci_high", "n", "direction",
                   "sesoi", "verdict", "claim_verdict", "origin"]


def read_effects(path: Path) -> pd.DataFrame:
    """An ``effects.csv`` as :func:`effects_table` wrote it. Only empty cells and ``nan`` are
    missing values: pandas would otherwise read the origin ``n/a`` (:data:`NOT_APPLICABLE`) as
    missing."""
    return pd.read_csv(path, keep_default_na=False, na_values=["", "nan", "NaN"])


def effects_table(claim_results: list[ClaimResult]) -> pd.DataFrame:
    """One row per reported effect: each judged part (role ``part``), its knock-out arm (role
    ``knockout``), then the claim's other effects (role ``extra``, not judged). ``verdict`` is
    the row's own verdict (parts and knock-outs), ``claim_verdict`` and ``origin`` the claim's.
    Read by :mod:`diffusion.compare` and :mod:`diffusion.claims_table`."""
    rows = []
    for result in claim_results:
        claim = get_claim(result.claim_id)
        common = {"claim": result.claim_id, "claim_verdict": result.verdict, "origin": result.origin}
        for part in result.parts:
            declared = claim.part(part.name)
            judged = {"part": part.name, "direction": declared.direction, "sesoi": declared.sesoi}
            rows.append({**common, **judged, "role": "part", **_effect_row(part.effect), "verdict": part.judgement.verdict})
            if part.knockout is not None:
                row = _effect_row(part.knockout)
                row["description"] = f"knock-out ({claim.knockout.override_text()}): {row['description']}"
                rows.append({**common, **judged, "role": "knockout", **row, "verdict": part.knockout_judgement.verdict})
        for extra in result.extra_effects:
            rows.append({**common, "role": "extra", "part": "", **_effect_row(extra), "verdict": ""})
    return pd.DataFrame(rows, columns=EFFECTS_COLUMNS)


def _effect_row(effect: Effect) -> dict[str, Any]:
    return {"description": effect.description, "estimate": effect.estimate, "ci_low": effect.ci_low,
            "ci_high": effect.ci_high, "n": effect.n}
