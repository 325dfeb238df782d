"""Helpers for the analyzer's v1/v2 tests: live streams made by our own encoder from the test
pictures and sounds of `segments`, and a client side that collects the server's envelopes,
typed by `app.model.wire_v1`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

import bench.clips as seg
from app.analyzer.server import AnalyzerServer
from app.analyzer.stream_v1 import StreamLimits
from app.model.delivery import V1_EVENT_TYPE
from app.model.wire_v1 import Envelope, UnknownEnvelope, close_request, parse_envelope, session_config
from capture.encoder import EncoderConfig, SegmentEncoder
from capture.media import AUDIO_RATE_HZ, AudioChunk, StreamChunk, VideoFrame
from capture.stream_outbox import StreamOutbox

FPS = 30
_CHUNK_SAMPLES = 960


def live_stream(
    duration_s: float,
    picture: seg.Picture,
    sound: np.ndarray,
    *,
    max_chunk_bytes: int = 32 * 1024 * 1024,
    without_video: tuple[float, float] | None = None,
) -> list[StreamChunk]:
    """What our uplink would send for `duration_s` of this picture and sound: the header, then a
    Cluster of about a second per chunk. `without_video`: a stretch with no pictures (a camera gone)."""
    encoder = SegmentEncoder(
        EncoderConfig(width=320, height=240, block_when_full=True, queue_frames=8), lambda segment: None
    )
    outbox = StreamOutbox(max_queued_s=duration_s + 10)
    encoder.start()
    encoder.start_stream(outbox, max_chunk_bytes)
    samples = (np.clip(sound, -1, 1) * 32767).astype(np.int16)
    sample = 0
    for n in range(round(duration_s * FPS)):
        t = n / FPS
        while sample < len(samples) and sample / AUDIO_RATE_HZ <= t + 0.05:
            piece = samples[sample : sample + _CHUNK_SAMPLES]
            encoder.audio_chunk(AudioChunk(piece, sample / AUDIO_RATE_HZ))
            sample += len(piece)
        if without_video is None or not without_video[0] <= t < without_video[1]:
            encoder.video_frame(VideoFrame(np.ascontiguousarray(picture(t)), t))
    while sample < len(samples):
        piece = samples[sample : sample + _CHUNK_SAMPLES]
        encoder.audio_chunk(AudioChunk(piece, sample / AUDIO_RATE_HZ))
        sample += len(piece)
    encoder.stop()
    chunks = []
    while (chunk := outbox.take()) is not None:
        chunks.append(chunk)
    return chunks


@dataclass
class Exchange:
    envelopes: list[Envelope] = field(default_factory=list)
    unknown: list[UnknownEnvelope] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str = ""

    @property
    def types(self) -> list[str]:
        return [e.type for e in self.envelopes]

    def of(self, kind: str) -> list[Envelope]:
        return [e for e in self.envelopes if e.type == kind]

    def errors(self) -> list[str]:
        return [e.data.code for e in self.of("error")]  # type: ignore[union-attr]


async def receive_all(websocket: ClientConnection, into: Exchange) -> Exchange:
    """Read until the server closes the connection."""
    try:
        async for frame in websocket:
            parsed = parse_envelope(frame)
            if isinstance(parsed, Envelope):
                into.envelopes.append(parsed)
            elif isinstance(parsed, UnknownEnvelope):
                into.unknown.append(parsed)
            else:
                raise AssertionError(f"the server sent an unreadable frame: {parsed}")
    except ConnectionClosed:
        pass
    into.close_code, into.close_reason = websocket.close_code, websocket.close_reason or ""
    return into


async def receive_until(websocket: ClientConnection, into: Exchange, kind: str) -> Envelope:
    while True:
        parsed = parse_envelope(await websocket.recv())
        assert isinstance(parsed, Envelope), parsed
        into.envelopes.append(parsed)
        if parsed.type == kind:
            return parsed


async def stream_and_close(
    websocket: ClientConnection, frames: Sequence[bytes], *, config: str | None = None
) -> Exchange:
    """The whole v1 exchange: ready, the config, the frames, the close request, the drain."""
    answers = Exchange()
    await receive_until(websocket, answers, "session.ready")
    if config is not None:
        await websocket.send(config)
        await receive_until(websocket, answers, "session.updated")
    return await send_and_close(websocket, frames, answers)


async def send_and_close(websocket: ClientConnection, frames: Sequence[bytes], answers: Exchange) -> Exchange:
    for frame in frames:
        await websocket.send(frame)
    await websocket.send(close_request())
    return await receive_all(websocket, answers)


def rechunked(chunks: Sequence[StreamChunk], size: int) -> list[bytes]:
    """The same stream cut into frames of `size` bytes, whatever the Clusters."""
    data = b"".join(c.data for c in chunks)
    return [data[i : i + size] for i in range(0, len(data), size)]


async def delivery_over_v1(chunks: Sequence[StreamChunk]) -> tuple[Exchange, list[object]]:
    """`chunks` streamed to a patient analyzer that was asked for the delivery figures: the
    exchange, which had no error, and the data of each delivery envelope."""
    patient = StreamLimits(max_analysis_wait_s=120.0)
    async with AnalyzerServer(limits=patient) as server, connect(server.url_for("v1")) as websocket:
        answers = await stream_and_close(
            websocket, [c.data for c in chunks], config=session_config(local_delivery=True)
        )
    assert answers.errors() == []
    return answers, [e.data for e in answers.of(V1_EVENT_TYPE)]
