"""The settings dialog: validation with reasons, what it says of the key (an in-memory keyring),
the no-keyring and environment cases, Test connection, and what Save asks the controller to store
(tests/desktop/test_settings.py proves the controller stores it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from support.memory_keyring import MemoryKeyring

from app.model.view_state import DeviceOption, KeyChange
from app.store.keystore import ACCOUNT, ENV_VAR, SERVICE, KeyStore, missing_keyring_hint
from app.store.settings import Settings, settings_path
from widgets.settings_dialog import SettingsDialog

pytestmark = pytest.mark.timeout(60)

KEY = "ih_live_Zq81xVb0Lw3kPp9s"
CAMERAS = [DeviceOption("0", "Integrated Camera")]
MICROPHONES = [DeviceOption("USB Headset", "USB Headset")]


def open_dialog(qtbot: QtBot, settings: Settings | None = None) -> SettingsDialog:
    dialog = SettingsDialog(settings or Settings(), KeyStore().view(), CAMERAS, MICROPHONES)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_bad_url_is_refused_next_to_the_field_and_save_is_disabled(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot)
    assert dialog.save_button.isEnabled()
    dialog.url_edit.setText("ws://192.168.1.20:8080/v0/stream/analyze")
    reason = dialog.form.error_text("server_url")
    assert reason is not None and "wss://" in reason and "127.0.0.1" in reason
    assert not dialog.save_button.isEnabled()
    dialog.url_edit.setText("http://api.example.com")
    assert "must start with wss://" in (dialog.form.error_text("server_url") or "")
    dialog.url_edit.setText("ws://127.0.0.1:8765/v0/stream/analyze")
    assert dialog.form.error_text("server_url") is None
    assert dialog.save_button.isEnabled()


def test_a_segment_length_outside_3_to_5_s_is_refused_and_its_tab_is_marked(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot)
    dialog.segment_spin.setValue(2.0)
    reason = dialog.form.error_text("segment_length_s")
    assert reason is not None and "3 to 5 s" in reason
    assert not dialog.save_button.isEnabled()
    assert dialog.tabs.tabText(1).endswith("⚠"), "the Capture tab shows it holds a refused value"
    assert not dialog.tabs.tabText(0).endswith("⚠")
    dialog.segment_spin.setValue(4.5)
    assert dialog.form.error_text("segment_length_s") is None
    assert dialog.tabs.tabText(1) == "Capture"
    dialog.fps_spin.setValue(60)
    assert "15 to 30" in (dialog.form.error_text("fps") or "")


def test_save_asks_to_store_the_typed_key_apart_from_the_settings_and_closes_once_stored(
    qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot)
    assert dialog.key_section.key_edit.echoMode() == QLineEdit.EchoMode.Password
    dialog.key_section.key_edit.setText(KEY)
    dialog.segment_spin.setValue(3.5)
    dialog.local_radio.setChecked(True)
    with qtbot.waitSignal(dialog.save_requested, timeout=1000) as asked:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settings, change = asked.args
    assert change == KeyChange(new_key=KEY)
    assert KEY not in settings.model_dump_json()
    assert settings.segment_length_s == 3.5 and settings.backend == "local"
    assert memory_keyring.passwords == {}, "the dialog stores nothing itself"
    assert not settings_path().exists()
    assert dialog.isVisible(), "open until the controller says it stored them"
    with qtbot.waitSignal(dialog.settings_saved, timeout=1000) as saved:
        dialog.close_saved(settings)
    assert saved.args[0] == settings == dialog.saved_settings()
    assert not dialog.isVisible()


def test_a_failed_save_keeps_the_dialog_open_with_the_reason(
    qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot)
    dialog.show_save_problem("The settings could not be saved (No space left on device).", about_key=False)
    assert dialog.form_error.isVisible() and "No space left" in dialog.form_error.text()
    dialog.show_save_problem("The keyring refused the key.", about_key=True)
    assert dialog.key_section.error_label.text() == "The keyring refused the key."
    assert dialog.isVisible()


def test_the_key_is_masked_until_the_user_asks_to_see_it(qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    dialog = open_dialog(qtbot)
    section = dialog.key_section
    section.key_edit.setText(KEY)
    assert section.key_edit.echoMode() == QLineEdit.EchoMode.Password
    section.show_action.trigger()
    assert section.key_edit.echoMode() == QLineEdit.EchoMode.Normal
    section.show_action.trigger()
    assert section.key_edit.echoMode() == QLineEdit.EchoMode.Password


def test_a_saved_key_is_never_loaded_back_into_the_field_and_can_be_removed(
    qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.set_password(SERVICE, ACCOUNT, KEY)
    dialog = open_dialog(qtbot)
    section = dialog.key_section
    assert section.key_edit.text() == ""
    assert "saved in the system keyring" in section.origin_label.text()
    assert section.remove_button.isVisible()
    qtbot.mouseClick(section.remove_button, Qt.MouseButton.LeftButton)
    assert "removed when you press Save" in section.origin_label.text()
    with qtbot.waitSignal(dialog.save_requested, timeout=1000) as asked:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert asked.args[1] == KeyChange(remove_saved=True)
    assert memory_keyring.passwords, "nothing is removed by the dialog itself"


def test_a_malformed_key_is_refused_with_a_reason(qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    dialog = open_dialog(qtbot)
    dialog.key_section.key_edit.setText("ih_live abc")
    assert "spaces" in dialog.key_section.error_label.text()
    assert dialog.key_section.error_label.isVisible()
    assert not dialog.save_button.isEnabled()


def test_without_a_keyring_the_dialog_says_to_use_the_environment_variable(qtbot: QtBot) -> None:
    # The conftest's null keyring backend: a system with no usable keyring.
    dialog = open_dialog(qtbot)
    text = dialog.key_section.origin_label.text()
    assert text == missing_keyring_hint()  # on Linux, it names the packages that provide one
    assert ENV_VAR in text
    dialog.key_section.key_edit.setText(KEY)
    assert ENV_VAR in dialog.key_section.error_label.text()
    assert not dialog.save_button.isEnabled()


def test_a_key_from_the_environment_is_named_as_such_and_wins(
    qtbot: QtBot, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, KEY)
    memory_keyring.set_password(SERVICE, ACCOUNT, "ih_live_another_key_123")
    dialog = open_dialog(qtbot)
    text = dialog.key_section.origin_label.text()
    assert ENV_VAR in text
    assert "precedence" in text
    assert KEY not in text


def test_test_connection_asks_the_controller_and_shows_its_answer(
    qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot)
    answers: list[tuple[str, str]] = []

    def controller_probe(url: str, key: str) -> None:  # what the lead wires to the uplink's probe
        answers.append((url, key))
        dialog.show_connection_result(
            False, "The server refused the key (ih2001).", "https://docs.interhuman.ai/e"
        )

    dialog.connection_test_requested.connect(controller_probe)
    dialog.url_edit.setText("ws://127.0.0.1:8765/v0/stream/analyze")
    dialog.key_section.key_edit.setText(KEY)
    qtbot.mouseClick(dialog.key_section.test_button, Qt.MouseButton.LeftButton)
    assert answers == [("ws://127.0.0.1:8765/v0/stream/analyze", KEY)]
    result = dialog.key_section.result_label
    assert result.isVisible()
    assert "The server refused the key (ih2001)." in result.text()
    assert "href='https://docs.interhuman.ai/e'" in result.text()
    assert KEY not in result.text()
    assert dialog.key_section.test_button.isEnabled()


def test_test_connection_without_any_key_says_what_to_do(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot)
    with qtbot.assertNotEmitted(dialog.connection_test_requested):
        qtbot.mouseClick(dialog.key_section.test_button, Qt.MouseButton.LeftButton)
    assert "Type a key first" in dialog.key_section.result_label.text()


def test_open_on_key_field_focuses_the_key(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot)
    dialog.tabs.setCurrentIndex(2)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    dialog.open_on_key_field()
    assert dialog.tabs.currentIndex() == 0
    qtbot.waitUntil(dialog.key_section.key_edit.hasFocus, timeout=2000)


def test_recording_folder_comes_from_the_folder_picker_and_a_file_is_refused(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot)
    chosen = tmp_path / "recordings"
    dialog.pick_folder = lambda parent, start: str(chosen)
    dialog.tabs.setCurrentIndex(2)
    choose = next(button for button in dialog.tabs.currentWidget().findChildren(type(dialog.save_button)))
    qtbot.mouseClick(choose, Qt.MouseButton.LeftButton)
    assert dialog.folder_edit.text() == str(chosen)
    assert dialog.settings() is not None and dialog.settings().recording_folder == chosen  # type: ignore[union-attr]
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    dialog.folder_edit.setText(str(a_file))
    assert "not a folder" in (dialog.form.error_text("recording_folder") or "")
    dialog.folder_edit.setText("relative/path")
    assert "full folder path" in (dialog.form.error_text("recording_folder") or "")


def test_the_dialog_starts_from_the_given_settings(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings(
        backend="local",
        segment_length_s=5.0,
        resolution="1280x720",
        fps=24,
        codec="vp9",
        camera="synthetic",
        microphone="none",
        recording_folder=tmp_path,
        retention_days=0,
        include_quality_timeline=False,
    )
    dialog = open_dialog(qtbot, settings)
    assert dialog.settings() == settings
    assert dialog.retention_spin.text() == "Keep forever"
    assert dialog.camera_combo.currentText() == "Synthetic test signal"
