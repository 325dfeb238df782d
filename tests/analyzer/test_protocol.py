"""The local analyzer speaks v0 as PROTOCOL.md §2–§6 and §8 say, checked with a real websockets
client over 127.0.0.1 against the server running on the test's event loop."""

from __future__ import annotations

import json
import threading
import uuid
from itertools import pairwise

import pytest
from support.analyzer_helpers import Answers, Clips, exchange, receive_one, with_query
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

import bench.clips as seg
from app.analyzer.analysis import analyse_segment
from app.analyzer.server import AnalyzerServer
from app.model.wire_v0 import PATH_V0, ErrorMessage, ProcessingMessage
from capture.encoder_config import MAX_SEGMENT_BYTES

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]

KEY = "ih_live_test_analyzer_key_0123456789"


async def _refusal(url: str, **options: object) -> InvalidStatus:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, **options):  # type: ignore[arg-type]
            pass
    return refused.value


async def test_a_key_is_required_when_configured_and_401_carries_a_json_error() -> None:
    async with AnalyzerServer(key=KEY) as server:
        # PROTOCOL.md §6: ih2002 for a missing credential, ih2001 for one that is not accepted.
        for headers, error_id in (
            ({}, "ih2002"),
            ({"Authorization": f"Basic {KEY}"}, "ih2002"),
            ({"Authorization": "Bearer wrong-key"}, "ih2001"),
        ):
            refusal = await _refusal(server.url, additional_headers=headers)
            response = refusal.response
            assert response.status_code == 401
            assert response.headers["Content-Type"] == "application/json"
            body = json.loads(response.body)
            assert body["status"] == "error"
            assert body["error_id"] == error_id
            assert body["message"] and body["link"].startswith("https://")
            assert body["correlation_id"] == response.headers["X-Correlation-ID"]
            assert KEY not in response.body.decode()


async def test_the_key_is_accepted_as_bearer_header_and_as_the_single_subprotocol() -> None:
    async with AnalyzerServer(key=KEY) as server:
        async with connect(server.url, additional_headers={"Authorization": f"Bearer {KEY}"}) as ws:
            assert ws.subprotocol is None
        async with connect(server.url, subprotocols=[KEY]) as ws:  # type: ignore[list-item]
            assert ws.subprotocol == KEY
        refusal = await _refusal(server.url, subprotocols=[KEY, "other"])
        assert refusal.response.status_code == 401


async def test_no_key_configured_accepts_any_client(analyzer: AnalyzerServer) -> None:
    async with connect(analyzer.url) as ws:
        assert ws.response is not None and ws.response.status_code == 101


async def test_other_paths_get_404_and_every_upgrade_response_has_a_correlation_id(
    analyzer: AnalyzerServer,
) -> None:
    base = analyzer.url.removesuffix(PATH_V0)
    for path in ("/", "/v3/stream/analyze", PATH_V0 + "/extra"):
        refusal = await _refusal(base + path)
        assert refusal.response.status_code == 404
        uuid.UUID(refusal.response.headers["X-Correlation-ID"])
    seen = set()
    for _ in range(2):
        async with connect(analyzer.url, additional_headers={"X-Client-Request-Id": str(uuid.uuid4())}) as ws:
            assert ws.response is not None
            seen.add(str(uuid.UUID(ws.response.headers["X-Correlation-ID"])))
    assert len(seen) == 2


async def test_each_error_id_for_crafted_segments_and_the_connection_stays_open(
    analyzer: AnalyzerServer, clips: Clips
) -> None:
    good = clips.get("face_voice_4s")
    frames = [
        seg.truncated(good),  # 1: cut off mid-file
        b"this is not a video file" * 1000,  # 2: not a container at all
        clips.get("audio_only_4s"),  # 3: no video track
        clips.get("short_2s"),  # 4: under 3 s
        seg.oversized(),  # 5: over 20 MiB
        good,  # 6: still analysed afterwards
    ]
    async with connect(analyzer.url) as ws:
        answers = await exchange(ws, *frames)
        cid = ws.response.headers["X-Correlation-ID"] if ws.response else ""
    expected = {1: "ih5002", 2: "ih5002", 3: "ih5001", 4: "ih4007", 5: "ih6002"}
    for segment, error_id in expected.items():
        assert answers.statuses(segment) == ["processing", "error"], segment
        error = answers.error(segment)
        assert error.error_id == error_id, (segment, error.message)
        assert error.message and error.link and error.correlation_id == cid
    processing = answers.for_segment(5)[0]
    assert isinstance(processing, ProcessingMessage) and processing.bytes == MAX_SEGMENT_BYTES + 1
    assert answers.statuses(6) == ["processing", "result", "completed"]


async def test_an_unexpected_failure_is_ih1001_and_does_not_leak_internals(clips: Clips) -> None:
    def broken(data: bytes, hear: object) -> object:
        raise ZeroDivisionError("internal detail 42")

    async with AnalyzerServer(analyse=broken) as server, connect(server.url) as ws:  # type: ignore[arg-type]
        answers = await exchange(ws, clips.get("face_voice_4s"))
    error = answers.error(1)
    assert error.error_id == "ih1001"
    assert "42" not in error.message


async def test_a_text_frame_is_answered_with_an_error_and_numbering_is_untouched(
    analyzer: AnalyzerServer, clips: Clips
) -> None:
    async with connect(analyzer.url) as ws:
        await ws.send('{"type": "session.config"}')
        answers = Answers()
        message = await receive_one(ws, answers)
        assert isinstance(message, ErrorMessage)
        assert message.error_id == "ih5004" and message.segment is None
        await exchange(ws, clips.get("face_voice_3s"), answers=answers)
    assert answers.statuses(1) == ["processing", "result", "completed"]


