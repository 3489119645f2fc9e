"""Creator growth strategies (claims S1-S5, R4), chosen with ``strategy=NAME``.

====================  ===================================  ================================
config                class                                claim
====================  ===================================  ================================
``organic``           :class:`Organic`                     baseline
``big_brings_small``  :class:`BigBringsSmall`              S1
``gifting``           :class:`Gifting`                     S2
``paid_traffic``      :class:`PaidTraffic`                 S3
``mcn_matrix``        :class:`McnMatrix`                   S4
``rural_leader``      :class:`RuralLeader`                 R4
====================  ===================================  ================================

Live streams (S3 announcements, P8 live format) and cold-start traffic (S5, the decentralized
policy's cold-start pool) belong to the platform model and the exposure policy; every strategy
runs on top of them. See :mod:`diffusion.strategies.base` for the interface.
"""

from diffusion.strategies.base import (
    FOCAL_RULES,
    CreatorStrategy,
    DayState,
    Promotion,
    StrategyContext,
    select_groups,
)
from diffusion.strategies.big_brings_small import BigBringsSmall
from diffusion.strategies.gifting import Gifting
from diffusion.strategies.mcn_matrix import McnMatrix
from diffusion.strategies.organic import Organic
from diffusion.strategies.paid_traffic import PaidTraffic
from diffusion.strategies.rural_leader import RuralLeader

__all__ = [
    "FOCAL_RULES", "BigBringsSmall", "CreatorStrategy", "DayState", "Gifting", "McnMatrix",
    "Organic", "PaidTraffic", "Promotion", "RuralLeader", "StrategyContext", "select_groups",
]
