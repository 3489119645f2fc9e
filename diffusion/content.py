"""What creators are and post: their commerce traits and strategy, and each day's items.

:func:`init_commerce` sets creators' traits for live streams and local trade, binds the growth
strategy and opens the commerce counters. The *post* phase of :meth:`diffusion.model.PlatformModel.step`, as functions of the model's
state, drawing from the content stream only (so runs that share it post the same items:
independent worlds, :mod:`diffusion.rng`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from diffusion.metrics.tables import FOLLOWER_MILESTONES
from diffusion.strategies import CreatorStrategy, StrategyContext

if TYPE_CHECKING:
    from diffusion.model import PlatformModel


def post(model: PlatformModel) -> None:
    """Creators post short videos and hold live streams; on day 0 the campaign is posted.

    A live stream is an item that lives one day and always sells a product (S3); whether
    it was announced the day before (``platform.announce_share``) raises attendance. A
    local merchant's products are local services (R1). The strategy says whose produce a
    product is (R4 rural leaders).
    """
    t, p, rng = model.day, model.platform, model.content_rng
    if t == 0 and model.campaign.n_creators > 0:
        post_campaign(model)
    posting = model.creators[rng.random(model.creators.size) < p.p_post]
    if posting.size:
        product = rng.random(posting.size) < p.product_share
        appeal, price = draw_appeal_and_price(model, posting.size)
        append_items(model, posting, t + p.item_lifetime_steps, product, appeal, price)
    model.live_item_of = np.full(model.n_users, -1, dtype=np.int64)
    if p.p_stream > 0:
        streaming = model.creators[rng.random(model.creators.size) < p.p_stream]
        if streaming.size:
            appeal, price = draw_appeal_and_price(model, streaming.size)
            announced = rng.random(streaming.size) < p.announce_share
            ids = append_items(model, 
                streaming, t + 1, np.ones(streaming.size, bool), appeal, price, stream=True, announced=announced
            )
            model.live_item_of[streaming] = ids
            model.n_streams[streaming] += 1

def draw_appeal_and_price(model: PlatformModel, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Appeal (Beta) and price (lognormal, yuan) of ``n`` new items, from the content stream."""
    p, rng = model.platform, model.content_rng
    appeal = rng.beta(p.appeal_alpha, p.appeal_beta, size=n)
    return appeal, rng.lognormal(np.log(p.price_median), p.price_log_sd, size=n)

def append_items(model: PlatformModel, creators, expires, product, appeal, price, **extra) -> np.ndarray:
    product, household = model.strategy.produce(creators, product, model.strategy_rng)
    return model.items.append(
        creator=creators,
        created=np.full(creators.size, model.day),
        expires=np.broadcast_to(expires, creators.shape),
        product=product,
        appeal=appeal,
        price=price,
        local=product & model.merchant[creators],
        household=household,
        **extra,
    )

def post_campaign(model: PlatformModel) -> None:
    followers = model.follower_count[model.creators]
    c = model.campaign
    eligible = model.creators[(followers >= c.min_followers) & (followers <= c.max_followers)]
    if eligible.size == 0:
        eligible = model.creators
    k = min(model.campaign.n_creators, eligible.size)
    chosen = np.sort(model.content_rng.choice(eligible, size=k, replace=False))
    ids = model.items.append(
        creator=chosen,
        created=np.zeros(k, dtype=np.int64),
        expires=np.full(k, np.iinfo(np.int64).max),
        product=np.ones(k, dtype=bool),
        campaign=np.ones(k, dtype=bool),
        appeal=np.full(k, model.campaign.appeal),
        price=np.full(k, model.campaign.price),
    )
    # Campaign creators pin the campaign post: their follow feed shows it all run long.
    model.pinned_item[chosen] = ids


def init_commerce(model: PlatformModel, strategy: CreatorStrategy | None, strategy_rng: np.random.Generator | None) -> None:
    """Creator traits for streams and local trade, the strategy, and commerce counters."""
    n, p = model.n_users, model.platform
    # Drawn only when the feature is on, so runs without it keep their content stream.
    model.engagement = np.full(n, 0.5)
    if p.p_stream > 0:  # P5: how much a creator interacts with fans in streams
        model.engagement[model.creators] = model.content_rng.beta(2.0, 2.0, size=model.creators.size)
    model.merchant = np.zeros(n, dtype=bool)
    if p.merchant_share > 0:  # R1: local merchants selling local services
        model.merchant[model.creators] = model.content_rng.random(model.creators.size) < p.merchant_share
    model.strategy = CreatorStrategy(n_focal=0) if strategy is None else strategy
    if strategy_rng is None:
        strategy_rng = np.random.default_rng(model.platform_rng.bit_generator.seed_seq.spawn(1)[0])
    model.strategy_rng = strategy_rng
    csr = model.society.csr
    model.strategy.bind(
        StrategyContext(
            n_users=n, creators=model.creators, followers=model.follower_count.copy(),
            user_city=model.user_city, user_circle=model.user_circle, user_poor=model.user_poor,
            is_creator=model.is_creator, indptr=csr.indptr, indices=csr.indices,
            present=np.ones(n, bool) if model.present is None else model.present,
        ),
        model.strategy_rng,
    )
    model.is_focal = np.zeros(n, dtype=bool)
    model.is_focal[model.strategy.focal] = True
    # Per creator: strategy spending and reach (S1-S4), streams (S3), interaction (P5),
    # gifts, produce sold for households (R4), days to follower milestones (S5).
    model.strategy_cost = np.zeros(n)
    model.promotion_impressions = np.zeros(n, dtype=np.int64)
    model.n_streams = np.zeros(n, dtype=np.int64)
    model.interactions = np.zeros(n, dtype=np.int64)
    model.gift_income = np.zeros(n)
    model.follower_milestone_step = np.full((n, len(FOLLOWER_MILESTONES)), -1, dtype=np.int64)
    # Purchasable product exposures and purchases by format [short video, live] x viewer
    # [not trusting, trusting the creator] (P8), and by locality [other city, same city] (P7).
    model.format_exposures = np.zeros((2, 2), dtype=np.int64)
    model.format_purchases = np.zeros((2, 2), dtype=np.int64)
    model.locality_exposures = np.zeros(2, dtype=np.int64)
    model.locality_purchases = np.zeros(2, dtype=np.int64)
    # ... and by the viewer's city tier (1-5) x price [dearer, not dearer than the reference] (R5).
    model.tier_price_exposures = np.zeros((5, 2), dtype=np.int64)
    model.tier_price_purchases = np.zeros((5, 2), dtype=np.int64)
    model.online = np.zeros(n, dtype=bool)
    model.live_item_of = np.full(n, -1, dtype=np.int64)  # today's stream of each creator
