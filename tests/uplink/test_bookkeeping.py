"""The uplink's pure parts: backoff with full jitter, the retry budget, and segment bookkeeping."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from app.uplink.backoff import Backoff, ReconnectPolicy
from app.uplink.segment_tracker import SegmentTracker, limits_problem


def test_full_jitter_doubles_its_cap_up_to_the_maximum() -> None:
    backoff = Backoff(0.5, 30.0, uniform=lambda lo, hi: hi)
    assert [backoff.next_delay() for _ in range(8)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_delays_are_drawn_between_zero_and_the_cap() -> None:
    backoff = Backoff(0.5, 30.0, uniform=random.Random(3).uniform)
    delays = [backoff.next_delay() for _ in range(200)]
    assert all(0 <= d <= 30 for d in delays)
    assert min(delays[10:]) < 5 < max(delays[10:])  # spread over the whole range, not clustered at the cap


def test_a_slow_retry_waits_at_least_half_of_a_four_times_larger_cap() -> None:
    lows = Backoff(0.5, 30.0, uniform=lambda lo, hi: lo)
    assert [lows.next_delay(slow=True) for _ in range(5)] == [1, 2, 4, 8, 15]
    with pytest.raises(ValueError):
        Backoff(0, 1)


def test_the_budget_counts_failures_in_a_row() -> None:
    policy = ReconnectPolicy(Backoff(0.5, 30.0), budget=3)
    assert [policy.failed(), policy.failed()] == [False, False]
    policy.healthy()
    assert [policy.failed(), policy.failed(), policy.failed()] == [False, False, True]
    forever = ReconnectPolicy(Backoff(0.5, 30.0), budget=None)
    assert not any(forever.failed() for _ in range(100))


def test_numbering_offsets_and_resending(segments) -> None:
    tracker = SegmentTracker()
    tracker.new_connection(1)
    batch = [tracker.enqueue(s) for s in segments(4)]
    numbers = []
    while (tracked := tracker.next_to_send(max_in_flight=3)) is not None:
        numbers.append(tracker.mark_sending(tracked))
    assert numbers == [1, 2, 3] and tracker.in_flight == 3 and tracker.queued == 1
    tracker.finish(batch[0], "completed")
    tracker.finish(batch[1], "error")
    assert batch[0].segment.data == b"" and batch[0].segment.duration_s == pytest.approx(3.2)
    placement = tracker.placement(batch[2])
    # The rejected segment counts for nothing first; counting it is the alternative.
    assert placement.connection_offset_s == pytest.approx(3.2)
    assert placement.other_offsets_s == pytest.approx((6.4,))
    assert tracker.by_number(3) is batch[2] and tracker.by_number(4) is None

    resent = tracker.new_connection(2)
    assert resent == [batch[2]]
    assert tracker.next_to_send(3) is batch[2]
    assert tracker.mark_sending(batch[2]) == 1
    assert tracker.placement(batch[2]).connection_offset_s == 0.0
    with pytest.raises(ValueError):
        tracker.mark_sending(batch[2])


def test_stale_segments_leave_the_queue(segments) -> None:
    tracker = SegmentTracker()
    for segment in segments(3):
        tracker.enqueue(segment)
    stale = tracker.pop_stale(now=12.0, stale_after_s=5.0)  # ends at 3.2, 6.4, 9.6
    assert [t.index for t in stale] == [0, 1] and tracker.queued == 1
    in_flight, queued = tracker.drop_all()
    assert (in_flight, [t.index for t in queued]) == ([], [2])
    assert tracker.idle


def test_limits(segments) -> None:
    (segment,) = segments(1)
    assert limits_problem(segment) is None
    assert limits_problem(replace(segment, t1=segment.t0 + 2.9999999999)) is None  # float noise at 3.0
    assert "minimum" in (limits_problem(replace(segment, t1=segment.t0 + 2.9)) or "")
