"""The local analyzer speaks v1/v2 as PROTOCOL-V1.md §4–§7(b) say, checked with a real websockets
client over 127.0.0.1 and live streams made by our own encoder."""

from __future__ import annotations

import asyncio
import json
import time
from functools import cache
from itertools import pairwise

import pytest
from support.v1_helpers import (
    Exchange,
    live_stream,
    receive_all,
    receive_until,
    rechunked,
    send_and_close,
    stream_and_close,
)
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

import bench.clips as seg
from app.analyzer.rules import Interpretation
from app.analyzer.server import AnalyzerServer
from app.analyzer.stream_v1 import StreamLimits
from app.analyzer.stream_window import MediaWindow
from app.analyzer.window_analysis import WindowAnalyser
from app.model.wire_v1 import (
    CoverageDropped,
    EngagementUpdated,
    ErrorData,
    SessionReady,
    SessionUpdated,
    SignalDetected,
    SignalEnded,
    session_config,
)
from capture.media import StreamChunk

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]

KEY = "ih_live_test_v1_key_0123456789"
PATIENT = StreamLimits(max_analysis_wait_s=120.0)
"""These tests send faster than real time: every window is analysed however busy the machine."""


@cache
def talking(duration_s: float = 8.0) -> tuple[StreamChunk, ...]:
    return tuple(live_stream(duration_s, seg.nodding, seg.voice_like(duration_s)))


def frames_of(chunks: tuple[StreamChunk, ...]) -> list[bytes]:
    return [c.data for c in chunks]


def times_in_order(answers: Exchange) -> None:
    """Engagement starts never go back; every signal ends after it starts."""
    starts = [e.data.start for e in answers.of("engagement.updated")]  # type: ignore[union-attr]
    assert starts == sorted(starts)
    opened: dict[str, float] = {}
    for envelope in answers.envelopes:
        if isinstance(envelope.data, SignalDetected) and envelope.type == "signal.detected":
            assert envelope.data.signal_type not in opened
            opened[envelope.data.signal_type] = envelope.data.start
        elif isinstance(envelope.data, SignalEnded):
            assert envelope.data.end >= opened.pop(envelope.data.signal_type)
    assert opened == {}, "every signal still active ends before session.ended"


async def test_session_ready_comes_first_with_the_limits_on_v1_and_v2() -> None:
    async with AnalyzerServer(limits=PATIENT) as server:
        for version, models in (("v1", None), ("v2", ["inter-2", "inter-2-audio"])):
            async with connect(server.url_for(version)) as ws:
                answers = Exchange()
                ready = await receive_until(ws, answers, "session.ready")
                assert answers.types == ["session.ready"]
                assert ws.response is not None
                assert ready.correlation_id == ws.response.headers["X-Correlation-ID"]
                assert isinstance(ready.data, SessionReady)
                assert ready.data.max_segment_size_bytes == 32 * 1024 * 1024
                assert ready.data.session_idle_timeout_seconds > 0
                options = ready.data.supported_session_config_options
                assert options.model == models
                assert set(options.goal_dimensions or ()) == {
                    "clarity",
                    "authority",
                    "energy",
                    "rapport",
                    "learning",
                }


async def test_a_whole_session_engagement_signals_quality_and_a_graceful_end() -> None:
    config = session_config(include=["conversation_quality_overall", "conversation_quality_timeline"])
    async with AnalyzerServer(limits=PATIENT) as server, connect(server.url_for("v1")) as ws:
        answers = await stream_and_close(ws, frames_of(talking()), config=config)
    types = answers.types
    assert types[:2] == ["session.ready", "session.updated"]
    assert types[-2:] == ["session.closing", "session.ended"] or types[-1] == "session.ended"
    assert types.index("session.closing") < types.index("session.ended") == len(types) - 1
    assert answers.close_code == 1000
    assert answers.errors() == []
    engagement = [e.data for e in answers.of("engagement.updated")]
    assert engagement and isinstance(engagement[0], EngagementUpdated) and engagement[0].start == 0.0
    assert engagement[0].state == "engaged", "a nodding, talking face is engaged"
    detected = [e.data for e in answers.of("signal.detected")]
    assert any(isinstance(d, SignalDetected) and d.signal_type == "engagement" for d in detected)
    assert all(isinstance(d, SignalDetected) and d.modality == ["video"] for d in detected)
    quality = answers.of("conversation_quality.updated")
    assert len(quality) >= 7, "one per second of media"
    timeline = [q.data.timeline[0] for q in quality]  # type: ignore[union-attr]
    assert [round(w.end) for w in timeline] == list(range(1, len(timeline) + 1))
    assert timeline[-1].end == pytest.approx(8.0, abs=0.05)
    times_in_order(answers)


