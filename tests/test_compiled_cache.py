"""numba's on-disk cache must serve every compiled function to a new process.

A cache entry is keyed by the function's code and by its closure variables; a jitted function
that calls another jitted closure gets a key that differs in every process, so it recompiles
(seconds) in every worker instead of loading (milliseconds). This happened once to the
independent-cascade kernel: each experiment worker paid ~9 s of compilation.
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import numpy as np
import igraph as ig
from diffusion.contagion import complex_contagion, independent_cascade, linear_threshold, sir, transmit
from diffusion.model import PlatformModel
from diffusion.networks import to_csr, weak_tie_society

rng = np.random.default_rng(0)
csr = to_csr(ig.Graph.Barabasi(200, 3))
independent_cascade(csr, [0], p=0.2, rng=rng)
independent_cascade(csr, [0], p=np.full(csr.n_entries // 2, 0.2), rng=rng)
linear_threshold(csr, [0, 1], thresholds=0.2, rng=rng)
linear_threshold(csr, [0, 1], thresholds=0.2, weights=np.ones(csr.n_entries // 2), rng=rng)
complex_contagion(csr, [0, 1, 2], threshold=2, rng=rng)
sir(csr, [0], p_transmit=0.2, p_recover=0.5, rng=rng)
transmit(csr, np.array([0, 1]), 0.3, rng=rng)
society = weak_tie_society(n_users=300, rng=np.random.default_rng(1))
model = PlatformModel(society, rng=np.random.default_rng(2), platform_rng=np.random.default_rng(3))
for _ in range(9):  # past the items' lifetime, so expiry runs too
    model.step()
model.finish()
model.creators_table()
"""


def _run(cache_dir) -> str:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir), NUMBA_DEBUG_CACHE="1")
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr


def test_a_second_process_loads_every_compiled_function_from_the_cache(tmp_path):
    first = _run(tmp_path)
    assert "[cache] data saved" in first  # the cache directory is used at all
    second = _run(tmp_path)
    recompiled = sorted({line.rsplit("/", 1)[-1] for line in second.splitlines() if "[cache] data saved" in line})
    assert not recompiled, f"compiled again in a new process: {recompiled}"
