"""Analysis of the robustness experiment (D5): random failure vs targeted removal.

What the source argues (000 §4.2, a section on the platform's empowerment of grassroots
users): decentralisation has two benefits. It lowers security risk — where data sit on one
central node, an attack on that node can destroy the whole network, whereas a network kept by
many nodes of equal standing hardly notices one node failing — and it spreads the power of a
central company, avoiding a data monopoly and protecting privacy. The argument is about
infrastructure in general, not measured on the platform; here it is read as a statement about
the network of users and accounts that carries content, and tested well beyond "one node".

Verdict rule (paired over replicates, 95% intervals): at the reference removal fraction (the
swept value closest to 0.3), on the weak-tie society, two parts, each "targeted minus random"
for the most damaging targeted rule:

* structure: the giant component;
* function: the reach of a standard cascade (a network can stay connected yet stop carrying
  anything, when the removed users were the ones holding many weak paths).

D5 — "no central node whose loss brings the network down" — is a claim of no effect: each part
is judged by :func:`diffusion.analysis.judge` with direction 0 against the registry's smallest
effect (``TOLERANCE``, 10 points of all users), supported when its whole interval lies within
it, and the parts combine by "all parts". The same contrasts on the
Barabási–Albert network of the same size are reported next to them: the hub-dominated case the
claim sets decentralization against, and the smallest swept fraction (a few of the most central
users, the closest the sweep comes to the source's "one node").

Campaign reach after removal is reported among the users who remain
(:func:`with_survivor_reach`): as a share of all users it would fall by the removed share even
if the network carried the campaign perfectly. The campaign is posted after removal by
surviving creators (its seeds are drawn anew on the damaged network); where removal leaves no
creator at all (the followers rule removes accounts first, so at fractions near the creator
share every account is gone) there is no campaign, and those runs are counted as not
measurable rather than as zero reach.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from diffusion import analysis, plots, report
from diffusion.analyses import common
from diffusion.claims import get_claim

KIND, RULE, FRACTION, P = "kind", "removal_rule", "removal_fraction", "platform"
#: How much more targeted removal may destroy than random failure for the network to count as
#: robust (share of all users): D5's smallest effect of interest in the claims registry.
TOLERANCE = get_claim("D5").part("structure").sesoi
REFERENCE_FRACTION = 0.3
STRUCTURE = ["giant_component_share", "standard_cascade_reach"]
YLABELS = {
    "giant_component_share": "giant component (share of users)",
    "standard_cascade_reach": "standard cascade reach (share of users)",
    "content_reach_share": "campaign reach (share of all users)",
    "campaign_reach_survivors": "campaign reach (share of remaining users)",
    "cascade_reach_survivors": "standard cascade reach (share of remaining users)",
}


def with_survivor_reach(outcomes: pd.DataFrame, n_users: int) -> pd.DataFrame:
    """``outcomes`` with reach among the users who remain after removal (D5).

    ``remaining_share`` is ``1 - round(fraction * n_users) / n_users`` (exactly the removed
    count of :func:`diffusion.networks.removal.remove_in_order`); ``campaign_reach_survivors``
    and ``cascade_reach_survivors`` divide the campaign's and the standard cascade's reach by
    it. A run in which no campaign item was posted (no creator survived:
    ``campaign_cascade_size`` is undefined) has an undefined campaign reach, not zero.
    """
    out = outcomes.copy()
    removed = np.round(out[FRACTION].to_numpy(float) * n_users) / n_users
    out["remaining_share"] = 1.0 - removed
    posted = np.isfinite(out["campaign_cascade_size"].to_numpy(float)) if "campaign_cascade_size" in out else True
    out["campaign_reach_survivors"] = np.where(posted, out["content_reach_share"] / out["remaining_share"], np.nan)
    out["cascade_reach_survivors"] = out["standard_cascade_reach"] / out["remaining_share"]
    return out


def unmeasurable_campaigns(outcomes: pd.DataFrame) -> str:
    """Where the campaign could not be posted (no creator left), as text; empty if nowhere."""
    missing = outcomes[~np.isfinite(outcomes["campaign_reach_survivors"].to_numpy(float))]
    if missing.empty:
        return ""
    counts = missing.groupby([KIND, RULE, FRACTION]).size()
    return ", ".join(f"{k} {r} {f:.0%} ({n} runs)" for (k, r, f), n in counts.items())


def structure_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Structural measures once per network, rule, fraction and replicate (they do not depend
    on the policy: the policies run on the same damaged network)."""
    first = sorted(outcomes[P].unique())[0] if P in outcomes else None
    part = outcomes[outcomes[P] == first] if first is not None else outcomes
    extra = [c for c in ("cascade_reach_survivors",) if c in part]
    return part[[KIND, RULE, FRACTION, "replicate", *STRUCTURE, *extra]]


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
                                     measures=["campaign_reach_survivors"])
        fig = plots.facet_lines(
            summary, x=FRACTION, hue=RULE, facet=P, measure="campaign_reach_survivors",
            title=f"D5: campaign reach among remaining users after removal, per policy ({kind})",
            xlabel="fraction of users removed", ylabel=YLABELS["campaign_reach_survivors"],
        )
        common.save(fig, fig_dir, f"robustness_campaign_{kind}.png", paths, out_dir)
    return paths


