"""Several clients and slow analyses: each connection keeps its own numbering, and reading (with its
`processing` answers) never waits for an analysis to finish."""

from __future__ import annotations

import asyncio
import threading

import pytest
from support.analyzer_helpers import Answers, Clips, exchange, receive_one
from websockets.asyncio.client import connect

from app.analyzer.analysis import analyse_segment
from app.analyzer.connection import MAX_IN_FLIGHT
from app.analyzer.rules import Interpretation
from app.analyzer.server import AnalyzerServer
from app.analyzer.voice import Hear

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]


async def test_two_clients_at_once_each_number_their_own_segments(
    analyzer: AnalyzerServer, clips: Clips
) -> None:
    async with connect(analyzer.url) as first, connect(analyzer.url) as second:
        one, two = await asyncio.gather(
            exchange(first, clips.get("face_voice_4s"), clips.get("card_silent_4s")),
            exchange(second, clips.get("face_voice_3s"), clips.get("face_voice_4s")),
        )
        ids = {first.response.headers["X-Correlation-ID"], second.response.headers["X-Correlation-ID"]}  # type: ignore[union-attr]
    assert len(ids) == 2
    for answers in (one, two):
        assert {m.segment for m in answers.messages} == {1, 2}
        assert answers.statuses(1) == answers.statuses(2) == ["processing", "result", "completed"]
        assert len({m.correlation_id for m in answers.messages}) == 1
    # Each connection has its own time line: the 2nd segments start after their own 1st ones.
    assert one.result(2).engagement_state[0].start == pytest.approx(4.0, abs=0.02)
    assert two.result(2).engagement_state[0].start == pytest.approx(3.0, abs=0.02)


async def test_a_slow_analysis_does_not_delay_processing_messages(clips: Clips) -> None:
    release = threading.Event()

    def slow(data: bytes, hear: Hear) -> Interpretation:
        # The real analysis, held back until the test has seen what arrives meanwhile.
        assert release.wait(30), "the test never released the analysis"
        return analyse_segment(data, hear)

    async with AnalyzerServer(analyse=slow, workers=1) as server, connect(server.url) as ws:
        try:
            await ws.send(clips.get("face_voice_4s"))
            await ws.send(clips.get("face_voice_3s"))
            answers = Answers()
            for _ in range(2):
                await asyncio.wait_for(receive_one(ws, answers), timeout=10)
            assert [(m.segment, m.status) for m in answers.messages] == [(1, "processing"), (2, "processing")]
            # Nothing else while the analysis is held (a cancelled recv() loses no message).
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(ws.recv(), timeout=0.3)
        finally:
            release.set()
        while not (answers.finished(1) and answers.finished(2)):
            await receive_one(ws, answers)
    assert [(m.segment, m.status) for m in answers.messages[2:]] == [
        (1, "result"),
        (1, "completed"),
        (2, "result"),
        (2, "completed"),
    ]


async def test_a_client_that_floods_and_vanishes_leaves_nothing_waiting(clips: Clips) -> None:
    release = threading.Event()
    started = threading.Semaphore(0)

    def slow(data: bytes, hear: Hear) -> Interpretation:
        started.release()
        assert release.wait(30), "the test never released the analysis"
        return analyse_segment(data, hear)

    server = AnalyzerServer(analyse=slow, workers=1)
    await server.start()
    try:
        frame = clips.get("face_voice_3s")
        async with connect(server.url) as ws:
            # More than the server holds in flight: it stops reading after MAX_IN_FLIGHT + 1.
            for _ in range(MAX_IN_FLIGHT + 4):
                await ws.send(frame)
            answers = Answers()
            while len(answers.messages) < MAX_IN_FLIGHT + 2:
                await asyncio.wait_for(receive_one(ws, answers), timeout=10)
            assert all(m.status == "processing" for m in answers.messages)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(ws.recv(), timeout=0.3)
        assert await asyncio.to_thread(started.acquire, timeout=10)
    finally:
        release.set()
        await asyncio.wait_for(server.close(), timeout=20)
