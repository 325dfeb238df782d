"""Segments out, answers back: the happy path and every way the server's answers may look."""

from __future__ import annotations

import pytest
from support.protocol_server import ProtocolServer, Script
from support.uplink_helpers import SEGMENT_S, EventLog

from app.model.events import (
    ConnectionChanged,
    MessageUnparsed,
    ResultReceived,
    SegmentCompleted,
    SegmentSent,
    ServerMessageReceived,
)
from app.model.timeline import SessionTimeline
from app.model.vocabulary import INCLUDE_FLAGS

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


def completed(count: int):  # type: ignore[no-untyped-def]
    return lambda log: len(log.of(SegmentCompleted)) >= count


def assert_results_inside_their_segments(log: EventLog) -> None:
    """Every window of every result lies within its segment's session time."""
    for result in log.of(ResultReceived):
        windows = [*result.engagement, *result.signals]
        if result.quality is not None:
            windows.extend(result.quality.timeline)
        assert windows
        for window in windows:
            assert result.t0 - 1e-6 <= window.start <= window.end <= result.t1 + 1e-6, (result.index, window)


async def test_happy_path_with_both_include_flags(make_uplink, segments) -> None:
    async with ProtocolServer() as server:
        uplink, log = make_uplink(server.url, include=INCLUDE_FLAGS)
        for segment in segments(3):
            uplink.submit(segment)
        await log.wait_for(completed(3))
        await uplink.stop()

    (connection,) = server.connections
    assert connection.flags == list(INCLUDE_FLAGS)
    assert connection.headers["Authorization"].startswith("Bearer ih_live_")
    assert connection.headers["X-Client-Request-Id"] == "3f1d2c4b-session"
    assert connection.segment_sizes == [len(segments(1)[0].data)] * 3
    assert connection.close_code == 1000

    sent = log.of(SegmentSent)
    assert [(e.index, e.connection, e.server_segment) for e in sent] == [(0, 1, 1), (1, 1, 2), (2, 1, 3)]
    results = log.of(ResultReceived)
    assert [r.index for r in results] == [0, 1, 2]
    assert_results_inside_their_segments(log)
    # Connection time 3.2–6.4 s of segment 2 lands on its session time.
    assert results[1].engagement[0].start == pytest.approx(SEGMENT_S)
    assert all(r.quality is not None and r.quality.overall is not None for r in results)
    assert results[2].quality.timeline[0].start == pytest.approx(2 * SEGMENT_S)
    assert [c.latency_s >= 0 for c in log.of(SegmentCompleted)] == [True] * 3

    states = [(e.state, e.connection) for e in log.of(ConnectionChanged)]
    assert states == [("connecting", 1), ("connected", 1), ("closed", 1)]
    correlation = log.of(ConnectionChanged)[1].correlation_id
    assert correlation == connection.correlation_id
    stats = uplink.stats()
    assert (stats.sent, stats.completed, stats.in_flight, stats.queued) == (3, 3, 0, 0)
    assert stats.correlation_id == correlation and stats.state == "closed"
    assert stats.bytes_sent == 3 * len(segments(1)[0].data)

    # Every frame is recorded as received, and the timeline reads the same events.
    assert len(log.of(ServerMessageReceived)) == 9
    timeline = SessionTimeline()
    for event in log.events:
        timeline.apply(event)
    snapshot = timeline.snapshot(10.0)
    assert (snapshot.counts.sent, snapshot.counts.completed, snapshot.counts.in_flight) == (3, 3, 0)
    assert snapshot.quality_overall is not None


async def test_no_include_flags_means_no_quality(make_uplink, segments) -> None:
    async with ProtocolServer() as server:
        uplink, log = make_uplink(server.url)
        for segment in segments(2):
            uplink.submit(segment)
        await log.wait_for(completed(2))
    assert server.connections[0].flags == []
    assert [r.quality for r in log.of(ResultReceived)] == [None, None]


async def test_segment_relative_times_are_moved_to_session_time(make_uplink, segments) -> None:
    async with ProtocolServer(Script(time_base="segment")) as server:
        uplink, log = make_uplink(server.url, include=("conversation_quality_timeline",))
        for segment in segments(3, first=5, t_start=100.0):
            uplink.submit(segment)
        await log.wait_for(completed(3))
    assert_results_inside_their_segments(log)
    assert [r.engagement[0].start for r in log.of(ResultReceived)] == pytest.approx(
        [100.0, 100.0 + SEGMENT_S, 100.0 + 2 * SEGMENT_S]
    )


async def test_interleaved_answers_reach_the_right_segments(make_uplink, segments) -> None:
    async with ProtocolServer(Script(in_pairs=True)) as server:
        uplink, log = make_uplink(server.url)
        for segment in segments(4):
            uplink.submit(segment)
        await log.wait_for(completed(4))
    statuses = [(e.message["status"], e.message["segment"]) for e in log.of(ServerMessageReceived)]
    assert statuses.index(("result", 2)) < statuses.index(("result", 1)) < statuses.index(("completed", 1))
    assert [r.index for r in log.of(ResultReceived)] == [1, 0, 3, 2]
    assert_results_inside_their_segments(log)
    states = {r.index: r.engagement[0].state for r in log.of(ResultReceived)}
    assert states == {0: "engaged", 1: "neutral", 2: "disengaged", 3: "engaged"}


async def test_older_message_forms_are_normalised(make_uplink, segments) -> None:
    async with ProtocolServer(Script(older_forms=True, errors={2: "ih5002"})) as server:
        uplink, log = make_uplink(server.url)
        for segment in segments(3):
            uplink.submit(segment)
        await log.wait_for(lambda log: len(log.of(SegmentCompleted)) == 2 and uplink.stats().errored == 1)
    signals = [s for r in log.of(ResultReceived) for s in r.signals]
    assert {(s.type, s.probability, s.rationale) for s in signals} == {("interest", None, None)}
    (failed,) = [e for e in log.events if e.kind == "segment_error"]
    assert failed.index == 1 and failed.message == "A segment could not be read." and failed.error_id is None
    assert failed.correlation_id == server.connections[0].correlation_id
    # The rejected segment counts for nothing in connection time: segment 3 still lands on its own t0.
    assert_results_inside_their_segments(log)


async def test_unparsable_frames_are_counted_and_never_fatal(make_uplink, segments, caplog) -> None:
    extras: list[str | bytes] = ['{"status": "thinking", "segment": 1}', "not json {", b"\x00\x01binary"]
    async with ProtocolServer(Script(extra_frames=extras)) as server:
        uplink, log = make_uplink(server.url)
        for segment in segments(3):
            uplink.submit(segment)
        await log.wait_for(completed(3))
    unparsed = log.of(MessageUnparsed)
    assert [u.reason.split(":")[0] for u in unparsed] == [
        "unknown status 'thinking'",
        "invalid JSON",
        "binary frame from the server",
    ]
    assert uplink.stats().unparsed == 3
    recorded = [e.message for e in log.of(ServerMessageReceived)]
    assert {"status": "thinking", "segment": 1} in recorded
    assert "not json {" in recorded and "<binary frame, 8 bytes>" in recorded
    assert sum("unparsed server message" in r.getMessage() for r in caplog.records) == 3
