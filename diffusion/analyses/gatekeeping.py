"""Analysis of the gatekeeping experiment (D1-D4): who gets attention under each policy.

Every policy runs on the same networks, posted items and feed slots (paired replicates; with
``run.worlds > 1`` replicates come in groups of independent worlds sharing a network, and
intervals are taken over groups). Effects, each a paired difference with a 95% interval judged
by :func:`diffusion.analysis.judge` against the registry's smallest effects:

* D1 — ``decentralized`` minus ``popularity`` (the same push of popular items without the
  throttle and the cold-start pool): newcomers' restricted mean days to 100 views must fall
  and the Gini of views across creators must fall.
* D2 — ``decentralized`` minus ``centralized``: the diversity of views (normalised entropy
  across creators) must rise and the share of views that came through peer shares must rise.
* D3 — ``centralized`` minus ``decentralized``: the top 1% of creators' share of views must
  rise and the Gini of views must rise.
* D4 — ``inclusive`` minus ``popularity``: the Gini of views must fall and the share of
  creators earning anything must rise.

A claim with two parts combines them by "all parts" (:data:`diffusion.analysis.COMBINE_RULES`).
Knock-out arms (``experiment.knockouts``): D1 without the cold-start pool (the throttle alone),
D3 with an editor without head-user preference.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from diffusion import analysis, plots, report
from diffusion.analyses import common
from diffusion.metrics.creators import MILESTONE_VIEWS, survival_curve
from diffusion.metrics.worlds import world_measures

P = "platform"
ORDER = ["centralized", "popularity", "decentralized", "inclusive", "peer_only"]
LABELS = {
    "views_gini": "Gini of views across creators",
    "views_top1_share": "top 1% of creators' share of views",
    "creators_any_views_share": "creators with at least 1 view",
    "creators_100_views_share": f"creators with at least {MILESTONE_VIEWS} views",
    "newcomer_days_to_100_views": f"newcomers: days to {MILESTONE_VIEWS} views",
    "view_entropy": "diversity of views (normalised entropy)",
    "views_share_share": "share of views from peer shares",
    "earners_share": "creators earning anything",
    "purchases_total": "purchases",
    "gmv_total": "GMV (yuan)",
}
WORLD_LABELS = {
    "unpredictability_relative": "unpredictability U / mean share (Salganik 2006)",
    "rank_agreement": "rank agreement between worlds (Spearman)",
}


def _order(frame: pd.DataFrame) -> list[str]:
    present = set(frame[P])
    return [p for p in ORDER if p in present] + sorted(present - set(ORDER))


def newcomer_survival(creators: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Per run and day: share of newcomers (no initial followers) still under 100 views."""
    newcomers = creators[creators["present"] & (creators["initial_followers"] == 0)]
    frames = []
    for (policy, replicate), group in newcomers.groupby([P, "replicate"], sort=True):
        curve = survival_curve(group["milestone_step"].to_numpy(), horizon)
        curve.insert(0, P, policy)
        curve.insert(1, "replicate", replicate)
        if "world_group" in group:
            curve["world_group"] = group["world_group"].iloc[0]
        frames.append(curve)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[P, "replicate", "day", "surviving"])


def figures(tables: dict[str, pd.DataFrame], out_dir: Path, horizon: int) -> tuple[dict[str, str], pd.DataFrame]:
    """Draw the experiment's figures; return their paths and the summary table."""
    outcomes, creators, cascades = tables["outcomes"], tables["creators"], tables["cascades"]
    fig_dir, paths = out_dir / "figures", {}
    order = _order(outcomes)

    present = creators[creators["present"]]
    fig = plots.lorenz_plot(present, value="views", hue=P, title="Views across creators by policy (pooled runs)")
    common.save(fig, fig_dir, "gatekeeping_lorenz.png", paths, out_dir)

    measures = [m for m in LABELS if m in outcomes.columns]
    summary = common.summary_table(outcomes, [P], measures)
    if "world_group" in outcomes.columns:
        worlds = world_measures(cascades, by=[P])
        summary = pd.concat([summary, analysis.summarise(worlds, by=[P], measures=["unpredictability", *WORLD_LABELS])], ignore_index=True)
    shown = [m for m in [*LABELS, *WORLD_LABELS] if m in set(summary["measure"])]
    fig = plots.category_panels(
        summary, x=P, measures=shown, order=order, ylabels={**LABELS, **WORLD_LABELS},
        title="Attention, newcomers, diversity, sales and unpredictability by policy (mean, 95% CI)",
    )
    common.save(fig, fig_dir, "gatekeeping_metrics.png", paths, out_dir)

    survival = newcomer_survival(creators, horizon)
    if len(survival):
        curves = common.summary_table(survival, [P, "day"], ["surviving"])
        fig = plots.line_with_ci(
            curves, x="day", hue=P, measures=["surviving"], xlabel="day",
            title=f"D1: newcomers not yet at {MILESTONE_VIEWS} views",
            ylabels={"surviving": f"share of newcomers under {MILESTONE_VIEWS} views"},
        )
        common.save(fig, fig_dir, "gatekeeping_newcomer_survival.png", paths, out_dir)

    seen = cascades[(cascades["size"] > 0) & ~cascades["campaign"]]
    fig = plots.ccdf_plot(seen, value="size", hue=P, title="Cascade sizes by policy", xlabel="viewers of an item")
    common.save(fig, fig_dir, "gatekeeping_cascade_ccdf.png", paths, out_dir)
    return paths, summary


