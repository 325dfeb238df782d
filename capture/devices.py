"""The cameras, microphones and screens this computer offers, for Settings and `interhuman-live devices`.

Names come from QtMultimedia (`QMediaDevices`), which knows what the system calls each device.
Cameras also need the index `cv2.VideoCapture` opens: on Linux Qt's id is the /dev/videoN path,
which gives it; elsewhere both list in the system's enumeration order, so the position is the
index. Without a Qt application, or when Qt sees no camera, a few indices are probed with OpenCV.
Screens need a `QGuiApplication` (a display); windows are listed by `capture.window_source`.

Call these on the Qt main thread, with a `QCoreApplication` (or `QApplication`) in existence.
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from PySide6.QtMultimedia import QMediaDevices

from capture.areas import Area
from capture.camera import index_backends, quiet_opencv
from capture.screen_capture import has_display

log = logging.getLogger(__name__)

PROBED_INDICES = 4
_VIDEO_NODE = re.compile(r"/dev/video(\d+)$")


@dataclass(frozen=True, slots=True)
class CameraInfo:
    index: int
    """What `CameraSource(index)` opens."""
    name: str
    id: str = ""
    """The system's id for the device (a /dev/video path on Linux), when Qt supplied it."""


@dataclass(frozen=True, slots=True)
class MicrophoneInfo:
    id: str
    name: str
    """The system's description; what `MicrophoneSource(name)` and the settings use."""
    is_default: bool


@dataclass(frozen=True, slots=True)
class ScreenInfo:
    index: int
    """What `ScreenSource(index)` and `screen:INDEX` capture."""
    name: str
    area: Area
    """Its place on the desktop, in the desktop's (logical) pixels."""
    primary: bool


def list_screens() -> list[ScreenInfo]:
    """The screens, or none without a display (no `QGuiApplication`, or Qt's offscreen platform)."""
    if not has_display():
        return []
    primary = QGuiApplication.primaryScreen()
    screens = []
    for index, screen in enumerate(QGuiApplication.screens()):
        geometry = screen.geometry()
        area = Area(geometry.x(), geometry.y(), geometry.width(), geometry.height())
        screens.append(ScreenInfo(index, screen.name() or f"Screen {index}", area, screen is primary))
    return screens


def list_cameras() -> list[CameraInfo]:
    cameras = _qt_cameras() if QCoreApplication.instance() is not None else []
    if cameras:
        return cameras
    return _probed_cameras()


def list_microphones() -> list[MicrophoneInfo]:
    if QCoreApplication.instance() is None:
        raise RuntimeError("list_microphones() needs a QCoreApplication")
    default = QMediaDevices.defaultAudioInput()
    default_id = b"" if default.isNull() else bytes(default.id().data())
    microphones = []
    for device in QMediaDevices.audioInputs():
        raw_id = bytes(device.id().data())
        microphones.append(
            MicrophoneInfo(
                id=raw_id.decode(errors="replace"),
                name=device.description(),
                is_default=device.isDefault() or raw_id == default_id,
            )
        )
    return microphones


def camera_index(device_id: str, position: int, platform: str = sys.platform) -> int | None:
    """The OpenCV index of the camera Qt lists at `position` with `device_id`, or None if it has
    none (on Linux, a camera that is not a /dev/videoN node, which V4L2 cannot open by index)."""
    if not platform.startswith("linux"):
        return position
    match = _VIDEO_NODE.search(device_id)
    return int(match.group(1)) if match else None


def _qt_cameras() -> list[CameraInfo]:
    cameras = []
    for position, device in enumerate(QMediaDevices.videoInputs()):
        device_id = bytes(device.id().data()).decode(errors="replace")
        index = camera_index(device_id, position)
        if index is None:
            log.debug("skipping camera %r: no OpenCV index for its id %r", device.description(), device_id)
            continue
        cameras.append(CameraInfo(index=index, name=device.description(), id=device_id))
    return cameras


def _probed_cameras() -> list[CameraInfo]:
    """Indices OpenCV can open, named by the kernel on Linux. Opening is quick when nothing is there."""
    import cv2

    found = []
    with quiet_opencv():
        for index in range(PROBED_INDICES):
            for backend in index_backends():
                capture = cv2.VideoCapture(index, backend)
                opened = capture.isOpened()
                capture.release()
                if opened:
                    found.append(CameraInfo(index=index, name=_kernel_name(index) or f"Camera {index}"))
                    break
    return found


def _kernel_name(index: int) -> str | None:
    try:
        return Path(f"/sys/class/video4linux/video{index}/name").read_text().strip() or None
    except OSError:
        return None
