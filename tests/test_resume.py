"""Never lose finished work: atomic runs, resume after SIGKILL, failed runs reported and retried."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from omegaconf import OmegaConf

from diffusion import config as config_module
from diffusion import runner
from diffusion.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def small_config(**run):
    base = {"network": {"n_users": 300}, "run": {"n_replicates": 3, "n_steps": 4, "n_jobs": 1, **run},
            "experiment": {"name": "t", "sweep": {"network.weak_tie_share": [0.0, 0.3]}}}
    return OmegaConf.to_object(OmegaConf.merge(config_module.schema(), base))


def test_every_run_records_its_seed_and_reruns_alone_to_the_same_numbers(tmp_path):
    config = small_config()
    tables = runner.execute(config, tmp_path)
    record = json.loads((tmp_path / "runs" / "run-00004" / "run.json").read_text())
    assert record["root_seed"] == config.seed and record["replicate"] == 1
    assert record["point"] == {"network.weak_tie_share": 0.3}
    again = runner.simulate(config, runner.RunSpec(record["index"], record["point"], record["replicate"]))
    saved = tables["outcomes"].iloc[[4]].reset_index(drop=True)
    pd.testing.assert_frame_equal(again.outcomes, saved)


def test_a_failing_run_is_reported_with_its_seed_and_the_others_are_kept(tmp_path, monkeypatch):
    config = small_config()
    real = runner.simulate

    def flaky(config, spec, **keywords):
        if spec.index == 2:
            raise ValueError("boom")
        return real(config, spec, **keywords)

    monkeypatch.setattr(runner, "simulate", flaky)
    with pytest.raises(runner.RunsFailed, match=r"run-00002 .*replicate 2, root seed 2021\), raised ValueError: boom"):
        runner.execute(config, tmp_path)
    kept = sorted(p.name for p in (tmp_path / "runs").glob("run-*"))
    assert kept == [f"run-{i:05d}" for i in (0, 1, 3, 4, 5)]
    failures = json.loads((tmp_path / "runs" / "failures.json").read_text())
    assert failures[0]["name"] == "run-00002" and "Traceback" in failures[0]["traceback"]

    monkeypatch.setattr(runner, "simulate", real)
    with pytest.raises(ConfigError, match="run.resume=true"):
        runner.execute(config, tmp_path)  # a folder with runs is never overwritten silently
    resumed = runner.execute(small_config(resume=True), tmp_path)
    clean = runner.execute(config, tmp_path / "clean")
    for name in runner.TABLES:
        pd.testing.assert_frame_equal(resumed[name], clean[name])
    assert not (tmp_path / "runs" / "failures.json").exists()


def test_resume_refuses_a_different_configuration(tmp_path):
    runner.execute(small_config(), tmp_path)
    changed = small_config(resume=True)
    changed.behaviour.p_share = 0.3
    with pytest.raises(ConfigError, match="different configuration"):
        runner.execute(changed, tmp_path)


def _cli(*args: str, cwd: Path) -> list[str]:
    return [sys.executable, "-m", "diffusion", "+experiment=weak_ties", "scale=ci", "run.n_replicates=6", *args]


def test_sigkill_then_resume_gives_the_tables_of_an_uninterrupted_run(tmp_path):
    """Kill the whole process group with SIGKILL part-way, resume into the same folder, and
    compare every table with a clean run: identical."""
    killed = tmp_path / "killed"
    process = subprocess.Popen(
        _cli(f"hydra.run.dir={killed}", cwd=tmp_path), cwd=tmp_path, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    runs = killed / "runs"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(runs.glob("run-*"))) < 8:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = len(list(runs.glob("run-*")))
    assert 8 <= finished < 42, "the kill should land part-way through the 42 runs"
    assert not (killed / "outcomes.parquet").exists()

    resumed = subprocess.run(_cli(f"hydra.run.dir={killed}", "run.resume=true", cwd=tmp_path), cwd=tmp_path,
                             capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    clean = subprocess.run(_cli(f"hydra.run.dir={tmp_path / 'clean'}", cwd=tmp_path), cwd=tmp_path,
                           capture_output=True, text=True, timeout=600)
    assert clean.returncode == 0, clean.stderr
    for name in runner.TABLES:
        pd.testing.assert_frame_equal(
            pd.read_parquet(killed / f"{name}.parquet"), pd.read_parquet(tmp_path / "clean" / f"{name}.parquet")
        )


def test_a_dying_worker_keeps_finished_runs_and_says_how_to_resume(tmp_path):
    """A policy that kills its worker process (os._exit) in some runs: the experiment stops
    with one clear message naming the way to resume, and no half-gathered tables."""
    (tmp_path / "crashing.py").write_text(
        "import os\n"
        "from diffusion.policies import AppealWeighted\n"
        "class Crash(AppealWeighted):\n"
        "    def allocate(self, state, n_slots, *, rng):\n"
        "        if state.step == 3 and rng.random() < 0.3:\n"
        "            os._exit(3)\n"
        "        return super().allocate(state, n_slots, rng=rng)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    folder = tmp_path / "run"
    args = ["+experiment=weak_ties", "scale=ci", "run.n_jobs=2", f"hydra.run.dir={folder}"]
    crashed = subprocess.run([sys.executable, "-m", "diffusion", *args, "platform.policy._target_=crashing.Crash"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert crashed.returncode == 2
    assert "backend stopped" in crashed.stderr and "run.resume=true" in crashed.stderr
    assert "Traceback" not in crashed.stderr
    assert not (folder / "outcomes.parquet").exists()


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``folder``: modification time (ns) and content."""
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_resume_computes_exactly_the_missing_runs_and_leaves_finished_ones_untouched(tmp_path, monkeypatch):
    """Delete two of six finished run folders and resume in-process (n_jobs = 1): ``simulate``
    is called for exactly those two runs, every file of the other four keeps its bytes and its
    modification time, and the gathered tables equal those of the first, uninterrupted run.
    A resume that recomputed every run would call ``simulate`` six times and rewrite the kept
    folders (a new mtime even with the same bytes)."""
    first = runner.execute(small_config(), tmp_path)
    runs = tmp_path / "runs"
    missing = {1, 4}
    for index in missing:
        shutil.rmtree(runs / f"run-{index:05d}")
    kept = {p.name: _snapshot(p) for p in sorted(runs.glob("run-*"))}
    assert len(kept) == 4
    time.sleep(0.01)  # a rewrite now would carry a later mtime than the snapshot's

    real, computed = runner.simulate, []

    def counting(config, spec, **keywords):
        computed.append(spec.index)
        return real(config, spec, **keywords)

    monkeypatch.setattr(runner, "simulate", counting)
    resumed = runner.execute(small_config(resume=True), tmp_path)
    assert sorted(computed) == sorted(missing)
    assert {p.name: _snapshot(p) for p in sorted(runs.glob("run-*")) if p.name in kept} == kept
    assert sorted(p.name for p in runs.glob("run-*")) == [f"run-{i:05d}" for i in range(6)]
    for name in runner.TABLES:
        pd.testing.assert_frame_equal(resumed[name], first[name])

    computed.clear()
    runner.execute(small_config(resume=True), tmp_path)  # nothing missing: nothing computed
    assert computed == []


