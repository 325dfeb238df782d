"""Fixtures for the widget tests: the app's theme, an in-memory keyring, a session builder."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from memory_keyring import MemoryKeyring
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from session_builder import SessionBuilder

from widgets.theme import apply_theme


@pytest.fixture(autouse=True)
def themed_app(qapp: QApplication) -> Iterator[QApplication]:
    """The app's own look, as the user sees it; the previous look is put back afterwards."""
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
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def builder() -> SessionBuilder:
    return SessionBuilder()
