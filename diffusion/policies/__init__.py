"""Exposure policies: how the platform allocates discovery impressions (claims D1-D4, R3).

=================  ===========================================  ==========================
config             class                                        claim
=================  ===========================================  ==========================
``baseline``       :class:`AppealWeighted`                      reference (core model)
``centralized``    :class:`CentralizedGatekeeper`               D3
``popularity``     :class:`CumulativeAdvantage`                 baseline of D1, D2
``decentralized``  :class:`ThrottledDecentralized`              D1, D2
``inclusive``      :class:`FairShareInclusive`                  D4
``peer_only``      :class:`PeerOnly`                            D2 (limit case)
=================  ===========================================  ==========================

Every policy takes ``subsidy_share``, the poor-region traffic subsidy of R3.
"""

from diffusion.policies.base import ExposurePolicy, FeedState, sample_weighted
from diffusion.policies.baseline import AppealWeighted
from diffusion.policies.centralized import CentralizedGatekeeper
from diffusion.policies.decentralized import ThrottledDecentralized, heat_factor
from diffusion.policies.inclusive import FairShareInclusive, water_fill
from diffusion.policies.peer_only import PeerOnly
from diffusion.policies.popularity import CumulativeAdvantage

__all__ = [
    "AppealWeighted", "CentralizedGatekeeper", "CumulativeAdvantage", "ExposurePolicy",
    "FairShareInclusive", "FeedState", "PeerOnly", "ThrottledDecentralized", "heat_factor",
    "sample_weighted", "water_fill",
]
