"""The rolling WebM encoder: media in from the sources, standalone 3–5 s segments out, and on
request the live v1/v2 stream, muxed from the same packets.

`SegmentEncoder` is a `MediaConsumer`: `video_frame`/`audio_chunk` only queue. The queues are
bounded; a full one drops its oldest input and counts it (the camera and microphone path), or,
with `EncoderConfig.block_when_full`, makes the producer wait (fast file and synthetic sources, so
nothing is lost however fast they run). One worker thread owns every PyAV object (aiortc's rule)
and calls `on_segment` with each finished `Segment`, on that thread: the app hops to its loop with
`loop.call_soon_threadsafe`; the encoder knows nothing of asyncio or Qt. How the media is encoded
and cut into segments is `capture/segment_cutter.py`; the live stream's Clusters are
`capture/stream_cutter.py`, delivered through a `StreamOutbox`.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from capture.encoder_config import (
    MAX_SEGMENT_BYTES,
    MAX_SEGMENT_S,
    MIN_SEGMENT_BYTES,
    MIN_SEGMENT_S,
    MIN_VIDEO_BITRATE_BPS,
    EncoderConfig,
    EncoderStats,
)
from capture.media import AudioChunk, Segment, VideoFrame
from capture.segment_cutter import SegmentCutter
from capture.stream_outbox import StreamOutbox

__all__ = [
    "MAX_SEGMENT_BYTES",
    "MAX_SEGMENT_S",
    "MIN_SEGMENT_BYTES",
    "MIN_SEGMENT_S",
    "EncoderConfig",
    "EncoderStats",
    "SegmentEncoder",
]

log = logging.getLogger(__name__)

DROP_WARNING_INTERVAL_S = 5.0

Item = TypeVar("Item", VideoFrame, AudioChunk)


class SegmentEncoder:
    """Cuts the media it is given into standalone WebM segments on a worker thread.

    `on_segment` and `on_error` are called on the worker thread. An error while encoding a segment
    goes to `on_error` (and the log); that segment is lost and the next one is encoded as usual.
    """

    def __init__(
        self,
        config: EncoderConfig,
        on_segment: Callable[[Segment], None],
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self.config = config
        self._on_error = on_error
        self._cond = threading.Condition()
        self._video: deque[VideoFrame] = deque()
        self._audio: deque[AudioChunk] = deque()
        self._closed = False
        self._thread: threading.Thread | None = None
        self._stats = EncoderStats(video_bitrate_bps=config.resolved_video_bitrate_bps)
        self._cutter = SegmentCutter(config, self._stats, self._cond, on_segment, self._report)
        self._drop_warned_at = -math.inf
        self._drops_unwarned = 0

    # --- producer side: any thread; never blocks unless block_when_full ---

    def video_frame(self, frame: VideoFrame) -> None:
        with self._cond:
            self._stats.video_frames_received += 1
            dropped = self._enqueue(self._video, frame, self.config.queue_frames)
            if dropped is not None:
                self._stats.video_frames_dropped += 1
            warn = self._drop_warning_due(dropped is not None)
        self._warn(warn)

    def audio_chunk(self, chunk: AudioChunk) -> None:
        with self._cond:
            self._stats.audio_chunks_received += 1
            self._stats.audio_samples_received += len(chunk.samples)
            dropped = self._enqueue(self._audio, chunk, self.config.queue_audio_chunks)
            if dropped is not None:
                self._stats.audio_chunks_dropped += 1
                self._stats.audio_samples_dropped += len(dropped.samples)
            warn = self._drop_warning_due(dropped is not None)
        self._warn(warn)

    def _enqueue(self, queue: deque[Item], item: Item, bound: int) -> Item | None:
        """Queue `item` (the lock held); returns the input dropped to make room, if any."""
        if self.config.block_when_full:
            while len(queue) >= bound and not self._closed:
                self._cond.wait()
        if self._closed:
            return item
        dropped = queue.popleft() if len(queue) >= bound else None
        queue.append(item)
        self._cond.notify_all()
        return dropped

    def _drop_warning_due(self, dropped: bool) -> int:
        """How many drops to warn about now (the lock held): at most one warning per interval.
        Input after stop() is counted but not warned about: nothing is wrong then."""
        if not dropped or self._closed:
            return 0
        self._drops_unwarned += 1
        now = time.monotonic()
        if now - self._drop_warned_at < DROP_WARNING_INTERVAL_S:
            return 0
        self._drop_warned_at, count, self._drops_unwarned = now, self._drops_unwarned, 0
        return count

    @staticmethod
    def _warn(count: int) -> None:
        if count:
            log.warning(
                "encoder input dropped (%d since the last warning): the encoder cannot keep up", count
            )

    # --- control ---

    def start(self) -> None:
        with self._cond:
            if self._thread is not None:
                raise RuntimeError("this encoder was already started; make a new one")
            self._thread = threading.Thread(target=self._run, name="segment-encoder", daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> EncoderStats:
        """Encode what is queued, emit the segment in progress if it holds at least `MIN_SEGMENT_S`
        of media (else it is the short tail), and join the worker. Later input counts as dropped."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)
            if thread.is_alive():
                log.error("the encoder had not finished %.1f s after stop", timeout_s)
        return self.stats()

    def start_stream(self, outbox: StreamOutbox, max_chunk_bytes: int) -> None:
        """Mux the live stream into `outbox` from now on: a fresh header, then a chunk per Cluster of
        about a second, none over `max_chunk_bytes`. A stream already running is given up (its
        outbox closed): a reconnect is a new server session. On stop, the last Cluster is sent
        and the outbox closed."""
        with self._cond:
            if self._closed:
                outbox.close()
                return
            self._cutter.stream.request(outbox, max_chunk_bytes)
            self._cond.notify_all()

    def stop_stream(self) -> None:
        """Stop muxing the live stream (its outbox is closed); the segments go on."""
        with self._cond:
            self._cutter.stream.request(None, 0)
            self._cond.notify_all()

    def lower_bitrate(self, factor: float = 0.7) -> int:
        """Encode the next segments at `factor` times the current video bitrate (never under the
        floor): the server found a segment too large (ih6002), though it was inside our own cap."""
        with self._cond:
            lowered = max(MIN_VIDEO_BITRATE_BPS, int(self._stats.video_bitrate_bps * factor))
            self._stats.video_bitrate_bps = lowered
        log.warning("the server found a segment too large: video bitrate lowered to %d bps", lowered)
        return lowered

    def stats(self) -> EncoderStats:
        """A snapshot of the totals, safe to call from any thread."""
        with self._cond:
            snapshot = dataclasses.replace(self._stats)
            snapshot.queued_video_frames = len(self._video)
            snapshot.queued_audio_chunks = len(self._audio)
        return snapshot

    # --- worker ---

    def _run(self) -> None:
        try:
            while (item := self._next_item()) is not None:
                self._cutter.poll_stream()
                if isinstance(item, VideoFrame):
                    self._cutter.take_video(item)
                else:
                    self._cutter.take_audio(item)
            self._cutter.close_at_stop()
        except Exception as error:
            # The cutter contains encoding errors per segment; anything reaching here is a bug,
            # and it must not end the thread silently.
            log.exception("the encoder stopped on an unexpected error")
            with self._cond:
                self._closed = True
                self._cond.notify_all()
            self._report(error)

    def _next_item(self) -> VideoFrame | AudioChunk | None:
        """The earliest queued input, waiting for one; None once stopped and drained."""
        with self._cond:
            while not self._video and not self._audio and not self._closed:
                self._cond.wait()
            self._cond.notify_all()
            if self._video and self._audio:
                earlier_video = self._video[0].t <= self._audio[0].t
                return self._video.popleft() if earlier_video else self._audio.popleft()
            if self._video:
                return self._video.popleft()
            if self._audio:
                return self._audio.popleft()
            return None

    def _report(self, error: Exception) -> None:
        if self._on_error is None:
            return
        try:
            self._on_error(error)
        except Exception:
            log.exception("the encoder's on_error callback raised")
