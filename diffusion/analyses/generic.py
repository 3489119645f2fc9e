"""Fallback analysis for experiments without their own: a summary table and a plain report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from diffusion import analysis, report


def analyse(settings: Any, tables: dict[str, pd.DataFrame], out_dir: Path, *, header: dict[str, Any]) -> Path:
    """Summarise every numeric outcome by scenario (mean and 95% CI) into ``summary.csv``."""
    outcomes = tables["outcomes"]
    scenario = [key.rsplit(".", 1)[-1] for key in settings.experiment.sweep]
    measures = [
        c for c in outcomes.columns
        if c not in (*scenario, "replicate") and pd.api.types.is_numeric_dtype(outcomes[c])
    ]
    grouped = outcomes.assign(_all="all") if not scenario else outcomes
    summary = analysis.summarise(grouped, by=scenario or ["_all"], measures=measures)
    summary.to_csv(out_dir / "summary.csv", index=False)
    return report.write_report(
        out_dir / "report.md",
        title=f"Experiment {settings.experiment.name}",
        claim_results=[],
        header={"config hash": header.get("config_hash"), "root seed": header.get("root_seed"),
                "command": header.get("command")},
        figures=[],
        notes=["No claim analysis is registered for this experiment; see summary.csv for every "
               "measure's mean and 95% confidence interval by scenario."],
    )
