"""Analysis of the weak-ties experiment (W1-W4): figures and verdicts from the saved tables.

Effects (all paired over replicates, 95% Student-t intervals), each judged by
:func:`diffusion.analysis.judge` against the smallest effect of interest the claims registry
declares (:mod:`diffusion.claims`):

* W1 — two arms (``network.weak_ties``): bridges *added* on top of the strong ties (the
  source's reading, 000 §3.2: the platform lets users form weak ties with strangers, which
  widens their channels of contact) and bridges that *replace* strong ties at fixed mean degree.
  In each arm three parts, combined by "all parts": the per-replicate slope of final reach on
  weak-tie share (wider reach, claimed to rise); days until the campaign has reached a fixed
  share of all users (:data:`FIXED_REACH_SHARE`, the same number of users in every arm), from
  the lowest to the highest share (faster spread, claimed to fall); the slope of the
  purchasing share ("marketing through weak ties works better", claimed to rise). The
  added arm gives the claim's verdict; the replace arm is judged by the same parts and
  reported beside it.
* W2 — the campaign's mean cascade depth minus 2 (re-shares of re-shares), claimed to rise.
* W3 — peer-route conversion from same-circle ties minus that from other circles at equal
  numbers of distinct sources (:func:`diffusion.metrics.tables.conversion_at_equal_sources`),
  at the weak-tie share closest to 0.2; knock-out arm: no homophily there. The crude ratio of
  purchases to deliveries, which the reinforcement rule inflates for same-circle ties, is
  reported beside it.
* W4 — new follows per view from the same-city feed minus those from the follow and
  discovery feeds, at the knock-out arm's weak-tie share (pooled over the sweep when the
  arm did not run); knock-out arm: no same-city follow boost.

W2-W4 are measured in the replace arm (the default society); without an arm column (a sweep
that does not vary ``network.weak_ties``) every run belongs to the configured arm.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from diffusion import analysis, plots, report
from diffusion.analyses import common
from diffusion.params import CHANNELS

X = "weak_tie_share"
#: Column of the W1 arm (``network.weak_ties``): ``replace`` or ``add``.
ARM = "weak_ties"
ARM_LABELS = {"add": "bridges added (strong ties kept)", "replace": "bridges replace strong ties (fixed degree)"}
#: The arm whose reading the source makes (000 §3.2), which gives W1's verdict.
SOURCE_ARM = "add"
#: W1's speed: days until the campaign has reached this share of all users. Fixed before the
#: arms were run: below half of the smallest final reach of any weak-tie share in the
#: 2026-12-02 reference (12% of users at share 0.6), so every run of every arm reaches it in
#: its spreading phase, and the same number of users in every arm.
FIXED_REACH_SHARE = 0.05
CONTAGIONS = {
    "content sharing": {"reach_share": "content_reach_share", "time_to_half": "content_time_to_half",
                        "cross_circle_share": "content_cross_circle_share"},
    "purchase adoption": {"reach_share": "purchase_reach_share", "time_to_half": "purchase_time_to_half",
                          "cross_circle_share": "purchase_cross_circle_share"},
}


def with_arm(table: pd.DataFrame, default: str = "replace") -> pd.DataFrame:
    """``table`` with the W1 arm column (filled with ``default`` when the sweep did not vary it)."""
    return table if ARM in table.columns else table.assign(**{ARM: default})


def arm(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """The rows of one W1 arm."""
    return table[table[ARM] == name]


def days_to_reach(trajectories: pd.DataFrame, share: float = FIXED_REACH_SHARE) -> pd.DataFrame:
    """Per run: the first day the campaign had reached ``share`` of all users (NaN if never; W1).

    Returns one row per run with the scenario columns, ``replicate`` and ``content_days_to_reach``.
    """
    # The run's label columns (scenario, knock-out arm, replicate) precede ``step``; measures follow it.
    columns = list(trajectories.columns)
    keys = columns[: columns.index("step")]
    reached = trajectories[trajectories["campaign_reach_share"] >= share]
    first = reached.groupby(keys, dropna=False)["step"].min().rename("content_days_to_reach")
    runs = trajectories[keys].drop_duplicates()
    return runs.merge(first.reset_index(), on=keys, how="left")


def with_days_to_reach(outcomes: pd.DataFrame, trajectories: pd.DataFrame) -> pd.DataFrame:
    """``outcomes`` with ``content_days_to_reach`` (:func:`days_to_reach`) joined per run."""
    days = days_to_reach(trajectories)
    keys = [c for c in days.columns if c != "content_days_to_reach" and c in outcomes.columns]
    return outcomes.merge(days[[*keys, "content_days_to_reach"]], on=keys, how="left")


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
    """Draw every figure of the experiment from the saved tables; return their paths.

    ``tables["outcomes"]`` carries the arm column and ``content_days_to_reach``
    (:func:`with_arm`, :func:`with_days_to_reach`)."""
    outcomes, cascades = tables["outcomes"], tables["cascades"]
    replace = arm(outcomes, "replace")
    paths = []
    labelled = outcomes.assign(arm=outcomes[ARM].map(ARM_LABELS))
    w1 = ["content_reach_share", "content_days_to_reach", "purchase_reach_share"]
    summary = analysis.summarise(labelled, by=[X, "arm"], measures=w1)
    fig = plots.line_with_ci(
        summary, x=X, hue="arm", measures=w1,
        title="W1: campaign reach, speed and purchases vs weak-tie share, by arm",
        # In both arms the share is the number of bridges per tie of the share-0 society.
        xlabel="weak-tie share (bridges per share-0 tie)",
        ylabels={"content_reach_share": "final reach (share of users)",
                 "content_days_to_reach": f"days to reach {FIXED_REACH_SHARE:.0%} of users",
                 "purchase_reach_share": "users buying (share of users)"},
    )
    paths.append(plots.save_figure(fig, fig_dir / "weak_ties_reach.png"))

    long = by_contagion(replace)
    summary = analysis.summarise(long, by=[X, "contagion"], measures=["cross_circle_share", "time_to_half"])
    fig = plots.line_with_ci(
        summary, x=X, hue="contagion", measures=["cross_circle_share", "time_to_half"],
        title="W1 (replace arm): adoptions across circles, time to half of own final reach",
        xlabel="weak-tie share (fraction of ties)",
        ylabels={"cross_circle_share": "share of peer-driven adoptions across circles",
                 "time_to_half": "time to 50% of final reach (days)"},
    )
    paths.append(plots.save_figure(fig, fig_dir / "weak_ties_cross_circle.png"))

    cascades = arm(cascades, "replace")
    shares = sorted(cascades[X].unique())
    chosen = [shares[0], shares[len(shares) // 2], shares[-1]] if len(shares) >= 3 else shares
    subset = cascades[cascades[X].isin(chosen) & (cascades["size"] > 0)]
    fig = plots.ccdf_plot(
        subset.assign(**{X: subset[X].map(lambda v: f"{v:g}")}), value="size", hue=X,
        title="W2: cascade sizes of all items", xlabel="cascade size (viewers)",
    )
    paths.append(plots.save_figure(fig, fig_dir / "weak_ties_cascade_ccdf.png"))

    summary = analysis.summarise(
        replace.assign(contagion="campaign"), by=[X, "contagion"],
        measures=["campaign_cascade_depth", "campaign_structural_virality"],
    )
    fig = plots.line_with_ci(
        summary, x=X, hue="contagion", measures=["campaign_cascade_depth", "campaign_structural_virality"],
        title="W2: depth and structural virality of campaign cascades",
        xlabel="weak-tie share (fraction of ties)",
        ylabels={"campaign_cascade_depth": "max depth (hops)", "campaign_structural_virality": "structural virality (hops)"},
    )
    paths.append(plots.save_figure(fig, fig_dir / "weak_ties_virality.png"))

    ties = {"conversion_same_circle_equal_sources": "same circle", "conversion_cross_circle_equal_sources": "other circle",
            "conversion_same_circle": "same circle", "conversion_cross_circle": "other circle"}
    frames = []
    for columns, basis in ((list(ties)[:2], "at equal distinct sources (verdict)"), (list(ties)[2:], "per delivery (crude)")):
        part = replace.melt(id_vars=[X, "replicate"], value_vars=columns, var_name="tie", value_name="conversion")
        frames.append(part.assign(tie=part["tie"].map(ties) + ", " + basis))
    summary = analysis.summarise(pd.concat(frames, ignore_index=True), by=[X, "tie"], measures=["conversion"])
    fig = plots.line_with_ci(
        summary, x=X, hue="tie", measures=["conversion"],
        title="W3: peer-route conversion by the tie's circle", xlabel="weak-tie share (fraction of ties)",
        ylabels={"conversion": "purchases per peer-route decision / per delivery"},
    )
    paths.append(plots.save_figure(fig, fig_dir / "weak_ties_conversion.png"))

    channels = channel_table(replace)
    summary = analysis.summarise(channels, by=["what", "channel"], measures=["share"])
    fig = plots.bar_with_ci(
        summary, x="channel", hue="what", measure="share",
        title="W4: where views and new follows come from", xlabel="channel",
        ylabel="share of all views / new follows",
    )
    paths.append(plots.save_figure(fig, fig_dir / "weak_ties_channels.png"))
    return paths


def w1_effects(outcomes: pd.DataFrame) -> dict[str, analysis.Effect]:
    """W1's three parts in one arm's outcomes: reach and purchase slopes on weak-tie share, change
    in days to the fixed reach (:data:`FIXED_REACH_SHARE`) from the lowest to the highest share."""
    lo, hi = outcomes[X].min(), outcomes[X].max()
    return {
        "reach": analysis.paired_slope(outcomes, x=X, measure="content_reach_share"),
        "speed": analysis.paired_difference(
            outcomes, scenario=X, low=lo, high=hi, measure="content_days_to_reach",
            description=f"days to reach {FIXED_REACH_SHARE:.0%} of users at weak-tie share {hi:g} minus at {lo:g}"),
        "purchases": analysis.paired_slope(outcomes, x=X, measure="purchase_reach_share"),
    }


def time_to_half_effect(outcomes: pd.DataFrame) -> analysis.Effect:
    """The former speed measure: days to half of the run's own final reach, highest minus lowest share."""
    lo, hi = outcomes[X].min(), outcomes[X].max()
    return analysis.paired_difference(
        outcomes, scenario=X, low=lo, high=hi, measure="content_time_to_half",
        description=f"days to half of the run's own final reach at weak-tie share {hi:g} minus at {lo:g}")


