"""Sweeps at scale: a Dask cluster, Hydra multirun launchers, collecting many runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from diffusion.collect import collect

TABLES = ("trajectories", "outcomes", "cascades", "creators")


def diffusion(*arguments: str, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "diffusion", *arguments], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def assert_same_tables(a: Path, b: Path) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(a / f"{table}.parquet"), pd.read_parquet(b / f"{table}.parquet"))


@pytest.fixture(scope="module")
def serial_weak_ties(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serial")
    result = diffusion("+experiment=weak_ties", "scale=ci", f"hydra.run.dir={folder / 'run'}", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "run"


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed", reason="Dask distributed is in the cluster extra")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        yield cluster


def test_an_existing_dask_scheduler_gives_the_serial_tables(serial_weak_ties, dask_cluster, tmp_path):
    result = diffusion("+experiment=weak_ties", "scale=ci", "run.backend=dask",
                       f"run.scheduler={dask_cluster.scheduler_address}", f"hydra.run.dir={tmp_path}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_same_tables(tmp_path, serial_weak_ties)
    # written by the driver: (4 shares x 2 W1 arms + the W3 and W4 knock-out arms) x 3 replicates
    assert len(list((tmp_path / "runs").glob("run-*/run.json"))) == 30


@pytest.mark.slow  # a LocalCluster and a joblib pool (~1 min); the Dask path is also checked above
def test_a_local_dask_cluster_and_joblib_workers_give_the_serial_tables(serial_weak_ties, tmp_path):
    pytest.importorskip("distributed")
    for name, extra in (("dask", ["run.backend=dask", "run.n_jobs=2"]), ("joblib", ["run.n_jobs=2"])):
        result = diffusion("+experiment=weak_ties", "scale=ci", *extra, f"hydra.run.dir={tmp_path / name}", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert_same_tables(tmp_path / name, serial_weak_ties)


def test_an_unreachable_scheduler_is_one_clear_error(tmp_path):
    pytest.importorskip("distributed")
    result = diffusion("+experiment=weak_ties", "scale=ci", "run.backend=dask", "run.scheduler=tcp://127.0.0.1:9",
                       f"hydra.run.dir={tmp_path}", cwd=tmp_path)
    assert result.returncode == 2
    assert "no Dask scheduler answered" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("launcher", ["basic", "joblib", "submitit_local"])
def test_hydra_multirun_with_each_launcher_then_collect(launcher, tmp_path):
    if launcher != "basic":
        pytest.importorskip(f"hydra_plugins.hydra_{launcher.split('_')[0]}_launcher")
    sweep = tmp_path / "multirun"
    result = diffusion("-m", "+experiment=weak_ties", "scale=ci", "run.n_replicates=1", "behaviour.p_share=0.15,0.3",
                       f"hydra/launcher={launcher}", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    jobs = sorted(p for p in sweep.iterdir() if p.is_dir() and p.name.isdigit())
    assert [p.name for p in jobs] == ["0", "1"]
    assert all((job / "report.md").is_file() for job in jobs)

    report = collect([sweep], tmp_path / "collected")
    outcomes = pd.read_parquet(tmp_path / "collected" / "outcomes.parquet")
    # 4 shares x 2 W1 arms + the W3 and W4 knock-out arms, one replicate each
    assert outcomes.groupby("p_share").size().to_dict() == {0.15: 10, 0.3: 10}
    summary = pd.read_csv(tmp_path / "collected" / "summary.csv")
    assert {"p_share", "weak_tie_share"} <= set(summary.columns)
    assert report.is_file() and list((tmp_path / "collected").glob("*.parquet"))


def test_collecting_one_folder_rebuilds_its_own_report(serial_weak_ties, tmp_path):
    report = collect([serial_weak_ties], tmp_path / "again")
    assert "## W1: " in report.read_text()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "again" / "outcomes.parquet"),
                                  pd.read_parquet(serial_weak_ties / "outcomes.parquet"))


def test_collect_mistakes_are_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "diffusion.collect", str(tmp_path / "nowhere")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "does not exist" in result.stderr and "Traceback" not in result.stderr
    result = subprocess.run([sys.executable, "-m", "diffusion.collect", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 2 and "holds no run folder" in result.stderr


def test_the_documented_slurm_launcher_config_composes(tmp_path):
    """conf/hydra/launcher/slurm.yaml builds on submitit_slurm (composed, not submitted)."""
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    result = diffusion("hydra/launcher=slurm", "--cfg", "hydra", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "SlurmLauncher" in result.stdout and "partition: compute" in result.stdout
