"""The plain media types every part of the pipeline agrees on.

Times are session time: seconds since the user pressed Start, on a clock that counts a suspend
(`SessionClock`, `clock_now`). Sources stamp what they capture with it; the encoder cuts segments on it;
the timeline maps server results back onto it.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

AUDIO_RATE_HZ = 48_000
"""Every audio chunk in the pipeline is 48 kHz mono signed 16-bit: what Opus wants natively."""


def clock_now() -> float:
    """Seconds on the clock session time runs on: one that goes on counting while the computer is
    asleep, so that a suspend leaves a gap in the media (marked, `MediaGap`) instead of vanishing.
    Python's monotonic clock stops during a suspend on Linux and macOS: there the boot-time clock
    (Linux) and the continuous monotonic clock (macOS) count it; on Windows the monotonic clock does."""
    if _SUSPEND_COUNTING_CLOCK is None:
        return time.monotonic()
    return time.clock_gettime(_SUSPEND_COUNTING_CLOCK)


_SUSPEND_COUNTING_CLOCK: int | None = (
    getattr(time, "CLOCK_BOOTTIME", None)
    if sys.platform.startswith("linux")
    else getattr(time, "CLOCK_MONOTONIC", None)
    if sys.platform == "darwin"
    else None
)


class SessionClock:
    """Session time, shared by every source of one session (`clock_now` says on which clock)."""

    def __init__(self, start: float | None = None) -> None:
        self.start = clock_now() if start is None else start

    def now(self) -> float:
        return clock_now() - self.start


@dataclass(frozen=True, slots=True)
class VideoFrame:
    """One picture: `image` is H x W x 3 uint8 in BGR order (OpenCV's), C-contiguous."""

    image: np.ndarray
    t: float
    """Session time of capture, in seconds."""

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """Consecutive mono samples, int16 at `AUDIO_RATE_HZ`; `t` is the session time of the first one."""

    samples: np.ndarray
    t: float

    @property
    def duration_s(self) -> float:
        return len(self.samples) / AUDIO_RATE_HZ


@dataclass(frozen=True, slots=True)
class Segment:
    """One finished, standalone WebM file covering session time [t0, t1)."""

    index: int
    t0: float
    t1: float
    data: bytes
    video_frames: int
    audio_samples: int
    dropped_video_frames: int = 0
    """Input dropped at the encoder's full queue while this segment was being written."""
    dropped_audio_chunks: int = 0
    codec: str = "vp8"

    @property
    def duration_s(self) -> float:
        return self.t1 - self.t0

    @property
    def size_bytes(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class StreamChunk:
    """One binary frame of the live v1/v2 stream: chunk 0 of a stream is its WebM header (EBML
    header, Segment, Info, Tracks; `t0` = `t1` = where its media starts), each later one a
    Cluster covering session time [t0, t1).

    Stream time 0 is session time `origin` (at or before the media's start): a server's times on
    this stream plus `origin` are session time. A reconnect starts a new stream (`generation`)
    with a header of its own."""

    generation: int
    index: int
    data: bytes
    t0: float
    t1: float
    origin: float
    keyframe_start: bool
    """The chunk's first picture is a keyframe: it decodes without the chunks before it."""
    video_frames: int = 0
    audio_samples: int = 0
    final: bool = False
    """The last chunk of this stream: the session stopped."""

    @property
    def is_header(self) -> bool:
        return self.index == 0

    @property
    def duration_s(self) -> float:
        return self.t1 - self.t0

    @property
    def size_bytes(self) -> int:
        return len(self.data)


class CaptureError(Exception):
    """A source cannot deliver. `str(error)` is a short sentence for the user that says what to do;
    `source` names the source ("camera", "microphone", "file", …) for the log and the status bar."""

    def __init__(self, message: str, *, source: str = "") -> None:
        super().__init__(message)
        self.source = source


class DeviceNotFound(CaptureError):
    """The camera or microphone asked for does not exist or cannot be opened."""


class DeviceLost(CaptureError):
    """A device that was delivering stopped doing so."""


class SourceUnreadable(CaptureError):
    """A media file that FFmpeg cannot read."""


class MediaConsumer(Protocol):
    """Takes media. Called from a source's thread (the Qt thread for the microphone): must be quick,
    thread-safe, and must never block."""

    def video_frame(self, frame: VideoFrame) -> None: ...

    def audio_chunk(self, chunk: AudioChunk) -> None: ...


class SourceObserver(Protocol):
    """Hears how sources fare. Called from the source's thread, like `MediaConsumer`."""

    def source_error(self, error: CaptureError) -> None:
        """A runtime problem (a device lost, a read failing); the source may recover by itself."""

    def source_recovered(self, source: str) -> None:
        """A source that reported an error delivers again."""

    def source_finished(self, source: str) -> None:
        """A finite source (a file) has delivered everything it has."""


class MediaSink(MediaConsumer, SourceObserver, Protocol):
    """Where a source delivers: its media and its news."""


@dataclass(slots=True)
class SourceInfo:
    """What a source delivers, for the log, the status bar and `session.json`."""

    name: str
    video: bool
    audio: bool
    width: int = 0
    height: int = 0
    fps: float = 0.0
    notes: list[str] = field(default_factory=list)
    """Warnings worth showing the user, e.g. 'this file has no audio track'."""


class CaptureSource(Protocol):
    """A camera, a microphone, the synthetic signal or a video file.

    `start` opens the device or file and returns once delivery has begun, raising a
    `CaptureError` if it cannot; later problems go to `sink.source_error`. `stop` is idempotent
    and returns once no more calls to the sink will be made.
    """

    def info(self) -> SourceInfo: ...

    def start(self, clock: SessionClock, sink: MediaSink) -> None: ...

    def stop(self) -> None: ...
