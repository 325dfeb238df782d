"""The desktop app: a Qt application with asyncio on its main thread through qasync."""

from __future__ import annotations

import argparse
import logging
import sys

from app import APP_TITLE, __version__

log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle(f"{APP_TITLE} {__version__}")
    window.setCentralWidget(QLabel("Interhuman Live"))
    window.resize(960, 640)
    window.show()
    log.info("ready")
    if args.quit_after:
        QTimer.singleShot(int(args.quit_after * 1000), app.quit)
    return app.exec()
