"""The encoder's worker-thread half: session time cut into windows, each written as one segment.

Window n is [start + n * segment_s, start + (n + 1) * segment_s), where start is the first input's
time; every frame and audio sample lands in exactly one window (audio chunks are split at the
boundary by sample position). A window closes once both streams have passed its end, or once either
is `LAG_GRACE_S` past it (the other is then taken as gone: a camera or microphone that stopped).

What is not emitted, and why, is counted in `EncoderStats`:
- a window without a single video frame (the camera gone the whole time) is a *gap*: the service
  refuses a segment without video (ih5001), so it is not written and its audio is discarded;
- the last window on stop when it holds under `MIN_SEGMENT_S` of media: the *short tail*;
- a segment over the size cap (the bitrate is then lowered for the next ones), or one whose
  encoding raised (reported through `report`). A segment under the size floor is padded instead.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from capture.audio_placement import AudioPlacement
from capture.encoder_config import (
    MIN_SEGMENT_BYTES,
    MIN_SEGMENT_S,
    MIN_VIDEO_BITRATE_BPS,
    EncoderConfig,
    EncoderStats,
)
from capture.media import AUDIO_RATE_HZ, AudioChunk, Segment, VideoFrame
from capture.segment_writer import Letterbox, SegmentWriter, WriterSettings
from capture.webm import EBML_MAGIC, WebmLayoutError, pad_to_size

log = logging.getLogger(__name__)

LAG_GRACE_S = 1.0
"""How far one stream may run ahead of the other before the laggard is taken as gone."""
_OVERSIZE_BITRATE_MARGIN = 0.8

T = TypeVar("T")


class SegmentCutter:
    """Owns the open `SegmentWriter`s; driven by one thread only. Counters go to `stats` under `lock`
    so other threads can read them."""

    def __init__(
        self,
        config: EncoderConfig,
        stats: EncoderStats,
        lock: threading.Condition,
        on_segment: Callable[[Segment], None],
        report: Callable[[Exception], None],
    ) -> None:
        self.config = config
        self._stats = stats
        self._lock = lock
        self._on_segment = on_segment
        self._report = report
        self._letterbox = Letterbox(config.width, config.height)
        self._start_t: float | None = None
        self._next_close = 0
        self._writers: dict[int, SegmentWriter | None] = {}
        """Open windows; None marks one whose encoding failed (its further input is discarded)."""
        self._encode_s: dict[int, float] = {}
        self._last_video_t = -math.inf
        self._audio_reach = -math.inf
        self._placement = AudioPlacement()
        self._drops_emitted = (0, 0)

    # --- the window grid ---

    def _bound(self, index: int) -> float:
        assert self._start_t is not None
        return self._start_t + index * self.config.segment_s

    def _sample_bound(self, index: int) -> int:
        return round(self._bound(index) * AUDIO_RATE_HZ)

    def _window_of(self, t: float) -> int:
        assert self._start_t is not None
        index = math.floor((t - self._start_t) / self.config.segment_s)
        while t >= self._bound(index + 1):
            index += 1
        while t < self._bound(index):
            index -= 1
        return index

    def _window_of_sample(self, sample: int) -> int:
        index = self._window_of(sample / AUDIO_RATE_HZ)
        while sample >= self._sample_bound(index + 1):
            index += 1
        while sample < self._sample_bound(index):
            index -= 1
        return index

    # --- media in ---

    def take_video(self, frame: VideoFrame) -> None:
        if self._start_t is None:
            self._start_t = frame.t
        index = self._window_of(frame.t)
        if frame.t <= self._last_video_t or index < self._next_close:
            self._count(video_frames_out_of_order=1)
            return
        self._last_video_t = frame.t
        # Windows this frame is past close first, so that a bitrate lowered by the size guard
        # already applies to the window the frame opens.
        self.close_ready()
        if index < self._next_close:
            # Its own window closed meanwhile: the audio ran so far ahead that video was given up.
            self._count(video_frames_out_of_order=1)
            return
        writer = self._writer(index)
        accepted = (
            None if writer is None else self._timed(index, lambda: writer.add_video(frame.image, frame.t))
        )
        if accepted is None:
            self._count(video_frames_discarded=1)
        elif not accepted:
            self._count(video_frames_out_of_order=1)

    def take_audio(self, chunk: AudioChunk) -> None:
        if self._start_t is None:
            self._start_t = chunk.t
        at = self._placement.place(chunk.t, len(chunk.samples))
        end = at + len(chunk.samples)
        self._audio_reach = max(self._audio_reach, end / AUDIO_RATE_HZ)
        pos = at
        while pos < end:
            index = self._window_of_sample(pos)
            if index < self._next_close:
                piece_end = min(end, self._sample_bound(self._next_close))
                self._count(audio_samples_late=piece_end - pos)
            else:
                piece_end = min(end, self._sample_bound(index + 1))
                self._feed_audio(index, chunk.samples[pos - at : piece_end - at], pos)
            pos = piece_end
        self.close_ready()

    def _feed_audio(self, index: int, samples: np.ndarray, at_sample: int) -> None:
        writer = self._writer(index)
        if writer is None:
            self._count(audio_samples_discarded=len(samples))
            return
        left_out = self._timed(index, lambda: writer.add_audio(samples, at_sample))
        if left_out is None:
            self._count(audio_samples_discarded=len(samples))
        elif left_out:
            self._count(audio_samples_late=left_out)

    def _writer(self, index: int) -> SegmentWriter | None:
        if index not in self._writers:
            settings = WriterSettings(
                codec=self.config.codec,
                width=self.config.width,
                height=self.config.height,
                fps=self.config.fps,
                video_bitrate_bps=self._stats.video_bitrate_bps,
                audio_bitrate_bps=self.config.audio_bitrate_bps,
                threads=self.config.resolved_threads,
            )
            t0, first, end = self._bound(index), self._sample_bound(index), self._sample_bound(index + 1)
            self._writers[index] = None
            self._writers[index] = self._timed(
                index, lambda: SegmentWriter(settings, self._letterbox, t0, first, end)
            )
        return self._writers[index]

    def _timed(self, index: int, work: Callable[[], T]) -> T | None:
        """Run encoding work for window `index`, adding its wall time to the window's account. An
        exception fails the window (reported, counted) and gives None; the worker goes on."""
        began = time.perf_counter()
        try:
            return work()
        except Exception as error:
            self._fail(index, error)
            return None
        finally:
            self._encode_s[index] = self._encode_s.get(index, 0.0) + time.perf_counter() - began

    def _fail(self, index: int, error: Exception) -> None:
        log.error("segment %d failed: %s", index, error)
        writer = self._writers.get(index)
        self._writers[index] = None
        if writer is None:
            self._count(segments_failed=1)
        else:
            self._discard(writer, segments_failed=1)
            try:
                writer.close()
            except Exception:
                log.debug("closing the failed segment %d raised too", index, exc_info=True)
        self._report(error)

    # --- windows out ---

    def close_ready(self) -> None:
        """Close every window both streams have passed (or one stream by `LAG_GRACE_S`)."""
        if self._start_t is None:
            return
        video_reach = self._last_video_t
        both = min(video_reach, self._audio_reach) if self.config.has_audio_input else video_reach
        ready_until = max(both, max(video_reach, self._audio_reach) - LAG_GRACE_S)
        while self._bound(self._next_close + 1) <= ready_until:
            if self._next_close in self._writers:
                self._close_window(self._next_close, None)
                self._next_close += 1
            else:
                later = [i for i in self._writers if i > self._next_close]
                self._skip_gap(min([*later, self._window_of(ready_until)]))

    def close_at_stop(self) -> None:
        """Close what is open: full windows as they are, the last one at the end of the media if it
        holds at least `MIN_SEGMENT_S`, else it is the short tail."""
        if self._start_t is None or not self._writers:
            return
        end_t = max(self._last_video_t + 1.0 / self.config.fps, self._audio_reach)
        last = max(self._writers)
        while self._next_close <= last:
            index = self._next_close
            if index not in self._writers:
                self._skip_gap(min(i for i in self._writers if i > index))
                continue
            window_end = min(end_t, self._bound(index + 1))
            if window_end - self._bound(index) >= MIN_SEGMENT_S - 1e-6:
                self._close_window(index, window_end)
            else:
                self._drop_short_tail(index, max(0.0, window_end - self._bound(index)))
            self._next_close += 1

    def _skip_gap(self, until: int) -> None:
        count = until - self._next_close
        log.warning(
            "no media at all for %.1f–%.1f s: nothing sent for it",
            self._bound(self._next_close),
            self._bound(until),
        )
        self._count(gaps=count, gap_s=count * self.config.segment_s)
        self._next_close = until

    def _drop_short_tail(self, index: int, length_s: float) -> None:
        writer = self._writers.pop(index)
        self._encode_s.pop(index, None)
        if writer is None:
            return
        log.info("last %.2f s not sent: a segment needs at least %.1f s", length_s, MIN_SEGMENT_S)
        self._count(
            short_tail_s=length_s,
            short_tail_video_frames=writer.video_frames,
            short_tail_audio_samples=writer.audio_samples,
        )
        writer.close()

    def _close_window(self, index: int, end_t: float | None) -> None:
        """Finish window `index` (at its end, or at `end_t` for the last one on stop) and emit it."""
        writer = self._writers[index]
        if writer is None:
            self._forget(index)
            return
        t0 = self._bound(index)
        t1 = self._bound(index + 1) if end_t is None else end_t
        if not writer.has_video:
            log.warning("no video for %.1f–%.1f s: nothing sent for it", t0, t1)
            self._count(gaps=1, gap_s=t1 - t0, audio_samples_discarded=writer.audio_samples)
            writer.close()
            self._forget(index)
            return
        end_sample = None if end_t is None else round(end_t * AUDIO_RATE_HZ)
        data = self._timed(index, lambda: writer.finish(end_sample))
        encode_s = self._forget(index)
        if data is None:
            return
        data = self._size_checked(index, data, writer)
        if data is not None:
            self._emit(index, t0, t1, data, writer, encode_s)

    def _forget(self, index: int) -> float:
        self._writers.pop(index, None)
        return self._encode_s.pop(index, 0.0)

    def _size_checked(self, index: int, data: bytes, writer: SegmentWriter) -> bytes | None:
        """The segment as it may be sent: padded up to the floor; None when it must not be sent."""
        try:
            if not data.startswith(EBML_MAGIC):
                raise WebmLayoutError(f"segment {index} came out without an EBML header")
            if len(data) < MIN_SEGMENT_BYTES:
                padded = pad_to_size(data, MIN_SEGMENT_BYTES)
                log.debug("segment %d: %d bytes, padded to %d", index, len(data), MIN_SEGMENT_BYTES)
                self._count(segments_padded=1)
                return padded
        except WebmLayoutError as error:
            self._discard(writer, segments_failed=1)
            self._report(error)
            return None
        cap = self.config.max_segment_bytes
        if len(data) <= cap:
            return data
        bitrate = self._stats.video_bitrate_bps
        lowered = max(MIN_VIDEO_BITRATE_BPS, int(bitrate * cap / len(data) * _OVERSIZE_BITRATE_MARGIN))
        log.warning(
            "segment %d: %d bytes, over the %d-byte cap: not sent; video bitrate %d -> %d bps",
            index,
            len(data),
            cap,
            bitrate,
            lowered,
        )
        with self._lock:
            self._stats.video_bitrate_bps = lowered
        self._discard(writer, segments_oversized=1)
        return None

    def _discard(self, writer: SegmentWriter, **reason: int) -> None:
        """Count a segment that will not be sent, with the media it held."""
        self._count(
            video_frames_discarded=writer.video_frames, audio_samples_discarded=writer.audio_samples, **reason
        )

    def _emit(
        self, index: int, t0: float, t1: float, data: bytes, writer: SegmentWriter, encode_s: float
    ) -> None:
        with self._lock:
            stats = self._stats
            dropped = (stats.video_frames_dropped, stats.audio_chunks_dropped)
            stats.segments_emitted += 1
            stats.video_frames_emitted += writer.video_frames
            stats.audio_samples_emitted += writer.audio_samples
            stats.silence_samples += writer.silence_samples
            stats.encode_load_last = encode_s / (t1 - t0)
            stats.encode_wall_s += encode_s
            stats.media_s += t1 - t0
            stats.encode_load_avg = stats.encode_wall_s / stats.media_s
        segment = Segment(
            index=index,
            t0=t0,
            t1=t1,
            data=data,
            video_frames=writer.video_frames,
            audio_samples=writer.audio_samples,
            dropped_video_frames=dropped[0] - self._drops_emitted[0],
            dropped_audio_chunks=dropped[1] - self._drops_emitted[1],
            codec=self.config.codec,
        )
        self._drops_emitted = dropped
        log.debug(
            "segment %d: %.3f–%.3f s, %d bytes, load %.2f", index, t0, t1, len(data), encode_s / (t1 - t0)
        )
        try:
            self._on_segment(segment)
        except Exception as error:
            log.exception("the encoder's on_segment callback raised")
            self._report(error)

    def _count(self, **increments: float) -> None:
        with self._lock:
            for name, value in increments.items():
                setattr(self._stats, name, getattr(self._stats, name) + value)
