"""Per-experiment analyses: tables in, figures and a claims report out.

Each analysis is a function ``analyse(settings, tables, out_dir, *, header) -> Path`` that reads
only the saved tables (never simulates), writes ``figures/*.png`` and ``report.md`` into the run
folder and returns the report's path. Runs of knock-out arms (``experiment.knockouts``) are
split off first (:func:`common.split_knockouts`) and passed as ``knockouts``: claim ID -> the
tables with that claim's mechanism switched off. :data:`ANALYSES` maps experiment names to them; an
experiment without its own analysis gets :func:`generic.analyse` (summary table and report of
the measures, no claim verdicts).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from diffusion.analyses import (
    big_account,
    common,
    gatekeeping,
    generic,
    gmv_tiers,
    inclusive_traffic,
    price_tiers,
    private_traffic,
    robustness,
    rural_leaders,
    same_city,
    weak_ties,
)

ANALYSES = {
    "big_account": big_account.analyse,
    "gatekeeping": gatekeeping.analyse,
    "gmv_tiers": gmv_tiers.analyse,
    "inclusive_traffic": inclusive_traffic.analyse,
    "price_tiers": price_tiers.analyse,
    "private_traffic": private_traffic.analyse,
    "robustness": robustness.analyse,
    "rural_leaders": rural_leaders.analyse,
    "same_city": same_city.analyse,
    "weak_ties": weak_ties.analyse,
}


def analyse(settings: Any, tables: dict[str, pd.DataFrame], out_dir: Path, *, header: dict[str, Any]) -> Path:
    """Run the analysis registered for ``settings.experiment.name`` (or the generic one)."""
    function = ANALYSES.get(settings.experiment.name, generic.analyse)
    base, arms = common.split_knockouts(tables, settings)
    if function is generic.analyse:
        return function(settings, base, out_dir, header=header)
    return function(settings, base, out_dir, header=header, knockouts=arms)
