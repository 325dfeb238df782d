"""Progress across sessions, drawn with QtCharts: one chart for the share of time engaged and each
quality measure (0–100), one for how often each signal came, session by session, the sessions'
titles along the axis. Clicking a point asks to open that session."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import QBarCategoryAxis, QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.model.library import ProgressSeries
from widgets import theme
from widgets.formatting import signal_name

TITLE_CHARS = 18
SERIES_COLOURS = ("#6ea8fe", "#b197fc", "#ffa94d", "#3ec28b", "#f783ac", "#66d9e8", "#ffd43b", "#ff8787")
EMPTY_TEXT = "Progress shows here once two or more sessions have results."


def _short(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


class ProgressChart(QWidget):
    session_clicked = Signal(str)
    """The folder of the session whose point was clicked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._folders: list[str] = []
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("progressEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scores = self._view("Engaged share and conversation quality")
        self.signals = self._view("Signals per minute")
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.scores, 1)
        layout.addWidget(self.signals, 1)
        self.set_series(ProgressSeries([], [], [], {}, {}))

    @staticmethod
    def _view(title: str) -> QChartView:
        chart = QChart()
        chart.setTitle(title)
        chart.setBackgroundBrush(QColor(theme.SURFACE))
        chart.setTitleBrush(QColor(theme.TEXT))
        chart.legend().setLabelColor(QColor(theme.TEXT_SECONDARY))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        chart.setMargins(QMargins(6, 6, 6, 6))
        view = QChartView(chart)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumHeight(220)
        return view

    def set_series(self, series: ProgressSeries) -> None:
        self._folders = list(series.folders)
        titles = [_short(t) for t in series.titles]
        scores: list[tuple[str, Sequence[float | None]]] = [
            ("Engaged %", [None if v is None else 100.0 * v for v in series.engaged_share])
        ]
        scores += [(name.replace("_", " ").capitalize(), values) for name, values in series.quality.items()]
        self._fill(self.scores.chart(), titles, scores, 100.0)
        per_minute = [(signal_name(kind), values) for kind, values in series.signals_per_minute.items()]
        top = max((v for _, values in per_minute for v in values), default=1.0)
        self._fill(self.signals.chart(), titles, list(per_minute), max(1.0, top * 1.1))
        has_any = len(self._folders) > 0
        self.empty.setVisible(len(self._folders) < 2)
        self.scores.setVisible(has_any)
        self.signals.setVisible(has_any)

    def _fill(
        self,
        chart: QChart,
        titles: list[str],
        lines: Sequence[tuple[str, Sequence[float | None]]],
        top: float,
    ) -> None:
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        x_axis = QBarCategoryAxis()
        x_axis.append(titles or [""])
        x_axis.setLabelsColor(QColor(theme.TEXT_SECONDARY))
        x_axis.setLabelsAngle(-30 if len(titles) > 6 else 0)
        y_axis = QValueAxis()
        y_axis.setRange(0, top)
        y_axis.setLabelFormat("%.0f" if top >= 10 else "%.1f")
        y_axis.setLabelsColor(QColor(theme.TEXT_SECONDARY))
        y_axis.setGridLineColor(QColor(theme.BORDER))
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for number, (name, values) in enumerate(lines):
            line = QLineSeries()
            line.setName(name)
            line.setPointsVisible(True)
            line.setPen(QPen(QColor(SERIES_COLOURS[number % len(SERIES_COLOURS)]), 2))
            for index, value in enumerate(values):
                if value is not None:
                    line.append(QPointF(index, value))
            line.clicked.connect(self._clicked)
            chart.addSeries(line)
            line.attachAxis(x_axis)
            line.attachAxis(y_axis)

    def _clicked(self, point: QPointF) -> None:
        index = round(point.x())
        if 0 <= index < len(self._folders):
            self.session_clicked.emit(self._folders[index])
