"""Same config and seed: identical tables, serial or parallel, and paired seeds across scenarios."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from numpy.random import SeedSequence

from diffusion.config import Config, ExperimentConfig, RunConfig, apply_point
from diffusion.metrics import commerce as commerce_metrics
from diffusion.metrics import creators as creator_metrics
from diffusion.rng import STREAMS, WORLD_STREAMS, replicate_seed_sequence, replicate_streams
from diffusion.runner import (
    RunSpec,
    build_society,
    execute,
    gather,
    plan,
    run_record,
    simulate,
    society_for_run,
    write_run,
)


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


# ------------------------------------------------------------------ the seed rule, pinned
#: First ``integers(2**32)`` draw of each stream (in STREAMS order) under root seed 2021,
#: computed once from the documented derivation with numpy alone:
#: ``[default_rng(s).integers(2**32) for s in SeedSequence(2021, spawn_key=(r,)).spawn(6)]``.
#: NumPy guarantees SeedSequence and PCG64 streams stay the same across versions (NEP 19).
PINNED_FIRST_DRAWS = {
    0: [3794801052, 3090131274, 4201960714, 2726972843, 1479885988, 3873778648],
    3: [1435834623, 4226103210, 3003225062, 3826183627, 3201063395, 2252619729],
}


def _first_draws(streams: dict[str, np.random.Generator]) -> list[int]:
    return [int(streams[name].integers(2**32)) for name in STREAMS]


def test_replicate_streams_follow_the_documented_seed_sequence():
    """Replicate r draws from ``SeedSequence(seed, spawn_key=(r,)).spawn(len(STREAMS))`` in
    STREAMS order, pinned as literal numbers so a changed derivation (``replicate + 1``, a
    different spawn key, reordered streams) cannot pass by being compared with itself."""
    assert STREAMS == ("network", "agents", "platform", "content", "layout", "strategy")
    for replicate, expected in PINNED_FIRST_DRAWS.items():
        assert _first_draws(replicate_streams(2021, replicate)) == expected
        children = replicate_seed_sequence(2021, replicate).spawn(len(STREAMS))
        assert [int(np.random.default_rng(c).integers(2**32)) for c in children] == expected


def test_worlds_share_the_network_and_content_streams_of_their_group():
    """With worlds = 2, replicate 3 is in group 1: its network and content streams are those of
    replicate 1, the others its own (pinned draws of replicate 3; replicate 1 computed from the
    plain derivation)."""
    group = [int(np.random.default_rng(c).integers(2**32)) for c in SeedSequence(2021, spawn_key=(1,)).spawn(6)]
    own = PINNED_FIRST_DRAWS[3]
    draws = dict(zip(STREAMS, _first_draws(replicate_streams(2021, 3, worlds=2))))
    expected = {name: (group if name in WORLD_STREAMS else own)[i] for i, name in enumerate(STREAMS)}
    assert draws == expected
    assert draws["network"] != own[0]  # the two derivations differ, so the check can fail


def test_seed_derivation_rejects_negative_seeds_and_bad_worlds():
    with pytest.raises(ValueError, match="seed and replicate must be non-negative"):
        replicate_seed_sequence(-1, 0)
    with pytest.raises(ValueError, match="seed and replicate must be non-negative"):
        replicate_seed_sequence(0, -1)
    with pytest.raises(ValueError, match="worlds"):
        replicate_streams(1, 0, worlds=0)
    replicate_seed_sequence(0, 0)  # zero is a valid seed and replicate


def test_run_record_names_the_seed_sequence_the_run_used():
    config = small_config(1)
    record = run_record(config, RunSpec(index=3, point={"network.weak_tie_share": 0.4}, replicate=1))
    assert record["seed_sequence"] == {"entropy": 7, "spawn_key": [1]}
    assert record["shared_world_seed_sequence"] == {"entropy": 7, "spawn_key": [1]}


# ------------------------------------------------------------------ pairing across a sweep
STRUCTURE = ("giant_component_share", "standard_cascade_reach", "realised_mean_degree")


def behaviour_sweep_config() -> Config:
    """Two values of a behaviour-only key (``behaviour.p_share``) x three replicates, tiny."""
    config = Config(
        seed=11,
        run=RunConfig(n_replicates=3, n_steps=3, n_jobs=1, progress=False),
        experiment=ExperimentConfig(name="pairing", sweep={"behaviour.p_share": [0.05, 0.4]}),
    )
    return dataclasses.replace(config, network=dataclasses.replace(config.network, n_users=250))


@pytest.fixture
def behaviour_sweep():
    # Function scope (six runs of 250 users for 3 days: well under a second) so that mutation
    # testing, which maps each test to the functions it calls, sees every user of simulate.
    config = behaviour_sweep_config()
    specs = plan(config)
    return config, specs, {spec.index: simulate(config, spec) for spec in specs}


def test_a_behaviour_sweep_keeps_each_replicates_society_at_every_grid_point(behaviour_sweep):
    """Replicate r's network stream is the same at every grid point, so the society and the
    structural outcomes (from the network stream only) are identical across values of a
    behaviour key, and differ between replicates (different societies). Keying the streams
    on a run's plan index instead of its replicate breaks the first assertion."""
    _, specs, results = behaviour_sweep
    by_replicate: dict[int, list[pd.Series]] = {}
    for spec in specs:
        row = results[spec.index].outcomes.iloc[0]
        by_replicate.setdefault(spec.replicate, []).append(row[list(STRUCTURE)])
    assert sorted(by_replicate) == [0, 1, 2] and all(len(rows) == 2 for rows in by_replicate.values())
    for rows in by_replicate.values():
        pd.testing.assert_series_equal(rows[0], rows[1], check_names=False)
    first_point = [by_replicate[r][0] for r in range(3)]
    for a, b in ((0, 1), (0, 2), (1, 2)):
        # Different societies and cascade seeds: the standard cascade's reach (a share of 250
        # users) differs. The realised mean degree does not: the society builder fixes it.
        assert first_point[a]["standard_cascade_reach"] != first_point[b]["standard_cascade_reach"]


