"""The encoder's worker-thread half for the live v1/v2 stream: the shared packets muxed a second
time, as one continuous WebM cut into Clusters of about a second (see ARCHITECTURE.md, "The
stream contract").

A stream starts when asked (`request`, from any thread): its header goes out at once, and its
media starts at the next 20 ms grid point after the newest picture already encoded, so no
picture in it depends on one it lacks. Its time 0 (the `origin`) is the session's whole second
before that, so stream time and the session's one-second grid agree: a server cutting windows
on whole seconds of stream time finds each one complete in one chunk. Clusters follow that grid
(the first may be shorter), each starting on a keyframe: the encoder is asked for one at the first
picture of every Cluster. So a chunk dropped by a slow network, or a stream given up mid-way,
never leaves the rest undecodable. A Cluster over `max_chunk_bytes` is split at block
boundaries; one block over it cannot be sent: that Cluster is dropped and counted, and the
bitrate comes down.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from capture.encoder_config import EncoderStats
from capture.media import AUDIO_RATE_HZ, StreamChunk
from capture.packet_encoder import OPUS_FRAME, WARMUP_SAMPLES, AudioPacket, VideoPacket
from capture.packet_span import PacketSpan, sample_ms
from capture.stream_outbox import StreamOutbox
from capture.webm_mux import AUDIO_TRACK, VIDEO_TRACK, Block, TrackSetup, cluster, stream_header

log = logging.getLogger(__name__)

CLUSTER_SAMPLES = AUDIO_RATE_HZ
"""One second: the stream's Cluster grid, a multiple of the Opus packet grid."""
MIN_CHUNK_BYTES = 1024
_CLUSTER_OVERHEAD_BYTES = 24
"""Cluster ID, size and Timestamp: at most this many bytes."""
_BLOCK_OVERHEAD_BYTES = 32
"""A block's own element head, track, time, flags and BlockGroup extras: at most this many."""
_RECENT_AUDIO = 2 * AUDIO_RATE_HZ // OPUS_FRAME
"""Audio packets kept for a stream that starts behind the audio (up to the lag grace and more)."""


@dataclass(frozen=True, slots=True)
class _Request:
    outbox: StreamOutbox | None
    """None: stop streaming."""
    max_chunk_bytes: int


@dataclass(slots=True)
class _Stream:
    generation: int
    outbox: StreamOutbox
    max_chunk_bytes: int
    origin: int
    """Session sample of stream time 0: a whole second of the session's grid."""
    start: int
    """Session sample where the stream's media starts."""
    next_index: int = 1
    closed_until: int = 0
    keyed_cluster: int | None = None
    """The Cluster whose first picture was made a keyframe."""


