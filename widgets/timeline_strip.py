"""Engagement over the whole session as a strip of bands, each state with its colour AND pattern.

Engaged is solid, neutral carries horizontal lines, disengaged a diagonal hatch, so the strip
reads without colour; a legend under it names each one. Gaps (no result for that time) stay
empty. What the analysis did not cover as it should (a failed or skipped segment, the connection
down, media never analysed, too little picture) is cross-hatched grey, its reason in the tooltip;
spans when sending was paused are veiled with a cross-hatch, and spans with no picture at all (a
camera unplugged, the computer asleep) are outlined with dashes; their legend entries appear once
the session has one. The span grows with the session; a thin line marks now.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QHelpEvent, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.model.coverage_gaps import Gap
from app.model.timeline_snapshot import Span, TimelineSnapshot
from app.model.vocabulary import EngagementState
from app.model.wire_v0 import EngagementWindow
from widgets import theme
from widgets.formatting import mmss, window_text
from widgets.painting import draw_text, text_width
from widgets.pixel_columns import STATE_CODES, WindowColumns, column_range

MIN_SPAN_S = 60.0
"""The strip shows at least a minute, so the first bands do not fill it edge to edge."""

PATTERNS: dict[EngagementState, Qt.BrushStyle] = {
    "engaged": Qt.BrushStyle.NoBrush,
    "neutral": Qt.BrushStyle.HorPattern,
    "disengaged": Qt.BrushStyle.BDiagPattern,
}
PIXELS = QImage.Format.Format_ARGB32_Premultiplied
TRACK_H = 20.0
AXIS_H = 16.0
LEGEND_H = 20.0
PAUSED_LABEL = "Paused (nothing sent)"
GAP_LABEL = "No picture"
COVERAGE_LABEL = "Not analysed"


def paint_band(painter: QPainter, rect: QRectF, state: EngagementState) -> None:
    painter.fillRect(rect, QColor(theme.ENGAGEMENT_COLOURS[state]))
    pattern = PATTERNS[state]
    if pattern != Qt.BrushStyle.NoBrush:
        painter.fillRect(rect, QBrush(QColor(0, 0, 0, 130), pattern))


def paint_paused(painter: QPainter, rect: QRectF) -> None:
    painter.fillRect(rect, QColor(17, 19, 24, 170))
    painter.fillRect(rect, QBrush(QColor(theme.TEXT_SECONDARY), Qt.BrushStyle.DiagCrossPattern))


def _paused_swatch(painter: QPainter, rect: QRectF) -> None:
    paint_band(painter, rect, "engaged")
    paint_paused(painter, rect)


def paint_coverage_gap(painter: QPainter, rect: QRectF) -> None:
    painter.fillRect(rect, QColor(theme.SURFACE_RAISED))
    painter.fillRect(rect, QBrush(QColor(theme.TEXT_MUTED), Qt.BrushStyle.DiagCrossPattern))


def paint_gap(painter: QPainter, rect: QRectF) -> None:
    painter.fillRect(rect, QColor(theme.SURFACE))
    painter.save()
    painter.setPen(QPen(QColor(theme.WARNING), 1, Qt.PenStyle.DashLine))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
    painter.restore()


_EXTRA_SWATCHES: dict[str, Callable[[QPainter, QRectF], None]] = {
    COVERAGE_LABEL: paint_coverage_gap,
    PAUSED_LABEL: _paused_swatch,
    GAP_LABEL: paint_gap,
}


class TimelineStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history: list[EngagementWindow] = []
        self._paused: list[Span] = []
        self._gaps: list[Span] = []
        self._coverage: list[Gap] = []
        self._now = 0.0
        self._texture_stack = np.zeros((0, 0, 0, 4), np.uint8)
        self._texture_key: QRect | None = None
        self._columns = WindowColumns()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self._height(legend_rows=1))
        self.setAccessibleName("Engagement over the session")

    def sizeHint(self) -> QSize:
        return QSize(300, self.height())

    def set_snapshot(self, snapshot: TimelineSnapshot | None) -> None:
        history = snapshot.engagement_history if snapshot is not None else []
        now = snapshot.now if snapshot is not None else 0.0
        paused = snapshot.paused_spans if snapshot is not None else []
        gaps = snapshot.picture_gaps if snapshot is not None else []
        # No picture is outlined as a picture gap of its own; every other gap is not analysed.
        coverage = (
            [g for g in snapshot.coverage_gaps if g.kind != "no_picture"] if snapshot is not None else []
        )
        # Whole seconds are enough for the now-marker; repainting on every fraction would only cost.
        changed = (history, paused, gaps, coverage) != (
            self._history,
            self._paused,
            self._gaps,
            self._coverage,
        )
        if changed or int(now) != int(self._now):
            self._history = list(history)
            self._columns.update(self._history)
            self._paused, self._gaps, self._coverage = list(paused), list(gaps), list(coverage)
            self._now = now
            height = self._height(legend_rows=2 if self._extra_legend() else 1)
            if height != self.height():
                self.setFixedHeight(height)
            self.update()

    @staticmethod
    def _height(*, legend_rows: int) -> int:
        return int(TRACK_H + AXIS_H + legend_rows * LEGEND_H + 10)

    def _extra_legend(self) -> list[str]:
        return (
            ([COVERAGE_LABEL] if self._coverage else [])
            + ([PAUSED_LABEL] if self._paused else [])
            + ([GAP_LABEL] if self._gaps else [])
        )

    def paused_spans(self) -> list[Span]:
        return list(self._paused)

    def span_s(self) -> float:
        last_end = self._history[-1].end if self._history else 0.0
        return max(MIN_SPAN_S, self._now, last_end)

    def track_rect(self) -> QRectF:
        return QRectF(1, 2, self.width() - 2, TRACK_H)

    def x_for(self, t: float) -> float:
        track = self.track_rect()
        return track.left() + max(0.0, min(1.0, t / self.span_s())) * track.width()

    def tooltip_at(self, x: float) -> str | None:
        """What the strip shows at `x`: the engagement window, and a pause or a gap over it."""
        parts = []
        window = self.window_at(x)
        if window is not None:
            parts.append(f"{window_text(window.start, window.end)} · {theme.ENGAGEMENT_LABELS[window.state]}")
        parts += [
            f"{window_text(gap.start, gap.end)} · {gap.reason}"
            for gap in self._coverage
            if self._covers(gap, x)
        ]
        for spans, label in ((self._paused, PAUSED_LABEL), (self._gaps, GAP_LABEL)):
            parts += [
                f"{window_text(span.start, span.end)} · {label}" for span in spans if self._covers(span, x)
            ]
        return "\n".join(parts) or None

    def _covers(self, span: Span | Gap, x: float) -> bool:
        return self.x_for(span.start) <= x <= max(self.x_for(span.end), self.x_for(span.start) + 1)

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
        bands = self._bands(track)
        if bands is not None:
            painter.drawImage(*bands)
        for spans, paint in (
            (self._coverage, paint_coverage_gap),
            (self._gaps, paint_gap),
            (self._paused, paint_paused),
        ):
            for x0, x1 in self._pixel_runs(spans, track):
                paint(painter, QRectF(QPointF(x0, track.top() + 1), QPointF(x1, track.bottom() - 1)))
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
        legend = QRectF(track.left(), axis.bottom() + 2, track.width(), LEGEND_H)
        self._paint_legend(painter, legend)
        self._paint_extra_legend(painter, legend.translated(0, LEGEND_H))
        painter.end()

    def _bands(self, track: QRectF) -> tuple[QPoint, QImage] | None:
        """The history as one image of whole pixel columns, each in the state of the last window
        over it, and where it goes. An hour's thousands of windows would otherwise each be
        painted, ever more of them into the same pixels; and even a fill per run of one state is
        hundreds of calls into Qt twice a second, each of which lets go of the interpreter's lock
        on the main thread and may wait for a busy worker to give it back."""
        # Inside the track's outline, on whole pixels: the rows and columns a band's fill covers.
        inner = QRect(
            round(track.left()), round(track.top()) + 1, round(track.width()), round(track.height()) - 2
        )
        width = inner.width()
        if width <= 0 or not self._history:
            return None
        columns = self._columns.columns(width, self.span_s())
        textures = self._textures(inner)
        picture = np.ascontiguousarray(textures[columns, :, np.arange(width)].transpose(1, 0, 2))
        image = QImage(picture.data, width, inner.height(), picture.strides[0], PIXELS)
        return inner.topLeft(), image.copy()  # the copy owns its pixels; `picture` goes

    def _textures(self, inner: QRect) -> np.ndarray:
        """Each state's band filling the whole track, as `paint_band` paints it in place (its
        pattern anchored where the widget's is), stacked after a transparent one: picking a
        column from one of them per pixel gives the strip's bands."""
        if self._texture_key != inner:
            stack = np.zeros((len(STATE_CODES) + 1, inner.height(), inner.width(), 4), np.uint8)
            for state, code in STATE_CODES.items():
                texture = stack[code]  # painted in place: the image wraps its memory
                image = QImage(texture.data, inner.width(), inner.height(), texture.strides[0], PIXELS)
                painter = QPainter(image)
                painter.setBrushOrigin(-inner.topLeft())
                paint_band(painter, QRectF(image.rect()), state)
                painter.end()
            self._texture_stack, self._texture_key = stack, inner
        return self._texture_stack

    def _pixel_runs(self, spans: Sequence[Span | Gap], track: QRectF) -> list[tuple[float, float]]:
        """The spans as whole pixel columns, those that touch joined: a session whose analysis
        fell behind now and then has hundreds of one-second gaps, most of them next to one
        another."""
        left, width = round(track.left()), round(track.width())
        scale = width / self.span_s()
        runs: list[tuple[float, float]] = []
        for span in sorted(spans, key=lambda s: s.start):
            start, end = column_range(span.start, span.end, scale, width)
            if runs and left + start <= runs[-1][1]:
                runs[-1] = (runs[-1][0], max(runs[-1][1], left + end))
            else:
                runs.append((left + start, left + end))
        return runs

    def _paint_legend(self, painter: QPainter, rect: QRectF) -> None:
        x = rect.left()
        for state in ("engaged", "neutral", "disengaged"):
            swatch = partial(paint_band, state=state)
            x = self._legend_entry(painter, rect, x, theme.ENGAGEMENT_LABELS[state], swatch)

    def _paint_extra_legend(self, painter: QPainter, rect: QRectF) -> None:
        x = rect.left()
        for label in self._extra_legend():
            x = self._legend_entry(painter, rect, x, label, _EXTRA_SWATCHES[label])

    @staticmethod
    def _legend_entry(
        painter: QPainter, rect: QRectF, x: float, label: str, paint: Callable[[QPainter, QRectF], None]
    ) -> float:
        font = theme.overlay_font(11.5)
        swatch = QRectF(x, rect.center().y() - 5, 16, 10)
        paint(painter, swatch)
        text = QRectF(swatch.right() + 5, rect.top(), text_width(font, label) + 2, rect.height())
        draw_text(painter, text, label, font, theme.TEXT_SECONDARY)
        return text.right() + 14

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos().x())
            if text and self.track_rect().adjusted(0, -2, 0, 2).contains(QPointF(event.pos())):
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)
