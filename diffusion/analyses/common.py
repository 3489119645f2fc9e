"""Pieces every experiment analysis shares: the report header, the knock-out arms,
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


#: Key of a knock-out arm's tables holding the grid points where the arm ran.
ARM_POINTS = "arm_points"
#: Column that labels the knock-out arm of a run (``none`` for the experiment's own grid).
KNOCKOUT = "knockout"


def scenario_columns(settings: Any) -> list[str]:
    """Short names of the experiment's sweep keys (the columns that identify a grid point)."""
    return [key.rsplit(".", 1)[-1] for key in settings.experiment.sweep]


def split_knockouts(tables: dict[str, pd.DataFrame], settings: Any) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, pd.DataFrame]]]:
    """The experiment's own tables, and for each knock-out arm (a claim ID) the tables as they
    would be with that claim's mechanism off where the arm ran.

    An arm runs at some grid points on the same replicates (``experiment.knockouts``); its
    tables replace the base rows at those points, so any effect function of the experiment
    computes the knocked-out effect unchanged, paired with the base rows elsewhere (e.g. S1's
    strategy with its endorsement off, against the same replicates' organic growth). Each
    arm's dict also holds :data:`ARM_POINTS`, the grid points where it ran.
    """
    if not any(KNOCKOUT in t.columns for t in tables.values()):
        return tables, {}
    keys = scenario_columns(settings)
    base = {name: _drop(t[t[KNOCKOUT] == "none"]) if KNOCKOUT in t.columns else t for name, t in tables.items()}
    arms: dict[str, dict[str, pd.DataFrame]] = {}
    outcomes = tables["outcomes"]
    for arm in sorted(set(outcomes[KNOCKOUT]) - {"none"}):
        ran = outcomes.loc[outcomes[KNOCKOUT] == arm, keys].drop_duplicates()
        arms[arm] = {ARM_POINTS: ran.reset_index(drop=True)}
        for name, table in tables.items():
            if KNOCKOUT not in table.columns:
                arms[arm][name] = table
                continue
            own = [k for k in keys if k in table.columns]
            if not own:  # a table without grid columns: keep the base rows
                arms[arm][name] = base[name]
                continue
            at = table[own].merge(ran[own].drop_duplicates(), how="left", indicator=True)["_merge"].eq("both").to_numpy()
            keep = (table[KNOCKOUT].to_numpy() == "none") & ~at
            arms[arm][name] = _drop(pd.concat([table[keep], table[table[KNOCKOUT] == arm]], ignore_index=True))
    return base, arms


def _drop(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(columns=[KNOCKOUT]).reset_index(drop=True)


def knockout_effects(arms: dict[str, dict[str, pd.DataFrame]], claim_id: str, compute) -> dict[str, Effect] | None:
    """``compute(tables)`` (part name -> Effect) on the claim's knock-out tables, if that arm ran."""
    if claim_id not in arms:
        return None
    return compute(arms[claim_id])


#: The simulated survey (P1-P3, calibration inputs; source 000 §2.3): column and the source's figure.
SURVEY = (("P1", "survey_trust_share", 0.32), ("P2", "survey_recommend_share", 0.40), ("P3", "survey_accept_again_share", 0.84))


def survey_check(outcomes: pd.DataFrame, where: str = "over this experiment's runs") -> tuple[str, bool]:
    """The simulated survey P1-P3 over this experiment's runs, judged like the claims table does
    (the registry's parts: within ±0.03 of 0.32 and 0.84, above 0.40 by 0.03), and whether the
    experiment's settings move any answer clearly outside that tolerance (a *contradicted*
    reading): the behaviour defaults were calibrated without live streams or local merchants,
    so an experiment that turns them on can move the survey (issue 18)."""
    from diffusion.claims import get_claim

    parts, flagged = [], False
    for claim_id, column, target in SURVEY:
        if column not in outcomes.columns:
            continue
        part = get_claim(claim_id).parts[0]
        effect = analysis.mean_effect(cluster_means(outcomes, [], [column]) if "world_group" in outcomes else outcomes,
                                      measure=column, offset=target, description=column)
        verdict = analysis.judge(effect, direction=part.direction, sesoi=part.sesoi).verdict
        flagged |= verdict == analysis.CONTRADICTED
        parts.append(f"{claim_id} {column} {effect.estimate + target:.3f} (95% CI {effect.ci_low + target:.3f} to "
                     f"{effect.ci_high + target:.3f}; source {target:g}, tolerance ±{part.sesoi:g}: {verdict})")
    if not parts:
        return "", False
    text = f"Simulated survey {where} (calibration inputs, P1-P3): " + "; ".join(parts) + "."
    if flagged:
        text = ("**Calibration flag:** this experiment's settings move the simulated survey outside the calibrated "
                "tolerance, so its behaviour is not the calibrated one. " + text)
    return text, flagged


def default_point(outcomes: pd.DataFrame, settings: Any) -> tuple[pd.DataFrame, str]:
    """The runs at the experiment's own setting of each swept key (its config value), and words
    saying where that is. A key whose config value is not on the grid, cannot be read or is not
    a plain value (a swept config group such as ``strategy``) is left free, and the words say so."""
    rows, said = outcomes, []
    for key in settings.experiment.sweep:
        column = key.rsplit(".", 1)[-1]
        value: Any = settings
        try:
            for attribute in key.split("."):
                value = value[attribute] if isinstance(value, dict) else getattr(value, attribute)
        except (AttributeError, KeyError, TypeError):
            value = None
        if not isinstance(value, int | float | str):  # a swept group (a spec, not a value): leave it free
            value = None
        if column in rows.columns and value is not None and (rows[column] == value).any():
            rows = rows[rows[column] == value]
            said.append(f"{column} {value:g}" if isinstance(value, float) else f"{column} {value}")
        else:
            said.append(f"every {column}")
    where = f"at this experiment's setting ({', '.join(said)})" if said else "over this experiment's runs"
    return rows, where


def with_survey(notes: list[str], outcomes: pd.DataFrame, settings: Any = None) -> list[str]:
    """A report's notes with the simulated-survey check (:func:`survey_check`) first.

    With ``settings``, the survey is read at the experiment's own setting of every swept key
    (:func:`default_point`): the calibration holds at a point, and pooling a sweep over, say,
    weak-tie shares would flag a spread the calibration never claimed."""
    where = "over this experiment's runs"
    if settings is not None:
        outcomes, where = default_point(outcomes, settings)
    text, _ = survey_check(outcomes, where)
    return [text, *notes] if text else list(notes)


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
