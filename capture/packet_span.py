"""The packets of one piece of output: a v0 segment's window or one Cluster of the live stream.

A span covers session samples [start, end). It takes the video packets stamped inside it and
the audio packets whose output starts in [audio_from, end): a span that begins an output also
holds the `WARMUP_SAMPLES` before its start as pre-roll. It lays them out as WebM blocks timed
from a chosen origin.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from capture.media import AUDIO_RATE_HZ
from capture.packet_encoder import OPUS_FRAME, WARMUP_SAMPLES, AudioPacket, VideoPacket
from capture.webm_mux import AUDIO_TRACK, VIDEO_TRACK, Block

_SAMPLES_PER_MS = AUDIO_RATE_HZ // 1000


def sample_ms(sample: int) -> int:
    """Whole milliseconds of a sample position on the encoder's grid (every grid point is one)."""
    return sample // _SAMPLES_PER_MS


@dataclass(slots=True)
class PacketSpan:
    start: int
    end: int
    audio_from: int
    video: list[VideoPacket] = field(default_factory=list)
    audio: list[AudioPacket] = field(default_factory=list)
    captured_samples: int = 0
    """Captured samples encoded inside the span (silence not included)."""
    silence_samples: int = 0
    failed: bool = False
    encode_s: float = 0.0
    """Wall time spent encoding this span's media."""

    @property
    def t0(self) -> float:
        return self.start / AUDIO_RATE_HZ

    @property
    def t1(self) -> float:
        return self.end / AUDIO_RATE_HZ

    @property
    def video_frames(self) -> int:
        return len(self.video)

    @property
    def size_bytes(self) -> int:
        return sum(len(p.data) for p in self.video) + sum(len(p.data) for p in self.audio)

    def holds_audio(self, packet: AudioPacket) -> bool:
        return self.audio_from <= packet.start < self.end

    def blocks(self, origin: int, end: int, *, last: bool) -> list[Block]:
        """The span as blocks timed from session sample `origin`, cut at `end`. `last`: nothing
        follows (a file, or the stream's final Cluster), so the last picture lasts until `end`
        and the last audio packet's excess is discarded."""
        origin_ms, end_ms = sample_ms(origin), sample_ms(end)
        delay_ms = sample_ms(WARMUP_SAMPLES)
        blocks = []
        video = [p for p in self.video if p.pts_ms < end_ms]
        for n, packet in enumerate(video):
            block = Block(VIDEO_TRACK, packet.pts_ms - origin_ms, packet.data, packet.keyframe)
            if last and n == len(video) - 1:
                previous = video[n - 1].pts_ms if n else packet.pts_ms - 1
                block = Block(
                    VIDEO_TRACK,
                    block.time_ms,
                    packet.data,
                    packet.keyframe,
                    duration_ms=max(1, end_ms - packet.pts_ms),
                    reference_ms=previous - packet.pts_ms,
                )
            blocks.append(block)
        for audio in self.audio:
            if audio.start >= end:
                continue
            excess = audio.start + OPUS_FRAME - end if last else 0
            time_ms = sample_ms(audio.start - origin) + delay_ms
            blocks.append(Block(AUDIO_TRACK, time_ms, audio.data, discard_samples=max(0, excess)))
        return blocks