class StreamCutter:
    """Driven by the encoder's worker, except `request`, which takes the encoder's lock."""

    def __init__(
        self,
        stats: EncoderStats,
        lock: threading.Condition,
        lower_bitrate: Callable[[float], None],
    ) -> None:
        self._stats = stats
        self._lock = lock
        self._lower_bitrate = lower_bitrate
        self._request: _Request | None = None
        self._generation = 0
        self._stream: _Stream | None = None
        self._spans: dict[int, PacketSpan] = {}
        self._recent_audio: deque[AudioPacket] = deque(maxlen=_RECENT_AUDIO)
        self._grid_start = 0
        self._setup: TrackSetup | None = None

    # --- any thread, the lock held ---

    def request(self, outbox: StreamOutbox | None, max_chunk_bytes: int) -> None:
        if outbox is not None and max_chunk_bytes < MIN_CHUNK_BYTES:
            raise ValueError(f"max_chunk_bytes must be at least {MIN_CHUNK_BYTES}")
        if self._request is not None and self._request.outbox is not None:
            self._request.outbox.close()  # asked for and replaced before it began
        self._request = _Request(outbox, max_chunk_bytes)

    # --- worker ---

    @property
    def streaming(self) -> bool:
        return self._stream is not None

    def begin(self, grid_start: int, setup: TrackSetup, lead_in: list[AudioPacket]) -> None:
        """The session's grid and tracks are known (the first input arrived)."""
        self._grid_start = grid_start
        self._setup = setup
        self._recent_audio.extend(lead_in)

    def poll(self, last_video_sample: int | None, audio_covered: int) -> None:
        """Act on a pending start or stop (the lock is taken here). A stream starts after the
        newest encoded picture, and no further back than the audio packets still at hand."""
        with self._lock:
            request, self._request = self._request, None
        if request is None:
            return
        self._end_stream()
        if request.outbox is None:
            return
        if self._setup is None:
            with self._lock:
                if self._request is None:
                    self._request = request  # tried again once the first input has come
            return
        self._generation += 1
        after_video = self._grid_start if last_video_sample is None else last_video_sample + 1
        start = self._grid_ceil(max(after_video, audio_covered - CLUSTER_SAMPLES))
        origin = self._grid_start + self._cluster_of(start) * CLUSTER_SAMPLES
        stream = _Stream(
            self._generation, request.outbox, request.max_chunk_bytes, origin, start, closed_until=start
        )
        self._stream = stream
        first = self._span_for(start)
        for packet in self._recent_audio:
            if first is not None and first.holds_audio(packet):
                first.audio.append(packet)
        at = start / AUDIO_RATE_HZ
        header = stream_header(self._setup)
        self._put(StreamChunk(stream.generation, 0, header, at, at, origin / AUDIO_RATE_HZ, True))
        log.info("live stream %d starts at %.3f s", stream.generation, start / AUDIO_RATE_HZ)

    def wants_keyframe(self, pts_ms: int) -> bool:
        stream = self._stream
        sample = pts_ms * (AUDIO_RATE_HZ // 1000)
        if stream is None or sample < stream.start:
            return False
        return self._cluster_of(sample) != stream.keyed_cluster

    def take_video(self, packet: VideoPacket) -> None:
        stream = self._stream
        if stream is None:
            return
        sample = packet.pts_ms * (AUDIO_RATE_HZ // 1000)
        if sample < stream.closed_until:
            return
        span = self._span_for(sample)
        if span is None:
            return
        if not span.video and not packet.keyframe:
            return  # a Cluster starts on a keyframe (the next picture asks again): nothing before it
        if not span.video:
            stream.keyed_cluster = self._cluster_of(sample)
        span.video.append(packet)

    def take_audio(self, packet: AudioPacket) -> None:
        self._recent_audio.append(packet)
        stream = self._stream
        if stream is None or packet.start < stream.closed_until - WARMUP_SAMPLES:
            return
        span = self._span_for(max(packet.start, stream.start))
        if span is not None and span.holds_audio(packet):
            span.audio.append(packet)

    def next_boundary_at_or_before(self, sample: int) -> int | None:
        """The latest Cluster end not after `sample` still to close, for covering audio up to it."""
        stream = self._stream
        if stream is None:
            return None
        end = self._cluster_end(stream.closed_until)
        if end > sample:
            return None
        return self._grid_start + ((sample - self._grid_start) // CLUSTER_SAMPLES) * CLUSTER_SAMPLES

    def close_until(self, sample: int) -> None:
        """Emit every Cluster that ends at or before `sample`."""
        while (stream := self._stream) is not None and self._cluster_end(stream.closed_until) <= sample:
            self._close_cluster(self._cluster_end(stream.closed_until), final=False)

    def close_at_stop(self, end_sample: int) -> None:
        stream = self._stream
        if stream is not None:
            while stream.closed_until < end_sample:
                end = self._cluster_end(stream.closed_until)
                self._close_cluster(min(end_sample, end), final=end >= end_sample)
        self._end_stream()
        with self._lock:
            request, self._request = self._request, None
        if request is not None and request.outbox is not None:
            request.outbox.close()

    # --- inside ---

    def _grid_ceil(self, sample: int) -> int:
        return self._grid_start + math.ceil((sample - self._grid_start) / OPUS_FRAME) * OPUS_FRAME

    def _cluster_of(self, sample: int) -> int:
        return (sample - self._grid_start) // CLUSTER_SAMPLES

    def _cluster_end(self, start: int) -> int:
        return self._grid_start + (self._cluster_of(start) + 1) * CLUSTER_SAMPLES

    def _span_for(self, sample: int) -> PacketSpan | None:
        stream = self._stream
        if stream is None or sample < stream.closed_until:
            return None
        key = self._cluster_of(sample)
        if key not in self._spans:
            cluster_start = max(stream.start, self._grid_start + key * CLUSTER_SAMPLES)
            audio_from = cluster_start - WARMUP_SAMPLES if cluster_start == stream.start else cluster_start
            self._spans[key] = PacketSpan(cluster_start, self._cluster_end(cluster_start), audio_from)
        return self._spans[key]

    def _close_cluster(self, end: int, *, final: bool) -> None:
        stream = self._stream
        assert stream is not None
        start = stream.closed_until
        span = self._spans.pop(self._cluster_of(start), None)
        stream.closed_until = end
        if span is None or (not span.video and not span.audio):
            return
        began = time.perf_counter()
        pieces = _split(span.blocks(stream.origin, end, last=final), stream.max_chunk_bytes)
        with self._lock:
            self._stats.stream_mux_wall_s += time.perf_counter() - began
        if pieces is None:
            log.warning(
                "live stream: a block of %.2f–%.2f s is larger than the server's %d-byte limit: not sent",
                start / AUDIO_RATE_HZ,
                end / AUDIO_RATE_HZ,
                stream.max_chunk_bytes,
            )
            with self._lock:
                self._stats.stream_clusters_oversized += 1
            self._lower_bitrate(stream.max_chunk_bytes / max(1, span.size_bytes))
            return
        origin_s = stream.origin / AUDIO_RATE_HZ
        bounds = [start / AUDIO_RATE_HZ] + [origin_s + p.start_ms / 1000 for p in pieces[1:]]
        bounds.append(end / AUDIO_RATE_HZ)
        for n, piece in enumerate(pieces):
            self._put(
                StreamChunk(
                    stream.generation,
                    stream.next_index,
                    piece.data,
                    bounds[n],
                    bounds[n + 1],
                    origin_s,
                    piece.decodes_alone,
                    video_frames=piece.video_frames,
                    final=final and n == len(pieces) - 1,
                )
            )
            stream.next_index += 1

    def _put(self, chunk: StreamChunk) -> None:
        stream = self._stream
        assert stream is not None
        with self._lock:
            self._stats.stream_chunks_emitted += 1
            self._stats.stream_bytes += chunk.size_bytes
        stream.outbox.put(chunk)

    def _end_stream(self) -> None:
        stream, self._stream = self._stream, None
        self._spans.clear()
        if stream is not None:
            stream.outbox.close()


@dataclass(frozen=True, slots=True)
class _Piece:
    data: bytes
    start_ms: int
    """Where its media starts, from the stream's origin (audio blocks less their CodecDelay)."""
    decodes_alone: bool
    video_frames: int


def _split(blocks: list[Block], max_bytes: int) -> list[_Piece] | None:
    """The blocks as Clusters of at most `max_bytes` each, in order; None when one block alone
    is too large to be sent."""
    ordered = sorted(blocks, key=lambda b: (b.time_ms, b.track))
    groups: list[list[Block]] = [[]]
    size = _CLUSTER_OVERHEAD_BYTES
    for block in ordered:
        block_size = len(block.data) + _BLOCK_OVERHEAD_BYTES
        if block_size + _CLUSTER_OVERHEAD_BYTES > max_bytes:
            return None
        if groups[-1] and size + block_size > max_bytes:
            groups.append([])
            size = _CLUSTER_OVERHEAD_BYTES
        groups[-1].append(block)
        size += block_size
    return [_piece(group) for group in groups if group]


def _piece(group: list[Block]) -> _Piece:
    delay_ms = sample_ms(WARMUP_SAMPLES)
    start_ms = min(b.time_ms - (delay_ms if b.track == AUDIO_TRACK else 0) for b in group)
    video = [b for b in group if b.track == VIDEO_TRACK]
    data = cluster(group, min(b.time_ms for b in group))
    return _Piece(data, max(0, start_ms), not video or video[0].keyframe, len(video))
