"""Figures of a sensitivity run, drawn from its saved tables only (never simulating).

* ``morris_plane.png``: mu* against sigma per claim part (Morris), the top factors labelled;
  ``morris_groups.png`` for a grouped screening (mu* per group with its 95% interval: sigma
  is undefined for a group);
* ``sobol_indices.png``: S1 and ST with 95% intervals per factor and claim part (Sobol);
* ``robustness.png``: where each claim's verdict flips: the sampled points' values of the
  factors that flip it most often, coloured by whether the verdict is the one at the defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from diffusion.config import plausible_space
from diffusion.plots import STYLE, save_figure
from diffusion.sensitivity.design import Design

#: Factors labelled in the mu*-sigma plane, and shown per claim in the robustness figure.
N_LABELLED, N_FLIPPERS = 4, 3


def draw(design: Design, indices: pd.DataFrame, answers: pd.DataFrame, flips: pd.DataFrame, folder: Path) -> list[Path]:
    """Every figure of the run; returns their paths."""
    with sns.axes_style(STYLE):
        paths = []
        if design.method == "morris" and design.groups:
            paths.append(save_figure(morris_groups(indices), folder / "morris_groups.png"))
        elif design.method == "morris":
            paths.append(save_figure(morris_plane(indices), folder / "morris_plane.png"))
        elif design.method == "sobol":
            paths.append(save_figure(sobol_bars(indices), folder / "sobol_indices.png"))
        paths.append(save_figure(robustness_figure(design, answers, flips), folder / "robustness.png"))
    return paths


def redraw(folder: Path) -> list[Path]:
    """Redraw the figures of a sensitivity folder (a run's ``sensitivity/`` or a committed
    reference) from its saved tables: ``design.json``, ``design.csv``, ``indices.csv``,
    ``responses.csv`` and ``flips.csv``."""
    import json

    record = json.loads((folder / "design.json").read_text())
    table = pd.read_csv(folder / "design.csv")
    factors = tuple(record["factors"])
    space = plausible_space()
    design = Design(record["method"], factors, tuple(space[f] for f in factors),
                    table[[f"unit:{f}" for f in factors]].to_numpy(dtype=float), record["levels"], record["seed"],
                    groups=tuple(record["groups"]) if record.get("groups") else None)
    read = {name: pd.read_csv(folder / f"{name}.csv") for name in ("indices", "responses", "flips")}
    return draw(design, read["indices"], read["responses"], read["flips"], folder / "figures")


def _grid(n: int, width: float = 4.0, height: float = 3.4) -> tuple[Figure, np.ndarray]:
    columns = min(3, max(1, n))
    rows = int(np.ceil(n / columns))
    fig = Figure(figsize=(width * columns, height * rows), layout="constrained")
    return fig, np.atleast_1d(fig.subplots(rows, columns, squeeze=False).ravel())


def _per_part(indices: pd.DataFrame, panel: Callable[[Axes, pd.DataFrame], None], title: str,
              width: float = 4.0) -> Figure:
    """One panel per claim part of an indices table, drawn by ``panel(ax, rows)``."""
    parts = list(indices.groupby(["claim", "part"], sort=False))
    fig, axes = _grid(len(parts), width=width)
    for ax, ((claim, part), rows) in zip(axes, parts):
        panel(ax, rows)
        ax.set_title(f"{claim} {part}", fontsize=9)
    for ax in axes[len(parts):]:
        ax.set_visible(False)
    fig.suptitle(title)
    return fig


def morris_plane(indices: pd.DataFrame) -> Figure:
    """mu* (x) against sigma (y), one panel per claim part, the top factors labelled."""
    def panel(ax: Axes, rows: pd.DataFrame) -> None:
        sns.scatterplot(data=rows, x="mu_star", y="sigma", ax=ax, s=25, color="C0")
        ax.errorbar(rows["mu_star"], rows["sigma"], xerr=rows["mu_star_ci"], fmt="none", ecolor="0.6", lw=0.8)
        for row in rows.nlargest(N_LABELLED, "mu_star").itertuples():
            ax.annotate(row.factor.rsplit(".", 1)[-1], (row.mu_star, row.sigma), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")
        ax.set_xlabel("mu* (effect units per full range)")
        ax.set_ylabel("sigma (effect units)")

    return _per_part(indices, panel, "Morris screening: mean absolute elementary effect vs its spread (95% CI on mu*)")


def morris_groups(indices: pd.DataFrame) -> Figure:
    """mu* per group with its 95% bootstrap interval, one panel per claim part (grouped Morris)."""
    def panel(ax: Axes, rows: pd.DataFrame) -> None:
        rows = rows.sort_values("mu_star", ascending=False)
        sns.barplot(data=rows, x="mu_star", y="factor", ax=ax, color="C0", errorbar=None)
        ax.errorbar(rows["mu_star"], np.arange(len(rows)), xerr=rows["mu_star_ci"], fmt="none", ecolor="0.3", lw=0.8)
        ax.set_xlabel("mu* (effect units per full range)")
        ax.set_ylabel("")

    return _per_part(indices, panel, "Morris screening by mechanism: mean absolute elementary effect (95% CI)", 4.5)


def sobol_bars(indices: pd.DataFrame) -> Figure:
    """S1 and ST per factor with 95% intervals, one panel per claim part."""
    def panel(ax: Axes, rows: pd.DataFrame) -> None:
        long = pd.concat([rows.assign(index="S1 (first order)", value=rows["S1"], ci=rows["S1_ci"]),
                          rows.assign(index="ST (total)", value=rows["ST"], ci=rows["ST_ci"])])
        long["name"] = long["factor"].str.rsplit(".", n=1).str[-1]
        sns.barplot(data=long, x="value", y="name", hue="index", ax=ax, errorbar=None)
        for patch_group, (_, sub) in zip(ax.containers, long.groupby("index", sort=False)):
            centres = [p.get_y() + p.get_height() / 2 for p in patch_group]
            ax.errorbar(sub["value"], centres, xerr=sub["ci"], fmt="none", ecolor="0.3", lw=0.8)
        ax.set_xlabel("share of the effect's variance")
        ax.set_ylabel("")

    return _per_part(indices, panel, "Sobol indices with 95% bootstrap intervals", 4.5)


def robustness_figure(design: Design, answers: pd.DataFrame, flips: pd.DataFrame) -> Figure:
    """Per claim, the sampled values (position in the plausible range) of the factors that flip
    its verdict most often, coloured by whether the verdict is the one at the defaults."""
    verdicts = answers.drop_duplicates(["sample", "claim"]).pivot(index="sample", columns="claim", values="claim_verdict")
    claims = list(verdicts.columns)
    fig, axes = _grid(len(claims), width=4.2)
    unit = design.positions()
    for ax, claim in zip(axes, claims):
        default = verdicts.loc[0, claim] if 0 in verdicts.index else None
        top = flips[(flips["claim"] == claim) & (flips["flips"] > 0)].head(N_FLIPPERS)["factor"].tolist()
        top = top or list(design.names[:N_FLIPPERS])
        same = (verdicts[claim].reindex(unit.index) == default).map({True: f"as at defaults ({default})", False: "other verdict"})
        long = unit[top].assign(verdict=same.to_numpy()).melt(id_vars="verdict", var_name="factor", value_name="position")
        long["factor"] = long["factor"].str.rsplit(".", n=1).str[-1]
        sns.stripplot(data=long, x="position", y="factor", hue="verdict", ax=ax, dodge=True, size=3, jitter=0.2,
                      palette={f"as at defaults ({default})": "C0", "other verdict": "C3"})
        ax.set_xlim(-0.05, 1.05)
        ax.set_title(claim, fontsize=9)
        ax.set_xlabel("position in range (0 = low, 1 = high)" if not design.groups
                      else "mean position of its factors (0 = low, 1 = high)")
        ax.set_ylabel("")
        ax.legend(fontsize=7, loc="best")
    for ax in axes[len(claims):]:
        ax.set_visible(False)
    fig.suptitle("Verdict robustness: where the verdict differs from the one at the defaults")
    return fig
