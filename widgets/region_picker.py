"""Picking a region of a screen by dragging a rectangle over it (a call's video tile).

The screen's own picture, taken as the picker opens, is shown dimmed over the whole screen and
the dragged rectangle shows it undimmed: no compositor is needed for that. Releasing the mouse
takes the rectangle, Esc (or a click without a drag) gives up.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEventLoop, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QCursor,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QScreen,
)
from PySide6.QtWidgets import QWidget

from app.model.source_spec import region_source
from widgets import theme

log = logging.getLogger(__name__)

MIN_SIDE = 16
"""The smallest region a capture takes (see `capture.areas.Area.parse`)."""
HINT = "Drag over the part of the screen to analyse, such as the other person's video. Esc cancels."


class RegionPicker(QWidget):
    chosen = Signal(int, int, int, int, int)
    """Screen index, then x, y, width and height in that screen's pixels from its top left."""
    cancelled = Signal()

    def __init__(self, screen: QScreen, screen_index: int) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("regionPicker")
        self.setWindowTitle("Pick a region")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setScreen(screen)
        self.setGeometry(screen.geometry())
        self.screen_index = screen_index
        self._picture = screen.grabWindow(0)
        self._origin: QPoint | None = None
        self.selection: QRect | None = None
        self._done = False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawPixmap(self.rect(), self._picture)
        dim = QColor(0, 0, 0, 150)
        selection = self.selection
        if selection is None:
            painter.fillRect(self.rect(), dim)
        else:
            outside = [
                QRect(0, 0, self.width(), selection.top()),
                QRect(0, selection.bottom() + 1, self.width(), self.height() - selection.bottom() - 1),
                QRect(0, selection.top(), selection.left(), selection.height()),
                QRect(
                    selection.right() + 1,
                    selection.top(),
                    self.width() - selection.right() - 1,
                    selection.height(),
                ),
            ]
            for part in outside:
                painter.fillRect(part, dim)
            painter.setPen(QPen(QColor(theme.ACCENT), 2))
            painter.drawRect(selection.adjusted(0, 0, -1, -1))
            painter.setPen(QColor("white"))
            label = f"{selection.width()} × {selection.height()}"
            painter.drawText(selection.left() + 6, max(16, selection.top() - 6), label)
        painter.setPen(QColor("white"))
        hint = QRect(0, 24, self.width(), 40)
        painter.drawText(hint, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, HINT)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._origin = event.position().toPoint()
            self.selection = None
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._origin is not None:
            self._drag_to(event.position().toPoint())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._origin is None:
            return
        self._drag_to(event.position().toPoint())
        self._origin = None
        selection = self.selection
        if selection is None or selection.width() < MIN_SIDE or selection.height() < MIN_SIDE:
            self.selection = None  # a click, not a drag: start again
            self.update()
            return
        self._finish()
        self.chosen.emit(
            self.screen_index, selection.x(), selection.y(), selection.width(), selection.height()
        )

    def _drag_to(self, point: QPoint) -> None:
        assert self._origin is not None
        left, top = min(self._origin.x(), point.x()), min(self._origin.y(), point.y())
        width, height = abs(point.x() - self._origin.x()), abs(point.y() - self._origin.y())
        self.selection = QRect(left, top, width, height) & self.rect()
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._finish()
            self.cancelled.emit()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: object) -> None:
        if not self._done:  # closed by the window manager: as good as Esc
            self._done = True
            self.cancelled.emit()

    def _finish(self) -> None:
        self._done = True
        self.close()


def pick_region(parent: QWidget) -> str | None:
    """Let the user drag a region on the screen under the mouse; its `--source` text, or None."""
    screens = QGuiApplication.screens()
    screen = QGuiApplication.screenAt(QCursor.pos()) or parent.screen()
    if screen is None or screen not in screens:
        log.warning("no screen to pick a region on")
        return None
    picker = RegionPicker(screen, screens.index(screen))
    picked: list[str] = []
    waiting = QEventLoop()
    picker.chosen.connect(lambda index, x, y, w, h: picked.append(region_source(index, x, y, w, h)))
    picker.chosen.connect(waiting.quit)
    picker.cancelled.connect(waiting.quit)
    picker.show()
    picker.activateWindow()
    picker.setFocus()
    waiting.exec()
    picker.deleteLater()
    return picked[0] if picked else None
