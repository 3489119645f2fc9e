"""A sensitivity analysis of one experiment: its design, per-point verdicts, indices, robustness.

:func:`prepare` turns a config with a ``sensitivity`` section into a design over the plausible
space and writes the design's points into ``config.sensitivity.points``: the runner crosses them
with the experiment's sweep (:func:`diffusion.config.points`) and runs them like any grid.
:func:`analyse_run` reads the gathered tables, computes every claim part's paired effect and
verdict per sampled point with the experiment's own effect functions, and writes
``sensitivity/`` in the run folder: ``design.csv``, ``responses.csv``, ``indices.csv``,
``robustness.csv``, ``flips.csv``, ``figures/`` and ``report.md``.

Point ``sample = 0`` is the experiment at its configured values (the defaults); points 1..n are
the design's. Knock-out arms are not run (they decide a verdict's origin, not the verdict).
"""

from __future__ import annotations

import contextlib
import difflib
import json
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from diffusion import config as config_module
from diffusion.config import SAMPLE, SWEEPABLE_GROUPS, Config, plausible_space
from diffusion.errors import ConfigError
from diffusion.sensitivity import design as design_module
from diffusion.sensitivity.design import Design

#: Sub-folder of the run folder (and of ``experiments/NAME/``) holding the analysis.
FOLDER = "sensitivity"

#: ``sensitivity.groups=mechanism``: every ranged parameter in the mechanism it belongs to (as
#: the ODD describes them). A grouped screening says which mechanisms matter and which flip a
#: verdict, not which parameter within them.
MECHANISMS: dict[str, tuple[str, ...]] = {
    "social ties": ("network.mean_degree", "network.circle_size_mean", "network.strong_tie_strength",
                    "network.weak_tie_strength", "network.weak_same_city_share", "network.trait_noise"),
    "following": ("network.follower_tail_index", "network.follow_same_city_share", "behaviour.p_follow",
                  "behaviour.same_city_follow_boost"),
    "feeds": ("platform.feed_size", "platform.follow_weight", "platform.same_city_weight", "platform.discovery_weight",
              "platform.item_lifetime_steps"),
    "content and goods": ("platform.p_post", "platform.product_share", "platform.appeal_alpha", "platform.appeal_beta",
                          "platform.price_median", "platform.price_log_sd", "campaign.appeal"),
    "attention and sharing": ("behaviour.p_active", "behaviour.p_like", "behaviour.p_share", "behaviour.share_homophily",
                              "behaviour.reinforcement"),
    "trust": ("behaviour.trust_follow", "behaviour.trust_stranger", "behaviour.same_city_trust_bonus",
              "behaviour.trust_gain", "behaviour.trust_gain_purchase", "behaviour.trust_loss", "behaviour.trust_accept"),
    "purchase and word of mouth": ("behaviour.trust_threshold", "behaviour.p_buy", "behaviour.p_bad_purchase",
                                   "behaviour.p_recommend", "behaviour.strong_tie_min_weight"),
    "live streams": ("behaviour.p_attend", "behaviour.announce_boost", "behaviour.live_purchase_boost",
                     "behaviour.p_interact", "behaviour.trust_gain_interaction", "behaviour.p_gift", "behaviour.gift_mean"),
}
#: Allowed values of ``sensitivity.groups``.
GROUPINGS = ("none", "mechanism")


def grouping(config: Config, factors: list[str]) -> dict[str, str] | None:
    """Each factor's group under ``sensitivity.groups`` (None: ungrouped).

    Raises
    ------
    ConfigError
        For an unknown grouping, or grouping with a method other than Morris.
    """
    chosen = config.sensitivity.groups
    if chosen not in GROUPINGS:
        raise ConfigError(f"sensitivity.groups={chosen!r} is not a grouping; allowed: {', '.join(GROUPINGS)}.")
    if chosen == "none":
        return None
    if config.sensitivity.method != "morris":
        raise ConfigError(f"sensitivity.groups={chosen} works with method morris only (the method is "
                          f"{config.sensitivity.method}); leave sensitivity.groups=none.")
    group_of = {key: name for name, keys in MECHANISMS.items() for key in keys}
    return {factor: group_of[factor] for factor in factors}


