"""Unit and property tests of the pair table, the item store and the parameter checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffusion.errors import ConfigError
from diffusion.items import ItemStore
from diffusion.engine.pairs import PairTable, random_row_of_first
from diffusion.params import CHANNELS, BehaviourParams, CampaignParams, PlatformParams


def test_pair_table_insert_find_keep():
    table = PairTable(10, {"value": np.float64})
    rows = table.insert(table.key([3, 1, 2], [4, 5, 6]), {"value": np.array([0.3, 0.1, 0.2])})
    assert table["value"][rows].tolist() == [0.3, 0.1, 0.2]
    assert table.find(table.key([1, 9, 3], [5, 9, 4])).tolist() == [0, -1, 2]
    table.keep(table["value"] > 0.15)
    assert table.first().tolist() == [2, 3]
    assert table.second().tolist() == [6, 4]


def test_pair_table_rejects_duplicate_keys():
    table = PairTable(10, {"value": np.int64})
    with pytest.raises(ValueError):
        table.insert(np.array([5, 5]), {})


@pytest.mark.property
@settings(max_examples=60, deadline=None)
@given(batches=st.lists(st.sets(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=25), max_size=6))
def test_pair_table_matches_a_dict(batches):
    """After any sequence of inserts, the table agrees with a Python dict and stays sorted."""
    table = PairTable(31, {"value": np.int64})
    reference: dict[tuple[int, int], int] = {}
    counter = 0
    for batch in batches:
        fresh = [pair for pair in batch if pair not in reference]
        if not fresh:
            continue
        first, second = (np.array(c) for c in zip(*fresh))
        values = np.arange(counter, counter + len(fresh))
        rows = table.insert(table.key(first, second), {"value": values})
        assert table["value"][rows].tolist() == values.tolist()
        for pair, value in zip(fresh, values):
            reference[pair] = int(value)
        counter += len(fresh)
    assert np.all(np.diff(table.keys) > 0)
    for (a, b), value in reference.items():
        row = table.find(table.key(np.array([a]), np.array([b])))[0]
        assert table["value"][row] == value
    start, stop = table.rows_of_first(np.arange(31))
    assert (stop - start).sum() == len(reference)


@pytest.mark.property
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    sizes=st.lists(st.integers(0, 3000), min_size=1, max_size=4),
)
def test_pair_table_compiled_merge_matches_numpy(seed, sizes):
    """Inserts of at least COMPILED_FROM keys take the compiled merge: every column (of every
    width) must come out as a sort of the union would place it."""
    rng = np.random.default_rng(seed)
    columns = {"a": np.int64, "b": np.int8, "c": np.float64, "d": np.bool_, "e": np.int32}
    table = PairTable(1000, columns)
    all_keys = np.zeros(0, dtype=np.int64)
    all_values = {name: np.zeros(0, dtype=dtype) for name, dtype in columns.items()}
    for size in sizes:
        pool = np.setdiff1d(rng.integers(0, 10**6, 2 * size + 1), all_keys)
        keys = rng.permutation(np.unique(pool))[:size]
        values = {name: rng.integers(-100, 100, keys.size).astype(dtype) for name, dtype in columns.items()}
        rows = table.insert(keys, values)
        for name in columns:
            assert np.array_equal(table[name][rows], values[name])
        all_keys = np.concatenate([all_keys, keys])
        all_values = {name: np.concatenate([all_values[name], values[name]]) for name in columns}
    order = np.argsort(all_keys)
    assert np.array_equal(table.keys, all_keys[order])
    for name in columns:
        assert np.array_equal(table[name], all_values[name][order])


@pytest.mark.property
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_rows=st.integers(1, 2000), n_pairs=st.integers(0, 3000))
def test_find_pairs_is_find_of_the_keys(seed, n_rows, n_pairs):
    """The block lookup agrees with the plain search for present and absent pairs, including
    first components beyond the table's last, and stays right after the table changes."""
    rng = np.random.default_rng(seed)
    table = PairTable(50, {"v": np.int64})
    table.insert(np.unique(rng.integers(0, 40 * 50, n_rows)), {})
    for _ in range(2):
        first, second = rng.integers(0, 45, n_pairs), rng.integers(0, 50, n_pairs)
        np.testing.assert_array_equal(table.find_pairs(first, second), table.find(table.key(first, second)))
        fresh = np.setdiff1d(np.unique(rng.integers(0, 45 * 50, 300)), table.keys)
        table.insert(fresh, {})


