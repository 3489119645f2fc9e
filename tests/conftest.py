"""Shared fixtures: small societies and models built with fixed seeds."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from tqdm import tqdm

import diffusion
from diffusion.model import PlatformModel
from diffusion.networks import weak_tie_society

if Path(diffusion.__file__).parent.parent.name == "mutants":
    # Under mutmut (README, "Development: mutation testing") every mutant runs in a forked
    # child. tqdm's default lock holds a multiprocessing semaphore that the children share; one
    # killed while holding it (a timed-out mutant) blocks every later one. A lock per process.
    tqdm.set_lock(threading.RLock())


def make_society(n_users: int = 800, *, seed: int = 11, **kwargs):
    return weak_tie_society(n_users=n_users, rng=np.random.default_rng(seed), **kwargs)


def make_model(society=None, *, seed: int = 5, **kwargs) -> PlatformModel:
    society = make_society() if society is None else society
    return PlatformModel(
        society, rng=np.random.default_rng(seed), platform_rng=np.random.default_rng(seed + 1000), **kwargs
    )


@pytest.fixture(scope="session")
def society():
    return make_society()


@pytest.fixture
def model(society):
    return make_model(society)
