"""Lost connections and the server's errors (PROTOCOL.md §6): retried, resent, or given up on."""

from __future__ import annotations

import asyncio
import logging

import pytest
from support.protocol_server import ProtocolServer, Script
from support.uplink_helpers import SEGMENT_S, EventLog

from app.model.events import ConnectionChanged, ResultReceived, SegmentCompleted, SegmentError, SegmentSent
from app.model.timeline import SessionTimeline
from app.uplink import AuthRejected, ConnectFailed, QuotaExhausted

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


def completed_indexes(log: EventLog) -> list[int]:
    return sorted({e.index for e in log.of(SegmentCompleted)})


async def test_an_aborted_connection_loses_nothing(make_uplink, segments) -> None:
    # Connection 1 drops its TCP connection when the 3rd segment arrives, unanswered. One segment
    # in flight at a time makes the cut exact: 0 and 1 answered, 2 in flight, 3 queued.
    async with ProtocolServer(Script(abort_after=3), Script()) as server:
        uplink, log = make_uplink(server.url, include=("conversation_quality_timeline",), max_in_flight=1)
        batch = segments(6)
        for segment in batch[:4]:
            uplink.submit(segment)
        await log.wait_for(
            lambda log: any(e.state == "connected" and e.connection == 2 for e in log.of(ConnectionChanged))
        )
        for segment in batch[4:]:
            uplink.submit(segment)
        await log.wait_for(lambda log: completed_indexes(log) == [0, 1, 2, 3, 4, 5])
        await uplink.stop()

    first, second = server.connections
    assert len(first.segment_sizes) == 3
    assert len(second.segment_sizes) == 4  # segments 2 and 3 again, then 4 and 5
    assert [e.state for e in log.of(ConnectionChanged)] == [
        "connecting",
        "connected",
        "lost",
        "reconnecting",
        "connected",
        "closed",
    ]
    resent = [(e.index, e.connection, e.server_segment) for e in log.of(SegmentSent) if e.connection == 2]
    assert resent == [(2, 2, 1), (3, 2, 2), (4, 2, 3), (5, 2, 4)]
    # Connection 2's server times start again at 0; they still land on each segment's session time.
    results = {r.index: r for r in log.of(ResultReceived)}
    for index, segment in enumerate(batch):
        result = results[index]
        assert result.engagement[0].start == pytest.approx(segment.t0)
        assert result.quality.timeline[0].end == pytest.approx(segment.t1)
    stats = uplink.stats()
    assert (stats.reconnects, stats.connection, stats.completed, stats.errored) == (1, 2, 6, 0)

    timeline = SessionTimeline()
    for event in log.events:
        timeline.apply(event)
    counts = timeline.snapshot(30.0).counts
    assert (counts.sent, counts.completed, counts.in_flight, counts.reconnects) == (6, 6, 0, 1)


async def test_every_unanswered_segment_is_resent_after_a_drop(make_uplink, segments) -> None:
    # Three in flight when the connection drops: all three go out again on the next one.
    async with ProtocolServer(Script(abort_after=3, delay_s=0.2), Script()) as server:
        uplink, log = make_uplink(server.url)
        batch = segments(5)
        for segment in batch:
            uplink.submit(segment)
        await log.wait_for(lambda log: completed_indexes(log) == [0, 1, 2, 3, 4])
        await uplink.stop()
    assert [len(c.segment_sizes) for c in server.connections] == [3, 5]
    assert uplink.stats().reconnects == 1
    for result in log.of(ResultReceived):
        assert result.engagement[0].start == pytest.approx(batch[result.index].t0)


async def test_a_1013_close_is_retried_more_slowly(make_uplink, segments) -> None:
    async with ProtocolServer(Script(close_after=(2, 1013)), Script()) as server:
        uplink, log = make_uplink(server.url, backoff_initial_s=0.05, backoff_max_s=1.0)
        for segment in segments(3):
            uplink.submit(segment)
        await log.wait_for(lambda log: completed_indexes(log) == [0, 1, 2])
        await uplink.stop()
    lost = next(e for e in log.of(ConnectionChanged) if e.state == "lost")
    assert "1013" in lost.detail
    retry = next(e for e in log.of(ConnectionChanged) if e.state == "reconnecting")
    assert 0.1 <= retry.retry_in_s <= 0.2  # slow: at least half of 4 × 0.05 s
    assert server.connections[0].close_code == 1013


async def test_close_4003_means_the_key_lacks_the_scope(make_uplink, segments) -> None:
    async with ProtocolServer(Script(close_after=(1, 4003)), Script()) as server:
        uplink, _ = make_uplink(server.url)
        uplink.submit(segments(1)[0])
        failure = await asyncio.wait_for(uplink.wait_failed(), 5)
        await asyncio.sleep(0.4)
    assert isinstance(failure, AuthRejected) and failure.status == 4003
    assert "interhumanai.stream scope" in failure.message
    assert server.attempts == 1


