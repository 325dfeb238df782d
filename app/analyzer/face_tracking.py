"""The face through a segment's sampled frames: landmarks where it is, bridged where it blinks out.

Each sample is read by MediaPipe's face landmarker (`face_landmarks`), first in a crop around
where the face was in the previous sample (faster, and the face fills the crop as the landmarker
likes), then in the whole picture. The landmarker's own detector misses faces narrower than
about an eighth of the picture; OpenCV's Haar cascade still finds those, and the landmarker then
reads the enlarged crop around them. Tracking runs forward through the samples, then backward
from each sighting over the samples missed before it, so that a face found late in a segment
(a small one, or one coming back) is followed back to where it was first visible. A face missed
for at most `FACE_BRIDGE_SAMPLES` samples
between two sightings was there all along (a motion blur, a hand passing): those samples carry
the neighbouring reading, marked as bridged.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

import cv2
import cv2.data
import numpy as np

from app.analyzer import thresholds as th
from app.analyzer.decode import SampledFrame
from app.analyzer.face_landmarks import FaceReading, Landmarker, landmarker

_CASCADE_FILE = "haarcascade_frontalface_default.xml"
# A CascadeClassifier is not safe to share between threads; each analysis thread gets its own.
_local = threading.local()

_Box = tuple[float, float, float, float]
"""x, y, width, height in pixels of the colour frame."""


@dataclass(frozen=True, slots=True)
class FaceSample:
    """One sampled face: its place as fractions of the frame, head pose and expression (0–1)."""

    cx: float
    cy: float
    width: float
    height: float
    yaw_deg: float
    pitch_deg: float
    eyes_closed: float
    smile: float
    look_sideways: float
    """Both eyes turned to the same side (left or right)."""
    look_vertical: float
    """Both eyes turned up or down."""
    bridged: bool = False
    """Not seen in this sample but on both sides of it."""


def track_faces(frames: Sequence[SampledFrame]) -> list[FaceSample | None]:
    faces: list[FaceSample | None] = []
    previous: FaceSample | None = None
    with landmarker() as reader:
        for frame in frames:
            face = _find(reader, frame, previous)
            faces.append(face)
            previous = face
        for i in range(len(frames) - 2, -1, -1):
            following = faces[i + 1]
            if faces[i] is None and following is not None:
                faces[i] = _read_around(reader, frames[i].rgb, _box(following, frames[i].rgb.shape))
    return _bridged(faces)


def _find(reader: Landmarker, frame: SampledFrame, previous: FaceSample | None) -> FaceSample | None:
    rgb = frame.rgb
    height, width = rgb.shape[:2]
    if previous is not None:
        found = _read_around(reader, rgb, _box(previous, rgb.shape))
        if found is not None:
            return found
    reading = reader.read(rgb)
    if reading is not None:
        whole = _sample(reading, (0.0, 0.0, float(width), float(height)), rgb.shape)
        # Read again in a crop centred on the face, as every tracked sample is: the head pose
        # depends on where in the picture the face sits (7° of pitch between the two here).
        return _read_around(reader, rgb, _box(whole, rgb.shape)) or whole
    small = _haar_face(frame.grey)
    if small is None:
        return None
    scale = width / frame.grey.shape[1]
    x, y, w, h = small
    return _read_around(reader, rgb, (x * scale, y * scale, w * scale, h * scale))


def _box(face: FaceSample, shape: tuple[int, ...]) -> _Box:
    """The face's box in pixels of a frame of `shape`."""
    height, width = shape[:2]
    return (
        (face.cx - face.width / 2) * width,
        (face.cy - face.height / 2) * height,
        face.width * width,
        face.height * height,
    )


def _read_around(reader: Landmarker, rgb: np.ndarray, box: _Box) -> FaceSample | None:
    """The landmarker on a square crop around `box`, enlarged when small."""
    x, y, w, h = box
    side = max(w, h) * (1.0 + 2.0 * th.FACE_CROP_MARGIN)
    cx, cy = x + w / 2, y + h / 2
    x0, y0 = max(0, round(cx - side / 2)), max(0, round(cy - side / 2))
    x1, y1 = min(rgb.shape[1], round(cx + side / 2)), min(rgb.shape[0], round(cy + side / 2))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    crop = rgb[y0:y1, x0:x1]
    shortest = min(crop.shape[:2])
    if shortest < th.FACE_CROP_MIN_PX:
        factor = th.FACE_CROP_MIN_PX / shortest
        crop = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_LINEAR)
    reading = reader.read(crop)
    if reading is None:
        return None
    return _sample(reading, (float(x0), float(y0), float(x1 - x0), float(y1 - y0)), rgb.shape)


def _sample(reading: FaceReading, region: _Box, shape: tuple[int, ...]) -> FaceSample:
    """`reading` (in the coordinates of `region`) as a sample in fractions of the whole frame."""
    rx, ry, rw, rh = region
    height, width = shape[:2]
    xs = (rx + reading.landmarks[:, 0] * rw) / width
    ys = (ry + reading.landmarks[:, 1] * rh) / height
    left, right, top, bottom = float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())
    b = reading.blendshapes
    sideways = max(
        (b["eyeLookOutLeft"] + b["eyeLookInRight"]) / 2, (b["eyeLookInLeft"] + b["eyeLookOutRight"]) / 2
    )
    vertical = max(
        (b["eyeLookUpLeft"] + b["eyeLookUpRight"]) / 2, (b["eyeLookDownLeft"] + b["eyeLookDownRight"]) / 2
    )
    return FaceSample(
        cx=(left + right) / 2,
        cy=(top + bottom) / 2,
        width=right - left,
        height=bottom - top,
        yaw_deg=reading.yaw_deg,
        pitch_deg=reading.pitch_deg,
        eyes_closed=(b["eyeBlinkLeft"] + b["eyeBlinkRight"]) / 2,
        smile=(b["mouthSmileLeft"] + b["mouthSmileRight"]) / 2,
        look_sideways=sideways,
        look_vertical=vertical,
    )


def _bridged(faces: list[FaceSample | None]) -> list[FaceSample | None]:
    out = list(faces)
    seen = [i for i, face in enumerate(faces) if face is not None]
    for before, after in pairwise(seen):
        gap = after - before - 1
        if 0 < gap <= th.FACE_BRIDGE_SAMPLES:
            first, last = faces[before], faces[after]
            assert first is not None and last is not None
            for k in range(1, gap + 1):
                share = k / (gap + 1)
                out[before + k] = replace(
                    first,
                    cx=first.cx + share * (last.cx - first.cx),
                    cy=first.cy + share * (last.cy - first.cy),
                    bridged=True,
                )
    return out


def _haar_face(grey: np.ndarray) -> tuple[int, int, int, int] | None:
    """The largest frontal face Haar finds in the grey analysis frame, in its pixels."""
    cascade = getattr(_local, "cascade", None)
    if cascade is None:
        cascade = _local.cascade = cv2.CascadeClassifier(cv2.data.haarcascades + _CASCADE_FILE)
        if cascade.empty():
            raise RuntimeError(f"OpenCV's {_CASCADE_FILE} could not be loaded")
    min_side = max(12, round(grey.shape[1] * th.FACE_MIN_WIDTH_FRACTION))
    faces = cascade.detectMultiScale(
        grey,
        scaleFactor=th.FACE_SCALE_FACTOR,
        minNeighbors=th.FACE_MIN_NEIGHBORS,
        minSize=(min_side, min_side),
    )
    if len(faces) == 0:
        return None
    x, y, w, h = max(faces, key=lambda f: int(f[2]) * int(f[3]))
    return int(x), int(y), int(w), int(h)
