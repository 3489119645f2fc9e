"""Analysis of the same-city experiment (P7, R1): local trust, the same-city feed, local trade.

A fifth of creators are local merchants whose products are local services: only viewers of the
merchant's city can buy them. Conversion is purchases per purchasable product exposure, split by
whether viewer and creator share a city. The sweep varies the extra trust strangers give
creators of their own city (``same_city_trust_bonus``) and the same-city feed's weight among
the feed slots (``same_city_weight``).

Effects (per run, then mean and 95% CI over paired replicates), judged by
:func:`diffusion.analysis.judge` against the registry's smallest effects (:mod:`diffusion.claims`):

* P7: local minus non-local conversion at the default bonus and feed weight. Its knock-out
  (no same-city trust bonus) is the grid's own bonus-0 point at the same feed weight; the
  contrast at every other bonus is reported with it.
* R1: slope of local merchants' sales on the same-city feed weight, at the default bonus.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from diffusion import analysis, plots, report
from diffusion.analyses import common

B, W = "same_city_trust_bonus", "same_city_weight"


def merchant_sales(creators: pd.DataFrame) -> pd.DataFrame:
    """Per run: local merchants' sales (count) and GMV (yuan), totals over merchants."""
    merchants = creators[creators["merchant"] & creators["present"]]
    keys = [k for k in (B, W, "replicate") if k in creators.columns]
    totals = merchants.groupby(keys, as_index=False)[["sales", "income"]].sum()
    return totals.rename(columns={"sales": "merchant_sales", "income": "merchant_gmv"})


def analyse(settings: Any, tables: dict[str, pd.DataFrame], out_dir: Path, *, header: dict[str, Any],
            knockouts: dict[str, dict[str, pd.DataFrame]] | None = None) -> Path:
    """Figures, summary table and report of the same-city experiment."""
    bonus, weight = settings.behaviour.same_city_trust_bonus, settings.platform.same_city_weight
    outcomes, creators = (
        t.assign(**{k: v for k, v in ((B, bonus), (W, weight)) if k not in t.columns})
        for t in (tables["outcomes"], tables["creators"])
    )
    keys = [B, W, "replicate"]
    runs = outcomes[[*keys, "conversion_local", "conversion_nonlocal"]].merge(merchant_sales(creators), on=keys, how="left")
    runs = runs.fillna({"merchant_sales": 0, "merchant_gmv": 0.0})
    runs["local_lift"] = runs["conversion_local"] - runs["conversion_nonlocal"]
    measures = ["conversion_local", "conversion_nonlocal", "local_lift", "merchant_sales", "merchant_gmv"]
    summary = analysis.summarise(runs, by=[B, W], measures=measures)
    summary.to_csv(out_dir / "summary.csv", index=False)
    fig_dir, paths = out_dir / "figures", {}
    long = runs.melt(id_vars=keys, value_vars=["conversion_local", "conversion_nonlocal"], var_name="audience",
                     value_name="conversion")
    long["audience"] = long["audience"].map({"conversion_local": "same city", "conversion_nonlocal": "other cities"})
    fig = plots.facet_lines(
        analysis.summarise(long, by=[W, "audience", B], measures=["conversion"]), x=B, hue="audience", facet=W,
        measure="conversion", title="P7: conversion of local and non-local audiences", xlabel="same-city trust bonus",
        ylabel="purchases per product exposure",
    )
    common.save(fig, fig_dir, "same_city_conversion.png", paths, out_dir)
    fig = plots.line_with_ci(summary.assign(**{B: summary[B].astype(str)}), x=W, hue=B, measures=["merchant_sales"],
                             title="R1: local merchants' sales", xlabel="same-city feed weight",
                             ylabels={"merchant_sales": "sales of local merchants per run"})
    common.save(fig, fig_dir, "same_city_merchant_sales.png", paths, out_dir)

    default_bonus = bonus if (runs[B] == bonus).any() else runs[B].min()
    default_weight = weight if (runs[W] == weight).any() else runs[W].max()
    at_default = runs[(runs[B] == default_bonus) & (runs[W] == default_weight)]
    p7 = analysis.mean_effect(at_default, measure="local_lift",
                              description=f"conversion, same-city minus other-city audiences (bonus {default_bonus:g}, feed weight {default_weight:g})")
    by_bonus = [
        analysis.mean_effect(runs[(runs[B] == b) & (runs[W] == default_weight)], measure="local_lift",
                             description=f"the same at trust bonus {b:g}")
        for b in sorted(runs[B].unique()) if b != default_bonus
    ]
    threshold = settings.behaviour.trust_threshold
    stranger = settings.behaviour.trust_stranger
    # P7's knock-out is a point of the grid itself: the same feed weight without the trust bonus.
    off = runs[(runs[B] == 0.0) & (runs[W] == default_weight)]
    p7_off = None if off.empty or default_bonus == 0.0 else {"local": analysis.mean_effect(
        off, measure="local_lift", description=f"the same without the trust bonus (feed weight {default_weight:g})")}
    results = [report.claim_result(
        "P7", {"local": p7}, knockouts=p7_off, extra_effects=[e for e in by_bonus if p7_off is None or not e.description.endswith("bonus 0")],
        conditions=(
            f"A stranger trusts a creator at {stranger:g}, plus the bonus in the same city; one exposure can lead to a "
            f"purchase only at trust {threshold:g} or more (or after {settings.behaviour.reinforcement} exposures). "
            f"The bonus therefore matters for conversion only when it lifts strangers' trust near or over "
            f"{threshold:g}; followers, who trust more, buy wherever they live."
        ),
        figures=[paths["same_city_conversion.png"]],
    )]
    part = runs[runs[B] == default_bonus]
    r1 = analysis.paired_slope(part, x=W, measure="merchant_sales",
                               description=f"local merchants' sales per unit of same-city feed weight (bonus {default_bonus:g})")
    by_bonus_slope = [
        analysis.paired_slope(runs[runs[B] == b], x=W, measure="merchant_sales", description=f"the same at trust bonus {b:g}")
        for b in sorted(runs[B].unique()) if b != default_bonus
    ]
    results.append(report.claim_result(
        "R1", {"merchants": r1}, extra_effects=by_bonus_slope,
        conditions=(
            "The same-city feed is the channel that puts a merchant's local services in front of the only people who "
            "can buy them; slots it takes come from the follow and discovery feeds (the budget is fixed)."
        ),
        figures=[paths["same_city_merchant_sales.png"]],
    ))
    notes = [
        f"{runs[B].nunique()} trust bonuses x {runs[W].nunique()} feed weights x {settings.run.n_replicates} paired "
        f"replicates, {settings.network.n_users:,} users, {settings.run.n_steps} days, streams on; local merchants are "
        f"a share {settings.platform.merchant_share:g} of creators.",
        "Conversion counts only exposures that could convert: a local service shown outside its city is not counted.",
    ]
    return report.write_report(
        out_dir / "report.md", title="Same-city trust and local merchants (P7, R1)", claim_results=results,
        header=common.header(header, settings), figures=list(paths.values()), notes=common.with_survey(notes, outcomes, settings),
    )
