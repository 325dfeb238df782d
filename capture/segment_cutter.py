"""The encoder's worker-thread half: media in, encoded once, the packets cut into v0 segments and
handed to the live stream (`capture/stream_cutter.py`).

Window n covers session samples [start + n * W, start + (n + 1) * W), where start is the first
input's millisecond and W the segment length on the 20 ms Opus grid; every frame and audio
sample lands in exactly one window (audio chunks are split at the boundary by sample position).
A window closes once both streams have passed its end (the audio once the packets covering it
are out), or once either is `LAG_GRACE_S` past it (the other is then taken as gone: a camera or
microphone that stopped); audio that never came is then silence.

Each picture is encoded as it comes, as a keyframe when it opens a window or a Cluster of the
live stream; the audio is one unbroken Opus line. A window's packets become a standalone WebM
(`capture/webm_mux.py`) that starts on its keyframe and takes the 80 ms of audio before it as
pre-roll.

What is not emitted, and why, is counted in `EncoderStats`:
- a window without a single video frame (the camera gone the whole time) is a *gap*: the service
  refuses a segment without video (ih5001), so it is not written and its audio is discarded;
- the last window on stop when it holds under `MIN_SEGMENT_S` of media: the *short tail*;
- a segment over the size cap (the bitrate is then lowered for the next ones, as soon as the
  window is seen to outgrow it), or one whose encoding raised (reported through `report`).
  A segment under the size floor is padded instead.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from capture.audio_placement import AudioPlacement
from capture.codec_settings import CodecSettings, Letterbox
from capture.encoder_config import (
    MIN_SEGMENT_BYTES,
    MIN_SEGMENT_S,
    MIN_VIDEO_BITRATE_BPS,
    EncoderConfig,
    EncoderStats,
)
from capture.media import AUDIO_RATE_HZ, AudioChunk, Segment, VideoFrame
from capture.packet_encoder import OPUS_FRAME, WARMUP_SAMPLES, AudioPacket, PacketEncoder, VideoPacket
from capture.packet_span import PacketSpan
from capture.stream_cutter import StreamCutter
from capture.webm import EBML_MAGIC, WebmLayoutError, pad_to_size
from capture.webm_mux import standalone_file

log = logging.getLogger(__name__)

LAG_GRACE_S = 1.0
"""How far one stream may run ahead of the other before the laggard is taken as gone."""
_OVERSIZE_BITRATE_MARGIN = 0.8


class SegmentCutter:
    """Owns the session's `PacketEncoder` and the open windows; driven by one thread only.
    Counters go to `stats` under `lock` so other threads can read them."""

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
        self.stream = StreamCutter(stats, lock, self._lower_for_stream)
        self._letterbox = Letterbox(config.width, config.height)
        self._encoder: PacketEncoder | None = None
        self._start = 0
        self._window_samples = max(1, round(config.segment_s * AUDIO_RATE_HZ / OPUS_FRAME)) * OPUS_FRAME
        self._next_close = 0
        self._windows: dict[int, PacketSpan] = {}
        self._recent_audio: deque[AudioPacket] = deque(maxlen=WARMUP_SAMPLES // OPUS_FRAME)
        self._keyed_window: int | None = None
        self._lowered_for: set[int] = set()
        self._last_video_t = -math.inf
        self._last_pts_ms = -1
        self._audio_reach = -math.inf
        """Where the captured audio reaches, in seconds (silence not included)."""
        self._placement = AudioPlacement()
        self._drops_emitted = (0, 0)

    # --- the window grid ---

    def _sample_bound(self, index: int) -> int:
        return self._start + index * self._window_samples

    def _bound(self, index: int) -> float:
        return self._sample_bound(index) / AUDIO_RATE_HZ

    def _window_of_sample(self, sample: int) -> int:
        return (sample - self._start) // self._window_samples

    def _window_of(self, t: float) -> int:
        index = math.floor((t * AUDIO_RATE_HZ - self._start) / self._window_samples)
        while t >= self._bound(index + 1):
            index += 1
        while t < self._bound(index):
            index -= 1
        return index

    def _begin(self, t: float) -> PacketEncoder:
        self._start = math.floor(t * 1000) * (AUDIO_RATE_HZ // 1000)
        settings = CodecSettings(
            codec=self.config.codec,
            width=self.config.width,
            height=self.config.height,
            fps=self.config.fps,
            video_bitrate_bps=self._stats.video_bitrate_bps,
            audio_bitrate_bps=self.config.audio_bitrate_bps,
            threads=self.config.resolved_threads,
        )
        encoder = PacketEncoder(settings, self._letterbox, self._start)
        self._encoder = encoder
        lead_in = encoder.take_lead_in()
        self._recent_audio.extend(lead_in)
        self.stream.begin(self._start, encoder.track_setup, lead_in)
        self.poll_stream()  # a stream asked for before any input starts with it
        return encoder

    def poll_stream(self) -> None:
        """Start or stop the live stream if asked to (called before each input)."""
        encoder = self._encoder
        last_video = None if self._last_pts_ms < 0 else self._last_pts_ms * (AUDIO_RATE_HZ // 1000)
        self.stream.poll(last_video, 0 if encoder is None else encoder.covered)

    # --- media in ---

    def take_video(self, frame: VideoFrame) -> None:
        encoder = self._encoder or self._begin(frame.t)
        index = self._window_of(frame.t)
        pts_ms = round(frame.t * 1000)
        if frame.t <= self._last_video_t or pts_ms <= self._last_pts_ms or index < self._next_close:
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
        window = self._window(index)
        opens_window = index != self._keyed_window
        if opens_window:
            self._guard_size(index - 1)
        keyframe = opens_window or self.stream.wants_keyframe(pts_ms)
        if keyframe:
            with self._lock:
                encoder.set_video_bitrate(self._stats.video_bitrate_bps)
        began = time.perf_counter()
        try:
            packets = encoder.encode_video(frame.image, pts_ms, keyframe)
        except Exception as error:
            self._fail(index, error)
            encoder.reset_video()
            self._keyed_window = None
            self._count(video_frames_discarded=1)
            return
        finally:
            window.encode_s += time.perf_counter() - began
        self._last_pts_ms = pts_ms
        if opens_window:
            self._keyed_window = index
        if not packets:
            self._count(video_frames_discarded=1)
        for packet in packets:
            self._route_video(packet)

    def take_audio(self, chunk: AudioChunk) -> None:
        encoder = self._encoder or self._begin(chunk.t)
        at = self._placement.place(chunk.t, len(chunk.samples))
        end = at + len(chunk.samples)
        self._audio_reach = max(self._audio_reach, end / AUDIO_RATE_HZ)
        first = max(at, encoder.fed)
        if first > at:
            self._count(audio_samples_late=min(len(chunk.samples), first - at))
        if first < end:
            self._encode_silence(at)
            self._encode_audio(chunk.samples[first - at :], first)
        self.close_ready()

    def _encode_audio(self, samples: np.ndarray, first: int, *, captured: bool = True) -> None:
        """Encode samples continuing the line at `first` (the encoder's `fed`)."""
        assert self._encoder is not None
        end = first + len(samples)
        self._attribute(first, end, captured=captured)
        began = time.perf_counter()
        try:
            packets = self._encoder.encode_samples(samples)
        except Exception as error:
            for index in range(self._window_of_sample(first), self._window_of_sample(end - 1) + 1):
                self._fail(index, error)
            return
        elapsed = time.perf_counter() - began
        self._windows[self._window_of_sample(first)].encode_s += elapsed
        for packet in packets:
            self._route_audio(packet)

    def _encode_silence(self, until: int) -> None:
        assert self._encoder is not None
        first = self._encoder.fed
        if until > first:
            self._encode_audio(np.zeros(until - first, np.int16), first, captured=False)

    def _attribute(self, first: int, end: int, *, captured: bool) -> None:
        """Count samples [first, end) into the windows they fall in (opening them as needed)."""
        pos = first
        while pos < end:
            index = self._window_of_sample(pos)
            piece_end = min(end, self._sample_bound(index + 1))
            window = self._window(index)
            if captured:
                window.captured_samples += piece_end - pos
            else:
                window.silence_samples += piece_end - pos
            pos = piece_end

    def _window(self, index: int) -> PacketSpan:
        if index not in self._windows:
            start = self._sample_bound(index)
            window = PacketSpan(start, self._sample_bound(index + 1), start - WARMUP_SAMPLES)
            window.audio.extend(p for p in self._recent_audio if window.holds_audio(p))
            self._windows[index] = window
        return self._windows[index]

    def _route_video(self, packet: VideoPacket) -> None:
        self._window(self._window_of(packet.pts_ms / 1000)).video.append(packet)
        self.stream.take_video(packet)

    def _route_audio(self, packet: AudioPacket) -> None:
        self._recent_audio.append(packet)
        index = self._window_of_sample(packet.start)
        if index >= self._next_close:
            self._window(index).audio.append(packet)
        following = self._windows.get(index + 1)
        if following is not None and following.holds_audio(packet):
            following.audio.append(packet)
        self.stream.take_audio(packet)

    # --- windows out ---

    def close_ready(self) -> None:
        """Close every window both streams have passed (or one stream by `LAG_GRACE_S`), and the
        live stream's Clusters likewise."""
        encoder = self._encoder
        if encoder is None:
            return
        video_reach = self._last_video_t
        covered = encoder.covered / AUDIO_RATE_HZ
        both = min(video_reach, covered) if self.config.has_audio_input else video_reach
        ready_until = max(both, max(video_reach, self._audio_reach) - LAG_GRACE_S)
        ready_sample = math.floor(ready_until * AUDIO_RATE_HZ + 1e-6)
        closing = self._next_close
        while self._bound(closing + 1) <= ready_until:
            closing += 1
        boundaries = [self._sample_bound(closing)] if closing > self._next_close else []
        stream_boundary = self.stream.next_boundary_at_or_before(ready_sample)
        if stream_boundary is not None:
            boundaries.append(stream_boundary)
        cover = max(boundaries, default=None)
        if cover is not None and encoder.covered < cover:
            # A camera or microphone gave up on: its windows need their audio, as silence.
            self._encode_silence(encoder.output_needs(cover))
        while self._next_close < closing:
            if self._next_close in self._windows:
                self._close_window(self._next_close, None)
                self._next_close += 1
            else:
                later = [i for i in self._windows if i > self._next_close]
                self._skip_gap(min([*later, closing]))
        self.stream.close_until(ready_sample)

    def close_at_stop(self) -> None:
        """Close what is open: full windows as they are, the last one at the end of the media if it
        holds at least `MIN_SEGMENT_S`, else it is the short tail; and the live stream's last
        Cluster."""
        encoder = self._encoder
        if encoder is None:
            self.stream.close_at_stop(0)
            return
        end_t = max(self._last_video_t + 1.0 / self.config.fps, self._audio_reach)
        end = round(end_t * AUDIO_RATE_HZ)
        self._encode_silence(end)
        for audio in encoder.flush_audio():
            if audio.start < end:
                self._route_audio(audio)
        for video in encoder.flush_video():
            self._route_video(video)
        last = max(self._windows, default=-1)
        while self._next_close <= last:
            index = self._next_close
            if index not in self._windows:
                self._skip_gap(min(i for i in self._windows if i > index))
                continue
            window_end = min(end, self._sample_bound(index + 1))
            length = window_end - self._sample_bound(index)
            if length <= 0:
                self._windows.pop(index)
            elif length >= round(MIN_SEGMENT_S * AUDIO_RATE_HZ):
                self._close_window(index, window_end)
            else:
                self._drop_short_tail(index, length / AUDIO_RATE_HZ)
            self._next_close += 1
        self.stream.close_at_stop(end)

    def _skip_gap(self, until: int) -> None:
        count = until - self._next_close
        log.warning(
            "no media at all for %.1f–%.1f s: nothing sent for it",
            self._bound(self._next_close),
            self._bound(until),
        )
        self._count(gaps=count, gap_s=count * self._window_samples / AUDIO_RATE_HZ)
        self._next_close = until

    def _drop_short_tail(self, index: int, length_s: float) -> None:
        window = self._windows.pop(index)
        if window.failed:
            self._discard(window)
            return
        log.info("last %.2f s not sent: a segment needs at least %.1f s", length_s, MIN_SEGMENT_S)
        self._count(
            short_tail_s=length_s,
            short_tail_video_frames=window.video_frames,
            short_tail_audio_samples=window.captured_samples,
        )

    def _close_window(self, index: int, end: int | None) -> None:
        """Write window `index` (to its end, or to `end` for the last one on stop) and emit it."""
        window = self._windows.pop(index)
        end = window.end if end is None else end
        t0, t1 = window.t0, end / AUDIO_RATE_HZ
        if window.failed:
            self._discard(window)
            return
        if not window.video:
            log.warning("no video for %.1f–%.1f s: nothing sent for it", t0, t1)
            self._count(gaps=1, gap_s=t1 - t0, audio_samples_discarded=window.captured_samples)
            return
        assert self._encoder is not None
        began = time.perf_counter()
        try:
            blocks = window.blocks(window.start, end, last=True)
            data = standalone_file(
                self._encoder.track_setup, blocks, (end - window.start) * 1000 / AUDIO_RATE_HZ
            )
        except Exception as error:
            log.error("segment %d failed: %s", index, error)
            self._discard(window, segments_failed=1)
            self._report(error)
            return
        finally:
            elapsed = time.perf_counter() - began
            window.encode_s += elapsed
            self._count(segment_mux_wall_s=elapsed)
        checked = self._size_checked(index, data, window)
        if checked is not None:
            self._emit(index, t0, t1, checked, window)

    def _fail(self, index: int, error: Exception) -> None:
        log.error("segment %d failed: %s", index, error)
        window = self._window(index)
        if not window.failed:
            window.failed = True
            self._count(segments_failed=1)
        self._report(error)

    def _guard_size(self, index: int) -> None:
        """Lower the bitrate as soon as window `index`, whose video is complete, outgrows the cap."""
        window = self._windows.get(index)
        if window is not None and window.size_bytes > self.config.max_segment_bytes:
            self._lower_for(index, window.size_bytes)

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

    def _lower_for_stream(self, factor: float) -> None:
        with self._lock:
            bitrate = self._stats.video_bitrate_bps
            self._stats.video_bitrate_bps = max(
                MIN_VIDEO_BITRATE_BPS, int(bitrate * factor * _OVERSIZE_BITRATE_MARGIN)
            )

    def _size_checked(self, index: int, data: bytes, window: PacketSpan) -> bytes | None:
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
            self._discard(window, segments_failed=1)
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
        self._discard(window, segments_oversized=1)
        return None

    def _discard(self, window: PacketSpan, **reason: int) -> None:
        """Count a segment that will not be sent, with the media it held."""
        self._count(
            video_frames_discarded=window.video_frames,
            audio_samples_discarded=window.captured_samples,
            **reason,
        )

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

    def _count(self, **increments: float) -> None:
        with self._lock:
            for name, value in increments.items():
                setattr(self._stats, name, getattr(self._stats, name) + value)
