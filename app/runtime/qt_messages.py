"""Qt's own messages (qWarning and friends) into our log, instead of bare lines on stderr."""

from __future__ import annotations

import logging

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

log = logging.getLogger("qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
_EXPECTED = (
    # No sound server means no microphone, which the app reports in its own words.
    "pa_context_connect() failed",
    # Optional PipeWire support that Qt probes for and does without.
    "Couldn't load pipewire",
    "Couldn't resolve pipewire",
    # The offscreen platform (tests, --self-test, headless runs) cannot size native windows.
    "does not support propagateSizeHints",
)


def _handle(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = _LEVELS.get(kind, logging.WARNING)
    if any(text in message for text in _EXPECTED):
        level = logging.DEBUG
    log.log(
        level, "%s%s", f"[{context.category}] " if context.category not in (None, "default") else "", message
    )


def route_qt_messages() -> None:
    qInstallMessageHandler(_handle)
