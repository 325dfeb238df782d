"""WebM written from packets encoded once: the standalone v0 segments and the live v1/v2 stream.

FFmpeg's muxer owns its packets' fate (it decides where a Cluster ends and keeps Opus' priming
only at a file's very start), so the two outputs that share one encoder are laid out here,
with the handful of Matroska elements a WebM player needs: the EBML header, a Segment, Info,
Tracks, and Clusters of SimpleBlocks (a BlockGroup where a block needs a duration, a
reference or discard padding). TimestampScale is one millisecond.

Audio blocks carry their time plus the track's CodecDelay, as Matroska asks: the decoder drops
that many samples at the start (the warm-up packets before the file's first instant) and plays
the rest from time 0.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from capture.media import AUDIO_RATE_HZ

VIDEO_TRACK = 1
AUDIO_TRACK = 2
CODEC_IDS = {"vp8": "V_VP8", "vp9": "V_VP9"}
MUXING_APP = "interhuman-live"
SEEK_PRE_ROLL_NS = 80_000_000
"""Opus' recommended pre-roll: what a decoder starting mid-stream needs to converge."""
_MAX_RELATIVE_MS = 32_767
"""A block's time is a signed 16-bit offset from its Cluster's."""

_EBML = b"\x1a\x45\xdf\xa3"
_SEGMENT = b"\x18\x53\x80\x67"
_INFO = b"\x15\x49\xa9\x66"
_TRACKS = b"\x16\x54\xae\x6b"
_CLUSTER = b"\x1f\x43\xb6\x75"
_UNKNOWN_SIZE = b"\x01\xff\xff\xff\xff\xff\xff\xff"


@dataclass(frozen=True, slots=True)
class TrackSetup:
    """What a WebM needs to know about the two tracks (the same for every output of one encode)."""

    codec: str
    width: int
    height: int
    opus_head: bytes
    """The Opus encoder's identification header, its pre-skip set to `codec_delay_samples`."""
    codec_delay_samples: int


@dataclass(frozen=True, slots=True)
class Block:
    track: int
    time_ms: int
    """From the output's origin; for audio including the CodecDelay."""
    data: bytes
    keyframe: bool = True
    duration_ms: int | None = None
    reference_ms: int | None = None
    """For a video frame that needs a BlockGroup: the offset of the frame it depends on."""
    discard_samples: int = 0
    """Samples at the end of this audio packet that lie past the output's end."""


def size_vint(value: int) -> bytes:
    """`value` as the shortest EBML size (all-ones, the unknown-size marker, is skipped)."""
    for width in range(1, 9):
        if value < (1 << (7 * width)) - 1:
            return ((1 << (7 * width)) | value).to_bytes(width, "big")
    raise ValueError(f"{value} is too large for an EBML size")


def _element(element_id: bytes, payload: bytes) -> bytes:
    return element_id + size_vint(len(payload)) + payload


