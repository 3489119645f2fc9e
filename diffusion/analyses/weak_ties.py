"""Analysis of the weak-ties experiment (W1-W4): figures and verdicts from the saved tables.

Effects (all paired over replicates, 95% Student-t intervals), each judged by
:func:`diffusion.analysis.judge` against the smallest effect of interest the claims registry
declares (:mod:`diffusion.claims`):

* W1 — three parts, combined by "all parts": the per-replicate slope of final reach on
  weak-tie share (wider reach, claimed to rise); time to half of final reach from the lowest
  to the highest share (faster spread, claimed to fall); the slope of the purchasing share
  ("marketing through weak ties works better", claimed to rise).
* W2 — the campaign's mean cascade depth minus 2 (re-shares of re-shares), claimed to rise.
* W3 — conversion per product delivery from same-circle ties minus that from other circles,
  at the weak-tie share closest to 0.2; knock-out arm: no homophily there.
* W4 — new follows per view from the same-city feed minus those from the follow and
  discovery feeds, at the knock-out arm's weak-tie share (pooled over the sweep when the
  arm did not run); knock-out arm: no same-city follow boost.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from diffusion import analysis, plots, report
from diffusion.analyses import common
from diffusion.params import CHANNELS

X = "weak_tie_share"
CONTAGIONS = {
    "content sharing": {"reach_share": "content_reach_share", "time_to_half": "content_time_to_half",
                        "cross_circle_share": "content_cross_circle_share"},
    "purchase adoption": {"reach_share": "purchase_reach_share", "time_to_half": "purchase_time_to_half",
                          "cross_circle_share": "purchase_cross_circle_share"},
}


def by_contagion(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Outcomes in long form: one row per run and contagion type, shared measure names."""
    frames = []
    for contagion, columns in CONTAGIONS.items():
        frame = outcomes[[X, "replicate", *columns.values()]].rename(
            columns={v: k for k, v in columns.items()}
        )
        frame.insert(1, "contagion", contagion)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def channel_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Views and new follows by channel, long form (W4). A channel no run used (promotion,
    without a strategy that promotes) is left out."""
    rows = []
    used = [c for c in CHANNELS if outcomes[f"views_{c}_share"].fillna(0).gt(0).any()]
    for kind in ("views", "follows"):
        for channel in used:
            column = f"{kind}_{channel}_share"
            part = outcomes[[X, "replicate", column]].rename(columns={column: "share"})
            part.insert(1, "what", kind)
            part.insert(2, "channel", channel.replace("_", "-"))
            rows.append(part)
    return pd.concat(rows, ignore_index=True)


def follow_lift(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per run: new-follow share over view share of the same-city feed vs the other feeds."""
    same = outcomes["follows_same_city_share"] / outcomes["views_same_city_share"]
    others = (outcomes["follows_follow_share"] + outcomes["follows_discovery_share"]) / (
        outcomes["views_follow_share"] + outcomes["views_discovery_share"]
    )
    return pd.DataFrame(
        {X: outcomes[X], "replicate": outcomes["replicate"], "same_city": same, "other_feeds": others}
    )


