"""Checks on the live v1/v2 stream: feed an encoder by hand with the synthetic card and tone,
collect what it puts in a `StreamOutbox`, decode the concatenated chunks as a server reads them
(a non-seekable pipe), and take the chunks apart into their top-level EBML elements."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import av
import numpy as np

from capture.encoder import EncoderConfig, EncoderStats, SegmentEncoder
from capture.media import AUDIO_RATE_HZ, AudioChunk, Segment, StreamChunk, VideoFrame
from capture.stream_outbox import StreamOutbox
from capture.synthetic import CHUNK_SAMPLES, CardPainter, tone_samples
from capture.webm import read_vint

CLUSTER_ID = "1f43b675"
SEGMENT_ID = "18538067"
EBML_ID = "1a45dfa3"


class PipeReader(io.RawIOBase):
    """Bytes that can only be read forward, as a socket delivers them."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._at = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        count = min(len(buffer), len(self._data) - self._at)
        buffer[:count] = self._data[self._at : self._at + count]
        self._at += count
        return count


@dataclass(slots=True)
class DecodedStream:
    video_times: list[float]
    keyframes: list[bool]
    luma: list[float]
    audio: np.ndarray
    audio_start_s: float


def decode_stream(data: bytes) -> DecodedStream:
    """Decode both tracks of a live stream read forward only. Times are stream time."""
    times: list[float] = []
    keyframes: list[bool] = []
    luma: list[float] = []
    audio: list[np.ndarray] = []
    audio_start: float | None = None
    with av.open(PipeReader(data), format="matroska") as container:
        streams = [container.streams.video[0], container.streams.audio[0]]
        for packet in container.demux(*streams):
            for frame in packet.decode():
                if isinstance(frame, av.VideoFrame):
                    times.append(float(frame.pts * frame.time_base))
                    keyframes.append(bool(packet.is_keyframe))
                    luma.append(float(frame.to_ndarray(format="gray").mean()))
                elif isinstance(frame, av.AudioFrame):
                    if audio_start is None:
                        audio_start = float(frame.pts * frame.time_base)
                    audio.append(frame.to_ndarray().reshape(-1).astype(np.float32))
    samples = np.concatenate(audio) if audio else np.zeros(0, np.float32)
    return DecodedStream(times, keyframes, luma, samples, audio_start or 0.0)


def elements(chunk: bytes) -> list[tuple[str, int]]:
    """The chunk's top-level EBML elements as (id in hex, size); -1 for an unknown size."""
    found = []
    pos = 0
    while pos < len(chunk):
        first = chunk[pos]
        id_width = 1 + next(i for i in range(4) if first & (0x80 >> i))
        element_id = chunk[pos : pos + id_width].hex()
        size, size_width = read_vint(chunk, pos + id_width)
        found.append((element_id, size))
        if size < 0:
            break
        pos += id_width + size_width + size
        assert pos <= len(chunk), f"element {element_id} runs past the chunk"
    return found


@dataclass(slots=True)
class StreamRun:
    segments: list[Segment]
    chunks: list[StreamChunk]
    stats: EncoderStats
    errors: list[Exception] = field(default_factory=list)
    frames: list[float] = field(default_factory=list)
    """Times of the pictures fed."""
    samples: int = 0


def drain(outbox: StreamOutbox, into: list[StreamChunk]) -> None:
    while (chunk := outbox.take()) is not None:
        into.append(chunk)


def feed_card(
    config: EncoderConfig,
    duration_s: float,
    *,
    fps: float = 30.0,
    at_times: dict[float, Callable[[SegmentEncoder], None]] | None = None,
    first_t: float = 0.0,
) -> StreamRun:
    """Feed `duration_s` of the synthetic card and tone, in time order, into a fresh encoder;
    `at_times` runs a step (start a stream, …) once the media reaches each time."""
    segments: list[Segment] = []
    errors: list[Exception] = []
    encoder = SegmentEncoder(config, segments.append, errors.append)
    painter = CardPainter(config.width, config.height, fps)
    steps = sorted((at_times or {}).items())
    encoder.start()
    frames: list[float] = []
    sample = round(first_t * AUDIO_RATE_HZ)
    end_sample = round((first_t + duration_s) * AUDIO_RATE_HZ)
    n = 0
    while True:
        t = first_t + n / fps
        if t >= first_t + duration_s and sample >= end_sample:
            break
        while steps and steps[0][0] <= min(t, sample / AUDIO_RATE_HZ):
            steps.pop(0)[1](encoder)
        if sample < end_sample and (sample / AUDIO_RATE_HZ <= t or t >= first_t + duration_s):
            count = min(CHUNK_SAMPLES, end_sample - sample)
            encoder.audio_chunk(AudioChunk(tone_samples(sample, count), sample / AUDIO_RATE_HZ))
            sample += count
            continue
        encoder.video_frame(VideoFrame(painter.frame(n), t))
        frames.append(t)
        n += 1
    stats = encoder.stop()
    return StreamRun(segments, [], stats, errors, frames, end_sample - round(first_t * AUDIO_RATE_HZ))