@pytest.mark.parametrize("n_keys", [3, 400])  # the numpy and the compiled merge
def test_pair_table_insert_through_select_and_scalars(n_keys):
    table = PairTable(1000, {"v": np.int32, "w": np.float64, "day": np.int16})
    table.insert(np.arange(0, 2 * n_keys, 2), {"v": np.arange(n_keys), "day": 1})
    whole = np.arange(10 * n_keys) * 10  # e.g. one value per pair of the day
    select = np.arange(n_keys)[::-1] * 3  # the pairs to insert, in any order
    keys = np.arange(1, 2 * n_keys, 2)[::-1]
    rows = table.insert(keys, {"v": whole, "w": 0.5, "day": 2}, select=select)
    assert table["v"][rows].tolist() == whole[select].tolist()
    assert np.all(table["w"][rows] == 0.5) and np.all(table["day"][rows] == 2)
    assert np.all(table["day"][table.find(np.arange(0, 2 * n_keys, 2))] == 1)
    assert np.all(np.diff(table.keys) > 0)
    with pytest.raises(ValueError, match="select has 2 entries for 1 keys"):
        table.insert(np.array([10**5]), {}, select=np.array([0, 1]))
    with pytest.raises(ValueError, match="column 'v' got 3 values for 1 keys selected up to position 7"):
        table.insert(np.array([10**5]), {"v": np.arange(3)}, select=np.array([7]))
    with pytest.raises(ValueError, match="column 'v' got 2 values for 1 keys"):
        table.insert(np.array([10**5]), {"v": np.arange(2)})
    assert len(table) == 2 * n_keys and all(table[c].size == 2 * n_keys for c in ("v", "w", "day"))  # untouched


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_rows=st.integers(0, 500), n_queries=st.integers(0, 600))
def test_random_row_of_first_is_the_searchsorted_pick(seed, n_rows, n_queries):
    """The row picked for each first component is the floor(draw * count)-th of its rows (the
    two-search numpy definition it replaced), -1 for a first component without rows."""
    rng = np.random.default_rng(seed)
    keys = np.unique(rng.integers(0, 60 * 20, n_rows))
    first, draw = rng.integers(-2, 65, n_queries), rng.random(n_queries)
    got = random_row_of_first(keys, 20, first, draw)
    start, stop = np.searchsorted(keys, first * 20), np.searchsorted(keys, (first + 1) * 20)
    expected = np.where(
        (stop > start) & (first >= 0), start + np.floor(draw * (stop - start)).astype(np.int64), -1
    )
    np.testing.assert_array_equal(got, expected)
    assert np.all(keys[got[got >= 0]] // 20 == first[got >= 0])


@pytest.mark.parametrize("n_keys", [3, 400])
def test_pair_table_insert_at_known_places(n_keys):
    """Places from the caller are used when right and refused, with the table untouched, when not."""
    table = PairTable(10**6, {"v": np.int64})
    table.insert(np.arange(0, 4 * n_keys, 4), {"v": 1})
    keys = np.arange(1, 4 * n_keys, 4)
    at = np.searchsorted(table.keys, keys)
    rows = table.insert(keys, {"v": 2}, at=at)
    assert np.all(np.diff(table.keys) > 0) and np.all(table["v"][rows] == 2)
    fresh = np.arange(2, 4 * n_keys, 4)
    for wrong in (np.searchsorted(table.keys, fresh) + 1, np.zeros(n_keys, dtype=np.int64), np.full(n_keys, -1)):
        with pytest.raises(ValueError, match="at does not give the keys' places"):
            table.insert(fresh, {}, at=wrong)
    assert len(table) == 2 * n_keys and table["v"].size == 2 * n_keys
    with pytest.raises(ValueError, match="at has 1 entries for 2 keys"):
        table.insert(fresh[:2], {}, at=np.array([0]))


def test_item_store_grows_and_reports_live_items():
    store = ItemStore(capacity=2)
    ids = store.append(creator=np.array([1, 2, 3]), created=np.array([0, 0, 1]), expires=np.array([2, 5, 3]))
    assert ids.tolist() == [0, 1, 2]
    more = store.append(creator=np.array([4]), created=np.array([4]), expires=np.array([9]))
    assert more.tolist() == [3]
    assert store.creator.tolist() == [1, 2, 3, 4]
    assert store.live(1).tolist() == [0, 1, 2]
    assert store.live(4).tolist() == [1, 3]
    assert store.views_by_channel.shape == (4, len(CHANNELS))


@pytest.mark.parametrize(
    ("cls", "kwargs", "key"),
    [
        (BehaviourParams, {"p_share": 1.5}, "behaviour.p_share"),
        (BehaviourParams, {"reinforcement": 0}, "behaviour.reinforcement"),
        (PlatformParams, {"feed_size": -1}, "platform.feed_size"),
        (PlatformParams, {"follow_weight": 0, "same_city_weight": 0, "discovery_weight": 0}, "platform.follow_weight"),
        (CampaignParams, {"appeal": -0.1}, "campaign.appeal"),
    ],
)
def test_bad_parameters_name_the_key(cls, kwargs, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        cls(**kwargs)