def reference_share(outcomes: pd.DataFrame) -> float:
    """The swept weak-tie share closest to 0.2 (W3's and the survey's reference point)."""
    return outcomes.loc[(outcomes[X] - 0.2).abs().idxmin(), X]


def w3_effects(outcomes: pd.DataFrame) -> dict[str, analysis.Effect]:
    """W3: same-circle minus other-circle peer-route conversion at equal numbers of distinct
    sources, at the reference share."""
    reference = reference_share(outcomes)
    at_reference = outcomes[outcomes[X] == reference]
    return {"equal_sources": analysis.paired_columns_difference(
        at_reference, high="conversion_same_circle_equal_sources", low="conversion_cross_circle_equal_sources",
        description=("peer-route conversion at equal numbers of distinct sources, same-circle minus "
                     f"other-circle ties (weak-tie share {reference:g})"),
    )}


def w3_crude(outcomes: pd.DataFrame) -> analysis.Effect:
    """W3's former measure: purchases per product delivery, same-circle minus other-circle ties."""
    reference = reference_share(outcomes)
    return analysis.paired_columns_difference(
        outcomes[outcomes[X] == reference], high="conversion_same_circle", low="conversion_cross_circle",
        description=f"crude purchases per delivery, same-circle minus other-circle ties (weak-tie share {reference:g})",
    )


