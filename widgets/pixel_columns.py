"""The engagement history as the strip's pixel columns: each column in the state of the last window
over it, worked out with numpy from arrays kept up to date as windows come.

The strip paints twice a second. Walking an hour's thousands of windows in Python each time took
the main thread milliseconds, more with every minute of the session; here the windows are read as
they come (`SeriesArrays`), and the columns come from a binary search.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.model.vocabulary import EngagementState
from app.model.wire_v0 import EngagementWindow
from widgets.series_arrays import SeriesArrays

STATE_CODES: dict[EngagementState, int] = {"engaged": 1, "neutral": 2, "disengaged": 3}
"""Each state's code in the columns; 0 is no window."""


def column_range(start: float, end: float, scale: float, width: int) -> tuple[int, int]:
    """The columns [first, last) that a span covers, at `scale` columns a second: at least one, so
    that a two-second pause in an hour-long session still shows."""
    first = min(width - 1, max(0, int(start * scale)))
    return first, min(width, max(first + 1, int(end * scale)))


class WindowColumns:
    def __init__(self) -> None:
        self._windows: SeriesArrays[EngagementWindow] = SeriesArrays(
            lambda w: w.start, lambda w: w.end, lambda w: STATE_CODES[w.state]
        )

    def update(self, history: Sequence[EngagementWindow]) -> None:
        """Takes the history, sorted by start, as the snapshot has it now."""
        self._windows.update(history)

    def columns(self, width: int, span_s: float) -> np.ndarray:
        """The state code of each of `width` columns over `span_s` seconds (`column_range`'s)."""
        if not len(self._windows):
            return np.zeros(width, np.intp)
        starts, ends, states = self._windows.arrays
        codes = states.astype(np.intp)
        scale = width / span_s
        first = np.clip((starts * scale).astype(np.intp), 0, width - 1)
        last = np.minimum(width, np.maximum(first + 1, (ends * scale).astype(np.intp)))
        if len(last) > 1 and np.any(last[1:] < last[:-1]):
            return _one_by_one(first, last, codes, width)
        # Ends in order (as they are when windows do not overlap): the last window starting at or
        # before a column is the only one that can be over it.
        x = np.arange(width)
        latest = np.searchsorted(first, x, side="right") - 1
        over = (latest >= 0) & (last[np.maximum(latest, 0)] > x)
        return np.where(over, codes[np.maximum(latest, 0)], 0)


def _one_by_one(first: np.ndarray, last: np.ndarray, codes: np.ndarray, width: int) -> np.ndarray:
    columns = np.zeros(width, np.intp)
    for start, end, code in zip(first.tolist(), last.tolist(), codes.tolist(), strict=True):
        columns[start:end] = code
    return columns
