"""Where the windows were, and small view choices (overlay on or off), between runs.

Kept in a Qt INI file beside `settings.json` rather than in it, so a window saving its place
can never overwrite settings the dialog just changed. The path is worked out on every use, so
it follows the platform's config folder (and a test's temporary one).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QWidget

from app.paths import config_dir

log = logging.getLogger(__name__)

STATE_FILE = "window-state.ini"


def _store() -> QSettings:
    return QSettings(str(config_dir() / STATE_FILE), QSettings.Format.IniFormat)


def save_geometry(key: str, widget: QWidget) -> None:
    store = _store()
    store.setValue(f"{key}/geometry", widget.saveGeometry())
    store.sync()
    if store.status() != QSettings.Status.NoError:
        log.warning("cannot remember the %s window's place (%s)", key, store.status().name)


def restore_geometry(key: str, widget: QWidget) -> bool:
    """Put `widget` where it was last time; False when there is nothing (valid) to restore."""
    value = _store().value(f"{key}/geometry")
    return isinstance(value, QByteArray) and not value.isEmpty() and widget.restoreGeometry(value)


def save_flag(key: str, value: bool) -> None:
    store = _store()
    store.setValue(key, value)
    store.sync()


def load_flag(key: str, default: bool) -> bool:
    value = _store().value(key, default)
    if isinstance(value, str):  # the INI format reads booleans back as text
        return value.lower() == "true"
    return bool(value)
