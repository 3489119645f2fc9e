"""Fault injection: every user mistake and fault ends in one paragraph, and nothing finished is lost.

Each test drives the command line as a user would (a subprocess), then checks the exit status,
that the message is one paragraph without a traceback, that it names what to do next, and that
a finished run folder is left byte for byte as it was (a refused command) or keeps every
finished run (a fault). The experiment is weak_ties at ``scale=ci`` narrowed to two weak-tie
shares and two replicates, so each run of the command line takes a few seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from diffusion import collect, runner
from diffusion.errors import ConfigError

#: The small experiment every test runs: 2 grid points x 2 replicates.
SMALL = ("+experiment=weak_ties", "scale=ci", "experiment.sweep.network.weak_tie_share=[0,0.3]",
         "run.n_replicates=2", "run.n_jobs=1", "run.progress=false")
TABLES = ("trajectories", "outcomes", "cascades", "creators")


def cli(*arguments: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "diffusion", *arguments], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def assert_one_paragraph(result: subprocess.CompletedProcess, status: int = 2, *, starts: str = "error: ") -> str:
    """The command failed with ``status`` and said why in one paragraph, without a traceback."""
    text = result.stderr.strip()
    assert result.returncode == status, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert text.startswith(starts), text
    assert "\n\n" not in text and "Error merging override" not in text, text
    return text


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` with the SHA-256 of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A finished run folder of the small experiment (not to be changed by any test)."""
    folder = tmp_path_factory.mktemp("finished") / "run"
    result = cli(*SMALL, f"hydra.run.dir={folder}", cwd=folder.parent)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def copy_of(finished, tmp_path) -> Path:
    """A copy of the finished run folder that a test may damage."""
    target = tmp_path / "run"
    shutil.copytree(finished, target)
    return target


# ----------------------------------------------------------------- overrides of swept keys
@pytest.mark.parametrize("mode", [(), ("-m",)])
def test_an_override_of_a_swept_key_is_refused_not_ignored(mode, tmp_path):
    """Before the fix, the whole grid ran and the override was silently dropped (issue 23, item 1)."""
    result = cli(*mode, "+experiment=weak_ties", "scale=ci", "network.weak_tie_share=0.1,0.3" if mode else
                 "network.weak_tie_share=0.1", f"hydra.run.dir={tmp_path / 'run'}", f"hydra.sweep.dir={tmp_path / 'm'}",
                 cwd=tmp_path)
    text = assert_one_paragraph(result)
    assert "sweeps network.weak_tie_share" in text and "'experiment.sweep.network.weak_tie_share=[0.1" in text
    assert not (tmp_path / "run").exists() and not (tmp_path / "m").exists()


def test_a_group_the_experiment_sweeps_cannot_be_chosen_on_the_command_line(tmp_path):
    result = cli("+experiment=gatekeeping", "scale=ci", "platform=centralized", cwd=tmp_path)
    assert "'experiment.sweep.platform=[centralized]'" in assert_one_paragraph(result)


def test_the_documented_sweep_form_changes_the_grid_and_keeps_the_other_keys(finished, tmp_path):
    """``experiment.sweep.KEY=[...]`` with a dotted KEY (Hydra alone says "not in struct")."""
    outcomes = pd.read_parquet(finished / "outcomes.parquet")
    assert sorted(outcomes["weak_tie_share"].unique()) == [0.0, 0.3]
    result = cli("+experiment=big_account", "scale=ci", "experiment.sweep.platform.policy.cold_start_share=[0.1]",
                 "--cfg", "job", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sweep = json.loads(json.dumps(__import__("yaml").safe_load(result.stdout)["experiment"]["sweep"]))
    assert sweep["platform.policy.cold_start_share"] == [0.1]
    assert len(sweep["strategy"]) == 5  # the experiment's other sweep key is kept


# ----------------------------------------------------------------- refusals leave the folder as it was
@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (("behaviour.p_share=1.7",), "behaviour.p_share=1.7 is out of range"),
        (("behaviour.p_share=abc",), "behaviour.p_share='abc'"),
        ((), "already holds runs"),  # the same command again, without run.resume
        (("run.resume=true", "behaviour.p_share=0.3"), "different configuration"),
        (("campaign.n_creators=0",), "campaign.n_creators=0 leaves experiment weak_ties nothing to measure"),
        (("network.weak_tie_share=0.2",), "would be ignored"),
    ],
)
def test_a_refused_command_leaves_a_finished_run_folder_byte_identical(finished, arguments, expected):
    """Hydra used to rewrite .hydra/ before the task refused (issue 23, item 2)."""
    before = snapshot(finished)
    result = cli(*SMALL, f"hydra.run.dir={finished}", *arguments, cwd=finished.parent)
    assert expected in assert_one_paragraph(result)
    assert snapshot(finished) == before