def figures(tables: dict[str, pd.DataFrame], fig_dir: Path) -> list[Path]:
    """Draw every figure of the experiment from the saved tables; return their paths."""
    outcomes, cascades = tables["outcomes"], tables["cascades"]
    long = by_contagion(outcomes)
    paths = []
    summary = analysis.summarise(long, by=[X, "contagion"], measures=["reach_share", "time_to_half"])
    fig = plots.line_with_ci(
        summary, x=X, hue="contagion", measures=["reach_share", "time_to_half"],
        title="W1: campaign reach and speed vs weak-tie share",
        xlabel="weak-tie share (fraction of ties)",
        ylabels={"reach_share": "final reach (share of users)", "time_to_half": "time to 50% of final reach (days)"},
    )
    paths.append(plots.save_figure(fig, fig_dir / "weak_ties_reach.png"))

    summary = analysis.summarise(long, by=[X, "contagion"], measures=["cross_circle_share"])
    fig = plots.line_with_ci(
        summary, x=X, hue="contagion", measures=["cross_circle_share"],
        title="W1: adoptions that crossed circles", xlabel="weak-tie share (fraction of ties)",
        ylabels={"cross_circle_share": "share of peer-driven adoptions across circles"},
    )
    paths.append(plots.save_figure(fig, fig_dir / "weak_ties_cross_circle.png"))

    shares = sorted(cascades[X].unique())
    chosen = [shares[0], shares[len(shares) // 2], shares[-1]] if len(shares) >= 3 else shares
    subset = cascades[cascades[X].isin(chosen) & (cascades["size"] > 0)]
    fig = plots.ccdf_plot(
        subset.assign(**{X: subset[X].map(lambda v: f"{v:g}")}), value="size", hue=X,
        title="W2: cascade sizes of all items", xlabel="cascade size (viewers)",
    )
    paths.append(plots.save_figure(fig, fig_dir / "weak_ties_cascade_ccdf.png"))

    summary = analysis.summarise(
        outcomes.assign(contagion="campaign"), by=[X, "contagion"],
        measures=["campaign_cascade_depth", "campaign_structural_virality"],
    )
    fig = plots.line_with_ci(
        summary, x=X, hue="contagion", measures=["campaign_cascade_depth", "campaign_structural_virality"],
        title="W2: depth and structural virality of campaign cascades",
        xlabel="weak-tie share (fraction of ties)",
        ylabels={"campaign_cascade_depth": "max depth (hops)", "campaign_structural_virality": "structural virality (hops)"},
    )
    paths.append(plots.save_figure(fig, fig_dir / "weak_ties_virality.png"))

    conversion = outcomes.melt(
        id_vars=[X, "replicate"], value_vars=["conversion_same_circle", "conversion_cross_circle"],
        var_name="tie", value_name="conversion",
    )
    conversion["tie"] = conversion["tie"].map(
        {"conversion_same_circle": "same circle", "conversion_cross_circle": "other circle"}
    )
    summary = analysis.summarise(conversion, by=[X, "tie"], measures=["conversion"])
    fig = plots.line_with_ci(
        summary, x=X, hue="tie", measures=["conversion"],
        title="W3: purchases per product delivered by a tie", xlabel="weak-tie share (fraction of ties)",
        ylabels={"conversion": "purchases per delivery"},
    )
    paths.append(plots.save_figure(fig, fig_dir / "weak_ties_conversion.png"))

    channels = channel_table(outcomes)
    summary = analysis.summarise(channels, by=["what", "channel"], measures=["share"])
    fig = plots.bar_with_ci(
        summary, x="channel", hue="what", measure="share",
        title="W4: where views and new follows come from", xlabel="channel",
        ylabel="share of all views / new follows",
    )
    paths.append(plots.save_figure(fig, fig_dir / "weak_ties_channels.png"))
    return paths


def w1_effects(outcomes: pd.DataFrame) -> dict[str, analysis.Effect]:
    """W1's three parts: reach and purchase slopes on weak-tie share, change in time to half."""
    lo, hi = outcomes[X].min(), outcomes[X].max()
    return {
        "reach": analysis.paired_slope(outcomes, x=X, measure="content_reach_share"),
        "speed": analysis.paired_difference(outcomes, scenario=X, low=lo, high=hi, measure="content_time_to_half"),
        "purchases": analysis.paired_slope(outcomes, x=X, measure="purchase_reach_share"),
    }


def reference_share(outcomes: pd.DataFrame) -> float:
    """The swept weak-tie share closest to 0.2 (W3's and the survey's reference point)."""
    return outcomes.loc[(outcomes[X] - 0.2).abs().idxmin(), X]


def w3_effects(outcomes: pd.DataFrame) -> dict[str, analysis.Effect]:
    """W3: same-circle minus other-circle conversion per delivery at the reference share."""
    reference = reference_share(outcomes)
    at_reference = outcomes[outcomes[X] == reference]
    return {"homophily": analysis.paired_columns_difference(
        at_reference, high="conversion_same_circle", low="conversion_cross_circle",
        description=f"conversion per delivery, same-circle minus other-circle ties (weak-tie share {reference:g})",
    )}


def w4_effects(outcomes: pd.DataFrame, share: float | None = None) -> dict[str, analysis.Effect]:
    """W4: follows per view (relative to view share), same-city feed minus the other feeds,
    pooled over the sweep or at one weak-tie share."""
    lift = follow_lift(outcomes if share is None else outcomes[outcomes[X] == share])
    where = "pooled over the sweep" if share is None else f"weak-tie share {share:g}"
    return {"follows": analysis.paired_columns_difference(
        lift, high="same_city", low="other_feeds",
        description=f"new follows per view (relative to view share): same-city feed minus other feeds ({where})",
    )}


def claim_results(tables: dict[str, pd.DataFrame], figure_paths: dict[str, str],
                  knockouts: dict[str, dict[str, pd.DataFrame]] | None = None) -> list[report.ClaimResult]:
    """Effects and verdicts for W1-W4 (rules in the module docstring)."""
    outcomes = tables["outcomes"]
    knockouts = knockouts or {}
    results = []
    lo, hi = outcomes[X].min(), outcomes[X].max()
    w1 = w1_effects(outcomes)
    w1_result = report.claim_result("W1", w1, conditions="", figures=[figure_paths["weak_ties_reach.png"],
                                                                  figure_paths["weak_ties_cross_circle.png"]])
    verdicts = {p.name: p.judgement.verdict for p in w1_result.parts}
    results.append(report.ClaimResult(
        "W1", w1_result.parts, w1_result.verdict, w1_result.origin,
        _w1_conditions(w1["reach"], verdicts["reach"], w1["purchases"], verdicts["purchases"], w1["speed"],
                       verdicts["speed"], lo, hi),
        w1_result.figures,
    ))

    depth = analysis.mean_effect(outcomes, measure="campaign_cascade_depth", offset=2.0,
                                 description="mean campaign cascade depth minus 2 hops")
    results.append(report.claim_result(
        "W2", {"depth": depth},
        conditions=(
            f"Campaign cascades reach a mean maximum depth of {depth.estimate + 2:.2f} hops over all "
            "weak-tie shares; depth above 2 means viewers re-shared what their contacts had shared."
        ),
        figures=[figure_paths["weak_ties_virality.png"], figure_paths["weak_ties_cascade_ccdf.png"]],
    ))

    results.append(report.claim_result(
        "W3", w3_effects(outcomes),
        knockouts=common.knockout_effects(knockouts, "W3", lambda t: w3_effects(t["outcomes"])),
        conditions=(
            "The homophily term of the share and purchase rule (behaviour.share_homophily) makes ties inside a "
            "circle, which are more similar, more persuasive; the knock-out arm sets it to 0 at the reference share."
        ),
        figures=[figure_paths["weak_ties_conversion.png"]],
    ))

    views_follow = analysis.mean_ci(outcomes["views_follow_share"].to_numpy())
    w4_arm = knockouts.get("W4")
    arm_share = None if w4_arm is None else _arm_share(w4_arm)
    results.append(report.claim_result(
        "W4", w4_effects(outcomes) if arm_share is None else w4_effects(outcomes, arm_share),
        knockouts=None if arm_share is None else w4_effects(w4_arm["outcomes"], arm_share),
        extra_effects=[] if arm_share is None else list(w4_effects(outcomes).values()),
        conditions=(
            f"The follow feed carries {views_follow[0]:.1%} of views but, being made of creators "
            "already followed, almost no new follows; the same-city feed opens new ties at a higher "
            "rate per view, helped by the same-city follow boost (behaviour.same_city_follow_boost), "
            "which the knock-out arm sets to 1."
        ),
        figures=[figure_paths["weak_ties_channels.png"]],
    ))
    return results


def _arm_share(arm: dict[str, pd.DataFrame]) -> float | None:
    """The weak-tie share where a knock-out arm ran, if exactly one."""
    shares = arm[common.ARM_POINTS][X].unique()
    return float(shares[0]) if len(shares) == 1 else None


def _direction(verdict: str, effect) -> str:
    if verdict in (analysis.INCONCLUSIVE, analysis.NOT_MEASURABLE):
        return "shows no clear change"
    if verdict == analysis.NEGLIGIBLE:
        return "changes negligibly"
    return "rises" if effect.estimate > 0 else "falls"


def _w1_conditions(content, v_content, purchases, v_purchase, speed, v_speed, lo, hi) -> str:
    """The W1 sentence, written from the estimates (never assuming their sign)."""
    text = (
        f"With mean degree held fixed, so that each weak tie replaces a strong one, content reach "
        f"{_direction(v_content, content)} with weak-tie share ({content.estimate:+.3f} per unit, "
        f"95% CI {content.ci_low:+.3f} to {content.ci_high:+.3f}) and the share of users buying "
        f"{_direction(v_purchase, purchases)} ({purchases.estimate:+.4f} per unit, 95% CI "
        f"{purchases.ci_low:+.4f} to {purchases.ci_high:+.4f}). Time to half of final reach "
        f"changes by {speed.estimate:+.2f} days from share {lo:g} to {hi:g} (95% CI "
        f"{speed.ci_low:+.2f} to {speed.ci_high:+.2f}; faster spread: {v_speed}). "
    )
    if v_content != analysis.SUPPORTED:
        text += (
            "Bridges open new circles, but here a weak tie passes a share on less often than the "
            "strong tie it replaces (network.weak_tie_strength vs network.strong_tie_strength), "
            "and the campaign's first viewers, the creators' followers, already sit in many "
            "circles. experiments/weak_ties/README.md reports a sensitivity run with weak ties as "
            "strong as strong ones."
        )
    else:
        text += "Bridges carry the campaign into circles its seeds could not reach through strong ties."
    return text


def analyse(settings: Any, tables: dict[str, pd.DataFrame], out_dir: Path, *, header: dict[str, Any],
            knockouts: dict[str, dict[str, pd.DataFrame]] | None = None) -> Path:
    """Figures and report of the weak-ties experiment; returns the report path."""
    fig_dir = out_dir / "figures"
    paths = figures(tables, fig_dir)
    outcomes = tables["outcomes"]
    measures = [c for c in outcomes.columns if c not in (X, "replicate") and pd.api.types.is_numeric_dtype(outcomes[c])]
    analysis.summarise(outcomes, by=[X], measures=measures).to_csv(out_dir / "summary.csv", index=False)
    relative = {p.name: str(p.relative_to(out_dir)) for p in paths}
    results = claim_results(tables, relative, knockouts)
    n_points = tables["outcomes"][X].nunique()
    notes = [
        f"{n_points} weak-tie shares x {settings.run.n_replicates} paired replicates, "
        f"{settings.network.n_users} users, {settings.run.n_steps} days per run.",
    ]
    return report.write_report(
        out_dir / "report.md",
        title="Weak ties and the spread of content and purchases (W1-W4)",
        claim_results=results,
        header=common.header(header, settings),
        figures=list(relative.values()),
        notes=common.with_survey(notes, tables["outcomes"]),
    )
