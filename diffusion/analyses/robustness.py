"""Analysis of the robustness experiment (D5): random failure vs targeted removal.

Verdict rule (paired over replicates, 95% intervals): at the reference removal fraction (the
swept value closest to 0.3), take on the weak-tie society the targeted rule that leaves the
smallest giant component, and its giant component minus that under random removal. D5 —
"no central node whose loss brings the network down" — is supported when the whole interval
lies above ``-TOLERANCE`` (targeted removal costs at most 10 points more than random failure),
not supported when it lies entirely below, mixed otherwise. The same contrast on the
Barabási–Albert network of the same size is reported next to it: it is the hub-dominated case
the claim sets decentralization against.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from diffusion import analysis, plots, report
from diffusion.analyses import common

KIND, RULE, FRACTION, P = "kind", "removal_rule", "removal_fraction", "platform"
#: How much more of the giant component targeted removal may destroy than random failure for
#: the network to count as robust (share of all users).
TOLERANCE = 0.10
REFERENCE_FRACTION = 0.3
STRUCTURE = ["giant_component_share", "standard_cascade_reach"]
YLABELS = {
    "giant_component_share": "giant component (share of all users)",
    "standard_cascade_reach": "reach of a standard cascade (share of all users)",
    "content_reach_share": "campaign reach (share of all users)",
}


def structure_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Structural measures once per network, rule, fraction and replicate (they do not depend
    on the policy: the policies run on the same damaged network)."""
    first = sorted(outcomes[P].unique())[0] if P in outcomes else None
    part = outcomes[outcomes[P] == first] if first is not None else outcomes
    return part[[KIND, RULE, FRACTION, "replicate", *STRUCTURE]]


def figures(outcomes: pd.DataFrame, out_dir: Path) -> dict[str, str]:
    """Size and reach against fraction removed, one line per removal rule."""
    fig_dir, paths = out_dir / "figures", {}
    structure = structure_table(outcomes)
    for measure, name in (("giant_component_share", "robustness_giant.png"),
                          ("standard_cascade_reach", "robustness_cascade.png")):
        summary = analysis.summarise(structure, by=[KIND, RULE, FRACTION], measures=[measure])
        fig = plots.facet_lines(
            summary, x=FRACTION, hue=RULE, facet=KIND, measure=measure,
            title=f"D5: {YLABELS[measure]} after removal", xlabel="fraction of users removed",
            ylabel=YLABELS[measure],
        )
        common.save(fig, fig_dir, name, paths, out_dir)
    for kind in sorted(outcomes[KIND].unique()):
        summary = analysis.summarise(outcomes[outcomes[KIND] == kind], by=[P, RULE, FRACTION],
                                     measures=["content_reach_share"])
        fig = plots.facet_lines(
            summary, x=FRACTION, hue=RULE, facet=P, measure="content_reach_share",
            title=f"D5: campaign reach after removal under each policy ({kind})",
            xlabel="fraction of users removed", ylabel=YLABELS["content_reach_share"],
        )
        common.save(fig, fig_dir, f"robustness_campaign_{kind}.png", paths, out_dir)
    return paths


def _reference(outcomes: pd.DataFrame) -> float:
    fractions = np.array(sorted(outcomes[FRACTION].unique()))
    return float(fractions[np.argmin(np.abs(fractions - REFERENCE_FRACTION))])


def attack_effect(structure: pd.DataFrame, kind: str, fraction: float) -> tuple[analysis.Effect, str]:
    """Giant component under the most damaging targeted rule minus under random removal."""
    part = structure[(structure[KIND] == kind) & (structure[FRACTION] == fraction)]
    targeted = part[part[RULE] != "random"]
    worst = targeted.groupby(RULE)["giant_component_share"].mean().idxmin()
    effect = analysis.paired_difference(
        part, scenario=RULE, low="random", high=worst, measure="giant_component_share"
    )
    description = f"giant component on the {kind} network after removing {fraction:.0%}: by {worst} minus at random"
    return analysis.Effect(effect.measure, description, effect.estimate, effect.ci_low, effect.ci_high, effect.n), worst


