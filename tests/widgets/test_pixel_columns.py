"""The strip's pixel columns: each in the state of the last window over it, however the windows lie."""

from __future__ import annotations

import random

import numpy as np
import pytest

from app.model.vocabulary import EngagementState
from app.model.wire_v0 import EngagementWindow
from widgets.pixel_columns import STATE_CODES, WindowColumns, column_range

STATES: list[EngagementState] = ["engaged", "neutral", "disengaged"]


def painted_one_by_one(history: list[EngagementWindow], width: int, span_s: float) -> list[int]:
    """What painting each window in turn over the last leaves in each column."""
    columns = [0] * width
    for window in history:
        first, last = column_range(window.start, window.end, width / span_s, width)
        columns[first:last] = [STATE_CODES[window.state]] * (last - first)
    return columns


def side_by_side(rng: random.Random, count: int) -> list[EngagementWindow]:
    """Windows one after another, as the timeline closes them: long ones, and many far under a
    pixel wide, with gaps now and then."""
    history, t = [], 0.0
    for _ in range(count):
        t += rng.choice([0.0, 0.0, 0.0, rng.uniform(0, 30)])
        length = rng.choice([rng.uniform(0.01, 1.0), rng.uniform(1, 40)])
        history.append(EngagementWindow(start=t, end=t + length, state=rng.choice(STATES)))
        t += length
    return history


@pytest.mark.parametrize("seed", range(6))
def test_windows_side_by_side_give_the_columns_painting_them_one_by_one_would(seed: int) -> None:
    rng = random.Random(seed)
    history = side_by_side(rng, rng.choice([1, 5, 300, 3000]))
    columns = WindowColumns()
    columns.update(history)
    for width in (1, 7, 298, 1500):
        span = max(60.0, history[-1].end * rng.uniform(1.0, 1.5))
        assert columns.columns(width, span).tolist() == painted_one_by_one(history, width, span)


def test_overlapping_and_nested_windows_give_those_columns_too() -> None:
    rng = random.Random(7)
    starts = sorted(rng.uniform(0, 100) for _ in range(200))
    history = [
        EngagementWindow(start=s, end=s + rng.uniform(0.05, 20), state=rng.choice(STATES)) for s in starts
    ]
    columns = WindowColumns()
    columns.update(history)
    assert columns.columns(400, 120.0).tolist() == painted_one_by_one(history, 400, 120.0)


def test_a_growing_history_reads_only_its_new_windows_and_matches_one_read_whole() -> None:
    rng = random.Random(3)
    whole = side_by_side(rng, 400)
    columns = WindowColumns()
    for end in range(1, len(whole) + 1, 7):
        # The last window is still open: the next snapshot has it longer, as a new object.
        open_window = whole[end - 1].model_copy(update={"end": whole[end - 1].end + 0.5})
        columns.update([*whole[: end - 1], open_window])
    columns.update(whole)
    fresh = WindowColumns()
    fresh.update(whole)
    span = whole[-1].end
    assert np.array_equal(columns.columns(500, span), fresh.columns(500, span))
    assert columns.columns(500, span).tolist() == painted_one_by_one(whole, 500, span)


def test_a_window_inserted_early_is_read_again_from_the_start() -> None:
    history = [EngagementWindow(start=10.0 * i, end=10.0 * i + 10, state="engaged") for i in range(6)]
    columns = WindowColumns()
    columns.update(history)
    changed = [*history[:2], EngagementWindow(start=20.0, end=30.0, state="disengaged"), *history[3:]]
    columns.update(changed)
    assert columns.columns(60, 60.0).tolist() == painted_one_by_one(changed, 60, 60.0)


def test_no_windows_leave_every_column_empty() -> None:
    assert WindowColumns().columns(5, 60.0).tolist() == [0] * 5