def _reference(outcomes: pd.DataFrame) -> float:
    fractions = np.array(sorted(outcomes[FRACTION].unique()))
    return float(fractions[np.argmin(np.abs(fractions - REFERENCE_FRACTION))])


def attack_effect(
    structure: pd.DataFrame, kind: str, fraction: float, measure: str = "giant_component_share"
) -> tuple[analysis.Effect, str]:
    """``measure`` under the most damaging targeted rule minus under random removal."""
    part = structure[(structure[KIND] == kind) & (structure[FRACTION] == fraction)]
    targeted = part[part[RULE] != "random"]
    worst = targeted.groupby(RULE)[measure].mean().idxmin()
    what = {"giant_component_share": "giant component", "standard_cascade_reach": "standard cascade reach",
            "cascade_reach_survivors": "standard cascade reach among remaining users"}[measure]
    effect = analysis.paired_difference(
        part, scenario=RULE, low="random", high=worst, measure=measure,
        description=f"{what} on the {kind} network after removing {fraction:.0%}: by {worst} minus at random",
    )
    return effect, worst


def attack_profile(structure: pd.DataFrame, kind: str, measure: str) -> str:
    """Targeted (worst rule) minus random at every swept fraction, as text."""
    parts = []
    for fraction in sorted(structure[FRACTION].unique()):
        if fraction == 0:
            continue
        effect, worst = attack_effect(structure, kind, fraction, measure)
        parts.append(f"{fraction:.0%}: {effect.estimate:+.2f} ({worst})")
    return ", ".join(parts)


def policy_losses(outcomes: pd.DataFrame, kind: str, rule: str, fraction: float) -> list[str]:
    """Per policy: change in campaign reach among remaining users from no removal to
    ``fraction`` removed by ``rule`` (runs without a campaign left out of the pairs)."""
    lines = []
    part = outcomes[(outcomes[KIND] == kind) & (outcomes[RULE] == rule)]
    for policy in sorted(part[P].unique()):
        effect = analysis.paired_difference(
            part[part[P] == policy], scenario=FRACTION, low=0.0, high=fraction, measure="campaign_reach_survivors"
        )
        lines.append(f"{policy} {common.describe(effect)} (n={effect.n})")
    return lines


