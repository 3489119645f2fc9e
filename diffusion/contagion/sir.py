"""Discrete-time SIR on a network."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diffusion.contagion._frontier import percolate
from diffusion.contagion.result import CascadeResult, check_probability, check_seeds
from diffusion.errors import ConfigError
from diffusion.networks.csr import to_csr


@dataclass(frozen=True, eq=False)
class SIRResult(CascadeResult):
    """A :class:`CascadeResult` (``activation_step`` = infection step) plus recovery steps."""

    recovery_step: np.ndarray = None  # type: ignore[assignment]

    @property
    def infection_step(self) -> np.ndarray:
        """Step of infection per node (-1: never infected)."""
        return self.activation_step


def sir(
    graph,
    seeds,
    *,
    p_transmit: float,
    p_recover: float,
    rng: np.random.Generator,
    max_steps: int | None = None,
) -> SIRResult:
    """Discrete-time SIR: infect, then recover, each step.

    At each step every infected node infects each susceptible neighbour independently with
    probability ``p_transmit``; then each infected node recovers with probability
    ``p_recover``. Nodes infected at step t first transmit at step t + 1.

    Notes
    -----
    An infected node transmits at least once and keeps transmitting until it recovers, so the
    number of transmission chances K is geometric with P(K = k) = (1 - γ)^(k-1) γ, and the
    probability an edge ever transmits (the transmissibility) is

        T = Σ_k β (1-β)^(k-1) (1-γ)^(k-1) = β / (β + γ - βγ),

    with β = p_transmit, γ = p_recover. Final sizes then follow bond percolation with
    occupation T (Newman 2002), checked in ``tests/test_validation.py``. Cost per step:
    O(sum of degrees of infected nodes).

    References
    ----------
    .. [1] Newman, M. E. J. (2002). Spread of epidemic disease on networks. Physical Review E
       66, 016128. doi:10.1103/PhysRevE.66.016128
    """
    check_probability("p_transmit", p_transmit)
    check_probability("p_recover", p_recover)
    if p_recover == 0 and max_steps is None:
        raise ConfigError(
            "sir(p_recover=0) never ends: nobody recovers, so the infected keep transmitting. "
            "Give max_steps, or a recovery probability above 0."
        )
    csr = to_csr(graph)
    seeds = check_seeds(seeds, csr.n_nodes)
    infection, parent, recovery, trials = percolate(csr, seeds, float(p_transmit), float(p_recover), rng, max_steps)
    return SIRResult(activation_step=infection, parent=parent, n_edge_trials=trials, recovery_step=recovery)
