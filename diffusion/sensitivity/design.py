"""Designs and indices of a global sensitivity analysis, on any space of ranged factors.

Pure functions of arrays: nothing here knows the model. The model's space is
:func:`diffusion.config.plausible_space`; the tests run an analytic function (Ishigami) through
exactly these functions (``tests/test_sensitivity.py``).

A design is drawn in the unit cube by SALib and mapped to each factor's range by its
distribution (:meth:`diffusion.params.Range.value`), so every index is per unit of the factor's
plausible range: comparable across factors of different units.

References
----------
.. [1] Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
   Technometrics 33(2), 161-174. https://doi.org/10.1080/00401706.1991.10484804
.. [2] Campolongo, F., Cariboni, J., Saltelli, A. (2007). An effective screening design for
   sensitivity analysis of large models. Environmental Modelling & Software 22(10), 1509-1518.
   https://doi.org/10.1016/j.envsoft.2006.10.004
.. [3] Saltelli, A., Annoni, P., Azzini, I., et al. (2010). Variance based sensitivity analysis of
   model output. Computer Physics Communications 181(2), 259-270.
   https://doi.org/10.1016/j.cpc.2009.09.018
.. [4] Herman, J., Usher, W. (2017). SALib: an open-source Python library for sensitivity
   analysis. Journal of Open Source Software 2(9), 97. https://doi.org/10.21105/joss.00097
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from diffusion.errors import ConfigError
from diffusion.params import Range

#: Methods and what each needs of its sample size.
METHODS = {
    "morris": "n_samples = trajectories r, at least 2 (mu* needs two elementary effects per factor); levels even, at least 2",
    "sobol": "n_samples = base sample N, a power of 2 and at least 4 (Saltelli's design; N * (D + 2) points)",
    "posterior": "sensitivity.posterior = a CSV of at least 2 draws whose columns are ranged parameters "
                 "(python -m diffusion.calibration writes posterior_draws.csv)",
}
#: Confidence level of every index interval (bootstrap over trajectories or base samples).
CONF_LEVEL = 0.95


@dataclass(frozen=True)
class Design:
    """A sampled design: the factors, their ranges, the unit-cube matrix and its values."""

    method: str
    factors: tuple[str, ...]
    ranges: tuple[Range, ...]
    unit: np.ndarray  # (n_points, D) in [0, 1]
    levels: int
    seed: int
    #: Method ``posterior``: the draws themselves (the unit matrix is their place in each range).
    given: tuple[dict, ...] | None = None
    #: Grouped Morris: each factor's group; the factors of a group move together, and indices
    #: and flips are reported per group (Campolongo et al. 2007). None: every factor alone.
    groups: tuple[str, ...] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """What indices and flips are reported for: the groups (in order of first member), or
        the factors."""
        return tuple(dict.fromkeys(self.groups)) if self.groups else self.factors

    @property
    def problem(self) -> dict:
        """SALib's problem on the unit cube."""
        problem = {"num_vars": len(self.factors), "names": list(self.factors), "bounds": [[0.0, 1.0]] * len(self.factors)}
        if self.groups:
            problem["groups"] = list(self.groups)
        return problem

    def positions(self) -> pd.DataFrame:
        """Each point's place in the plausible range (0 = low, 1 = high) per name: a factor's
        unit value, or for a group the mean of its factors' (rows: samples from 1)."""
        frame = pd.DataFrame(self.unit, columns=list(self.factors), index=np.arange(1, len(self.unit) + 1))
        if not self.groups:
            return frame
        return frame.T.groupby(list(self.groups), sort=False).mean().T[list(self.names)]

    def values(self) -> list[dict[str, float | int]]:
        """Each point's factor values (``{factor: value}``), mapped from the unit cube."""
        if self.given is not None:
            return [dict(point) for point in self.given]
        return [{f: r.value(float(u)) for f, r, u in zip(self.factors, self.ranges, row)} for row in self.unit]

    def table(self) -> pd.DataFrame:
        """The design as a table: one row per point (``sample`` from 1), unit and actual values."""
        frame = pd.DataFrame(self.values())
        for i, factor in enumerate(self.factors):
            frame[f"unit:{factor}"] = self.unit[:, i]
        frame.insert(0, "sample", np.arange(1, len(frame) + 1))
        return frame

    def record(self) -> dict:
        """What identifies the design (compared when a run is resumed)."""
        return {"method": self.method, "factors": list(self.factors), "n_points": int(len(self.unit)),
                "levels": self.levels, "seed": self.seed, "groups": list(self.groups) if self.groups else None,
                "unit_sha": _digest(self.unit)}


