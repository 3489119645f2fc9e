"""Seed derivation: one root seed gives every replicate its own independent streams.

Replicate ``r`` of an experiment with root seed ``seed`` uses
``numpy.random.SeedSequence(seed, spawn_key=(r,))``, split into named streams
(:data:`STREAMS`). Replicate ``r`` gets the same streams in every scenario of a sweep, so
scenarios are compared on paired replicates, and results do not depend on the order or the
process in which replicates run (agentpy's ``Experiment`` follows the same rule).

Independent worlds (Salganik, Dodds & Watts 2006, the MusicLab design): with ``worlds = W``
replicates ``W g`` to ``W g + W - 1`` share the ``network`` and ``content`` streams of group
``g`` (the same society and the same catalogue of posted items) while their behaviour and
platform streams differ, so the same items compete in ``W`` independent worlds. With ``W = 1``
(the default) every replicate is its own world.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

import igraph as ig
import numpy as np

#: Named random streams of one replicate: the network, the agents' decisions, the platform's
#: draws (feed composition, the policy), what creators post (``content``), and who is online
#: and which channel fills each feed slot (``layout``; the same for every policy, so policies
#: are compared on the same impression budget), and the creator strategy's own draws
#: (``strategy``: which accounts adopt it, whom it promotes to), so a strategy that does nothing
#: leaves every other stream untouched (S1-S4, R4).
STREAMS: tuple[str, ...] = ("network", "agents", "platform", "content", "layout", "strategy")
#: Streams shared by the replicates of one group of independent worlds.
WORLD_STREAMS: tuple[str, ...] = ("network", "content")


def replicate_seed_sequence(seed: int, replicate: int) -> np.random.SeedSequence:
    """Return the seed sequence of replicate ``replicate`` under root seed ``seed``."""
    if seed < 0 or replicate < 0:
        raise ValueError(f"seed and replicate must be non-negative, got {seed=} {replicate=}")
    return np.random.SeedSequence(seed, spawn_key=(replicate,))


def replicate_streams(seed: int, replicate: int, *, worlds: int = 1) -> dict[str, np.random.Generator]:
    """Independent generators, one per name in :data:`STREAMS`, for one replicate.

    With ``worlds > 1`` the streams in :data:`WORLD_STREAMS` come from replicate
    ``replicate // worlds`` (see the module docstring); the others are the replicate's own.
    """
    if worlds < 1:
        raise ValueError(f"worlds must be a positive whole number, got {worlds!r}")
    own = replicate_seed_sequence(seed, replicate).spawn(len(STREAMS))
    shared = replicate_seed_sequence(seed, replicate // worlds).spawn(len(STREAMS))
    return {
        name: np.random.default_rng(shared[i] if name in WORLD_STREAMS else own[i])
        for i, name in enumerate(STREAMS)
    }


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
