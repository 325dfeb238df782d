"""What the uplink does with what a server sends beyond the ordinary (issue 16 item 10, and v1's
waits): a frame over 1 MiB is dropped with a log line and the session goes on, on v0 and v1; a
v1 server that never says `session.ready` is left for a new connection; close 4003 before ready
is a refused key, never retried."""

from __future__ import annotations

import json

import pytest
from support.protocol_server import ProtocolServer, Script
from support.stream_server import StreamScript, StreamServer
from support.uplink_helpers import KEY, EventLog

from app.model.events import ConnectionChanged, MessageUnparsed, SegmentCompleted
from app.uplink import AuthRejected, Uplink, UplinkConfig
from capture.encoder import EncoderConfig, SegmentEncoder
from capture.media import SessionClock

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]

HUGE = json.dumps({"status": "processing", "segment": 1, "note": "x" * (3 * 1024 * 1024)})


async def test_a_v0_frame_over_1_mib_is_dropped_and_logged_and_the_segments_go_on(
    make_uplink, segments, caplog: pytest.LogCaptureFixture
) -> None:
    async with ProtocolServer(Script(extra_frames=[HUGE])) as server:
        uplink, log = make_uplink(server.url)
        for segment in segments(2):
            uplink.submit(segment)
        await log.wait_for(lambda log: len(log.of(SegmentCompleted)) == 2)
    [dropped] = log.of(MessageUnparsed)
    assert dropped.reason.startswith("a 3.0 MiB frame") and "dropped" in dropped.reason
    assert len(server.connections) == 1, "the frame did not cost the connection"
    assert any("server frame dropped" in record.getMessage() for record in caplog.records)


def _v1_uplink(url: str, log: EventLog, **config: object) -> tuple[Uplink, SegmentEncoder]:
    encoder = SegmentEncoder(EncoderConfig(width=160, height=120), lambda segment: None)
    uplink = Uplink(
        UplinkConfig(url=url, backoff_initial_s=0.05, backoff_max_s=0.2, **config),  # type: ignore[arg-type]
        credential=KEY,
        session_id="limits",
        clock=SessionClock(),
        on_event=log,
        live_stream=encoder,
    )
    return uplink, encoder


async def test_no_session_ready_in_time_means_a_new_connection() -> None:
    log = EventLog()
    async with StreamServer(StreamScript(ready_delay_s=3.0), StreamScript()) as server:
        uplink, encoder = _v1_uplink(server.url, log, ready_timeout_s=0.5)
        encoder.start()
        uplink.start()
        await log.wait_for(lambda log: any(c.state == "connected" for c in log.of(ConnectionChanged)), 10)
        await uplink.stop()
        encoder.stop()
    [retry] = [c for c in log.of(ConnectionChanged) if c.state == "reconnecting"]
    assert "no session.ready within 0.5 s" in retry.detail
    assert len(server.connections) == 2 and uplink.failure is None


async def test_close_4003_before_ready_is_a_refused_key_and_never_retried() -> None:
    log = EventLog()
    async with StreamServer(StreamScript(close_before_ready=4003)) as server:
        uplink, encoder = _v1_uplink(server.url, log)
        encoder.start()
        uplink.start()
        failure = await uplink.wait_failed()
        await uplink.stop()
        encoder.stop()
    assert isinstance(failure, AuthRejected) and "interhumanai.stream" in failure.message
    assert server.attempts == 1
