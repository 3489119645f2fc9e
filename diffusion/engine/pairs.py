"""A sorted, array-backed table keyed by pairs of integers.

The platform model keeps two sparse relations this way, both far too large as dense
matrices: who has seen which item (key ``item * n_users + user``) and what each user thinks of
each creator (key ``user * n_users + creator``). Lookups and inserts are vectorised over whole
batches: one compiled search per lookup (:func:`search`), and per insert one search for the
new keys' places, then one branch-free compiled pass per column.

Notes
-----
Lookup of m keys in a table of k rows costs O(m log k); inserting m new rows costs O(k + m)
(one search for the new keys' places, then one pass per column). Because keys sort by their first
component, all rows of one user (or one item) are contiguous, which the model uses to sample a
user's follows without a loop.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import SimpleNamespace

import numpy as np

#: Below this many keys, numpy's own sorts and searches are as fast as the compiled ones.
COMPILED_FROM = 256
#: See :func:`search`: needles with more than one run start in this many are sorted first.
UNSORTED_RUNS = 1024


def argsort_stable(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for integer keys, by one unstable sort or a radix sort.

    Parameters
    ----------
    keys : numpy.ndarray
        One-dimensional keys. Integers of at most 64 bits go to the fast paths; anything else
        (and short arrays) to numpy.

    Returns
    -------
    numpy.ndarray of int64
        The stable sorting permutation (the same one numpy gives: a stable order is unique).

    Notes
    -----
    When ``keys - keys.min()`` and the positions fit together in 64 bits, each key is packed
    with its position below it (``(key - min) << b | i``): the packed values are distinct, so
    numpy's plain ``np.sort`` (SIMD-accelerated on x86) orders them exactly as a stable sort
    orders the keys, and the low bits are the permutation. At 600,000 day-sized keys this
    takes about 10 ms, against 38 ms for the radix sort and 96 ms for numpy's stable argsort
    (a merge sort for 64-bit integers). Wider keys go to a least-significant-digit radix sort
    on 11-bit digits, skipping digits that are the same for every key.
    """
    keys = np.asarray(keys)
    if keys.ndim != 1 or keys.size < COMPILED_FROM or keys.dtype.kind not in "iub":
        return np.argsort(keys, kind="stable").astype(np.int64, copy=False)
    if keys.dtype == np.uint64 and keys.max() > np.iinfo(np.int64).max:
        return np.argsort(keys, kind="stable").astype(np.int64, copy=False)
    keys = np.ascontiguousarray(keys, dtype=np.int64)
    packed = _packed_sort(keys)
    if packed is not None:
        return _compiled().unpack(packed[0], packed[2])
    return _compiled().radix_argsort(keys)


def _packed_sort(keys: np.ndarray) -> tuple[np.ndarray, int, int] | None:
    """int64 ``keys`` packed with their positions (``(key - lo) << index_bits | i``) and sorted,
    with ``lo`` and ``index_bits``; None when key range and positions do not fit in 64 bits."""
    lo, hi = int(keys.min()), int(keys.max())
    index_bits = (keys.size - 1).bit_length()
    if (hi - lo).bit_length() + index_bits > 64:
        return None
    packed = _compiled().pack(keys, lo, index_bits)
    packed.sort()
    return packed, lo, index_bits


