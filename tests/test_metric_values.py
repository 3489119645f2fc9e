"""Known values: metrics, the survey, calibration and provenance on small hand-made inputs.

Every expected number is worked out by hand in the test's docstring from the definition in
the function's docstring, so a changed formula, filter or denominator fails here rather than
shifting a verdict silently. Issue 24.
"""

from __future__ import annotations

import hashlib
import json
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from diffusion import provenance
from diffusion.metrics import commerce, creators, platform


# ---------------------------------------------------------------------- creators (D1-D4, R2, R3)
def creators_table() -> pd.DataFrame:
    """Four present creators and one departed one whose numbers must not count."""
    return pd.DataFrame({
        "creator": [0, 1, 2, 3, 4],
        "present": [True, True, True, True, False],
        "views": [0, 50, 150, 200, 999],
        "income": [0.0, 10.0, 30.0, 0.0, 5.0],
        "poor": [True, False, True, False, True],
        "initial_followers": [0, 0, 5, 0, 0],
        "milestone_step": [-1, 3, 0, 7, 2],
    })


def test_creator_outcomes_of_a_hand_made_table():
    """Present creators 0-3, horizon 10.

    views 0, 50, 150, 200 (total 400): Gini = sum((2i - n - 1) x_(i)) / (n sum x) =
    (-3*0 - 1*50 + 1*150 + 3*200) / (4*400) = 700/1600 = 0.4375; top 1% = the top unit =
    200/400 = 0.5; at least one view 3/4; at least 100 views 2/4; normalised entropy of the
    shares 1/8, 3/8, 1/2 over ln 4. Newcomers (no initial followers): 0, 1, 3; milestone days
    (0-based step + 1, never = horizon) 10, 4, 8: reached 2/3, restricted mean 22/3.
    income 0, 10, 30, 0: earners 2/4; poor 0 and 2: poor share 2/4, poor among earners (1, 2)
    1/2; income Gini (sorted 0, 0, 10, 30) = (1*10 + 3*30) / (4*40) = 0.625;
    poor mean (0 + 30)/2 = 15, others (10 + 0)/2 = 5.
    """
    out = creators.creator_outcomes(creators_table(), horizon=10)
    entropy = -(1 / 8 * math.log(1 / 8) + 3 / 8 * math.log(3 / 8) + 1 / 2 * math.log(1 / 2)) / math.log(4)
    expected = {
        "creators": 4, "views_gini": 0.4375, "views_top1_share": 0.5, "creators_any_views_share": 0.75,
        "creators_100_views_share": 0.5, "view_entropy": entropy, "newcomers": 3,
        "newcomer_100_views_share": 2 / 3, "newcomer_days_to_100_views": 22 / 3, "earners_share": 0.5,
        "poor_creator_share": 0.5, "poor_earner_share": 0.5, "income_gini": 0.625,
        "poor_income_mean": 15.0, "other_income_mean": 5.0,
    }
    assert out.keys() == expected.keys()
    for name, value in expected.items():
        assert out[name] == pytest.approx(value, abs=1e-12), name


def test_creator_outcomes_without_earners_or_newcomers_are_nan_not_zero():
    table = creators_table().assign(income=0.0, initial_followers=3)
    out = creators.creator_outcomes(table, horizon=10)
    assert out["newcomers"] == 0 and out["earners_share"] == 0.0 and out["income_gini"] == 0.0
    for name in ("newcomer_100_views_share", "newcomer_days_to_100_views", "poor_earner_share"):
        assert math.isnan(out[name]), name


