"""P1-P3: the default behaviour reproduces the source's buyer survey (source 000 §2.3).

The defaults were calibrated (``python -m diffusion.calibration``, docs/calibration.md) on
replicates 0-5 of root seed 2021. This test is out of sample: root seed 99, replicates 0-7.
With per-replicate survey shares x_r, SE = sd(x) / sqrt(8). The calibration's own estimate has
about the same SE, so the difference of two such means has SE * sqrt(2); we allow 3 of those
(two-sided false alarm about 0.3%).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from diffusion.calibration import survey_table
from diffusion.config import Config, RunConfig

pytestmark = pytest.mark.calibration

N_REPLICATES = 8


@pytest.fixture(scope="module")
def survey():
    config = Config(seed=99, run=RunConfig(n_steps=30, n_replicates=N_REPLICATES, progress=False))
    config = dataclasses.replace(config, network=dataclasses.replace(config.network, n_users=5000))
    return survey_table(config, n_replicates=N_REPLICATES)


def _mean_se(values):
    values = np.asarray(values, dtype=float)
    return values.mean(), values.std(ddof=1) / np.sqrt(values.size)


@pytest.mark.parametrize(("column", "target"), [("survey_trust_share", 0.32), ("survey_accept_again_share", 0.84)])
def test_survey_share_matches_the_source(survey, column, target):
    mean, se = _mean_se(survey[column])
    assert abs(mean - target) <= 3 * np.sqrt(2) * se, f"{column}: {mean:.3f} ± {se:.3f}, target {target}"


def test_more_than_forty_percent_of_buyers_recommend(survey):
    mean, se = _mean_se(survey["survey_recommend_share"])
    assert mean - 3 * se > 0.40, f"{mean:.3f} ± {se:.3f}"


def test_survey_has_enough_buyers_to_mean_something(survey):
    assert survey["n_buyers"].min() >= 200