def test_the_manifest_lists_the_plan_and_refusals_say_what_to_do(tmp_path):
    """The manifest records the design hash, root seed and every planned run; a folder with
    runs is refused with the two ways out, and a changed design names both hashes and the
    keys that may change."""
    config = small_config()
    runner.execute(config, tmp_path)
    manifest = json.loads((tmp_path / "runs" / runner.MANIFEST).read_text())
    specs = runner.plan(config)
    assert manifest == {
        "design_hash": runner.design_hash(config), "root_seed": config.seed, "n_runs": 6,
        "runs": [{"name": s.name, "point": s.point, "replicate": s.replicate} for s in specs],
    }
    with pytest.raises(ConfigError) as refused:
        runner.execute(config, tmp_path)
    assert "run.resume=true to compute only the missing runs, or choose a new folder (hydra.run.dir=...)." in str(refused.value)
    changed = small_config(resume=True)
    changed.behaviour.p_share = 0.3
    with pytest.raises(ConfigError) as different:
        runner.execute(changed, tmp_path)
    assert f"(design hash {manifest['design_hash']}, now {runner.design_hash(changed)})" in str(different.value)
    assert "(only run.n_jobs, run.progress, run.resume, run.backend, run.scheduler may change)" in str(different.value)


def test_resume_clears_half_written_runs_and_tolerates_an_empty_runs_folder(tmp_path):
    """A run cut off mid-write leaves a hidden staging folder (``.run-NNNNN-*``): resuming
    removes it; a stray file with that prefix cannot be removed as a folder and is left alone
    without stopping the experiment. A runs folder without a manifest (the process died before
    writing it) is started afresh."""
    (tmp_path / "fresh" / "runs").mkdir(parents=True)
    runner.execute(small_config(), tmp_path / "fresh")
    assert (tmp_path / "fresh" / "runs" / runner.MANIFEST).is_file()

    runner.execute(small_config(), tmp_path)
    runs = tmp_path / "runs"
    staging = runs / ".run-00002-abc123"
    staging.mkdir()
    (staging / "outcomes.parquet").write_bytes(b"half")
    (runs / ".run-note").write_text("not a folder")
    runner.execute(small_config(resume=True), tmp_path)
    assert not staging.exists() and (runs / ".run-note").is_file()