async def test_segments_are_numbered_from_1_per_connection_and_placed_in_connection_time(
    analyzer: AnalyzerServer, clips: Clips
) -> None:
    frames = [clips.get("face_voice_4s"), clips.get("face_voice_3s"), clips.get("face_quiet_5s")]
    async with connect(analyzer.url) as ws:
        answers = await exchange(ws, *frames)
    expected_spans = {1: (0.0, 4.0), 2: (4.0, 7.0), 3: (7.0, 12.0)}
    for segment, (start, end) in expected_spans.items():
        assert answers.statuses(segment) == ["processing", "result", "completed"]
        windows = answers.result(segment).engagement_state
        assert windows[0].start == pytest.approx(start, abs=0.02)
        assert windows[-1].end == pytest.approx(end, abs=0.02)
        for before, after in pairwise(windows):
            assert after.start == before.end  # contiguous
        assert all(w.end - w.start <= 2.0 + 1e-6 for w in windows)
        for signal in answers.result(segment).signals:
            assert (signal.start, signal.end) == (windows[0].start, windows[-1].end)
    # A new connection starts over at segment 1, time 0.
    async with connect(analyzer.url) as ws:
        again = await exchange(ws, frames[1])
    assert again.result(1).engagement_state[0].start == 0.0


async def test_a_failed_segment_adds_no_time_to_the_connection(
    analyzer: AnalyzerServer, clips: Clips
) -> None:
    good = clips.get("face_voice_4s")
    async with connect(analyzer.url) as ws:
        answers = await exchange(ws, good, seg.truncated(good), clips.get("face_voice_3s"))
    assert answers.error(2).error_id == "ih5002"
    assert answers.result(3).engagement_state[0].start == pytest.approx(4.0, abs=0.02)


@pytest.mark.parametrize(
    ("flags", "sections"),
    [
        ((), None),
        (("conversation_quality_overall",), {"overall"}),
        (("conversation_quality_timeline", "not_a_flag"), {"timeline"}),
        (("conversation_quality_overall", "conversation_quality_timeline"), {"overall", "timeline"}),
    ],
)
async def test_include_flags_select_the_conversation_quality_sections(
    analyzer: AnalyzerServer, clips: Clips, flags: tuple[str, ...], sections: set[str] | None
) -> None:
    async with connect(with_query(analyzer.url, *flags)) as ws:
        answers = await exchange(ws, clips.get("face_voice_4s"), clips.get("card_silent_4s"))
    for segment in (1, 2):
        raw = answers.raw_result(segment)
        if sections is None:
            assert "conversation_quality" not in raw
            continue
        quality = raw["conversation_quality"]
        assert isinstance(quality, dict) and set(quality) == sections
    if sections and "timeline" in sections:
        timeline = answers.result(2).conversation_quality.timeline  # type: ignore[union-attr]
        assert [(w.start, w.end) for w in timeline] == [
            (pytest.approx(4.0, abs=0.02), pytest.approx(8.0, abs=0.02))
        ]


async def test_overall_quality_is_cumulative_over_the_connection(
    analyzer: AnalyzerServer, clips: Clips
) -> None:
    flags = ("conversation_quality_overall", "conversation_quality_timeline")
    frames = [clips.get("face_voice_4s"), clips.get("card_silent_4s"), clips.get("face_voice_3s")]
    async with connect(with_query(analyzer.url, *flags)) as ws:
        answers = await exchange(ws, *frames)
    segment_values: list[dict[str, float]] = []
    overall: list[dict[str, float]] = []
    for segment in (1, 2, 3):
        quality = answers.result(segment).conversation_quality
        assert quality is not None and quality.overall is not None
        (window,) = quality.timeline
        values = window.values.model_dump()
        dimensions = [values[d] for d in ("clarity", "authority", "energy", "rapport", "learning")]
        assert values["quality_index"] == pytest.approx(sum(dimensions) / 5, abs=0.11)
        segment_values.append(values)
        overall.append(quality.overall.model_dump())
    assert overall[0] == segment_values[0]
    # The silent, face-free card says nothing about how clearly someone speaks: the overall
    # clarity keeps the first segment's value instead of drifting toward 50.
    assert segment_values[1]["clarity"] == 50.0
    assert overall[1]["clarity"] == segment_values[0]["clarity"]
    # It does show that nobody is on camera, which lowers the overall rapport.
    assert overall[1]["rapport"] < overall[0]["rapport"]
    for k in range(3):
        for name, value in overall[k].items():
            so_far = [v[name] for v in segment_values[: k + 1]]
            assert min(so_far) - 0.11 <= value <= max(so_far) + 0.11, (k, name)


async def test_answers_keep_segment_order_when_a_later_segment_finishes_first(clips: Clips) -> None:
    second_done = threading.Event()
    calls = iter(range(1, 100))

    def analyse(data: bytes, hear: object) -> object:
        number = next(calls)
        if number == 1:
            assert second_done.wait(30), "the second segment was not analysed alongside the first"
        # Heard apart from the connection's speech: followed in turn, the second would wait for the first.
        result = analyse_segment(data)
        if number == 2:
            second_done.set()
        return result

    async with AnalyzerServer(analyse=analyse, workers=2) as server, connect(server.url) as ws:  # type: ignore[arg-type]
        answers = await exchange(ws, clips.get("face_voice_4s"), clips.get("face_voice_3s"))
    order = [(m.segment, m.status) for m in answers.messages if m.status != "processing"]
    assert order == [(1, "result"), (1, "completed"), (2, "result"), (2, "completed")]