def cascades_table() -> pd.DataFrame:
    """Per-post audiences of creators 7, 8, 9 over a 10-day run, plus posts that must not count:
    a campaign item of 7, a post of 8 still live at the end (expires 11), and creator 9 with
    only two complete posts (fewer than MIN_POSTS_FOR_CV = 3)."""
    rows = [
        # creator, campaign, expires, follow, discovery, same_city
        (7, False, 5, 2, 0, 1),
        (7, False, 6, 4, 2, 2),
        (7, False, 9, 6, 7, 0),
        (7, True, 8, 500, 500, 500),
        (8, False, 4, 10, 0, 0),
        (8, False, 6, 10, 0, 0),
        (8, False, 8, 10, 0, 0),
        (8, False, 10, 30, 0, 0),
        (8, False, 11, 900, 900, 0),
        (9, False, 3, 1, 50, 0),
        (9, False, 4, 99, 0, 0),
    ]
    return pd.DataFrame(rows, columns=["creator", "campaign", "expires", "views_follow", "views_discovery", "views_same_city"])


def test_stability_outcomes_of_hand_made_cascades():
    """Creator 7: private 2, 4, 6 (mean 4, variance 4, CV 0.5, excess CV sqrt(4/16 - 1/4) = 0);
    public 1, 4, 7 (mean 4, variance 9, CV 0.75, excess sqrt(9/16 - 1/4) = sqrt(5)/4).
    Creator 8: private 10, 10, 10, 30 (mean 15, variance 300/3 = 100, CV 2/3, excess
    sqrt(100/225 - 1/15) = sqrt(17/45)); public all 0 (mean 0: NaN, left out of the median).
    Medians over creators 7 and 8: private CV (0.5 + 2/3)/2 = 7/12, public CV 0.75, private
    excess sqrt(17/45)/2, public excess sqrt(5)/4."""
    out = creators.stability_outcomes(cascades_table(), horizon=10)
    assert out == pytest.approx({
        "private_audience_cv": 7 / 12, "public_audience_cv": 0.75,
        "private_audience_excess_cv": math.sqrt(17 / 45) / 2, "public_audience_excess_cv": math.sqrt(5) / 4,
    }, abs=1e-12)
    table = creators.traffic_stability(cascades_table(), horizon=10)
    assert table["creator"].tolist() == [7, 8]


def test_stability_outcomes_without_enough_posts_are_nan():
    out = creators.stability_outcomes(cascades_table().query("creator == 9"), horizon=10)
    assert all(math.isnan(v) for v in out.values())


def test_restricted_mean_time_and_excess_cv():
    """Days 0-based + 1, never = horizon: steps 0, 4, -1 over 6 days give (1 + 5 + 6)/3 = 4;
    a step past the horizon counts as the horizon. Excess CV of 2, 4, 6: variance 4 over mean^2
    16 is 1/4, minus 1/mean = 1/4: 0; of 1, 4, 7: sqrt(9/16 - 4/16) = sqrt(5)/4."""
    assert creators.restricted_mean_time(np.array([0, 4, -1]), 6) == pytest.approx(4.0)
    assert creators.restricted_mean_time(np.array([9]), 6) == pytest.approx(6.0)
    assert math.isnan(creators.restricted_mean_time(np.array([], dtype=int), 6))
    assert creators.excess_cv([2, 4, 6]) == pytest.approx(0.0, abs=1e-12)
    assert creators.excess_cv([1, 4, 7]) == pytest.approx(math.sqrt(5) / 4)
    assert math.isnan(creators.excess_cv([3])) and math.isnan(creators.excess_cv([0, 0]))


