"""Picture cues from a segment's sampled grey frames: face, head movement, motion, frozen, dark.

Faces come from OpenCV's bundled Haar cascade (frontal faces only). After a first full-frame
search the face is looked for near where it was, which is faster and steadier. The nod proxy
follows the face centre: quick down-and-up travel of a noticeable share of the face height.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import cv2.data
import numpy as np

from app.analyzer import thresholds as th
from app.analyzer.decode import SampledFrame

log = logging.getLogger(__name__)

_CASCADE_FILE = "haarcascade_frontalface_default.xml"
# A CascadeClassifier is not safe to share between threads; each executor thread gets its own.
_local = threading.local()

_Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class FaceBox:
    """A face as fractions of the frame: centre, width and height."""

    cx: float
    cy: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class PictureSample:
    t: float
    face: FaceBox | None
    luma: float
    """Mean luma, 0–255."""
    motion: float
    """Mean absolute luma change since the previous sample, 0–255."""
    dark: bool
    frozen: bool


@dataclass(frozen=True, slots=True)
class PictureSummary:
    """The picture cues of one stretch of a segment."""

    samples: int
    face_ratio: float
    face_width: float
    """Median face width as a share of the frame width (0 without a face)."""
    nod_swings: int
    motion: float
    dark_ratio: float
    frozen_ratio: float
    lost_ratio: float
    """Share of samples that are dark or frozen: the picture says nothing there."""


@dataclass(frozen=True, slots=True)
class PictureTrack:
    samples: tuple[PictureSample, ...]

    def summary(self, start_s: float, end_s: float) -> PictureSummary:
        part = [s for s in self.samples if start_s <= s.t < end_s]
        if not part:
            return PictureSummary(0, 0.0, 0.0, 0, 0.0, 0.0, 0.0, 0.0)
        n = len(part)
        widths = [s.face.width for s in part if s.face is not None]
        return PictureSummary(
            samples=n,
            face_ratio=len(widths) / n,
            face_width=float(np.median(widths)) if widths else 0.0,
            nod_swings=count_nod_swings(part),
            motion=float(np.mean([s.motion for s in part])),
            dark_ratio=sum(s.dark for s in part) / n,
            frozen_ratio=sum(s.frozen for s in part) / n,
            lost_ratio=sum(s.dark or s.frozen for s in part) / n,
        )


def measure_picture(frames: Sequence[SampledFrame]) -> PictureTrack:
    finder = _face_finder()
    faces: list[FaceBox | None] = []
    lumas: list[float] = []
    motions: list[float] = []
    previous_small: np.ndarray | None = None
    box: _Box | None = None
    for frame in frames:
        grey = frame.grey
        size = (th.MOTION_WIDTH, _scaled_height(grey, th.MOTION_WIDTH))
        small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
        if previous_small is not None:
            motions.append(float(cv2.absdiff(small, previous_small).mean()))
        previous_small = small
        lumas.append(float(grey.mean()))
        box = finder.find(grey, box)
        faces.append(_face_box(box, grey))
    # The first sample has no predecessor: it shares the second one's change.
    motions = motions[:1] + motions if motions else [0.0] * len(frames)
    still = [motion < th.FROZEN_MAX_DIFF for motion in motions]
    frozen = _lasting(still, max(1, math.ceil(th.FROZEN_MIN_S * th.VIDEO_SAMPLE_FPS)))
    return PictureTrack(
        tuple(
            PictureSample(frame.t, face, luma, motion, luma < th.DARK_MAX_LUMA, stalled)
            for frame, face, luma, motion, stalled in zip(frames, faces, lumas, motions, frozen, strict=True)
        )
    )


def _lasting(flags: Sequence[bool], min_length: int) -> list[bool]:
    """`flags` with every run of True shorter than `min_length` cleared."""
    out = [False] * len(flags)
    start = 0
    for i, flag in enumerate([*flags, False]):
        if not flag:
            if i - start >= min_length:
                out[start:i] = [True] * (i - start)
            start = i + 1
    return out


def count_nod_swings(samples: Sequence[PictureSample]) -> int:
    """Quick vertical movements of the face centre, each at least `NOD_MIN_SWING` face heights.

    A zigzag over the centre's height: a movement ends where the centre turns back by at least
    the threshold. Movements slower than `NOD_MAX_LEG_S` or more sideways than vertical are not
    nods. A sample without a face breaks the chain.
    """
    swings = 0
    for run in _face_runs(samples):
        if len(run) < 2:
            continue
        # In face sizes, so that near and far faces nod alike.
        width = float(np.median([s.face.width for s in run if s.face is not None]))
        height = float(np.median([s.face.height for s in run if s.face is not None]))
        points = [(s.t, s.face.cx / width, s.face.cy / height) for s in run if s.face is not None]
        for (t0, x0, y0), (t1, x1, y1) in _zigzag_legs(points, th.NOD_MIN_SWING):
            if t1 - t0 <= th.NOD_MAX_LEG_S and abs(x1 - x0) <= abs(y1 - y0):
                swings += 1
    return swings


_Point = tuple[float, float, float]


def _zigzag_legs(points: Sequence[_Point], min_move: float) -> list[tuple[_Point, _Point]]:
    legs: list[tuple[_Point, _Point]] = []
    pivot = extreme = points[0]
    direction = 0
    for point in points[1:]:
        move = point[2] - extreme[2]
        if direction == 0:
            if abs(point[2] - pivot[2]) >= min_move:
                direction = 1 if point[2] > pivot[2] else -1
                extreme = point
        elif move * direction > 0:
            extreme = point
        elif abs(move) >= min_move:
            legs.append((pivot, extreme))
            pivot, extreme, direction = extreme, point, -direction
    if direction != 0 and abs(extreme[2] - pivot[2]) >= min_move:
        legs.append((pivot, extreme))
    return legs


def _face_runs(samples: Sequence[PictureSample]) -> list[list[PictureSample]]:
    runs: list[list[PictureSample]] = [[]]
    for sample in samples:
        if sample.face is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(sample)
    return [run for run in runs if run]


class _FaceFinder:
    def __init__(self) -> None:
        self._cascade = cv2.CascadeClassifier(cv2.data.haarcascades + _CASCADE_FILE)
        if self._cascade.empty():
            raise RuntimeError(f"OpenCV's {_CASCADE_FILE} could not be loaded")

    def find(self, grey: np.ndarray, near: _Box | None) -> _Box | None:
        """The largest face, first searched around `near` (the previous sample's face)."""
        if near is not None:
            found = self._find_near(grey, near)
            if found is not None:
                return found
        min_side = max(12, round(grey.shape[1] * th.FACE_MIN_WIDTH_FRACTION))
        return _largest(self._detect(grey, (min_side, min_side)))

    def _find_near(self, grey: np.ndarray, near: _Box) -> _Box | None:
        x, y, w, h = near
        margin = round(max(w, h) * th.FACE_TRACK_MARGIN)
        x0, y0 = max(0, x - margin), max(0, y - margin)
        x1, y1 = min(grey.shape[1], x + w + margin), min(grey.shape[0], y + h + margin)
        shrink, grow = th.FACE_TRACK_SIZE_RANGE
        smallest = max(12, round(w * shrink))
        largest = round(w * grow)
        if x1 - x0 < smallest or y1 - y0 < smallest:
            return None
        found = _largest(self._detect(grey[y0:y1, x0:x1], (smallest, smallest), (largest, largest)))
        return None if found is None else (found[0] + x0, found[1] + y0, found[2], found[3])

    def _detect(
        self, grey: np.ndarray, min_size: tuple[int, int], max_size: tuple[int, int] = (0, 0)
    ) -> Sequence[Sequence[int]]:
        # maxSize (0, 0) means no upper bound to OpenCV.
        return self._cascade.detectMultiScale(
            grey,
            scaleFactor=th.FACE_SCALE_FACTOR,
            minNeighbors=th.FACE_MIN_NEIGHBORS,
            minSize=min_size,
            maxSize=max_size,
        )


def _face_finder() -> _FaceFinder:
    finder = getattr(_local, "finder", None)
    if finder is None:
        finder = _local.finder = _FaceFinder()
    return finder


def _largest(faces: Sequence[Sequence[int]]) -> _Box | None:
    if len(faces) == 0:
        return None
    x, y, w, h = max(faces, key=lambda f: int(f[2]) * int(f[3]))
    return int(x), int(y), int(w), int(h)


def _face_box(box: _Box | None, grey: np.ndarray) -> FaceBox | None:
    if box is None:
        return None
    x, y, w, h = box
    height, width = grey.shape[:2]
    return FaceBox((x + w / 2) / width, (y + h / 2) / height, w / width, h / height)


def _scaled_height(grey: np.ndarray, width: int) -> int:
    height: int = round(width * int(grey.shape[0]) / int(grey.shape[1]))
    return max(2, height)