def test_a_runs_tables_depend_on_its_point_and_replicate_not_its_place_in_the_plan(behaviour_sweep):
    """Rerunning run (point, replicate) under another plan index gives the same tables: every
    stream, not only the network, is keyed on the replicate (agentpy's rule; paired intervals
    rely on it)."""
    config, specs, results = behaviour_sweep
    for spec in (specs[1], specs[4]):
        moved = simulate(config, RunSpec(index=spec.index + 17, point=spec.point, replicate=spec.replicate))
        for table in ("outcomes", "trajectories", "cascades"):
            pd.testing.assert_frame_equal(getattr(moved, table), getattr(results[spec.index], table))


def test_gather_keeps_plan_order_a_fresh_index_and_empty_tables(tmp_path, behaviour_sweep):
    """Tables are concatenated in plan order whatever order the runs finished in, from memory
    or from disk alike, with a fresh 0..n-1 index; a table no run has rows in (here every
    run's cascades emptied) is an empty frame, not an error."""
    config, specs, results = behaviour_sweep
    runs_dir = tmp_path / "runs"
    for index in (5, 0, 3):  # written out of order; the other three stay in memory
        write_run(results[index], runs_dir, run_record(config, specs[index]))
    in_memory = {i: results[i] for i in (4, 1, 2)}
    tables = gather(runs_dir, specs, in_memory)
    outcomes = tables["outcomes"]
    assert outcomes.index.equals(pd.RangeIndex(len(specs)))
    assert list(zip(outcomes["p_share"], outcomes["replicate"])) == [(s.point["behaviour.p_share"], s.replicate) for s in specs]
    from_disk = gather(runs_dir, [specs[i] for i in (0, 3, 5)])["outcomes"]
    pd.testing.assert_frame_equal(from_disk, outcomes.iloc[[0, 3, 5]].reset_index(drop=True))
    empty = {i: dataclasses.replace(r, cascades=r.cascades.iloc[:0]) for i, r in results.items()}
    assert gather(runs_dir / "none", specs, empty)["cascades"].empty


def test_the_cached_society_of_a_damaged_network_is_the_one_built_from_its_stream():
    """society_for_run (cached per worker) gives the society build_society makes from the
    group's network stream, removal included (D5): the same users removed, the same ties."""
    config = behaviour_sweep_config()
    for rule, fraction in (("random", 0.2), ("degree", 0.1)):
        point = {"network.removal_rule": rule, "network.removal_fraction": fraction}
        settings = apply_point(config, point)
        cached = society_for_run(settings, config.seed, 1)
        built = build_society(settings, rng=replicate_streams(config.seed, 1)["network"])
        assert cached.present is not None and not cached.present.all()
        np.testing.assert_array_equal(cached.present, built.present)
        np.testing.assert_array_equal(cached.edge_source, built.edge_source)
        np.testing.assert_array_equal(cached.edge_target, built.edge_target)