# ---------------------------------------------------------------------- commerce (S1-S5, P5-P8, R4)
def test_conversion_outcomes_of_hand_made_counters():
    """Exposures by format (rows: short video, live) and trust (columns: below, at or above
    the threshold) 30 10 / 5 15 with purchases 3 2 / 1 6: short video 5/40 = 0.125, live
    7/20 = 0.35, trusted short video 2/10, trusted live 6/15. Locality: non-local 5/50 = 0.1,
    local 0/0 = NaN. Stream GMV: purchases x price of stream items 2*10 + 3*5 = 35; gifts 4."""
    model = SimpleNamespace(
        format_exposures=np.array([[30, 10], [5, 15]]), format_purchases=np.array([[3, 2], [1, 6]]),
        locality_exposures=np.array([50, 0]), locality_purchases=np.array([5, 0]),
        tier_price_exposures=np.zeros((5, 2), np.int64), tier_price_purchases=np.zeros((5, 2), np.int64),
        items=SimpleNamespace(purchases=np.array([2, 1, 3]), price=np.array([10.0, 20.0, 5.0]),
                              stream=np.array([True, False, True])),
        gift_income=np.array([1.5, 2.5]),
    )
    out = commerce.conversion_outcomes(model)
    assert math.isnan(out.pop("conversion_local"))
    for name in [k for k in out if "price" in k or "tier" in k]:  # R5's measures: tests/test_price_tiers.py
        assert math.isnan(out.pop(name))
    assert out == pytest.approx({
        "conversion_short_video": 0.125, "conversion_live": 0.35, "conversion_short_video_trusted": 0.2,
        "conversion_live_trusted": 0.4, "conversion_nonlocal": 0.1, "stream_gmv_total": 35.0,
        "gift_income_total": 4.0,
    }, abs=1e-12)


def test_follower_tiers_scale_with_the_population():
    """3,000 users are 1e-5 of the platform's 300 million: the tier bounds 10k, 100k, 1M become
    0.1, 1 and 10 followers; a count on a bound belongs to the tier above (P6)."""
    assert commerce.scaled_followers(1_000_000, 3000) == pytest.approx(10.0)
    tiers = commerce.tier_of(np.array([0, 0.1, 0.5, 1, 9.99, 10, 50]), 3000)
    assert tiers.tolist() == ["<10k", "10k-100k", "10k-100k", "100k-1M", "100k-1M", ">=1M", ">=1M"]


def test_strategy_outcomes_of_a_hand_made_table():
    """Focal creators 0, 1, 2 (creator 3 is not focal and must not count); horizon 10.

    gains 12 - 0, 30 - 10, 5 - 0 = 12, 20, 5: mean 37/3; newcomers (0 and 2) 17/2; their
    10-follower steps 4 and never give days 5 and 10: 7.5. Cost 100, 300, 0: mean 400/3, gain
    per 100 yuan 100 x 37 / 400 = 9.25. Impressions 40, 80, 0: 40; income 20, 60, 10: 30;
    households 2, 0, 1: 1; income per household (8 + 0 + 4)/3 = 4."""
    table = pd.DataFrame({
        "focal": [True, True, True, False],
        "followers": [12, 30, 5, 100],
        "initial_followers": [0, 10, 0, 0],
        "strategy_cost": [100.0, 300.0, 0.0, 50.0],
        "households_with_income": [2, 0, 1, 9],
        "followers_10_step": [4, 0, -1, 2],
        "promotion_impressions": [40, 80, 0, 999],
        "income": [20.0, 60.0, 10.0, 500.0],
        "household_income": [8.0, 0.0, 4.0, 99.0],
    })
    out = commerce.strategy_outcomes(table, horizon=10)
    assert out == pytest.approx({
        "n_focal": 3, "focal_follower_gain": 37 / 3, "focal_newcomer_gain": 8.5,
        "focal_newcomer_days_to_10": 7.5, "focal_cost": 400 / 3, "focal_gain_per_100_yuan": 9.25,
        "focal_impressions": 40.0, "focal_income": 30.0, "focal_households": 1.0,
        "focal_income_per_household": 4.0,
    }, abs=1e-12)
    free = commerce.strategy_outcomes(table.assign(strategy_cost=0.0), horizon=10)
    assert math.isnan(free["focal_gain_per_100_yuan"])  # a free strategy has no cost ratio
    none = commerce.strategy_outcomes(table.drop(columns="focal"), horizon=10)
    assert none["n_focal"] == 0 and all(math.isnan(v) for k, v in none.items() if k != "n_focal")


