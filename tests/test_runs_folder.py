"""The runs folder and the checks before a run, in process (issues 23 and 24).

``tests/test_faults.py`` drives the same paths through the command line in a subprocess, which
mutation testing cannot see (the subprocess imports the installed package, not the mutant).
Here the runner's functions are called directly: a small experiment (2 weak-tie shares x 2
replicates, 300 users, 3 days) is run once into a folder, copies of it are damaged, and
:func:`runner.inspect_runs_dir`, :func:`runner.prepare_runs_dir`, :func:`runner.preflight` and
the design checks are held to the exact verdicts, messages and files they promise.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf

from diffusion import config as config_module
from diffusion import runner
from diffusion.errors import ConfigError, NetworkFileError

REFUSAL_TAIL = "run.resume=true to compute only the missing runs, or choose a new folder (hydra.run.dir=...)."
JSON_ERROR = "JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"


def small_config(*, claims=(), sweep=None, network=None, campaign=None, **run):
    """2 grid points x 2 replicates of 300 users for 3 days, run in this process."""
    base = {
        "network": {"n_users": 300, **(network or {})},
        "campaign": campaign or {},
        "run": {"n_replicates": 2, "n_steps": 3, "n_jobs": 1, "progress": False, **run},
        "experiment": {"name": "t", "claims": list(claims),
                       "sweep": {"network.weak_tie_share": [0.0, 0.3]} if sweep is None else sweep},
    }
    return OmegaConf.to_object(OmegaConf.merge(config_module.schema(), base))


def settings_of(config):
    return config_module.apply_point(config, {})


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``folder``: modification time (ns) and bytes."""
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def ring_csv(path: Path, n_users: int) -> Path:
    path.write_text("source,target\n" + "".join(f"{i},{(i + 1) % n_users}\n" for i in range(n_users)))
    return path


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A finished run folder of the small experiment (no test changes it)."""
    folder = tmp_path_factory.mktemp("finished") / "out"
    runner.execute(small_config(), folder)
    return folder


@pytest.fixture
def copy_of(finished, tmp_path) -> Path:
    target = tmp_path / "out"
    shutil.copytree(finished, target)
    return target


# ----------------------------------------------------------------- reading a record
def test_read_json_returns_the_document_or_the_first_line_of_why_not(tmp_path):
    (tmp_path / "good.json").write_text('{"a": [1, 2]}')
    assert runner._read_json(tmp_path / "good.json") == ({"a": [1, 2]}, None)
    (tmp_path / "broken.json").write_text("{broken")
    assert runner._read_json(tmp_path / "broken.json") == (None, JSON_ERROR)
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe")
    assert runner._read_json(tmp_path / "binary.json") == (
        None, "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte")
    missing = tmp_path / "missing.json"
    assert runner._read_json(missing) == (
        None, f"FileNotFoundError: [Errno 2] No such file or directory: '{missing}'")

    class Unreadable:
        def __init__(self, message):
            self.message = message

        def read_text(self):
            raise OSError(self.message)

    assert runner._read_json(Unreadable("first line\nsecond line")) == (None, "OSError: first line")
    assert runner._read_json(Unreadable("")) == (None, "OSError: ")


# ----------------------------------------------------------------- one run's folder
def test_a_sound_run_folder_has_no_damage(finished):
    config = small_config()
    for spec in runner.plan(config):
        assert runner._damage_of(config, spec, finished / "runs" / spec.name) is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"replicate": 7}, "run.json records replicate=7, but this run has 1"),
        ({"name": "run-00009"}, "run.json records name='run-00009', but this run has 'run-00001'"),
        ({"point": {"network.weak_tie_share": 0.3}},
         "run.json records point={'network.weak_tie_share': 0.3}, but this run has {'network.weak_tie_share': 0.0}"),
        ({"root_seed": 7}, "run.json records root_seed=7, but this run has 2021"),
        ({"design_hash": "000000000000"}, "run.json records design_hash='000000000000', but this run has '{digest}'"),
        ({"replicate": 7, "root_seed": 7}, "run.json records replicate=7, but this run has 1"),  # first key first
        ({"index": 9}, None),  # the index is not checked: the name carries it
    ],
)
def test_a_record_that_describes_another_run_is_damage(finished, tmp_path, change, expected):
    config = small_config()
    spec = runner.plan(config)[1]
    folder = tmp_path / spec.name
    shutil.copytree(finished / "runs" / spec.name, folder)
    record = json.loads((folder / "run.json").read_text())
    (folder / "run.json").write_text(json.dumps({**record, **change}))
    wanted = None if expected is None else expected.replace("{digest}", runner.design_hash(config))
    assert runner._damage_of(config, spec, folder) == wanted


def test_a_record_without_design_hash_is_accepted_but_one_without_another_key_is_not(copy_of):
    """Records written before the design hash was recorded still resume; every other key must be there."""
    config = small_config()
    spec = runner.plan(config)[2]
    path = copy_of / "runs" / spec.name / "run.json"
    record = json.loads(path.read_text())
    path.write_text(json.dumps({k: v for k, v in record.items() if k != "design_hash"}))
    assert runner._damage_of(config, spec, path.parent) is None
    path.write_text(json.dumps({k: v for k, v in record.items() if k != "root_seed"}))
    assert runner._damage_of(config, spec, path.parent) == "run.json records root_seed=None, but this run has 2021"


def test_unreadable_records_and_tables_are_damage_named_by_file(copy_of, monkeypatch):
    config = small_config()
    spec = runner.plan(config)[0]
    folder = copy_of / "runs" / spec.name
    parquet = (folder / "outcomes.parquet").read_bytes()
    (folder / "outcomes.parquet").write_bytes(parquet[: len(parquet) // 2])
    damage = runner._damage_of(config, spec, folder)
    assert damage.startswith("outcomes.parquet cannot be read (ArrowInvalid: ") and damage.endswith(")")
    assert "\n" not in damage
    (folder / "trajectories.parquet").unlink()  # tables are checked in order
    assert runner._damage_of(config, spec, folder) == (
        f"trajectories.parquet cannot be read (FileNotFoundError: {folder / 'trajectories.parquet'})")
    (folder / "run.json").write_text("[1, 2]")  # the record is checked before the tables
    assert runner._damage_of(config, spec, folder) == "run.json does not hold a run record"
    (folder / "run.json").write_text("{broken")
    assert runner._damage_of(config, spec, folder) == f"run.json cannot be read ({JSON_ERROR})"

    shutil.copytree(copy_of / "runs" / "run-00001", folder, dirs_exist_ok=True)
    spec1 = runner.plan(config)[1]
    import pyarrow.parquet as pq

    def failing(message):
        def read_table(path):
            raise ValueError(message)
        return read_table

    monkeypatch.setattr(pq, "read_table", failing("first\nsecond"))
    assert runner._damage_of(config, spec1, folder) == "trajectories.parquet cannot be read (ValueError: first)"
    monkeypatch.setattr(pq, "read_table", failing(""))
    assert runner._damage_of(config, spec1, folder) == "trajectories.parquet cannot be read (ValueError: )"


# ----------------------------------------------------------------- the whole runs folder
def test_an_absent_or_empty_runs_folder_holds_nothing(tmp_path):
    config = small_config()
    empty = runner.RunsFolder(frozenset(), {}, None)
    assert runner.inspect_runs_dir(config, tmp_path / "runs", runner.plan(config)) == empty
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "run-00000").write_text("a file, not a run folder")
    assert runner.inspect_runs_dir(config, tmp_path / "runs", runner.plan(config)) == empty
    assert listing(tmp_path) == ["runs", "runs/run-00000"]


def test_a_finished_folder_is_refused_without_resume_and_accepted_with_it(copy_of):
    runs = copy_of / "runs"
    specs = runner.plan(small_config())
    with pytest.raises(ConfigError) as refused:
        runner.inspect_runs_dir(small_config(), runs, specs)
    assert str(refused.value) == (
        f"{copy_of} already holds runs of an experiment ({runs / 'manifest.json'}). Rerun with {REFUSAL_TAIL}")
    assert runner.inspect_runs_dir(small_config(resume=True), runs, specs) == runner.RunsFolder(
        frozenset({0, 1, 2, 3}), {}, None)
    # only the planned runs are looked at
    assert runner.inspect_runs_dir(small_config(resume=True), runs, specs[2:]) == runner.RunsFolder(
        frozenset({2, 3}), {}, None)

    (runs / "manifest.json").unlink()  # the process died before writing the manifest
    shutil.rmtree(runs / "run-00000")
    with pytest.raises(ConfigError) as refused:
        runner.inspect_runs_dir(small_config(), runs, specs)
    assert str(refused.value) == (
        f"{copy_of} already holds runs ({runs / 'run-00001'}). Rerun with {REFUSAL_TAIL}")
    assert runner.inspect_runs_dir(small_config(resume=True), runs, specs) == runner.RunsFolder(
        frozenset({1, 2, 3}), {}, None)


def test_a_folder_of_another_configuration_is_refused_naming_both_hashes(copy_of):
    changed = small_config(resume=True)
    changed.behaviour.p_share = 0.3
    old = runner.design_hash(small_config())
    with pytest.raises(ConfigError) as refused:
        runner.inspect_runs_dir(changed, copy_of / "runs", runner.plan(changed))
    assert str(refused.value) == (
        f"run.resume=true, but {copy_of} was started with a different configuration (design hash {old}, "
        f"now {runner.design_hash(changed)}). Resume with exactly the same command (only run.n_jobs, "
        "run.progress, run.resume, run.backend, run.scheduler may change).")


def test_damaged_runs_are_named_and_sound_ones_kept(copy_of):
    config = small_config(resume=True)
    runs = copy_of / "runs"
    (runs / "run-00002" / "run.json").write_text("{broken")
    record = json.loads((runs / "run-00003" / "run.json").read_text())
    (runs / "run-00003" / "run.json").write_text(json.dumps({**record, "replicate": 0}))
    before = snapshot(copy_of)
    assert runner.inspect_runs_dir(config, runs, runner.plan(config)) == runner.RunsFolder(
        frozenset({0, 1}),
        {2: f"run.json cannot be read ({JSON_ERROR})", 3: "run.json records replicate=0, but this run has 1"},
        None,
    )
    assert snapshot(copy_of) == before  # inspecting writes nothing


@pytest.mark.parametrize(
    ("content", "why"),
    [("{broken", JSON_ERROR), ("[]", "it holds no design hash"), ('{"root_seed": 2021}', "it holds no design hash")],
)
def test_a_damaged_manifest_is_rebuilt_from_runs_that_record_this_configuration(copy_of, content, why):
    config = small_config(resume=True)
    runs = copy_of / "runs"
    (runs / "manifest.json").write_text(content)
    (runs / "run-00001" / "run.json").write_text("{broken")  # an unreadable record: recomputed, not trusted
    assert runner.inspect_runs_dir(config, runs, runner.plan(config)) == runner.RunsFolder(
        frozenset({0, 2, 3}), {1: f"run.json cannot be read ({JSON_ERROR})"}, why)
    for name in ("run-00000", "run-00002", "run-00003"):
        shutil.rmtree(runs / name)
    assert runner.inspect_runs_dir(config, runs, runner.plan(config)) == runner.RunsFolder(
        frozenset(), {1: f"run.json cannot be read ({JSON_ERROR})"}, why)


@pytest.mark.parametrize("foreign", [{"design_hash": "000000000000"}, {"design_hash": None}])
def test_a_damaged_manifest_over_runs_of_another_configuration_is_refused(copy_of, foreign):
    """One run recording another design hash (or none) is enough to refuse."""
    config = small_config(resume=True)
    runs = copy_of / "runs"
    (runs / "manifest.json").write_text("{broken")
    path = runs / "run-00002" / "run.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **foreign}))
    before = snapshot(copy_of)
    with pytest.raises(ConfigError) as refused:
        runner.inspect_runs_dir(config, runs, runner.plan(config))
    manifest, digest = runs / "manifest.json", runner.design_hash(config)
    assert str(refused.value) == (
        f"{manifest} is damaged ({JSON_ERROR}), and the runs in {runs} do not all record this configuration's "
        f"design hash ({digest}), so they cannot be checked against this command. If they were made by this "
        f"same command, delete {manifest} and rerun with run.resume=true; otherwise choose a new folder "
        "(hydra.run.dir=...).")
    with pytest.raises(ConfigError):
        runner.prepare_runs_dir(config, runs, runner.plan(config), notify=pytest.fail)
    assert snapshot(copy_of) == before


# ----------------------------------------------------------------- repairing it
def test_a_new_runs_folder_gets_the_manifest_of_the_plan(tmp_path):
    config = small_config()
    specs = runner.plan(config)
    runs = tmp_path / "deep" / "runs"
    assert runner.prepare_runs_dir(config, runs, specs, notify=pytest.fail) == set()
    assert listing(runs) == ["manifest.json"]
    assert json.loads((runs / "manifest.json").read_text()) == {
        "design_hash": runner.design_hash(config), "root_seed": 2021, "n_runs": 4,
        "runs": [{"name": f"run-{i:05d}", "point": {"network.weak_tie_share": share}, "replicate": r}
                 for i, (share, r) in enumerate([(0.0, 0), (0.0, 1), (0.3, 0), (0.3, 1)])],
    }


def test_damaged_runs_and_manifest_are_moved_aside_one_note_each_and_recomputed(finished, copy_of):
    config = small_config(resume=True)
    specs = runner.plan(config)
    runs = copy_of / "runs"
    parquet = (runs / "run-00001" / "outcomes.parquet").read_bytes()
    (runs / "run-00001" / "outcomes.parquet").write_bytes(parquet[:100])
    (runs / "run-00002" / "run.json").write_text("{broken")
    record = json.loads((runs / "run-00003" / "run.json").read_text())
    (runs / "run-00003" / "run.json").write_text(json.dumps({**record, "replicate": 7}))
    (runs / "manifest.json").write_text("{broken")
    sound = snapshot(runs / "run-00000")
    damaged_files = {name: snapshot(runs / name) for name in ("run-00001", "run-00002", "run-00003")}
    state = runner.inspect_runs_dir(config, runs, specs)
    assert state.damaged[1].startswith("outcomes.parquet cannot be read (ArrowInvalid: ")
    time.sleep(0.01)  # a rewrite of the sound run would now carry a later mtime

    notes = []
    assert runner.prepare_runs_dir(config, runs, specs, notify=notes.append) == {0}
    aside = runs / "damaged"
    assert notes == [
        f"note: {runs / 'manifest.json'} was damaged ({JSON_ERROR}); every finished run records this "
        f"configuration, so the manifest was rebuilt (the damaged one is kept as {aside / 'manifest.json'}).",
        f"note: run-00001 was damaged ({state.damaged[1]}); moved to {aside / 'run-00001'} and computed again.",
        f"note: run-00002 was damaged (run.json cannot be read ({JSON_ERROR})); moved to {aside / 'run-00002'} "
        "and computed again.",
        f"note: run-00003 was damaged (run.json records replicate=7, but this run has 1); moved to "
        f"{aside / 'run-00003'} and computed again.",
    ]
    assert sorted(p.name for p in runs.iterdir()) == ["damaged", "manifest.json", "run-00000"]
    assert sorted(p.name for p in aside.iterdir()) == ["manifest.json", "run-00001", "run-00002", "run-00003"]
    assert (aside / "manifest.json").read_text() == "{broken"
    assert {name: snapshot(aside / name) for name in damaged_files} == damaged_files  # moved, not rewritten
    assert snapshot(runs / "run-00000") == sound
    assert (runs / "manifest.json").read_bytes() == (finished / "runs" / "manifest.json").read_bytes()

    (runs / "manifest.json").write_text("[]")  # damaged twice: the first one kept is not overwritten
    notes.clear()
    assert runner.prepare_runs_dir(config, runs, specs, notify=notes.append) == {0}
    assert notes == [
        f"note: {runs / 'manifest.json'} was damaged (it holds no design hash); every finished run records this "
        f"configuration, so the manifest was rebuilt (the damaged one is kept as {aside / 'manifest.json.2'}).",
    ]
    assert (aside / "manifest.json").read_text() == "{broken" and (aside / "manifest.json.2").read_text() == "[]"

    resumed = runner.execute(config, copy_of, notify=pytest.fail)
    for name in runner.TABLES:
        pd.testing.assert_frame_equal(resumed[name], pd.read_parquet(finished / f"{name}.parquet"))
    assert snapshot(runs / "run-00000") == sound


def test_repairs_are_printed_to_standard_error_by_default(copy_of, capsys):
    config = small_config(resume=True)
    runs = copy_of / "runs"
    (runs / "run-00002" / "run.json").write_text("{broken")
    assert runner.prepare_runs_dir(config, runs, runner.plan(config)) == {0, 1, 3}
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"note: run-00002 was damaged (run.json cannot be read ({JSON_ERROR})); moved to "
                            f"{runs / 'damaged' / 'run-00002'} and computed again.\n")


def test_repairs_are_noted_in_plan_order_whatever_order_the_runs_are_given(copy_of):
    config = small_config(resume=True)
    runs = copy_of / "runs"
    for name in ("run-00001", "run-00003"):
        (runs / name / "run.json").write_text("{broken")
    notes = []
    assert runner.prepare_runs_dir(config, runs, runner.plan(config)[::-1], notify=notes.append) == {0, 2}
    assert [line.split()[1] for line in notes] == ["run-00001", "run-00003"]


def test_move_aside_never_overwrites(tmp_path):
    aside = tmp_path / "a" / "damaged"
    for n, expected in enumerate(["run-00001", "run-00001.2", "run-00001.3"]):
        (tmp_path / "run-00001").mkdir()
        (tmp_path / "run-00001" / "x").write_text(str(n))
        assert runner._move_aside(tmp_path / "run-00001", aside) == aside / expected
        assert not (tmp_path / "run-00001").exists()
    assert [(aside / name / "x").read_text() for name in ("run-00001", "run-00001.2", "run-00001.3")] == ["0", "1", "2"]


# ----------------------------------------------------------------- checks before any run
def test_network_keys_used_by_each_kind():
    hosting = {"users_per_city", "poor_city_share", "strong_tie_strength", "weak_tie_strength", "trait_noise",
               "n_trait_dims", "creator_share", "follower_min", "follower_tail_index", "follow_same_city_share",
               "newcomer_share"}
    assert runner.network_keys_used("file") == hosting
    assert runner.network_keys_used("generator") == hosting | {"n_users"}
    assert runner.network_keys_used("barabasi_albert") == hosting | {"n_users", "mean_degree"}
    assert runner.network_keys_used("society") == hosting | {
        "n_users", "mean_degree", "weak_tie_share", "weak_ties", "weak_same_city_share", "circle_size_mean"}


def test_a_sweep_over_a_network_setting_the_kind_ignores_is_refused():
    file_kind = settings_of(small_config(network={"kind": "file", "path": "net.csv"}))
    with pytest.raises(ConfigError) as refused:
        runner._check_swept_keys_apply(file_kind, ["behaviour.p_share", "network.creator_share", "network.n_users"])
    assert str(refused.value) == (
        "experiment t sweeps network.n_users, which a network of kind=file ignores (its ties come from the file): "
        "every value would give the same network. Use network.kind=society for this experiment, or sweep "
        "something the file network uses.")
    hubs = settings_of(small_config(network={"kind": "barabasi_albert"}))
    runner._check_swept_keys_apply(hubs, ["network.mean_degree", "network.n_users", "network.kind"])
    with pytest.raises(ConfigError) as refused:
        runner._check_swept_keys_apply(hubs, ["network.weak_tie_share"])
    assert str(refused.value).startswith(
        "experiment t sweeps network.weak_tie_share, which a network of kind=barabasi_albert ignores "
        "(the barabasi_albert network does not read it): every value")
    runner._check_swept_keys_apply(hubs, ["behaviour.weak_tie_share", "weak_tie_share"])  # not network keys
    runner._check_swept_keys_apply(settings_of(small_config()), ["network.weak_tie_share", "network.mean_degree"])


def test_check_design_refuses_a_campaign_claim_without_campaign_creators():
    config = small_config(claims=["W1", "D1", "W2"], campaign={"n_creators": 0})
    with pytest.raises(ConfigError) as refused:
        runner.check_design(settings_of(config), 300)
    assert str(refused.value) == (
        "campaign.n_creators=0 leaves experiment t nothing to measure for W1, W2: their reach, speed and cascade "
        "measures follow the campaign's items. Use campaign.n_creators=1 or more (default 5).")
    runner.check_design(settings_of(small_config(claims=["D1"], campaign={"n_creators": 0})), 300)
    runner.check_design(settings_of(small_config(campaign={"n_creators": 0})), 300)


def test_check_design_refuses_too_few_creators_naming_the_minimum():
    comparison = settings_of(small_config(claims=["D1"]))
    with pytest.raises(ConfigError) as refused:
        runner.check_design(comparison, 74)
    assert str(refused.value) == (
        "network.n_users=74: with network.creator_share=0.02 that makes 1 creator(s), fewer than the 2 "
        "experiment t needs (one per campaign item, and at least two to compare). It needs at least 75 users "
        "at this creator share, or a larger network.creator_share.")
    runner.check_design(comparison, 75)
    campaign = settings_of(small_config(claims=["W1"], campaign={"n_creators": 1}))
    with pytest.raises(ConfigError, match="makes 1 creator\\(s\\), fewer than the 2 experiment t needs"):
        runner.check_design(campaign, 74)  # one campaign item, but two creators to compare
    runner.check_design(campaign, 75)
    tiny_share = settings_of(small_config(claims=["D1"], network={"creator_share": 0.001}))
    with pytest.raises(ConfigError, match="makes 1 creator\\(s\\).* at least 1500 users"):
        runner.check_design(tiny_share, 300)  # round(0.3) = 0, but a society has at least one creator
    file_kind = settings_of(small_config(claims=["D1"], network={"kind": "file", "path": "net.csv"}))
    with pytest.raises(ConfigError, match="^the network file net.csv has 40 users: with network.creator_share"):
        runner.check_design(file_kind, 40)
    runner.check_design(settings_of(small_config()), 5)  # no claims: nothing to refuse


@pytest.mark.parametrize("creator_share", [0.02, 0.03, 0.04, 0.05, 0.1])
@pytest.mark.parametrize("n_creators", [1, 2, 3, 4, 5, 6, 7])
def test_the_minimum_check_design_names_is_the_smallest_size_it_accepts(creator_share, n_creators):
    """The society makes ``max(1, round(creator_share * n_users))`` creators (round half to even);
    the stated minimum must be accepted and one user fewer refused."""
    settings = settings_of(small_config(claims=["W1"], campaign={"n_creators": n_creators},
                                        network={"creator_share": creator_share}))
    with pytest.raises(ConfigError) as refused:
        runner.check_design(settings, 1)
    minimum = int(str(refused.value).split("It needs at least ")[1].split()[0])
    runner.check_design(settings, minimum)
    with pytest.raises(ConfigError):
        runner.check_design(settings, minimum - 1)


def test_check_points_checks_every_grid_point(tmp_path):
    runner.check_points(small_config(claims=["W1"]))
    with pytest.raises(ConfigError, match="^campaign.n_creators=0 leaves experiment t nothing to measure for W1"):
        runner.check_points(small_config(claims=["W1"], sweep={"campaign.n_creators": [5, 0]}))
    with pytest.raises(ConfigError, match="sweeps network.weak_tie_share, which a network of kind=barabasi_albert"):
        runner.check_points(small_config(network={"kind": "barabasi_albert"}))
    with pytest.raises(ConfigError, match="^network.n_users=100: .* fewer than the 5 experiment t needs"):
        runner.check_points(small_config(claims=["W1"], sweep={"network.n_users": [300, 100]}))
    bad_policy = small_config(sweep={"platform.policy": [{"_target_": "diffusion.policies.NoSuchPolicy"}]})
    with pytest.raises(ConfigError, match="NoSuchPolicy"):
        runner.check_points(bad_policy)
    bad_strategy = small_config()
    bad_strategy.strategy = {"_target_": "diffusion.strategies.NoSuchStrategy"}
    with pytest.raises(ConfigError, match="NoSuchStrategy"):
        runner.check_points(bad_strategy)
    bad_generator = small_config(sweep={}, network={"kind": "generator", "generator": {"_target_": "igraph.NoSuchGraph"}})
    with pytest.raises(ConfigError, match="NoSuchGraph"):
        runner.check_points(bad_generator)
    # a network file's own size decides, not network.n_users
    small_file = ring_csv(tmp_path / "small.csv", 40)
    with pytest.raises(ConfigError, match=f"^the network file {small_file} has 40 users"):
        runner.check_points(small_config(claims=["D1"], sweep={}, network={"kind": "file", "path": str(small_file)}))
    large_file = ring_csv(tmp_path / "large.csv", 310)
    runner.check_points(small_config(claims=["D1"], sweep={}, network={"kind": "file", "path": str(large_file), "n_users": 10}))


def test_a_network_file_that_needs_cleaning_is_read_cleaned_before_the_runs(tmp_path):
    """A duplicate edge is refused unless network.clean=true; with it, the checks before the
    runs read the file cleaned too (and so accept it and state its size)."""
    path = tmp_path / "doubled.csv"
    path.write_text(ring_csv(tmp_path / "ring.csv", 320).read_text() + "0,1\n")
    network = {"kind": "file", "path": str(path)}
    with pytest.raises(NetworkFileError, match="duplicate edge '0'-'1'; set network.clean=true"):
        runner.check_points(small_config(claims=["D1"], sweep={}, network=network))
    config = small_config(claims=["D1"], sweep={}, network={**network, "clean": True})
    runner.check_points(config)
    runner.preflight(config, tmp_path / "out")
    assert config.network.n_users == 320


def test_file_users_reads_each_file_once(tmp_path):
    path = ring_csv(tmp_path / "ring.csv", 123)
    assert runner.file_users(str(path), False) == 123
    path.unlink()
    assert runner.file_users(str(path), False) == 123  # from the cache: the file is not read again


def test_an_unwritable_folder_is_refused_with_the_reason(tmp_path, monkeypatch):
    assert runner.unwritable_reason(tmp_path / "a" / "b") is None
    assert listing(tmp_path) == ["a", "a/b"]  # created, and the probe removed
    # /proc takes no new entries: root is told ENOENT, other users EACCES
    proc_reason = runner.unwritable_reason(Path("/proc/diffusion-test/run"))
    assert proc_reason in ("No such file or directory", "Permission denied")
    assert runner.unwritable_reason(Path("/proc")) in ("No such file or directory", "Permission denied")  # exists
    (tmp_path / "file").write_text("")
    assert runner.unwritable_reason(tmp_path / "file") == "File exists"
    with pytest.raises(ConfigError) as refused:
        runner.check_output_folder(Path("/proc/diffusion-test/run"))
    assert str(refused.value) == (
        f"cannot write to the run folder /proc/diffusion-test/run ({proc_reason}). Choose a folder "
        "you can write to (hydra.run.dir=...) or change its permissions; nothing was run.")

    def refuse(**keywords):
        raise OSError("the disk said no")

    monkeypatch.setattr(runner.tempfile, "mkstemp", refuse)
    assert runner.unwritable_reason(tmp_path / "c") == "the disk said no"  # an OSError without strerror


def test_a_nearly_full_disk_is_refused_with_the_free_space(tmp_path, monkeypatch):
    usage = shutil.disk_usage(tmp_path)
    asked = []

    def disk_usage(path, free=10 * 2**20):
        asked.append(path)
        return usage._replace(free=free)

    monkeypatch.setattr(shutil, "disk_usage", disk_usage)
    with pytest.raises(ConfigError) as refused:
        runner.check_output_folder(tmp_path / "run")
    assert str(refused.value) == (
        f"the disk holding {tmp_path / 'run'} has only 10 MB free; an experiment writes every run's tables there. "
        "Free at least 100 MB or choose another folder (hydra.run.dir=...); nothing was run.")
    assert asked == [tmp_path / "run"]
    runner.check_output_folder(tmp_path / "run", min_free_bytes=10 * 2**20)  # exactly enough
    with pytest.raises(ConfigError, match="has only 10 MB free; .* Free at least 10 MB or"):
        runner.check_output_folder(tmp_path / "run", min_free_bytes=10 * 2**20 + 1)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=100 * 2**20))
    runner.check_output_folder(tmp_path / "run")  # the default minimum, exactly


def test_preflight_writes_nothing_into_a_finished_folder(copy_of):
    before = snapshot(copy_of)
    names = listing(copy_of)
    with pytest.raises(ConfigError, match="already holds runs of an experiment"):
        runner.preflight(small_config(), copy_of)
    assert runner.preflight(small_config(resume=True), copy_of) == runner.RunsFolder(
        frozenset({0, 1, 2, 3}), {}, None)
    changed = small_config(resume=True)
    changed.behaviour.p_share = 0.3
    with pytest.raises(ConfigError, match="different configuration"):
        runner.preflight(changed, copy_of)
    with pytest.raises(ConfigError, match="nothing to measure"):
        runner.preflight(small_config(resume=True, claims=["W1"], campaign={"n_creators": 0}), copy_of)
    assert snapshot(copy_of) == before and listing(copy_of) == names


def test_preflight_of_a_new_folder_and_of_a_network_file(tmp_path):
    assert runner.preflight(small_config(), tmp_path / "new") == runner.RunsFolder(frozenset(), {}, None)
    assert listing(tmp_path) == ["new"]
    with pytest.raises(ConfigError, match="^cannot write to the run folder /proc/diffusion-test/run"):
        runner.preflight(small_config(), Path("/proc/diffusion-test/run"))
    path = ring_csv(tmp_path / "ring.csv", 310)
    config = small_config(sweep={"behaviour.p_share": [0.1, 0.2]}, network={"kind": "file", "path": str(path)})
    assert config.network.n_users == 300
    runner.preflight(config, tmp_path / "file")
    assert config.network.n_users == 310  # the size the reports state is the file's
    society = small_config()
    runner.preflight(society, tmp_path / "society")
    assert society.network.n_users == 300


def test_warm_up_runs_the_first_point_small_and_writes_nothing(tmp_path, monkeypatch):
    config = small_config(sweep={"network.weak_tie_share": [0.1, 0.3], "behaviour.p_share": [0.05, 0.2]},
                          network={"n_users": 1000, "weak_tie_share": 0.4}, n_replicates=4, worlds=2)
    calls = []
    monkeypatch.setattr(runner, "simulate", lambda small, spec: calls.append((small, spec)))
    runner.warm_up(config)
    [(small, spec)] = calls
    assert spec == runner.RunSpec(index=0, point={"behaviour.p_share": 0.05}, replicate=0)
    assert small.network == config_module.NetworkConfig(n_users=300)
    assert small.run == dataclasses.replace(config.run, n_replicates=1, worlds=1,
                                            n_steps=config.platform.item_lifetime_steps + 2)
    assert (small.seed, small.platform, small.behaviour, small.campaign, small.experiment, small.strategy) == (
        config.seed, config.platform, config.behaviour, config.campaign, config.experiment, config.strategy)
    assert config.run.n_replicates == 4 and config.network.n_users == 1000  # the config itself is unchanged

    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    runner.warm_up(config)  # a real short run
    assert listing(tmp_path) == []


def test_stop_workers_closes_the_runs_and_kills_the_local_workers(monkeypatch):
    from joblib.externals import loky

    shutdowns = []

    class Executor:
        def shutdown(self, **keywords):
            shutdowns.append(keywords)

    monkeypatch.setattr(loky, "get_reusable_executor", Executor)

    class Runs:
        closed = 0

        def close(self):
            Runs.closed += 1

    runner._stop_workers(Runs())
    assert Runs.closed == 1 and shutdowns == [{"wait": True, "kill_workers": True}]

    class Breaking:
        def close(self):
            raise RuntimeError("a worker died while closing")

    runner._stop_workers(Breaking())  # swallowed: the interrupt is what the user sees
    runner._stop_workers(iter([]))  # no close method
    assert len(shutdowns) == 3

    def no_executor():
        raise RuntimeError("loky is gone")

    monkeypatch.setattr(loky, "get_reusable_executor", no_executor)
    runner._stop_workers(Runs())
    assert Runs.closed == 2
