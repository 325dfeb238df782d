"""Engagement over the whole session as a strip of bands, each state with its colour AND pattern.

Engaged is solid, neutral carries horizontal lines, disengaged a diagonal hatch, so the strip
reads without colour; a legend under it names each one. Gaps (no result for that time) stay
empty; what the analysis did not cover as it should (a failed or skipped segment, the connection
down, media never analysed, too little picture) is cross-hatched grey, its reason in the tooltip.
The span grows with the session; a thin line marks now.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.model.timeline import Gap, TimelineSnapshot
from app.model.vocabulary import EngagementState
from app.model.wire_v0 import EngagementWindow
from widgets import theme
from widgets.formatting import mmss, window_text
from widgets.painting import draw_text, text_width

MIN_SPAN_S = 60.0
"""The strip shows at least a minute, so the first bands do not fill it edge to edge."""

PATTERNS: dict[EngagementState, Qt.BrushStyle] = {
    "engaged": Qt.BrushStyle.NoBrush,
    "neutral": Qt.BrushStyle.HorPattern,
    "disengaged": Qt.BrushStyle.BDiagPattern,
}
TRACK_H = 20.0
AXIS_H = 16.0
LEGEND_H = 20.0


def paint_band(painter: QPainter, rect: QRectF, state: EngagementState) -> None:
    painter.fillRect(rect, QColor(theme.ENGAGEMENT_COLOURS[state]))
    pattern = PATTERNS[state]
    if pattern != Qt.BrushStyle.NoBrush:
        painter.fillRect(rect, QBrush(QColor(0, 0, 0, 130), pattern))


class TimelineStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history: list[EngagementWindow] = []
        self._gaps: list[Gap] = []
        self._now = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(int(TRACK_H + AXIS_H + LEGEND_H + 10))
        self.setAccessibleName("Engagement over the session")

    def sizeHint(self) -> QSize:
        return QSize(300, self.height())

    def set_snapshot(self, snapshot: TimelineSnapshot | None) -> None:
        history = snapshot.engagement_history if snapshot is not None else []
        gaps = snapshot.coverage_gaps if snapshot is not None else []
        now = snapshot.now if snapshot is not None else 0.0
        # Whole seconds are enough for the now-marker; repainting on every fraction would only cost.
        if history != self._history or gaps != self._gaps or int(now) != int(self._now):
            self._history = list(history)
            self._gaps = list(gaps)
            self._now = now
            self.update()

    def gap_at(self, x: float) -> Gap | None:
        return next((g for g in self._gaps if self.x_for(g.start) <= x <= self.x_for(g.end)), None)

    def span_s(self) -> float:
        last_end = self._history[-1].end if self._history else 0.0
        return max(MIN_SPAN_S, self._now, last_end)

    def track_rect(self) -> QRectF:
        return QRectF(1, 2, self.width() - 2, TRACK_H)

    def x_for(self, t: float) -> float:
        track = self.track_rect()
        return track.left() + max(0.0, min(1.0, t / self.span_s())) * track.width()

    def window_at(self, x: float) -> EngagementWindow | None:
        for window in self._history:
            if self.x_for(window.start) <= x <= self.x_for(window.end):
                return window
        return None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        track = self.track_rect()
        painter.setPen(QPen(QColor(theme.BORDER), 1))
        painter.setBrush(QColor(theme.SURFACE_RAISED))
        painter.drawRoundedRect(track, 4, 4)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for window in self._history:
            top_left = QPointF(self.x_for(window.start), track.top() + 1)
            paint_band(
                painter, QRectF(top_left, QPointF(self.x_for(window.end), track.bottom() - 1)), window.state
            )
        for gap in self._gaps:
            rect = QRectF(
                QPointF(self.x_for(gap.start), track.top() + 1),
                QPointF(self.x_for(gap.end), track.bottom() - 1),
            )
            painter.fillRect(rect, QColor(theme.SURFACE_RAISED))
            painter.fillRect(rect, QBrush(QColor(theme.TEXT_MUTED), Qt.BrushStyle.DiagCrossPattern))
        painter.restore()
        if self._now > 0:
            x = self.x_for(self._now)
            painter.setPen(QPen(QColor(theme.TEXT), 1.5))
            painter.drawLine(QPointF(x, track.top() - 1), QPointF(x, track.bottom() + 1))
        axis = QRectF(track.left(), track.bottom() + 2, track.width(), AXIS_H)
        small = theme.overlay_font(11)
        draw_text(painter, axis, "00:00", small, theme.TEXT_MUTED)
        end_align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        draw_text(painter, axis, mmss(self.span_s()), small, theme.TEXT_MUTED, end_align)
        self._paint_legend(painter, QRectF(track.left(), axis.bottom() + 2, track.width(), LEGEND_H))
        painter.end()

    def _paint_legend(self, painter: QPainter, rect: QRectF) -> None:
        x = rect.left()
        font = theme.overlay_font(11.5)
        for state in ("engaged", "neutral", "disengaged"):
            swatch = QRectF(x, rect.center().y() - 5, 16, 10)
            paint_band(painter, swatch, state)
            label = theme.ENGAGEMENT_LABELS[state]
            text = QRectF(swatch.right() + 5, rect.top(), text_width(font, label) + 2, rect.height())
            draw_text(painter, text, label, font, theme.TEXT_SECONDARY)
            x = text.right() + 14

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            window = self.window_at(event.pos().x())
            gap = self.gap_at(event.pos().x())
            on_track = self.track_rect().adjusted(0, -2, 0, 2).contains(QPointF(event.pos()))
            if gap is not None and on_track:
                QToolTip.showText(
                    event.globalPos(), f"{window_text(gap.start, gap.end)} · {gap.reason}", self
                )
            elif window is not None and on_track:
                label = theme.ENGAGEMENT_LABELS[window.state]
                QToolTip.showText(
                    event.globalPos(), f"{window_text(window.start, window.end)} · {label}", self
                )
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)