# ----------------------------------------------------------------- provenance
def test_the_config_hash_and_provenance_do_not_change_on_resume(copy_of):
    before = json.loads((copy_of / "provenance.json").read_text())
    tables = {t: pd.read_parquet(copy_of / f"{t}.parquet") for t in TABLES}
    result = cli(*SMALL, f"hydra.run.dir={copy_of}", "run.resume=true", "run.n_jobs=2", cwd=copy_of.parent)
    assert result.returncode == 0, result.stderr
    after = json.loads((copy_of / "provenance.json").read_text())
    assert after["config_hash"] == before["config_hash"]
    assert after["config"] == before["config"]  # the full resolved configuration, without run control
    assert after["config"]["network"]["n_users"] == 600 and "resume" not in after["config"]["run"]
    for name in TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(copy_of / f"{name}.parquet"), tables[name])


# ----------------------------------------------------------------- damaged run folders
def test_damaged_runs_and_manifest_are_detected_moved_aside_and_recomputed(finished, copy_of):
    runs = copy_of / "runs"
    (runs / "run-00001" / "outcomes.parquet").write_bytes(b"not a parquet file")
    (runs / "run-00002" / "run.json").write_text("{broken")
    record = json.loads((runs / "run-00003" / "run.json").read_text())
    (runs / "run-00003" / "run.json").write_text(json.dumps({**record, "replicate": 7}))
    (runs / "manifest.json").write_text("{broken")
    untouched = snapshot(runs / "run-00000")
    result = cli(*SMALL, f"hydra.run.dir={copy_of}", "run.resume=true", cwd=copy_of.parent)
    assert result.returncode == 0, result.stderr
    for name in ("manifest.json", "run-00001", "run-00002", "run-00003"):
        assert f"{name} was damaged" in result.stderr
        assert (runs / "damaged" / name).exists()
    assert snapshot(runs / "run-00000") == untouched  # a sound run is not recomputed
    for name in TABLES:  # the recomputed runs are the runs they replace
        pd.testing.assert_frame_equal(pd.read_parquet(copy_of / f"{name}.parquet"),
                                      pd.read_parquet(finished / f"{name}.parquet"))


def test_a_damaged_manifest_over_runs_of_another_configuration_is_refused(copy_of):
    runs = copy_of / "runs"
    (runs / "manifest.json").write_text("{broken")
    for record_path in runs.glob("run-*/run.json"):
        record = json.loads(record_path.read_text())
        record_path.write_text(json.dumps({**record, "design_hash": "000000000000"}))
    before = snapshot(copy_of)
    result = cli(*SMALL, f"hydra.run.dir={copy_of}", "run.resume=true", cwd=copy_of.parent)
    text = assert_one_paragraph(result)
    assert "manifest.json is damaged" in text and "delete" in text
    assert snapshot(copy_of) == before


