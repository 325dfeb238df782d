"""Delivery from the sources to their consumers: the encoder's queue and the preview's single slot.

The preview wants the newest frame only (frames it cannot show are dropped, never queued, as
in aiortc's unbuffered relay), and once it has said its size, fitted to it and in the 32-bit
layout it paints with a plain copy: scaling and converting run here, on the source's thread,
not on the UI's (at 640x480 into 960x720, 3.2 ms a frame there; 0.13 ms for the copy). The
encoder wants every frame as captured. `FanOut` gives each what it wants without ever blocking
the source thread.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from capture.media import AudioChunk, CaptureError, MediaConsumer, SourceObserver, VideoFrame


@dataclass(frozen=True, slots=True)
class PreviewImage:
    image: np.ndarray
    """H x W x 3 uint8 BGR as captured; or, fitted to the preview's box, H x W x 4 BGRX (the bytes
    of Qt's `Format_RGB32` on a little-endian machine)."""
    t: float


def fit_for_display(image: np.ndarray, box: tuple[int, int]) -> np.ndarray:
    """`image` (BGR) scaled to the largest size of its aspect within `box` (width, height), as BGRX."""
    height, width = image.shape[:2]
    scale = min(box[0] / width, box[1] / height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if size != (width, height):
        # Area averaging only pays for itself from half the size down; above it, it cost 11.6 ms a
        # 720p frame here, against about 1 ms for linear.
        interpolation = cv2.INTER_AREA if scale <= 0.5 else cv2.INTER_LINEAR
        image = cv2.resize(image, size, interpolation=interpolation)
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2BGRA))


class LatestFrame:
    """One slot holding the newest frame; `take` empties it so a redraw happens once per frame."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: PreviewImage | None = None
        self._box: tuple[int, int] | None = None
        self.delivered = 0
        self.taken = 0

    def fit_within(self, width: int, height: int) -> None:
        """From the next frame on, fit each to a `width` x `height` box of device pixels (none: as
        captured)."""
        with self._lock:
            self._box = (width, height) if width > 0 and height > 0 else None

    def put(self, frame: VideoFrame) -> None:
        box = self._box
        image = frame.image if box is None else fit_for_display(frame.image, box)
        with self._lock:
            self._frame = PreviewImage(image, frame.t)
            self.delivered += 1

    def take(self) -> PreviewImage | None:
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
