"""Pieces every experiment analysis shares: the report header, verdicts of several parts,
per-cluster averaging and the sentence that states an effect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from diffusion import analysis, plots
from diffusion.analysis import Effect


def header(record: dict[str, Any], settings: Any) -> dict[str, Any]:
    """The provenance lines at the top of a report."""
    return {
        "package version": record.get("package_version"),
        "config hash": record.get("config_hash"),
        "root seed": record.get("root_seed"),
        "replicates per point": settings.run.n_replicates,
        "independent worlds per society": settings.run.worlds if settings.run.worlds > 1 else None,
        "scale": settings.config.scale,
        "command": record.get("command"),
        "git revision": record.get("git_revision"),
    }


def combined_verdict(verdicts: list[str]) -> str:
    """A claim with several parts is supported (or not) only when every part agrees."""
    return verdicts[0] if len(set(verdicts)) == 1 and verdicts[0] != "mixed" else "mixed"


def cluster_means(frame: pd.DataFrame, by: list[str], measures: list[str]) -> pd.DataFrame:
    """Average replicates within each ``world_group`` (they share a network), so intervals are
    taken over independent units. Frames without world groups are returned unchanged."""
    if "world_group" not in frame.columns:
        return frame
    return frame.groupby([*by, "world_group"], as_index=False)[measures].mean()


def cluster_of(frame: pd.DataFrame) -> str | None:
    """The clustering column of a table, if replicates come in groups of worlds."""
    return "world_group" if "world_group" in frame.columns else None


def describe(effect: Effect, digits: int = 3) -> str:
    """``+0.123 (95% CI +0.100 to +0.150)``."""
    f = f"{{:+.{digits}f}}"
    return f"{f.format(effect.estimate)} (95% CI {f.format(effect.ci_low)} to {f.format(effect.ci_high)})"


def save(fig, fig_dir: Path, name: str, paths: dict[str, str], out_dir: Path) -> None:
    """Save a figure and remember its path relative to the run folder."""
    path = plots.save_figure(fig, fig_dir / name)
    paths[name] = str(path.relative_to(out_dir))


def summary_table(frame: pd.DataFrame, by: list[str], measures: list[str]) -> pd.DataFrame:
    """Means and 95% CIs by scenario, over independent units (see :func:`cluster_means`)."""
    return analysis.summarise(cluster_means(frame, by, measures), by=by, measures=measures)
