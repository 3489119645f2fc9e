"""Figures from saved tables (never from a simulation): seaborn, English labels.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot, so no GUI
backend is needed or touched (a notebook's backend stays as it is), and
:func:`save_figure` writes it. The theme is applied inside each function
(``seaborn.axes_style``): importing this module changes no global state.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from diffusion.metrics.inequality import ccdf, lorenz_curve

STYLE = "whitegrid"

#: Exposure policies in display order (the reference arm first, then from the most central to
#: the most decentralized) with the names readers see; each keeps one colour in every figure.
POLICIES = {
    "baseline": "appeal-weighted (reference)",
    "centralized": "centralized editor",
    "popularity": "cumulative popularity",
    "decentralized": "throttled decentralized",
    "inclusive": "inclusive (Gini cap)",
    "peer_only": "peers only",
    # D1's arms, variants of the decentralized feed (after the others, so colours stay put)
    "throttle_only": "decentralized, throttle only",
    "cold_start_only": "decentralized, cold-start pool only",
    "fresh_only": "decentralized, neither",
}
#: Creator strategies in display order (organic growth, the baseline, first), likewise.
STRATEGIES = {
    "organic": "organic growth",
    "big_brings_small": "big brings small",
    "gifting": "leaderboard gifting",
    "paid_traffic": "paid traffic",
    "mcn_matrix": "MCN account matrix",
    "rural_leader": "rural leader",
}
#: Table columns as legends and axes name them (never a raw config key).
COLUMNS = {
    "platform": "exposure policy",
    "strategy": "creator strategy",
    "weak_tie_share": "weak-tie share",
    "subsidy_share": "poor-region subsidy share",
    "cold_start_share": "cold-start share",
    "follower_tail_index": "follower tail index",
    "same_city_trust_bonus": "same-city trust bonus",
    "same_city_weight": "same-city feed weight",
    "removal_rule": "removal rule",
    "removal_fraction": "share of users removed",
    "kind": "network",
    "knockout": "knock-out",
}
#: Words in a measure's name that mark a quantity that may be negative (a difference, a slope).
SIGNED = ("excess", "slope", "diff", "lift", "change", "effect", "minus", "gain_vs")


#: The source's Chinese section numerals, written for fonts without CJK glyphs.
_NUMERALS = str.maketrans({c: str(i) for i, c in enumerate("一二三四五六七八九", start=1)})


def latin_numerals(text: str) -> str:
    """A source reference such as ``004 (二), (四)`` as ``004 (2), (4)``: the figures' fonts
    have no CJK glyphs (the reports keep the source's own numerals)."""
    return text.translate(_NUMERALS)


def display_name(value) -> str:
    """What a reader sees for a policy, a strategy or any other category value."""
    if isinstance(value, str):
        return POLICIES.get(value) or STRATEGIES.get(value) or value.replace("_", " ")
    return f"{value:g}" if isinstance(value, float) else str(value)


def column_name(column: str) -> str:
    """What a reader sees for a table column in a legend or on an axis."""
    return COLUMNS.get(column, column.replace("_", " "))


def display_order(values) -> list:
    """Category values in display order: policies and strategies as declared above (baseline
    first), anything else sorted (numbers ascending)."""
    values = list(dict.fromkeys(values))
    for known in (POLICIES, STRATEGIES):
        if values and all(v in known for v in values):
            return [v for v in known if v in values]
    return sorted(values, key=lambda v: (isinstance(v, str), v))


def _palette(values) -> dict:
    """One colour per value: fixed for policies and strategies across every figure."""
    values = display_order(values)
    for known in (POLICIES, STRATEGIES):
        if values and all(v in known for v in values):
            colours = sns.color_palette("colorblind", n_colors=len(known))
            return {v: colours[list(known).index(v)] for v in values}
    return dict(zip(values, sns.color_palette("colorblind", n_colors=max(len(values), 1))))


def _nonnegative(measure: str, means) -> bool:
    """A level that cannot be negative (a share, count, sum or duration): its interval is
    drawn truncated at zero and its axis starts at zero."""
    means = np.asarray(means, dtype=np.float64)
    means = means[np.isfinite(means)]
    return bool(means.size) and bool((means >= 0).all()) and not any(word in measure for word in SIGNED)


def line_with_ci(
    summary: pd.DataFrame,
    *,
    x: str,
    hue: str,
    measures: list[str],
    title: str,
    xlabel: str,
    ylabels: dict[str, str] | None = None,
    references: dict[str, tuple[float, str]] | None = None,
) -> Figure:
    """Mean lines with precomputed 95% CI bands (from :func:`diffusion.analysis.summarise`), one panel per measure.

    ``references`` maps a measure to ``(value, label)``: a dashed horizontal line, e.g. the
    source's figure for a target claim.
    """
    ylabels = ylabels or {}
    references = references or {}
    with sns.axes_style(STYLE):
        fig = Figure(figsize=(5.2 * len(measures), 4.0))
        axes = fig.subplots(1, len(measures), squeeze=False)
        palette = _palette(summary[hue])
        for ax, measure in zip(axes[0], measures):
            _lines(ax, summary[summary["measure"] == measure], x=x, hue=hue, palette=palette, measure=measure)
            if measure in references:
                value, label = references[measure]
                ax.axhline(value, color="black", linestyle="--", linewidth=1, label=label)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabels.get(measure, measure))
        axes[0][0].legend(title=column_name(hue), frameon=False)
        fig.suptitle(title)
        fig.tight_layout()
    return fig


