"""The settings dialog's round trip through `SettingsFlow`: "Test connection" against real servers
on 127.0.0.1, and Save storing the key in a keyring backend the test owns."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from support.desktop_helpers import LiveApp
from support.memory_keyring import MemoryKeyring

from app.analyzer.embedded import EmbeddedAnalyzer
from app.desktop.settings_flow import SettingsFlow
from app.store.keystore import ACCOUNT, SERVICE
from app.store.settings import read_settings, settings_path
from widgets.settings_dialog import SettingsDialog

pytestmark = pytest.mark.timeout(90)

SERVER_KEY = "ih_test_desktop_right_key_0123"
WRONG_KEY = "ih_test_desktop_wrong_key_9876"


@pytest.fixture
def keyed_server() -> Iterator[EmbeddedAnalyzer]:
    """The local analyzer on 127.0.0.1 that takes only `SERVER_KEY`."""
    with EmbeddedAnalyzer(key=SERVER_KEY) as server:
        yield server


def type_key(qtbot: QtBot, dialog: SettingsDialog, key: str) -> None:
    field = dialog.key_section.key_edit
    field.clear()
    qtbot.keyClicks(field, key)


def result_text(dialog: SettingsDialog) -> str:
    label = dialog.key_section.result_label
    return label.text() if label.isVisible() else ""


def test_test_connection_reports_success_and_the_servers_refusal_and_save_keeps_the_key_in_the_keyring(
    live: LiveApp, qtbot: QtBot, memory_keyring: MemoryKeyring, keyed_server: EmbeddedAnalyzer
) -> None:
    flow = SettingsFlow(live.controller)
    dialog = flow.open(on_key=True)
    assert dialog.isVisible()
    dialog.cloud_radio.setChecked(True)
    dialog.url_edit.setText(keyed_server.url)
    button = dialog.key_section.test_button

    async def scenario() -> None:
        type_key(qtbot, dialog, SERVER_KEY)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert not button.isEnabled(), "one test at a time"
        await live.until(lambda: "✓" in result_text(dialog), 15, "the connection test to succeed")
        assert "the server accepted the key" in result_text(dialog)
        assert button.isEnabled()

        type_key(qtbot, dialog, WRONG_KEY)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        await live.until(lambda: "✕" in result_text(dialog), 15, "the connection test to fail")
        shown = result_text(dialog)
        assert "The API key was not accepted" in shown, "the server's own message"
        assert WRONG_KEY not in shown

        type_key(qtbot, dialog, SERVER_KEY)
        assert dialog.save_button.isEnabled()
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        await live.until(lambda: not dialog.isVisible(), 5, "the dialog to close on Save")

    live.run(scenario, timeout_s=60)
    assert memory_keyring.passwords == {(SERVICE, ACCOUNT): SERVER_KEY}
    saved = read_settings()[0]
    assert saved.backend == "cloud" and saved.server_url == keyed_server.url
    assert SERVER_KEY not in settings_path().read_text(encoding="utf-8")
    assert live.controller.settings == saved, "the controller runs on what was saved"
    assert live.controller.status().api_key_configured
    assert live.controller.session_config().url == keyed_server.url


def test_save_removes_the_saved_key_when_asked_and_a_refused_save_keeps_the_dialog_open(
    live: LiveApp, qtbot: QtBot, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    memory_keyring.set_password(SERVICE, ACCOUNT, SERVER_KEY)
    live.controller.refresh_credential()
    flow = SettingsFlow(live.controller)
    dialog = flow.open(on_key=True)
    qtbot.mouseClick(dialog.key_section.remove_button, Qt.MouseButton.LeftButton)
    blocked = tmp_path / "config-is-a-file"
    blocked.write_text("")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(blocked))  # settings.json cannot be written under a file
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible(), "a save that failed leaves the dialog open"
        assert "could not be saved" in dialog.form_error.text()
    assert memory_keyring.passwords == {}, "the key was removed before the file failed"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    assert not live.controller.status().api_key_configured
