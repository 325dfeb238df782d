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