def claim_results(outcomes: pd.DataFrame, paths: dict[str, str]) -> list[report.ClaimResult]:
    """The D5 verdict (rule in the module docstring). ``outcomes`` carries the survivor
    columns of :func:`with_survivor_reach`."""
    structure = structure_table(outcomes)
    kinds = set(structure[KIND])
    if "society" not in kinds or "random" not in set(structure[RULE]) or structure[RULE].nunique() < 2:
        return []
    fraction = _reference(outcomes)
    giant, worst = attack_effect(structure, "society", fraction)
    reach, reach_worst = attack_effect(structure, "society", fraction, "standard_cascade_reach")
    result = report.claim_result("D5", {"structure": giant, "function": reach}, conditions="")
    verdicts = [p.judgement.verdict for p in result.parts]
    extras, contrast = [reach], ""
    smallest = min(f for f in structure[FRACTION].unique() if f > 0)
    extras += [attack_effect(structure, "society", smallest, m)[0] for m in ("giant_component_share", "standard_cascade_reach")]
    if "barabasi_albert" in kinds:
        for measure in ("giant_component_share", "standard_cascade_reach"):
            extras.append(attack_effect(structure, "barabasi_albert", fraction, measure)[0])
        contrast = (
            " Targeted minus random cascade reach at each fraction (share of all users) — society: "
            f"{attack_profile(structure, 'society', 'standard_cascade_reach')}; Barabási–Albert: "
            f"{attack_profile(structure, 'barabasi_albert', 'standard_cascade_reach')}."
        )
    if "cascade_reach_survivors" in structure:
        contrast += (" Among remaining users, society: "
                     f"{attack_profile(structure, 'society', 'cascade_reach_survivors')}.")
    losses = policy_losses(outcomes, "society", reach_worst, fraction) if 0.0 in set(outcomes[FRACTION]) else []
    missing = unmeasurable_campaigns(outcomes)
    conditions = (
        "The source (000 §4.2) argues that a network kept by many equal nodes hardly notices one node failing, "
        "where an attack on a central data node can destroy it; here that is read as the network of users and "
        f"accounts, and tested at {fraction:.0%} removed. Robust means targeted removal of {fraction:.0%} of users "
        f"costs less than {TOLERANCE:.0%} of all users more than random failure (the claim predicts no effect that "
        f"matters). Structure: the society's giant component barely notices which users go "
        f"({common.describe(giant)}, {verdicts[0]}). Function: the reach of a standard cascade after removal "
        f"by {reach_worst}, minus after random removal, is {common.describe(reach)} of all users "
        f"({verdicts[1]}). Closest to the source's one node, removing {smallest:.0%} of users: "
        f"{common.describe(extras[1])} (giant component) and {common.describe(extras[2])} (cascade reach), "
        f"targeted minus random.{contrast} The policy does not change the network; it changes how far the campaign "
        f"still travels among the users who remain: change in campaign reach among remaining users from none to "
        f"{fraction:.0%} removed by {reach_worst}, per policy: " + "; ".join(losses) + "."
        + (f" No creator was left to post the campaign in: {missing}; those runs count as not measurable."
           if missing else "")
    )
    return [dataclasses.replace(
        result, conditions=conditions, extra_effects=extras[1:],
        figures=[paths[name] for name in ("robustness_giant.png", "robustness_cascade.png") if name in paths],
    )]


def analyse(settings: Any, tables: dict[str, pd.DataFrame], out_dir: Path, *, header: dict[str, Any],
            knockouts: dict[str, dict[str, pd.DataFrame]] | None = None) -> Path:
    """Figures, summary table and report of the robustness experiment; returns the report path."""
    outcomes = with_survivor_reach(tables["outcomes"], settings.network.n_users)
    paths = figures(outcomes, out_dir)
    measures = [*STRUCTURE, "cascade_reach_survivors", "content_reach_share", "campaign_reach_survivors",
                "purchase_reach_share", "creators"]
    analysis.summarise(outcomes, by=[KIND, RULE, FRACTION, P], measures=measures).to_csv(out_dir / "summary.csv", index=False)
    notes = [
        f"{outcomes[KIND].nunique()} networks x {outcomes[RULE].nunique()} removal rules x "
        f"{outcomes[FRACTION].nunique()} fractions x {outcomes[P].nunique()} policies, "
        f"{settings.run.n_replicates} paired replicates, {settings.network.n_users} users, "
        f"{settings.run.n_steps} days. Removal orders are computed once on the intact network "
        "(Holme et al. 2002's initial attack); removed users keep their ids but lose every tie, "
        "follow and post. Giant component and the verdict's cascade reach are shares of all users, the removed "
        "included; campaign reach is reported among the users who remain (campaign_reach_survivors).",
        "Standard cascade: an independent cascade from 10 random remaining users in which each tie "
        "passes it on with the model's share probability (tie strength x homophily factor).",
    ]
    return report.write_report(
        out_dir / "report.md", title="Robustness to random and targeted removal (D5)",
        claim_results=claim_results(outcomes, paths), header=common.header(header, settings),
        figures=list(paths.values()), notes=common.with_survey(notes, outcomes, settings),
    )
