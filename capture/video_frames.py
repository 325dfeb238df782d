"""A captured `QVideoFrame` as the pacer's `Captured`: cropped and copied out as BGR only when used.

Screen grabbers hand over 32-bit pictures (BGRx on X11, BGRA on Windows and macOS): the crop is
a view into the mapped frame, and one OpenCV conversion copies it out. Other formats (a GPU
texture, YUV) go through Qt's own `toImage`, which is slower but always works.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

from capture.areas import Area

log = logging.getLogger(__name__)

PixelFormat = QVideoFrameFormat.PixelFormat

_BGR_FIRST = {PixelFormat.Format_BGRX8888, PixelFormat.Format_BGRA8888}
_RGB_FIRST = {PixelFormat.Format_RGBX8888, PixelFormat.Format_RGBA8888}
_XRGB = {PixelFormat.Format_XRGB8888, PixelFormat.Format_ARGB8888}
_XBGR = {PixelFormat.Format_XBGR8888, PixelFormat.Format_ABGR8888}
_32_BIT = _BGR_FIRST | _RGB_FIRST | _XRGB | _XBGR
_slow_formats_seen: set[PixelFormat] = set()


class QtCaptured:
    """One frame from a `QVideoSink`, with the place of the screen it shows."""

    def __init__(self, frame: QVideoFrame, screen: Area) -> None:
        self._frame = frame
        self._screen = screen

    @property
    def width(self) -> int:
        return self._frame.width()

    @property
    def height(self) -> int:
        return self._frame.height()

    @property
    def screen(self) -> Area:
        return self._screen

    def picture(self, area: Area) -> np.ndarray:
        frame = QVideoFrame(self._frame)  # mapping is per copy; the sink keeps its own
        if frame.pixelFormat() in _32_BIT and frame.map(QVideoFrame.MapMode.ReadOnly):
            try:
                return _from_32_bit(frame, area)
            finally:
                frame.unmap()
        return _through_image(frame, area)


def _from_32_bit(frame: QVideoFrame, area: Area) -> np.ndarray:
    width, height, stride = frame.width(), frame.height(), frame.bytesPerLine(0)
    rows = np.frombuffer(frame.bits(0), np.uint8, count=stride * height).reshape(height, stride)
    pixels = rows[:, : width * 4].reshape(height, width, 4)[area.y : area.bottom, area.x : area.right]
    fmt = frame.pixelFormat()
    if fmt in _BGR_FIRST:
        return cv2.cvtColor(pixels, cv2.COLOR_BGRA2BGR)
    if fmt in _RGB_FIRST:
        return cv2.cvtColor(pixels, cv2.COLOR_RGBA2BGR)
    if fmt in _XRGB:
        return np.ascontiguousarray(pixels[:, :, 3:0:-1])
    return np.ascontiguousarray(pixels[:, :, 1:])


def _through_image(frame: QVideoFrame, area: Area) -> np.ndarray:
    fmt = frame.pixelFormat()
    if fmt not in _slow_formats_seen:
        _slow_formats_seen.add(fmt)
        log.info("captured frames come as %s: converting through QImage", fmt.name)
    image = frame.toImage().copy(QRect(area.x, area.y, area.width, area.height))
    image = image.convertToFormat(QImage.Format.Format_BGR888)
    stride = image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), np.uint8, count=stride * image.height())
    pixels = rows.reshape(image.height(), stride)[:, : image.width() * 3]
    return np.ascontiguousarray(pixels.reshape(image.height(), image.width(), 3))
