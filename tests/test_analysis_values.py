"""Known values of :mod:`diffusion.analysis`, worked by hand (issue 24, mutation survivors).

Each test builds a tiny table whose answer is written out in its docstring. The Student-t
quantiles used (two-sided, from any t table, here to 7 significant digits):

====================  ===========
t(0.975, 1 df)        12.706205
t(0.975, 2 df)         4.3026527
t(0.95, 2 df)          2.9199856
====================  ===========

so the comparisons use a relative tolerance of 1e-6, the rounding of the quantiles. The
boundaries of the verdict rule itself are in ``tests/test_verdicts.py``; here are the
boundaries of the number of units, the combining rules and the legend's lines.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from diffusion import analysis
from diffusion.analysis import Effect, Judgement, judge

T975_1 = 12.706205
T975_2 = 4.3026527
T95_2 = 2.9199856
REL = 1e-6


def close(value: float, expected: float) -> bool:
    return value == pytest.approx(expected, rel=REL)


def test_mean_ci_of_three_values():
    """[1, 2, 3]: mean 2, sd 1, se 1/sqrt(3); half-width t(0.975, 2)/sqrt(3) = 2.4841378 at
    95% (the default) and t(0.95, 2)/sqrt(3) = 1.6858547 at 90%."""
    mean, low, high = analysis.mean_ci([1, 2, 3])
    assert mean == 2.0
    assert close(high - mean, T975_2 / math.sqrt(3)) and close(mean - low, T975_2 / math.sqrt(3))
    mean, low, high = analysis.mean_ci([1, 2, 3], level=0.90)
    assert close(high - 2.0, T95_2 / math.sqrt(3)) and close(2.0 - low, T95_2 / math.sqrt(3))


def test_two_values_are_enough_for_an_interval():
    """[1, 3]: mean 2, sd sqrt(2), se 1; half-width t(0.975, 1) = 12.706205. Two values are the
    fewest that give an interval."""
    mean, low, high = analysis.mean_ci([1.0, 3.0])
    assert mean == 2.0 and close(low, 2.0 - T975_1) and close(high, 2.0 + T975_1)


def test_one_value_has_a_mean_and_no_interval_and_none_has_neither():
    mean, low, high = analysis.mean_ci([4.0])
    assert mean == 4.0 and math.isnan(low) and math.isnan(high)
    assert all(math.isnan(v) for v in analysis.mean_ci([]))


def test_mean_ci_keeps_only_the_finite_values_even_of_a_list_holding_none():
    """[1, None, 3, nan, inf]: the finite values are [1, 3], as in the test above."""
    mean, low, high = analysis.mean_ci([1.0, None, 3.0, float("nan"), float("inf")])
    assert mean == 2.0 and close(low, 2.0 - T975_1) and close(high, 2.0 + T975_1)


def summary_table() -> pd.DataFrame:
    """Scenario s in the order b, a, b, a, b, missing, a; measure m of object dtype with a None.

    a: m = 10, 12, None -> finite 10, 12: mean 11, se 1, half-width 12.706205, n 2.
    b: m = 1, 2, 3 -> mean 2, half-width 4.3026527/sqrt(3) (95%), 2.9199856/sqrt(3) (90%), n 3.
    missing scenario: m = 5 -> mean 5, no interval, n 1.
    """
    return pd.DataFrame({
        "s": ["b", "a", "b", "a", "b", np.nan, "a"],
        "m": pd.Series([1.0, 10.0, 2.0, 12.0, 3.0, 5.0, None], dtype=object),
    })


def test_summarise_sorts_the_groups_keeps_a_missing_key_and_counts_finite_values():
    summary = analysis.summarise(summary_table(), by=["s"], measures=["m"])
    assert list(summary.columns) == ["s", "measure", "mean", "ci_low", "ci_high", "n"]
    assert list(summary["s"].iloc[:2]) == ["a", "b"] and pd.isna(summary["s"].iloc[2])
    assert list(summary["measure"]) == ["m", "m", "m"]
    assert list(summary["mean"]) == [11.0, 2.0, 5.0]
    assert list(summary["n"]) == [2, 3, 1]
    assert close(summary["ci_high"].iloc[0], 11.0 + T975_1) and close(summary["ci_low"].iloc[0], 11.0 - T975_1)
    assert close(summary["ci_high"].iloc[1], 2.0 + T975_2 / math.sqrt(3))
    assert math.isnan(summary["ci_low"].iloc[2]) and math.isnan(summary["ci_high"].iloc[2])


def test_summarise_passes_its_level_on():
    summary = analysis.summarise(summary_table(), by=["s"], measures=["m"], level=0.90)
    assert close(summary["ci_high"].iloc[1], 2.0 + T95_2 / math.sqrt(3))
    assert close(summary["ci_low"].iloc[1], 2.0 - T95_2 / math.sqrt(3))


def test_mean_effect_default_offset_level_and_labels():
    """m = 1, None, 3, 5 (object dtype): finite 1, 3, 5, mean 3, sd 2, se 2/sqrt(3); 95%
    half-width 2 * 4.3026527/sqrt(3) = 4.9682757, 90% 2 * 2.9199856/sqrt(3) = 3.3717094.
    With offset 1 the estimate is 2 and the interval moves by 1."""
    df = pd.DataFrame({"m": pd.Series([1.0, None, 3.0, 5.0], dtype=object)})
    effect = analysis.mean_effect(df, measure="m", description="d")
    half = 2 * T975_2 / math.sqrt(3)
    assert (effect.measure, effect.description, effect.estimate, effect.n) == ("m", "d", 3.0, 3)
    assert close(effect.ci_low, 3.0 - half) and close(effect.ci_high, 3.0 + half)
    assert not effect.deterministic
    shifted = analysis.mean_effect(df, measure="m", offset=1.0, description="d", level=0.90)
    assert shifted.estimate == 2.0 and shifted.n == 3
    assert close(shifted.ci_high, 2.0 + 2 * T95_2 / math.sqrt(3))


def test_paired_columns_difference():
    """after - before per row: 3-1, 5-2, 10-6 = 2, 3, 4: mean 3, sd 1, half-width
    4.3026527/sqrt(3) = 2.4841379; the measure is named "after - before"."""
    df = pd.DataFrame({"after": [3.0, 5.0, 10.0], "before": [1.0, 2.0, 6.0]})
    effect = analysis.paired_columns_difference(df, high="after", low="before", description="d")
    assert (effect.measure, effect.description, effect.estimate, effect.n) == ("after - before", "d", 3.0, 3)
    assert close(effect.ci_high, 3.0 + T975_2 / math.sqrt(3)) and close(effect.ci_low, 3.0 - T975_2 / math.sqrt(3))


def paired_table() -> pd.DataFrame:
    """Replicates 0-5 in world groups 0, 0, 1, 1, 2, 2; m at p=0 and p=1, and at p=2 (ignored).

    Differences p=1 minus p=0 per replicate: 1, 3, 2, 4, 6, 8.
    """
    low = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    diff = [1.0, 3.0, 2.0, 4.0, 6.0, 8.0]
    rows = []
    for r in range(6):
        rows += [{"replicate": r, "world_group": r // 2, "p": 0, "m": low[r]},
                 {"replicate": r, "world_group": r // 2, "p": 1, "m": low[r] + diff[r]},
                 {"replicate": r, "world_group": r // 2, "p": 2, "m": 100.0 * r}]
    return pd.DataFrame(rows)


def test_paired_difference_over_replicates():
    """Replicates 0-2 only: differences 1, 3, 2, mean 2, sd 1, half-width 4.3026527/sqrt(3)."""
    df = paired_table()
    df = df[df["replicate"] < 3]
    effect = analysis.paired_difference(df, scenario="p", low=0, high=1, measure="m")
    assert (effect.measure, effect.estimate, effect.n) == ("m", 2.0, 3)
    assert effect.description == "m at p=1 minus at p=0"
    assert close(effect.ci_high, 2.0 + T975_2 / math.sqrt(3)) and close(effect.ci_low, 2.0 - T975_2 / math.sqrt(3))
    named = analysis.paired_difference(df, scenario="p", low=0, high=1, measure="m", description="lift")
    assert named.description == "lift" and named.measure == "m"


def test_paired_difference_averages_within_clusters_first():
    """Differences 1, 3 | 2, 4 | 6, 8 average to 2, 3, 7 per world group: mean 4, sd sqrt(7),
    se sqrt(7/3), half-width 4.3026527 * sqrt(7/3) = 6.5724110, n = 3 groups (not 6 replicates)."""
    effect = analysis.paired_difference(paired_table(), scenario="p", low=0, high=1, measure="m",
                                        cluster="world_group")
    assert effect.estimate == 4.0 and effect.n == 3
    assert close(effect.ci_high, 4.0 + T975_2 * math.sqrt(7 / 3))
    assert close(effect.ci_low, 4.0 - T975_2 * math.sqrt(7 / 3))


def test_paired_difference_with_a_missing_scenario_is_empty():
    effect = analysis.paired_difference(paired_table(), scenario="p", low=0, high=5, measure="m")
    assert effect.n == 0 and effect.measure == "m"
    assert all(math.isnan(v) for v in (effect.estimate, effect.ci_low, effect.ci_high))
    assert judge(effect, direction=1, sesoi=1.0).verdict == "not measurable"


def test_paired_slope_per_replicate():
    """Slopes of m on x within each replicate (columns of object dtype, read as numbers):

    replicate 0: x 0, 1; m 1, 3 -> slope 2 (two distinct x values are enough);
    replicate 1: x 0, 1, 2; m 1, 2, 6 -> sum (x-1)(m-3) / sum (x-1)^2 = 5 / 2 = 2.5;
    replicate 2: x 0, 1, 2; m 0, missing, 6 -> the pair (0, 0), (2, 6): slope 3;
    replicate 3: x 1, 1 -> one distinct x, no slope.
    Slopes 2, 2.5, 3: mean 2.5, sd 0.5, half-width 0.5 * 4.3026527/sqrt(3) = 1.2420689.
    """
    df = pd.DataFrame({
        "replicate": [0, 0, 1, 1, 1, 2, 2, 2, 3, 3],
        "x": pd.Series([0, 1, 0, 1, 2, 0, 1, 2, 1, 1], dtype=object),
        "m": pd.Series([1.0, 3.0, 1.0, 2.0, 6.0, 0.0, None, 6.0, 5.0, 7.0], dtype=object),
    })
    effect = analysis.paired_slope(df, x="x", measure="m")
    assert effect.estimate == pytest.approx(2.5, rel=1e-12) and effect.n == 3
    assert effect.measure == "m" and effect.description == "slope of m on x (per unit of x)"
    assert close(effect.ci_high, 2.5 + 0.5 * T975_2 / math.sqrt(3))
    assert close(effect.ci_low, 2.5 - 0.5 * T975_2 / math.sqrt(3))
    assert analysis.paired_slope(df, x="x", measure="m", description="per x").description == "per x"


def test_judge_needs_two_units_and_reports_a_fact_with_its_reason():
    """An interval [3, 7] from n = 2 units is judged (supported beyond SESOI 1); n = 1 is not."""
    assert judge(Effect("m", "d", 5.0, 3.0, 7.0, 2), direction=1, sesoi=1.0).verdict == "supported"
    assert judge(Effect("m", "d", 5.0, 3.0, 7.0, 1), direction=1, sesoi=1.0).verdict == "not measurable"
    fact = judge(Effect("m", "d", 5.0, 5.0, 5.0, 1, deterministic=True), direction=1, sesoi=1.0)
    assert fact == Judgement("fact", "no sampling variation by construction")


@pytest.mark.parametrize(
    ("verdicts", "rule", "expected"),
    [
        (["supported", "contradicted"], "single", "supported"),
        (["supported", "contradicted"], "primary part", "supported"),
        (["inconclusive", "supported"], "primary part", "inconclusive"),
        (["supported", "contradicted"], "all parts", "contradicted"),
        (["supported", "supported"], "all parts", "supported"),
        (["not measurable", "negligible", "supported"], "all parts", "negligible"),
        (["inconclusive", "not measurable"], "all parts", "not measurable"),
        (["supported", "inconclusive"], "all parts", "inconclusive"),
        ([], "all parts", "not measurable"),
        ([], "single", "not measurable"),
    ],
)
def test_combine_rules(verdicts, rule, expected):
    assert analysis.combine(verdicts, rule) == expected


def test_combine_names_the_known_rules_when_refusing_one():
    with pytest.raises(ValueError) as error:
        analysis.combine(["supported"], "any part")
    assert str(error.value) == "unknown combining rule 'any part'; known: single, all parts, primary part"


DIRECTIONAL = ["*supported*", "*contradicted*", "*negligible*", "*inconclusive*"]
EQUIVALENCE = ["*supported*", "*contradicted*", "*inconclusive*"]
NOT_JUDGED = ["*not measurable*", "*fact*"]


@pytest.mark.parametrize(
    ("directions", "heads"),
    [
        (None, DIRECTIONAL + EQUIVALENCE + NOT_JUDGED),
        ({1}, DIRECTIONAL + NOT_JUDGED),
        ({-1}, DIRECTIONAL + NOT_JUDGED),
        ({0}, EQUIVALENCE + NOT_JUDGED),
        ({-1, 0}, DIRECTIONAL + EQUIVALENCE + NOT_JUDGED),
        (set(), NOT_JUDGED),
    ],
)
def test_legend_lines_for_the_directions_present(directions, heads):
    lines = analysis.legend(directions)
    assert [line.split(":")[0] for line in lines] == heads
    assert all(line.endswith(".") for line in lines)


def test_legend_line_text():
    lines = analysis.legend()
    assert lines[0] == ("*supported*: the whole interval lies beyond the smallest effect of interest "
                        "in the claimed direction.")
    assert lines[-1] == ("*fact*: a quantity with no sampling variation by construction (a set cost, "
                         "a design count): reported, not judged.")