async def test_chunk_boundaries_do_not_matter() -> None:
    chunks = talking()
    outcomes = []
    async with AnalyzerServer(limits=PATIENT) as server:
        for frames in (frames_of(chunks), rechunked(chunks, 1000), rechunked(chunks, 10**8)):
            async with connect(server.url_for("v2")) as ws:
                answers = await stream_and_close(ws, frames)
            assert answers.close_code == 1000 and answers.errors() == []
            outcomes.append(
                [(e.type, e.data) for e in answers.envelopes if e.type.startswith(("signal", "eng"))]
            )
    assert outcomes[0] == outcomes[1] == outcomes[2]
    assert all(d.modality is None for k, d in outcomes[0] if k == "signal.detected"), "v2 names no modality"


async def test_config_replaces_the_last_and_a_bad_one_is_a_non_fatal_ih6001() -> None:
    async with AnalyzerServer(limits=PATIENT) as server, connect(server.url_for("v2")) as ws:
        answers = Exchange()
        await receive_until(ws, answers, "session.ready")
        await ws.send(session_config(goal_dimensions=["clarity"], model="inter-2-audio"))
        first = await receive_until(ws, answers, "session.updated")
        assert first.data == SessionUpdated(include=[], goal_dimensions=["clarity"], model="inter-2-audio")
        await ws.send(session_config(include=["conversation_quality_overall"]))
        second = await receive_until(ws, answers, "session.updated")
        assert second.data == SessionUpdated(include=["conversation_quality_overall"], model="inter-2-audio")
        for bad in (
            '{"include": ["everything"]}',
            '{"goal_dimensions": ["charm"]}',
            "{oops",
            '{"model": "x"}',
        ):
            await ws.send(bad)
            error = await receive_until(ws, answers, "error")
            assert isinstance(error.data, ErrorData) and error.data.code == "ih6001" and error.data.message
        await ws.send(frames_of(talking())[0])
        await ws.send(json.dumps({"model": "inter-2"}))
        late = await receive_until(ws, answers, "error")
        assert "before the first media" in late.data.message  # type: ignore[union-attr]
        answers = await send_and_close(ws, frames_of(talking())[1:], answers)
    assert answers.close_code == 1000
    heard = {e.data.signal_type for e in answers.of("signal.detected")}  # type: ignore[union-attr]
    assert heard and heard <= {
        "agreement",
        "confidence",
        "frustration",
        "hesitation",
        "interest",
        "uncertainty",
    }


async def test_goal_dimensions_bring_feedback_text() -> None:
    async with AnalyzerServer(limits=PATIENT) as server, connect(server.url_for("v1")) as ws:
        config = session_config(goal_dimensions=["clarity", "energy"])
        answers = await stream_and_close(ws, frames_of(talking()), config=config)
    feedback = [e.data.feedback for e in answers.of("feedback.generated")]  # type: ignore[union-attr]
    assert feedback, answers.types
    assert any(word in feedback[0] for word in ("Clarity", "Energy"))


async def test_media_the_client_skipped_is_reported_as_coverage_dropped() -> None:
    chunks = talking()
    kept = [chunks[0], *chunks[1:3], *chunks[6:]]  # 2–5 s never sent
    async with AnalyzerServer(limits=PATIENT) as server, connect(server.url_for("v1")) as ws:
        answers = await stream_and_close(ws, frames_of(tuple(kept)))
    dropped = [r for e in answers.of("coverage.dropped") for r in e.data.ranges]  # type: ignore[union-attr]
    assert len(dropped) == 1
    assert dropped[0].start == pytest.approx(2.0, abs=0.05) and dropped[0].end == pytest.approx(5.0, abs=0.05)
    assert isinstance(answers.of("coverage.dropped")[0].data, CoverageDropped)
    assert answers.close_code == 1000


