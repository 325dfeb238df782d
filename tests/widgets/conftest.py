"""Fixtures for the widget tests: the app's theme for every test, a session builder."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from support.session_builder import SessionBuilder


@pytest.fixture(autouse=True)
def _themed(themed_app: QApplication) -> QApplication:
    """Every widget test sees the app's own look, as the user does."""
    return themed_app


@pytest.fixture
def builder() -> SessionBuilder:
    return SessionBuilder()
