"""Analysis of the rural-leaders experiment (R4): how many households a leader lifts.

Leaders are poor-region creators whose every product is the produce of one household of a pool
of neighbouring households (:class:`diffusion.strategies.RuralLeader`). A household "has income"
once any of its produce has sold. The sweep turns the poor-region traffic subsidy (R3) off and on
and sets the pool to the leader's 100 nearest households or to its whole city (a pool size larger
than any city), so that the count is bounded by the leader's sales and not by an assumed pool
(issue 19).

Effect (tests R4, source 004 (三)): households with income per leader, mean over leaders and
then over runs, without the subsidy and with the whole-city pool, minus 10: the source's figure
is "tens per leader" (44 on average across 68 leaders, counted from 2018 to August 2020; 63 for
the best-known couple in 2018), so the lower edge of "tens" is the line, judged by
:func:`diffusion.analysis.judge` against the registry's smallest effect (one household).
Reported beside it: the count minus the source's 44, the 100-household pool minus the whole
city (how much an assumed pool caps the count), the subsidy's effect, and money per household
and per leader against the source's 10,000 yuan and 20 million yuan a year. Households and yuan
per household or per leader are not platform totals, so neither is scaled by the population.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from diffusion import analysis, plots, report
from diffusion.analyses import common

S, P = "subsidy_share", "pool_size"
#: The source's figures (004 (三)): households per leader on average (over 3,000 households for
#: 68 leaders, 2018 to August 2020) and for one couple (2018), extra income per household per
#: year (yuan), and the leaders' local industries' output in a year (yuan, all 68 leaders).
MEAN_HOUSEHOLDS, COUPLE_HOUSEHOLDS, INCOME_PER_HOUSEHOLD = 44, 63, 10_000
N_LEADERS, LEADERS_OUTPUT = 68, 20_000_000
#: "Tens of households": the lower edge of the target.
TENS = 10
#: Label of a pool at least as large as the population: the leader's whole city.
WHOLE_CITY = "whole city"


def pool_label(pool_size: float, n_users: int) -> str:
    """How a pool size reads in tables and figures: ``"100 nearest"`` or ``"whole city"``."""
    return WHOLE_CITY if pool_size >= n_users else f"{pool_size:g} nearest"


def leaders_table(creators: pd.DataFrame, n_steps: int) -> pd.DataFrame:
    """One row per leader and run: households with income, income per household and the value
    of the neighbours' produce the leader sold (both annualised, yuan a year)."""
    leaders = creators[creators["focal"]].copy()
    per_household = leaders["household_income"] / leaders["households_with_income"].where(leaders["households_with_income"] > 0)
    leaders["income_per_household_year"] = per_household * 365.0 / n_steps
    leaders["households_sales_year"] = leaders["household_income"] * 365.0 / n_steps
    return leaders


def households_figure(summary: pd.DataFrame, n_steps: int):
    """Households per leader by subsidy and pool, with the source's 44 and 63 and the lower
    edge of "tens" drawn as lines (R4)."""
    fig = plots.bar_with_ci(summary, x=S, hue="pool", measure="households_per_leader",
                            title=f"R4: households with income per leader, {n_steps} days",
                            xlabel="poor-region traffic subsidy (share of discovery slots)", ylabel="households per leader")
    ax = fig.axes[0]
    for value, style, label in (
        (COUPLE_HOUSEHOLDS, ":", f"source: one couple, {COUPLE_HOUSEHOLDS} (2018)"),
        (MEAN_HOUSEHOLDS, "--", f"source: {MEAN_HOUSEHOLDS} per leader (2018 to Aug 2020)"),
        (TENS, "-.", f"'tens': {TENS}"),
    ):
        ax.axhline(value, color="black", linestyle=style, linewidth=1, label=label)
    # Outside the axes: inside, it hides the source's lines it explains.
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", title="household pool")
    ax.set_ylim(0, max(ax.get_ylim()[1], COUPLE_HOUSEHOLDS * 1.1))
    fig.set_size_inches(10.0, 4.0)
    fig.tight_layout()
    return fig


