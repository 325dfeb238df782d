"""Where the windows were, and small view choices (overlay on or off), between runs.

The widgets only ask and tell a `WindowPlaces` handed to them; the desktop app's keeps them in a
file (`app.desktop.window_places`), and a window given none remembers nothing.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QWidget


class WindowPlaces(Protocol):
    def save_geometry(self, key: str, geometry: QByteArray) -> None: ...

    def geometry(self, key: str) -> QByteArray | None: ...

    def save_flag(self, key: str, value: bool) -> None: ...

    def flag(self, key: str, default: bool) -> bool: ...


class ForgetfulPlaces:
    """Remembers for as long as the windows live: for windows not given a place to keep them."""

    def __init__(self) -> None:
        self._geometries: dict[str, QByteArray] = {}
        self._flags: dict[str, bool] = {}

    def save_geometry(self, key: str, geometry: QByteArray) -> None:
        self._geometries[key] = geometry

    def geometry(self, key: str) -> QByteArray | None:
        return self._geometries.get(key)

    def save_flag(self, key: str, value: bool) -> None:
        self._flags[key] = value

    def flag(self, key: str, default: bool) -> bool:
        return self._flags.get(key, default)


def save_geometry(places: WindowPlaces, key: str, widget: QWidget) -> None:
    places.save_geometry(key, widget.saveGeometry())


def restore_geometry(places: WindowPlaces, key: str, widget: QWidget) -> bool:
    """Put `widget` where it was last time; False when there is nothing (valid) to restore."""
    geometry = places.geometry(key)
    return geometry is not None and not geometry.isEmpty() and widget.restoreGeometry(geometry)


def fit_to_screen(widget: QWidget, margin: int = 24) -> None:
    """Shrink and move `widget` so that it lies on its screen's free area: a saved place from a
    larger monitor, or a default size larger than a small screen, would spill over its edges."""
    screen = widget.screen()
    if screen is None:
        return
    area = screen.availableGeometry()
    room = area.adjusted(margin, margin, -margin, -margin) if area.width() > 4 * margin else area
    frame = widget.frameGeometry().size() - widget.size()  # the window manager's borders
    size = widget.size().boundedTo(room.size() - frame).expandedTo(widget.minimumSize())
    x = _clamped(widget.x(), area.left(), area.right() + 1 - size.width() - frame.width())
    y = _clamped(widget.y(), area.top(), area.bottom() + 1 - size.height() - frame.height())
    if size != widget.size():
        widget.resize(size)
    if (x, y) != (widget.x(), widget.y()):
        widget.move(x, y)


def _clamped(value: int, low: int, high: int) -> int:
    """`value` within [low, high]; `low` when the range is empty (the widget is the larger)."""
    return low if high < low else max(low, min(value, high))
