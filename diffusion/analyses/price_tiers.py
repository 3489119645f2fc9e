"""Analysis of the price-tiers experiment (R5): who buys cheap goods, and why.

The source (000 §1.3, §4.1) says the platform's goods are cheap because its core audience lives
in third- and fourth-tier cities and spends little, while first-tier buyers, who come for the
creator, do not mind the price of cheap goods. The model has no such mechanism unless
``behaviour.price_elasticity`` is above zero: then a product dearer than the reference price is
bought less often, the more so the lower the buyer's city tier (:func:`diffusion.rules.price_acceptance`).
The sweep varies that elasticity; its zero point is R5's knock-out (no price sensitivity).

"Low-price" goods are those priced at or below ``behaviour.price_reference`` (the median
product price, so about half of what is shown). Conversion is purchases per purchasable product
exposure; lower tiers are cities of tier 3-5 (:data:`diffusion.metrics.commerce.LOWER_TIERS`).

Effects (per run, then mean and 95% CI over paired replicates), judged by
:func:`diffusion.analysis.judge` against the registry's smallest effects (:mod:`diffusion.claims`),
at the experiment's elasticity and, as the knock-out, at elasticity 0 on the same replicates:

* dominance: low-price goods' share of purchases minus their share of exposures (what
  price-blind buyers would buy);
* low_price: conversion of low-price minus high-price goods among lower-tier buyers;
* audience: the low-price share of purchases, lower-tier minus upper-tier buyers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from diffusion import analysis, plots, report
from diffusion.analyses import common
from diffusion.metrics.commerce import LOWER_TIERS

E = "price_elasticity"
#: Per-run measures of the experiment (diffusion.metrics.commerce.price_tier_outcomes).
MEASURES = [
    "conversion_low_price_lower_tier", "conversion_high_price_lower_tier", "conversion_low_price_upper_tier",
    "conversion_high_price_upper_tier", "low_price_sales_share", "low_price_exposure_share",
    "low_price_sales_share_lower_tier", "low_price_sales_share_upper_tier", "lower_tier_sales_share",
    "lower_tier_exposure_share",
]


def effects(runs: pd.DataFrame, label: str) -> dict[str, analysis.Effect]:
    """R5's three parts over the runs of one elasticity (``label`` names it in descriptions)."""
    return {
        "dominance": analysis.paired_columns_difference(
            runs, high="low_price_sales_share", low="low_price_exposure_share",
            description=f"low-price goods' share of purchases minus their share of exposures ({label})"),
        "low_price": analysis.paired_columns_difference(
            runs, high="conversion_low_price_lower_tier", low="conversion_high_price_lower_tier",
            description=f"conversion of low-price minus high-price goods, lower-tier buyers ({label})"),
        "audience": analysis.paired_columns_difference(
            runs, high="low_price_sales_share_lower_tier", low="low_price_sales_share_upper_tier",
            description=f"low-price share of purchases, lower-tier minus upper-tier buyers ({label})"),
    }


