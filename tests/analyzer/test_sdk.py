"""Interhuman's own Python SDK (`interhumanai`, pinned, unmodified) as a client of
`interhuman-live analyzer`: a WebM file streamed on v1 and on v2 with model inter-2 gets
session.ready, engagement and signal events, session.ended and close 1000; a wrong key gets
the SDK its 401."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from interhumanai import InterhumanClient, InterhumanError
from interhumanai.stream import (
    EngagementUpdatedEvent,
    SessionEndedEvent,
    SessionReadyEvent,
    SignalDetectedEvent,
    SignalEndedEvent,
)

import bench.clips as seg

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(180)]

KEY = "ih_live_sdk_test_key_0123456789"
ROOT = Path(__file__).resolve().parents[2]
CHUNK_BYTES = 64 * 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _command() -> list[str]:
    script = Path(sys.executable).with_name("interhuman-live")
    return [str(script)] if script.exists() else [sys.executable, "-m", "app"]


@pytest.fixture(scope="module")
def analyzer_port() -> Iterator[int]:
    port = _free_port()
    process = subprocess.Popen(
        [*_command(), "analyzer", "--port", str(port), "--key", KEY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first == f"ws://127.0.0.1:{port}/v0/stream/analyze", first
        assert process.stdout.readline().strip().endswith("/v1/stream/analyze")
        assert process.stdout.readline().strip().endswith("/v2/stream/analyze")
        yield port
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
        assert KEY not in err


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # websockets 15+ takes a proxy from the environment even for 127.0.0.1 (PROTOCOL-V1.md §2).
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def talk_webm() -> bytes:
    return seg.encode_webm(8.0, seg.nodding, seg.voice_like(8.0))


async def _stream_file(port: int, data: bytes, **stream_options: object) -> tuple[list[object], int]:
    client = InterhumanClient(access_token=KEY, base_url=f"http://127.0.0.1:{port}")
    stream = client.stream(**stream_options)  # type: ignore[arg-type]
    events: list[object] = []
    async with stream:
        ready = await stream.wait_for_session_ready()
        assert isinstance(ready, SessionReadyEvent)
        for start in range(0, len(data), CHUNK_BYTES):
            await stream.send_video(data[start : start + CHUNK_BYTES])
        await stream.request_close()
        async for event in stream:
            events.append(event)
        close = await stream.wait_closed()
    return events, close.code


@pytest.mark.parametrize(
    ("options", "modality"),
    [({"api_version": "v1"}, ["video"]), ({"api_version": "v2", "model": "inter-2"}, None)],
)
async def test_the_sdk_streams_a_webm_file_and_gets_the_whole_session(
    analyzer_port: int, talk_webm: bytes, options: dict[str, object], modality: list[str] | None
) -> None:
    events, close_code = await _stream_file(analyzer_port, talk_webm, **options)
    kinds = [type(e).__name__ for e in events]
    assert isinstance(events[0], SessionReadyEvent), kinds
    assert isinstance(events[-1], SessionEndedEvent), kinds
    assert events[-1].data.reason == "client_shutdown"
    assert close_code == 1000
    assert "UnknownEvent" not in kinds and "ErrorEvent" not in kinds
    engagement = [e for e in events if isinstance(e, EngagementUpdatedEvent)]
    assert engagement and engagement[0].data.start == 0.0
    detected = [e for e in events if isinstance(e, SignalDetectedEvent)]
    assert detected and all(e.data.modality == modality for e in detected)
    ended = {e.data.signal_type for e in events if isinstance(e, SignalEndedEvent)}
    assert ended == {e.data.signal_type for e in detected}, "every signal ends by session.ended"


async def test_a_wrong_key_gives_the_sdk_its_401(analyzer_port: int) -> None:
    client = InterhumanClient(access_token="ih_live_wrong_key", base_url=f"http://127.0.0.1:{analyzer_port}")
    stream = client.stream(api_version="v1")
    with pytest.raises(InterhumanError, match="handshake failed") as failed:
        await stream.connect()
    response = getattr(failed.value.__cause__, "response", None)
    assert response is not None and response.status_code == 401