# ---------------------------------------------------------------------- the design
def swept_keys(config: Config) -> set[str]:
    """Dotted keys the experiment's sweep sets at every grid point, including the keys each
    option of a swept group sets (a sampled value would override the option's own)."""
    keys = set()
    for key, values in config.experiment.sweep.items():
        keys.add(key)
        if key in SWEEPABLE_GROUPS:
            for option in values:
                option_values = config_module._group_option(key, option)
                keys |= {f"{key}.{name}" for name in option_values}
    return keys


def choose_factors(config: Config) -> list[str]:
    """The design's factors: those listed, else (Sobol) the top of a screening, else every
    ranged parameter the experiment does not sweep.

    Raises
    ------
    ConfigError
        For a listed factor that is not a ranged parameter, or that the experiment sweeps.
    """
    sensitivity, space = config.sensitivity, plausible_space()
    swept = swept_keys(config)
    if sensitivity.factors:
        for factor in sensitivity.factors:
            if factor in swept:
                raise ConfigError(f"sensitivity.factors names {factor}, which experiment {config.experiment.name} sweeps "
                                  "(or a swept option sets): it cannot also be sampled. Remove it from the factors.")
            if factor not in space:
                close = difflib.get_close_matches(factor, list(space), n=1)
                hint = f" Did you mean {close[0]}?" if close else ""
                raise ConfigError(f"sensitivity.factors names {factor!r}, which is not a ranged parameter; allowed: "
                                  f"{', '.join(space)}.{hint}")
        return list(dict.fromkeys(sensitivity.factors))
    if sensitivity.method == "sobol" and sensitivity.screening:
        return [f for f in top_factors(Path(sensitivity.screening), sensitivity.top) if f not in swept]
    return [key for key in space if key not in swept]


def top_factors(path: Path, top: int) -> list[str]:
    """The ``top`` factors of a Morris ``indices.csv``, ranked by their largest mu* relative to
    the largest mu* of the same claim part (so parts in different units weigh alike)."""
    try:
        table = pd.read_csv(path)
    except (OSError, pd.errors.ParserError) as error:
        raise ConfigError(f"sensitivity.screening={str(path)!r} cannot be read ({error}); give the indices.csv of a "
                          "Morris run (RUN_FOLDER/sensitivity/indices.csv).") from None
    if "mu_star" not in table.columns:
        raise ConfigError(f"sensitivity.screening={str(path)!r} holds no mu_star column: it is not a Morris indices.csv.")
    scale = table.groupby(["claim", "part"])["mu_star"].transform("max").replace(0, np.nan)
    ranked = table.assign(relative=table["mu_star"] / scale).groupby("factor")["relative"].max()
    return list(ranked.sort_values(ascending=False, kind="stable").index[:top])


def prepare(config: Config, out_dir: Path | None = None) -> Design:
    """Draw the design of ``config.sensitivity`` and set it on ``config`` (in place): its
    points, the sensitivity sweep if one is given, no knock-out arms, no Mesa agents (the
    tables are identical without them). Writes nothing.

    Raises
    ------
    ConfigError
        For an unknown method, a bad factor, a sample too small for the method, or a run
        folder (``out_dir``) being resumed that was started with another design.
    """
    sensitivity = config.sensitivity
    if sensitivity.method not in design_module.METHODS:
        raise ConfigError(f"sensitivity.method={sensitivity.method!r} is not a sensitivity method; allowed: "
                          f"{', '.join(design_module.METHODS)}.")
    if sensitivity.sweep:
        config.experiment.sweep = {key: list(values) for key, values in sensitivity.sweep.items()}
        config_module._check_sweep(config)
    config.experiment.knockouts = {}
    # The Mesa agents are views on the model's arrays: every table is the same without them
    # (tests/test_sensitivity.py), and creating them was a tenth of a 5,000-user run.
    config.run.create_agents = False
    space = plausible_space()
    groups = grouping(config, list(space))
    if sensitivity.method == "posterior":
        design = design_module.from_draws(read_draws(sensitivity.posterior, space, swept_keys(config)), space)
        sensitivity.points = [{SAMPLE: 0}, *({SAMPLE: i + 1, **values} for i, values in enumerate(design.values()))]
        if out_dir is not None:
            _check_resumed_design(config, out_dir)
        return design
    factors = choose_factors(config)
    design = design_module.sample(sensitivity.method, {f: space[f] for f in factors}, n_samples=sensitivity.n_samples,
                                  levels=sensitivity.levels, seed=sensitivity.design_seed,
                                  groups=groups and {f: groups[f] for f in factors})
    sensitivity.points = [{SAMPLE: 0}, *({SAMPLE: i + 1, **values} for i, values in enumerate(design.values()))]
    if out_dir is not None:
        _check_resumed_design(config, out_dir)
    return design