def analyse(settings: Any, tables: dict[str, pd.DataFrame], out_dir: Path, *, header: dict[str, Any],
            knockouts: dict[str, dict[str, pd.DataFrame]] | None = None) -> Path:
    """Figures, summary table and report of the price-tiers experiment."""
    b = settings.behaviour
    outcomes = tables["outcomes"]
    runs = outcomes.assign(**({E: b.price_elasticity} if E not in outcomes.columns else {}))
    runs = runs[[E, "replicate", *MEASURES]]
    summary = analysis.summarise(runs, by=[E], measures=MEASURES)
    summary.to_csv(out_dir / "summary.csv", index=False)
    fig_dir, paths = out_dir / "figures", {}

    long = runs.melt(id_vars=[E, "replicate"], value_vars=MEASURES[:4], var_name="group", value_name="conversion")
    long["tiers"] = long["group"].str.endswith("lower_tier").map({True: "lower tiers (3-5)", False: "upper tiers (1-2)"})
    long["price"] = long["group"].str.contains("low_price").map({True: "low-price goods", False: "dearer goods"})
    fig = plots.facet_lines(
        analysis.summarise(long, by=[E, "tiers", "price"], measures=["conversion"]), x=E, hue="price", facet="tiers",
        measure="conversion", title="R5: conversion by price and buyers' city tier", xlabel="price elasticity (lowest tier)",
        ylabel="purchases per product exposure", ncols=2,
    )
    common.save(fig, fig_dir, "price_tiers_conversion.png", paths, out_dir)
    shares = summary[summary["measure"].isin(["low_price_sales_share", "low_price_exposure_share"])]
    fig = plots.line_with_ci(
        shares.assign(series=shares["measure"].map({"low_price_sales_share": "share of purchases",
                                                     "low_price_exposure_share": "share of exposures"}),
                      measure="low-price share"),
        x=E, hue="series", measures=["low-price share"], title="R5: low-price goods' share of purchases and exposures",
        xlabel="price elasticity (lowest tier)", ylabels={"low-price share": "share (0-1)"},
    )
    common.save(fig, fig_dir, "price_tiers_shares.png", paths, out_dir)

    default = b.price_elasticity if (runs[E] == b.price_elasticity).any() else runs[E].max()
    at_default = runs[runs[E] == default]
    main = effects(at_default, f"elasticity {default:g}")
    # R5's knock-out is a point of the grid itself: the same replicates without price sensitivity.
    off = runs[runs[E] == 0.0]
    knocked = None if off.empty or default == 0.0 else effects(off, "elasticity 0, the knock-out")
    others = [effect for e in sorted(runs[E].unique()) if e not in (default, 0.0)
              for effect in effects(runs[runs[E] == e], f"elasticity {e:g}").values()]
    context = [
        analysis.mean_effect(at_default, measure="lower_tier_exposure_share",
                             description="lower-tier users' share of product exposures (the audience)"),
        analysis.mean_effect(at_default, measure="lower_tier_sales_share",
                             description=f"lower-tier users' share of purchases (elasticity {default:g})"),
    ]
    result = report.claim_result(
        "R5", main, knockouts=knocked, extra_effects=[*others, *context],
        conditions=(
            "Built in: the model has no price sensitivity unless behaviour.price_elasticity is above zero, a rule "
            "written for this claim from the source's account (000 §4.1: cheap goods suit low-spending third- and "
            "fourth-tier users; first-tier buyers do not mind their price). Its elasticity is assumed (the source "
            f"gives no figure): {default:g} in the lowest tier, falling linearly to 0 in first-tier cities, for goods "
            f"dearer than {b.price_reference:g} yuan. What the experiment adds is how much of the rule survives the "
            "rest of the model (trust, the peer route, word of mouth across cities) and how the sales split follows "
            "from the audience's tiers; that low-price goods win is not evidence for the claim."
        ),
        figures=[paths["price_tiers_conversion.png"], paths["price_tiers_shares.png"]],
    )
    notes = [
        f"{runs[E].nunique()} elasticities x {settings.run.n_replicates} paired replicates, "
        f"{settings.network.n_users:,} users, {settings.run.n_steps} days; lower tiers are city tiers "
        f"{', '.join(map(str, LOWER_TIERS))} (cities are ranked by size: the largest 5% are tier 1, then 15%, 30%, "
        "30% and 20%). Prices are lognormal with median "
        f"{settings.platform.price_median:g} yuan; the campaign product is off.",
        "Conversion counts only exposures that could convert (purchasable, not bought before, local services in "
        "their city only).",
    ]
    return report.write_report(
        out_dir / "report.md", title="Price sensitivity by city tier (R5)", claim_results=[result],
        header=common.header(header, settings), figures=list(paths.values()), notes=common.with_survey(notes, outcomes, settings),
    )
