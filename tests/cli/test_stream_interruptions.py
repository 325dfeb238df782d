"""A session interrupted from outside: Ctrl-C, SIGTERM or SIGHUP, a connection dropped by the network.
Either way what was captured reaches the end: sent segments complete, and the summary is written;
only a second signal cuts the wait short."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.protocol_server import Script
from support.stream_helpers import (
    SMALL,
    Serve,
    StreamCommand,
    assert_every_segment_settled,
    assert_in_time_order,
    assert_summary_agrees,
    complete_lines,
    of,
    read_events,
)

from app.cli.exit_codes import EXIT_INTERRUPTED
from app.model.events import (
    ConnectionChanged,
    DrainStarted,
    ResultReceived,
    SegmentClosed,
    SegmentCompleted,
    SegmentSent,
    ServerMessageReceived,
    SessionEvent,
)
from app.session.manifest import SessionManifest

SEGMENT_S = 4.0


STOP_SIGNALS = {"ctrl-c": signal.SIGINT, "sigterm": signal.SIGTERM, "sighup": signal.SIGHUP}
DRAIN_LINE = re.compile(r"^waiting up to 30 s for the answers to (\d+) segments?…$", re.MULTILINE)


@pytest.mark.parametrize("signum", STOP_SIGNALS.values(), ids=STOP_SIGNALS.keys())
@pytest.mark.timeout(90)
def test_a_stop_signal_drains_the_sent_segment_and_exits_0(
    stream: StreamCommand, serve: Serve, tmp_path: Path, signum: signal.Signals
) -> None:
    """`kill`, a closed terminal and Ctrl-C end a session the same way: drain, summary, exit 0."""
    # The server takes 1.5 s per segment, so the interrupt surely lands before the answer does.
    server = serve(Script(segment_s=SEGMENT_S, delay_s=1.5))
    record, events_path = tmp_path / "recording", tmp_path / "events.jsonl"
    process = stream.spawn(
        "--source", "synthetic", *SMALL, "--url", server.url,
        "--record-dir", str(record), "--events", str(events_path),
    )  # fmt: skip
    before = _wait_for_first_send(process.popen, events_path, timeout_s=30)
    interrupted_at = datetime.now(UTC)
    process.interrupt(signum)
    run = process.finish(40)

    assert run.returncode == 0, run.describe()
    assert "Stopping: sending what is left" in run.stderr
    again = "Ctrl-C" if signum == signal.SIGINT else signum.name
    assert f"({again} again to stop at once)" in run.stderr
    # The drain says what it waits for and for how long, with the number the events agree on.
    waiting = DRAIN_LINE.search(run.stderr)
    assert waiting is not None, run.stderr
    (drain,) = of(read_events(events_path), DrainStarted)
    assert (int(waiting[1]), drain.queued, drain.timeout_s) == (drain.in_flight, 0, 30.0)
    assert drain.in_flight >= 1
    assert not of(before, SegmentCompleted), "the answer came before the interrupt: nothing was drained"
    events = read_events(events_path)
    assert_in_time_order(events)
    completed = {done.index: done for done in of(events, SegmentCompleted)}
    assert 0 in completed and completed[0].wall > interrupted_at
    summary = assert_summary_agrees(events)
    assert summary.sent == summary.completed >= 1 and summary.errored == 0
    assert_every_segment_settled(events)
    assert of(events, ConnectionChanged)[-1].state == "closed"
    manifest = SessionManifest.model_validate_json((record / "session.json").read_text(encoding="utf-8"))
    assert manifest.summary == summary and manifest.ended_at is not None
    assert [c.index for c in of(events, SegmentClosed)] == list(range(summary.closed))
    assert len(list((record / "segments").glob("*.webm"))) == summary.closed


@pytest.mark.timeout(90)
def test_a_second_signal_stops_at_once_with_130(stream: StreamCommand, serve: Serve, tmp_path: Path) -> None:
    # Answers take 25 s: a drain would wait for them, far past the moment the user insists.
    server = serve(Script(segment_s=SEGMENT_S, delay_s=25.0))
    record, events_path = tmp_path / "recording", tmp_path / "events.jsonl"
    process = stream.spawn(
        "--source", "synthetic", *SMALL, "--url", server.url,
        "--record-dir", str(record), "--events", str(events_path),
    )  # fmt: skip
    _wait_for_first_send(process.popen, events_path, timeout_s=30)
    process.interrupt(signal.SIGTERM)
    process.wait_for_stderr("waiting up to 30 s for the answers", timeout_s=15)
    insisted = time.monotonic()
    process.interrupt(signal.SIGINT)
    run = process.finish(20)
    took = time.monotonic() - insisted

    assert run.returncode == EXIT_INTERRUPTED, run.describe()
    assert took < 4.0, f"took {took:.1f} s after the second signal"
    assert "Stopping at once" in run.stderr and "Traceback" not in run.stderr
    # At once, yet nothing half-written: the unanswered segment says so, the summary closes the file.
    events = read_events(events_path)
    summary = assert_summary_agrees(events)
    assert summary.completed == 0 and summary.unanswered >= 1 and summary.errored == 0
    assert_every_segment_settled(events)
    manifest = SessionManifest.model_validate_json((record / "session.json").read_text(encoding="utf-8"))
    assert manifest.ended_at is not None


@pytest.mark.timeout(90)
def test_dropped_connection_reconnects_and_loses_nothing(
    stream: StreamCommand, serve: Serve, tmp_path: Path
) -> None:
    # The first connection's TCP stream is cut, without a close frame, when its 2nd segment arrives.
    server = serve(Script(segment_s=SEGMENT_S, abort_after=2), Script(segment_s=SEGMENT_S))
    record, events_path = tmp_path / "recording", tmp_path / "events.jsonl"
    run = stream.run(
        "--source", "synthetic", "--fast", "--duration", "13", *SMALL, "--url", server.url,
        "--record-dir", str(record), "--events", str(events_path),
    )  # fmt: skip
    assert run.returncode == 0, run.describe()
    events = read_events(events_path)
    assert_in_time_order(events)

    changes = [(c.connection, c.state) for c in of(events, ConnectionChanged)]
    assert changes[:3] == [(1, "connecting"), (1, "connected"), (1, "lost")]
    assert changes[-2:] == [(2, "connected"), (2, "closed")]
    assert set(changes[3:-2]) == {(2, "reconnecting")}
    correlations = {c.connection: c.correlation_id for c in of(events, ConnectionChanged) if c.correlation_id}
    assert correlations == {n + 1: entry.correlation_id for n, entry in enumerate(server.server.connections)}

    summary = assert_summary_agrees(events)
    assert (summary.closed, summary.completed, summary.reconnects) == (3, 3, 1)
    assert (summary.errored, summary.skipped) == (0, 0)
    assert_every_segment_settled(events)

    closed = {c.index: c for c in of(events, SegmentClosed)}
    sends = [(s.index, s.connection, s.server_segment) for s in of(events, SegmentSent)]
    assert (1, 1, 2) in sends, "segment 1 was the one the first connection died on"
    resent = [index for index, connection, _ in sends if connection == 2]
    assert 1 in resent and resent == sorted(resent)
    assert [size for size in server.server.connections[1].segment_sizes] == [closed[i].bytes for i in resent]

    for result, reply in _results_with_replies(events):
        segment = closed[result.index]
        assert (result.t0, result.t1) == (segment.t0, segment.t1)
        assert result.engagement[0].start == segment.t0 and result.engagement[-1].end == segment.t1
        # The server counts from its connection's first segment; the client puts it back in session time.
        first_on_connection = min(
            closed[s.index].t0 for s in of(events, SegmentSent) if s.connection == reply.connection
        )
        shift = result.engagement[0].start - reply.message["engagement_state"][0]["start"]
        assert shift == pytest.approx(first_on_connection), (result.index, reply.connection)
    assert any(reply.connection == 2 and result.t0 > 0 for result, reply in _results_with_replies(events))


def _wait_for_first_send(
    process: subprocess.Popen[bytes], events_path: Path, timeout_s: float
) -> list[SessionEvent]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        events = complete_lines(events_path)
        if of(events, SegmentSent):
            return events
        assert process.poll() is None, "the command ended before sending anything"
        time.sleep(0.05)
    raise AssertionError(f"no segment was sent within {timeout_s:g} s")


def _results_with_replies(events: list[SessionEvent]) -> list[tuple[ResultReceived, ServerMessageReceived]]:
    """Each result paired with the server's own message it came from (the latest result frame before it)."""
    pairs: list[tuple[ResultReceived, ServerMessageReceived]] = []
    reply: ServerMessageReceived | None = None
    for event in events:
        if isinstance(event, ServerMessageReceived) and event.message.get("status") == "result":
            reply = event
        elif isinstance(event, ResultReceived):
            assert reply is not None, f"a result without a server message: {event}"
            pairs.append((event, reply))
            reply = None
    return pairs