def read_draws(path: str | None, space: dict, swept: set[str]) -> pd.DataFrame:
    """The posterior draws of ``sensitivity.posterior``, checked: readable, every column a
    ranged parameter the experiment does not sweep, every value inside the parameter's range."""
    if not path:
        raise ConfigError("sensitivity.method=posterior needs sensitivity.posterior=PATH: a CSV of draws, e.g. the "
                          "posterior_draws.csv written by python -m diffusion.calibration.")
    try:
        draws = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise ConfigError(f"sensitivity.posterior={path!r} cannot be read ({error}).") from None
    for column in draws.columns:
        if column not in space or column in swept:
            raise ConfigError(f"sensitivity.posterior={path!r} has column {column!r}, which is not a ranged parameter "
                              "this experiment can vary; columns must be dotted keys such as behaviour.trust_threshold.")
        declared = space[column]
        if not draws[column].between(declared.low, declared.high).all():
            raise ConfigError(f"sensitivity.posterior={path!r}: {column} has draws outside its plausible range "
                              f"[{declared.low:g}, {declared.high:g}].")
    return draws


def _check_resumed_design(config: Config, out_dir: Path) -> None:
    """Refuse to resume a sensitivity run whose runs folder was started with another design."""
    from diffusion.runner import MANIFEST, design_hash

    manifest = out_dir / "runs" / MANIFEST
    if not (config.run.resume and manifest.is_file()):
        return
    try:
        held = json.loads(manifest.read_text()).get("design_hash")
    except (OSError, ValueError, AttributeError):
        return  # a damaged manifest: the runner's own checks decide
    if held is not None and held != design_hash(config):
        raise ConfigError(
            f"run.resume=true, but {out_dir} holds a sensitivity run of another design (design hash {held}, now "
            f"{design_hash(config)}): the method, factors, sample size, levels, design seed or sweep differ. Resume "
            "with exactly the same command, or start a new folder (hydra.run.dir=...); nothing was run."
        )


# ---------------------------------------------------------------------- responses
def _fast_results(name: str):
    """The experiment's claim-results function that needs no figures, where it has one: per
    point it is called hundreds of times, and drawing each point's figures would dominate."""
    from diffusion.analyses import gatekeeping, weak_ties

    fast = {
        "weak_ties": lambda tables: weak_ties.claim_results(tables, defaultdict(str), {}),
        "gatekeeping": lambda tables: gatekeeping.claim_results(tables["outcomes"], {}, {}),
    }
    return fast.get(name)


@contextlib.contextmanager
def _figures_not_written():
    """While a point's full analysis runs, its figures are drawn but not written: an analysis
    has no switch to skip them, nobody reads a scratch folder's PNGs, and writing them was
    about half of a point's analysis time (big_account at ci size: 10 s -> 5.5 s per point on a
    loaded machine). Verdicts do not depend on it (they come from the tables)."""
    from diffusion import plots

    written = plots.save_figure
    plots.save_figure = lambda fig, path: Path(path)
    try:
        yield
    finally:
        plots.save_figure = written


