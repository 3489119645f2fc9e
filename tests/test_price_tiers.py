"""R5's price rule and measures (claims.md §E; source 000 §1.3, §4.1).

Known values of :func:`diffusion.rules.price_acceptance` and of the per-run measures from
hand-made counters, and the rule's effect on one day of the model: with the same draws, a
price-sensitive population buys a subset of what a price-blind one buys (the probability is
only ever multiplied by a factor <= 1), and strictly fewer dear goods in lower-tier cities.
The engine and the agents give identical results with the rule on (``tests/test_rules.py``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from diffusion import rules
from diffusion.errors import ConfigError
from diffusion.metrics.commerce import price_tier_outcomes
from diffusion.model import PlatformModel
from diffusion.networks.society import weak_tie_society
from diffusion.params import BehaviourParams, PlatformParams


def record(**overrides):
    return BehaviourParams(**overrides).record()


@pytest.mark.parametrize(("elasticity", "price", "tier", "expected"), [
    (1.0, 80.0, 5, 0.5),          # lowest tier: (80 / 40) ** -1
    (2.0, 80.0, 3, 0.5),          # tier 3: elasticity 2 * 2 / 4 = 1
    (1.0, 80.0, 1, 1.0),          # first tier: not price-sensitive
    (1.0, 40.0, 5, 1.0),          # at the reference price: no hesitation
    (1.0, 10.0, 5, 1.0),          # cheaper goods are not boosted
    (0.0, 400.0, 5, 1.0),         # the default: price sensitivity off
    (1.0, 160.0, 4, 2.0 ** -1.5),  # tier 4: elasticity 0.75, price 4x the reference
])
def test_price_acceptance_known_values(elasticity, price, tier, expected):
    assert rules.price_acceptance(record(price_elasticity=elasticity), price, tier) == pytest.approx(expected, rel=1e-12)


def test_price_parameters_are_checked():
    with pytest.raises(ConfigError, match=r"behaviour.price_elasticity=-1.0 is out of range"):
        BehaviourParams(price_elasticity=-1.0)
    with pytest.raises(ConfigError, match=r"behaviour.price_reference=0.0 is out of range"):
        BehaviourParams(price_reference=0.0)


def test_price_tier_outcomes_of_hand_made_counters():
    """Rows are tiers 1-5, columns [dear, low-price]. Upper tiers (1-2) see 10+10 dear and
    30+10 cheap and buy 2 dear, 8 cheap; lower tiers (3-5) see 40 dear, 40 cheap and buy 2, 10.
    Low-price share of purchases (8 + 10) / 22; of exposures 80 / 140."""
    exposures = np.array([[10, 30], [10, 10], [20, 20], [10, 10], [10, 10]])
    purchases = np.array([[1, 6], [1, 2], [1, 5], [1, 3], [0, 2]])
    out = price_tier_outcomes(exposures, purchases)
    assert out == pytest.approx({
        "conversion_low_price_lower_tier": 10 / 40, "conversion_high_price_lower_tier": 2 / 40,
        "low_price_sales_share_lower_tier": 10 / 12, "conversion_low_price_upper_tier": 8 / 40,
        "conversion_high_price_upper_tier": 2 / 20, "low_price_sales_share_upper_tier": 8 / 10,
        "low_price_sales_share": 18 / 22, "low_price_exposure_share": 80 / 140,
        "lower_tier_sales_share": 12 / 22, "lower_tier_exposure_share": 80 / 140,
    }, abs=1e-12)
    empty = price_tier_outcomes(np.zeros((5, 2), np.int64), np.zeros((5, 2), np.int64))
    assert all(math.isnan(v) for v in empty.values())


def one_day(elasticity: float) -> PlatformModel:
    """One day of 3,000 users in 30 cities; every viewer may buy (trust threshold 0) and buys
    with probability appeal x trust (p_buy 1), so the day has hundreds of purchases."""
    society = weak_tie_society(n_users=3000, users_per_city=100.0, creator_share=0.1, rng=np.random.default_rng(11))
    streams = np.random.SeedSequence(11).spawn(3)
    model = PlatformModel(society, platform=PlatformParams(), behaviour=BehaviourParams(price_elasticity=elasticity, trust_threshold=0.0, p_buy=1.0),
                          rng=np.random.default_rng(streams[0]), platform_rng=np.random.default_rng(streams[1]),
                          content_rng=np.random.default_rng(streams[2]), create_agents=False)
    model.step()
    return model


def test_price_sensitive_buyers_buy_a_subset_on_the_same_draws():
    blind, sensitive = one_day(0.0), one_day(2.0)
    # Same exposures (nothing before the first purchase depends on the price rule) ...
    np.testing.assert_array_equal(blind.tier_price_exposures, sensitive.tier_price_exposures)
    # ... and each cell's purchases can only fall; upper tier 1 never changes.
    assert (sensitive.tier_price_purchases <= blind.tier_price_purchases).all()
    np.testing.assert_array_equal(sensitive.tier_price_purchases[:, 1], blind.tier_price_purchases[:, 1])
    np.testing.assert_array_equal(sensitive.tier_price_purchases[0], blind.tier_price_purchases[0])
    assert sensitive.tier_price_purchases[2:, 0].sum() < blind.tier_price_purchases[2:, 0].sum()
