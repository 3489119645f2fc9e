"""Analysis of the gatekeeping experiment (D1-D4): who gets attention under each policy.

Every policy runs on the same networks, posted items and feed slots (paired replicates; with
``run.worlds > 1`` replicates come in groups of independent worlds sharing a network, and
intervals are taken over groups). Effects, each a paired difference with a 95% interval judged
by :func:`diffusion.analysis.judge` against the registry's smallest effects:

* D1 — ``decentralized`` minus ``popularity`` (the same push of popular items without the
  throttle and the cold-start pool): newcomers' restricted mean days to 100 views must fall
  and the Gini of views across creators must fall. The decentralized feed bundles two
  mechanisms, so three arms run beside it (:data:`D1_ARMS`): the throttle alone
  (``throttle_only``), the cold-start pool alone (``cold_start_only``) and neither
  (``fresh_only``). Adding each mechanism alone to ``fresh_only``, and removing each from
  ``decentralized``, says which one gives newcomers their chance (:func:`d1_decomposition`,
  judged with D1's smallest effects; reported beside the verdict, which they do not change).
  The registry's knock-out (``cold_start_share=0`` on ``decentralized``) is the
  ``throttle_only`` arm itself, so its rows serve as the knock-out arm.
* D2 — ``decentralized`` minus ``centralized``: the diversity of views (normalised entropy
  across creators) must rise and the share of views that came through peer shares must rise.
* D3 — ``centralized`` minus ``decentralized``: the top 1% of creators' share of views must
  rise and the Gini of views must rise.
* D4 — ``inclusive`` minus *every* other policy of :data:`ORDER` (the D1 arms are variants of
  ``decentralized`` made for D1, and are listed but not judged): the Gini of views must fall
  and the share of creators earning anything must rise. The claim holds only if it holds
  against each, so the comparisons combine by "all parts" (:func:`inclusive_against_all`);
  the comparison that decides is the report's, every other one is listed with it.

A claim with two parts combines them by "all parts" (:data:`diffusion.analysis.COMBINE_RULES`).
Knock-out arms: D1 without the cold-start pool (the ``throttle_only`` arm), D3 with an editor
without head-user preference (``experiment.knockouts``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from diffusion import analysis, plots, report
from diffusion.analyses import common
from diffusion.claims import get_claim
from diffusion.metrics.creators import MILESTONE_VIEWS, survival_curve
from diffusion.metrics.worlds import world_measures

P = "platform"
ORDER = ["centralized", "popularity", "decentralized", "inclusive", "peer_only"]
#: D1's arms: the decentralized feed with the heat throttle only, the cold-start pool only, and
#: neither (conf/platform/{throttle_only,cold_start_only,fresh_only}.yaml).
D1_ARMS = ["throttle_only", "cold_start_only", "fresh_only"]
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
    known = [*ORDER, *D1_ARMS]
    return [p for p in known if p in present] + sorted(present - set(known))


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
#: D4's baseline is every other policy (:func:`inclusive_against_all`); ``popularity`` here is
#: only the first it is compared with.
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


def claim_effects(outcomes: pd.DataFrame, claim: str, low: str | None = None) -> dict[str, analysis.Effect]:
    """The paired effects of one claim's parts (policy minus baseline, see :data:`SPECS`);
    ``low`` replaces the baseline."""
    high, base, parts, _ = SPECS[claim]
    return {name: _compare(outcomes, high, base if low is None else low, measure) for name, measure in parts}


def inclusive_against_all(
    outcomes: pd.DataFrame, parts: dict[str, str], others: list[str], *, claim: str = "D4",
    knockout: pd.DataFrame | None = None, cluster: str | None = None, label: dict[str, str] | None = None,
) -> tuple[report.ClaimResult, list[analysis.Effect], str]:
    """D4 judged against every other policy: ``inclusive`` minus each of ``others``.

    Parameters
    ----------
    outcomes : DataFrame
        Per-run outcomes with a ``platform`` column, paired on ``replicate``.
    parts : dict
        Registry part name of D4 -> measure column (``earners``, ``gini``).
    others : list of str
        The policies compared with, in the order they are tried.
    knockout : DataFrame, optional
        The same outcomes with the inclusive policy's Gini cap lifted (D4's knock-out arm).

    Returns
    -------
    result, effects, text
        The claim result of the comparison that decides the combined verdict (the first, in
        ``others`` order, whose own verdict equals it), every comparison's effects (the
        deciding one's first), and one line per comparison with its verdict.

    Notes
    -----
    Tests D4 (source 004 (二), (四)): an inclusive algorithm is fairer than the alternatives,
    so it must be fairer than each. Each comparison is judged by the registry's rule for D4
    (:func:`diffusion.report.claim_result`); the comparisons combine by "all parts"
    (:data:`diffusion.analysis.COMBINE_RULES`): supported only when supported against every
    other policy, contradicted when contradicted against any.
    """
    label = label or LABELS
    results, effects, lines = {}, {}, []
    for other in others:
        def effects_of(frame: pd.DataFrame, other: str = other) -> dict[str, analysis.Effect]:
            return {name: analysis.paired_difference(
                frame, scenario=P, low=other, high="inclusive", measure=measure, cluster=cluster,
                description=f"{label.get(measure, measure)}, inclusive minus {other}") for name, measure in parts.items()}
        effects[other] = effects_of(outcomes)
        arm = None if knockout is None else effects_of(knockout)
        results[other] = report.claim_result(claim, effects[other], knockouts=arm, conditions="")
        verdicts = ", ".join(f"{p.name} {p.judgement.verdict}" for p in results[other].parts)
        lines.append(f"against {other}: {results[other].verdict} ({verdicts})")
    combined = analysis.combine([r.verdict for r in results.values()], "all parts")
    deciding = next(o for o in others if results[o].verdict == combined)
    ordered = [deciding, *(o for o in others if o != deciding)]
    listed = [e for o in ordered for e in effects[o].values()]
    return results[deciding], listed, "; ".join(lines)


def d1_decomposition(outcomes: pd.DataFrame) -> tuple[list[analysis.Effect], str]:
    """Which of the decentralized feed's two mechanisms gives newcomers their chance (D1).

    For each of D1's measures: the throttle alone and the pool alone, each added to the feed
    with neither (``throttle_only`` / ``cold_start_only`` minus ``fresh_only``), and each
    removed from the full feed (``decentralized`` minus ``cold_start_only`` / ``throttle_only``),
    judged with D1's smallest effects and claimed directions; first, what is left of the
    contrast with ``popularity`` when neither mechanism is on (``fresh_only`` minus
    ``popularity``: fresh items, sampled broadly with a square-root push). Returns the effects
    and a sentence per measure; both empty when an arm is missing.
    """
    present = set(outcomes[P])
    if not {"decentralized", "popularity", *D1_ARMS} <= present:
        return [], ""
    contrasts = [("fresh_only", "popularity", "the fresh, broad feed with neither, against popularity"),
                 ("throttle_only", "fresh_only", "the throttle added alone"),
                 ("cold_start_only", "fresh_only", "the pool added alone"),
                 ("decentralized", "cold_start_only", "the throttle added to the pool"),
                 ("decentralized", "throttle_only", "the pool added to the throttle")]
    claim = get_claim("D1")
    effects, sentences = [], []
    for name, measure in SPECS["D1"][2]:
        part = claim.part(name)
        words = []
        for high, low, what in contrasts:
            effect = _compare(outcomes, high, low, measure)
            effects.append(effect)
            verdict = analysis.judge(effect, direction=part.direction, sesoi=part.sesoi).verdict
            words.append(f"{what} {common.describe(effect, 3)} ({verdict})")
        sentences.append(f"{LABELS[measure]}: " + "; ".join(words))
    return effects, ". ".join(sentences) + "."


def _d1_knockout(outcomes: pd.DataFrame) -> dict[str, pd.DataFrame] | None:
    """D1's knock-out arm from the ``throttle_only`` rows: the registry's knock-out
    (``cold_start_share=0`` on ``decentralized``) is that policy, on the same replicates
    (``tests/test_gate_designs.py`` checks the two configurations are equal)."""
    if "throttle_only" not in set(outcomes[P]):
        return None
    arm = outcomes[outcomes[P] != "decentralized"].copy()
    arm.loc[arm[P] == "throttle_only", P] = "decentralized"
    return {"outcomes": arm}


def claim_results(outcomes: pd.DataFrame, paths: dict[str, str],
                  knockouts: dict[str, dict[str, pd.DataFrame]] | None = None) -> list[report.ClaimResult]:
    """Verdicts for D1-D4 (rules in the module docstring)."""
    policies = set(outcomes[P])
    knockouts = dict(knockouts or {})
    if "D1" not in knockouts and (arm := _d1_knockout(outcomes)) is not None:
        knockouts["D1"] = arm
    results = []
    for claim, (high, low, _, figs) in SPECS.items():
        if not {high, low} <= policies:
            continue
        figures = [paths[f] for f in figs if f in paths]
        if claim == "D4":
            others = [p for p in ORDER if p in policies and p != "inclusive"]
            result, listed, text = inclusive_against_all(
                outcomes, {name: measure for name, measure in SPECS["D4"][2]}, others,
                cluster=common.cluster_of(outcomes))
            results.append(dataclasses.replace(result, figures=figures, extra_effects=listed[len(result.parts):], conditions=(
                f"Judged against every other policy, all of which must hold: {text}. The report's parts are the "
                "comparison that decides; the others follow them. " + _MECHANISM[claim])))
            continue
        effects = claim_effects(outcomes, claim)
        arm = common.knockout_effects(knockouts, claim, lambda t, c=claim: claim_effects(t["outcomes"], c))
        extra, text = d1_decomposition(outcomes) if claim == "D1" else ([], "")
        result = report.claim_result(claim, effects, knockouts=arm, conditions="", figures=figures,
                                     extra_effects=extra)
        lines = [f"{LABELS.get(p.effect.measure, p.effect.measure)}: {p.judgement.verdict}" for p in result.parts]
        conditions = _conditions(claim, lines)
        if text:
            conditions += (" Which mechanism does it (arms throttle_only, cold_start_only and fresh_only, judged with "
                           "D1's smallest effects; they do not change the verdict): " + text)
        results.append(dataclasses.replace(result, conditions=conditions))
    return results


_MECHANISM = {
    "D1": "The throttle (platform.policy.heat_threshold, throttle_exponent) and the cold-start pool "
          "(cold_start_share) are what separate the decentralized feed from plain popularity; the knock-out arm "
          "(the throttle_only policy) keeps the throttle and removes the pool.",
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
        figures=list(paths.values()), notes=common.with_survey(notes, outcomes, settings),
    )
