"""One source choice for the toolbar and Settings (issue 16, items 1 and 4): what the toolbar picks
is what the Capture tab shows, it is saved and comes back at the next launch (a file and the test
signal too), an unrelated Save leaves it and a running session alone, and while a session runs
the pickers are locked with a hint instead of pretending to switch."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from support.desktop_helpers import LiveApp

from app.desktop.controller import DesktopController
from app.desktop.settings_flow import SettingsFlow
from app.model.view_state import SOURCE_LOCKED, SYNTHETIC_CAMERA_ID
from app.runtime.versions import library_versions
from app.store.keystore import KeyStore
from app.store.settings import Settings, read_settings
from widgets.main_window import MainWindow

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def settings(recordings: Path) -> Settings:
    """Saved settings naming camera 0, which this machine does not have (the reported case)."""
    return Settings(
        backend="local", camera="0", segment_length_s=3.0, recording_folder=recordings, retention_days=0
    )


def pick(window: MainWindow, data: str) -> None:
    """Choose the toolbar's source entry holding `data`, as a click in its list does."""
    combo = window.controls.camera_combo
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not in the list"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_a_save_in_settings_leaves_the_toolbars_source_and_the_running_session_alone(
    live: LiveApp, qtbot: QtBot
) -> None:
    window, controller = live.window, live.controller
    controller.show_devices()
    pick(window, SYNTHETIC_CAMERA_ID)
    flow = SettingsFlow(controller)

    async def scenario() -> None:
        await live.start_session()
        dialog = flow.open(on_key=False)
        assert dialog.camera_combo.currentData() == SYNTHETIC_CAMERA_ID, "Settings shows the toolbar's choice"
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        await live.until(lambda: not dialog.isVisible(), 5, "the dialog to close on Save")
        assert window.controls.camera_combo.currentData() == SYNTHETIC_CAMERA_ID
        assert window.controls.camera_combo.currentText() == "Synthetic test signal"
        assert controller.status().camera.state == "ok", "no 'No camera found' over a working session"
        await live.stop_session()

    live.run(scenario, timeout_s=60)
    assert read_settings()[0].camera == SYNTHETIC_CAMERA_ID


def test_the_toolbars_choice_is_remembered_at_the_next_launch(live: LiveApp, tmp_path: Path) -> None:
    clip = tmp_path / "talk.mp4"
    clip.write_bytes(b"")  # only its name is shown; nothing reads it before Start
    live.controller.show_devices()
    live.window.controls.pick_file = lambda _parent: str(clip)
    index = live.window.controls.camera_combo.findData("file…")
    live.window.controls.camera_combo.activated.emit(index)
    assert read_settings()[0].camera == f"file:{clip}"

    again = MainWindow()
    try:
        relaunched = DesktopController(again, read_settings()[0], KeyStore(), library_versions())
        relaunched.show_devices()
        assert again.controls.camera_combo.currentText() == "File: talk.mp4"
        assert relaunched.session_config().source.path == clip
    finally:
        again.close()
        again.deleteLater()


def test_the_pickers_are_locked_while_a_session_runs(live: LiveApp) -> None:
    window, controller = live.window, live.controller
    controller.show_devices()
    pick(window, SYNTHETIC_CAMERA_ID)
    combos = (window.controls.camera_combo, window.controls.microphone_combo)
    flow = SettingsFlow(controller)

    async def scenario() -> None:
        await live.start_session()
        assert not any(combo.isEnabled() for combo in combos)
        assert all(combo.toolTip() == SOURCE_LOCKED for combo in combos)
        dialog = flow.open(on_key=False)
        assert not dialog.camera_combo.isEnabled() and dialog.camera_combo.toolTip() == SOURCE_LOCKED
        dialog.reject()
        await live.stop_session()
        assert all(combo.isEnabled() for combo in combos)

    live.run(scenario, timeout_s=60)
