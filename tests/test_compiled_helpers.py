"""Compiled helpers against their plain numpy definitions, on random inputs (hypothesis).

Each compiled helper replaced a numpy computation in the platform model's day; these tests
keep the numpy definition as the reference, so the two can never drift apart.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffusion.metrics import cascades

pytestmark = pytest.mark.property


# ---------------------------------------------------------------------- cascade forests
def _levels(step):
    order = np.argsort(step, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(step[order])) + 1)


def reference_forest(parent, step):
    """Depth, root, subtree size and structural virality, level by level with numpy."""
    depth = np.zeros(parent.size, dtype=np.int64)
    root = np.arange(parent.size, dtype=np.int64)
    for level in _levels(step):
        child = level[parent[level] >= 0]
        depth[child] = depth[parent[child]] + 1
        root[child] = root[parent[child]]
    size = np.ones(parent.size, dtype=np.int64)
    for level in reversed(_levels(step)):
        child = level[parent[level] >= 0]
        np.add.at(size, parent[child], size[child])
    roots = np.flatnonzero(parent < 0)
    n_tree = np.zeros(parent.size)
    n_tree[roots] = size[roots]
    child = parent >= 0
    wiener = np.zeros(parent.size)
    np.add.at(wiener, root[child], size[child] * (n_tree[root[child]] - size[child]))
    n = n_tree[roots]
    with np.errstate(invalid="ignore", divide="ignore"):
        virality = np.where(n > 1, 2.0 * wiener[roots] / (n * (n - 1)), np.nan)
    return depth, root, size, virality


@st.composite
def forests(draw):
    """A random forest: node i's parent is an earlier-activated node or none."""
    n = draw(st.integers(0, 80))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    step = rng.integers(0, 6, size=n)
    parent = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        earlier = np.flatnonzero(step < step[i])
        if earlier.size and rng.random() < 0.8:
            parent[i] = rng.choice(earlier)
    return parent, step


@settings(max_examples=200, deadline=None)
@given(forest=forests())
def test_forest_matches_the_level_by_level_definition(forest):
    parent, step = forest
    depth, root, size, virality = reference_forest(parent, step)
    got = cascades.forest(parent, step)
    for expected, actual in zip((depth, root, size), got):
        assert actual.dtype == np.int64
        np.testing.assert_array_equal(actual, expected)
    np.testing.assert_array_equal(cascades.structural_virality(parent, step), virality)  # bit for bit
    assert cascades.cascade_depth(parent, step) == (int(depth.max()) if depth.size else 0)


def test_forest_rejects_bad_parents():
    with pytest.raises(ValueError, match="strictly before"):
        cascades.forest(np.array([-1, 0]), np.array([1, 1]))
    with pytest.raises(ValueError, match="outside"):
        cascades.forest(np.array([-1, 5]), np.array([0, 1]))
    with pytest.raises(ValueError, match="same length"):
        cascades.forest(np.array([-1, 0]), np.array([0]))
