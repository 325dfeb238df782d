"""The media of one continuous stream, cut into sliding analysis windows.

Windows end on a grid of `step_s` in stream time and reach back `window_s` (3 s every 1 s by
default), so every second is analysed in context and a result follows each second of media.
A window is ready once every track has passed its end, or once one track is `LAG_GRACE_S`
past it (the other is taken as gone: a camera that stopped). Where a track's time jumps
ahead, the client skipped that media: the stretch is reported once, never analysed.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from app.analyzer import thresholds as th
from app.analyzer.decode import SampledFrame

WINDOW_S = 3.0
STEP_S = 1.0
LAG_GRACE_S = 1.0
_VIDEO_JUMP_S = 1.0
"""A picture this much later than the one before marks media the client never sent."""
_AUDIO_JUMP_S = 0.25
_REACH_SLACK_S = 0.05
"""A track within this of a window's end has reached it: the resampler holds a few samples back
until more audio comes, and waiting for them would cost a whole chunk of latency."""
_MIN_TAIL_S = 0.2
"""A last stretch shorter than this after the last window is not analysed on its own."""
_DEFAULT_FRAME_S = 1 / 30


@dataclass(frozen=True, slots=True)
class MediaWindow:
    start: float
    end: float
    new_from: float
    """Where the part no earlier window held begins: what this window adds."""
    frames: list[SampledFrame]
    """Sampled pictures, their times from `start`."""
    audio: np.ndarray
    """Mono float32 at `th.AUDIO_RATE_HZ` from `start` (silence where none was received)."""
    video_share: float
    """How much of [new_from, end) has pictures, 0–1."""
    last: bool = False
    """The stream ends with this window."""

    @property
    def duration_s(self) -> float:
        return self.end - self.start


class MediaTimeline:
    """Fed by the demux thread only."""

    def __init__(self, *, window_s: float = WINDOW_S, step_s: float = STEP_S) -> None:
        self.window_s, self.step_s = window_s, step_s
        self._frames: deque[SampledFrame] = deque()
        self._audio: deque[tuple[float, np.ndarray]] = deque()
        self._first_s: float | None = None
        self._last_video_s: float | None = None
        self._frame_s = _DEFAULT_FRAME_S
        self._audio_end_s: float | None = None
        self._expect_video = False
        self._expect_audio = False
        self._next_end: float | None = None
        self._emitted_until: float | None = None
        self._skipped_until = -math.inf

    def expect(self, *, video: bool, audio: bool) -> None:
        """The tracks the stream declares: a declared track is waited for (up to the grace)."""
        self._expect_video, self._expect_audio = video, audio

    @property
    def media_end_s(self) -> float:
        return max(self._video_reach(), self._audio_end_s or 0.0, 0.0)

    def add_video(self, t: float, sampled: SampledFrame | None) -> tuple[float, float] | None:
        """A decoded picture at stream time `t` (`sampled` when it is one the analysis keeps)."""
        self._start_at(t)
        skipped = None
        last = self._last_video_s
        if last is not None and t <= last:
            return None
        if last is not None and t - last > max(_VIDEO_JUMP_S, 3 * self._frame_s):
            skipped = self._skip(last + self._frame_s, t)
        elif last is not None:
            self._frame_s = 0.8 * self._frame_s + 0.2 * (t - last)
        self._last_video_s = t
        if sampled is not None:
            self._frames.append(sampled)
        return skipped

    def add_audio(self, samples: np.ndarray, t: float | None) -> tuple[float, float] | None:
        """Decoded audio; `t` is its stream time when known, else it follows what came before."""
        skipped = None
        if t is not None:
            self._start_at(t)
        if self._audio_end_s is None:
            self._audio_end_s = t if t is not None else (self._first_s or 0.0)
        elif t is not None and t - self._audio_end_s > _AUDIO_JUMP_S:
            skipped = self._skip(self._audio_end_s, t)
            self._audio_end_s = t
        if len(samples):
            self._audio.append((self._audio_end_s, samples))
            self._audio_end_s += len(samples) / th.AUDIO_RATE_HZ
        return skipped

    def ready_windows(self) -> list[MediaWindow]:
        reaches = []
        if self._expect_video:
            reaches.append(self._video_reach())
        if self._expect_audio:
            reaches.append(-math.inf if self._audio_end_s is None else self._audio_end_s)
        if not reaches or self._next_end is None or max(reaches) == -math.inf:
            return []
        ready_until = max(min(reaches), max(reaches) - LAG_GRACE_S)
        windows = []
        while self._next_end <= ready_until + _REACH_SLACK_S:
            window = self._window(self._next_end)
            if window is not None:
                windows.append(window)
            self._next_end += self.step_s
        self._prune()
        return windows

    def finish(self) -> list[MediaWindow]:
        """The windows still due at the end of the stream, the last one ending with the media."""
        windows = self.ready_windows()
        end = self.media_end_s
        if self._next_end is not None and end - (self._next_end - self.step_s) >= _MIN_TAIL_S:
            window = self._window(end)
            if window is not None:
                windows.append(window)
        if windows:
            windows[-1] = dataclasses.replace(windows[-1], last=True)
        return windows

    def _start_at(self, t: float) -> None:
        if self._first_s is None:
            self._first_s = t
            self._next_end = (math.floor(t / self.step_s + 1e-9) + 1) * self.step_s
            self._emitted_until = t

    def _video_reach(self) -> float:
        return -math.inf if self._last_video_s is None else self._last_video_s + self._frame_s

    def _skip(self, start: float, end: float) -> tuple[float, float] | None:
        start = max(start, self._skipped_until)
        self._skipped_until = max(self._skipped_until, end)
        return (round(start, 3), round(end, 3)) if end - start > 1e-3 else None

    def _window(self, end: float) -> MediaWindow | None:
        assert self._first_s is not None and self._emitted_until is not None
        start = max(self._first_s, end - self.window_s)
        new_from = max(start, self._emitted_until, end - self.step_s)
        frames = [dataclasses.replace(f, t=f.t - start) for f in self._frames if start <= f.t < end]
        new_frames = sum(1 for f in self._frames if new_from <= f.t < end)
        heard = self._audio_end_s is not None and self._audio_end_s > new_from
        if new_frames == 0 and not heard:
            return None  # nothing of it was received: reported as skipped, not analysed
        self._emitted_until = end
        expected = max(1.0, (end - new_from) * th.VIDEO_SAMPLE_FPS)
        return MediaWindow(
            start, end, new_from, frames, self._audio_between(start, end), min(1.0, new_frames / expected)
        )

    def _audio_between(self, start: float, end: float) -> np.ndarray:
        rate = th.AUDIO_RATE_HZ
        out = np.zeros(max(0, round((end - start) * rate)), np.float32)
        for piece_start, samples in self._audio:
            offset = round((piece_start - start) * rate)
            lo, hi = max(0, offset), min(len(out), offset + len(samples))
            if lo < hi:
                out[lo:hi] = samples[lo - offset : hi - offset]
        return out

    def _prune(self) -> None:
        if self._next_end is None:
            return
        keep_from = self._next_end - self.window_s - self.step_s
        while self._frames and self._frames[0].t < keep_from:
            self._frames.popleft()
        while self._audio and self._audio[0][0] + len(self._audio[0][1]) / th.AUDIO_RATE_HZ < keep_from:
            self._audio.popleft()