def point_effects(settings: Any, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each claim part's effect and verdict in one point's tables (rows of ``effects.csv`` with
    role ``part``), computed by the experiment's own analysis and the one verdict rule."""
    from diffusion.report import effects_table, read_effects

    fast = _fast_results(settings.experiment.name)
    if fast is not None:
        table = effects_table(fast(tables))
    else:  # the full analysis into a scratch folder, then its effects.csv
        from diffusion.analyses import analyse

        with tempfile.TemporaryDirectory(prefix="diffusion-sensitivity-") as scratch, _figures_not_written():
            analyse(settings, tables, Path(scratch), header={})
            path = Path(scratch) / "effects.csv"
            table = read_effects(path) if path.is_file() else pd.DataFrame(columns=["role"])
    return table[table["role"] == "part"].reset_index(drop=True)


def responses(settings: Any, tables: dict[str, pd.DataFrame], factors: list[str]) -> pd.DataFrame:
    """Per sampled point (``sample``) and claim part: estimate, interval, verdict and the
    claim's verdict. The tables are split by ``sample`` and the factor columns dropped, so the
    experiment's analysis sees the tables of an ordinary run."""
    drop = [SAMPLE, *(f.rsplit(".", 1)[-1] for f in factors)]
    frames = []
    groups = {name: dict(tuple(t.groupby(SAMPLE, sort=True))) if SAMPLE in t.columns else {}
              for name, t in tables.items()}
    samples = sorted(groups["outcomes"])

    def own(sample: int) -> dict[str, pd.DataFrame]:
        return {name: groups[name].get(sample, tables[name].iloc[0:0]).drop(columns=drop, errors="ignore")
                .reset_index(drop=True) for name in tables}

    if _fast_results(settings.experiment.name) is not None or settings.run.n_jobs == 1:
        results = [point_effects(settings, own(sample)) for sample in samples]
    else:  # a full analysis per point takes seconds: spread the points over the run's workers
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=settings.run.n_jobs)(delayed(point_effects)(settings, own(sample)) for sample in samples)
    for sample, effects in zip(samples, results):
        effects.insert(0, SAMPLE, sample)
        frames.append(effects)
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------- the analysis
def analyse_run(settings: Any, design: Design, tables: dict[str, pd.DataFrame], out_dir: Path) -> Path:
    """Indices, robustness, figures and report of a finished sensitivity run; returns the
    report's path (``out_dir/sensitivity/report.md``)."""
    folder = out_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    factors = list(design.factors)
    design.table().to_csv(folder / "design.csv", index=False)
    (folder / "design.json").write_text(json.dumps({**design.record(), "n_replicates": settings.run.n_replicates}, indent=1))
    answers = responses(settings, tables, factors)
    answers.to_csv(folder / "responses.csv", index=False)
    index_rows, robust_rows, flip_rows = [], [], []
    n_points = len(design.unit)
    for (claim, part), rows in answers.groupby(["claim", "part"], sort=False):
        by_sample = rows.set_index(SAMPLE)
        response = by_sample["estimate"].reindex(range(1, n_points + 1)).to_numpy(dtype=float)
        table = design_module.indices(design, response, seed=design.seed)
        table.insert(0, "part", part)
        table.insert(0, "claim", claim)
        index_rows.append(table)
    for claim, rows in answers.drop_duplicates([SAMPLE, "claim"]).groupby("claim", sort=False):
        by_sample = rows.set_index(SAMPLE)["claim_verdict"]
        default = str(by_sample.get(0, "not run"))
        verdicts = by_sample.reindex(range(1, n_points + 1)).fillna("not measurable").to_numpy(dtype=object)
        summary, flips = design_module.robustness(design, verdicts, default)
        method = f"{design.method} by mechanism" if design.groups else design.method
        robust_rows.append({"claim": claim, "method": method, **summary})
        flip_rows.append(flips.assign(claim=claim))
    indices_table = pd.concat(index_rows, ignore_index=True)
    robust = pd.DataFrame(robust_rows)
    flips = pd.concat(flip_rows, ignore_index=True)[["claim", "factor", "moves", "flips", "flip_share"]]
    indices_table.to_csv(folder / "indices.csv", index=False)
    robust.to_csv(folder / "robustness.csv", index=False)
    flips.to_csv(folder / "flips.csv", index=False)
    from diffusion.sensitivity import figures

    paths = figures.draw(design, indices_table, answers, flips, folder / "figures")
    return write_report(settings, design, indices_table, robust, paths, folder)


