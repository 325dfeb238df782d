"""Reading the pattern window (`tests/pattern_window.py`) back out of decoded segments: where its
blue field is, where its yellow square is, and whether a frame is the "picture missing" card."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np

from capture.frame_pacer import CARD_GREY
from support.pattern_window import SQUARE_PX, square_left


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    t: float
    """Session time: the segment's t0 plus the frame's time in the file."""
    image: np.ndarray
    """BGR."""


def decode_frames(segments: list[dict[str, float]], data: list[bytes]) -> list[DecodedFrame]:
    frames = []
    for segment, webm in zip(segments, data, strict=True):
        with av.open(io.BytesIO(webm)) as container:
            for frame in container.decode(video=0):
                t = segment["t0"] + float(frame.pts * frame.time_base)
                frames.append(DecodedFrame(t, frame.to_ndarray(format="bgr24")))
    return frames


def segment_sizes(data: list[bytes]) -> set[tuple[int, int]]:
    sizes = set()
    for webm in data:
        with av.open(io.BytesIO(webm)) as container:
            stream = container.streams.video[0]
            sizes.add((stream.width, stream.height))
    return sizes


def blue_mask(image: np.ndarray) -> np.ndarray:
    b, g, r = (image[:, :, i].astype(np.int16) for i in range(3))
    return (b > 150) & (g < 110) & (r < 90)


def yellow_mask(image: np.ndarray) -> np.ndarray:
    b, g, r = (image[:, :, i].astype(np.int16) for i in range(3))
    return (b < 110) & (g > 160) & (r > 200)


def bounding_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the True pixels, right and bottom exclusive, or None."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def field_box(image: np.ndarray) -> tuple[int, int, int, int] | None:
    """The pattern's blue field with its square: the box round both colours."""
    return bounding_box(blue_mask(image) | yellow_mask(image))


def square_centre_x(image: np.ndarray) -> float | None:
    mask = yellow_mask(image)
    if mask.sum() < 20:
        return None
    return float(np.flatnonzero(mask.any(axis=0)).mean())


def is_missing_card(image: np.ndarray) -> bool:
    """The pacer's "picture missing" card: dark grey all over but for its light text."""
    grey = np.abs(image.astype(np.int16) - CARD_GREY).max(axis=2) < 12
    return bool(grey.mean() > 0.8)


def expected_square_centre(t_monotonic: float, started: float, window_width: int) -> float:
    """Where the square's centre is in the window, in window pixels, at a monotonic time."""
    return square_left(t_monotonic - started, window_width) + SQUARE_PX / 2


def square_track(
    frames: list[DecodedFrame],
    *,
    left: float,
    scale: float,
    clock_start: float,
    started: float,
    window_width: int,
) -> list[tuple[float, float]]:
    """(measured, expected) square centres in output pixels, for frames away from the wrap."""
    track = []
    travel_end = window_width - 16 - SQUARE_PX / 2
    for frame in frames:
        measured = square_centre_x(frame.image)
        if measured is None:
            continue
        expected_in_window = expected_square_centre(clock_start + frame.t, started, window_width)
        if not 16 + SQUARE_PX / 2 + 30 < expected_in_window < travel_end - 30:
            continue  # near the wrap a late frame would look wildly off
        track.append((measured, left + expected_in_window * scale))
    return track
