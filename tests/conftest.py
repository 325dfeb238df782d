"""Test configuration shared by every test: offscreen Qt, no user files, no real keyring, no network,
and nothing left behind (threads, sockets, Qt timers, windows)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import keyring
import pytest
from support import leaks
from support.memory_keyring import MemoryKeyring

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

# Before anything imports Qt: tests never need a display unless they start Xvfb themselves.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The user's key must never leak into a test run.
os.environ.pop("INTERHUMAN_API_KEY", None)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings, data, logs and keyring live in a fresh temporary home for every test."""
    home = tmp_path_factory.mktemp("home")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.delenv("INTERHUMAN_API_KEY", raising=False)


@pytest.fixture(autouse=True)
def _nothing_left_behind() -> Iterator[None]:
    """Set up first, torn down last: every other fixture of the test has finished by then."""
    threads, sockets, windows = leaks.python_threads(), leaks.open_sockets(), leaks.shown_windows()
    with leaks.qt_timers_watched() as timers:
        yield
        found = leaks.problems(threads, sockets, timers, windows)
    assert not found, "; ".join(found)


@pytest.fixture(autouse=True)
def _analysis_models_closed(_nothing_left_behind: None) -> Iterator[None]:
    """Local analysis keeps its loaded models (each with a thread of MediaPipe's) for the process's
    life; a test closes those it loaded before the check above looks for threads (it asks for that
    check, so that it is torn down first)."""
    yield
    for name in ("app.analyzer.face_landmarks", "app.analyzer.fillers"):
        module = sys.modules.get(name)
        if module is not None:
            module.close_idle()


@pytest.fixture
def themed_app(qapp: QApplication) -> Iterator[QApplication]:
    """The app's own look, as `app.desktop.launch` applies it; the previous look is put back afterwards."""
    from PySide6.QtGui import QPalette

    from widgets.theme import apply_theme

    style_sheet, palette, font = qapp.styleSheet(), QPalette(qapp.palette()), qapp.font()
    style = qapp.style().name()
    apply_theme(qapp)
    yield qapp
    qapp.setStyle(style)
    qapp.setStyleSheet(style_sheet)
    qapp.setPalette(palette)
    qapp.setFont(font)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An in-memory keyring for the test, never the user's real one."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
