"""Items (short videos and product posts) as growable column arrays.

Item ``k`` is row ``k`` of every array; ids are assigned in posting order and never reused, so
per-item counters can be indexed directly by id.
"""

from __future__ import annotations

import numpy as np

from diffusion.params import CHANNELS

#: Columns of the item store and their types.
ITEM_COLUMNS: dict[str, type] = {
    "creator": np.int64,
    "created": np.int64,
    "expires": np.int64,  # first day on which the item is no longer live
    "product": np.bool_,
    "campaign": np.bool_,
    "appeal": np.float64,
    "price": np.float64,
    "views": np.int64,
    "likes": np.int64,
    "shares": np.int64,
    "purchases": np.int64,
    "follows": np.int64,
    "stream": np.bool_,  # a live stream (one day) rather than a short video (P8, S3)
    "announced": np.bool_,  # a live stream announced the day before (S3)
    "local": np.bool_,  # a local service: only viewers of the creator's city can buy (R1)
    "household": np.int64,  # whose produce the item sells (R4 rural leaders), -1: the creator's own
}
#: Value of a column for items appended without it (all others default to 0 / False).
DEFAULTS: dict[str, int] = {"household": -1}


class ItemStore:
    """Per-item attributes and counters, with amortised O(1) appends."""

    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        self._data = {name: np.zeros(capacity, dtype=dt) for name, dt in ITEM_COLUMNS.items()}
        self._views_by_channel = np.zeros((capacity, len(CHANNELS)), dtype=np.int64)

    def __len__(self) -> int:
        return self.n

    def __getattr__(self, name: str) -> np.ndarray:
        data = self.__dict__.get("_data")
        if data is not None and name in data:
            return data[name][: self.n]
        raise AttributeError(name)

    @property
    def views_by_channel(self) -> np.ndarray:
        """Views of each item by channel, shape (n_items, len(CHANNELS))."""
        return self._views_by_channel[: self.n]

    def append(self, **columns: np.ndarray) -> np.ndarray:
        """Add items (one per entry of the given columns); return their ids."""
        count = len(next(iter(columns.values())))
        self._reserve(self.n + count)
        ids = np.arange(self.n, self.n + count, dtype=np.int64)
        unknown = set(columns) - set(ITEM_COLUMNS)
        if unknown:
            raise KeyError(f"unknown item columns: {sorted(unknown)}")
        for name in ITEM_COLUMNS:
            if name in columns:
                self._data[name][ids] = columns[name]
            elif name in DEFAULTS:
                self._data[name][ids] = DEFAULTS[name]
        self.n += count
        return ids

    def live(self, step: int) -> np.ndarray:
        """Ids of items live on ``step`` (posted on or before it and not expired)."""
        return np.flatnonzero((self.created <= step) & (self.expires > step))

    def _reserve(self, size: int) -> None:
        capacity = self._views_by_channel.shape[0]
        if size <= capacity:
            return
        new_capacity = max(size, 2 * capacity)
        for name, column in self._data.items():
            grown = np.zeros(new_capacity, dtype=column.dtype)
            grown[:capacity] = column
            self._data[name] = grown
        grown = np.zeros((new_capacity, len(CHANNELS)), dtype=np.int64)
        grown[:capacity] = self._views_by_channel
        self._views_by_channel = grown
