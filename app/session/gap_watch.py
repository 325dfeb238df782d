"""`GapWatch`: marks the stretches of session time in which no picture or no sound came.

A camera unplugged and plugged back, a microphone whose server died, the computer asleep while
the session clock ran on: each leaves a hole between two stamps. The encoder already keeps its
segments whole on either side (a window without a frame is not sent); this names the hole, as a
`MediaGap` event, so the recording, the engagement strip and a review show where it is.

A `MediaConsumer` beside the encoder: called on the sources' threads, it only compares stamps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from capture.media import AudioChunk, VideoFrame

GAP_S = 1.0
"""Longer than any frame interval or audio callback a working device has; shorter than a glitch a
user would notice."""

Stream = Literal["video", "audio"]


class GapWatch:
    def __init__(self, on_gap: Callable[[Stream, float, float], None], *, gap_s: float = GAP_S) -> None:
        """`on_gap(stream, t0, t1)` is called on the source's thread: hop to the loop yourself."""
        self._on_gap = on_gap
        self._gap_s = gap_s
        self._last_video_t: float | None = None
        self._audio_end: float | None = None

    def video_frame(self, frame: VideoFrame) -> None:
        last, self._last_video_t = self._last_video_t, frame.t
        if last is not None and frame.t - last > self._gap_s:
            self._on_gap("video", last, frame.t)

    def audio_chunk(self, chunk: AudioChunk) -> None:
        end, self._audio_end = self._audio_end, chunk.t + chunk.duration_s
        if end is not None and chunk.t - end > self._gap_s:
            self._on_gap("audio", end, chunk.t)
