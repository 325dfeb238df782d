"""`MixedAudioSource`: several sound sources as one track (the microphone and the meeting audio).

The encoder takes one audio stream, so an interviewer's own voice and the call's sound are mixed
before it. Each input's chunks are placed on the session's sample line by their count, steered
by their stamps (`AudioPlacement`, as the encoder does), and the mix goes out as far as every
input has delivered. An input that falls more than `max_lag_s` behind the others (a device
stalled, a source lost) counts as silent for that stretch, so one stopped input never holds up
the sound of another; what it delivers late for a stretch already sent is dropped and counted.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence

import numpy as np

from capture.audio_placement import AudioPlacement
from capture.media import (
    AUDIO_RATE_HZ,
    AudioChunk,
    CaptureError,
    CaptureSource,
    MediaSink,
    SessionClock,
    SourceInfo,
    VideoFrame,
)

log = logging.getLogger(__name__)


class _Input:
    """One input's placed, not yet mixed samples."""

    def __init__(self) -> None:
        self.placement = AudioPlacement()
        self.pending: deque[tuple[int, np.ndarray]] = deque()
        self.end: int | None = None
        """Where its newest sample ends, on the sample line."""


class AudioMixer:
    """Mixes chunks from `inputs` inputs into contiguous chunks for `sink`; thread-safe."""

    def __init__(self, inputs: int, sink: MediaSink, *, max_lag_s: float = 0.25) -> None:
        self._inputs = [_Input() for _ in range(inputs)]
        self._sink = sink
        self._max_lag = round(max_lag_s * AUDIO_RATE_HZ)
        self._next: int | None = None
        """The first sample not yet sent out."""
        self._lock = threading.Lock()
        self.late_samples_dropped = 0

    def add(self, index: int, chunk: AudioChunk) -> None:
        if not len(chunk.samples):
            return
        with self._lock:
            feed = self._inputs[index]
            at = feed.placement.place(chunk.t, len(chunk.samples))
            feed.end = at + len(chunk.samples)
            if self._next is not None and feed.end <= self._next:
                self.late_samples_dropped += len(chunk.samples)  # that stretch went out without it
                return
            feed.pending.append((at, chunk.samples))
            if self._next is None:
                self._next = at
            self._mix_ready()

    def _mix_ready(self) -> None:
        assert self._next is not None
        ends = [feed.end for feed in self._inputs if feed.end is not None]
        newest = max(ends)
        live = [end for end in ends if end >= newest - self._max_lag]
        # Only inputs that have delivered at all and keep up hold the mix back.
        ready = min(live) if len(ends) == len(self._inputs) else newest - self._max_lag
        if ready <= self._next:
            return
        start, count = self._next, ready - self._next
        mix = np.zeros(count, np.int32)
        for feed in self._inputs:
            self._take(feed, start, ready, mix)
        self._next = ready
        self._sink.audio_chunk(
            AudioChunk(np.clip(mix, -32768, 32767).astype(np.int16), start / AUDIO_RATE_HZ)
        )

    def _take(self, feed: _Input, start: int, stop: int, mix: np.ndarray) -> None:
        """Add `feed`'s samples in [start, stop) into `mix`; forget what lies before `stop`."""
        while feed.pending:
            at, samples = feed.pending[0]
            end = at + len(samples)
            if end <= start:  # came too late: that stretch went out without it
                self.late_samples_dropped += len(samples)
                feed.pending.popleft()
                continue
            if at >= stop:
                return
            lo, hi = max(at, start), min(end, stop)
            if at < start:
                self.late_samples_dropped += start - at
            mix[lo - start : hi - start] += samples[lo - at : hi - at]
            if end > stop:
                feed.pending[0] = (stop, samples[stop - at :])
                return
            feed.pending.popleft()


class _InputSink:
    """What one input source delivers to: its sound to the mixer, its news to the outer sink."""

    def __init__(self, mixer: AudioMixer, index: int, outer: MediaSink) -> None:
        self._mixer, self._index, self._outer = mixer, index, outer

    def video_frame(self, frame: VideoFrame) -> None:
        self._outer.video_frame(frame)

    def audio_chunk(self, chunk: AudioChunk) -> None:
        self._mixer.add(self._index, chunk)

    def source_error(self, error: CaptureError) -> None:
        self._outer.source_error(error)

    def source_recovered(self, source: str) -> None:
        self._outer.source_recovered(source)

    def source_finished(self, source: str) -> None:
        self._outer.source_finished(source)


class MixedAudioSource:
    """Starts every source in `sources` (in order, on the caller's thread) and mixes their sound."""

    def __init__(self, sources: Sequence[CaptureSource], *, max_lag_s: float = 0.25) -> None:
        if len(sources) < 2:
            raise ValueError("a mix needs at least two sources")
        self.sources = list(sources)
        self._max_lag_s = max_lag_s
        self._started: list[CaptureSource] = []
        self.mixer: AudioMixer | None = None

    def info(self) -> SourceInfo:
        infos = [source.info() for source in self.sources]
        notes = [note for info in infos for note in info.notes]
        return SourceInfo(name=" + ".join(info.name for info in infos), video=False, audio=True, notes=notes)

    def start(self, clock: SessionClock, sink: MediaSink) -> None:
        if self.mixer is not None:
            raise RuntimeError("MixedAudioSource.start called twice")
        self.mixer = AudioMixer(len(self.sources), sink, max_lag_s=self._max_lag_s)
        try:
            for index, source in enumerate(self.sources):
                source.start(clock, _InputSink(self.mixer, index, sink))
                self._started.append(source)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        started, self._started = self._started, []
        for source in reversed(started):
            source.stop()
        if self.mixer is not None and self.mixer.late_samples_dropped:
            log.info("audio mix: %d late samples dropped", self.mixer.late_samples_dropped)
