"""One received segment → a few grey frames per second and its audio, or a typed rejection.

The checks follow PROTOCOL.md §8 in the order a strict service would apply them: size,
readability, a video track, then length. A file that opens but ends before the length its
header declares is truncated, hence unreadable (ih5002) rather than short (ih4007).
"""

from __future__ import annotations

import io
import logging
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

import av
import numpy as np

from app.analyzer import thresholds as th
from capture.encoder_config import MAX_SEGMENT_BYTES, MIN_SEGMENT_S

log = logging.getLogger(__name__)

_MIB = 1024 * 1024
_LENGTH_SLACK_S = 0.02
"""Container time stamps are rounded to the millisecond; a 3 s clip may measure 2.99x s."""
_TRUNCATION_SLACK_S = 0.5


class SegmentRejected(Exception):
    """A segment the analyzer refuses; `error_id` is the protocol's code for the reason."""

    error_id: ClassVar[str] = "ih1001"


class SegmentTooLarge(SegmentRejected):
    error_id = "ih6002"


class SegmentUnreadable(SegmentRejected):
    error_id = "ih5002"


class NoVideoTrack(SegmentRejected):
    error_id = "ih5001"


class SegmentTooShort(SegmentRejected):
    error_id = "ih4007"


@dataclass(frozen=True, slots=True)
class SampledFrame:
    t: float
    """Seconds from the segment's first frame."""
    grey: np.ndarray
    """H x W uint8 luma, `ANALYSIS_WIDTH` wide."""
    rgb: np.ndarray
    """H x W x 3 uint8 colour, `LANDMARK_WIDTH` wide (narrower sources keep their width): the face
    landmarker reads faces from it."""


@dataclass(frozen=True, slots=True)
class DecodedSegment:
    duration_s: float
    """Media length: the longer of the video and audio tracks."""
    frames: list[SampledFrame]
    audio: np.ndarray
    """Mono float32 at `AUDIO_RATE_HZ`, empty when the segment has no audio track."""
    width: int
    height: int


def decode_segment(data: bytes) -> DecodedSegment:
    if len(data) > MAX_SEGMENT_BYTES:
        raise SegmentTooLarge(
            f"The segment is {len(data) / _MIB:.1f} MiB; the limit is {MAX_SEGMENT_BYTES // _MIB} MiB. "
            "Lower the video bitrate."
        )
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, EOFError, OSError, ValueError) as error:
        raise SegmentUnreadable(
            "The segment is not a readable video file: send a complete WebM or MP4 file per frame."
        ) from error
    with container:
        if not container.streams.video:
            raise NoVideoTrack("The segment has no video track: send the camera picture with the sound.")
        declared_s = container.duration / av.time_base if container.duration else None
        try:
            video, audio = _decode(container)
        except (av.FFmpegError, EOFError, OSError, ValueError) as error:
            raise SegmentUnreadable(
                "The segment could not be decoded: it may be damaged. The next one may be fine."
            ) from error
    frames = video.frames
    if not frames:
        raise NoVideoTrack("The segment's video track holds no picture: check the camera.")
    duration_s = round(max(video.duration_s, len(audio) / th.AUDIO_RATE_HZ), 3)
    if declared_s is not None and duration_s < declared_s - _TRUNCATION_SLACK_S:
        raise SegmentUnreadable(
            f"The segment is cut short: {duration_s:.1f} s of the {declared_s:.1f} s its header declares."
        )
    if duration_s < MIN_SEGMENT_S - _LENGTH_SLACK_S:
        raise SegmentTooShort(
            f"The segment lasts {duration_s:.2f} s; segments must last at least {MIN_SEGMENT_S:g} s."
        )
    return DecodedSegment(duration_s, frames, audio, video.width, video.height)


def _decode(container: av.container.InputContainer) -> tuple[_VideoSampler, np.ndarray]:
    """One pass over the file: every video frame is decoded (VP8 frames depend on their
    predecessors) but only a few per second are kept; audio is resampled for the voice cues."""
    video_stream = container.streams.video[0]
    video_stream.thread_type = "AUTO"
    audio_stream = container.streams.audio[0] if container.streams.audio else None
    sampler = _VideoSampler(video_stream)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=th.AUDIO_RATE_HZ)
    audio: list[np.ndarray] = []
    streams = [video_stream] if audio_stream is None else [video_stream, audio_stream]
    for packet in container.demux(*streams):
        for frame in packet.decode():
            if isinstance(frame, av.VideoFrame):
                sampler.add(frame)
            elif isinstance(frame, av.AudioFrame):
                audio.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
    if audio_stream is not None:
        audio.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
    samples = np.concatenate(audio).astype(np.float32, copy=False) if audio else np.zeros(0, np.float32)
    return sampler, samples


class _VideoSampler:
    def __init__(self, stream: av.video.stream.VideoStream) -> None:
        self.frames: list[SampledFrame] = []
        self.width = self.height = 0
        self._stream = stream
        self._first_s: float | None = None
        self._last_s = 0.0
        self._last_frame_s = 0.0
        self._next_sample_s = 0.0

    def add(self, frame: av.VideoFrame) -> None:
        if frame.pts is None:
            return
        time_base = frame.time_base or self._stream.time_base or Fraction(1, 1000)
        t = float(frame.pts * time_base)
        if self._first_s is None:
            self._first_s = t
            self.width, self.height = frame.width, frame.height
        t -= self._first_s
        self._last_s = t
        self._last_frame_s = float(frame.duration * time_base) if frame.duration else 0.0
        if t + 1e-6 >= self._next_sample_s:
            self.frames.append(SampledFrame(t, _scaled(frame, th.ANALYSIS_WIDTH, "gray"), _colour(frame)))
            step_s = 1.0 / th.VIDEO_SAMPLE_FPS
            self._next_sample_s = (math.floor(t / step_s + 1e-6) + 1) * step_s

    @property
    def duration_s(self) -> float:
        if self._first_s is None:
            return 0.0
        frame_s = self._last_frame_s
        if not frame_s:
            rate = self._stream.average_rate or self._stream.guessed_rate
            frame_s = float(1 / rate) if rate else 0.0
        return self._last_s + frame_s


def _scaled(frame: av.VideoFrame, width: int, pixel_format: str) -> np.ndarray:
    height = max(2, round(width * frame.height / frame.width / 2) * 2)
    return frame.reformat(width=width, height=height, format=pixel_format).to_ndarray()


def _colour(frame: av.VideoFrame) -> np.ndarray:
    return _scaled(frame, min(frame.width, th.LANDMARK_WIDTH), "rgb24")
