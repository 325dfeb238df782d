"""A continuous stream's windows → their interpretations: the same measurements and rules as a v0
segment's (`app.analyzer.analysis.analyse_media`), on media the demux thread already decoded.

Windows overlap (3 s every 1 s), so a `WindowAnalyser`, one per connection, measures each picture
once: only the pictures new to a window are measured, after `CONTEXT_FRAMES` already measured
ones as context (the motion since the previous picture, a frozen stretch running into the new
second, the face being followed), and the measurements of the rest are reused. The voice is
measured whole each time: it costs little; but only the new part's speech goes to the
connection's `UtteranceFollower`, so each utterance is transcribed once, whole, and counted in
the window where it ends. This is what a v1/v2 connection runs in the executor; it touches no
event loop and no socket.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Sequence
from functools import partial

from app.analyzer import thresholds as th
from app.analyzer.analysis import analyse_media
from app.analyzer.decode import SampledFrame
from app.analyzer.rules import Interpretation
from app.analyzer.stream_window import MediaWindow
from app.analyzer.utterance_follower import UtteranceFollower
from app.analyzer.vision import PictureSample, PictureTrack, measure_picture

log = logging.getLogger(__name__)

CONTEXT_FRAMES = math.ceil(th.FROZEN_MIN_S * th.VIDEO_SAMPLE_FPS)
"""Enough pictures before the new ones that a frozen stretch reaching into them is seen whole."""
_JOIN_SLACK_S = 0.05
"""A window starting this close after the last one heard continues its speech."""


class WindowAnalyser:
    """Called from the executor, one window at a time (a connection analyses in order)."""

    def __init__(self) -> None:
        self._measured: dict[int, PictureSample] = {}
        """Each measured picture by its stream time in milliseconds."""
        self._window_start = 0.0
        self._speech = UtteranceFollower()
        self._heard_until: float | None = None
        """Stream time up to which the speech went to the follower."""

    def __call__(self, window: MediaWindow) -> Interpretation:
        started = time.perf_counter()
        self._window_start = window.start
        heard = self._heard_until
        # Windows given up while analysis was behind leave a stretch never heard: the speech breaks.
        joins = heard is not None and heard >= window.start - _JOIN_SLACK_S
        new_from = max(0.0, heard - window.start) if heard is not None and joins else 0.0
        hear = partial(self._speech.hear, new_from_s=new_from, joins=joins, ends=window.last)
        self._heard_until = window.end
        result = analyse_media(window.frames, window.audio, window.duration_s, self._picture, hear)
        log.debug(
            "analysed %.2f–%.2f s (%d pictures) in %.3f s",
            window.start,
            window.end,
            len(window.frames),
            time.perf_counter() - started,
        )
        return result

    def _picture(self, frames: Sequence[SampledFrame]) -> PictureTrack:
        keys = [round((self._window_start + frame.t) * 1000) for frame in frames]
        first_new = next((n for n, key in enumerate(keys) if key not in self._measured), len(frames))
        if first_new < len(frames):
            context = max(0, first_new - CONTEXT_FRAMES)
            measured = measure_picture(frames[context:]).samples
            for key, sample in zip(keys[first_new:], measured[first_new - context :], strict=True):
                self._measured[key] = sample
        for key in [key for key in self._measured if not keys or key < keys[0]]:
            del self._measured[key]
        return PictureTrack(
            tuple(
                dataclasses.replace(self._measured[key], t=frame.t)
                for key, frame in zip(keys, frames, strict=True)
            )
        )
