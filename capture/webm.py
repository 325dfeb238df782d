"""The little EBML surgery a finished WebM segment may need: recognising one, and padding it.

The API rejects files under 10 KB, and a static picture with quiet audio can encode smaller than
that. Matroska has a legal filler for exactly this: the EBML Void element, which every reader skips.
Appending one inside the Segment (and growing the Segment's declared size to match) makes the file
larger without touching a single media byte.
"""

from __future__ import annotations

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
SEGMENT_ID = b"\x18\x53\x80\x67"
VOID_ID = b"\xec"
_VOID_SIZE_WIDTH = 8
_VOID_OVERHEAD = len(VOID_ID) + _VOID_SIZE_WIDTH


class WebmLayoutError(ValueError):
    """The bytes are not laid out as a single EBML header followed by one Segment."""


def is_webm(data: bytes) -> bool:
    """True when `data` starts with an EBML header whose DocType is webm."""
    if not data.startswith(EBML_MAGIC):
        return False
    try:
        size, width = read_vint(data, len(EBML_MAGIC))
    except WebmLayoutError:
        return False
    header = data[len(EBML_MAGIC) + width : len(EBML_MAGIC) + width + size]
    return b"\x42\x82" in header and b"webm" in header


def read_vint(data: bytes, pos: int) -> tuple[int, int]:
    """The EBML variable-length integer at `pos`: (value, bytes it takes). An all-ones value
    (the 'unknown size' marker) comes back as -1."""
    if pos >= len(data):
        raise WebmLayoutError(f"the file ends at byte {pos}, where a size was expected")
    first = data[pos]
    width = 1
    while width <= 8 and not first & (0x80 >> (width - 1)):
        width += 1
    if width > 8 or pos + width > len(data):
        raise WebmLayoutError(f"invalid EBML size at byte {pos}")
    value = first & (0xFF >> width)
    for byte in data[pos + 1 : pos + width]:
        value = (value << 8) | byte
    if value == (1 << (7 * width)) - 1:
        return -1, width
    return value, width


def encode_vint(value: int, width: int) -> bytes:
    """`value` as an EBML size of exactly `width` bytes."""
    if not 0 <= value < (1 << (7 * width)) - 1:
        raise WebmLayoutError(f"{value} does not fit an EBML size of {width} bytes")
    return ((1 << (7 * width)) | value).to_bytes(width, "big")


def pad_to_size(data: bytes, min_bytes: int) -> bytes:
    """`data` grown to at least `min_bytes` by one Void element at the end of its Segment.

    The Segment must be the last element of the file (as FFmpeg's muxer writes it). Positions the
    file records (SeekHead, Cues) are relative to the Segment's start and stay valid."""
    shortfall = min_bytes - len(data)
    if shortfall <= 0:
        return data
    if not data.startswith(EBML_MAGIC):
        raise WebmLayoutError("not an EBML file")
    header_size, header_width = read_vint(data, len(EBML_MAGIC))
    if header_size < 0:
        raise WebmLayoutError("the EBML header has no size")
    segment_at = len(EBML_MAGIC) + header_width + header_size
    if data[segment_at : segment_at + len(SEGMENT_ID)] != SEGMENT_ID:
        raise WebmLayoutError("no Segment after the EBML header")
    size_at = segment_at + len(SEGMENT_ID)
    segment_size, size_width = read_vint(data, size_at)
    body_at = size_at + size_width
    if segment_size >= 0 and body_at + segment_size != len(data):
        raise WebmLayoutError("the Segment is not the last element of the file")
    void = VOID_ID + encode_vint(max(0, shortfall - _VOID_OVERHEAD), _VOID_SIZE_WIDTH)
    void += bytes(max(0, shortfall - _VOID_OVERHEAD))
    if segment_size < 0:
        # An unknown-size Segment runs to the end of the file, so it takes in the Void as it is.
        return data + void
    new_size = encode_vint(segment_size + len(void), size_width)
    return data[:size_at] + new_size + data[body_at:] + void
