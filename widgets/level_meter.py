"""A live microphone level meter: segmented bar from -60 to 0 dBFS with a falling peak marker.

It is fed by `set_level` at the controller's display rate and has no timer of its own: the
peak marker falls by wall-clock time measured at each update.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from widgets import theme

FLOOR_DBFS = -60.0
LOUD_DBFS = -6.0
"""Above this the voice risks clipping: the top segments turn red."""
HOT_DBFS = -18.0
PEAK_FALL_DB_PER_S = 12.0
SEGMENTS = 16


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._level: float | None = None
        self._peak: float | None = None
        self._peak_at = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFixedSize(84, 14)
        self.setAccessibleName("Microphone level")
        self._describe()

    def sizeHint(self) -> QSize:
        return QSize(84, 14)

    def level(self) -> float | None:
        return self._level

    def peak(self) -> float | None:
        return self._peak

    def set_level(self, dbfs: float | None, now: float | None = None) -> None:
        """The latest level in dBFS, or None when there is no microphone."""
        now = time.monotonic() if now is None else now
        if dbfs is None:
            self._level = self._peak = None
        else:
            level = max(FLOOR_DBFS, min(0.0, dbfs))
            fallen = None if self._peak is None else self._peak - PEAK_FALL_DB_PER_S * (now - self._peak_at)
            if fallen is None or level >= fallen:
                self._peak, self._peak_at = level, now
            else:
                self._peak, self._peak_at = max(fallen, FLOOR_DBFS), now
            self._level = level
        self._describe()
        self.update()

    def _describe(self) -> None:
        if self._level is None:
            self.setToolTip("No microphone level")
        else:
            self.setToolTip(
                f"Microphone level: {round(self._level)} dBFS. Keep the loudest parts under {LOUD_DBFS:g}."
            )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        gap = 2.0
        seg_w = (self.width() - gap * (SEGMENTS - 1)) / SEGMENTS
        lit = 0 if self._level is None else _segments_for(self._level)
        peak = None if self._peak is None else _segments_for(self._peak) - 1
        for i in range(SEGMENTS):
            rect = QRectF(i * (seg_w + gap), 2, seg_w, self.height() - 4)
            on = i < lit or i == peak
            painter.fillRect(rect, _segment_colour(i) if on else QColor(255, 255, 255, 28))
        painter.end()


def _segments_for(dbfs: float) -> int:
    return round((dbfs - FLOOR_DBFS) / -FLOOR_DBFS * SEGMENTS)


def _segment_colour(i: int) -> QColor:
    dbfs = FLOOR_DBFS + (i + 1) / SEGMENTS * -FLOOR_DBFS
    if dbfs > LOUD_DBFS:
        return QColor(theme.DANGER)
    if dbfs > HOT_DBFS:
        return QColor(theme.WARNING)
    return QColor(theme.FRESH)
