"""Whether a captured screen or region shows the app's own window, whose preview would be analysed too."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from app.model.source_spec import SourceSpec

PREVIEW_CAPTURED = (
    "This window is on the screen being captured, so its own preview would be analysed too: "
    "move it to another screen or minimise it, or capture the call's window instead."
)


def preview_captured(source: SourceSpec, window: QWidget) -> bool:
    """Whether the captured screen or region shows `window` (a window source never does: the
    app's own windows are not offered)."""
    if source.kind not in ("screen", "region"):
        return False
    screens = QGuiApplication.screens()
    if not 0 <= source.camera_index < len(screens) or not window.isVisible():
        return False
    screen = screens[source.camera_index].geometry()
    captured = screen
    if source.area is not None:
        area = source.area
        captured = QRect(screen.x() + area.x, screen.y() + area.y, area.width, area.height)
    return captured.intersects(window.frameGeometry()) and not window.isMinimized()
