"""The analyzer alone under odd clients (issue 16, item 13), on v0: a frame over 32 MiB is answered
with ih6002 instead of the library's close 1009; a file cut off after its first 1,000 bytes is
unreadable (ih5002), not a camera problem (ih5001); a connection that sends nothing is closed
after the idle timeout with ih6003. (v1/v2: tests/analyzer/test_analyzer_v1.py.)"""

from __future__ import annotations

import asyncio

import pytest
from support.analyzer_helpers import Answers, Clips, exchange, receive_one
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.analyzer.server import AnalyzerServer
from app.model.wire_v0 import ErrorMessage

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]


async def test_a_frame_over_32_mib_is_ih6002_and_the_connection_stays_open(
    analyzer: AnalyzerServer, clips: Clips
) -> None:
    huge = b"\x1a\x45\xdf\xa3" + bytes(33 * 1024 * 1024)
    async with connect(analyzer.url, max_size=None) as ws:
        answers = await exchange(ws, huge, clips.get("face_voice_3s"))
    assert answers.statuses(1) == ["processing", "error"]
    assert answers.error(1).error_id == "ih6002"
    assert answers.statuses(2) == ["processing", "result", "completed"]


async def test_the_first_thousand_bytes_of_a_webm_are_unreadable_not_blind(
    analyzer: AnalyzerServer, clips: Clips
) -> None:
    cut = clips.get("face_voice_4s")[:1000]
    async with connect(analyzer.url) as ws:
        answers = await exchange(ws, cut)
    error = answers.error(1)
    assert error.error_id == "ih5002", error.message
    assert "camera" not in error.message


async def test_a_connection_that_never_sends_is_closed_after_the_idle_timeout() -> None:
    async with AnalyzerServer(idle_timeout_s=0.5) as server, connect(server.url) as ws:
        answers = Answers()
        message = await asyncio.wait_for(receive_one(ws, answers), 10)
        assert isinstance(message, ErrorMessage) and message.error_id == "ih6003"
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 10)
        assert ws.close_code == 1008
