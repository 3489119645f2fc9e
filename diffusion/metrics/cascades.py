"""Shape of cascade trees: depth and structural virality (W2).

A cascade forest is given as a ``parent`` array (-1 for roots) and each node's activation
step, with every parent activated strictly before its children (true of every kernel and of the
platform model). One compiled pass (:func:`forest`) gives every node's depth, root and subtree
size; the other measures are read off it. The platform model measures its expiring items
straight from its exposure table with :func:`shapes_of_runs`, item by item.
"""

from __future__ import annotations

import functools

import numpy as np


def _check(parent: np.ndarray, step: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    parent = np.asarray(parent, dtype=np.int64)
    step = np.asarray(step, dtype=np.int64)
    if parent.shape != step.shape:
        raise ValueError("parent and activation_step must have the same length")
    return np.ascontiguousarray(parent.ravel()), np.ascontiguousarray(step.ravel())


def forest(parent: np.ndarray, activation_step: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Depth, root and subtree size of every node of a cascade forest, in one pass.

    Parameters
    ----------
    parent : numpy.ndarray of int
        Parent node of each node; a negative value marks a root.
    activation_step : numpy.ndarray of int
        Step at which each node was activated; a parent's must be strictly smaller.

    Returns
    -------
    depth : numpy.ndarray of int64
        0 for roots, the parent's depth + 1 otherwise.
    root : numpy.ndarray of int64
        The root of the tree each node belongs to.
    size : numpy.ndarray of int64
        Number of nodes in the subtree under each node, itself included.

    Raises
    ------
    ValueError
        If the lengths differ, a parent is not a node, or a parent is not activated strictly
        before its child.

    Notes
    -----
    O(n), compiled with numba: each node's chain of ancestors is walked up only as far as the
    first node already done, which also gives an order with every parent before its children;
    subtree sizes are summed over that order reversed.
    """
    parent, step = _check(parent, activation_step)
    depth, root, size, error = _forest_compiled()(parent, step)
    if error == 1:
        raise ValueError(f"parent holds node ids outside [0, {parent.size - 1}]")
    if error == 2:
        raise ValueError("every parent must be activated strictly before its children")
    return depth, root, size


@functools.cache
def _forest_compiled():
    """The compiled forest pass (numba is imported on first use, not with the package)."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def run(parent, step):
        n = parent.size
        depth = np.full(n, -1, dtype=np.int64)
        root = np.empty(n, dtype=np.int64)
        size = np.ones(n, dtype=np.int64)
        for i in range(n):  # validate first, so the walks below always end at a root
            p = parent[i]
            if p >= n:
                return depth, root, size, 1
            if p >= 0 and step[p] >= step[i]:
                return depth, root, size, 2
        order = np.empty(n, dtype=np.int64)  # every parent before its children
        chain = np.empty(n, dtype=np.int64)
        done = 0
        for i in range(n):
            m = 0
            v = i
            while depth[v] < 0:  # climb to the first node already done (or past a root)
                chain[m] = v
                m += 1
                if parent[v] < 0:
                    break
                v = parent[v]
            for k in range(m - 1, -1, -1):  # then come back down, top first
                v = chain[k]
                p = parent[v]
                if p < 0:
                    depth[v] = 0
                    root[v] = v
                else:
                    depth[v] = depth[p] + 1
                    root[v] = root[p]
                order[done] = v
                done += 1
        for k in range(n - 1, -1, -1):
            v = order[k]
            if parent[v] >= 0:
                size[parent[v]] += size[v]
        return depth, root, size, 0

    return run


def shapes_of_runs(
    keys: np.ndarray,
    parent_user: np.ndarray,
    step: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    n_users: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Size, depth and structural virality of several items' cascades, from a table of who saw
    each item from whom (W2).

    Parameters
    ----------
    keys : numpy.ndarray of int64
        Sorted row keys ``item * n_users + user``.
    parent_user : numpy.ndarray of int
        Per row, the user whose share the viewer saw first, or -1 when the item reached them
        otherwise (the parent is then the item's root, its post).
    step : numpy.ndarray of int
        Per row, the step the viewer saw the item; a sharer saw it strictly earlier.
    start, stop : numpy.ndarray of int64
        Rows ``[start[r], stop[r])`` are all the rows of one item (non-empty runs).
    n_users : int
        The second component's range in ``keys``.

    Returns
    -------
    size, peer_size, depth, virality : numpy.ndarray
        Per run: viewers; viewers reached through a share (their parent is another viewer);
        the largest depth (the post is depth 0); structural virality of the tree of the post
        and its viewers (:func:`structural_virality`, NaN for a post without viewers).

    Raises
    ------
    ValueError
        If a row's parent user has no row for the same item, or saw it no earlier.

    Notes
    -----
    One compiled pass, item by item over its own rows (they are contiguous, so the work stays
    in cache): each parent is found by bisection among the item's rows, viewers are ordered by
    step with a counting sort (parents before children), depths go down that order and subtree
    sizes up it. Same
    numbers as building the whole forest and calling :func:`forest` and
    :func:`virality_of_forest` (``tests/test_compiled_helpers.py`` checks it).
    """
    keys = np.ascontiguousarray(keys, dtype=np.int64)
    start = np.ascontiguousarray(start, dtype=np.int64)
    stop = np.ascontiguousarray(stop, dtype=np.int64)
    size, peer_size, depth, virality, bad_row, why = _runs_compiled()(
        keys, parent_user, step, start, stop, int(n_users)
    )
    if bad_row >= 0:
        problem = "has no row for the same item" if why == 1 else "saw the item no earlier than its viewer"
        raise ValueError(f"row {bad_row} names a parent user who {problem}")
    return size, peer_size, depth, virality


@functools.cache
def _runs_compiled():
    import numba

    @numba.njit(cache=True, nogil=True)
    def run(keys, parent_user, step, start, stop, n_users):
        n_runs = start.size
        size = np.zeros(n_runs, dtype=np.int64)
        peer_size = np.zeros(n_runs, dtype=np.int64)
        max_depth = np.zeros(n_runs, dtype=np.int64)
        virality = np.full(n_runs, np.nan)
        longest = 0
        first_step = last_step = np.int64(step[start[0]]) if n_runs else np.int64(0)
        for r in range(n_runs):
            longest = max(longest, stop[r] - start[r])
            for row in range(start[r], stop[r]):
                first_step = min(first_step, np.int64(step[row]))
                last_step = max(last_step, np.int64(step[row]))
        # Per-item scratch, node k < m is row s + k, node m is the post.
        parent = np.empty(longest + 1, dtype=np.int64)
        order = np.empty(longest, dtype=np.int64)
        depth = np.empty(longest + 1, dtype=np.int64)
        sub = np.empty(longest + 1, dtype=np.int64)
        at_step = np.empty(last_step - first_step + 2, dtype=np.int64)  # counting-sort bins
        for r in range(n_runs):
            s, e = start[r], stop[r]
            m = e - s
            item = keys[s] // n_users
            for k in range(m):
                pu = parent_user[s + k]
                if pu < 0:
                    parent[k] = m
                    continue
                x = item * n_users + pu
                lo, hi = s, e
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if keys[mid] < x:
                        lo = mid + 1
                    else:
                        hi = mid
                if lo == e or keys[lo] != x:
                    return size, peer_size, max_depth, virality, s + k, 1
                if step[lo] >= step[s + k]:
                    return size, peer_size, max_depth, virality, s + k, 2
                parent[k] = lo - s
                peer_size[r] += 1
            parent[m] = -1
            # The viewers ordered by step (parents before children), by a counting sort: steps
            # are days, a handful per item.
            lo, hi = step[s], step[s]
            for row in range(s, e):
                lo, hi = min(lo, step[row]), max(hi, step[row])
            at_step[: hi - lo + 2] = 0
            for row in range(s, e):
                at_step[step[row] - lo + 1] += 1
            for d in range(hi - lo):
                at_step[d + 1] += at_step[d]
            for row in range(s, e):
                d = step[row] - lo
                order[at_step[d]] = row - s
                at_step[d] += 1
            depth[m], deepest = 0, 0
            for j in range(m):
                k = order[j]
                depth[k] = depth[parent[k]] + 1
                deepest = max(deepest, depth[k])
            sub[: m + 1] = 1
            for j in range(m - 1, -1, -1):
                k = order[j]
                sub[parent[k]] += sub[k]
            # Wiener index, summed over the viewers in row order (as virality_of_forest does)
            n = np.float64(m + 1)
            wiener = 0.0
            for k in range(m):
                wiener += sub[k] * (n - sub[k])
            size[r], max_depth[r] = m, deepest
            if m > 0:
                virality[r] = 2.0 * wiener / (n * (n - 1))
        return size, peer_size, max_depth, virality, -1, 0

    return run


def tree_depth(parent: np.ndarray, activation_step: np.ndarray) -> np.ndarray:
    """Depth of every node: 0 for roots, parent's depth + 1 otherwise."""
    return forest(parent, activation_step)[0]


def tree_roots(parent: np.ndarray, activation_step: np.ndarray) -> np.ndarray:
    """Root of the tree each node belongs to."""
    return forest(parent, activation_step)[1]


def subtree_sizes(parent: np.ndarray, activation_step: np.ndarray) -> np.ndarray:
    """Number of nodes in the subtree under each node (itself included)."""
    return forest(parent, activation_step)[2]


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
    O(n) (:func:`forest`).

    References
    ----------
    .. [1] Goel, S., Anderson, A., Hofman, J., Watts, D. J. (2016). The structural virality of
       online diffusion. Management Science 62(1), 180-196. doi:10.1287/mnsc.2015.2158
    """
    parent, step = _check(parent, activation_step)
    _, root, size = forest(parent, step)
    return virality_of_forest(parent, root, size)


def virality_of_forest(parent: np.ndarray, root: np.ndarray, size: np.ndarray) -> np.ndarray:
    """:func:`structural_virality` from a forest's roots and subtree sizes (:func:`forest`).

    Lets a caller that already has the forest (the platform model) skip a second pass.
    """
    parent = np.ascontiguousarray(parent, dtype=np.int64)
    roots = np.flatnonzero(parent < 0)
    n = size[roots].astype(np.float64)
    wiener = _wiener_compiled()(parent, np.ascontiguousarray(root, dtype=np.int64), np.ascontiguousarray(size, dtype=np.int64))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 1, 2.0 * wiener[roots] / (n * (n - 1)), np.nan)


@functools.cache
def _wiener_compiled():
    """Wiener index of each tree, held at its root: the sum over non-root nodes of
    ``s (n - s)`` (s: subtree size, n: tree size), added in node order."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def run(parent, root, size):
        wiener = np.zeros(parent.size, dtype=np.float64)
        for v in range(parent.size):
            if parent[v] >= 0:
                r = root[v]
                wiener[r] += size[v] * (np.float64(size[r]) - size[v])
        return wiener

    return run
