"""The app's own uplink against the local analyzer: the two halves of the protocol agree, including
where results land on the session clock when a segment in the middle fails."""

from __future__ import annotations

import pytest
from support.analyzer_helpers import Clips

import bench.clips as seg
from app.analyzer.server import AnalyzerServer
from app.model.events import ConnectionChanged, ResultReceived, SegmentCompleted, SegmentError, SessionEvent
from app.model.vocabulary import INCLUDE_FLAGS
from app.uplink import Uplink, UplinkConfig
from capture.media import AUDIO_RATE_HZ, Segment, SessionClock

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]

KEY = "ih_live_uplink_meets_analyzer_42"


def _segment(index: int, t0: float, duration_s: float, data: bytes) -> Segment:
    return Segment(
        index=index,
        t0=t0,
        t1=t0 + duration_s,
        data=data,
        video_frames=round(duration_s * seg.FPS),
        audio_samples=round(duration_s * AUDIO_RATE_HZ),
    )


async def test_the_uplink_streams_to_the_analyzer_and_places_results_in_session_time(clips: Clips) -> None:
    events: list[SessionEvent] = []
    good = clips.get("face_voice_4s")
    # The session started 10 s before this connection: results must land at t0 = 10, 14, 18.
    segments = [
        _segment(0, 10.0, 4.0, good),
        _segment(1, 14.0, 4.0, seg.truncated(good)),  # the analyzer cannot read it: ih5002
        _segment(2, 18.0, 3.0, clips.get("face_voice_3s")),
    ]
    async with AnalyzerServer(key=KEY) as server:
        uplink = Uplink(
            UplinkConfig(url=server.url, include=INCLUDE_FLAGS, drain_timeout_s=30.0),
            credential=KEY,
            session_id="analyzer-uplink-test",
            clock=SessionClock(),
            on_event=events.append,
        )
        uplink.start()
        try:
            for segment in segments:
                uplink.submit(segment)
        finally:
            await uplink.stop()
    assert uplink.failure is None
    connected = [e for e in events if isinstance(e, ConnectionChanged) and e.state == "connected"]
    assert connected and connected[0].correlation_id
    failed = [e for e in events if isinstance(e, SegmentError)]
    assert [(e.index, e.error_id) for e in failed] == [(1, "ih5002")]
    assert failed[0].correlation_id == connected[0].correlation_id
    assert sorted(e.index for e in events if isinstance(e, SegmentCompleted)) == [0, 2]
    results = {e.index: e for e in events if isinstance(e, ResultReceived)}
    assert sorted(results) == [0, 2]
    for index, (t0, t1) in {0: (10.0, 14.0), 2: (18.0, 21.0)}.items():
        windows = results[index].engagement
        assert windows[0].start == pytest.approx(t0, abs=0.05), index
        assert windows[-1].end == pytest.approx(t1, abs=0.05), index
        quality = results[index].quality
        assert quality is not None and quality.overall is not None and len(quality.timeline) == 1
        assert quality.timeline[0].start == pytest.approx(t0, abs=0.05)
        delivery = results[index].delivery  # Local analysis's extension, placed like the rest
        assert delivery is not None and delivery.face_visible > 0.9
        assert (delivery.start, delivery.end) == (pytest.approx(t0, abs=0.05), pytest.approx(t1, abs=0.05))
