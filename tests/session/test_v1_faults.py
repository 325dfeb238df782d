"""A v1 session against real servers on 127.0.0.1 that misbehave (issue 11, "Bad input and
faults"): the real controller, the synthetic source in real time, the encoder's continuous
stream, and the scriptable stream server."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from support.stream_server import StreamScript, StreamServer
from support.v1_session import VERSIONS, run_session, until, v1_config

from app.model.events import (
    ChunkSent,
    ConnectionChanged,
    CoverageGap,
    EngagementChanged,
    MessageUnparsed,
    SegmentClosed,
    SegmentError,
    ServerMessageReceived,
    SessionEvent,
    SignalChanged,
)
from app.model.source_spec import CaptureFormat
from app.session.controller import SessionController
from app.session.recording_folder import read_events
from app.uplink import AuthRejected, UplinkFailure
from capture.encoder import SegmentEncoder
from capture.encoder_config import EncoderStats

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]

KEY = "ih_live_v1_fault_key_Zq81x"
VGA = CaptureFormat(640, 480, 30.0)


async def test_a_whole_session_config_stream_drain_and_every_envelope_recorded(tmp_path: Path) -> None:
    async with StreamServer(key=KEY) as server:
        run = await run_session(server.url, tmp_path, key=KEY, goal_dimensions=("clarity",))
    [connection] = server.connections
    assert connection.configs == [
        {
            "include": ["conversation_quality_overall", "conversation_quality_timeline"],
            "goal_dimensions": ["clarity"],
        }
    ]
    assert connection.headers_seen == 1 and connection.cluster_ms[0] is None
    assert connection.close_requested and connection.close_code == 1000
    assert "include[]" not in str(connection.query) and "model" not in connection.query
    assert connection.headers["Authorization"] == f"Bearer {KEY}"
    chunks = run.of(ChunkSent)
    assert [c.chunk for c in chunks] == list(range(len(chunks))) and len(chunks) >= 6
    assert all(0 < c.t1 - c.t0 <= 1.0 + 1e-6 for c in chunks[1:])
    assert run.summary is not None and run.summary.chunks_sent == len(chunks)
    assert run.summary.cue_lag_p95_s is not None and run.summary.cue_lag_p95_s < 2.5
    assert run.of(EngagementChanged) and run.of(SignalChanged)[-1].change == "closed"
    assert run.session.uplink_failure is None
    folder = run.session.recording_folder
    assert folder is not None
    recorded = read_events(folder).events
    envelopes = [e.message for e in recorded if isinstance(e, ServerMessageReceived)]
    assert {m["type"] for m in envelopes} >= {
        "session.ready",
        "session.updated",
        "engagement.updated",
        "session.closing",
        "session.ended",
    }
    assert KEY not in (folder / "events.jsonl").read_text()
    assert [e.index for e in recorded if isinstance(e, SegmentClosed)] == [0]
    assert list((folder / "segments").iterdir()), "the standalone segments are the recording"


async def test_a_close_before_session_ready_is_retried_and_the_session_goes_on(tmp_path: Path) -> None:
    async with StreamServer(StreamScript(close_before_ready=1011), StreamScript()) as server:
        run = await run_session(server.url, tmp_path)
    assert len(server.connections) == 2 and server.connections[0].chunk_sizes == []
    states = [c.state for c in run.of(ConnectionChanged)]
    assert "reconnecting" in states and states[-1] == "closed"
    assert run.of(EngagementChanged) and run.session.uplink_failure is None


async def test_the_end_after_our_close_request_is_the_end_though_stop_comes_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a busy machine the encoder's thread can close the stream, and the server answer
    # `session.close` with `session.ended`, before the controller gets to call the uplink's stop().
    stop = SegmentEncoder.stop

    def slow_stop(encoder: SegmentEncoder, timeout_s: float = 30.0) -> EncoderStats:
        stats = stop(encoder, timeout_s)
        time.sleep(1.0)
        return stats

    monkeypatch.setattr(SegmentEncoder, "stop", slow_stop)
    async with StreamServer(key=KEY) as server:
        run = await run_session(server.url, tmp_path, key=KEY, duration_s=3.0)
    [connection] = server.connections
    assert connection.close_requested and connection.close_code == 1000
    assert "reconnecting" not in [c.state for c in run.of(ConnectionChanged)]
    assert run.session.uplink_failure is None and run.of(EngagementChanged)


@pytest.mark.parametrize(
    ("code", "outcome"),
    [("ih4005", UplinkFailure), ("ih2003", AuthRejected), ("ih1003", None)],
)
async def test_an_error_before_ready_then_close_1008(tmp_path: Path, code: str, outcome: type | None) -> None:
    scripts = [StreamScript(error_before_ready=(code, 1008)), StreamScript()]
    async with StreamServer(*scripts) as server:
        run = await run_session(server.url, tmp_path, duration_s=4.0)
    errors = [e.error_id for e in run.of(SegmentError)]
    assert errors[0] == code
    failure = run.session.uplink_failure
    if outcome is None:
        assert failure is None and len(server.connections) == 2, "no capacity: retried, slower"
    else:
        assert isinstance(failure, outcome) and len(server.connections) == 1, "never retried"
        assert failure.message


async def test_an_unknown_envelope_is_logged_and_counted_never_fatal(tmp_path: Path) -> None:
    odd = json.dumps({"type": "speaker.changed", "timestamp": "x", "correlation_id": "c", "data": {}})
    async with StreamServer(StreamScript(extra_frames=[odd, b"\x00binary", "{not json"])) as server:
        run = await run_session(server.url, tmp_path)
    reasons = [e.reason for e in run.of(MessageUnparsed)]
    assert len(reasons) == 3 and "unknown envelope type 'speaker.changed'" in reasons[0]
    assert run.summary is not None and run.summary.unparsed == 3
    assert run.session.uplink_failure is None and run.of(EngagementChanged)


async def test_a_chunk_over_the_servers_real_limit_is_ih6002_then_the_chunks_get_smaller(
    tmp_path: Path,
) -> None:
    # VGA at the default 1 Mbps makes chunks of about 130 KB; this server takes 110 KB at most.
    script = StreamScript(enforced_max_bytes=110_000)
    async with StreamServer(script) as server:
        run = await run_session(server.url, tmp_path, duration_s=8.0, capture=VGA)
    too_large = [e for e in run.of(SegmentError) if e.error_id == "ih6002"]
    assert too_large, "the server refused a chunk"
    sizes = [c.bytes for c in run.of(ChunkSent)[1:]]
    first_refused = next(i for i, s in enumerate(sizes) if s > 110_000)
    assert all(s <= 110_000 for s in sizes[-3:]), f"the bitrate came down: {sizes}"
    assert sum(sizes[-3:]) / 3 < 0.9 * sizes[first_refused]
    assert run.session.uplink_failure is None


async def test_a_tcp_abort_mid_session_is_a_new_session_with_times_going_on_and_the_gap_shown(
    tmp_path: Path,
) -> None:
    async with StreamServer(StreamScript(abort_after=2), StreamScript()) as server:
        run = await run_session(server.url, tmp_path, duration_s=6.0)
    first, second = server.connections
    assert first.headers_seen == second.headers_seen == 1, "a fresh header for the new session"
    [gap] = [g for g in run.of(CoverageGap) if g.reason == "outage"]
    headers = [c for c in run.of(ChunkSent) if c.chunk == 0]
    assert len(headers) == 2 and gap.end == pytest.approx(headers[1].t0)
    assert 0.5 < gap.start < gap.end < 4.0
    # The new connection's stream time maps onto the session after the gap, never back to 0.
    later = [e.start for e in run.of(EngagementChanged) if e.connection == 2]
    assert later and min(later) >= gap.end - 1e-6
    assert [c.state for c in run.of(ConnectionChanged)].count("connected") == 2


async def test_a_401_ends_the_session_at_once_without_retrying_and_the_key_stays_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with StreamServer(key="another-key") as server:
        run = await run_session(server.url, tmp_path, duration_s=10.0, key=KEY)
    assert isinstance(run.session.uplink_failure, AuthRejected)
    assert server.attempts == 1
    assert run.session.end_reason == "uplink_failed"
    folder = run.session.recording_folder
    assert folder is not None
    for path in folder.rglob("*.json*"):
        assert KEY not in path.read_text()
    assert KEY not in caplog.text


async def test_a_slow_server_makes_the_oldest_media_drop_for_live_while_the_recording_keeps_all(
    tmp_path: Path,
) -> None:
    # A server that takes a VGA chunk (about 130 KB) every 3 s for 15 s, then catches up.
    async with StreamServer(StreamScript(read_delay_s=3.0, slow_frames=5)) as server:
        run = await run_session(server.url, tmp_path, duration_s=14.0, timeout_s=90.0, capture=VGA)
    dropped = [g for g in run.of(CoverageGap) if g.reason == "dropped"]
    assert dropped, "the outbox sheds the oldest media"
    assert len(run.of(ChunkSent)) < 15, "what was dropped was never sent"
    assert sum(g.end - g.start for g in dropped) >= 1.0
    segments = run.of(SegmentClosed)
    assert sum(s.video_frames for s in segments) == 3 * 4 * 30, "every frame of the full segments kept"


async def test_a_server_frame_over_1_mib_is_dropped_and_the_session_goes_on(tmp_path: Path) -> None:
    huge = json.dumps({"type": "feedback.generated", "data": {"feedback": "x" * (2 * 1024 * 1024)}})
    async with StreamServer(StreamScript(extra_frames=[huge])) as server:
        run = await run_session(server.url, tmp_path)
    [unparsed] = run.of(MessageUnparsed)
    assert "MiB" in unparsed.reason and "dropped" in unparsed.reason
    assert run.session.uplink_failure is None and run.of(EngagementChanged)
    assert len(server.connections) == 1


async def test_a_reconnection_while_paused_sends_not_even_the_streams_header(tmp_path: Path) -> None:
    config_and_media: list[tuple[int, int]] = []
    async with StreamServer(StreamScript(abort_after=2), StreamScript()) as server:
        session = SessionController(
            v1_config(server.url, tmp_path, duration_s=30.0), credential=None, versions=VERSIONS
        )
        events: list[SessionEvent] = []
        session.add_listener(events.append)
        await session.start()
        try:
            # The header and two media chunks: the server drops the connection at the second.
            await until(lambda: len(server.connections) == 1 and len(server.connections[0].chunk_sizes) >= 3)
            session.paused = True  # the next connection opens paused
            await until(
                lambda: [e.state for e in events if isinstance(e, ConnectionChanged)].count("connected") == 2
            )
            await asyncio.sleep(1.5)
            second = server.connections[1]
            config_and_media.append((len(second.configs), len(second.chunk_sizes)))
            session.paused = False
            await until(lambda: len(second.chunk_sizes) >= 3)
        finally:
            await session.stop()
    assert config_and_media == [(1, 0)], "the paused connection was configured, and got no frame at all"
    assert second.headers_seen == 1 and second.cluster_ms[0] is None, "the header goes first, on resume"
    paused_gaps = [g for g in events if isinstance(g, CoverageGap) and g.detail == "sending was paused"]
    assert paused_gaps, "what went unsent while paused is a gap in the coverage"
