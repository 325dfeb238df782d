"""What the segment encoder is asked to do (`EncoderConfig`) and what it reports (`EncoderStats`)."""

from __future__ import annotations

import os
from dataclasses import dataclass

# The service's v0 segment limits (PROTOCOL.md §3), in their one home: capture/ must honour them
# and may not import app/, so the uplink and the settings read them from here.
MIN_SEGMENT_S = 3.0
MAX_SEGMENT_S = 5.0
MIN_SEGMENT_BYTES = 10 * 1024
MAX_SEGMENT_BYTES = 20 * 1024 * 1024

CODECS = ("vp8", "vp9")
MIN_VIDEO_BITRATE_BPS = 150_000
_REFERENCE_PIXELS = 640 * 480
_REFERENCE_BITRATE_BPS = 1_000_000
_MAX_AUTO_BITRATE_BPS = 2_500_000


@dataclass(frozen=True, slots=True)
class EncoderConfig:
    segment_s: float = 4.0
    codec: str = "vp8"
    width: int = 640
    height: int = 480
    """Output size. Frames of another size are scaled to fit and letterboxed (their shape kept)."""
    fps: float = 30.0
    """Nominal frame rate, for rate control; frames are timed by their own stamps."""
    video_bitrate_bps: int | None = None
    """None: about 1 Mbps at 640x480, scaled by pixel count, within 150 kbps .. 2.5 Mbps."""
    audio_bitrate_bps: int = 64_000
    """Opus at a constant bitrate: 64 kbps alone keeps a 3 s segment over the 10 KB floor."""
    queue_frames: int = 30
    queue_audio_chunks: int = 100
    has_audio_input: bool = True
    """False when there is no microphone: the audio track is then silence, and windows close on
    video alone instead of waiting for audio that will never come."""
    block_when_full: bool = False
    """Block the producer on a full queue instead of dropping. Only for fast file or synthetic
    sources (tests, benchmarks, `stream --fast`), never for a camera or microphone; the encoder
    must be started before such a producer fills the queue."""
    max_segment_bytes: int = MAX_SEGMENT_BYTES
    threads: int | None = None
    """Encoder threads; None: from the picture size and the machine's cores."""

    def __post_init__(self) -> None:
        if not MIN_SEGMENT_S <= self.segment_s <= MAX_SEGMENT_S:
            raise ValueError(f"segment_s must be {MIN_SEGMENT_S}–{MAX_SEGMENT_S} s, not {self.segment_s}")
        if self.codec not in CODECS:
            raise ValueError(f"codec must be one of {', '.join(CODECS)}, not {self.codec!r}")
        if self.width < 16 or self.height < 16 or self.width % 2 or self.height % 2:
            raise ValueError(
                f"the output size must be even and at least 16x16, not {self.width}x{self.height}"
            )
        if not 1.0 <= self.fps <= 120.0:
            raise ValueError(f"fps must be 1–120, not {self.fps}")
        if self.video_bitrate_bps is not None and self.video_bitrate_bps < MIN_VIDEO_BITRATE_BPS:
            raise ValueError(f"video_bitrate_bps must be at least {MIN_VIDEO_BITRATE_BPS}")
        if not 6_000 <= self.audio_bitrate_bps <= 510_000:
            raise ValueError("audio_bitrate_bps must be 6000–510000 (what Opus supports)")
        if self.queue_frames < 1 or self.queue_audio_chunks < 1:
            raise ValueError("the queues must hold at least one item")
        if not 2 * MIN_SEGMENT_BYTES <= self.max_segment_bytes <= MAX_SEGMENT_BYTES:
            raise ValueError(f"max_segment_bytes must be {2 * MIN_SEGMENT_BYTES}–{MAX_SEGMENT_BYTES}")
        if self.threads is not None and not 1 <= self.threads <= 16:
            raise ValueError("threads must be 1–16 or None")

    @property
    def resolved_video_bitrate_bps(self) -> int:
        if self.video_bitrate_bps is not None:
            return self.video_bitrate_bps
        scaled = _REFERENCE_BITRATE_BPS * self.width * self.height / _REFERENCE_PIXELS
        return int(min(_MAX_AUTO_BITRATE_BPS, max(MIN_VIDEO_BITRATE_BPS, scaled)))

    @property
    def resolved_threads(self) -> int:
        if self.threads is not None:
            return self.threads
        # libvpx's threads wait for one another by spinning. With no core to spare (2 cores shared
        # with Qt, the camera and the analyzer) a second thread made 720p encoding 3-10x slower
        # whenever the machine was busy (measured), so extra threads start at 3 cores; and, as in
        # aiortc, pictures up to VGA gain nothing from them.
        cores = os.cpu_count() or 1
        if self.width * self.height <= _REFERENCE_PIXELS or cores < 3:
            return 1
        return min(4, cores - 1)


@dataclass(slots=True)
class EncoderStats:
    """Totals since the encoder started, as a snapshot.

    Every received frame ends up in exactly one of: emitted, dropped (full queue, or after stop),
    out of order, discarded (its segment failed or was oversized), short tail. Every received
    sample likewise in: emitted, dropped, late (its place on the timeline was already written),
    discarded (a gap, a failed or oversized segment), short tail.
    """

    segments_emitted: int = 0
    video_frames_received: int = 0
    video_frames_emitted: int = 0
    video_frames_dropped: int = 0
    video_frames_out_of_order: int = 0
    """Frames stamped no later than the frame before them, or for a window already closed."""
    video_frames_discarded: int = 0
    audio_chunks_received: int = 0
    audio_samples_received: int = 0
    audio_samples_emitted: int = 0
    audio_chunks_dropped: int = 0
    audio_samples_dropped: int = 0
    audio_samples_late: int = 0
    audio_samples_discarded: int = 0
    silence_samples: int = 0
    """Silence written in emitted segments where no audio was captured (no microphone, a hole)."""
    gaps: int = 0
    """Windows not emitted because they hold no video at all (the camera was gone)."""
    gap_s: float = 0.0
    short_tail_s: float = 0.0
    """Media left at stop in a final window too short to send (under `MIN_SEGMENT_S`)."""
    short_tail_video_frames: int = 0
    short_tail_audio_samples: int = 0
    segments_padded: int = 0
    """Segments grown to `MIN_SEGMENT_BYTES` with an EBML Void element."""
    segments_oversized: int = 0
    """Segments over `max_segment_bytes`: not emitted; the bitrate is lowered for the next ones."""
    segments_failed: int = 0
    """Segments whose encoding raised (each reported through `on_error`)."""
    encode_load_last: float = 0.0
    """Wall time spent encoding the last segment over its media duration (1.0 = real time)."""
    encode_load_avg: float = 0.0
    encode_wall_s: float = 0.0
    media_s: float = 0.0
    """Media time in emitted segments."""
    video_bitrate_bps: int = 0
    """The video bitrate new segments are started with."""
    queued_video_frames: int = 0
    queued_audio_chunks: int = 0
    segment_mux_wall_s: float = 0.0
    """Of `encode_wall_s`, the time spent writing the segments' files from the packets."""
    stream_chunks_emitted: int = 0
    """Live-stream chunks handed to a `StreamOutbox` (headers included)."""
    stream_bytes: int = 0
    stream_mux_wall_s: float = 0.0
    """Wall time spent laying out the live stream's Clusters: the cost of the second mux."""
    stream_clusters_oversized: int = 0
    """Clusters holding a block larger than the stream's chunk limit: not sent."""
