"""Figures from saved tables (never from a simulation): seaborn, English labels.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot, so no GUI
backend is needed or touched (a notebook's backend stays as it is), and
:func:`save_figure` writes it. The theme is applied inside each function
(``seaborn.axes_style``): importing this module changes no global state.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from diffusion.metrics.inequality import ccdf, lorenz_curve

STYLE = "whitegrid"


def line_with_ci(
    summary: pd.DataFrame,
    *,
    x: str,
    hue: str,
    measures: list[str],
    title: str,
    xlabel: str,
    ylabels: dict[str, str] | None = None,
) -> Figure:
    """Mean lines with precomputed 95% CI bands (from :func:`diffusion.analysis.summarise`), one panel per measure."""
    ylabels = ylabels or {}
    with sns.axes_style(STYLE):
        fig = Figure(figsize=(5.2 * len(measures), 4.0))
        axes = fig.subplots(1, len(measures), squeeze=False)
        palette = dict(zip(sorted(summary[hue].unique()), sns.color_palette("colorblind")))
        for ax, measure in zip(axes[0], measures):
            part = summary[summary["measure"] == measure]
            for name, group in part.groupby(hue, sort=True):
                group = group.sort_values(x)
                ax.plot(group[x], group["mean"], marker="o", color=palette[name], label=str(name))
                ax.fill_between(group[x], group["ci_low"], group["ci_high"], color=palette[name], alpha=0.2)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabels.get(measure, measure))
        axes[0][0].legend(title=hue, frameon=False)
        fig.suptitle(title)
        fig.tight_layout()
    return fig


def bar_with_ci(summary: pd.DataFrame, *, x: str, hue: str, measure: str, title: str, xlabel: str, ylabel: str) -> Figure:
    """Grouped bars of precomputed means with 95% CI error bars."""
    part = summary[summary["measure"] == measure]
    with sns.axes_style(STYLE):
        fig = Figure(figsize=(6.5, 4.0))
        ax = fig.subplots()
        sns.barplot(part, x=x, y="mean", hue=hue, ax=ax, palette="colorblind", errorbar=None)
        hues = list(dict.fromkeys(part[hue]))
        xs = list(dict.fromkeys(part[x]))
        width = 0.8 / max(len(hues), 1)
        for i, h in enumerate(hues):
            rows = part[part[hue] == h].set_index(x).reindex(xs)
            centres = np.arange(len(xs)) - 0.4 + width * (i + 0.5)
            err = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
            ax.errorbar(centres, rows["mean"], yerr=np.nan_to_num(err), fmt="none", ecolor="black", capsize=3)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        fig.tight_layout()
    return fig


def ccdf_plot(df: pd.DataFrame, *, value: str, hue: str, title: str, xlabel: str) -> Figure:
    """Log-log complementary CDF of ``value``, one line per ``hue`` level."""
    rows = []
    for name, group in df.groupby(hue, sort=True):
        xs, ps = ccdf(group[value].to_numpy())
        rows.append(pd.DataFrame({value: xs, "P(X >= x)": ps, hue: name}))
    data = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame({value: [], "P(X >= x)": [], hue: []})
    with sns.axes_style(STYLE):
        fig = Figure(figsize=(5.5, 4.0))
        ax = fig.subplots()
        sns.lineplot(data, x=value, y="P(X >= x)", hue=hue, ax=ax, palette="colorblind", drawstyle="steps-post")
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
        for name, group in df.groupby(hue, sort=True):
            population, share = lorenz_curve(group[value].to_numpy())
            ax.plot(population, share, label=str(name))
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
        ax.set_xlabel("share of creators (poorest first)")
        ax.set_ylabel(f"share of {value}")
        ax.legend(title=hue, frameon=False)
        ax.set_title(title)
        fig.tight_layout()
    return fig


def save_figure(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as PNG (150 dpi), creating the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    return path
