"""What becomes of a v0 window once it closes: a standalone WebM from its packets, checked against
the service's size limits (padded up to the floor; over the cap not sent, and the bitrate
lowered), and emitted as a `Segment`; or counted as not sent, with the media it held.
Driven by the encoder's worker only; counters go to `stats` under `lock`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from capture.encoder_config import (
    MIN_SEGMENT_BYTES,
    MIN_SEGMENT_S,
    MIN_VIDEO_BITRATE_BPS,
    EncoderConfig,
    EncoderStats,
)
from capture.media import AUDIO_RATE_HZ, Segment
from capture.packet_span import PacketSpan
from capture.webm import EBML_MAGIC, WebmLayoutError, pad_to_size
from capture.webm_mux import TrackSetup, standalone_file

log = logging.getLogger(__name__)

_OVERSIZE_BITRATE_MARGIN = 0.8


class SegmentOutput:
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
        self._lowered_for: set[int] = set()
        self._drops_emitted = (0, 0)

    def write(self, index: int, window: PacketSpan, end: int, setup: TrackSetup) -> None:
        """Write window `index` up to session sample `end` and emit it."""
        t0, t1 = window.t0, end / AUDIO_RATE_HZ
        if window.failed:
            self.discard(window)
            return
        if not window.video:
            log.warning("no video for %.1f–%.1f s: nothing sent for it", t0, t1)
            self.count(gaps=1, gap_s=t1 - t0, audio_samples_discarded=window.captured_samples)
            return
        began = time.perf_counter()
        try:
            blocks = window.blocks(window.start, end, last=True)
            data = standalone_file(setup, blocks, (end - window.start) * 1000 / AUDIO_RATE_HZ)
        except Exception as error:
            log.error("segment %d failed: %s", index, error)
            self.discard(window, segments_failed=1)
            self._report(error)
            return
        finally:
            elapsed = time.perf_counter() - began
            window.encode_s += elapsed
            self.count(segment_mux_wall_s=elapsed)
        checked = self._size_checked(index, data, window)
        if checked is not None:
            self._emit(index, t0, t1, checked, window)

    def short_tail(self, window: PacketSpan, length_s: float) -> None:
        if window.failed:
            self.discard(window)
            return
        log.info("last %.2f s not sent: a segment needs at least %.1f s", length_s, MIN_SEGMENT_S)
        self.count(
            short_tail_s=length_s,
            short_tail_video_frames=window.video_frames,
            short_tail_audio_samples=window.captured_samples,
        )

    def guard_size(self, index: int, window: PacketSpan | None) -> None:
        """Lower the bitrate as soon as window `index`, whose video is complete, outgrows the cap."""
        if window is not None and window.size_bytes > self.config.max_segment_bytes:
            self._lower_for(index, window.size_bytes)

    def lower_for_stream(self, factor: float) -> None:
        """The live stream found a block too large for its chunks: `factor` of today's bitrate."""
        with self._lock:
            bitrate = self._stats.video_bitrate_bps
            self._stats.video_bitrate_bps = max(
                MIN_VIDEO_BITRATE_BPS, int(bitrate * factor * _OVERSIZE_BITRATE_MARGIN)
            )

    def discard(self, window: PacketSpan, **reason: int) -> None:
        """Count a segment that will not be sent, with the media it held."""
        self.count(
            video_frames_discarded=window.video_frames,
            audio_samples_discarded=window.captured_samples,
            **reason,
        )

    def count(self, **increments: float) -> None:
        with self._lock:
            for name, value in increments.items():
                setattr(self._stats, name, getattr(self._stats, name) + value)

    def _lower_for(self, index: int, size: int) -> None:
        if index in self._lowered_for:
            return
        self._lowered_for.add(index)
        with self._lock:
            bitrate = self._stats.video_bitrate_bps
            factor = self.config.max_segment_bytes / size * _OVERSIZE_BITRATE_MARGIN
            self._stats.video_bitrate_bps = max(MIN_VIDEO_BITRATE_BPS, int(bitrate * factor))
        log.warning(
            "segment %d: %d bytes, over the %d-byte cap: video bitrate %d -> %d bps",
            index,
            size,
            self.config.max_segment_bytes,
            bitrate,
            self._stats.video_bitrate_bps,
        )

    def _size_checked(self, index: int, data: bytes, window: PacketSpan) -> bytes | None:
        """The segment as it may be sent: padded up to the floor; None when it must not be sent."""
        try:
            if not data.startswith(EBML_MAGIC):
                raise WebmLayoutError(f"segment {index} came out without an EBML header")
            if len(data) < MIN_SEGMENT_BYTES:
                padded = pad_to_size(data, MIN_SEGMENT_BYTES)
                log.debug("segment %d: %d bytes, padded to %d", index, len(data), MIN_SEGMENT_BYTES)
                self.count(segments_padded=1)
                return padded
        except WebmLayoutError as error:
            self.discard(window, segments_failed=1)
            self._report(error)
            return None
        if len(data) <= self.config.max_segment_bytes:
            return data
        log.warning(
            "segment %d: %d bytes, over the %d-byte cap: not sent",
            index,
            len(data),
            self.config.max_segment_bytes,
        )
        self._lower_for(index, len(data))
        self.discard(window, segments_oversized=1)
        return None

    def _emit(self, index: int, t0: float, t1: float, data: bytes, window: PacketSpan) -> None:
        with self._lock:
            stats = self._stats
            dropped = (stats.video_frames_dropped, stats.audio_chunks_dropped)
            stats.segments_emitted += 1
            stats.video_frames_emitted += window.video_frames
            stats.audio_samples_emitted += window.captured_samples
            stats.silence_samples += window.silence_samples
            stats.encode_load_last = window.encode_s / (t1 - t0)
            stats.encode_wall_s += window.encode_s
            stats.media_s += t1 - t0
            stats.encode_load_avg = stats.encode_wall_s / stats.media_s
        segment = Segment(
            index=index,
            t0=t0,
            t1=t1,
            data=data,
            video_frames=window.video_frames,
            audio_samples=window.captured_samples,
            dropped_video_frames=dropped[0] - self._drops_emitted[0],
            dropped_audio_chunks=dropped[1] - self._drops_emitted[1],
            codec=self.config.codec,
        )
        self._drops_emitted = dropped
        log.debug(
            "segment %d: %.3f–%.3f s, %d bytes, load %.2f",
            index,
            t0,
            t1,
            len(data),
            window.encode_s / (t1 - t0),
        )
        try:
            self._on_segment(segment)
        except Exception as error:
            log.exception("the encoder's on_segment callback raised")
            self._report(error)
