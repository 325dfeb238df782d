"""Unexpected errors: a short message and the details, never the API key.

`ErrorReporter.install()` makes it the `sys.excepthook`, so an exception escaping a Qt slot is
logged and shown instead of silently ending the session. One dialog at a time: a slot failing
on every frame updates a counter rather than opening a dialog per frame.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from app.model.api_key import KEY_SHAPED

log = logging.getLogger(__name__)

HIDDEN = "[API key hidden]"
SUMMARY_CHARS = 200


def redact(text: str, secrets: list[str]) -> str:
    """`text` without any of `secrets`, nor anything shaped like an Interhuman key or a bearer token."""
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, HIDDEN)
    return KEY_SHAPED.sub(lambda m: HIDDEN if m["key"] is not None else f"{m['bearer']}{HIDDEN}", text)


class ErrorReporter(QObject):
    def __init__(
        self, parent: QWidget | None = None, known_secret: Callable[[], str | None] = lambda: None
    ) -> None:
        """`known_secret` returns the API key in use (or None), to hide it from what is shown."""
        super().__init__(parent)
        self._parent = parent
        self._known_secret = known_secret
        self._dialog: QMessageBox | None = None
        self._count = 0

    def install(self) -> None:
        sys.excepthook = self.excepthook

    def excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        secrets = self._secrets()
        details = redact("".join(traceback.format_exception(exc_type, exc, tb)), secrets)
        # Logged as text we have already cleaned: a traceback attached with exc_info would not be.
        log.error("unexpected error:\n%s", details)
        summary = redact(f"{exc_type.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", secrets)
        self.show_error(summary[:SUMMARY_CHARS], details)

    def show_error(self, summary: str, details: str) -> QMessageBox:
        if self._dialog is not None and self._dialog.isVisible():
            self._count += 1
            self._dialog.setText(f"Something went wrong inside Interhuman Live ({self._count} times).")
            return self._dialog
        self._count = 1
        dialog = QMessageBox(self._parent)
        dialog.setIcon(QMessageBox.Icon.Warning)
        dialog.setWindowTitle("Interhuman Live")
        dialog.setText("Something went wrong inside Interhuman Live.")
        dialog.setInformativeText(
            f"{summary}\n\nThe session keeps running. If this happens again, stop and start the session, "
            "and send the details to support."
        )
        dialog.setDetailedText(details)
        dialog.setStandardButtons(QMessageBox.StandardButton.Close)
        dialog.setModal(False)
        dialog.show()
        self._dialog = dialog
        return dialog

    def dialog(self) -> QMessageBox | None:
        return self._dialog

    def _secrets(self) -> list[str]:
        try:
            secret = self._known_secret()
        except Exception:  # the reporter must work even when the keyring is what broke
            return []
        return [secret] if secret else []