def robustness_section(folder: Path, link: str) -> str:
    """The robustness table of a committed sensitivity reference (``folder`` =
    ``experiments/NAME/sensitivity``) as Markdown for the experiment's README, figures linked
    relative to ``link``. ``tests/test_sensitivity.py`` checks each README holds it verbatim,
    so the numbers there cannot drift from the reference."""
    robust = pd.read_csv(folder / "robustness.csv", keep_default_na=False, na_values=["", "nan"])
    design = json.loads((folder / "design.json").read_text())
    grouped = bool(design.get("groups"))
    replicates = design.get("n_replicates")
    if replicates is None:  # written before design.json recorded it: the fewest pairs behind an effect
        answers = pd.read_csv(folder / "responses.csv")
        replicates = int(answers.loc[answers[SAMPLE] == 0, "n"].min())
    lines = [
        f"Morris screening{' by mechanism' if grouped else ''}: {len(design['factors'])} ranged parameters"
        + (f" moved in {len(dict.fromkeys(design['groups']))} mechanisms" if grouped else "")
        + f", {design['n_points']} sampled points plus the defaults (design seed {design['seed']}), "
        f"{replicates} paired replicates per point (`python experiments/make_sensitivity_references.py`).",
        "",
        "| claim | verdict at the defaults | points keeping it (95% CI) | flipped most often by (flips / moves) |",
        "|---|---|---|---|",
    ]
    for row in robust.itertuples():
        lines.append(f"| {row.claim} | {row.default_verdict} | {row.robustness:.2f} ({row.ci_low:.2f}-{row.ci_high:.2f}) "
                     f"of {row.n_points} | {'; '.join(str(row.flipped_by).split('; ')[:3])} |")
    figures = sorted((folder / "figures").glob("*.png"))
    lines += ["", *(f"![{f.stem}]({link}/figures/{f.name})" for f in figures)]
    return "\n".join(lines) + "\n"


def write_report(settings: Any, design: Design, indices_table: pd.DataFrame, robust: pd.DataFrame,
                 paths: list[Path], folder: Path) -> Path:
    """``report.md`` of a sensitivity run: robustness per claim, then the indices."""
    sens = settings.config.sensitivity
    sweep = ", ".join(f"{k} {v}" for k, v in settings.experiment.sweep.items()) or "none"
    lines = [
        f"# Sensitivity of {settings.experiment.name}: {design.method}",
        "",
        f"{len(design.factors)} factors over their plausible ranges (`diffusion.config.plausible_space`)"
        + (f", moved in {len(design.names)} groups by mechanism (`sensitivity.groups=mechanism`: indices and flips "
           "are per group, sigma undefined)" if design.groups else "") + ", "
        f"{len(design.unit)} sampled points plus the defaults, each crossed with the sweep ({sweep}) and run on "
        f"{settings.run.n_replicates} paired replicates of {settings.network.n_users:,} users x "
        f"{settings.run.n_steps} days (root seed {settings.config.seed}, design seed {sens.design_seed}). "
        "Knock-out arms are not run. Verdicts by the one rule (`diffusion.analysis.judge`).",
        "",
        "## Verdict robustness",
        "",
        "Share of sampled points whose claim verdict equals the verdict at the defaults (95% Wilson interval), "
        "and the factors whose move alone changed the verdict (changes / one-factor moves). Every point, the "
        "defaults included, is judged on the same number of replicates: with few, intervals are wide and verdicts "
        "drift to inconclusive, so a low robustness mixes the verdict's power with its sensitivity.",
        "",
        "| claim | verdict at defaults | robustness (95% CI) | flipped by |",
        "|---|---|---|---|",
    ]
    for row in robust.itertuples():
        lines.append(f"| {row.claim} | {row.default_verdict} | {row.robustness:.2f} ({row.ci_low:.2f}-{row.ci_high:.2f}) "
                     f"| {row.flipped_by} |")
    lines += ["", "## Indices" if design.method != "posterior" else "## Effects over the posterior draws", ""]
    for (claim, part), rows in indices_table.groupby(["claim", "part"], sort=False):
        if design.method == "posterior":
            row = rows.iloc[0]
            lines.append(f"- {claim} {part}: mean {row['mean']:.3g}, 95% of draws {row['q025']:.3g} to {row['q975']:.3g}")
            continue
        rank = "mu_star" if design.method == "morris" else "ST"
        best = rows.sort_values(rank, ascending=False).head(5)
        text = ", ".join(f"{r.factor} {getattr(r, rank):.3g} (±{getattr(r, rank + '_ci'):.2g})" for r in best.itertuples())
        lines.append(f"- {claim} {part}: {text}")
    lines += ["", "Full tables: indices.csv, robustness.csv, flips.csv, responses.csv, design.csv.", ""]
    lines += [f"![{p.stem}](figures/{p.name})" for p in paths]
    path = folder / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path

