"""Picture cues from a segment's sampled frames: the face and what it does, motion, frozen, dark.

The face comes from MediaPipe's landmarker, tracked and bridged through the samples
(`face_tracking`); eye contact, smiles and blinks are read per sample (`gaze`). Nods are quick
up-and-down movements of the head, seen as a swing of its pitch angle or of its place in the
picture; head shakes are quick swings of its yaw. Motion, a dark picture and a frozen one come
from the grey frames themselves.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from app.analyzer import gaze
from app.analyzer import thresholds as th
from app.analyzer.decode import SampledFrame
from app.analyzer.face_tracking import FaceSample, track_faces

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PictureSample:
    t: float
    face: FaceSample | None
    luma: float
    """Mean luma, 0–255."""
    motion: float
    """Mean absolute luma change since the previous sample, 0–255."""
    dark: bool
    frozen: bool


@dataclass(frozen=True, slots=True)
class PictureSummary:
    """The picture cues of one stretch of a segment; ratios are shares of its samples."""

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
    eye_contact_ratio: float = 0.0
    turned_away_ratio: float = 0.0
    """A face is there but turned away from the camera."""
    smile_ratio: float = 0.0
    shake_swings: int = 0
    blinks: int = 0

    @property
    def facing_ratio(self) -> float:
        """A face is there and turned toward the camera."""
        return self.face_ratio - self.turned_away_ratio

    @property
    def face_s(self) -> float:
        return self.face_ratio * self.samples / th.VIDEO_SAMPLE_FPS


@dataclass(frozen=True, slots=True)
class PictureTrack:
    samples: tuple[PictureSample, ...]

    def summary(self, start_s: float, end_s: float) -> PictureSummary:
        part = [s for s in self.samples if start_s <= s.t < end_s]
        if not part:
            return PictureSummary(0, 0.0, 0.0, 0, 0.0, 0.0, 0.0, 0.0)
        n = len(part)
        faces = [s.face for s in part if s.face is not None]

        def share(test: Callable[[FaceSample], bool]) -> float:
            return sum(test(face) for face in faces) / n

        return PictureSummary(
            samples=n,
            face_ratio=len(faces) / n,
            face_width=float(np.median([face.width for face in faces])) if faces else 0.0,
            nod_swings=count_nod_swings(part),
            motion=float(np.mean([s.motion for s in part])),
            dark_ratio=sum(s.dark for s in part) / n,
            frozen_ratio=sum(s.frozen for s in part) / n,
            lost_ratio=sum(s.dark or s.frozen for s in part) / n,
            eye_contact_ratio=share(gaze.eye_contact),
            turned_away_ratio=share(gaze.turned_away),
            smile_ratio=share(gaze.smiling),
            shake_swings=count_shake_swings(part),
            blinks=gaze.count_blinks([s.face for s in part]),
        )


def measure_picture(frames: Sequence[SampledFrame]) -> PictureTrack:
    lumas: list[float] = []
    motions: list[float] = []
    previous_small: np.ndarray | None = None
    for frame in frames:
        grey = frame.grey
        size = (th.MOTION_WIDTH, _scaled_height(grey, th.MOTION_WIDTH))
        small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
        if previous_small is not None:
            motions.append(float(cv2.absdiff(small, previous_small).mean()))
        previous_small = small
        lumas.append(float(grey.mean()))
    faces = track_faces(frames)
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


_Point = tuple[float, float, float]
"""(t, across, along): a zigzag runs along the third coordinate."""


def count_nod_swings(samples: Sequence[PictureSample]) -> int:
    """Quick up-and-down movements of the head: swings of its pitch of at least `NOD_MIN_PITCH_DEG`,
    or of its place of at least `NOD_MIN_SWING` face heights, whichever shows more.

    A zigzag over the angle (or the height): a movement ends where it turns back by at least the
    threshold. Movements slower than `NOD_MAX_LEG_S`, or more sideways than vertical, are not nods.
    A sample without a face breaks the chain.
    """
    by_angle = by_place = 0
    for run in _face_runs(samples):
        by_angle += _quick_legs([(s.t, f.yaw_deg, f.pitch_deg) for s, f in run], th.NOD_MIN_PITCH_DEG)
        # In face sizes, so that near and far faces nod alike.
        width = float(np.median([f.width for _, f in run]))
        height = float(np.median([f.height for _, f in run]))
        by_place += _quick_legs([(s.t, f.cx / width, f.cy / height) for s, f in run], th.NOD_MIN_SWING)
    return max(by_angle, by_place)


def count_shake_swings(samples: Sequence[PictureSample]) -> int:
    """Quick side-to-side turns of the head: swings of its yaw of at least `SHAKE_MIN_YAW_DEG`."""
    return sum(
        _quick_legs([(s.t, f.pitch_deg, f.yaw_deg) for s, f in run], th.SHAKE_MIN_YAW_DEG)
        for run in _face_runs(samples)
    )


def _quick_legs(points: Sequence[_Point], min_move: float) -> int:
    """Zigzag legs along the third coordinate that take at most `NOD_MAX_LEG_S` and move more
    along it than along the second."""
    if len(points) < 2:
        return 0
    return sum(
        1
        for (t0, a0, b0), (t1, a1, b1) in _zigzag_legs(points, min_move)
        if t1 - t0 <= th.NOD_MAX_LEG_S and abs(a1 - a0) <= abs(b1 - b0)
    )


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


def _face_runs(samples: Sequence[PictureSample]) -> list[list[tuple[PictureSample, FaceSample]]]:
    runs: list[list[tuple[PictureSample, FaceSample]]] = [[]]
    for sample in samples:
        if sample.face is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((sample, sample.face))
    return [run for run in runs if run]


def _scaled_height(grey: np.ndarray, width: int) -> int:
    height: int = round(width * int(grey.shape[0]) / int(grey.shape[1]))
    return max(2, height)
