"""`CompactWindow`: a small frameless always-on-top window for a presenter whose slides fill the
screen. Only the engagement badge, the freshness cue, the three strongest signals, with Local
analysis one line of delivery figures, whether anything is being sent, and Pause and Stop, so the
presenter never has to find the main window mid-talk.

Drag it anywhere on its body to move it; the grip in the corner resizes it. It remembers its
place between uses and runs.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QHelpEvent,
    QHideEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizeGrip, QToolButton, QToolTip, QVBoxLayout, QWidget

from app.model.connection_trouble import connection_trouble
from app.model.sending import SendingState
from app.model.timeline_snapshot import TimelineSnapshot
from app.model.view_state import PipelineStatus
from widgets import theme
from widgets.badge import paint_badge
from widgets.connection_card import ConnectionCard
from widgets.delivery_panel import compact_line
from widgets.freshness import cue_lag_text, freshness, paint_freshness_line
from widgets.gauges import GaugeOrder, paint_gauges
from widgets.overlay import OverlayLayout
from widgets.painting import draw_text
from widgets.sending_indicator import SendingIndicator
from widgets.window_places import ForgetfulPlaces, WindowPlaces, restore_geometry, save_geometry

log = logging.getLogger(__name__)

STATE_KEY = "compact"
TOP_SIGNALS = 3
HEADER_H = 34
DELIVERY_LINE_H = 20
FOOTER_H = 24
DEFAULT_SIZE = QSize(300, 320)
TOGGLE_SHORTCUT = "Ctrl+M"


class CompactWindow(QWidget):
    expand_requested = Signal()
    """The user asked for the full window back (button, Ctrl+M, or closing this one)."""

    def __init__(self, parent: QWidget | None = None, places: WindowPlaces | None = None) -> None:
        super().__init__(
            parent,
            Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint,
        )
        self.places = places or ForgetfulPlaces()
        self.setObjectName("compactWindow")
        self.setWindowTitle("Interhuman Live — presenter view")
        self.setMinimumSize(250, 200)
        self.resize(DEFAULT_SIZE)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._snapshot: TimelineSnapshot | None = None
        self._status = PipelineStatus()
        self._layout = OverlayLayout()
        self._drag_offset: QPoint | None = None
        self._placed = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 6, 4, 4)
        header = QHBoxLayout()
        title = QLabel("Interhuman Live")
        title.setObjectName("caption")
        header.addWidget(title)
        header.addStretch(1)
        self._header = header
        self.expand_button = QToolButton()
        self.expand_button.setObjectName("expandButton")
        self.expand_button.setIcon(theme.icon("expand"))
        self.expand_button.setToolTip(f"Back to the full window ({TOGGLE_SHORTCUT})")
        self.expand_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.expand_button.clicked.connect(self.expand_requested)
        header.addWidget(self.expand_button)
        outer.addLayout(header)
        outer.addStretch(1)
        footer = QHBoxLayout()
        self.sending_indicator = SendingIndicator(pixel_size=11.0, bold=False)
        footer.addWidget(self.sending_indicator, 1, Qt.AlignmentFlag.AlignBottom)
        self.grip = QSizeGrip(self)
        self.grip.setToolTip("Drag to resize")
        footer.addWidget(self.grip, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        outer.addLayout(footer)
        shortcut = QShortcut(QKeySequence(TOGGLE_SHORTCUT), self)
        shortcut.setAutoRepeat(False)  # a held Ctrl+M switches once, not on every repeat
        shortcut.activated.connect(self.expand_requested)
        self._gauge_order = GaugeOrder()
        self.setMouseTracking(True)
        self.connection_card = ConnectionCard(self, compact=True)

    def add_controls(self, pause: QAction, start_stop: QAction) -> None:
        """Buttons for the main window's Pause sending and Start/Stop actions, before the expand button:
        the same actions, so their state and shortcuts are the main window's."""
        for action, name in ((pause, "compactPauseButton"), (start_stop, "compactStopButton")):
            button = QToolButton()
            button.setObjectName(name)
            button.setDefaultAction(action)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            self._header.insertWidget(self._header.indexOf(self.expand_button), button)

    def set_sending(self, state: SendingState) -> None:
        self.sending_indicator.set_state(state)

    def set_snapshot(self, snapshot: TimelineSnapshot | None) -> None:
        self._snapshot = snapshot
        self._update_card()
        if self.isVisible():
            self.update()

    def set_status(self, status: PipelineStatus) -> None:
        if status != self._status:
            self._status = status
            self._update_card()
            if self.isVisible():
                self.update()

    def delivery_text(self) -> str:
        """The delivery line, shown only while Local analysis runs."""
        if self._snapshot is None or self._status.backend != "local":
            return ""
        return compact_line(self._snapshot.delivery, self._snapshot.fillers_so_far)

    def _update_card(self) -> None:
        self.connection_card.set_trouble(connection_trouble(self._snapshot, self._status))
        if self.connection_card.trouble is not None:
            self.connection_card.place_in(self.width(), self.height(), bottom_margin=FOOTER_H + 6)

    def overlay_layout(self) -> OverlayLayout:
        return self._layout

    def scale(self) -> float:
        return max(0.9, min(1.6, self.width() / DEFAULT_SIZE.width()))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(theme.WINDOW))
        painter.setPen(QPen(QColor(theme.BORDER), 1))
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        scale = self.scale()
        layout = OverlayLayout()
        margin = 12.0
        snapshot = self._snapshot
        engagement = snapshot.engagement if snapshot is not None else None
        stale = engagement is not None and engagement.age_s > theme.FRESH_RESULT_S
        layout.badge = paint_badge(painter, QPointF(margin, HEADER_H + 2), engagement, scale, stale=stale)
        cue_rect = QRectF(margin + 2, layout.badge.rect.bottom() + 6, self.width() - 2 * margin, 26 * scale)
        centre = paint_freshness_line(painter, cue_rect, freshness(snapshot, self._status), scale)
        lag = cue_lag_text(snapshot, self._status)
        if lag:
            left = centre.x() + 13 * scale
            lag_rect = QRectF(left, cue_rect.bottom() - 4 * scale, self.width() - left - margin, 16 * scale)
            draw_text(painter, lag_rect, lag, theme.overlay_font(11.5 * scale), theme.TEXT_SECONDARY)
            cue_rect = cue_rect.adjusted(0, 0, 0, 12 * scale)
        delivery = self.delivery_text()
        bottom = self.height() - FOOTER_H - 8 - (DELIVERY_LINE_H * scale if delivery else 0.0)
        if snapshot is not None and snapshot.gauges:
            top = cue_rect.bottom() + 6
            _, layout.gauges = paint_gauges(
                painter,
                QPointF(margin, top),
                self._gauge_order.apply(snapshot.gauges)[:TOP_SIGNALS],
                scale,
                bottom - top,
                self.width() - 2 * margin,
            )
        if delivery:
            line = QRectF(margin, bottom, self.width() - 2 * margin - 12, DELIVERY_LINE_H * scale)
            draw_text(painter, line, delivery, theme.overlay_font(12 * scale), theme.TEXT_SECONDARY)
        self._layout = layout
        painter.end()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave and self._gauge_order.hover(False, []):
            self.update()
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self._layout.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
                return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        handle = self.windowHandle()
        # The window manager moves it best (snapping, multiple screens); without one, we move it.
        if handle is not None and handle.startSystemMove():
            self._drag_offset = None
        else:
            self._drag_offset = event.globalPosition().toPoint() - self.frameGeometry().topLeft()
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_card()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        over = any(hit.rect.contains(event.position()) for hit in self._layout.gauges)
        if self._gauge_order.hover(over, self._layout.gauges):
            self.update()
        if self._drag_offset is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._drag_offset)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag_offset is not None:
            self._drag_offset = None
            save_geometry(self.places, STATE_KEY, self)
        super().mouseReleaseEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        if not self._placed:
            self._placed = True
            if not restore_geometry(self.places, STATE_KEY, self):
                self._place_top_right()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        save_geometry(self.places, STATE_KEY, self)
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if event.spontaneous():
            # Closed from the window manager (Alt+F4): never leave the user without any window.
            event.ignore()
            self.expand_requested.emit()
            return
        super().closeEvent(event)

    def _place_top_right(self) -> None:
        screen = self.screen()
        if screen is None:
            return
        area = screen.availableGeometry()
        self.move(area.right() - self.width() - 24, area.top() + 24)