def policy_losses(outcomes: pd.DataFrame, kind: str, rule: str, fraction: float) -> list[str]:
    """Per policy: change in campaign reach from no removal to ``fraction`` removed by ``rule``."""
    lines = []
    part = outcomes[(outcomes[KIND] == kind) & (outcomes[RULE] == rule)]
    for policy in sorted(part[P].unique()):
        effect = analysis.paired_difference(
            part[part[P] == policy], scenario=FRACTION, low=0.0, high=fraction, measure="content_reach_share"
        )
        lines.append(f"{policy} {common.describe(effect)}")
    return lines


def claim_results(outcomes: pd.DataFrame, paths: dict[str, str]) -> list[report.ClaimResult]:
    """The D5 verdict (rule in the module docstring)."""
    structure = structure_table(outcomes)
    kinds = set(structure[KIND])
    if "society" not in kinds or "random" not in set(structure[RULE]) or structure[RULE].nunique() < 2:
        return []
    fraction = _reference(outcomes)
    effect, worst = attack_effect(structure, "society", fraction)
    shifted = analysis.Effect(effect.measure, effect.description, effect.estimate + TOLERANCE,
                              effect.ci_low + TOLERANCE, effect.ci_high + TOLERANCE, effect.n)
    verdict = analysis.verdict(shifted, expected_sign=+1)
    extras, contrast = [], ""
    if "barabasi_albert" in kinds:
        ba, ba_worst = attack_effect(structure, "barabasi_albert", fraction)
        extras.append(ba)
        contrast = (
            f" On the Barabási–Albert network the same contrast is {common.describe(ba)} (worst rule: "
            f"{ba_worst}): hubs hold a scale-free network together, and removing them first breaks it."
        )
    reach = analysis.paired_difference(
        structure[(structure[KIND] == "society") & (structure[FRACTION] == fraction)],
        scenario=RULE, low="random", high=worst, measure="standard_cascade_reach",
    )
    extras.append(analysis.Effect(reach.measure, f"standard cascade reach on the society, {worst} minus random at {fraction:.0%}",
                                  reach.estimate, reach.ci_low, reach.ci_high, reach.n))
    losses = policy_losses(outcomes, "society", worst, fraction) if 0.0 in set(outcomes[FRACTION]) else []
    conditions = (
        f"Robust means targeted removal of {fraction:.0%} of users destroys at most {TOLERANCE:.0%} more of "
        f"the giant component than random failure. On the weak-tie society the most damaging rule is "
        f"{worst}: {common.describe(effect)}.{contrast} The society's robustness comes from its "
        "structure (many overlapping circles, bounded degrees, bridges spread over many users), not "
        "from the exposure policy: every policy runs on the same damaged network. What the policy "
        f"changes is how far the campaign still travels: change in campaign reach after removing "
        f"{fraction:.0%} by {worst}, per policy: " + "; ".join(losses) + "."
    )
    return [report.ClaimResult(
        claim_id="D5", effect=effect, verdict=verdict, expected_sign=+1, conditions=conditions,
        figures=[paths[name] for name in ("robustness_giant.png", "robustness_cascade.png") if name in paths],
        extra_effects=extras,
    )]


def analyse(settings: Any, tables: dict[str, pd.DataFrame], out_dir: Path, *, header: dict[str, Any]) -> Path:
    """Figures, summary table and report of the robustness experiment; returns the report path."""
    outcomes = tables["outcomes"]
    paths = figures(outcomes, out_dir)
    measures = [*STRUCTURE, "content_reach_share", "purchase_reach_share"]
    analysis.summarise(outcomes, by=[KIND, RULE, FRACTION, P], measures=measures).to_csv(out_dir / "summary.csv", index=False)
    notes = [
        f"{outcomes[KIND].nunique()} networks x {outcomes[RULE].nunique()} removal rules x "
        f"{outcomes[FRACTION].nunique()} fractions x {outcomes[P].nunique()} policies, "
        f"{settings.run.n_replicates} paired replicates, {settings.network.n_users} users, "
        f"{settings.run.n_steps} days. Removal orders are computed once on the intact network "
        "(Holme et al. 2002's initial attack); removed users keep their ids but lose every tie, "
        "follow and post. Reach is a share of all users, the removed included.",
        "Standard cascade: an independent cascade from 10 random remaining users in which each tie "
        "passes it on with the model's share probability (tie strength x homophily factor).",
    ]
    return report.write_report(
        out_dir / "report.md", title="Robustness to random and targeted removal (D5)",
        claim_results=claim_results(outcomes, paths), header=common.header(header, settings),
        figures=list(paths.values()), notes=notes,
    )