async def test_a_stretch_without_pictures_is_coverage_degraded() -> None:
    chunks = live_stream(7.0, seg.nodding, seg.voice_like(7.0), without_video=(3.0, 5.0))
    async with AnalyzerServer(limits=PATIENT) as server, connect(server.url_for("v1")) as ws:
        answers = await stream_and_close(ws, [c.data for c in chunks])
    degraded = [r for e in answers.of("coverage.degraded") for r in e.data.ranges]  # type: ignore[union-attr]
    assert degraded, answers.types
    assert all(r.start >= 3.0 and r.end <= 6.05 for r in degraded)
    assert all(e.data.reason == "video_gap" for e in answers.of("coverage.degraded"))  # type: ignore[union-attr]


async def test_a_first_frame_without_a_header_is_ih5004_and_closes_1008() -> None:
    async with AnalyzerServer(limits=PATIENT) as server, connect(server.url_for("v1")) as ws:
        answers = Exchange()
        await receive_until(ws, answers, "session.ready")
        await ws.send(frames_of(talking())[2])
        await receive_all(ws, answers)
    assert answers.errors() == ["ih5004"]
    assert answers.of("error")[0].data.segment == 1  # type: ignore[union-attr]
    assert answers.close_code == 1008


async def test_an_unreadable_header_is_ih5002_and_closes_1008() -> None:
    async with AnalyzerServer(limits=PATIENT) as server, connect(server.url_for("v1")) as ws:
        answers = Exchange()
        await receive_until(ws, answers, "session.ready")
        await ws.send(b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 40)
        await asyncio.wait_for(receive_all(ws, answers), 20)
    assert answers.errors() == ["ih5002"]
    assert answers.close_code == 1008


async def test_garbage_between_clusters_is_skipped_and_the_rest_analysed() -> None:
    chunks = frames_of(talking())
    garbage = bytes(range(256)) * 200
    async with AnalyzerServer(limits=PATIENT) as server, connect(server.url_for("v1")) as ws:
        answers = await stream_and_close(ws, [chunks[0], chunks[1], garbage, *chunks[2:]])
    assert answers.close_code == 1000
    assert answers.of("engagement.updated")
    ends = [e.data.end for e in answers.of("signal.ended")]  # type: ignore[union-attr]
    assert max(ends) == pytest.approx(8.0, abs=0.05)


@pytest.mark.parametrize(("version", "query"), [("v2", "?model=inter-9"), ("v1", "?model=inter-2")])
async def test_a_model_the_endpoint_does_not_serve_is_ih4005_before_ready(version: str, query: str) -> None:
    async with AnalyzerServer(limits=PATIENT) as server, connect(server.url_for(version) + query) as ws:
        answers = await receive_all(ws, Exchange())
    assert answers.types == ["error"] and answers.errors() == ["ih4005"]
    assert answers.close_code == 1008


async def test_an_idle_connection_is_closed_with_ih6003() -> None:
    server = AnalyzerServer(limits=StreamLimits(idle_timeout_s=0.3))
    async with server, connect(server.url_for("v1")) as ws:
        answers = await asyncio.wait_for(receive_all(ws, Exchange()), 10)
    assert answers.types == ["session.ready", "error"] and answers.errors() == ["ih6003"]
    assert answers.close_code == 1008


async def test_the_maximum_session_length_is_ih6004() -> None:
    server = AnalyzerServer(limits=StreamLimits(max_session_s=0.5))
    async with server, connect(server.url_for("v1")) as ws:
        answers = Exchange()
        await receive_until(ws, answers, "session.ready")
        await ws.send(frames_of(talking())[0])
        await asyncio.wait_for(receive_all(ws, answers), 10)
    assert answers.errors() == ["ih6004"] and answers.close_code == 1000


