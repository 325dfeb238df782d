"""Where the windows were, and small view choices, kept between runs in a Qt INI file.

Beside `settings.json` rather than in it, so a window saving its place can never overwrite
settings the dialog just changed. The path is worked out on every use, so it follows the
platform's config folder (and a test's temporary one).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QSettings

from app.store.paths import config_dir

log = logging.getLogger(__name__)

STATE_FILE = "window-state.ini"


class IniWindowPlaces:
    """The desktop app's `widgets.window_places.WindowPlaces`."""

    def save_geometry(self, key: str, geometry: QByteArray) -> None:
        store = _store()
        store.setValue(f"{key}/geometry", geometry)
        store.sync()
        if store.status() != QSettings.Status.NoError:
            log.warning("cannot remember the %s window's place (%s)", key, store.status().name)

    def geometry(self, key: str) -> QByteArray | None:
        value = _store().value(f"{key}/geometry")
        return value if isinstance(value, QByteArray) else None

    def save_flag(self, key: str, value: bool) -> None:
        store = _store()
        store.setValue(key, value)
        store.sync()

    def flag(self, key: str, default: bool) -> bool:
        value = _store().value(key, default)
        if isinstance(value, str):  # the INI format reads booleans back as text
            return value.lower() == "true"
        return bool(value)


def _store() -> QSettings:
    return QSettings(str(config_dir() / STATE_FILE), QSettings.Format.IniFormat)
