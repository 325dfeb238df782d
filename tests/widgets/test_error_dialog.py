"""The unexpected-error dialog: a short message and details, never the API key, one at a time."""

from __future__ import annotations

import logging
import sys

import pytest
from pytestqt.qtbot import QtBot

from widgets.error_dialog import HIDDEN, ErrorReporter, redact

pytestmark = pytest.mark.timeout(60)

KEY = "ih_live_Zq81xVb0Lw3kPp9s"
OTHER_SHAPE_KEY = "sk-9f8e7d6c5b4a"


def raise_and_report(reporter: ErrorReporter, message: str) -> None:
    try:
        raise RuntimeError(message)
    except RuntimeError:
        reporter.excepthook(*sys.exc_info())  # type: ignore[arg-type]


def test_an_exception_shows_a_short_message_and_redacted_details(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    reporter = ErrorReporter(known_secret=lambda: OTHER_SHAPE_KEY)
    with caplog.at_level(logging.ERROR, logger="widgets.error_dialog"):
        raise_and_report(reporter, f"handshake failed with Bearer {OTHER_SHAPE_KEY} and {KEY}")
    dialog = reporter.dialog()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    everything = " ".join([dialog.text(), dialog.informativeText(), dialog.detailedText(), caplog.text])
    assert "RuntimeError: handshake failed" in dialog.informativeText()
    assert "The session keeps running" in dialog.informativeText()
    assert "Traceback" in dialog.detailedText()
    assert OTHER_SHAPE_KEY not in everything, "the key in use is hidden whatever its shape"
    assert KEY not in everything, "anything shaped like an Interhuman key is hidden"
    assert HIDDEN in dialog.detailedText()


def test_repeated_errors_update_one_dialog_instead_of_piling_up(qtbot: QtBot) -> None:
    reporter = ErrorReporter()
    raise_and_report(reporter, "first")
    first = reporter.dialog()
    assert first is not None
    qtbot.addWidget(first)
    raise_and_report(reporter, "second")
    raise_and_report(reporter, "third")
    assert reporter.dialog() is first
    assert "3 times" in first.text()


def test_install_makes_it_the_excepthook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    reporter = ErrorReporter()
    reporter.install()
    assert sys.excepthook == reporter.excepthook


def test_redact_hides_given_secrets_and_key_shaped_text() -> None:
    text = "key=abcd1234 token Bearer xyz.abc ih_test_0123456789 fine"
    assert redact(text, ["abcd1234"]) == f"key={HIDDEN} token Bearer {HIDDEN} {HIDDEN} fine"
