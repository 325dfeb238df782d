"""Warns when what is captured would give unreliable analysis: a dark or frozen picture, silence.

PROTOCOL.md §3: the service accepts black video and silence but analyses them badly, so the
user should hear about it (a lens cover, a muted microphone) instead of trusting the gauges.
Cheap by design: it looks at a few tiny frames per second and at the chunks' RMS.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from capture.media import AudioChunk, VideoFrame

log = logging.getLogger(__name__)

Condition = Literal["dark", "frozen", "silent"]


@dataclass(frozen=True, slots=True)
class InputThresholds:
    dark_mean_luma: float = 18.0
    """Mean of 0–255 luma below which a picture counts as dark."""
    frozen_mean_difference: float = 0.35
    """Mean absolute 0–255 difference between sampled frames below which the picture counts as frozen."""
    silent_dbfs: float = -55.0
    hold_s: float = 4.0
    """How long a condition must last before it is reported (and cleared)."""
    frame_sample_interval_s: float = 0.25


MESSAGES: dict[Condition, str] = {
    "dark": "The picture is very dark. Check the lighting or the camera's cover.",
    "frozen": "The picture has not changed for a while. Check the camera.",
    "silent": "No sound from the microphone. Check that it is not muted.",
}
SCREEN_MESSAGES: dict[Condition, str] = {
    "dark": "The captured picture is very dark. Check that the call's video shows on the screen.",
    "frozen": "The captured picture has not changed for a while. Check that the call's video is playing.",
    "silent": "This computer plays no sound. Check that the call's sound is on and not muted.",
}
"""The same conditions when a screen, a window or a region is captured, and for the meeting audio."""


class InputCheck:
    """A `MediaConsumer` that calls `on_change(condition, active)` when a condition starts or ends.

    Called on the source threads; `on_change` must hop to the caller's own thread if it needs to.
    """

    def __init__(
        self,
        on_change: Callable[[Condition, bool], None],
        thresholds: InputThresholds | None = None,
        *,
        check_audio: bool = True,
    ) -> None:
        self._on_change = on_change
        self._limits = thresholds or InputThresholds()
        self._check_audio = check_audio
        self._lock = threading.Lock()
        self._since: dict[Condition, float | None] = {"dark": None, "frozen": None, "silent": None}
        self._active: dict[Condition, bool] = {"dark": False, "frozen": False, "silent": False}
        self._last_sample_t = -np.inf
        self._previous: np.ndarray | None = None

    def video_frame(self, frame: VideoFrame) -> None:
        if frame.t - self._last_sample_t < self._limits.frame_sample_interval_s:
            return
        self._last_sample_t = frame.t
        small = frame.image[::8, ::8].mean(axis=2, dtype=np.float32)
        self._observe("dark", frame.t, float(small.mean()) < self._limits.dark_mean_luma)
        if self._previous is not None and self._previous.shape == small.shape:
            difference = float(np.abs(small - self._previous).mean())
            self._observe("frozen", frame.t, difference < self._limits.frozen_mean_difference)
        self._previous = small

    def audio_chunk(self, chunk: AudioChunk) -> None:
        if not self._check_audio or len(chunk.samples) == 0:
            return
        as_float = chunk.samples.astype(np.float32) / 32768.0
        rms = float(np.sqrt(np.mean(as_float * as_float)))
        dbfs = 20.0 * np.log10(rms) if rms > 0 else -120.0
        self._observe("silent", chunk.t, dbfs < self._limits.silent_dbfs)

    def active(self) -> set[Condition]:
        with self._lock:
            return {name for name, on in self._active.items() if on}

    def _observe(self, condition: Condition, t: float, present: bool) -> None:
        with self._lock:
            changed = self._update(condition, t, present)
        if changed is not None:
            log.info("input %s %s", condition, "detected" if changed else "cleared")
            self._on_change(condition, changed)

    def _update(self, condition: Condition, t: float, present: bool) -> bool | None:
        """The new state if it flips now, else None. A state must hold for `hold_s` to flip."""
        if present == self._active[condition]:
            self._since[condition] = None
            return None
        since = self._since[condition]
        if since is None:
            self._since[condition] = t
            return None
        if t - since < self._limits.hold_s:
            return None
        self._active[condition] = present
        self._since[condition] = None
        return present
