"""What goes out and when: limits, pause, the in-flight window, stale segments, the drain on stop."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from support.protocol_server import ProtocolServer, Script
from support.uplink_helpers import SEGMENT_S

from app.model.events import (
    ConnectionChanged,
    DrainStarted,
    ResultReceived,
    SegmentCompleted,
    SegmentError,
    SegmentSent,
    SegmentSkipped,
    SegmentUnanswered,
)
from app.model.timeline import SessionTimeline
from app.uplink import AuthRejected
from capture.encoder_config import MAX_SEGMENT_BYTES
from capture.media import SessionClock, clock_now

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


async def test_segments_outside_the_limits_never_leave(make_uplink, segments, caplog) -> None:
    good, short, tiny, huge = segments(4)
    short = replace(short, t1=short.t0 + 2.0)
    tiny = replace(tiny, data=good.data[:9000])
    huge = replace(huge, data=good.data + bytes(MAX_SEGMENT_BYTES))
    async with ProtocolServer() as server:
        uplink, log = make_uplink(server.url)
        for segment in (good, short, tiny, huge):
            uplink.submit(segment)
        await log.wait_for(lambda log: len(log.of(SegmentCompleted)) == 1)
        await uplink.stop()
    assert server.connections[0].segment_sizes == [good.size_bytes]
    skipped = {(e.index, e.reason) for e in log.of(SegmentSkipped)}
    assert skipped == {(1, "out_of_limits"), (2, "out_of_limits"), (3, "out_of_limits")}
    details = [e.detail for e in log.of(SegmentSkipped)]
    assert "under the 3 s minimum" in details[0]
    assert "under the 10240 byte minimum" in details[1]
    assert "over the 20971520 byte maximum" in details[2]
    assert uplink.stats().skipped == {"out_of_limits": 3}
    assert sum("not sent" in r.getMessage() for r in caplog.records if r.levelname == "WARNING") == 3


async def test_nothing_leaves_while_paused(make_uplink, segments) -> None:
    first, second, third = segments(3)
    async with ProtocolServer() as server:
        uplink, log = make_uplink(server.url)
        uplink.paused = True
        uplink.submit(first)
        uplink.submit(second)
        uplink.paused = False
        uplink.submit(third)
        await log.wait_for(lambda log: len(log.of(SegmentCompleted)) == 1)
        await uplink.stop()
    assert [(e.index, e.reason) for e in log.of(SegmentSkipped)] == [(0, "paused"), (1, "paused")]
    assert [e.index for e in log.of(SegmentSent)] == [2]
    assert server.connections[0].segment_sizes == [third.size_bytes]


async def test_no_binary_frame_reaches_the_server_while_paused(make_uplink, segments) -> None:
    """Segments waiting their turn when the user pauses are not sent either, and a reconnection
    while paused sends nothing; the one already sent is still answered."""
    waiting, after_pause, after_resume = segments(2), segments(2, first=2), segments(1, first=4)
    async with ProtocolServer(Script(delay_s=0.6), Script()) as server:
        uplink, log = make_uplink(server.url, max_in_flight=1)
        for segment in waiting:
            uplink.submit(segment)
        await log.wait_for(lambda log: len(log.of(SegmentSent)) == 1)
        while not server.connections[0].arrived_at:  # sent before the pause: let it land first
            await asyncio.sleep(0.01)
        uplink.paused = True
        paused_at = time.monotonic()
        for segment in after_pause:
            uplink.submit(segment)
        await log.wait_for(lambda log: len(log.of(SegmentCompleted)) == 1)
        server.drop_connections()  # the uplink reconnects while paused
        await log.wait_for(lambda log: sum(e.state == "connected" for e in log.of(ConnectionChanged)) == 2)
        await asyncio.sleep(1.0)
        resumed_at = time.monotonic()
        uplink.paused = False
        for segment in after_resume:
            uplink.submit(segment)
        await log.wait_for(lambda log: len(log.of(SegmentCompleted)) == 2)
        await uplink.stop()
    arrivals = [t for connection in server.connections for t in connection.arrived_at]
    assert len(arrivals) == 2
    assert not [t for t in arrivals if paused_at <= t <= resumed_at], "a frame arrived while paused"
    assert [e.index for e in log.of(SegmentSent)] == [0, 4]
    assert [(e.index, e.reason) for e in log.of(SegmentSkipped)] == [
        (1, "paused"),
        (2, "paused"),
        (3, "paused"),
    ]


async def test_the_in_flight_window_holds_back_a_slow_server(make_uplink, segments) -> None:
    async with ProtocolServer(Script(delay_s=0.3)) as server:
        uplink, log = make_uplink(server.url, max_in_flight=2)
        for segment in segments(5):
            uplink.submit(segment)
        await log.wait_for(lambda log: len(log.of(SegmentSent)) == 2)
        assert uplink.stats().in_flight == 2 and uplink.stats().queued == 3
        await log.wait_for(lambda log: len(log.of(SegmentCompleted)) == 5)
        await uplink.stop()
    assert server.connections[0].max_unanswered == 2
    assert [e.index for e in log.of(SegmentCompleted)] == [0, 1, 2, 3, 4]


async def test_a_link_that_falls_behind_skips_the_oldest_stale_segments(make_uplink, segments) -> None:
    # Session time 17 s: segments ending at 3.2 … 16 s are 1–13.8 s old; stale after 10 s.
    clock = SessionClock(clock_now() - 17.0)
    async with ProtocolServer(Script(delay_s=0.4)) as server:
        uplink, log = make_uplink(server.url, clock=clock, max_in_flight=1, stale_after_s=10.0)
        batch = segments(5)
        for segment in batch:
            uplink.submit(segment)
        await log.wait_for(lambda log: len(log.of(SegmentCompleted)) + len(log.of(SegmentSkipped)) == 5)
        await uplink.stop()
    skipped = [e.index for e in log.of(SegmentSkipped)]
    assert skipped == [0, 1]  # ended at 3.2 and 6.4 s: over 10 s old on arrival
    assert all(e.reason == "stale" for e in log.of(SegmentSkipped))
    assert [e.index for e in log.of(SegmentCompleted)] == [2, 3, 4]
    assert uplink.stats().skipped == {"stale": 2}
    assert server.connections[0].segment_sizes == [batch[0].size_bytes] * 3


async def test_segments_go_stale_while_waiting_for_the_window(make_uplink, segments) -> None:
    # Segment 1 is 2.5 s old when submitted (fresh: stale after 3 s) and waits 1 s behind segment 0.
    clock = SessionClock(clock_now() - 20.0)
    (first,) = segments(1, first=0, t_start=20.0 - SEGMENT_S)
    (second,) = segments(1, first=1, t_start=20.0 - 2.5 - SEGMENT_S)
    async with ProtocolServer(Script(delay_s=1.0)) as server:
        uplink, log = make_uplink(server.url, clock=clock, max_in_flight=1, stale_after_s=3.0)
        await log.wait_for(lambda log: uplink.stats().state == "connected")
        uplink.submit(first)
        uplink.submit(second)
        await log.wait_for(
            lambda log: len(log.of(SegmentCompleted)) == 1 and len(log.of(SegmentSkipped)) == 1
        )
        await uplink.stop()
    (skipped,) = log.of(SegmentSkipped)
    assert (skipped.index, skipped.reason) == (1, "stale")
    assert skipped.t > log.of(SegmentSent)[0].t + 0.9


async def test_stop_drains_every_segment_then_closes_normally(make_uplink, segments) -> None:
    async with ProtocolServer(Script(delay_s=0.3)) as server:
        uplink, log = make_uplink(server.url)
        for segment in segments(3):
            uplink.submit(segment)
        await uplink.stop()
        assert [e.index for e in log.of(SegmentCompleted)] == [0, 1, 2]
        await uplink.stop()  # idempotent
    assert server.connections[0].close_code == 1000
    assert uplink.stats().state == "closed"


async def test_the_drain_gives_up_after_its_timeout(make_uplink, segments) -> None:
    async with ProtocolServer(Script(delay_s=30.0)) as server:
        uplink, log = make_uplink(server.url, drain_timeout_s=0.5, max_in_flight=1)
        first, second = segments(2)
        uplink.submit(first)
        uplink.submit(second)
        await log.wait_for(lambda log: len(log.of(SegmentSent)) == 1)
        started = time.monotonic()
        await uplink.stop()
        took = time.monotonic() - started
    assert 0.5 <= took < 3.0
    (drain,) = log.of(DrainStarted)
    assert (drain.in_flight, drain.queued, drain.timeout_s) == (1, 1, 0.5)
    # Not answered is not an error of the segment: nothing failed, the session ended first.
    assert log.of(SegmentError) == []
    assert [(e.index, e.had_result) for e in log.of(SegmentUnanswered)] == [(0, False)]
    assert [(e.index, e.reason) for e in log.of(SegmentSkipped)] == [(1, "not_sent")]
    assert server.connections[0].close_code == 1000
    assert uplink.failure is None, "connected all along: the session is not a failed one"


async def test_a_result_whose_completed_never_comes_is_unanswered_not_an_error(make_uplink, segments) -> None:
    async with ProtocolServer(Script(withhold_completed=True)) as server:
        uplink, log = make_uplink(server.url, drain_timeout_s=0.5)
        uplink.submit(segments(1)[0])
        await log.wait_for(lambda log: bool(log.of(ResultReceived)))
        await uplink.stop()
    assert log.of(SegmentError) == [] and log.of(SegmentCompleted) == []
    assert [(e.index, e.had_result) for e in log.of(SegmentUnanswered)] == [(0, True)]
    timeline = SessionTimeline()
    for event in log.events:
        timeline.apply(event)
    counts = timeline.counts
    assert (counts.sent, counts.completed, counts.errored, counts.unanswered) == (1, 0, 0, 1)
    assert counts.in_flight == 0


async def test_submitting_after_stop_is_skipped_not_lost_silently(make_uplink, segments) -> None:
    async with ProtocolServer() as server:
        uplink, log = make_uplink(server.url)
        await uplink.stop()
        uplink.submit(segments(1)[0])
    assert [(e.index, e.reason) for e in log.of(SegmentSkipped)] == [(0, "not_sent")]


async def test_a_refusal_during_the_drain_stays_the_reason(make_uplink, segments) -> None:
    """The key is refused (close 4003) while Stop waits for the answer: that, not 'no answer', is why."""
    async with ProtocolServer(Script(close_after=(1, 4003))) as server:
        uplink, log = make_uplink(server.url)
        uplink.submit(segments(1)[0])
        await uplink.stop(wait_for_reconnect=True)
    assert isinstance(uplink.failure, AuthRejected) and uplink.failure.scope
    assert [e.index for e in log.of(SegmentUnanswered)] == [0]
