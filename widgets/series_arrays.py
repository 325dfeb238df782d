"""Numbers read from a session's growing list (its engagement windows, its quality windows), kept
as numpy arrays as the list grows.

Each snapshot hands the widgets the whole list again, five times a second. Closed windows stay the
same objects from one snapshot to the next and only the last, still open, changes: reading only
what is new keeps an hour's thousands of windows from being walked in Python on the main thread
each time they are drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import numpy as np

Item = TypeVar("Item")


class SeriesArrays(Generic[Item]):
    def __init__(self, *read: Callable[[Item], float]) -> None:
        """One array for each of `read`, holding what it reads from each item in turn."""
        self._read = read
        self._items: list[Item] = []
        self.arrays: tuple[np.ndarray, ...] = tuple(np.zeros(0) for _ in read)

    def __len__(self) -> int:
        return len(self._items)

    def update(self, items: Sequence[Item]) -> None:
        """Takes the list as it is now; reads again the items from the first that is not the same
        object as before (the last one, usually, or none)."""
        known = self._items
        kept = len(known) - 1 if known and list(items[: len(known) - 1]) == known[:-1] else 0
        new = items[kept:]
        self._items = list(items)
        self.arrays = tuple(
            np.concatenate((old[:kept], np.fromiter((read(item) for item in new), float, len(new))))
            for old, read in zip(self.arrays, self._read, strict=True)
        )