# ---------------------------------------------------------------------- the survey (P1-P3)
def survey_model(n_purchases, trust_by_pair, calls):
    def trust_of(users, creators_):
        calls.append((list(users), list(creators_)))
        return np.array([trust_by_pair[(int(u), int(c))] for u, c in zip(users, creators_)]), np.full(len(users), -1)

    return SimpleNamespace(
        n_users=5, n_purchases=np.array(n_purchases), last_purchase_creator=np.array([-1, 7, 8, -1, 7]),
        last_purchase_trusted=np.array([True, True, False, False, False]),
        recommended=np.array([True, False, True, True, False]),
        behaviour=SimpleNamespace(trust_accept=0.5), trust_of=trust_of,
    )


def test_model_survey_asks_only_buyers():
    """Buyers 1, 2, 4 (users 0 and 3 never bought; user 0's answers must not count). Latest
    purchase trusted: yes, no, no = 1/3; recommended: no, yes, no = 1/3; trust in the latest
    creator 0.9, 0.5, 0.2 against trust_accept 0.5 (at the bound accepts) = 2/3. Trust is
    looked up for exactly the buyers and their latest creators."""
    calls: list = []
    model = survey_model([0, 2, 1, 0, 3], {(1, 7): 0.9, (2, 8): 0.5, (4, 7): 0.2}, calls)
    out = platform.model_survey(model)
    assert out == pytest.approx({"n_buyers": 3, "survey_trust_share": 1 / 3, "survey_recommend_share": 1 / 3,
                                 "survey_accept_again_share": 2 / 3}, abs=1e-12)
    assert calls == [([1, 2, 4], [7, 8, 7])]


def test_model_survey_without_buyers_is_nan():
    calls: list = []
    out = platform.model_survey(survey_model([0, 0, 0, 0, 0], {}, calls))
    assert out["n_buyers"] == 0 and calls == []
    assert all(math.isnan(out[k]) for k in ("survey_trust_share", "survey_recommend_share", "survey_accept_again_share"))


# calibration (P1-P3): tests/test_calibration.py (ABC-SMC with a known-answer stand-in survey)


# ---------------------------------------------------------------------- provenance
def test_config_hash_is_sha256_of_the_canonical_scientific_config():
    """Hydra's settings and the run-control keys leave the config before hashing; the rest is
    JSON with sorted keys and no spaces, and the hash its first 12 hex digits of SHA-256."""
    resolved = {"seed": 1, "run": {"n_steps": 3, "n_jobs": 4, "resume": True}, "hydra": {"job": "x"}}
    canonical = '{"run":{"n_steps":3},"seed":1}'
    assert provenance.scientific_config(resolved) == {"seed": 1, "run": {"n_steps": 3}}
    assert provenance.config_hash(resolved) == hashlib.sha256(canonical.encode()).hexdigest()[:12]
    assert provenance.config_hash({"run": {"n_steps": 3}, "seed": 1}) == provenance.config_hash(resolved)
    assert provenance.config_hash({"seed": 2, "run": {"n_steps": 3}}) != provenance.config_hash(resolved)
    assert set(provenance.RUN_CONTROL_KEYS) == {"n_jobs", "progress", "resume", "backend", "scheduler"}


def test_provenance_record_and_file(tmp_path):
    record = provenance.provenance(seed=0, config_hash="abc", command="python -m diffusion", extra={"scale": "ci"})
    assert record["root_seed"] == 0 and record["config_hash"] == "abc" and record["scale"] == "ci"
    assert record["package"] == "diffusion" and record["libraries"]["numpy"] == np.__version__
    assert set(record["libraries"]) == set(provenance.LIBRARIES)
    path = provenance.write_provenance(tmp_path / "provenance.json", record)
    text = path.read_text()
    assert json.loads(text) == record and text.endswith("}\n")
    assert text == json.dumps(record, indent=2, sort_keys=True) + "\n"


def test_git_revision_is_none_outside_a_checkout(tmp_path):
    assert provenance.git_revision(tmp_path) is None


def test_repository_named_by_the_environment_comes_first(tmp_path, monkeypatch):
    """An installed package finds the committed references through DIFFUSION_REPOSITORY."""
    (tmp_path / "experiments").mkdir()
    monkeypatch.setenv("DIFFUSION_REPOSITORY", str(tmp_path))
    assert provenance.repository() == tmp_path
