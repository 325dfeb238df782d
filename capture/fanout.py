"""Delivery from the sources to their consumers: the encoder's queue and the preview's single slot.

The preview wants the newest frame only (frames it cannot show are dropped, never queued, as
in aiortc's unbuffered relay); the encoder wants every frame. `FanOut` gives each what it wants
without ever blocking the source thread.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from capture.media import AudioChunk, CaptureError, MediaConsumer, SourceObserver, VideoFrame


class LatestFrame:
    """One slot holding the newest frame; `take` empties it so a redraw happens once per frame."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: VideoFrame | None = None
        self.delivered = 0
        self.taken = 0

    def put(self, frame: VideoFrame) -> None:
        with self._lock:
            self._frame = frame
            self.delivered += 1

    def take(self) -> VideoFrame | None:
        with self._lock:
            frame, self._frame = self._frame, None
            if frame is not None:
                self.taken += 1
            return frame


class AudioLevel:
    """The level of the latest audio, in dBFS, for a live meter. Written by the source's thread."""

    FLOOR_DB = -90.0

    def __init__(self) -> None:
        self.dbfs = self.FLOOR_DB
        self.peak_dbfs = self.FLOOR_DB

    def update(self, samples: np.ndarray) -> None:
        if len(samples) == 0:
            return
        as_float = samples.astype(np.float32) / 32768.0
        rms = float(np.sqrt(np.mean(as_float * as_float)))
        peak = float(np.max(np.abs(as_float)))
        self.dbfs = max(self.FLOOR_DB, 20.0 * np.log10(rms)) if rms > 0 else self.FLOOR_DB
        self.peak_dbfs = max(self.FLOOR_DB, 20.0 * np.log10(peak)) if peak > 0 else self.FLOOR_DB


class FanOut:
    """The `MediaSink` sources deliver to: media to every consumer (the encoder), the newest frame to
    the preview slot, the level to the meter, and news of the sources to one observer."""

    def __init__(
        self,
        consumers: Sequence[MediaConsumer],
        observer: SourceObserver,
        preview: LatestFrame,
        level: AudioLevel,
    ) -> None:
        self._consumers = list(consumers)
        self._observer = observer
        self.preview = preview
        self.level = level

    def video_frame(self, frame: VideoFrame) -> None:
        self.preview.put(frame)
        for consumer in self._consumers:
            consumer.video_frame(frame)

    def audio_chunk(self, chunk: AudioChunk) -> None:
        self.level.update(chunk.samples)
        for consumer in self._consumers:
            consumer.audio_chunk(chunk)

    def source_error(self, error: CaptureError) -> None:
        self._observer.source_error(error)

    def source_recovered(self, source: str) -> None:
        self._observer.source_recovered(source)

    def source_finished(self, source: str) -> None:
        self._observer.source_finished(source)
