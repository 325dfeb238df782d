"""Checks on real encoded segments: decode one alone with PyAV, find the white flashes and the 1 kHz
beeps of the synthetic source, cross-check with ffprobe, and run a source through the encoder.

The synthetic source puts a full-white frame and the start of a 50 ms 1 kHz beep at every whole
second, so `find_flashes` and `find_beeps` on a decoded segment tell where each track puts the
same instant.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np

from capture.encoder import EncoderConfig, EncoderStats, SegmentEncoder
from capture.media import AudioChunk, CaptureError, CaptureSource, Segment, SessionClock, VideoFrame

FLASH_LUMA = 200.0
"""Mean luma above which a decoded frame counts as the white flash (the card averages ~100)."""


@dataclass(slots=True)
class DecodedSegment:
    """One segment decoded alone. Times are seconds from the start of the file."""

    video_codec: str
    audio_codec: str
    width: int
    height: int
    first_packet_keyframe: bool
    video_times: list[float]
    video_end_s: float
    """End of the last frame (its timestamp plus its duration)."""
    luma: list[float]
    """Mean luma (0–255) of each decoded frame."""
    audio: np.ndarray
    """Decoded mono samples, float in -1..1."""
    audio_rate: int
    audio_channels: int
    audio_start_s: float
    duration_s: float
    """What the container says."""

    @property
    def audio_duration_s(self) -> float:
        return len(self.audio) / self.audio_rate


def decode_segment(data: bytes) -> DecodedSegment:
    """Decode every frame of both tracks of a WebM held in memory (no other file involved)."""
    with av.open(io.BytesIO(data)) as container:
        video_stream = container.streams.video[0]
        first_packet = next(p for p in container.demux(video_stream) if p.size)
        first_keyframe = bool(first_packet.is_keyframe)
    times: list[float] = []
    luma: list[float] = []
    video_end = 0.0
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        video_codec, width, height = stream.codec_context.name, stream.width, stream.height
        duration_s = (container.duration or 0) / 1_000_000
        for frame in container.decode(stream):
            t = float(frame.pts * frame.time_base)
            times.append(t)
            luma.append(float(frame.to_ndarray(format="gray").mean()))
            video_end = t + float((frame.duration or 0) * frame.time_base)
    pieces: list[np.ndarray] = []
    audio_start = None
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        audio_codec, rate, channels = stream.codec_context.name, stream.rate, stream.layout.nb_channels
        for frame in container.decode(stream):
            if audio_start is None:
                audio_start = float(frame.pts * frame.time_base)
            pieces.append(frame.to_ndarray().reshape(channels, -1)[0].astype(np.float32))
    return DecodedSegment(
        video_codec=video_codec,
        audio_codec=audio_codec,
        width=width,
        height=height,
        first_packet_keyframe=first_keyframe,
        video_times=times,
        video_end_s=video_end,
        luma=luma,
        audio=np.concatenate(pieces) if pieces else np.zeros(0, np.float32),
        audio_rate=rate,
        audio_channels=channels,
        audio_start_s=audio_start or 0.0,
        duration_s=duration_s,
    )


def find_flashes(decoded: DecodedSegment, threshold: float = FLASH_LUMA) -> list[float]:
    """Times of the frames that start a run of white frames."""
    flashes = []
    previous = 0.0
    for t, luma in zip(decoded.video_times, decoded.luma, strict=True):
        if luma >= threshold > previous:
            flashes.append(t)
        previous = luma
    return flashes


def tone_magnitude(samples: np.ndarray, rate: int, hz: float, window_s: float = 0.002) -> np.ndarray:
    """Amplitude of the `hz` component around each sample: demodulate, then average over `window_s`
    (a sine of amplitude A gives A / 2)."""
    k = np.arange(len(samples))
    baseband = samples.astype(np.float64) * np.exp(-2j * np.pi * hz * k / rate)
    width = max(1, round(window_s * rate))
    return np.abs(np.convolve(baseband, np.ones(width) / width, mode="same"))


def find_beeps(
    samples: np.ndarray, rate: int, start_s: float = 0.0, hz: float = 1000.0, min_amplitude: float = 0.2
) -> list[float]:
    """Onset times of `hz` beeps at least `min_amplitude` loud: where the tone's amplitude first
    crosses half its peak, one onset per 0.5 s at most."""
    magnitude = tone_magnitude(samples, rate, hz)
    if len(magnitude) == 0 or magnitude.max() < min_amplitude / 2:
        return []
    above = magnitude >= magnitude.max() / 2
    onsets: list[float] = []
    for i in np.flatnonzero(above[1:] & ~above[:-1]) + 1:
        t = start_s + i / rate
        if not onsets or t - onsets[-1] > 0.5:
            onsets.append(t)
    if above[0]:
        onsets.insert(0, start_s)
    return onsets


def ffprobe(data: bytes) -> dict:
    """ffprobe's view of a segment (streams with frame counts, and the format), as parsed JSON."""
    binary = shutil.which("ffprobe")
    assert binary is not None, "ffprobe is not installed"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "segment.webm"
        path.write_bytes(data)
        result = subprocess.run(
            [
                binary,
                "-v",
                "error",
                "-count_frames",
                "-show_streams",
                "-show_format",
                "-of",
                "json",
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    return json.loads(result.stdout)


def ffmpeg_decodes(data: bytes) -> str:
    """Decode a segment completely with the ffmpeg CLI; returns its error output ('' when clean)."""
    binary = shutil.which("ffmpeg")
    assert binary is not None, "ffmpeg is not installed"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "segment.webm"
        path.write_bytes(data)
        result = subprocess.run(
            [binary, "-v", "error", "-i", str(path), "-f", "null", "-"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    return result.stderr.strip()


@dataclass(slots=True)
class EncodeRun:
    segments: list[Segment]
    stats: EncoderStats
    errors: list[Exception] = field(default_factory=list)
    source_errors: list[CaptureError] = field(default_factory=list)


class EncoderSink:
    """A `MediaSink` handing media to an encoder; `keep_video`/`keep_audio` can filter or alter
    what gets through (return None to withhold an item)."""

    def __init__(self, encoder: SegmentEncoder) -> None:
        self.encoder = encoder
        self.finished = threading.Event()
        self.source_errors: list[CaptureError] = []

    def keep_video(self, frame: VideoFrame) -> VideoFrame | None:
        return frame

    def keep_audio(self, chunk: AudioChunk) -> AudioChunk | None:
        return chunk

    def video_frame(self, frame: VideoFrame) -> None:
        kept = self.keep_video(frame)
        if kept is not None:
            self.encoder.video_frame(kept)

    def audio_chunk(self, chunk: AudioChunk) -> None:
        kept = self.keep_audio(chunk)
        if kept is not None:
            self.encoder.audio_chunk(kept)

    def source_error(self, error: CaptureError) -> None:
        self.source_errors.append(error)
        self.finished.set()

    def source_recovered(self, source: str) -> None:
        pass

    def source_finished(self, source: str) -> None:
        self.finished.set()


def encode_source(
    source: CaptureSource,
    config: EncoderConfig,
    sink_type: type[EncoderSink] = EncoderSink,
    timeout_s: float = 120.0,
) -> EncodeRun:
    """Run a finite source through a fresh encoder until the source finishes, then stop both."""
    segments: list[Segment] = []
    errors: list[Exception] = []
    encoder = SegmentEncoder(config, segments.append, errors.append)
    sink = sink_type(encoder)
    encoder.start()
    try:
        source.start(SessionClock(), sink)
        assert sink.finished.wait(timeout_s), f"the source did not finish within {timeout_s} s"
    finally:
        source.stop()
        stats = encoder.stop()
    return EncodeRun(segments, stats, errors, sink.source_errors)


def assert_all_accounted_for(stats: EncoderStats) -> None:
    """Every frame and sample the encoder received is in exactly one of its counts."""
    assert stats.video_frames_received == (
        stats.video_frames_emitted
        + stats.video_frames_dropped
        + stats.video_frames_out_of_order
        + stats.video_frames_discarded
        + stats.short_tail_video_frames
    )
    assert stats.audio_samples_received == (
        stats.audio_samples_emitted
        + stats.audio_samples_dropped
        + stats.audio_samples_late
        + stats.audio_samples_discarded
        + stats.short_tail_audio_samples
    )


class HandFed:
    """An encoder fed by the test itself, collecting what it emits and reports."""

    def __init__(self, config: EncoderConfig) -> None:
        self.config = config
        self.segments: list[Segment] = []
        self.errors: list[Exception] = []
        self.encoder = SegmentEncoder(config, self.segments.append, self.errors.append)

    def black_frames(self, times: Iterable[float]) -> None:
        """Black pictures of the output size, stamped with `times`."""
        for t in times:
            image = np.zeros((self.config.height, self.config.width, 3), np.uint8)
            self.encoder.video_frame(VideoFrame(image, t))


FPS = 30.0
FRAME_S = 1 / FPS


def small(**overrides: object) -> EncoderConfig:
    """A quick encoder configuration: small pictures, a fast source that the encoder paces."""
    settings: dict[str, object] = {"width": 320, "height": 240, "block_when_full": True, "queue_frames": 4}
    settings.update(overrides)
    return EncoderConfig(**settings)  # type: ignore[arg-type]


def no_encoder_thread_left() -> bool:
    return not any(t.name in ("segment-encoder", "synthetic-source") for t in threading.enumerate())


def black() -> np.ndarray:
    return np.zeros((120, 160, 3), np.uint8)
