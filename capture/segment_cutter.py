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
(`capture/webm_mux.py`, written by `capture/segment_output.py`) that starts on its keyframe and
takes the 80 ms of audio before it as pre-roll.

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
    MIN_SEGMENT_S,
    EncoderConfig,
    EncoderStats,
)
from capture.media import AUDIO_RATE_HZ, AudioChunk, Segment, VideoFrame
from capture.packet_encoder import OPUS_FRAME, WARMUP_SAMPLES, AudioPacket, PacketEncoder, VideoPacket
from capture.packet_span import PacketSpan
from capture.segment_output import SegmentOutput
from capture.stream_cutter import StreamCutter

log = logging.getLogger(__name__)

LAG_GRACE_S = 1.0
"""How far one stream may run ahead of the other before the laggard is taken as gone."""


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
        self._report = report
        self._output = SegmentOutput(config, stats, lock, on_segment, report)
        self.stream = StreamCutter(stats, lock, self._output.lower_for_stream)
        self._letterbox = Letterbox(config.width, config.height)
        self._encoder: PacketEncoder | None = None
        self._start = 0
        self._window_samples = max(1, round(config.segment_s * AUDIO_RATE_HZ / OPUS_FRAME)) * OPUS_FRAME
        self._next_close = 0
        self._windows: dict[int, PacketSpan] = {}
        self._recent_audio: deque[AudioPacket] = deque(maxlen=WARMUP_SAMPLES // OPUS_FRAME)
        self._keyed_window: int | None = None
        self._last_video_t = -math.inf
        self._last_pts_ms = -1
        self._audio_reach = -math.inf
        """Where the captured audio reaches, in seconds (silence not included)."""
        self._placement = AudioPlacement()

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
            self._output.guard_size(index - 1, self._windows.get(index - 1))
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
        if opens_window and any(packet.keyframe for packet in packets):
            # Only a keyframe that came out opens the window: asked for and not given (the encoder
            # produced nothing for that picture), the next picture asks again.
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
        window = self._window(self._window_of(packet.pts_ms / 1000))
        if window.video or packet.keyframe:
            window.video.append(packet)
        else:
            self._count(video_frames_discarded=1)  # a segment starts on a keyframe: none before it
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
        self._output.short_tail(self._windows.pop(index), length_s)

    def _close_window(self, index: int, end: int | None) -> None:
        """Write window `index` (to its end, or to `end` for the last one on stop) and emit it."""
        assert self._encoder is not None
        window = self._windows.pop(index)
        self._output.write(index, window, window.end if end is None else end, self._encoder.track_setup)

    def _fail(self, index: int, error: Exception) -> None:
        log.error("segment %d failed: %s", index, error)
        window = self._window(index)
        if not window.failed:
            window.failed = True
            self._output.count(segments_failed=1)
        self._report(error)

    def _count(self, **increments: float) -> None:
        self._output.count(**increments)