# ----------------------------------------------------------------- Ctrl-C
def test_ctrl_c_keeps_finished_runs_and_prints_the_resume_command(tmp_path):
    """SIGINT to the whole process group, as a terminal's Ctrl-C sends it, with two workers."""
    folder = tmp_path / "run"
    arguments = [*SMALL, "run.n_replicates=30", "run.n_jobs=2", f"hydra.run.dir={folder}"]
    process = subprocess.Popen([sys.executable, "-m", "diffusion", *arguments], cwd=tmp_path, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 300
    while len(list(folder.glob("runs/run-*/run.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    text = assert_one_paragraph(subprocess.CompletedProcess(process.args, process.returncode, "", stderr),
                                status=130, starts="interrupted: ")
    assert "leaked semaphore" not in stderr
    kept = {p.parent.name: snapshot(p.parent) for p in folder.glob("runs/run-*/run.json")}
    assert f"{len(kept)} of 120 runs had finished and are kept" in text  # 2 shares x 2 W1 arms x 30
    command = shlex.split(text.splitlines()[-1].strip())
    assert command[:3] == ["python", "-m", "diffusion"] and "run.resume=true" in command
    resumed = subprocess.run([sys.executable, *command[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert len(pd.read_parquet(folder / "outcomes.parquet")) == 120
    assert {name: snapshot(folder / "runs" / name) for name in kept} == kept  # finished runs untouched


# ----------------------------------------------------------------- the output folder
def test_an_unwritable_output_folder_is_refused_before_anything_runs(tmp_path):
    result = cli(*SMALL, "hydra.run.dir=/proc/diffusion-test/run", cwd=tmp_path)
    assert "cannot write the run folder /proc/diffusion-test/run" in assert_one_paragraph(result)


def test_a_nearly_full_disk_is_refused_before_anything_runs(tmp_path, monkeypatch):
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=10 * 2**20))
    with pytest.raises(ConfigError, match="has only 10 MB free"):
        runner.check_output_folder(tmp_path / "run")


# ----------------------------------------------------------------- values of the wrong type
@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("network.n_users=abc", "error: network.n_users='abc' is out of range: it must be a whole number"),
        ("seed=abc", "error: seed='abc' is out of range"),
        ("network.n_users=1e12", "error: network.n_users=1000000000000.0 is out of range"),
        ("seed=-1", "error: seed=-1 is out of range"),
        ("network.n_users=4", "error: network.n_users=4 is too small for acquaintance circles"),
        ("run.progress=maybe", "error: run.progress='maybe' is not true or false"),
    ],
)
def test_type_and_range_errors_name_the_key_in_one_line(override, expected, tmp_path):
    result = cli(*SMALL, override, f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert assert_one_paragraph(result).startswith(expected)
    assert not (tmp_path / "run" / "runs").exists()


# ----------------------------------------------------------------- your own network file
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (bytes(range(256)), "is not a UTF-8 text file"),
        (b"source,target\na,b\na,b\n", "set network.clean=true on the command line"),
        (b"source,target\na,b\nb,c\nc,d\n", "has 4 users"),
        (b"<graphml><broken", "is not valid GraphML"),
    ],
)
def test_a_bad_network_file_is_refused_once_before_any_run(content, expected, tmp_path):
    path = tmp_path / ("net.graphml" if content.startswith(b"<") else "net.csv")
    path.write_bytes(content)
    result = cli("+experiment=gatekeeping", "scale=ci", "network.kind=file", f"network.path={path}",
                 f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    text = assert_one_paragraph(result)
    assert expected in text and "network.n_users" not in text
    assert not (tmp_path / "run" / "runs").exists()


def test_a_sweep_over_a_setting_a_file_network_ignores_is_refused(tmp_path):
    path = tmp_path / "net.csv"
    path.write_text("source,target\n" + "".join(f"{i},{(i + 1) % 300}\n" for i in range(300)))
    result = cli("+experiment=weak_ties", "scale=ci", "network.kind=file", f"network.path={path}", cwd=tmp_path)
    assert "sweeps network.weak_tie_share, which a network of kind=file ignores" in assert_one_paragraph(result)


# ----------------------------------------------------------------- collect
def test_collect_reports_partial_results_and_refuses_an_empty_one(finished, tmp_path, capsys):
    partial = tmp_path / "partial"
    shutil.copytree(finished, partial)
    for table in TABLES:
        (partial / f"{table}.parquet").unlink()
    shutil.rmtree(partial / "runs" / "run-00003")
    (partial / "runs" / "run-00002" / "cascades.parquet").write_bytes(b"damaged")
    report = collect.collect([partial], tmp_path / "out")
    # 2 shares x 2 W1 arms x 2 replicates planned; one run removed, one damaged
    assert "collect: 6 of 8 planned runs present" in capsys.readouterr().err
    assert "**Partial results: 6 of 8 planned runs.**" in report.read_text()
    assert json.loads((tmp_path / "out" / "collected.json").read_text())["runs_present"] == 6

    for run in (partial / "runs").glob("run-*"):
        shutil.rmtree(run)
    result = subprocess.run([sys.executable, "-m", "diffusion.collect", str(partial), "--out", str(tmp_path / "none")],
                            capture_output=True, text=True, cwd=tmp_path)
    assert "nothing to collect" in assert_one_paragraph(result)
    assert not (tmp_path / "none").exists()
