"""Metrics, statistics over replicates, verdicts, plots and the report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from diffusion import analysis, plots, provenance, report
from diffusion.claims import CLAIMS, get_claim
from diffusion.errors import ConfigError
from diffusion.metrics import ccdf, coefficient_of_variation, gini, lorenz_curve, shannon_entropy, time_to_fraction, top_share
from diffusion.metrics.platform import channel_shares, reached_share, survey


def test_gini_known_values():
    assert gini([5, 5, 5, 5]) == 0.0
    assert gini([0, 0, 0, 7]) == pytest.approx(3 / 4)
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25)
    assert gini([0, 0]) == 0.0 and np.isnan(gini([]))
    with pytest.raises(ConfigError):
        gini([1, -1])


@pytest.mark.property
@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=50), scale=st.floats(0.01, 100))
def test_gini_bounds_and_invariances(values, scale):
    g = gini(values)
    assert 0.0 <= g <= 1.0
    assert gini(list(reversed(values))) == pytest.approx(g, abs=1e-9)
    assert gini(np.asarray(values) * scale) == pytest.approx(g, abs=1e-9)
    population, share = lorenz_curve(values)
    assert population[-1] == 1.0 and share[-1] == pytest.approx(1.0)
    assert np.all(np.diff(share) >= -1e-12)
    entropy = shannon_entropy(np.asarray(values) + 1)
    assert entropy <= np.log2(len(values)) + 1e-9


def test_concentration_timing_and_ccdf():
    assert top_share([1] * 99 + [901], fraction=0.01) == pytest.approx(0.901)
    assert shannon_entropy([1, 1, 1, 1]) == pytest.approx(2.0)
    assert coefficient_of_variation([2, 2, 2]) == 0.0
    assert time_to_fraction([0, 1, 2, 4, 4], 0.5, steps=[1, 2, 3, 4, 5]) == 3
    assert np.isnan(time_to_fraction([0, 0, 0]))
    x, p = ccdf([1, 1, 2, 5])
    assert x.tolist() == [1, 2, 5] and p.tolist() == [1.0, 0.5, 0.25]
    assert reached_share(np.array([-1, 0, 3, -1])) == 0.5
    assert channel_shares(np.array([1, 3, 0, 0])).tolist() == [0.25, 0.75, 0, 0]


def test_survey_counts_only_buyers():
    result = survey(
        n_purchases=np.array([0, 1, 2, 1]),
        last_purchase_trusted=np.array([True, True, False, False]),
        recommended=np.array([True, False, True, True]),
        trust_in_last_creator=np.array([0.9, 0.5, 0.1, 0.35]),
        trust_accept=0.3,
    )
    assert result == {"n_buyers": 3, "survey_trust_share": pytest.approx(1 / 3),
                      "survey_recommend_share": pytest.approx(2 / 3), "survey_accept_again_share": pytest.approx(2 / 3)}


def test_mean_ci_is_the_student_t_interval():
    sample = np.array([0.2, 0.4, 0.1, 0.5, 0.3])
    mean, low, high = analysis.mean_ci(sample)
    half = stats.t.ppf(0.975, 4) * sample.std(ddof=1) / np.sqrt(5)
    assert (mean, low, high) == pytest.approx((0.3, 0.3 - half, 0.3 + half))
    assert np.isnan(analysis.mean_ci([1.0])[1])


def test_paired_effects_on_constructed_data():
    rows = [{"x": x, "replicate": r, "y": 2.0 * x + r} for r in range(4) for x in (0.0, 0.5, 1.0)]
    df = pd.DataFrame(rows)
    slope = analysis.paired_slope(df, x="x", measure="y")
    assert slope.estimate == pytest.approx(2.0) and slope.n == 4
    diff = analysis.paired_difference(df, scenario="x", low=0.0, high=1.0, measure="y")
    assert diff.estimate == pytest.approx(2.0)  # replicate offsets cancel: paired
    summary = analysis.summarise(df, by=["x"], measures=["y"])
    assert summary.loc[summary["x"] == 0.5, "mean"].item() == pytest.approx(2.5)


@pytest.mark.parametrize(
    ("low", "high", "sign", "expected"),
    [(0.1, 0.3, 1, "supported"), (-0.3, -0.1, 1, "contradicted"), (-0.1, 0.2, 1, "inconclusive"),
     (-0.3, -0.1, -1, "supported"), (0.01, 0.02, 1, "negligible")],
)
def test_verdict_rule(low, high, sign, expected):
    effect = analysis.Effect("m", "d", (low + high) / 2, low, high, 10)
    assert analysis.judge(effect, direction=sign, sesoi=0.05).verdict == expected


def test_claims_registry_covers_every_claim():
    assert {"W1", "W2", "W3", "W4", "D1", "D5", "P1", "P3", "P8", "S1", "S5", "R1", "R5"} <= set(CLAIMS)
    assert len(CLAIMS) == 27
    with pytest.raises(ConfigError, match="W1"):
        get_claim("W9")


def test_figures_and_report_from_tables(tmp_path):
    rows = [{"share": s, "kind": k, "replicate": r, "value": s * (4 + r) + r * 0.01 + (k == "b")}
            for s in (0.0, 0.5) for k in ("a", "b") for r in range(3)]
    df = pd.DataFrame(rows)
    summary = analysis.summarise(df, by=["share", "kind"], measures=["value"])
    line = plots.save_figure(plots.line_with_ci(summary, x="share", hue="kind", measures=["value"], title="T", xlabel="x"), tmp_path / "f" / "line.png")
    bar = plots.save_figure(plots.bar_with_ci(summary, x="share", hue="kind", measure="value", title="T", xlabel="x", ylabel="y"), tmp_path / "bar.png")
    curve = plots.save_figure(plots.ccdf_plot(df, value="value", hue="kind", title="T", xlabel="x"), tmp_path / "ccdf.png")
    lorenz = plots.save_figure(plots.lorenz_plot(df, value="value", hue="kind", title="T"), tmp_path / "lorenz.png")
    for path in (line, bar, curve, lorenz):
        assert path.stat().st_size > 5_000
    effect = analysis.paired_difference(df[df.kind == "a"], scenario="share", low=0.0, high=0.5, measure="value")
    result = report.claim_result("W2", {"depth": effect}, conditions="Conditions.", figures=["f/line.png"])
    path = report.write_report(tmp_path / "report.md", title="R", claim_results=[result],
                               header={"config hash": provenance.config_hash({"a": 1})}, figures=["f/line.png", "bar.png"])
    text = path.read_text()
    assert "| W2 |" in text and "**supported**" in text and "bar.png" in text
    assert provenance.config_hash({"b": 2, "a": 1}) == provenance.config_hash({"a": 1, "b": 2})


def test_weak_ties_channel_table_leaves_out_unused_channels():
    from diffusion.analyses.weak_ties import X, channel_table
    from diffusion.params import CHANNELS

    row = {X: 0.2, "replicate": 0}
    for kind in ("views", "follows"):
        for channel in CHANNELS:
            row[f"{kind}_{channel}_share"] = 0.0 if channel == "promotion" else 0.25
    table = channel_table(pd.DataFrame([row]))
    assert "promotion" not in set(table["channel"]) and "same-city" in set(table["channel"])


def test_config_hash_ignores_run_control_keys():
    """A resumed or parallel run is cited with the same hash as the serial one (issue: provenance)."""
    base = {"seed": 1, "run": {"n_replicates": 4, "n_jobs": 1, "resume": False, "progress": True}}
    varied = {"seed": 1, "run": {"n_replicates": 4, "n_jobs": 2, "resume": True, "progress": False},
              "hydra": {"run": {"dir": "x"}}}
    assert provenance.config_hash(base) == provenance.config_hash(varied)
    assert provenance.config_hash(base) != provenance.config_hash({**base, "run": {**base["run"], "n_replicates": 5}})
