"""Seed derivation: one root seed gives every replicate its own independent streams.

Replicate ``r`` of an experiment with root seed ``seed`` uses
``numpy.random.SeedSequence(seed, spawn_key=(r,))``, split into named streams
(:data:`STREAMS`). Replicate ``r`` gets the same streams in every scenario of a sweep, so
scenarios are compared on paired replicates, and results do not depend on the order or the
process in which replicates run (agentpy's ``Experiment`` follows the same rule).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

import igraph as ig
import numpy as np

#: Named random streams of one replicate: the network, the agents' decisions, the platform.
STREAMS: tuple[str, ...] = ("network", "agents", "platform")


def replicate_seed_sequence(seed: int, replicate: int) -> np.random.SeedSequence:
    """Return the seed sequence of replicate ``replicate`` under root seed ``seed``."""
    if seed < 0 or replicate < 0:
        raise ValueError(f"seed and replicate must be non-negative, got {seed=} {replicate=}")
    return np.random.SeedSequence(seed, spawn_key=(replicate,))


def replicate_streams(seed: int, replicate: int) -> dict[str, np.random.Generator]:
    """Independent generators, one per name in :data:`STREAMS`, for one replicate."""
    children = replicate_seed_sequence(seed, replicate).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}


@contextmanager
def igraph_rng(rng: np.random.Generator) -> Iterator[None]:
    """Make igraph's random generators draw from a generator seeded by ``rng``.

    igraph's generators draw from Python's global :mod:`random` unless told otherwise; inside
    this block they use a private :class:`random.Random` seeded from ``rng``, and the global
    default is restored afterwards.
    """
    private = random.Random(int(rng.integers(2**63)))
    ig.set_random_number_generator(private)
    try:
        yield
    finally:
        ig.set_random_number_generator(random)