def test_a_run_record_reruns_its_run_and_names_its_world_group():
    """The record's ``rerun`` line, evaluated with the record's own fields, gives the run's
    tables; with worlds = 2 replicate 3 shares the seed sequence of group 3 // 2 = 1."""
    import diffusion

    config = behaviour_sweep_config()
    spec = plan(config)[4]
    record = run_record(config, spec)
    again = eval(record["rerun"], {"diffusion": diffusion, "config": config, "index": record["index"],
                                   "point": record["point"], "replicate": record["replicate"]})
    pd.testing.assert_frame_equal(again.outcomes, simulate(config, spec).outcomes)
    worlds = dataclasses.replace(config, run=dataclasses.replace(config.run, n_replicates=4, worlds=2))
    shared = run_record(worlds, RunSpec(index=3, point={}, replicate=3))["shared_world_seed_sequence"]
    assert shared == {"entropy": 11, "spawn_key": [1]} and isinstance(shared["spawn_key"][0], int)


def test_a_runs_tables_are_labelled_and_its_outcomes_are_the_metric_functions():
    """Scenario columns then ``replicate`` then ``step`` lead each table (no stray index
    column); the creator, stability and strategy outcomes equal the metric functions applied to
    the run's own tables with the run's horizon. The run has newcomers, focal creators of a
    paid strategy and posts completed within it, so each of those outcomes is a number."""
    config = behaviour_sweep_config()
    config = dataclasses.replace(
        config, run=dataclasses.replace(config.run, n_steps=12),
        network=dataclasses.replace(config.network, n_users=400, newcomer_share=0.3),
    )
    spec = RunSpec(index=0, point={"strategy": "gifting", "behaviour.p_share": 0.2}, replicate=0)
    result = simulate(config, spec)
    assert list(result.trajectories.columns[:3]) == ["strategy", "p_share", "replicate"]
    assert result.trajectories.columns[3] == "step" and "index" not in result.trajectories.columns
    assert result.trajectories["step"].tolist() == list(range(1, 13))
    label = ["strategy", "p_share", "replicate"]
    creators_table, cascades_table = result.creators.drop(columns=label), result.cascades.drop(columns=label)
    expected = {
        **creator_metrics.creator_outcomes(creators_table, 12),
        **creator_metrics.stability_outcomes(cascades_table, 12),
        **commerce_metrics.strategy_outcomes(creators_table, 12),
    }
    row = result.outcomes.iloc[0]
    for name in ("newcomer_days_to_100_views", "private_audience_cv", "focal_newcomer_days_to_10"):
        assert np.isfinite(expected[name]), name
    for name, value in expected.items():
        assert row[name] == pytest.approx(value, nan_ok=True), name


def test_replicates_of_one_world_group_share_their_society_and_items_and_say_so():
    """With worlds = 2, replicates 0 and 1 form group 0: the same society (structural outcomes)
    and the same posted items (content stream), different behaviour; each table carries
    ``world_group``. With worlds = 1 there is no such column."""
    config = behaviour_sweep_config()
    worlds = dataclasses.replace(config, run=dataclasses.replace(config.run, n_replicates=4, worlds=2))
    first, second, third = (simulate(worlds, RunSpec(index=r, point={}, replicate=r)) for r in (0, 1, 2))
    columns = ["item", "creator", "created", "product"]
    pd.testing.assert_frame_equal(first.cascades[columns], second.cascades[columns])
    assert not first.cascades[columns].equals(third.cascades[columns])
    assert not first.cascades["size"].equals(second.cascades["size"])
    for result, group in ((first, 0), (second, 0), (third, 1)):
        for table in ("outcomes", "trajectories", "cascades", "creators"):
            assert (getattr(result, table)["world_group"] == group).all(), table
    assert "world_group" not in simulate(config, RunSpec(index=0, point={}, replicate=0)).outcomes


def test_simulate_called_as_a_library_function_draws_no_progress_bar(capsys):
    """Only a caller that asks (day_progress=True, the runner's single long run) gets a bar
    over the days; a notebook or the calibration calling simulate gets clean output."""
    simulate(behaviour_sweep_config(), RunSpec(index=0, point={}, replicate=0))
    assert "day" not in capsys.readouterr().err