def w3_second_source(outcomes: pd.DataFrame) -> analysis.Effect:
    """How much more often a same-circle peer-route decision comes with two or more sources."""
    reference = reference_share(outcomes)
    return analysis.paired_columns_difference(
        outcomes[outcomes[X] == reference], high="second_source_share_same_circle",
        low="second_source_share_cross_circle",
        description=("share of peer-route decisions with two or more distinct sources, same-circle minus "
                     f"other-circle ties (weak-tie share {reference:g})"),
    )


def w4_effects(outcomes: pd.DataFrame, share: float | None = None) -> dict[str, analysis.Effect]:
    """W4: follows per view (relative to view share), same-city feed minus the other feeds,
    pooled over the sweep or at one weak-tie share."""
    lift = follow_lift(outcomes if share is None else outcomes[outcomes[X] == share])
    where = "pooled over the sweep" if share is None else f"weak-tie share {share:g}"
    return {"follows": analysis.paired_columns_difference(
        lift, high="same_city", low="other_feeds",
        description=f"new follows per view (relative to view share): same-city feed minus other feeds ({where})",
    )}


def _prepared(tables: dict[str, pd.DataFrame], default_arm: str) -> dict[str, pd.DataFrame]:
    """Tables with the arm column, and outcomes with days to the fixed reach."""
    tables = {name: with_arm(t, default_arm) if isinstance(t, pd.DataFrame) else t for name, t in tables.items()}
    if "trajectories" in tables:
        tables["outcomes"] = with_days_to_reach(tables["outcomes"], tables["trajectories"])
    return tables