def sort_with_order(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted keys and the stable sorting permutation, ``(keys[order], order)``.

    Same as :func:`argsort_stable` followed by a gather, but on the packed path both come out
    of the one sorted array, so the caller can walk the sorted keys in order without reading
    ``keys`` at random positions.
    """
    keys = np.asarray(keys)
    if keys.ndim == 1 and keys.size >= COMPILED_FROM and keys.dtype.kind in "iub":
        if keys.dtype != np.uint64 or keys.max() <= np.iinfo(np.int64).max:
            keys = np.ascontiguousarray(keys, dtype=np.int64)
            packed = _packed_sort(keys)
            if packed is not None:
                return _compiled().unpack_both(*packed)
    order = argsort_stable(keys)
    return keys[order], order


def search(haystack: np.ndarray, needles: np.ndarray, side: str = "left") -> np.ndarray:
    """``np.searchsorted(haystack, needles, side)`` for an int64 haystack, compiled.

    Needles are searched in runs of increasing values: each from the previous one's result,
    by galloping (doubling steps, then bisection), so a run of m needles in k rows costs
    O(m log(k / m)) and reads the table in order; a needle smaller than the previous starts a
    new run, searched by bisection below the previous result. When more than one needle in
    :data:`UNSORTED_RUNS` starts a run, the needles are sorted first (:func:`argsort_stable`):
    gallops between far-apart needles jump around memory, while sorted needles read the table
    in order (on a 10^7-row table, 10^6 random needles take about 1.5 s unsorted and 0.2 s
    sorted; the model's relation lookups, runs of ~150 needles, twice as long unsorted). Same
    result either way.
    """
    needles = np.asarray(needles)
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    if (
        needles.size < COMPILED_FROM
        or haystack.dtype != np.int64
        or haystack.ndim != 1
        or needles.dtype.kind not in "iu"
        or (needles.dtype == np.uint64 and needles.max() > np.iinfo(np.int64).max)
    ):
        return _numpy_search(haystack, needles, side)
    shape = needles.shape
    needles = np.ascontiguousarray(needles.ravel(), dtype=np.int64)
    haystack = np.ascontiguousarray(haystack)
    compiled = _compiled()
    right = side == "right"
    if compiled.count_descents(needles) * UNSORTED_RUNS > needles.size:
        order = argsort_stable(needles)
        out = np.empty(needles.size, dtype=np.int64)
        out[order] = compiled.gallop_search(haystack, needles[order], right)
    else:
        out = compiled.gallop_search(haystack, needles, right)
    return out.reshape(shape)


def random_row_of_first(keys: np.ndarray, n_second: int, first: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """For each ``first[i]``, one of the rows whose key has that first component, or -1 if none.

    ``keys`` are sorted pair keys ``first * n_second + second``. Of the ``c`` rows of
    ``first[i]``, the ``floor(draw[i] * c)``-th is taken, so a uniform ``draw`` in [0, 1) picks
    a row uniformly (the model picks a followed creator this way, P4). One compiled pass after
    an index of where each first component's rows start.
    """
    first = np.ascontiguousarray(first, dtype=np.int64)
    draw = np.ascontiguousarray(draw, dtype=np.float64)
    if keys.size == 0:
        return np.full(first.shape, -1, dtype=np.int64)
    compiled = _compiled()
    return compiled.pick_in_blocks(compiled.block_starts(np.ascontiguousarray(keys, dtype=np.int64), int(n_second)), first, draw)


def _numpy_search(haystack: np.ndarray, needles: np.ndarray, side: str) -> np.ndarray:
    if needles.size < 2 or bool(np.all(needles[1:] >= needles[:-1])):
        return np.searchsorted(haystack, needles, side=side).astype(np.int64, copy=False)
    order = np.argsort(needles, kind="stable")
    out = np.empty(needles.shape, dtype=np.int64)
    out[order] = np.searchsorted(haystack, needles[order], side=side)
    return out


def _old_row_positions(rows_sorted: np.ndarray, total: int) -> np.ndarray:
    """Where the old rows go once new rows take ``rows_sorted``: the other slots, in order."""
    is_new = np.zeros(total, dtype=bool)
    is_new[rows_sorted] = True
    return np.flatnonzero(~is_new)


@functools.cache
def _compiled() -> SimpleNamespace:
    """The compiled helpers (numba is imported on first use, not with the package)."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def radix_argsort(keys):
        n = keys.size
        lo, hi = keys.min(), keys.max()
        span = np.uint64(hi) - np.uint64(lo)  # wraps correctly for any int64 range
        bits = 0
        while bits < 64 and (span >> np.uint64(bits)) > np.uint64(0):
            bits += 11
        n_digits = bits // 11
        # Every digit's histogram in one pass over the keys, instead of one pass per digit.
        counts = np.zeros((max(n_digits, 1), 2049), dtype=np.int64)
        values = np.empty(n, dtype=np.uint64)
        for i in range(n):
            v = np.uint64(keys[i]) - np.uint64(lo)
            values[i] = v
            for k in range(n_digits):
                counts[k, ((v >> np.uint64(11 * k)) & np.uint64(2047)) + np.uint64(1)] += 1
        order = np.arange(n)
        spare_values = np.empty_like(values)
        spare_order = np.empty_like(order)
        for k in range(n_digits):
            c = counts[k]
            if c.max() == n:  # every key has the same digit: nothing moves
                continue
            for d in range(2048):
                c[d + 1] += c[d]
            s = np.uint64(11 * k)
            for i in range(n):
                d = (values[i] >> s) & np.uint64(2047)
                j = c[d]
                c[d] = j + 1
                spare_values[j] = values[i]
                spare_order[j] = order[i]
            values, spare_values = spare_values, values
            order, spare_order = spare_order, order
        return order

    @numba.njit(cache=True, nogil=True)
    def pack(keys, lo, index_bits):
        out = np.empty(keys.size, dtype=np.uint64)
        shift = np.uint64(index_bits)
        for i in range(keys.size):
            out[i] = ((np.uint64(keys[i]) - np.uint64(lo)) << shift) | np.uint64(i)
        return out

    @numba.njit(cache=True, nogil=True)
    def unpack(packed, index_bits):
        mask = (np.uint64(1) << np.uint64(index_bits)) - np.uint64(1)
        out = np.empty(packed.size, dtype=np.int64)
        for i in range(packed.size):
            out[i] = np.int64(packed[i] & mask)
        return out

    @numba.njit(cache=True, nogil=True)
    def unpack_both(packed, lo, index_bits):
        mask = (np.uint64(1) << np.uint64(index_bits)) - np.uint64(1)
        shift = np.uint64(index_bits)
        keys = np.empty(packed.size, dtype=np.int64)
        order = np.empty(packed.size, dtype=np.int64)
        for i in range(packed.size):
            keys[i] = np.int64((packed[i] >> shift) + np.uint64(lo))
            order[i] = np.int64(packed[i] & mask)
        return keys, order

    @numba.njit(cache=True, nogil=True)
    def block_starts(keys, n_second):
        """``starts[f]``: the first row whose first component is at least ``f`` (keys sorted)."""
        n_first = keys[-1] // n_second + 1
        starts = np.zeros(n_first + 1, dtype=np.int64)
        for i in range(keys.size):
            starts[keys[i] // n_second + 1] += 1
        for f in range(n_first):
            starts[f + 1] += starts[f]
        return starts

    @numba.njit(cache=True, nogil=True)
    def pick_in_blocks(starts, first, draw):
        out = np.empty(first.size, dtype=np.int64)
        n_first = starts.size - 1
        for i in range(first.size):
            f = first[i]
            out[i] = -1
            if 0 <= f < n_first and starts[f + 1] > starts[f]:
                count = starts[f + 1] - starts[f]
                out[i] = starts[f] + min(np.int64(np.floor(draw[i] * count)), count - 1)
        return out

    @numba.njit(cache=True, nogil=True)
    def find_in_blocks(keys, starts, first, second, n_second):
        out = np.empty(first.size, dtype=np.int64)
        n_first = starts.size - 1
        for i in range(first.size):
            f = first[i]
            out[i] = -1
            if f < 0 or f >= n_first:
                continue
            x = f * n_second + second[i]
            lo, hi = starts[f], starts[f + 1]
            while lo < hi:  # bisection within the block (a handful of rows)
                mid = (lo + hi) >> 1
                if keys[mid] < x:
                    lo = mid + 1
                else:
                    hi = mid
            if lo < starts[f + 1] and keys[lo] == x:
                out[i] = lo
        return out

    @numba.njit(cache=True, nogil=True)
    def places_fit(table_keys, keys, at):
        """Whether each of the sorted ``keys`` lies strictly between the table rows around its
        place ``at`` (non-decreasing): what a left search of absent keys gives."""
        n = table_keys.size
        for i in range(keys.size):
            a = at[i]
            if a < 0 or a > n or (i > 0 and a < at[i - 1]):
                return False
            if (a > 0 and not table_keys[a - 1] < keys[i]) or (a < n and not keys[i] < table_keys[a]):
                return False
        return True

    @numba.njit(cache=True, nogil=True)
    def count_descents(needles):
        count = 0
        for i in range(1, needles.size):
            count += needles[i] < needles[i - 1]
        return count

    @numba.njit(cache=True, nogil=True)
    def gallop_search(haystack, needles, right):
        k = haystack.size
        out = np.empty(needles.size, dtype=np.int64)
        lo = 0  # the result for the previous needle: a bound for the next one
        for i in range(needles.size):
            x = needles[i]
            if i > 0 and x < needles[i - 1]:  # a new run: bisect below the previous result
                hi = lo
                lo = 0
            else:  # gallop up from the previous result
                step = 1
                hi = lo
                while hi < k and (haystack[hi] <= x if right else haystack[hi] < x):
                    lo = hi + 1
                    hi = lo + step
                    step *= 2
                if hi > k:
                    hi = k
            while lo < hi:  # first position in [lo, hi) past x (right) or not below x (left)
                mid = (lo + hi) >> 1
                if haystack[mid] <= x if right else haystack[mid] < x:
                    lo = mid + 1
                else:
                    hi = mid
            out[i] = lo
        return out

    @numba.njit(cache=True, nogil=True)
    def merge_column(take_new, old, new, out):
        """``out[take_new] = new; out[~take_new] = old``, in one pass without a branch per slot.
        Both ``old`` and ``new`` must be non-empty."""
        i, j = 0, 0
        last_old, last_new = old.size - 1, new.size - 1
        for w in range(take_new.size):
            t = take_new[w]
            a = old[min(i, last_old)]  # read both sides (clamped past the end), keep one
            b = new[min(j, last_new)]
            out[w] = b if t else a
            j += t
            i += 1 - t

    @numba.njit(cache=True, nogil=True)
    def merge_column_through(take_new, old, new, index, out):
        """:func:`merge_column` with the new rows read as ``new[index]`` (the indirection costs
        1.5-2 ms per 2 million slots, so plain arrays take the plain merge)."""
        i, j = 0, 0
        last_old, last_new = old.size - 1, index.size - 1
        for w in range(take_new.size):
            t = take_new[w]
            a = old[min(i, last_old)]
            b = new[index[min(j, last_new)]]
            out[w] = b if t else a
            j += t
            i += 1 - t

    return SimpleNamespace(
        radix_argsort=radix_argsort, pack=pack, unpack=unpack, unpack_both=unpack_both, count_descents=count_descents,
        block_starts=block_starts, find_in_blocks=find_in_blocks, pick_in_blocks=pick_in_blocks,
        places_fit=places_fit,
        gallop_search=gallop_search, merge_column=merge_column, merge_column_through=merge_column_through,
    )


class PairTable:
    """Rows keyed by ``first * n_second + second``, kept sorted by key.

    Parameters
    ----------
    n_second : int
        Exclusive upper bound of the second component.
    columns : mapping of str to numpy dtype
        Value columns and their types. Every row has a value in every column.
    """

    def __init__(self, n_second: int, columns: Mapping[str, np.dtype | type]) -> None:
        self.n_second = int(n_second)
        self.keys = np.zeros(0, dtype=np.int64)
        self._blocks_of: np.ndarray | None = None  # the keys that _blocks indexes (see find_pairs)
        self._blocks = np.zeros(1, dtype=np.int64)
        self.columns: dict[str, np.ndarray] = {
            name: np.zeros(0, dtype=dtype) for name, dtype in columns.items()
        }

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def key(self, first: np.ndarray | int, second: np.ndarray | int) -> np.ndarray:
        """Keys of (first, second) pairs."""
        return np.asarray(first, dtype=np.int64) * self.n_second + np.asarray(second, dtype=np.int64)

    def first(self) -> np.ndarray:
        """First component of every row."""
        return self.keys // self.n_second

    def second(self) -> np.ndarray:
        """Second component of every row."""
        return self.keys % self.n_second

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Row index of each key, or -1 where the key is absent."""
        keys = np.asarray(keys, dtype=np.int64)
        if len(self) == 0:
            return np.full(keys.shape, -1, dtype=np.int64)
        pos = search(self.keys, keys)
        clipped = np.minimum(pos, len(self) - 1)
        found = self.keys[clipped] == keys
        return np.where(found, clipped, -1).astype(np.int64)

    def find_pairs(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Row index of each (first, second) pair, or -1 where it is absent; :meth:`find` of
        their keys, faster for many pairs in no particular order.

        Each pair is searched only among the rows of its first component (one block, found
        through an index of where each first component's rows start, rebuilt after the keys
        change), so a lookup reads two or three nearby places instead of bisecting the table,
        and the pairs need not be sorted first. The model's trust lookups (a day's pairs, in
        item order, against the user-creator relations) take about half the time of sorting
        them and searching.
        """
        first = np.asarray(first, dtype=np.int64)
        second = np.asarray(second, dtype=np.int64)
        if len(self) == 0 or first.size < COMPILED_FROM:
            return self.find(self.key(first, second))
        if self._blocks_of is not self.keys:
            self._blocks = _compiled().block_starts(self.keys, self.n_second)
            self._blocks_of = self.keys
        shape = np.broadcast_shapes(first.shape, second.shape)
        first, second = (np.ascontiguousarray(np.broadcast_to(a, shape)).ravel() for a in (first, second))
        rows = _compiled().find_in_blocks(self.keys, self._blocks, first, second, self.n_second)
        return rows.reshape(shape)

    def insert(
        self,
        keys: np.ndarray,
        values: Mapping[str, np.ndarray | float],
        select: np.ndarray | None = None,
        at: np.ndarray | None = None,
    ) -> np.ndarray:
        """Insert rows for keys that must be unique and absent; return their new row indices.

        ``values`` maps column names to one value per key, or to a scalar for all of them;
        columns not named are filled with zeros. With ``select``, the i-th key's values are
        ``values[name][select[i]]``: the caller passes whole arrays (for example one entry per
        pair of the day) and the index of the rows to insert, and each column is read through
        the index while merging instead of being compressed first. ``at`` may give, for each
        key, its place in the current table (``searchsorted(table.keys, key)``) when the
        caller already knows it (the model's grouping walks the table anyway); it is checked,
        and saves the search.
        """
        keys = np.asarray(keys, dtype=np.int64)
        presorted = keys.size < 2 or bool(np.all(keys[1:] > keys[:-1]))
        order = None if presorted else argsort_stable(keys)
        if order is not None:
            keys = keys[order]
            if np.any(keys[1:] == keys[:-1]):
                raise ValueError("PairTable.insert needs unique keys")
        if select is not None:
            select = np.asarray(select, dtype=np.int64)
            if select.shape != keys.shape:
                raise ValueError(f"select has {select.size} entries for {keys.size} keys")
        # Row i of the insert takes the values at index[i] of each values array (None: at i).
        index = order if select is None else (select if order is None else select[order])
        if at is not None:
            at = np.asarray(at, dtype=np.int64)
            if at.shape != keys.shape:
                raise ValueError(f"at has {at.size} entries for {keys.size} keys")
            at = at if order is None else at[order]
            if not _compiled().places_fit(self.keys, keys, at):
                raise ValueError("at does not give the keys' places in the table (searchsorted, left)")
        needed = keys.size if select is None else (int(select.max()) + 1 if select.size else 0)
        if select is not None and select.size and select.min() < 0:
            raise ValueError("select holds negative positions")
        new_values: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
        for name, column in self.columns.items():  # checked before the table changes
            new = values.get(name, 0)
            if np.ndim(new) == 0:
                new_values[name] = (np.full(keys.shape, new, dtype=column.dtype), None)
                continue
            new = np.ascontiguousarray(new, dtype=column.dtype)
            if new.ndim != 1 or new.size < needed or (select is None and new.size != keys.size):
                raise ValueError(
                    f"column {name!r} got {new.size} values for {keys.size} keys"
                    + ("" if select is None else f" selected up to position {needed - 1}")
                )
            new_values[name] = (new, index)
        total = len(self) + keys.shape[0]
        # After inserting sorted keys at sorted places, the i-th new key lands at place[i] + i;
        # the old rows fill the remaining slots in order.
        rows_sorted = (search(self.keys, keys) if at is None else at) + np.arange(keys.shape[0], dtype=np.int64)
        if keys.size >= COMPILED_FROM and len(self):
            # Each column is then one branch-free pass over the merged slots (a select rather
            # than a branch: which side comes next is unpredictable, and the mispredictions
            # cost more than reading both). About 3x faster than placing old and new rows
            # with two scatters per column, which read an index array each.
            compiled = _compiled()
            take_new = np.zeros(total, dtype=bool)
            take_new[rows_sorted] = True

            def merged(old: np.ndarray, new: np.ndarray, index: np.ndarray | None) -> np.ndarray:
                out = np.empty(total, dtype=old.dtype)
                if index is None:
                    compiled.merge_column(take_new, old, new, out)
                else:
                    compiled.merge_column_through(take_new, old, new, index, out)
                return out
        else:
            old_rows = _old_row_positions(rows_sorted, total)

            def merged(old: np.ndarray, new: np.ndarray, index: np.ndarray | None) -> np.ndarray:
                out = np.empty(total, dtype=old.dtype)
                out[old_rows] = old
                out[rows_sorted] = new if index is None else new[index]
                return out

        self.keys = merged(self.keys, keys, None)
        for name, (new, through) in new_values.items():
            self.columns[name] = merged(self.columns[name], new, through)
        if order is None:
            return rows_sorted
        rows = np.empty_like(rows_sorted)
        rows[order] = rows_sorted
        return rows

    def get(self, name: str, rows: np.ndarray, default) -> np.ndarray:
        """Values of column ``name`` at ``rows``, and ``default`` where a row is -1."""
        column = self.columns[name]
        if column.size == 0:
            return np.full(rows.shape, default, dtype=column.dtype)
        out = column[rows]  # -1 reads the last row: overwritten just below
        out[rows < 0] = default
        return out

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows where ``mask`` is true (order is preserved)."""
        self.keys = self.keys[mask]
        for name in self.columns:
            self.columns[name] = self.columns[name][mask]

    def drop_runs(self, start: np.ndarray, stop: np.ndarray) -> None:
        """Drop the rows in ``[start[i], stop[i])``; the runs must be increasing and disjoint.

        Same as :meth:`keep` with those rows false, but moves rows in place: the longest kept
        stretch stays where it is, the other kept stretches are moved up against it, and the
        table becomes a view of the joined range. The expiring items of a day are mostly
        consecutive ids, so their rows are one or two stretches and the kept rows around them
        are one long stretch plus a short one (the campaign's items, which never expire):
        only the short one is copied. Column arrays taken from the table before the call
        see their rows moved.
        """
        start, stop = np.asarray(start, dtype=np.int64), np.asarray(stop, dtype=np.int64)
        nonempty = stop > start
        start, stop = start[nonempty], stop[nonempty]
        if start.size == 0:
            return
        joined = np.r_[True, start[1:] != stop[:-1]]  # a run that starts where the last stops
        start, stop = start[joined], stop[np.r_[joined[1:], True]]
        kept = [(a, b) for a, b in zip(np.r_[0, stop].tolist(), np.r_[start, len(self)].tolist()) if b > a]
        if not kept:
            self.keep(np.zeros(len(self), dtype=bool))
            return
        longest = max(range(len(kept)), key=lambda k: kept[k][1] - kept[k][0])
        first, last = kept[longest]
        moves = []  # (source start, source stop, destination start), in a safe order
        for a, b in reversed(kept[:longest]):  # moved right, the nearest first
            first -= b - a
            moves.append((a, b, first))
        for a, b in kept[longest + 1:]:  # moved left, the nearest first
            moves.append((a, b, last))
            last += b - a
        arrays = [self.keys, *self.columns.values()]
        for a, b, to in moves:
            for array in arrays:
                array[to: to + b - a] = array[a:b]  # numpy handles the overlap of a short move
        self.keys = self.keys[first:last]
        for name in self.columns:
            self.columns[name] = self.columns[name][first:last]

    def rows_of_first(self, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start and stop row of each ``first`` value's contiguous block."""
        first = np.asarray(first, dtype=np.int64)
        start = search(self.keys, first * self.n_second)
        stop = search(self.keys, (first + 1) * self.n_second)
        return start, stop