def analyse(settings: Any, tables: dict[str, pd.DataFrame], out_dir: Path, *, header: dict[str, Any],
            knockouts: dict[str, dict[str, pd.DataFrame]] | None = None) -> Path:
    """Figures, summary table and report of the rural-leaders experiment."""
    subsidy = (settings.platform.policy or {}).get(S, 0.0)
    pool_size = (settings.strategy or {}).get(P, 100)
    n_users, n_steps = settings.network.n_users, settings.run.n_steps
    outcomes, creators = (t.assign(**{k: v for k, v in ((S, subsidy), (P, pool_size)) if k not in t.columns})
                          for t in (tables["outcomes"], tables["creators"]))
    leaders = leaders_table(creators, n_steps)
    runs = leaders.groupby([S, P, "replicate"], as_index=False).agg(
        households_per_leader=("households_with_income", "mean"),
        income_per_household_year=("income_per_household_year", "mean"),
        households_sales_year=("households_sales_year", "mean"),
        leader_followers=("followers", "mean"),
        leader_sales=("sales", "mean"),
    )
    runs["pool"] = [pool_label(v, n_users) for v in runs[P]]
    measures = ["households_per_leader", "income_per_household_year", "households_sales_year", "leader_followers",
                "leader_sales"]
    summary = analysis.summarise(runs, by=[S, P, "pool"], measures=measures)
    summary.to_csv(out_dir / "summary.csv", index=False)
    fig_dir, paths = out_dir / "figures", {}
    if runs.empty:
        return report.write_report(
            out_dir / "report.md", title="Rural leaders selling their neighbours' produce (R4)", claim_results=[],
            header=common.header(header, settings), figures=[],
            notes=["No run had a leader: the society has no creator in a poor-region city at this size. Use more "
                   "users (network.n_users) or smaller cities (network.users_per_city)."],
        )
    common.save(households_figure(summary, n_steps), fig_dir, "rural_leaders_households.png", paths, out_dir)

    base, pool = runs[S].min(), runs[P].max()  # verdict: no subsidy, the largest pool swept
    verdict_leaders = leaders[(leaders[S] == base) & (leaders[P] == pool)]
    fig = plots.ccdf_plot(verdict_leaders.assign(households=verdict_leaders["households_with_income"].clip(lower=1)),
                          value="households", hue=S,
                          title=f"R4: households per leader across leaders ({pool_label(pool, n_users)} pool)",
                          xlabel="households with income")
    common.save(fig, fig_dir, "rural_leaders_households_ccdf.png", paths, out_dir)

    main = runs[(runs[S] == base) & (runs[P] == pool)]
    label = pool_label(pool, n_users)
    effect = analysis.mean_effect(main, measure="households_per_leader",
                                  description=f"households with income per leader, no subsidy, {label} pool")
    above = analysis.mean_effect(main, measure="households_per_leader", offset=TENS,
                                 description=f"households with income per leader minus {TENS}, no subsidy, {label} pool")
    to_mean = analysis.mean_effect(
        main, measure="households_per_leader", offset=MEAN_HOUSEHOLDS,
        description=f"households per leader in {n_steps} days minus the source's {MEAN_HOUSEHOLDS} (counted over up to "
                    "two years; not judged)",
    )
    money = analysis.mean_effect(main, measure="income_per_household_year",
                                 description="income per household with income, yuan a year (annualised)")
    per_leader = analysis.mean_effect(main, measure="households_sales_year",
                                      description="neighbours' produce sold per leader, yuan a year (annualised)")
    extra = [effect, to_mean, money, per_leader]
    small = runs[P].min()
    if small != pool:
        extra.append(analysis.paired_difference(
            runs[runs[S] == base], scenario=P, low=pool, high=small, measure="households_per_leader",
            description=f"households per leader, {pool_label(small, n_users)} pool minus {label} (no subsidy)",
        ))
    if runs[S].nunique() > 1:
        extra.append(analysis.paired_difference(
            runs[runs[P] == pool], scenario=S, low=base, high=runs[S].max(), measure="households_per_leader",
            description=f"households per leader, subsidy {runs[S].max():g} minus none ({label} pool)",
        ))
    output_per_leader = LEADERS_OUTPUT / N_LEADERS
    results = [report.claim_result(
        "R4", {"households": above}, extra_effects=extra,
        conditions=(
            f"Over {n_steps} days a leader sells for {common.describe(effect, 1)} households of its {label} pool "
            f"(the source counts longer: {COUPLE_HOUSEHOLDS} households for one couple in 2018, about "
            f"{MEAN_HOUSEHOLDS} per leader from 2018 to August 2020; the figure draws both). Each sale credits a "
            "household drawn from the pool, so the count grows with the leader's sales; with the whole city as pool "
            "it is not capped by an assumed village size. People and money are compared per leader and per "
            "household, as the source gives them, so neither is scaled by the population. A household here earns "
            f"{money.estimate:,.0f} yuan a year (source: over {INCOME_PER_HOUSEHOLD:,} yuan) and a leader sells "
            f"{per_leader.estimate:,.0f} yuan of neighbours' produce a year (source: the 68 leaders' local "
            f"industries produced {LEADERS_OUTPUT / 1e6:.0f} million yuan a year, {output_per_leader:,.0f} per "
            "leader): a household here sells a few items at the model's prices, not a harvest."
        ),
        figures=[paths["rural_leaders_households.png"], paths["rural_leaders_households_ccdf.png"]],
    )]
    notes = [
        f"{runs[S].nunique()} subsidy settings x {runs[P].nunique()} pool sizes x {settings.run.n_replicates} paired "
        f"replicates, {n_users:,} users, {n_steps} days, {int(outcomes['n_focal'].iloc[0])} leaders per run drawn from "
        "poor-region creators (the same leaders under every setting of a replicate).",
        "Households are counted per leader: leaders of one city share its households, so a household sold for by two "
        "leaders counts for both (the source's 44 counts distinct households).",
        f"Pool sizes: {', '.join(sorted({pool_label(v, n_users) for v in runs[P]}))}; a pool size at least the "
        f"number of users ({np.int64(pool):,} here for the largest) takes every non-creator of the leader's city "
        "reachable through same-city ties.",
    ]
    return report.write_report(
        out_dir / "report.md", title="Rural leaders selling their neighbours' produce (R4)", claim_results=results,
        header=common.header(header, settings), figures=list(paths.values()), notes=common.with_survey(notes, outcomes, settings),
    )
