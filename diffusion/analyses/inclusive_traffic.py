"""Analysis of the inclusive-traffic experiment (R2, R3, D4): who earns, and what a subsidy does.

Verdict rules (paired over replicates, 95% intervals):

* R2 (a target figure) — on the decentralized feed without subsidy (the platform's own
  mechanism as modelled), the share of earning creators (any income from sales) who live in
  poor regions minus the source's 26%. Reproduced ("supported") when the whole interval lies
  within ``±TARGET_TOLERANCE`` of it, "not supported" when it lies entirely outside, mixed
  otherwise. Every configuration's value is listed, with what the model needs to reach 26%.
* R3 — on the decentralized feed, poor-region creators' mean income at the largest subsidy
  minus without it must be positive. Its cost to the other creators (their mean income,
  same contrast) and the same contrasts under the other policies are reported with it.
* D4 — ``inclusive`` minus ``centralized`` without subsidy: the share of creators earning
  anything must rise and the Gini of income must fall.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from diffusion import analysis, plots, report
from diffusion.analyses import common

P, S = "platform", "subsidy_share"
#: The source's share of earners from poor regions (R2: 6.64M of 25.7M, source 004 (三)).
TARGET_POOR_EARNER_SHARE = 6.64 / 25.7
#: Half-width of the band around the target counted as reproducing it.
TARGET_TOLERANCE = 0.03
MEASURES = ["poor_earner_share", "earners_share", "poor_income_mean", "other_income_mean", "income_gini",
            "poor_creator_share", "gmv_total"]


def income_long(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Mean creator income by region group, long form."""
    frame = outcomes.melt(id_vars=[P, S, "replicate"], value_vars=["poor_income_mean", "other_income_mean"],
                          var_name="creators", value_name="income")
    frame["creators"] = frame["creators"].map({"poor_income_mean": "poor regions", "other_income_mean": "other regions"})
    return frame


def figures(tables: dict[str, pd.DataFrame], out_dir: Path) -> dict[str, str]:
    outcomes, creators = tables["outcomes"], tables["creators"]
    fig_dir, paths = out_dir / "figures", {}
    summary = analysis.summarise(outcomes, by=[P, S], measures=["poor_earner_share", "earners_share"])
    fig = plots.line_with_ci(
        summary, x=S, hue=P, measures=["poor_earner_share", "earners_share"],
        title="R2, D4: who earns, by policy and poor-region subsidy", xlabel="subsidy (share of discovery slots)",
        ylabels={"poor_earner_share": "share of earning creators from poor regions",
                 "earners_share": "share of creators earning anything"},
        references={"poor_earner_share": (TARGET_POOR_EARNER_SHARE, "source: 26%")},
    )
    common.save(fig, fig_dir, "inclusive_earners.png", paths, out_dir)
    income = analysis.summarise(income_long(outcomes), by=[P, S, "creators"], measures=["income"])
    fig = plots.facet_lines(
        income, x=S, hue="creators", facet=P, measure="income",
        title="R3: mean creator income (yuan) against the subsidy", xlabel="subsidy (share of discovery slots)",
        ylabel="mean income per creator (yuan)",
    )
    common.save(fig, fig_dir, "inclusive_income.png", paths, out_dir)
    base = creators[creators["present"] & (creators[S] == creators[S].min())]
    fig = plots.lorenz_plot(base, value="income", hue=P, title="Income across creators, no subsidy (pooled runs)")
    common.save(fig, fig_dir, "inclusive_income_lorenz.png", paths, out_dir)
    return paths


def _needed(outcomes: pd.DataFrame) -> str:
    """Where each policy's mean poor-earner share crosses the target, by linear interpolation."""
    parts = []
    for policy, group in outcomes.groupby(P, sort=True):
        curve = group.groupby(S)["poor_earner_share"].mean()
        xs, ys = curve.index.to_numpy(float), curve.to_numpy(float) - TARGET_POOR_EARNER_SHARE
        crossing = np.flatnonzero(np.sign(ys[:-1]) != np.sign(ys[1:]))
        if ys.size and ys[0] >= 0:
            parts.append(f"{policy}: at or above 26% already without subsidy ({curve.iloc[0]:.3f})")
        elif crossing.size:
            i = crossing[0]
            x = xs[i] - ys[i] * (xs[i + 1] - xs[i]) / (ys[i + 1] - ys[i])
            parts.append(f"{policy}: a subsidy of about {x:.3f} of discovery slots")
        else:
            parts.append(f"{policy}: not within the swept subsidies (largest gives {curve.iloc[-1]:.3f})")
    return "; ".join(parts)


