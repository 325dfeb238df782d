"""`DurationLimit`: a sink that lets through only the first `duration_s` of session time.

Whatever the source (a camera, the synthetic signal, a file read as fast as the encoder takes it),
its media carries session time; cutting there makes `--duration` mean the same for every source
and the last segment end exactly at the limit. The first video frame at or past the limit ends
delivery, once: `on_reached` is called on that source's thread, and later media is dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from capture.media import AUDIO_RATE_HZ, AudioChunk, CaptureError, MediaSink, VideoFrame


class DurationLimit:
    def __init__(self, sink: MediaSink, duration_s: float, on_reached: Callable[[], None]) -> None:
        if not duration_s > 0:
            raise ValueError(f"duration_s must be positive, not {duration_s}")
        self.duration_s = duration_s
        self._sink = sink
        self._on_reached = on_reached
        self._lock = threading.Lock()
        self._reached = False

    @property
    def reached(self) -> bool:
        return self._reached

    def video_frame(self, frame: VideoFrame) -> None:
        if frame.t < self.duration_s and not self._reached:
            self._sink.video_frame(frame)
            return
        with self._lock:
            first, self._reached = not self._reached, True
        if first:
            self._on_reached()

    def audio_chunk(self, chunk: AudioChunk) -> None:
        if self._reached:
            return
        room = round((self.duration_s - chunk.t) * AUDIO_RATE_HZ)
        if room <= 0:
            return
        if room < len(chunk.samples):
            chunk = AudioChunk(samples=chunk.samples[:room], t=chunk.t)
        self._sink.audio_chunk(chunk)

    def source_error(self, error: CaptureError) -> None:
        self._sink.source_error(error)

    def source_recovered(self, source: str) -> None:
        self._sink.source_recovered(source)

    def source_finished(self, source: str) -> None:
        self._sink.source_finished(source)