async def test_a_bad_segment_fails_alone_and_the_stream_goes_on(make_uplink, segments, caplog) -> None:
    script = Script(errors={1: "ih5002", 2: "ih6002", 3: "ih4007"})
    async with ProtocolServer(script) as server:
        uplink, log = make_uplink(server.url)
        for segment in segments(4):
            uplink.submit(segment)
        await log.wait_for(lambda log: len(log.of(SegmentCompleted)) == 1 and len(log.of(SegmentError)) == 3)
        await uplink.stop()
    failures = [(e.index, e.error_id) for e in log.of(SegmentError)]
    assert failures == [(0, "ih5002"), (1, "ih6002"), (2, "ih4007")]
    assert all(e.link and e.correlation_id for e in log.of(SegmentError))
    stats = uplink.stats()
    assert (stats.errored, stats.too_large, stats.completed, stats.bad_segments_in_row) == (3, 1, 1, 0)
    assert any(r.levelno == logging.ERROR and "under 3 s" in r.getMessage() for r in caplog.records)
    # Rejected segments count for nothing in connection time: segment 3 reports 0–3.2 s.
    (result,) = log.of(ResultReceived)
    assert result.index == 3 and result.engagement[0].start == pytest.approx(3 * SEGMENT_S)
    assert len(server.connections) == 1


async def test_repeated_internal_errors_reconnect(make_uplink, segments) -> None:
    async with ProtocolServer(Script(errors={1: "ih1001", 2: "ih1001", 3: "ih1001"}), Script()) as server:
        uplink, log = make_uplink(server.url)
        for segment in segments(4):
            uplink.submit(segment)
        await log.wait_for(lambda log: completed_indexes(log) == [3])
        await uplink.stop()
    assert [e.index for e in log.of(SegmentError)] == [0, 1, 2]
    assert len(server.connections) == 2
    assert uplink.stats().reconnects == 1


async def test_a_session_limit_reconnects_at_once_and_resends(make_uplink, segments) -> None:
    async with ProtocolServer(Script(errors={2: "ih6004"}), Script()) as server:
        uplink, log = make_uplink(server.url)
        for segment in segments(3):
            uplink.submit(segment)
        await log.wait_for(lambda log: completed_indexes(log) == [0, 1, 2])
        await uplink.stop()
    assert log.of(SegmentError) == []
    retry = next(e for e in log.of(ConnectionChanged) if e.state == "reconnecting")
    assert retry.retry_in_s == 0.0
    assert len(server.connections[1].segment_sizes) == 2  # segments 1 and 2 again


async def test_a_server_that_ends_every_fresh_stream_is_not_hammered(make_uplink, segments) -> None:
    async with ProtocolServer(Script(errors={1: "ih6004"})) as server:
        uplink, log = make_uplink(server.url, connect_attempts=3)
        uplink.submit(segments(1)[0])
        failure = await asyncio.wait_for(uplink.wait_failed(), 10)
    assert isinstance(failure, ConnectFailed)
    assert failure.message.startswith("Cannot stream to the analysis server (The stream reached its maximum")
    assert server.attempts == 3
    assert [e.retry_in_s > 0 for e in log.of(ConnectionChanged) if e.state == "reconnecting"] == [True, True]


async def test_no_capacity_is_retried(make_uplink, segments) -> None:
    async with ProtocolServer(Script(errors={1: "ih1003"}), Script()) as server:
        uplink, log = make_uplink(server.url)
        uplink.submit(segments(1)[0])
        await log.wait_for(lambda log: completed_indexes(log) == [0])
        await uplink.stop()
    assert log.of(SegmentError) == [] and len(server.connections) == 2


async def test_an_exhausted_quota_stops_the_stream(make_uplink, segments) -> None:
    async with ProtocolServer(Script(errors={2: "ih3003"})) as server:
        uplink, log = make_uplink(server.url)
        for segment in segments(3):
            uplink.submit(segment)
        failure = await asyncio.wait_for(uplink.wait_failed(), 5)
        await uplink.stop()
    assert isinstance(failure, QuotaExhausted) and "quota" in failure.message
    assert [e.state for e in log.of(ConnectionChanged)][-1] == "failed"
    assert (log.of(SegmentError)[0].index, log.of(SegmentError)[0].error_id) == (1, "ih3003")
    assert len(server.connections) == 1


async def test_an_auth_error_message_is_final(make_uplink, segments) -> None:
    async with ProtocolServer(Script(errors={1: "ih2002"})) as server:
        uplink, log = make_uplink(server.url)
        uplink.submit(segments(1)[0])
        failure = await asyncio.wait_for(uplink.wait_failed(), 5)
        await asyncio.sleep(0.4)
    assert isinstance(failure, AuthRejected) and failure.error_id == "ih2002"
    assert [e.state for e in log.of(ConnectionChanged)] == ["connecting", "connected", "auth_rejected"]
    assert server.attempts == 1
