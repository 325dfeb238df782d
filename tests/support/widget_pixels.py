"""Pixel helpers for widget tests: what the user would actually see."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget


def grey_frame(width: int = 1280, height: int = 720, level: int = 128) -> np.ndarray:
    return np.full((height, width, 3), level, np.uint8)


def grab(widget: QWidget) -> QImage:
    """The widget as painted now, at one image pixel per device-independent pixel."""
    image = widget.grab().toImage()
    ratio = image.devicePixelRatio()
    if ratio != 1.0:
        image = image.scaled(round(image.width() / ratio), round(image.height() / ratio))
    return image


def colour_at(image: QImage, point: QPointF) -> QColor:
    return image.pixelColor(round(point.x()), round(point.y()))


def near(colour: QColor, expected: QColor | str, tolerance: int = 12) -> bool:
    want = QColor(expected)
    return all(
        abs(a - b) <= tolerance
        for a, b in zip(
            (colour.red(), colour.green(), colour.blue()),
            (want.red(), want.green(), want.blue()),
            strict=True,
        )
    )


def count_near(
    image: QImage, left: int, top: int, width: int, height: int, expected: str, tolerance: int = 12
) -> int:
    """How many pixels of the rectangle are within `tolerance` of `expected`."""
    return sum(
        near(image.pixelColor(x, y), expected, tolerance)
        for y in range(max(0, top), min(image.height(), top + height))
        for x in range(max(0, left), min(image.width(), left + width))
    )


def luminance(colour: QColor) -> float:
    return 0.2126 * colour.red() + 0.7152 * colour.green() + 0.0722 * colour.blue()
