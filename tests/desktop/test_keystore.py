"""The window's status refresh (four times a second) must not ask the keyring each time: on a
desktop a lookup is a D-Bus round trip and can raise an unlock prompt."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.desktop.controller import DesktopController
from app.runtime.versions import library_versions
from app.store.keystore import Credential, KeyStore
from app.store.settings import Settings
from widgets.main_window import MainWindow


class CountingKeyStore(KeyStore):
    def __init__(self) -> None:
        self.lookups = 0
        self.key: str | None = None

    def credential(self) -> Credential | None:
        self.lookups += 1
        return None if self.key is None else Credential(self.key, "keyring")


def test_status_refreshes_reuse_the_key_read_at_start_up_until_settings_change(
    qtbot: QtBot, settings: Settings
) -> None:
    store = CountingKeyStore()
    window = MainWindow()
    qtbot.addWidget(window)
    controller = DesktopController(window, settings, store, library_versions())
    for _ in range(40):
        controller.refresh()
    assert store.lookups == 1
    assert controller.status().api_key_configured is False

    store.key = "ih_live_0123456789abcdef"
    controller.refresh_credential()  # what saving the settings dialog does
    controller.refresh()
    assert store.lookups == 2
    assert controller.status().api_key_configured is True
