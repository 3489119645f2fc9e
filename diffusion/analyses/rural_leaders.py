"""Analysis of the rural-leaders experiment (R4): how many households a leader lifts.

Leaders are poor-region creators whose every product is the produce of one of up to
``pool_size`` neighbouring households (:class:`diffusion.strategies.RuralLeader`). A household
"has income" once any of its produce has sold. The sweep turns the poor-region traffic subsidy
(R3) off and on.

Effect: households with income per leader, mean over leaders and then over runs, without the
subsidy, minus 10: the source's figure is "tens per leader" (44 on average across 68 leaders,
63 for the best-known couple), so the lower edge of "tens" is the line, judged by
:func:`diffusion.analysis.judge` against the registry's smallest effect (one household). Income per household is compared with the source's "over
10,000 yuan a year", annualised from the simulated days.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from diffusion import analysis, plots, report
from diffusion.analyses import common

S = "subsidy_share"
#: The source's figures (004 (三)): households per leader on average and for one couple, and
#: extra income per household per year (yuan).
MEAN_HOUSEHOLDS, COUPLE_HOUSEHOLDS, INCOME_PER_HOUSEHOLD = 44, 63, 10_000
#: "Tens of households": the lower edge of the target.
TENS = 10


def leaders_table(creators: pd.DataFrame, n_steps: int) -> pd.DataFrame:
    """One row per leader and run: households with income, income per household (annualised)."""
    leaders = creators[creators["focal"]].copy()
    per_household = leaders["household_income"] / leaders["households_with_income"].where(leaders["households_with_income"] > 0)
    leaders["income_per_household_year"] = per_household * 365.0 / n_steps
    return leaders


def analyse(settings: Any, tables: dict[str, pd.DataFrame], out_dir: Path, *, header: dict[str, Any],
            knockouts: dict[str, dict[str, pd.DataFrame]] | None = None) -> Path:
    """Figures, summary table and report of the rural-leaders experiment."""
    subsidy = (settings.platform.policy or {}).get("subsidy_share", 0.0)
    outcomes, creators = (t if S in t.columns else t.assign(**{S: subsidy}) for t in (tables["outcomes"], tables["creators"]))
    n_steps = settings.run.n_steps
    leaders = leaders_table(creators, n_steps)
    runs = leaders.groupby([S, "replicate"], as_index=False).agg(
        households_per_leader=("households_with_income", "mean"),
        income_per_household_year=("income_per_household_year", "mean"),
        leader_followers=("followers", "mean"),
        leader_sales=("sales", "mean"),
    )
    measures = ["households_per_leader", "income_per_household_year", "leader_followers", "leader_sales"]
    summary = analysis.summarise(runs, by=[S], measures=measures)
    summary.to_csv(out_dir / "summary.csv", index=False)
    fig_dir, paths = out_dir / "figures", {}
    if runs.empty:
        return report.write_report(
            out_dir / "report.md", title="Rural leaders selling their neighbours' produce (R4)", claim_results=[],
            header=common.header(header, settings), figures=[],
            notes=["No run had a leader: the society has no creator in a poor-region city at this size. Use more "
                   "users (network.n_users) or smaller cities (network.users_per_city)."],
        )
    fig = plots.bar_with_ci(summary.assign(what="leaders"), x=S, hue="what", measure="households_per_leader",
                            title=f"R4: households with income per leader (source: {MEAN_HOUSEHOLDS} on average)",
                            xlabel="poor-region traffic subsidy (share of discovery slots)", ylabel="households per leader")
    common.save(fig, fig_dir, "rural_leaders_households.png", paths, out_dir)
    fig = plots.ccdf_plot(leaders.assign(households=leaders["households_with_income"].clip(lower=1)), value="households",
                          hue=S, title="R4: households per leader across leaders", xlabel="households with income")
    common.save(fig, fig_dir, "rural_leaders_households_ccdf.png", paths, out_dir)

    base = runs[S].min()
    main = runs[runs[S] == base]
    effect = analysis.mean_effect(main, measure="households_per_leader",
                                  description=f"households with income per leader, no subsidy (target: tens, {MEAN_HOUSEHOLDS} on average)")
    above = analysis.mean_effect(main, measure="households_per_leader", offset=TENS,
                                 description=f"households with income per leader minus {TENS}, no subsidy")
    extra = [effect, analysis.mean_effect(main, measure="income_per_household_year",
                                  description="income per household with income, yuan a year (annualised)")]
    if runs[S].nunique() > 1:
        extra.append(analysis.paired_difference(
            runs, scenario=S, low=base, high=runs[S].max(), measure="households_per_leader",
            description=f"households per leader, subsidy {runs[S].max():g} minus none",
        ))
    pool = (settings.strategy or {}).get("pool_size", "?")
    results = [report.claim_result(
        "R4", {"households": above}, extra_effects=extra,
        conditions=(
            f"Over {n_steps} days a leader sells for {common.describe(effect, 1)} households (the source counts a whole "
            f"year: {COUPLE_HOUSEHOLDS} households for one couple, about {MEAN_HOUSEHOLDS} per leader). Each sale goes to a "
            f"household drawn from the leader's {pool} nearest neighbours in the same city, so the count is bounded by the "
            "pool and grows with the leader's sales: reaching tens takes a leader with enough trusting followers to sell "
            "tens of times, which the streams supply. Income per household is far below the source's 10,000 yuan a year "
            "because a household here sells a few items at the model's prices, not a harvest."
        ),
        figures=[paths["rural_leaders_households.png"], paths["rural_leaders_households_ccdf.png"]],
    )]
    notes = [
        f"{runs[S].nunique()} subsidy settings x {settings.run.n_replicates} paired replicates, "
        f"{settings.network.n_users:,} users, {n_steps} days, {int(outcomes['n_focal'].iloc[0])} leaders per run drawn from "
        "poor-region creators (the same leaders under every setting of a replicate).",
    ]
    return report.write_report(
        out_dir / "report.md", title="Rural leaders selling their neighbours' produce (R4)", claim_results=results,
        header=common.header(header, settings), figures=list(paths.values()), notes=common.with_survey(notes, outcomes),
    )