def test_the_dask_backend_is_chosen_by_name(tmp_path, monkeypatch):
    """run.backend=dask sends the runs to the Dask path (stood in for here by the joblib one,
    so no cluster starts); the default sends them to joblib."""
    used = []

    def fake_dask(config, pending, runs_dir):
        used.append(len(pending))
        return runner._joblib_runs(config, pending, runs_dir)

    monkeypatch.setattr(runner, "_dask_runs", fake_dask)
    runner.execute(small_config(), tmp_path / "joblib")
    assert used == []
    runner.execute(small_config(backend="dask"), tmp_path / "dask")
    assert used == [6]


def test_a_single_long_run_shows_a_bar_over_its_days(tmp_path, capsys):
    """One pending run runs in this process with a progress bar over its days when
    run.progress is on (a million-user run takes minutes per day); several runs show none
    (the experiment's own bar counts runs)."""
    def config_of(n_replicates):
        base = {"network": {"n_users": 200}, "experiment": {"name": "t"},
                "run": {"n_replicates": n_replicates, "n_steps": 3, "n_jobs": 1, "progress": True}}
        return OmegaConf.to_object(OmegaConf.merge(config_module.schema(), base))

    runner.execute(config_of(1), tmp_path / "one")
    assert "days" in capsys.readouterr().err
    runner.execute(config_of(2), tmp_path / "two")
    assert "days" not in capsys.readouterr().err


def test_progress_wraps_the_pending_runs_and_tables_are_written(tmp_path):
    """The progress wrapper receives the stream of finished runs and the number pending (only
    the missing ones on resume); the gathered tables are also written to the run folder."""
    calls = []

    def progress(finished, total):
        calls.append(total)
        yield from finished

    first = runner.execute(small_config(), tmp_path, progress=progress)
    shutil.rmtree(tmp_path / "runs" / "run-00003")
    runner.execute(small_config(resume=True), tmp_path, progress=progress)
    assert calls == [6, 1]
    for name in runner.TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / f"{name}.parquet"), first[name])
        # no index column in the file: readers other than pandas see the table's columns only
        assert pq.read_schema(tmp_path / f"{name}.parquet").names == list(first[name].columns)


def test_a_broken_backend_reports_how_far_it_got(tmp_path, monkeypatch):
    """A backend that breaks after one run (a worker died): the message names the backend,
    the runs finished now and before (two kept from an earlier attempt), the first line of the
    error, and how to resume; no gathered tables are written."""
    runner.execute(small_config(), tmp_path)
    for index in (2, 3, 4, 5):
        shutil.rmtree(tmp_path / "runs" / f"run-{index:05d}")
    real = runner._joblib_runs

    def breaking(config, pending, runs_dir, message="worker lost\nsecond line"):
        runs = real(config, pending, runs_dir)
        yield next(runs)
        raise RuntimeError(message)

    monkeypatch.setattr(runner, "_joblib_runs", breaking)
    (tmp_path / "outcomes.parquet").unlink()
    with pytest.raises(runner.RunsFailed) as stopped:
        runner.execute(small_config(resume=True), tmp_path)
    assert str(stopped.value) == (
        "the joblib backend stopped after 1 of 4 runs: RuntimeError: worker lost. A worker process may "
        "have died (out of memory, a crash in compiled code). The 3 finished runs are kept in "
        f"{tmp_path / 'runs'}; rerun the same command with run.resume=true to compute the rest."
    )
    assert not (tmp_path / "outcomes.parquet").exists()
    monkeypatch.setattr(runner, "_joblib_runs", lambda *a: breaking(*a, message=""))
    with pytest.raises(runner.RunsFailed, match=r"stopped after 1 of 3 runs: RuntimeError: \. A worker"):
        runner.execute(small_config(resume=True), tmp_path)


def test_failed_runs_are_reported_lowest_index_first_with_the_count_kept(tmp_path, monkeypatch):
    """Two runs fail and their failures arrive in reverse order: the message names the lower
    index first and counts the four runs kept; failures.json lists both in plan order."""
    real = runner._joblib_runs

    def reversed_failures(config, pending, runs_dir):
        outcomes = list(real(config, pending, runs_dir))
        return iter(sorted(outcomes, key=lambda o: -o.spec.index))

    real_simulate = runner.simulate

    def flaky(config, spec, **keywords):
        if spec.index in (1, 4):
            raise ValueError(f"boom {spec.index}")
        return real_simulate(config, spec, **keywords)

    monkeypatch.setattr(runner, "_joblib_runs", reversed_failures)
    monkeypatch.setattr(runner, "simulate", flaky)
    with pytest.raises(runner.RunsFailed, match=r"^2 run\(s\) failed; the first, run-00001 .*raised ValueError: boom 1\. "
                       r".*the 4 finished runs are kept"):
        runner.execute(small_config(), tmp_path)
    failures = json.loads((tmp_path / "runs" / "failures.json").read_text())
    assert [f["name"] for f in failures] == ["run-00001", "run-00004"]
