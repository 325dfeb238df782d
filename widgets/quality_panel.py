"""Conversation quality in the side panel: the overall index, its five dimensions, and a sparkline
of the index per analysed window."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QToolTip, QVBoxLayout, QWidget

from app.model.timeline_snapshot import TimelineSnapshot
from app.model.vocabulary import QUALITY_DIMENSIONS, quality_band
from app.model.wire_v0 import QualityScores, QualityWindow
from widgets import theme
from widgets.formatting import window_text
from widgets.painting import dot, paint_score_bar, polyline_path
from widgets.series_arrays import SeriesArrays

EMPTY_TEXT = "Quality appears after the first result, when conversation quality is on in Settings."


class ScoreBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._score: float | None = None
        self.setMinimumSize(60, 12)

    def set_score(self, score: float | None) -> None:
        if score != self._score:
            self._score = score
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bar = QRectF(0, self.height() / 2 - 3, self.width(), 6)
        paint_score_bar(painter, bar, self._score if self._score is not None else 0.0)
        painter.end()


class Sparkline(QWidget):
    """The quality index of each analysed window, over session time, with the 50 ('no evidence') line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._series: list[QualityWindow] = []
        self._numbers: SeriesArrays[QualityWindow] = SeriesArrays(
            lambda w: (w.start + w.end) / 2, lambda w: w.values.quality_index
        )
        self._xs = np.zeros(0)
        """Where each window was drawn, for its tooltip."""
        self.setMinimumHeight(56)
        self.setAccessibleName("Quality index per segment")

    def sizeHint(self) -> QSize:
        return QSize(280, 64)

    def set_series(self, series: list[QualityWindow]) -> None:
        if series != self._series:
            self._series = list(series)
            self._numbers.update(self._series)
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(1, 4, -6, -4)
        painter.setPen(QPen(QColor(255, 255, 255, 40), 1, Qt.PenStyle.DashLine))
        mid = area.top() + area.height() / 2
        painter.drawLine(QPointF(area.left(), mid), QPointF(area.right(), mid))
        if self._series:
            # Each window's place from numpy; Qt gets one path of at most a point a pixel column:
            # an hour is 3,600 windows, and each call into Qt may wait for the interpreter's lock.
            middles, values = self._numbers.arrays
            start = self._series[0].start
            span = max(self._series[-1].end - start, 1e-6)
            if len(self._series) == 1:
                self._xs = np.array([area.center().x()])
            else:
                self._xs = area.left() + (middles - start) / span * area.width()
            ys = area.bottom() - values / 100 * area.height()
            painter.setPen(QPen(QColor(theme.ACCENT), 1.8))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(polyline_path(*per_pixel_column(self._xs, ys)))
            last = self._series[-1].values.quality_index
            dot(painter, QPointF(self._xs[-1], ys[-1]), 3.5, theme.quality_colour(last))
        painter.end()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent) and len(self._xs):
            window = self._series[int(np.argmin(np.abs(self._xs - event.pos().x())))]
            value = window.values.quality_index
            QToolTip.showText(
                event.globalPos(),
                f"{window_text(window.start, window.end)}: {round(value)} ({quality_band(value)})",
                self,
            )
            return True
        return super().event(event)


def per_pixel_column(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One point per run of points in one pixel column, at the first one's x and the mean height:
    an hour of windows, one a second, would otherwise be a line of thousands of antialiased
    segments in 300 pixels."""
    columns = xs.astype(np.intp)
    firsts = np.flatnonzero(np.r_[True, columns[1:] != columns[:-1]])
    counts = np.diff(np.r_[firsts, len(xs)])
    return xs[firsts], np.add.reduceat(ys, firsts) / counts


class QualityPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qualityPanel")
        self._overall: QualityScores | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.title_label = QLabel("Conversation quality")
        self.title_label.setObjectName("sectionTitle")
        layout.addWidget(self.title_label)
        # The score has a line of its own: beside the title, "below average" would clip it.
        score = QHBoxLayout()
        score.setSpacing(8)
        self.index_label = QLabel("–")
        self.index_label.setObjectName("qualityIndex")
        self.band_label = QLabel("")
        self.band_label.setObjectName("qualityBand")
        score.addWidget(self.index_label)
        score.addWidget(self.band_label, 0, Qt.AlignmentFlag.AlignBottom)
        score.addStretch(1)
        layout.addLayout(score)
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setObjectName("hint")
        self.empty_label.setWordWrap(True)
        layout.addWidget(self.empty_label)
        self._details = QWidget()
        grid = QGridLayout(self._details)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self._bars: dict[str, ScoreBar] = {}
        self._values: dict[str, QLabel] = {}
        for row, name in enumerate(QUALITY_DIMENSIONS):
            label = QLabel(name.capitalize())
            label.setObjectName("dimension")
            bar = ScoreBar()
            value = QLabel("–")
            value.setObjectName("dimensionValue")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setMinimumWidth(24)
            grid.addWidget(label, row, 0)
            grid.addWidget(bar, row, 1)
            grid.addWidget(value, row, 2)
            self._bars[name], self._values[name] = bar, value
        grid.setColumnStretch(1, 1)
        layout.addWidget(self._details)
        self.sparkline_caption = QLabel("Quality index per segment")
        self.sparkline_caption.setObjectName("caption")
        layout.addWidget(self.sparkline_caption)
        self.sparkline = Sparkline()
        layout.addWidget(self.sparkline)
        self._show_scores(None)
        self.sparkline.set_series([])
        self._update_visibility(has_series=False)

    def set_snapshot(self, snapshot: TimelineSnapshot | None) -> None:
        overall = snapshot.quality_overall if snapshot is not None else None
        series = snapshot.quality_series if snapshot is not None else []
        if overall != self._overall:
            self._overall = overall
            self._show_scores(overall)
        self.sparkline.set_series(series)
        self._update_visibility(has_series=bool(series))

    def dimension_text(self, name: str) -> str:
        return self._values[name].text()

    def _show_scores(self, scores: QualityScores | None) -> None:
        self.index_label.setVisible(scores is not None)
        self.band_label.setVisible(scores is not None)
        if scores is None:
            self.index_label.setText("")
            self.band_label.setText("")
            for name in QUALITY_DIMENSIONS:
                self._bars[name].set_score(None)
                self._values[name].setText("–")
            return
        band = quality_band(scores.quality_index)
        self.index_label.setText(f"{round(scores.quality_index)}")
        self.band_label.setText(band)
        self.band_label.setStyleSheet(f"color: {theme.QUALITY_BAND_COLOURS[band]};")
        for name in QUALITY_DIMENSIONS:
            value = float(getattr(scores, name))
            self._bars[name].set_score(value)
            self._values[name].setText(f"{round(value)}")
            self._bars[name].setToolTip(f"{name.capitalize()}: {round(value)} ({quality_band(value)})")

    def _update_visibility(self, *, has_series: bool) -> None:
        has_overall = self._overall is not None
        self.empty_label.setVisible(not has_overall and not has_series)
        self._details.setVisible(has_overall)
        self.sparkline_caption.setVisible(has_series)
        self.sparkline.setVisible(has_series)
