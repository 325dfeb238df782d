"""Real faces for the face-cue tests: scikit-image's astronaut photograph moved, scaled, rolled,
covered, and turned in depth.

A flat photograph turned about a vertical axis is only squeezed, which a landmark model rightly
reads as a narrower face looking straight ahead. To turn the head itself, the photograph's face
is lifted onto its own 3-D surface (the landmarker's 478 points with their depth, read once from
the frontal photograph and triangulated), that surface is rotated, and each triangle facing the
camera is painted back with its own piece of the photograph, far ones first.
"""

from __future__ import annotations

import math
from functools import cache

import cv2
import numpy as np
from scipy.spatial import Delaunay

import bench.clips as seg
from app.analyzer import face_landmarks

FACE_CENTRE = (290, 100)
"""Where the astronaut's face sits in `frontal()` (pixels)."""
_HEAD_AXIS_BEHIND = 0.6
"""The axis a head turns about lies this many face widths behind the face's surface."""


@cache
def frontal() -> np.ndarray:
    """The astronaut, 640x480 BGR (as `bench.clips` pictures are), her face near the top middle."""
    return np.ascontiguousarray(seg.astronaut()[60 : 60 + seg.HEIGHT])


def moved(dx: int, dy: int, scale: float = 1.0, roll_deg: float = 0.0) -> np.ndarray:
    """`frontal()` shifted, scaled and rolled (turned in the picture's plane) about the face."""
    matrix = cv2.getRotationMatrix2D(FACE_CENTRE, roll_deg, scale)
    matrix[:, 2] += (dx, dy)
    return cv2.warpAffine(frontal(), matrix, (seg.WIDTH, seg.HEIGHT), borderMode=cv2.BORDER_REPLICATE)


def covered(picture: np.ndarray) -> np.ndarray:
    """`picture` with the face's whole middle under a grey card, as a hand or a mug would hide it."""
    out = picture.copy()
    x, y = FACE_CENTRE
    cv2.rectangle(out, (x - 130, y - 150), (x + 130, y + 130), (128, 128, 128), -1)
    return out


def small(width_share: float) -> np.ndarray:
    """The astronaut far from the camera: her face `width_share` of the picture's width."""
    points, _ = _mesh()
    scale = width_share / (np.ptp(points[:, 0]) / seg.WIDTH)
    picture = cv2.resize(frontal(), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    out = np.full((seg.HEIGHT, seg.WIDTH, 3), 110, np.uint8)
    h, w = min(seg.HEIGHT - 40, picture.shape[0]), min(seg.WIDTH, picture.shape[1])
    x0 = (seg.WIDTH - w) // 2
    out[40 : 40 + h, x0 : x0 + w] = picture[:h, :w]
    return out


@cache
def _mesh() -> tuple[np.ndarray, np.ndarray]:
    """The frontal face's landmarks in pixels (x, y, depth in pixels) and their triangles."""
    picture = frontal()
    with face_landmarks.landmarker() as reader:
        reading = reader.read(np.ascontiguousarray(picture[:, :, ::-1]))
    assert reading is not None, "the frontal astronaut must be found to build her turned head"
    h, w = picture.shape[:2]
    points = reading.landmarks.astype(np.float64) * (w, h, w)
    return points, Delaunay(points[:, :2]).simplices


@cache
def turned(yaw_deg: float, pitch_deg: float = 0.0) -> np.ndarray:
    """`frontal()` with the head turned by `yaw_deg` (sideways) and `pitch_deg` (up or down)."""
    points, triangles = _mesh()
    picture = frontal()
    out = picture.copy()
    # A head turns about the neck, well behind the face's surface.
    centre = points.mean(axis=0) + np.array([0.0, 0.0, _HEAD_AXIS_BEHIND * np.ptp(points[:, 0])])
    a, b = math.radians(yaw_deg), math.radians(pitch_deg)
    around_y = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    around_x = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    # Depth grows away from the camera: the face's surface is rotated about its own centre.
    moved_points = (points - centre) @ (around_x @ around_y).T + centre
    out = _faceless().copy()
    depth = moved_points[triangles, 2].mean(axis=1)
    for index in np.argsort(-depth):
        triangle = triangles[index]
        source = points[triangle, :2].astype(np.float32)
        target = moved_points[triangle, :2].astype(np.float32)
        if _winding(source) * _winding(target) <= 0:
            continue  # turned away from the camera: hidden behind the rest of the head
        _paint(out, picture, source, target)
    return out


@cache
def _faceless() -> np.ndarray:
    """`frontal()` with the face painted over from its surroundings (hair, skin, background): what
    a turning face uncovers."""
    points, _ = _mesh()
    mask = np.zeros(frontal().shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(points[:, :2].astype(np.int32)), 255)
    return cv2.inpaint(frontal(), cv2.dilate(mask, np.ones((9, 9), np.uint8)), 9, cv2.INPAINT_TELEA)


def _winding(triangle: np.ndarray) -> float:
    edge1, edge2 = triangle[1] - triangle[0], triangle[2] - triangle[0]
    return float(edge1[0] * edge2[1] - edge1[1] * edge2[0])


def _paint(out: np.ndarray, picture: np.ndarray, source: np.ndarray, target: np.ndarray) -> None:
    x, y, w, h = cv2.boundingRect(target)
    if w <= 0 or h <= 0:
        return
    matrix = cv2.getAffineTransform(source, (target - (x, y)).astype(np.float32))
    patch = cv2.warpAffine(picture, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    mask = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(mask, np.round(target - (x, y)).astype(np.int32), 255)
    region = out[y : y + h, x : x + w]
    keep = mask[: region.shape[0], : region.shape[1]] > 0
    region[keep] = patch[: region.shape[0], : region.shape[1]][keep]
