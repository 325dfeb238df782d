"""`SendingTray`: the system-tray icon that says whether anything is being sent, with Pause/Resume,
Show window and Stop in its menu, so the state stays in sight with every window hidden.

The icon is the app's own with a badge in the sending state's colour and shape; the tooltip and
the menu's first line say it in words. Where the desktop has no tray (a bare X server, some
Wayland shells), nothing is shown and the windows carry the state alone.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from app import APP_TITLE
from app.model.sending import IDLE_TEXT, SendingKind, SendingState
from app.model.view_state import SessionState
from widgets import theme
from widgets.painting import dot
from widgets.sending_indicator import COLOURS, HOLLOW

log = logging.getLogger(__name__)

ICON_PX = 64


def tray_icon(kind: SendingKind) -> QIcon:
    """The app icon with the sending state's badge in its lower right corner."""
    pixmap = QPixmap(ICON_PX, ICON_PX)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    theme.icon("app").paint(painter, 0, 0, ICON_PX, ICON_PX)
    centre = QPointF(ICON_PX * 0.74, ICON_PX * 0.74)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(theme.WINDOW))
    painter.drawEllipse(QRectF(centre.x() - 17, centre.y() - 17, 34, 34))
    dot(painter, centre, 13.0, COLOURS[kind], hollow=kind in HOLLOW)
    painter.end()
    return QIcon(pixmap)


class SendingTray(QObject):
    show_window_requested = Signal()
    stop_requested = Signal()

    def __init__(self, pause_action: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._icons = {kind: tray_icon(kind) for kind in COLOURS}
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu(parent)
        self.menu.setObjectName("trayMenu")
        self.state_action = self.menu.addAction(IDLE_TEXT)
        self.state_action.setEnabled(False)
        self.menu.addSeparator()
        self.menu.addAction(pause_action)
        self.show_action = self.menu.addAction("Show window")
        self.show_action.triggered.connect(self.show_window_requested)
        self.stop_action = self.menu.addAction(theme.icon("stop"), "Stop")
        self.stop_action.setEnabled(False)
        self.stop_action.triggered.connect(self.stop_requested)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self._state: SendingState | None = None
        self.set_state(SendingState("idle", IDLE_TEXT, ""))

    def show(self) -> bool:
        """Show the icon where the desktop has a tray; says whether it is shown."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            log.info("no system tray on this desktop: the sending state shows in the windows only")
            return False
        self.icon.show()
        return True

    def hide(self) -> None:
        self.icon.hide()

    def set_state(self, state: SendingState) -> None:
        if state == self._state:
            return
        self._state = state
        self.icon.setIcon(self._icons[state.kind])
        self.icon.setToolTip(f"{APP_TITLE}: {state.text}")
        self.state_action.setText(state.text)

    def set_session_state(self, state: SessionState) -> None:
        self.stop_action.setEnabled(state in ("starting", "running"))

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.show_window_requested.emit()