def _digest(array: np.ndarray) -> str:
    import hashlib

    return hashlib.sha256(np.ascontiguousarray(np.round(array, 12)).tobytes()).hexdigest()[:16]


def check_sample_size(method: str, n_samples: int, levels: int, n_factors: int) -> None:
    """Raise :class:`ConfigError` for an unknown method or a sample too small for its indices."""
    if method not in METHODS:
        raise ConfigError(f"sensitivity.method={method!r} is not a sensitivity method; allowed: {', '.join(METHODS)}.")
    if n_factors < 1:
        raise ConfigError("the sensitivity analysis has no factor to vary: every listed or ranged parameter is swept by "
                          "the experiment. List factors with sensitivity.factors=[...].")
    if method == "morris" and (n_samples < 2 or levels < 2 or levels % 2):
        raise ConfigError(f"sensitivity.n_samples={n_samples}, sensitivity.levels={levels} is too small a Morris design: "
                          f"{METHODS['morris']}.")
    if method == "posterior" and n_samples < 2:
        raise ConfigError(f"the posterior sample holds {n_samples} draw(s): {METHODS['posterior']}.")
    if method == "sobol" and (n_samples < 4 or n_samples & (n_samples - 1)):
        raise ConfigError(f"sensitivity.n_samples={n_samples} does not suit a Sobol design: {METHODS['sobol']}.")


def sample(method: str, space: dict[str, Range], *, n_samples: int, levels: int = 4, seed: int = 0,
           groups: dict[str, str] | None = None) -> Design:
    """Draw a Morris (``r = n_samples`` trajectories on ``levels`` levels) or Saltelli/Sobol
    (``N = n_samples``, first and total order) design over ``space`` with SALib.

    ``groups`` (Morris only) maps every factor to a group: a trajectory then has one step per
    group, the group's factors moving together, so ``r (G + 1)`` points instead of
    ``r (D + 1)`` (Campolongo et al. 2007; for models too costly to screen factor by factor).
    """
    factors = tuple(space)
    check_sample_size(method, n_samples, levels, len(factors))
    grouping = None
    if groups is not None:
        missing = [f for f in factors if f not in groups]
        if method != "morris" or missing or len(set(groups[f] for f in factors)) < 2:
            raise ConfigError("a grouped design needs method morris, a group for every factor and at least two groups "
                              f"(method {method}, factors without a group: {', '.join(missing) or 'none'}).")
        grouping = tuple(groups[f] for f in factors)
    design = Design(method, factors, tuple(space.values()), np.zeros((0, len(factors))), levels, seed, groups=grouping)
    if method == "morris":
        from SALib.sample import morris

        unit = morris.sample(design.problem, N=n_samples, num_levels=levels, seed=seed)
    else:
        from SALib.sample import sobol

        unit = sobol.sample(design.problem, n_samples, calc_second_order=False, scramble=True, seed=seed)
    return Design(method, factors, design.ranges, np.asarray(unit, dtype=float), levels, seed, groups=grouping)


def from_draws(draws: pd.DataFrame, space: dict[str, Range]) -> Design:
    """A design whose points are given draws (e.g. of a calibration posterior)."""
    check_sample_size("posterior", len(draws), 2, draws.shape[1])
    factors = tuple(draws.columns)
    ranges = tuple(space[f] for f in factors)
    unit = np.column_stack([(draws[f].to_numpy(dtype=float) - r.low) / (r.high - r.low) for f, r in zip(factors, ranges)])
    given = tuple({f: (int(v) if r.distribution == "integer" else float(v)) for f, r, v in zip(factors, ranges, row)}
                  for row in draws.itertuples(index=False))
    return Design("posterior", factors, ranges, unit, 2, 0, given)