async def test_a_frame_over_the_limit_is_ih6002_and_the_stream_goes_on() -> None:
    chunks = frames_of(talking())
    oversized = b"\x1f\x43\xb6\x75" + bytes(32 * 1024 * 1024 + 1 - 4)
    async with AnalyzerServer(limits=PATIENT) as server, connect(server.url_for("v1"), max_size=None) as ws:
        answers = await stream_and_close(ws, [chunks[0], oversized, *chunks[1:]])
    assert answers.errors() == ["ih6002"]
    error = answers.of("error")[0].data
    assert isinstance(error, ErrorData) and error.segment == 2
    assert answers.close_code == 1000 and answers.of("engagement.updated")


async def test_analysis_that_falls_behind_gives_up_old_windows_as_coverage_dropped() -> None:
    analysed: list[tuple[float, float]] = []
    analyser = WindowAnalyser()

    def slow(window: MediaWindow) -> Interpretation:
        time.sleep(0.3)
        analysed.append((window.new_from, window.end))
        return analyser(window)

    limits = StreamLimits(max_analysis_wait_s=0.5)
    async with (
        AnalyzerServer(window_analyser=lambda: slow, limits=limits) as server,
        connect(server.url_for("v1")) as ws,
    ):
        answers = await stream_and_close(ws, frames_of(talking()))
    dropped = [(r.start, r.end) for e in answers.of("coverage.dropped") for r in e.data.ranges]  # type: ignore[union-attr]
    assert dropped, "eight windows at once, 0.3 s each, may not wait 0.5 s"
    covered = sorted(analysed + dropped)
    assert covered[0][0] == 0.0 and covered[-1][1] == pytest.approx(8.0, abs=0.05)
    for before, after in pairwise(covered):
        assert after[0] == pytest.approx(before[1], abs=0.01), "every second analysed or reported, once"
    assert answers.close_code == 1000


async def test_an_analysis_failure_is_ih1001_and_not_fatal() -> None:
    calls = []

    def broken(window: object) -> object:
        calls.append(window)
        raise ZeroDivisionError("internal detail 42")

    server = AnalyzerServer(window_analyser=lambda: broken, limits=PATIENT)  # type: ignore[arg-type,return-value]
    async with server, connect(server.url_for("v1")) as ws:
        answers = await stream_and_close(ws, frames_of(talking()))
    assert set(answers.errors()) == {"ih1001"} and len(calls) >= 7
    assert all("42" not in e.data.message for e in answers.of("error"))  # type: ignore[union-attr]
    assert answers.close_code == 1000


async def test_a_client_that_leaves_without_closing_leaves_nothing_behind() -> None:
    async with AnalyzerServer(limits=PATIENT) as server, connect(server.url_for("v1")) as ws:
        answers = Exchange()
        await receive_until(ws, answers, "session.ready")
        for frame in frames_of(talking())[:4]:
            await ws.send(frame)
        await receive_until(ws, answers, "engagement.updated")
        # The fixture checks that the demux thread has ended.


async def test_upgrade_checks_are_those_of_v0_and_the_sdk_pair_is_ignored() -> None:
    async with AnalyzerServer(key=KEY) as server:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(server.url_for("v1"), additional_headers={"Authorization": "Bearer nope"}):
                pass
        assert refused.value.response.status_code == 401
        assert json.loads(refused.value.response.body)["error_id"] == "ih2001"
        with pytest.raises(InvalidStatus) as missing:
            async with connect(server.url_for("v1").replace("/v1/", "/v3/")):
                pass
        assert missing.value.response.status_code == 404
        headers = {"Authorization": f"Bearer {KEY}", "X-Interhuman-SDK": "python/1.3.4"}
        url = server.url_for("v2") + "?model=inter-2&ih_sdk=python&ih_sdk_version=1.3.4"
        async with connect(url, additional_headers=headers) as ws:
            ready = await receive_until(ws, Exchange(), "session.ready")
            assert isinstance(ready.data, SessionReady)