def claim_results(tables: dict[str, pd.DataFrame], figure_paths: dict[str, str],
                  knockouts: dict[str, dict[str, pd.DataFrame]] | None = None,
                  default_arm: str = "replace") -> list[report.ClaimResult]:
    """Effects and verdicts for W1-W4 (rules in the module docstring)."""
    tables = _prepared(tables, default_arm)
    knockouts = {claim: _prepared(arm_tables, default_arm) for claim, arm_tables in (knockouts or {}).items()}
    everything = tables["outcomes"]
    outcomes = arm(everything, "replace")
    results = []
    arms = {name: {part: _relabel(effect, f"{ARM_LABELS[name]}: ") for part, effect in w1_effects(arm(everything, name)).items()}
            for name in ARM_LABELS if (everything[ARM] == name).any()}
    judged = {name: report.claim_result("W1", effects, conditions="") for name, effects in arms.items()}
    main = SOURCE_ARM if SOURCE_ARM in judged else next(iter(judged))
    extra = [effect for name, effects in arms.items() if name != main for effect in effects.values()]
    extra += [_relabel(time_to_half_effect(arm(everything, name)), f"{ARM_LABELS[name]}: ") for name in arms]
    results.append(report.ClaimResult(
        "W1", judged[main].parts, judged[main].verdict, judged[main].origin,
        _w1_conditions(arms, judged, main, everything),
        [figure_paths["weak_ties_reach.png"], figure_paths["weak_ties_cross_circle.png"]],
        extra,
    ))

    depth = analysis.mean_effect(outcomes, measure="campaign_cascade_depth", offset=2.0,
                                 description="mean campaign cascade depth minus 2 hops")
    results.append(report.claim_result(
        "W2", {"depth": depth},
        conditions=(
            f"Campaign cascades reach a mean maximum depth of {depth.estimate + 2:.2f} hops over all "
            "weak-tie shares (replace arm); depth above 2 means viewers re-shared what their contacts had shared."
        ),
        figures=[figure_paths["weak_ties_virality.png"], figure_paths["weak_ties_cascade_ccdf.png"]],
    ))

    w3_arm = knockouts.get("W3")
    crude_ko = None if w3_arm is None else w3_crude(arm(w3_arm["outcomes"], "replace"))
    second = w3_second_source(outcomes)
    results.append(report.claim_result(
        "W3", w3_effects(outcomes),
        knockouts=common.knockout_effects(knockouts, "W3", lambda t: w3_effects(arm(t["outcomes"], "replace"))),
        extra_effects=[w3_crude(outcomes), *([] if crude_ko is None else [_relabel(crude_ko, "no homophily: ")]),
                       second],
        conditions=(
            "The homophily term of the share and purchase rule (behaviour.share_homophily) makes ties inside a "
            "circle, which are more similar, more persuasive; the knock-out arm sets it to 0 at the reference share. "
            "The peer route can buy only from behaviour.reinforcement distinct sources on, and a same-circle tie's "
            f"purchase decision comes with two or more sources {second.estimate:+.3f} more often (share of decisions; "
            f"95% CI {second.ci_low:+.3f} to {second.ci_high:+.3f}) than another circle's, so the crude purchases per "
            "delivery (below, with its knock-out) compare unlike exposures. The verdict compares conversion within "
            "strata of equal distinct sources (1, 2, 3, 4 or more), weighted alike for both kinds of tie."
        ),
        figures=[figure_paths["weak_ties_conversion.png"]],
    ))

    views_follow = analysis.mean_ci(outcomes["views_follow_share"].to_numpy())
    w4_arm = knockouts.get("W4")
    arm_share = None if w4_arm is None else _arm_share(w4_arm)
    results.append(report.claim_result(
        "W4", w4_effects(outcomes) if arm_share is None else w4_effects(outcomes, arm_share),
        knockouts=None if arm_share is None else w4_effects(arm(w4_arm["outcomes"], "replace"), arm_share),
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


def _relabel(effect: analysis.Effect, prefix: str) -> analysis.Effect:
    return dataclasses.replace(effect, description=prefix + effect.description)


def _arm_share(arm_tables: dict[str, pd.DataFrame]) -> float | None:
    """The weak-tie share where a knock-out arm ran, if exactly one."""
    shares = arm_tables[common.ARM_POINTS][X].unique()
    return float(shares[0]) if len(shares) == 1 else None


def _direction(verdict: str, effect) -> str:
    if verdict in (analysis.INCONCLUSIVE, analysis.NOT_MEASURABLE):
        return "shows no clear change"
    if verdict == analysis.NEGLIGIBLE:
        return "changes negligibly"
    return "rises" if effect.estimate > 0 else "falls"


def _arm_sentence(name: str, effects: dict[str, analysis.Effect], result: report.ClaimResult,
                  outcomes: pd.DataFrame) -> str:
    """One arm's W1 findings, written from the estimates (never assuming their sign)."""
    v = {p.name: p.judgement.verdict for p in result.parts}
    reach, speed, buy = effects["reach"], effects["speed"], effects["purchases"]
    rows = arm(outcomes, name)
    lo, hi = rows[X].min(), rows[X].max()
    degree = rows.groupby(X)["realised_mean_degree"].mean()
    not_reached = int(rows["content_days_to_reach"].isna().sum())
    text = (
        f"*{ARM_LABELS[name]}* (mean degree {degree.get(lo, float('nan')):.1f} at share {lo:g}, "
        f"{degree.get(hi, float('nan')):.1f} at {hi:g}): content reach {_direction(v['reach'], reach)} with weak-tie "
        f"share ({reach.estimate:+.3f} per unit, 95% CI {reach.ci_low:+.3f} to {reach.ci_high:+.3f}; {v['reach']}), "
        f"the share of users buying {_direction(v['purchases'], buy)} ({buy.estimate:+.4f} per unit, 95% CI "
        f"{buy.ci_low:+.4f} to {buy.ci_high:+.4f}; {v['purchases']}), and the days to reach "
        f"{FIXED_REACH_SHARE:.0%} of users change by {speed.estimate:+.2f} from share {lo:g} to {hi:g} (95% CI "
        f"{speed.ci_low:+.2f} to {speed.ci_high:+.2f}; faster spread: {v['speed']}); all parts: {result.verdict}."
    )
    if not_reached:
        text += f" {not_reached} run(s) never reached {FIXED_REACH_SHARE:.0%} of users and are left out of the speed part."
    return text


def _w1_conditions(arms: dict[str, dict[str, analysis.Effect]], judged: dict[str, report.ClaimResult], main: str,
                   outcomes: pd.DataFrame) -> str:
    """The W1 paragraph: which reading the source makes, then what each arm says."""
    text = (
        "The source (000 §3.2) says the platform lets users form weak ties with strangers and that these "
        "widen their channels of contact: bridges come on top of the strong ties. The verdict is that "
        "reading's arm (bridges added, strong ties kept); the arm with the mean degree held fixed, where each "
        "bridge replaces a strong tie, is judged by the same parts and listed below. "
    )
    if main != SOURCE_ARM:
        text += f"This run has no {ARM_LABELS[SOURCE_ARM]} arm; the verdict is the {ARM_LABELS[main]} arm's. "
    text += " ".join(_arm_sentence(name, arms[name], judged[name], outcomes) for name in arms)
    text += (
        " A weak tie passes a share on less often than a strong one (network.weak_tie_strength vs "
        "network.strong_tie_strength); experiments/weak_ties/README.md reports a sensitivity run with weak "
        "ties as strong as strong ones."
    )
    return text


def analyse(settings: Any, tables: dict[str, pd.DataFrame], out_dir: Path, *, header: dict[str, Any],
            knockouts: dict[str, dict[str, pd.DataFrame]] | None = None) -> Path:
    """Figures and report of the weak-ties experiment; returns the report path."""
    fig_dir = out_dir / "figures"
    default_arm = settings.network.weak_ties
    prepared = _prepared(tables, default_arm)
    paths = figures(prepared, fig_dir)
    outcomes = prepared["outcomes"]
    measures = [c for c in outcomes.columns
                if c not in (X, ARM, "replicate") and pd.api.types.is_numeric_dtype(outcomes[c])]
    analysis.summarise(outcomes, by=[ARM, X], measures=measures).to_csv(out_dir / "summary.csv", index=False)
    relative = {p.name: str(p.relative_to(out_dir)) for p in paths}
    results = claim_results(tables, relative, knockouts, default_arm=default_arm)
    n_points = outcomes[[ARM, X]].drop_duplicates().shape[0]
    notes = [
        f"{n_points} grid points (W1 arm x weak-tie share) x {settings.run.n_replicates} paired replicates, "
        f"{settings.network.n_users} users, {settings.run.n_steps} days per run. W2-W4 use the replace arm. "
        f"At weak-tie share 0 the two arms build the same society, so those runs are identical by construction.",
    ]
    return report.write_report(
        out_dir / "report.md",
        title="Weak ties and the spread of content and purchases (W1-W4)",
        claim_results=results,
        header=common.header(header, settings),
        figures=list(relative.values()),
        notes=common.with_survey(notes, outcomes, settings),
    )
