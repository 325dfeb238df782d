"""The scrolling list of recent signals, newest first: session time, name, band and rationale."""

from __future__ import annotations

import html

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QStackedLayout,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app.model.vocabulary import PROBABILITY_RANK, SIGNAL_MEANINGS
from app.model.wire_v0 import Signal
from widgets import theme
from widgets.formatting import mmss, probability_text, signal_name, window_text
from widgets.gauges import paint_level
from widgets.painting import draw_text, wrap_lines

SignalRole = Qt.ItemDataRole.UserRole + 1
EMPTY_TEXT = "Signals appear here as results arrive, newest first."
ROW_HEIGHT = 68
_Index = QModelIndex | QPersistentModelIndex


class SignalListModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self._signals: list[Signal] = []

    def set_signals(self, signals: list[Signal]) -> bool:
        """Replace the rows; returns whether anything changed."""
        if signals == self._signals:
            return False
        self.beginResetModel()
        self._signals = list(signals)
        self.endResetModel()
        return True

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._signals)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._signals):
            return None
        signal = self._signals[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{mmss(signal.start)}  {signal_name(signal.type)}  {probability_text(signal.probability)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return signal_tooltip(signal)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            name, band = signal_name(signal.type), probability_text(signal.probability)
            return f"{name}, {band}, at {mmss(signal.start)}. {signal.rationale or ''}".strip()
        if role == SignalRole:
            return signal
        return None


def signal_tooltip(signal: Signal) -> str:
    meaning = SIGNAL_MEANINGS.get(
        signal.type, "A signal type this version of the app has no description for yet."
    )
    rationale = signal.rationale or "The server gave no rationale for this reading."
    return (
        f"<b>{html.escape(signal_name(signal.type))}</b> · {probability_text(signal.probability)}"
        f" · {window_text(signal.start, signal.end)}"
        f"<p style='margin:4px 0'>{html.escape(rationale)}</p>"
        f"<p style='margin:4px 0; color:{theme.TEXT_SECONDARY}'>{html.escape(meaning)}</p>"
    )


class SignalDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(260, ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        signal = index.data(SignalRole)
        if not isinstance(signal, Signal):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect)
        if option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, QColor(255, 255, 255, 10))
        pad = 10.0
        top = QRectF(rect.left() + pad, rect.top() + 8, rect.width() - 2 * pad, 20)
        time_font = theme.overlay_font(12)
        name_font = theme.overlay_font(13.5, bold=True)
        small = theme.overlay_font(12)
        draw_text(
            painter,
            QRectF(top.left(), top.top(), 44, top.height()),
            mmss(signal.start),
            time_font,
            theme.TEXT_MUTED,
        )
        band_w, bar_w = 52.0, 36.0
        band = QRectF(top.right() - band_w, top.top(), band_w, top.height())
        bar = QRectF(band.left() - 6 - bar_w, top.center().y() - 3.5, bar_w, 7)
        name = QRectF(top.left() + 48, top.top(), bar.left() - top.left() - 56, top.height())
        draw_text(painter, name, signal_name(signal.type), name_font, theme.TEXT)
        paint_level(painter, bar, PROBABILITY_RANK[signal.probability], 0.8)
        draw_text(painter, band, probability_text(signal.probability), small, theme.TEXT_SECONDARY)
        text = signal.rationale or "No rationale given."
        colour = theme.TEXT_SECONDARY if signal.rationale else theme.TEXT_MUTED
        body_left = top.left() + 48
        for i, line in enumerate(wrap_lines(text, small, rect.right() - pad - body_left, 2)):
            line_rect = QRectF(body_left, top.bottom() + 2 + i * 17, rect.right() - pad - body_left, 17)
            draw_text(painter, line_rect, line, small, colour)
        painter.setPen(QPen(QColor(theme.BORDER), 1))
        painter.drawLine(QPointF(rect.left() + pad, rect.bottom()), rect.bottomRight())
        painter.restore()


class SignalList(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SignalListModel()
        self.view = QListView()
        self.view.setObjectName("signalList")
        self.view.setModel(self.model)
        self.view.setItemDelegate(SignalDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setMouseTracking(True)
        self.view.setAccessibleName("Recent signals")
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setObjectName("hint")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.empty_label)
        self._stack.addWidget(self.view)

    def set_signals(self, signals: list[Signal]) -> None:
        bar = self.view.verticalScrollBar()
        position = bar.value()
        previous_top = self.model.index(0).data(SignalRole)
        if self.model.set_signals(signals):
            # Newest rows go on top; someone reading further down keeps their place.
            added = signals.index(previous_top) if previous_top in signals else 0
            bar.setValue(0 if position == 0 else position + ROW_HEIGHT * added)
        self._stack.setCurrentWidget(self.view if signals else self.empty_label)

    def row_texts(self) -> list[str]:
        return [str(self.model.index(row).data()) for row in range(self.model.rowCount())]
