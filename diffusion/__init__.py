"""diffusion: agent-based simulation of content and purchase-intent spread on social networks.

The package turns the claims of a case study of the Kuaishou short-video platform
(see ``claims.md`` IDs W1-W4, D1-D5, P1-P8, S1-S5, R1-R5) into runnable experiments.

Layers, imported in one direction only::

    networks -> contagion -> model/agents (+ policies) -> metrics -> runner -> analysis/plots/report -> cli
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("diffusion")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
