"""Shape of cascade trees: depth and structural virality (W2).

A cascade forest is given as a ``parent`` array (-1 for roots) and each node's activation
step, with every parent activated strictly before its children (true of every kernel and of the
platform model). All functions process nodes level by level with ``np.add.at``; the only Python
loop is over distinct steps.
"""

from __future__ import annotations

import numpy as np


def _levels(step: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(step, kind="stable")
    sorted_steps = step[order]
    cuts = np.flatnonzero(np.diff(sorted_steps)) + 1
    return np.split(order, cuts)


def _check(parent: np.ndarray, step: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    parent = np.asarray(parent, dtype=np.int64)
    step = np.asarray(step, dtype=np.int64)
    if parent.shape != step.shape:
        raise ValueError("parent and activation_step must have the same length")
    child = parent >= 0
    if np.any(step[parent[child]] >= step[child]):
        raise ValueError("every parent must be activated strictly before its children")
    return parent, step


def tree_depth(parent: np.ndarray, activation_step: np.ndarray) -> np.ndarray:
    """Depth of every node: 0 for roots, parent's depth + 1 otherwise."""
    parent, step = _check(parent, activation_step)
    depth = np.zeros(parent.size, dtype=np.int64)
    for level in _levels(step):
        child = level[parent[level] >= 0]
        depth[child] = depth[parent[child]] + 1
    return depth


def tree_roots(parent: np.ndarray, activation_step: np.ndarray) -> np.ndarray:
    """Root of the tree each node belongs to."""
    parent, step = _check(parent, activation_step)
    root = np.arange(parent.size, dtype=np.int64)
    for level in _levels(step):
        child = level[parent[level] >= 0]
        root[child] = root[parent[child]]
    return root


def subtree_sizes(parent: np.ndarray, activation_step: np.ndarray) -> np.ndarray:
    """Number of nodes in the subtree under each node (itself included)."""
    parent, step = _check(parent, activation_step)
    size = np.ones(parent.size, dtype=np.int64)
    for level in reversed(_levels(step)):
        child = level[parent[level] >= 0]
        np.add.at(size, parent[child], size[child])
    return size


def cascade_depth(parent: np.ndarray, activation_step: np.ndarray) -> int:
    """Largest depth in the forest (0 for roots alone)."""
    depth = tree_depth(parent, activation_step)
    return int(depth.max()) if depth.size else 0


def cascade_sizes(parent: np.ndarray, activation_step: np.ndarray) -> np.ndarray:
    """Size of each tree, ordered by root node id."""
    root = tree_roots(parent, activation_step)
    roots = np.flatnonzero(np.asarray(parent) < 0)
    return np.bincount(root, minlength=np.asarray(parent).size)[roots]


def structural_virality(parent: np.ndarray, activation_step: np.ndarray) -> np.ndarray:
    """Structural virality of each tree, ordered by root node id (Goel et al. 2016).

    The mean shortest-path distance over all pairs of nodes of a tree, ``2 W / (n (n - 1))``,
    where the Wiener index ``W = sum over edges of s (n - s)`` and ``s`` is the size of the
    subtree below the edge. NaN for a tree of one node. A star of n nodes gives
    ``2 (n - 1) / n`` (a broadcast); a path of n nodes gives ``(n + 1) / 3`` (viral).

    Notes
    -----
    O(n) after sorting by step.

    References
    ----------
    .. [1] Goel, S., Anderson, A., Hofman, J., Watts, D. J. (2016). The structural virality of
       online diffusion. Management Science 62(1), 180-196. doi:10.1287/mnsc.2015.2158
    """
    parent, step = _check(parent, activation_step)
    size = subtree_sizes(parent, step)
    root = tree_roots(parent, step)
    roots = np.flatnonzero(parent < 0)
    n_tree = np.zeros(parent.size, dtype=np.float64)
    n_tree[roots] = size[roots]
    child = parent >= 0
    n_of_child = n_tree[root[child]]
    wiener = np.zeros(parent.size, dtype=np.float64)
    np.add.at(wiener, root[child], size[child] * (n_of_child - size[child]))
    n = n_tree[roots]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 1, 2.0 * wiener[roots] / (n * (n - 1)), np.nan)
