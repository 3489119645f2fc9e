"""Exposure policies: how the platform allocates discovery impressions (claims D1-D4)."""

from diffusion.policies.base import ExposurePolicy, FeedState, sample_weighted
from diffusion.policies.baseline import AppealWeighted

__all__ = ["AppealWeighted", "ExposurePolicy", "FeedState", "sample_weighted"]
