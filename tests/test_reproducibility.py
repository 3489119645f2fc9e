"""Same config and seed: identical tables, serial or parallel, and paired seeds across scenarios."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from diffusion.config import Config, ExperimentConfig, RunConfig
from diffusion.rng import replicate_streams
from diffusion.runner import execute, plan


def small_config(n_jobs: int) -> Config:
    config = Config(
        seed=7,
        run=RunConfig(n_replicates=2, n_steps=5, n_jobs=n_jobs, progress=False),
        experiment=ExperimentConfig(name="test", sweep={"network.weak_tie_share": [0.0, 0.4]}),
    )
    return dataclasses.replace(config, network=dataclasses.replace(config.network, n_users=300))


def test_serial_and_parallel_runs_write_identical_tables(tmp_path):
    serial = execute(small_config(1), tmp_path / "serial")
    parallel = execute(small_config(2), tmp_path / "parallel")
    for name in ("trajectories", "outcomes", "cascades"):
        pd.testing.assert_frame_equal(serial[name], parallel[name])
        on_disk = [pd.read_parquet(tmp_path / d / f"{name}.parquet") for d in ("serial", "parallel")]
        pd.testing.assert_frame_equal(*on_disk)
    assert len(serial["outcomes"]) == 4


def test_replicate_streams_are_paired_and_independent():
    a, b = replicate_streams(5, 0), replicate_streams(5, 0)
    assert a["agents"].integers(1 << 30) == b["agents"].integers(1 << 30)
    c = replicate_streams(5, 1)
    draws = [replicate_streams(5, 0)[s].random(4) for s in ("network", "agents", "platform")]
    assert not np.allclose(draws[0], draws[1]) and not np.allclose(draws[1], draws[2])
    assert not np.allclose(replicate_streams(5, 0)["network"].random(4), c["network"].random(4))


def test_plan_pairs_replicates_across_grid_points():
    specs = plan(small_config(1))
    assert [(s.point["network.weak_tie_share"], s.replicate) for s in specs] == [
        (0.0, 0), (0.0, 1), (0.4, 0), (0.4, 1)
    ]
