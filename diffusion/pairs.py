"""A sorted, array-backed table keyed by pairs of integers.

The platform model keeps two sparse relations this way, both far too large as dense
matrices: who has seen which item (key ``item * n_users + user``) and what each user thinks of
each creator (key ``user * n_users + creator``). Lookups and inserts are vectorised over whole
batches: one ``searchsorted`` per lookup, one merge pass per column per insert.

Notes
-----
Lookup of m keys in a table of k rows costs O(m log k); inserting m new rows costs O(k + m)
(one merge of each column). Because keys sort by their first component, all rows of one user
(or one item) are contiguous, which the model uses to sample a user's follows without a loop.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def search(haystack: np.ndarray, needles: np.ndarray, side: str = "left") -> np.ndarray:
    """``np.searchsorted(haystack, needles, side)``, with the needles searched in sorted order.

    numpy's binary search starts each needle from the previous one's result when needles
    increase, so sorted needles touch memory in order; on a 10^7-row table, 10^6 random needles
    take about 1.5 s unsorted and 0.2 s sorted, sort included. Same result either way.
    """
    needles = np.asarray(needles)
    if needles.size < 2 or bool(np.all(needles[1:] >= needles[:-1])):
        return np.searchsorted(haystack, needles, side=side)
    order = np.argsort(needles, kind="stable")
    out = np.empty(needles.shape, dtype=np.int64)
    out[order] = np.searchsorted(haystack, needles[order], side=side)
    return out


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

    def insert(self, keys: np.ndarray, values: Mapping[str, np.ndarray]) -> np.ndarray:
        """Insert rows for keys that must be unique and absent; return their new row indices.

        Columns not named in ``values`` are filled with zeros.
        """
        keys = np.asarray(keys, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        if keys.size > 1 and np.any(keys[1:] == keys[:-1]):
            raise ValueError("PairTable.insert needs unique keys")
        pos = np.searchsorted(self.keys, keys)
        # After inserting sorted keys at sorted positions, the i-th new key lands at pos[i] + i;
        # the old rows fill the remaining slots in order. Computed once for all columns.
        rows_sorted = pos + np.arange(keys.shape[0], dtype=np.int64)
        total = len(self) + keys.shape[0]
        is_new = np.zeros(total, dtype=bool)
        is_new[rows_sorted] = True
        old_rows = np.flatnonzero(~is_new)

        def merged(old: np.ndarray, new: np.ndarray) -> np.ndarray:
            out = np.empty(total, dtype=old.dtype)
            out[old_rows] = old
            out[rows_sorted] = new
            return out

        self.keys = merged(self.keys, keys)
        for name, column in self.columns.items():
            new = values.get(name)
            new = np.zeros(keys.shape, dtype=column.dtype) if new is None else np.asarray(new)[order]
            self.columns[name] = merged(column, new.astype(column.dtype, copy=False))
        rows = np.empty_like(rows_sorted)
        rows[order] = rows_sorted
        return rows

    def get(self, name: str, rows: np.ndarray, default) -> np.ndarray:
        """Values of column ``name`` at ``rows``, and ``default`` where a row is -1."""
        column = self.columns[name]
        out = np.full(rows.shape, default, dtype=column.dtype)
        found = rows >= 0
        out[found] = column[rows[found]]
        return out

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows where ``mask`` is true (order is preserved)."""
        self.keys = self.keys[mask]
        for name in self.columns:
            self.columns[name] = self.columns[name][mask]

    def rows_of_first(self, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start and stop row of each ``first`` value's contiguous block."""
        first = np.asarray(first, dtype=np.int64)
        start = np.searchsorted(self.keys, first * self.n_second)
        stop = np.searchsorted(self.keys, (first + 1) * self.n_second)
        return start, stop
