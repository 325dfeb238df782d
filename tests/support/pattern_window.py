"""A window with a known moving pattern, in a process of its own, for the screen-capture tests.

    python tests/pattern_window.py TITLE [--size WxH] [--at X,Y]

A flat blue field with a yellow square sliding left to right at `SPEED_PX_S`, wrapping round;
the square's place is a function of the monotonic clock (shared by every process on the
machine), so a test can say where it must be at any session time. Once the window is on the
screen it prints `ready {json}` with its client area in screen coordinates and the monotonic
time its pattern started; then it obeys `minimise`, `restore` and `quit` lines on stdin.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

BACKGROUND_RGB = (30, 60, 200)
SQUARE_RGB = (255, 220, 0)
SQUARE_PX = 48
SPEED_PX_S = 120.0
MARGIN_PX = 16


def square_left(elapsed_s: float, width: int) -> float:
    """Where the square's left edge is, `elapsed_s` after the pattern started, in a field `width` wide."""
    travel = width - 2 * MARGIN_PX - SQUARE_PX
    return MARGIN_PX + (SPEED_PX_S * elapsed_s) % travel


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pattern_window")
    parser.add_argument("title")
    parser.add_argument("--size", default="400x300")
    parser.add_argument("--at", default="100,80")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))
    x, y = (int(v) for v in args.at.split(","))

    from PySide6.QtCore import QPoint, QRect, QSocketNotifier, Qt, QTimer
    from PySide6.QtGui import QColor, QPainter, QPaintEvent
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([sys.argv[0]])
    started = time.monotonic()

    class Pattern(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.setWindowTitle(args.title)
            self.setFixedSize(width, height)
            self.move(x, y)
            self._announced = False

        def paintEvent(self, event: QPaintEvent) -> None:
            painter = QPainter(self)
            painter.fillRect(self.rect(), QColor(*BACKGROUND_RGB))
            left = round(square_left(time.monotonic() - started, width))
            top = (height - SQUARE_PX) // 2
            painter.fillRect(QRect(left, top, SQUARE_PX, SQUARE_PX), QColor(*SQUARE_RGB))
            painter.end()
            if not self._announced:
                self._announced = True
                QTimer.singleShot(300, self.announce)

        def announce(self) -> None:
            corner = self.mapToGlobal(QPoint(0, 0))
            ready = {"x": corner.x(), "y": corner.y(), "width": width, "height": height, "started": started}
            print("ready", json.dumps(ready), flush=True)

    window = Pattern()
    window.show()
    repaint = QTimer()
    repaint.setTimerType(Qt.TimerType.PreciseTimer)
    repaint.timeout.connect(window.update)
    repaint.start(8)

    def command() -> None:
        line = sys.stdin.readline().strip()
        if line == "minimise":
            window.showMinimized()
        elif line == "restore":
            window.showNormal()
            window.raise_()
        elif line in ("quit", ""):
            app.quit()
        print("done", line, flush=True)

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(command)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