def _lines(ax, part: pd.DataFrame, *, x: str, hue: str, palette: dict, measure: str = "") -> None:
    floor = 0.0 if _nonnegative(measure, part["mean"]) else -np.inf
    for name in display_order(part[hue]):
        group = part[part[hue] == name].sort_values(x)
        ax.plot(group[x], group["mean"], marker="o", markersize=3, color=palette[name], label=display_name(name))
        ax.fill_between(group[x], np.maximum(group["ci_low"], floor), group["ci_high"], color=palette[name], alpha=0.2)
    if np.isfinite(floor):
        ax.set_ylim(bottom=0.0)


def facet_lines(
    summary: pd.DataFrame,
    *,
    x: str,
    hue: str,
    facet: str,
    measure: str,
    title: str,
    xlabel: str,
    ylabel: str,
    ncols: int = 3,
) -> Figure:
    """Mean lines with 95% CI bands of one measure, one panel per ``facet`` level (shared y)."""
    part = summary[summary["measure"] == measure]
    levels = display_order(part[facet])
    ncols = min(ncols, max(len(levels), 1))
    nrows = -(-len(levels) // ncols) if levels else 1
    with sns.axes_style(STYLE):
        fig = Figure(figsize=(4.2 * ncols, 3.4 * nrows))
        axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
        palette = _palette(part[hue]) if len(part) else {}
        for ax, level in zip(axes.flat, levels):
            _lines(ax, part[part[facet] == level], x=x, hue=hue, palette=palette, measure=measure)
            ax.set_title(f"{column_name(facet)}: {display_name(level)}")
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
        for ax in list(axes.flat)[len(levels):]:
            ax.set_visible(False)
        if levels:
            axes.flat[0].legend(title=column_name(hue), frameon=False, fontsize="small")
        fig.suptitle(title)
        fig.tight_layout()
    return fig


def category_panels(
    summary: pd.DataFrame,
    *,
    x: str,
    measures: list[str],
    title: str,
    ylabels: dict[str, str] | None = None,
    order: list | None = None,
    ncols: int = 3,
) -> Figure:
    """One small panel per measure: the mean of each ``x`` category with its 95% CI."""
    ylabels = ylabels or {}
    order = order or display_order(summary[x])
    nrows = -(-len(measures) // ncols)
    with sns.axes_style(STYLE):
        fig = Figure(figsize=(4.0 * ncols, 3.2 * nrows))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        palette = _palette(order)
        colours = [palette[o] for o in order]
        for ax, measure in zip(axes.flat, measures):
            rows = summary[summary["measure"] == measure].set_index(x).reindex(order)
            positions = np.arange(len(order))
            low = np.maximum(rows["ci_low"], 0.0) if _nonnegative(measure, rows["mean"]) else rows["ci_low"]
            err = np.vstack([rows["mean"] - low, rows["ci_high"] - rows["mean"]])
            ax.bar(positions, rows["mean"], color=colours, alpha=0.85)
            ax.errorbar(positions, rows["mean"], yerr=np.nan_to_num(err), fmt="none", ecolor="black", capsize=3)
            ax.set_xticks(positions, [display_name(o) for o in order], rotation=30, ha="right", fontsize="small")
            ax.set_ylabel(ylabels.get(measure, measure), fontsize="small")
        for ax in list(axes.flat)[len(measures):]:
            ax.set_visible(False)
        fig.suptitle(title)
        fig.tight_layout()
    return fig


def bar_with_ci(summary: pd.DataFrame, *, x: str, hue: str, measure: str, title: str, xlabel: str, ylabel: str) -> Figure:
    """Grouped bars of precomputed means with 95% CI error bars."""
    part = summary[summary["measure"] == measure]
    with sns.axes_style(STYLE):
        fig = Figure(figsize=(6.5, 4.0))
        ax = fig.subplots()
        hues, xs = display_order(part[hue]), display_order(part[x])
        shown = part.assign(**{hue: part[hue].map(display_name), x: part[x].map(display_name)})
        palette = {display_name(h): colour for h, colour in _palette(hues).items()}
        sns.barplot(shown, x=x, y="mean", hue=hue, ax=ax, palette=palette, errorbar=None,
                    order=[display_name(v) for v in xs], hue_order=[display_name(h) for h in hues])
        width = 0.8 / max(len(hues), 1)
        floor = 0.0 if _nonnegative(measure, part["mean"]) else -np.inf
        for i, h in enumerate(hues):
            rows = part[part[hue] == h].set_index(x).reindex(xs)
            centres = np.arange(len(xs)) - 0.4 + width * (i + 0.5)
            err = np.vstack([rows["mean"] - np.maximum(rows["ci_low"], floor), rows["ci_high"] - rows["mean"]])
            ax.errorbar(centres, rows["mean"], yerr=np.nan_to_num(err), fmt="none", ecolor="black", capsize=3)
        legend = ax.get_legend()
        if legend is not None:
            legend.set_title(column_name(hue))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        fig.tight_layout()
    return fig


def ccdf_plot(df: pd.DataFrame, *, value: str, hue: str, title: str, xlabel: str) -> Figure:
    """Log-log complementary CDF of ``value``, one line per ``hue`` level."""
    rows = []
    order = display_order(df[hue])
    for name in order:
        xs, ps = ccdf(df.loc[df[hue] == name, value].to_numpy())
        rows.append(pd.DataFrame({value: xs, "P(X >= x)": ps, hue: display_name(name)}))
    data = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame({value: [], "P(X >= x)": [], hue: []})
    palette = {display_name(k): colour for k, colour in _palette(order).items()}
    with sns.axes_style(STYLE):
        fig = Figure(figsize=(5.5, 4.0))
        ax = fig.subplots()
        sns.lineplot(data, x=value, y="P(X >= x)", hue=hue, ax=ax, palette=palette or None, drawstyle="steps-post",
                     hue_order=[display_name(k) for k in order])
        legend = ax.get_legend()
        if legend is not None:
            legend.set_title(column_name(hue))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("P(size >= x)")
        ax.set_title(title)
        fig.tight_layout()
    return fig


def lorenz_plot(df: pd.DataFrame, *, value: str, hue: str, title: str) -> Figure:
    """Lorenz curves of ``value`` per ``hue`` level, with the line of equality."""
    with sns.axes_style(STYLE):
        fig = Figure(figsize=(4.8, 4.5))
        ax = fig.subplots()
        palette = _palette(df[hue])
        for name in display_order(df[hue]):
            population, share = lorenz_curve(df.loc[df[hue] == name, value].to_numpy())
            ax.plot(population, share, label=display_name(name), color=palette[name])
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
        ax.set_xlabel("share of creators (poorest first)")
        ax.set_ylabel(f"share of {column_name(value)}")
        ax.legend(title=column_name(hue), frameon=False)
        ax.set_title(title)
        fig.tight_layout()
    return fig


def scatter_by(df: pd.DataFrame, *, x: str, y: str, hue: str, title: str, xlabel: str, ylabel: str) -> Figure:
    """Scatter of ``y`` against ``x`` coloured by a continuous ``hue``, both axes symmetric-log
    (so zeros stay visible)."""
    with sns.axes_style(STYLE):
        fig = Figure(figsize=(6.0, 4.5))
        ax = fig.subplots()
        sns.scatterplot(df, x=x, y=y, hue=hue, palette="viridis", s=12, linewidth=0, alpha=0.7, ax=ax)
        legend = ax.get_legend()
        if legend is not None:
            legend.set_title(column_name(hue))
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_yscale("symlog", linthresh=10.0)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        fig.tight_layout()
    return fig


def save_figure(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as PNG (150 dpi), creating the folder (and hand it to any
    :func:`keep_figures` block around the call)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    for kept in _KEPT:
        kept[path.stem] = fig
    return path


#: The dictionaries of the :func:`keep_figures` blocks now open.
_KEPT: list[dict[str, Figure]] = []


@contextmanager
def keep_figures() -> Iterator[dict[str, Figure]]:
    """Collect every figure :func:`save_figure` writes inside the block, by file stem.

    The Python API (:mod:`diffusion.api`) hands a notebook the very figures the report drew,
    instead of drawing them a second way.
    """
    kept: dict[str, Figure] = {}
    _KEPT.append(kept)
    try:
        yield kept
    finally:
        _KEPT.remove(kept)


def effect_panels(
    rows: pd.DataFrame,
    *,
    title: str,
    xlabels: dict[str, str] | None = None,
    source: str | None = None,
) -> Figure:
    """A claim's paired effects against their smallest effect of interest, one panel per part.

    ``rows`` are one claim's rows of an effects table (:func:`diffusion.report.effects_table`):
    ``role`` ``part`` (the model as configured) and ``knockout`` (the claim's mechanism
    switched off), with ``part``, ``estimate``, ``ci_low``, ``ci_high``, ``direction``,
    ``sesoi`` and ``verdict``. Each panel shades ±SESOI around zero, marks the claimed direction
    and titles the part with its verdict; ``source`` (the source's figure and section) is added
    to the figure's title. Zero is "no effect", or the source's figure for an effect written as
    a difference from it.
    """
    xlabels = xlabels or {}
    parts = rows[rows["role"] == "part"]
    with sns.axes_style(STYLE):
        fig = Figure(figsize=(4.6 * max(len(parts), 1), 3.4))
        axes = fig.subplots(1, max(len(parts), 1), squeeze=False)[0]
        for ax, (_, part) in zip(axes, parts.iterrows()):
            knocked = rows[(rows["role"] == "knockout") & (rows["part"] == part["part"])]
            arms = [("as modelled", part, "C0", "o")] + [("mechanism off", r, "0.45", "s") for _, r in knocked.iterrows()]
            sesoi, direction = float(part["sesoi"]), int(part["direction"])
            ax.axvspan(-sesoi, sesoi, color="0.88", zorder=0, label="± smallest effect of interest")
            ax.axvline(0.0, color="black", linewidth=0.8)
            for y, (_, row, colour, marker) in enumerate(arms):
                estimate, low, high = (float(row[c]) for c in ("estimate", "ci_low", "ci_high"))
                if not np.isfinite(estimate):
                    continue
                err = np.nan_to_num([[estimate - low], [high - estimate]])
                ax.errorbar([estimate], [y], xerr=err, fmt=marker, color=colour, capsize=4)
            ax.set_yticks(range(len(arms)), [label for label, *_ in arms])
            ax.set_ylim(-0.7, len(arms) - 0.3)
            claimed = {1: "claimed: above +SESOI →", -1: "← claimed: below −SESOI", 0: "claimed: within ±SESOI"}[direction]
            ax.set_title(f"{part['part']}: {part['verdict']}\n{claimed}", fontsize=9)
            ax.set_xlabel(textwrap.fill(xlabels.get(part["part"], str(part["description"])), 48), fontsize=8)
        axes[0].legend(loc="lower left", fontsize=7, frameon=False)
        heading = title if source is None else f"{title} (source: {latin_numerals(source)})"
        fig.suptitle(textwrap.fill(heading, 60 * max(len(parts), 1)), fontsize=10)
        fig.tight_layout()
    return fig