def indices(design: Design, response: np.ndarray, *, seed: int = 0) -> pd.DataFrame:
    """Sensitivity indices of one response (one value per design point, in design order).

    Returns one row per factor (per group in a grouped design): Morris ``mu_star`` (mean absolute elementary effect per unit of
    the range), ``mu_star_ci`` (half-width of its 95% bootstrap interval) and ``sigma``; Sobol
    ``S1``, ``S1_ci``, ``ST``, ``ST_ci``. A response with non-finite values (a point where the
    effect is undefined) gives NaN indices: no index is drawn from a partial design.
    """
    response = np.asarray(response, dtype=float)
    names = list(design.names)
    if design.method == "posterior":  # no decomposition: the effect's spread over the draws
        finite = response[np.isfinite(response)]
        low, high = np.quantile(finite, [0.025, 0.975]) if len(finite) else (np.nan, np.nan)
        return pd.DataFrame([{"factor": "(posterior draws)", "mean": finite.mean() if len(finite) else np.nan,
                              "q025": low, "q975": high, "n": len(finite)}])
    if not np.all(np.isfinite(response)):
        columns = ["mu_star", "mu_star_ci", "sigma"] if design.method == "morris" else ["S1", "S1_ci", "ST", "ST_ci"]
        return pd.DataFrame({"factor": names, **{c: np.nan for c in columns}})
    if design.method == "morris":
        from SALib.analyze import morris

        result = morris.analyze(design.problem, design.unit, response, num_levels=design.levels,
                                conf_level=CONF_LEVEL, seed=seed)
        return pd.DataFrame({"factor": list(result["names"]), "mu_star": result["mu_star"], "mu_star_ci": result["mu_star_conf"],
                             "sigma": result["sigma"]})
    from SALib.analyze import sobol

    result = sobol.analyze(design.problem, response, calc_second_order=False, conf_level=CONF_LEVEL, seed=seed)
    return pd.DataFrame({"factor": names, "S1": result["S1"], "S1_ci": result["S1_conf"],
                         "ST": result["ST"], "ST_ci": result["ST_conf"]})


def one_factor_moves(design: Design) -> np.ndarray:
    """Pairs of design points that differ in exactly one factor (one group in a grouped
    design), as rows ``(a, b, index into design.names)``.

    Both designs are built of such moves: consecutive points of a Morris trajectory, and in a
    Saltelli block ``A, AB_1 .. AB_D, B`` the step from ``A`` to ``AB_i``. A verdict that differs
    between the two points of a move was flipped by that factor alone.
    """
    d, unit, moves = len(design.names), design.unit, []
    if design.method == "posterior":
        return np.zeros((0, 3), dtype=int)  # independent draws: no one-factor moves
    if design.method == "morris":
        name_of = ([design.names.index(g) for g in design.groups] if design.groups
                   else list(range(len(design.factors))))
        for start in range(0, len(unit), d + 1):
            for a in range(start, start + d):
                changed = {name_of[i] for i in np.flatnonzero(~np.isclose(unit[a], unit[a + 1]))}
                if len(changed) == 1:
                    moves.append((a, a + 1, changed.pop()))
    else:
        for start in range(0, len(unit), d + 2):
            moves += [(start, start + 1 + i, i) for i in range(d)]
    return np.asarray(moves, dtype=int).reshape(-1, 3)


def wilson_interval(successes: int, n: int, level: float = CONF_LEVEL) -> tuple[float, float]:
    """Wilson score interval of a binomial share (Wilson 1927), defined also at 0 and n."""
    if n == 0:
        return math.nan, math.nan
    from scipy import stats

    z = stats.norm.ppf(0.5 + level / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # at 0 or n successes the bound is exactly 0 or 1 (rounding would leave it a hair inside)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def robustness(design: Design, verdicts: np.ndarray, default: str) -> tuple[dict, pd.DataFrame]:
    """Verdict robustness of one claim: the share of sampled points whose verdict equals the
    verdict at the defaults (95% Wilson interval), and per factor how often a move of that
    factor alone (:func:`one_factor_moves`) changed the verdict.

    The share is over the design's points, which cover the plausible space evenly for Sobol
    (quasi-random) and on Morris's grid levels for Morris: a share of the sampled space, as
    the design samples it.
    """
    verdicts = np.asarray(verdicts, dtype=object)
    same = int(np.sum(verdicts == default))
    low, high = wilson_interval(same, len(verdicts))
    moves = one_factor_moves(design)
    rows = []
    for i, factor in enumerate(design.names):
        mine = moves[moves[:, 2] == i]
        flips = int(np.sum(verdicts[mine[:, 0]] != verdicts[mine[:, 1]])) if len(mine) else 0
        rows.append({"factor": factor, "moves": len(mine), "flips": flips,
                     "flip_share": flips / len(mine) if len(mine) else math.nan})
    flips = pd.DataFrame(rows).sort_values(["flips", "factor"], ascending=[False, True], ignore_index=True)
    summary = {"default_verdict": default, "n_points": len(verdicts), "same": same,
               "robustness": same / len(verdicts) if len(verdicts) else math.nan, "ci_low": low, "ci_high": high,
               "flipped_by": ("n/a (independent draws: no one-factor moves)" if len(moves) == 0 else
                              "; ".join(f"{r.factor} ({r.flips}/{r.moves})" for r in flips.itertuples() if r.flips)[:400]
                              or "none")}
    return summary, flips