def claim_results(outcomes: pd.DataFrame, paths: dict[str, str]) -> list[report.ClaimResult]:
    results = []
    policies, subsidies = set(outcomes[P]), sorted(outcomes[S].unique())
    low_s, high_s = subsidies[0], subsidies[-1]
    reference = "decentralized" if "decentralized" in policies else sorted(policies)[0]

    base = outcomes[(outcomes[P] == reference) & (outcomes[S] == low_s)]
    r2 = analysis.mean_effect(base, measure="poor_earner_share", offset=TARGET_POOR_EARNER_SHARE,
                              description=f"share of earners from poor regions minus 0.258 ({reference}, subsidy {low_s:g})")
    inside = -TARGET_TOLERANCE <= r2.ci_low and r2.ci_high <= TARGET_TOLERANCE
    outside = r2.ci_low > TARGET_TOLERANCE or r2.ci_high < -TARGET_TOLERANCE
    r2_verdict = "supported" if inside else "not supported" if outside else "mixed"
    table = outcomes.groupby([P, S])["poor_earner_share"].mean()
    listing = ", ".join(f"{p} at {s:g}: {v:.3f}" for (p, s), v in table.items())
    poor_creators = analysis.mean_ci(outcomes["poor_creator_share"].to_numpy())
    results.append(report.ClaimResult(
        claim_id="R2", effect=r2, verdict=r2_verdict, expected_sign=+1,
        conditions=(
            f"Poor regions hold {poor_creators[0]:.3f} of creators here (network.poor_city_share). Their share "
            f"of earners by policy and subsidy: {listing}. Without a subsidy the share of earners follows "
            "the share of creators, because poor-region creators are otherwise alike in the model; "
            f"to reach 26% the model needs {_needed(outcomes)}. Reproduced means within ±{TARGET_TOLERANCE} "
            "of the source's figure."
        ),
        figures=[paths["inclusive_earners.png"]],
    ))

    if high_s > low_s:
        effects = []
        for policy in [reference, *sorted(policies - {reference})]:
            part = outcomes[outcomes[P] == policy]
            for measure, whose in (("poor_income_mean", "poor-region creators'"), ("other_income_mean", "other creators'")):
                effects.append(analysis.paired_difference(
                    part, scenario=S, low=low_s, high=high_s, measure=measure,
                    description=f"{whose} mean income, subsidy {high_s:g} minus {low_s:g} ({policy})",
                ))
        uplift, cost = effects[0], effects[1]
        results.append(report.ClaimResult(
            claim_id="R3", effect=uplift, verdict=analysis.verdict(uplift, expected_sign=+1), expected_sign=+1,
            extra_effects=effects[1:],
            conditions=(
                f"The subsidy reserves a share of discovery slots for live products of poor-region creators "
                f"(platform.policy.subsidy_share). Under {reference} it changes their mean income by "
                f"{common.describe(uplift, 1)} yuan and other creators' by {common.describe(cost, 1)} yuan: "
                "the impressions are taken from the rest of the feed, so the cost falls on everyone else."
            ),
            figures=[paths["inclusive_income.png"]],
        ))

    if {"inclusive", "centralized"} <= policies:
        part = outcomes[outcomes[S] == low_s]
        earners, gini = (
            analysis.paired_difference(part, scenario=P, low="centralized", high="inclusive", measure=measure,
                                       description=f"{label}, inclusive minus centralized")
            for measure, label in (("earners_share", "share of creators earning anything"),
                                   ("income_gini", "Gini of creator income"))
        )
        verdicts = [analysis.verdict(earners, expected_sign=+1), analysis.verdict(gini, expected_sign=-1)]
        results.append(report.ClaimResult(
            claim_id="D4", effect=earners, verdict=common.combined_verdict(verdicts), expected_sign=+1,
            extra_effects=[gini],
            conditions=(
                f"Without subsidy. Earners: {verdicts[0]}; income Gini: {verdicts[1]}. Sales need attention and "
                "trust, so spreading impressions spreads income only as far as buyers follow."
            ),
            figures=[paths["inclusive_income_lorenz.png"]],
        ))
    return results


def analyse(settings: Any, tables: dict[str, pd.DataFrame], out_dir: Path, *, header: dict[str, Any]) -> Path:
    """Figures, summary table and report of the inclusive-traffic experiment."""
    outcomes = tables["outcomes"]
    paths = figures(tables, out_dir)
    analysis.summarise(outcomes, by=[P, S], measures=MEASURES).to_csv(out_dir / "summary.csv", index=False)
    notes = [
        f"{outcomes[P].nunique()} policies x {outcomes[S].nunique()} subsidy levels x "
        f"{settings.run.n_replicates} paired replicates, {settings.network.n_users} users, "
        f"{settings.run.n_steps} days. A creator earns when any of their products sold; income is "
        "the gross value of those sales.",
        "Penetration: every simulated person is a platform user and poor-region cities are as "
        "connected as the others, matching the source's one active user in four in poor regions "
        "(004 (三)) only if that rate is close to the national one; the poor share of users is set "
        "by network.poor_city_share.",
    ]
    return report.write_report(
        out_dir / "report.md", title="Inclusive traffic: who earns, and what a poor-region subsidy does (R2, R3, D4)",
        claim_results=claim_results(outcomes, paths), header=common.header(header, settings),
        figures=list(paths.values()), notes=notes,
    )