def _uint(element_id: bytes, value: int) -> bytes:
    return _element(element_id, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def _sint(element_id: bytes, value: int) -> bytes:
    width = 1
    while not -(1 << (8 * width - 1)) <= value < (1 << (8 * width - 1)):
        width += 1
    return _element(element_id, value.to_bytes(width, "big", signed=True))


def _float(element_id: bytes, value: float) -> bytes:
    return _element(element_id, struct.pack(">d", value))


def _text(element_id: bytes, value: str) -> bytes:
    return _element(element_id, value.encode())


def ebml_header() -> bytes:
    return _element(
        _EBML,
        _uint(b"\x42\x86", 1)  # EBMLVersion
        + _uint(b"\x42\xf7", 1)  # EBMLReadVersion
        + _uint(b"\x42\xf2", 4)  # EBMLMaxIDLength
        + _uint(b"\x42\xf3", 8)  # EBMLMaxSizeLength
        + _text(b"\x42\x82", "webm")  # DocType
        + _uint(b"\x42\x87", 4)  # DocTypeVersion
        + _uint(b"\x42\x85", 2),  # DocTypeReadVersion
    )


def _info(duration_ms: float | None) -> bytes:
    body = _uint(b"\x2a\xd7\xb1", 1_000_000) + _text(b"\x4d\x80", MUXING_APP) + _text(b"\x57\x41", MUXING_APP)
    if duration_ms is not None:
        body += _float(b"\x44\x89", duration_ms)
    return _element(_INFO, body)


def _tracks(setup: TrackSetup) -> bytes:
    video = _element(
        b"\xae",  # TrackEntry
        _uint(b"\xd7", VIDEO_TRACK)  # TrackNumber
        + _uint(b"\x73\xc5", VIDEO_TRACK)  # TrackUID
        + _uint(b"\x83", 1)  # TrackType: video
        + _uint(b"\x9c", 0)  # FlagLacing
        + _text(b"\x86", CODEC_IDS[setup.codec])
        + _element(b"\xe0", _uint(b"\xb0", setup.width) + _uint(b"\xba", setup.height)),
    )
    audio = _element(
        b"\xae",
        _uint(b"\xd7", AUDIO_TRACK)
        + _uint(b"\x73\xc5", AUDIO_TRACK)
        + _uint(b"\x83", 2)  # TrackType: audio
        + _uint(b"\x9c", 0)
        + _text(b"\x86", "A_OPUS")
        + _element(b"\x63\xa2", setup.opus_head)  # CodecPrivate
        + _uint(b"\x56\xaa", setup.codec_delay_samples * 1_000_000_000 // AUDIO_RATE_HZ)  # CodecDelay
        + _uint(b"\x56\xbb", SEEK_PRE_ROLL_NS)
        + _element(b"\xe1", _float(b"\xb5", float(AUDIO_RATE_HZ)) + _uint(b"\x9f", 1)),
    )
    return _element(_TRACKS, video + audio)


def _block(block: Block, cluster_ms: int) -> bytes:
    relative = block.time_ms - cluster_ms
    head = bytes([0x80 | block.track]) + struct.pack(">h", relative)  # track numbers are under 127
    needs_group = block.duration_ms is not None or block.discard_samples > 0
    if not needs_group:
        return _element(b"\xa3", head + bytes([0x80 if block.keyframe else 0x00]) + block.data)
    body = _element(b"\xa1", head + b"\x00" + block.data)
    if block.duration_ms is not None:
        body += _uint(b"\x9b", block.duration_ms)
    if not block.keyframe:
        body += _sint(b"\xfb", block.reference_ms if block.reference_ms is not None else -1)
    if block.discard_samples > 0:
        body += _sint(b"\x75\xa2", block.discard_samples * 1_000_000_000 // AUDIO_RATE_HZ)
    return _element(b"\xa0", body)


def cluster(blocks: Sequence[Block], cluster_ms: int) -> bytes:
    """One Cluster at `cluster_ms` holding `blocks` in time order (all within 32 s of it)."""
    ordered = sorted(blocks, key=lambda b: (b.time_ms, b.track))
    if ordered and not 0 <= ordered[-1].time_ms - cluster_ms <= _MAX_RELATIVE_MS:
        raise ValueError("a Cluster spans at most 32 s")
    if ordered and ordered[0].time_ms < cluster_ms:
        raise ValueError("a block cannot start before its Cluster")
    return _element(_CLUSTER, _uint(b"\xe7", cluster_ms) + b"".join(_block(b, cluster_ms) for b in ordered))


def stream_header(setup: TrackSetup) -> bytes:
    """The start of a live WebM: the EBML header and a Segment of unknown size with Info and
    Tracks. Clusters follow it, each a complete element."""
    return ebml_header() + _SEGMENT + _UNKNOWN_SIZE + _info(None) + _tracks(setup)


def standalone_file(setup: TrackSetup, blocks: Iterable[Block], duration_ms: float) -> bytes:
    """A complete WebM file of `blocks` (times from 0), declaring its duration."""
    ordered = sorted(blocks, key=lambda b: (b.time_ms, b.track))
    clusters = []
    start = 0
    while start < len(ordered):
        cluster_ms = ordered[start].time_ms
        end = start
        while end < len(ordered) and ordered[end].time_ms - cluster_ms <= _MAX_RELATIVE_MS:
            end += 1
        clusters.append(cluster(ordered[start:end], cluster_ms))
        start = end
    body = _info(duration_ms) + _tracks(setup) + b"".join(clusters)
    # An eight-byte size, as FFmpeg writes it, leaves room to grow the Segment (capture/webm.py
    # pads a small file by appending to it).
    return ebml_header() + _SEGMENT + (len(body) | (1 << 56)).to_bytes(8, "big") + body
