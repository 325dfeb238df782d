"""Reading one v1/v2 connection's continuous stream: a blocking pipe fed by the socket and one
demux thread that decodes it as it comes, whatever the chunk boundaries.

The socket's reader puts each binary frame into a `ChunkPipe`; the `StreamDemuxer`'s thread
reads it as a forward-only file with PyAV (Matroska/WebM), decodes every picture (VP8 frames
depend on their predecessors) but keeps a few per second in grey, resamples the audio for the
voice cues, and hands each finished stretch of media to a `MediaTimeline`, which cuts the
sliding analysis windows. It reports through `on_event`, called on its own thread.
"""

from __future__ import annotations

import io
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import av
import numpy as np

from app.analyzer import thresholds as th
from app.analyzer.decode import sampled_frame
from app.analyzer.stream_window import MediaTimeline, MediaWindow

log = logging.getLogger(__name__)

PROBE_OPTIONS = {"probesize": "32", "analyzeduration": "0", "fpsprobesize": "0"}
"""Open the stream on its header alone: FFmpeg's usual look-ahead would hold the first results
back by seconds of media that has not been sent yet."""
DEFAULT_PIPE_BYTES = 16 * 1024 * 1024


class ChunkPipe(io.RawIOBase):
    """Bytes in from the event loop, read by the demux thread; bounded, blocking on both ends.

    `offer` never blocks (the loop's side); when it refuses, the loop waits in a thread on `put`.
    `close` is the end of the stream (reads drain what is left, then return b""); `abort` drops
    what is left and ends reading at once."""

    def __init__(self, max_bytes: int = DEFAULT_PIPE_BYTES) -> None:
        super().__init__()
        self._max_bytes = max_bytes
        self._buffer = bytearray()
        self._cond = threading.Condition()
        self._ended = False
        self.received = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def offer(self, data: bytes) -> bool:
        with self._cond:
            if self._ended:
                return True
            if self._buffer and len(self._buffer) + len(data) > self._max_bytes:
                return False
            self._append(data)
            return True

    def put(self, data: bytes) -> None:
        with self._cond:
            while not self._ended and self._buffer and len(self._buffer) + len(data) > self._max_bytes:
                self._cond.wait()
            if not self._ended:
                self._append(data)

    def end(self) -> None:
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    def abort(self) -> None:
        with self._cond:
            self._ended = True
            self._buffer.clear()
            self._cond.notify_all()

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        with self._cond:
            while not self._buffer and not self._ended:
                self._cond.wait()
            count = min(len(buffer), len(self._buffer))
            buffer[:count] = self._buffer[:count]
            del self._buffer[:count]
            self._cond.notify_all()
            return count

    def _append(self, data: bytes) -> None:
        self._buffer += data
        self.received += len(data)
        self._cond.notify_all()


@dataclass(frozen=True, slots=True)
class WindowReady:
    window: MediaWindow
    ready_at: float = field(default_factory=time.monotonic)
    """When the window's media was all in (the monotonic clock)."""


@dataclass(frozen=True, slots=True)
class MediaSkipped:
    """Stream time the client never sent (its stream jumped ahead): never analysed."""

    start: float
    end: float


@dataclass(frozen=True, slots=True)
class StreamFailed:
    """The stream cannot be read on: the protocol's error code and a sentence for the client."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class NoVideo:
    """The stream has no video track (noted once; its windows are analysed from the audio)."""


@dataclass(frozen=True, slots=True)
class StreamEnded:
    media_end_s: float
    """Where the media received ends, in stream time (0 when there was none)."""


DemuxEvent = WindowReady | MediaSkipped | StreamFailed | NoVideo | StreamEnded


class StreamDemuxer:
    """One thread per connection: started on the first binary frame, ended by the pipe's end."""

    def __init__(self, pipe: ChunkPipe, on_event: Callable[[DemuxEvent], None], timeline: MediaTimeline):
        self._pipe = pipe
        self._on_event = on_event
        self._timeline = timeline
        self._thread = threading.Thread(target=self._run, name="analyzer-demux", daemon=True)
        self._next_sample_s = -math.inf
        self.decode_errors = 0

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout_s: float | None = None) -> bool:
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            self._demux()
        except Exception:
            log.exception("the stream demuxer failed")
            self._emit(StreamFailed("ih1001", "The local analyzer failed reading the stream."))
        finally:
            self._emit(StreamEnded(self._timeline.media_end_s))

    def _demux(self) -> None:
        try:
            container = av.open(self._pipe, mode="r", format="matroska", options=PROBE_OPTIONS)
        except (av.FFmpegError, EOFError, OSError, ValueError) as error:
            if self._pipe.received == 0:
                return  # closed before any media: nothing to say
            log.info("the stream could not be opened: %s", error)
            self._emit(StreamFailed("ih5002", "The stream's WebM header could not be read."))
            return
        with container:
            video = container.streams.video[0] if container.streams.video else None
            audio = container.streams.audio[0] if container.streams.audio else None
            self._timeline.expect(video=video is not None, audio=audio is not None)
            if video is None:
                self._emit(NoVideo())
            if video is None and audio is None:
                self._emit(StreamFailed("ih5001", "The stream has neither a video nor an audio track."))
                return
            streams = [s for s in (video, audio) if s is not None]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=th.AUDIO_RATE_HZ)
            try:
                for packet in container.demux(*streams):
                    self._take(packet, resampler)
            except (av.FFmpegError, EOFError, OSError, ValueError) as error:
                log.info("the stream broke off: %s", error)
                self._emit(StreamFailed("ih5002", "The stream could not be read on: it may be damaged."))
                return
            if audio is not None:
                self._audio_out(resampler.resample(None), None)
        self._flush(self._timeline.finish())

    def _take(self, packet: av.Packet[Any], resampler: av.AudioResampler) -> None:
        try:
            frames = packet.decode()
        except (av.FFmpegError, ValueError):
            self.decode_errors += 1
            return
        for frame in frames:
            if isinstance(frame, av.VideoFrame):
                self._video_frame(frame)
            elif isinstance(frame, av.AudioFrame) and frame.pts is not None and frame.time_base:
                self._audio_out(resampler.resample(frame), float(frame.pts * frame.time_base))
        self._flush(self._timeline.ready_windows())

    def _video_frame(self, frame: av.VideoFrame) -> None:
        if frame.pts is None or not frame.time_base:
            return
        t = float(frame.pts * frame.time_base)
        sampled = None
        if t + 1e-6 >= self._next_sample_s:
            sampled = sampled_frame(frame, t)
            step = 1.0 / th.VIDEO_SAMPLE_FPS
            self._next_sample_s = (math.floor(t / step + 1e-6) + 1) * step
        skipped = self._timeline.add_video(t, sampled)
        if skipped is not None:
            self._emit(MediaSkipped(*skipped))

    def _audio_out(self, frames: list[av.AudioFrame], t: float | None) -> None:
        for out in frames:
            skipped = self._timeline.add_audio(out.to_ndarray().reshape(-1).astype(np.float32), t)
            t = None
            if skipped is not None:
                self._emit(MediaSkipped(*skipped))

    def _flush(self, windows: list[MediaWindow]) -> None:
        for window in windows:
            self._emit(WindowReady(window))

    def _emit(self, event: DemuxEvent) -> None:
        try:
            self._on_event(event)
        except Exception:
            log.exception("the demuxer's listener raised")