def _compare(outcomes: pd.DataFrame, high: str, low: str, measure: str) -> analysis.Effect:
    return analysis.paired_difference(
        outcomes, scenario=P, low=low, high=high, measure=measure, cluster=common.cluster_of(outcomes),
        description=f"{LABELS.get(measure, measure)}, {high} minus {low}",
    )


#: Per claim: the policy compared, the baseline, and the parts (registry part name, measure).
SPECS = {
    "D1": ("decentralized", "popularity", [("newcomers", "newcomer_days_to_100_views"), ("gini", "views_gini")],
           ["gatekeeping_newcomer_survival.png", "gatekeeping_lorenz.png"]),
    "D2": ("decentralized", "centralized", [("diversity", "view_entropy"), ("peer_share", "views_share_share")],
           ["gatekeeping_metrics.png", "gatekeeping_cascade_ccdf.png"]),
    "D3": ("centralized", "decentralized", [("top1", "views_top1_share"), ("gini", "views_gini")],
           ["gatekeeping_lorenz.png"]),
    "D4": ("inclusive", "popularity", [("gini", "views_gini"), ("earners", "earners_share")],
           ["gatekeeping_metrics.png"]),
}


def claim_effects(outcomes: pd.DataFrame, claim: str) -> dict[str, analysis.Effect]:
    """The paired effects of one claim's parts (policy minus baseline, see :data:`SPECS`)."""
    high, low, parts, _ = SPECS[claim]
    return {name: _compare(outcomes, high, low, measure) for name, measure in parts}


def claim_results(outcomes: pd.DataFrame, paths: dict[str, str],
                  knockouts: dict[str, dict[str, pd.DataFrame]] | None = None) -> list[report.ClaimResult]:
    """Verdicts for D1-D4 (rules in the module docstring)."""
    policies = set(outcomes[P])
    knockouts = knockouts or {}
    results = []
    for claim, (high, low, _, figs) in SPECS.items():
        if not {high, low} <= policies:
            continue
        effects = claim_effects(outcomes, claim)
        arm = common.knockout_effects(knockouts, claim, lambda t, c=claim: claim_effects(t["outcomes"], c))
        result = report.claim_result(claim, effects, knockouts=arm, conditions="",
                                     figures=[paths[f] for f in figs if f in paths])
        lines = [f"{LABELS.get(p.effect.measure, p.effect.measure)}: {p.judgement.verdict}" for p in result.parts]
        results.append(dataclasses.replace(result, conditions=_conditions(claim, lines)))
    return results


_MECHANISM = {
    "D1": "The throttle (platform.policy.heat_threshold, throttle_exponent) and the cold-start pool "
          "(cold_start_share) are what separate the decentralized feed from plain popularity; the knock-out arm "
          "keeps the throttle and removes the pool.",
    "D2": "Under the centralized policy every discovery slot shows one of the editor's top_k items; "
          "the decentralized feed samples broadly and lets shares (share_heat) raise heat.",
    "D3": "The editorial score multiplies appeal by (1 + followers) ** head_bias; with head_bias=0 the "
          "editor picks on appeal alone and the head preference disappears.",
    "D4": "The inclusive policy plans discovery impressions so the Gini of creators' views stays under "
          "gini_cap; follow, same-city and share views are outside its control.",
}


def _conditions(claim: str, lines: list[str]) -> str:
    return "Parts: " + "; ".join(lines) + ". " + _MECHANISM[claim]


def analyse(settings: Any, tables: dict[str, pd.DataFrame], out_dir: Path, *, header: dict[str, Any],
            knockouts: dict[str, dict[str, pd.DataFrame]] | None = None) -> Path:
    """Figures, summary table and report of the gatekeeping experiment; returns the report path."""
    paths, summary = figures(tables, out_dir, settings.run.n_steps)
    summary.to_csv(out_dir / "summary.csv", index=False)
    outcomes = tables["outcomes"]
    results = claim_results(outcomes, paths, knockouts)
    notes = [
        f"{outcomes[P].nunique()} policies x {settings.run.n_replicates} paired replicates, "
        f"{settings.network.n_users} users ({outcomes['creators'].mean():.0f} creators, of whom "
        f"{outcomes['newcomers'].mean():.0f} newcomers), {settings.run.n_steps} days; every policy "
        "spends the same discovery impressions on the same feed slots. Means and 95% CIs of every "
        "measure by policy: summary.csv.",
    ]
    if "world_group" in outcomes.columns:
        notes.append(
            f"Unpredictability: {settings.run.worlds} independent worlds per society share its users and "
            "posted items (MusicLab design); U is the mean absolute difference of an item's share of views "
            "between worlds, and rank agreement the mean Spearman correlation of item views between worlds "
            "(both in the metrics figure and summary.csv). Intervals are over societies."
        )
    else:
        notes.append("Unpredictability needs run.worlds > 1 (the default scale uses 4); this run had one world per society.")
    return report.write_report(
        out_dir / "report.md",
        title="Centralized gatekeeping vs decentralized cascades vs inclusive allocation (D1-D4)",
        claim_results=results, header=common.header(header, settings),
        figures=list(paths.values()), notes=common.with_survey(notes, outcomes),
    )
