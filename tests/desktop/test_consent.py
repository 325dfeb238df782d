"""The privacy notice before the first capture: Start asks first and captures nothing until the box
is ticked, the agreement is remembered per backend and server, and Help → Privacy shows it again
and can withdraw it."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from PySide6.QtWidgets import QApplication
from support.desktop_helpers import LiveApp

from app.desktop.consent_flow import ConsentFlow
from app.model.events import wall_now
from app.model.server_url import CLOUD_URL
from app.model.source_spec import MicSpec, SourceSpec
from app.store.settings import read_settings
from widgets.consent_dialog import ConsentDialog

pytestmark = pytest.mark.timeout(120)


def open_notice() -> ConsentDialog | None:
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, ConsentDialog) and w.isVisible()]
    return shown[0] if shown else None


async def notice_shown(live: LiveApp) -> ConsentDialog:
    await live.until(lambda: open_notice() is not None, 5, "the privacy notice")
    dialog = open_notice()
    assert dialog is not None
    return dialog


def test_start_asks_first_and_cancelling_captures_nothing(live: LiveApp) -> None:
    ConsentFlow(live.controller)
    recordings = live.controller.settings.recording_folder

    async def scenario() -> None:
        live.window.start_stop_action.trigger()
        dialog = await notice_shown(live)
        assert not dialog.confirm_button.isEnabled(), "Start needs the box ticked"
        assert "nothing leaves this computer" in dialog.notice.title
        live.window.start_stop_action.trigger()  # a second Start while asking starts nothing more
        dialog.confirm_button.click()  # disabled: nothing happens
        assert open_notice() is dialog
        dialog.reject()
        await asyncio.sleep(0.3)

    live.run(scenario, timeout_s=30)
    assert live.controller.state == "idle" and live.controller.session is None
    assert not recordings.exists() or not any(recordings.iterdir()), "nothing was captured or recorded"
    assert read_settings()[0].consents == {}


def test_agreeing_starts_the_session_and_is_not_asked_again(live: LiveApp) -> None:
    ConsentFlow(live.controller)

    async def scenario() -> None:
        live.window.start_stop_action.trigger()
        dialog = await notice_shown(live)
        dialog.agree_check.setChecked(True)
        dialog.confirm_button.click()
        await live.until(lambda: live.controller.state == "running", 20, "the session to start")
        await live.stop_session()
        await live.start_session()  # no notice this time
        assert open_notice() is None
        await live.stop_session()

    live.run(scenario, timeout_s=90)
    assert list(read_settings()[0].consents) == ["local"]


def test_another_backend_or_server_asks_again(live: LiveApp) -> None:
    flow = ConsentFlow(live.controller)
    local = live.controller.session_config()
    cloud = replace(local, url=CLOUD_URL)
    other = replace(local, url="wss://analysis.example.org/v0/stream/analyze")
    live.controller.settings = live.controller.settings.model_copy(update={"consents": {"local": wall_now()}})

    async def decline_the_next_notice() -> bool:
        dialog = await notice_shown(live)
        titles.append(dialog.notice.title)
        dialog.reject()
        return True

    titles: list[str] = []

    async def scenario() -> None:
        assert await flow.granted(local), "agreed to before: no notice"
        for config in (cloud, other):
            answer, _ = await asyncio.gather(flow.granted(config), decline_the_next_notice())
            assert answer is False

    live.run(scenario, timeout_s=30)
    assert titles == ["Sent to Interhuman for analysis", "Sent to analysis.example.org for analysis"]


def test_help_privacy_shows_the_agreement_and_can_withdraw_it(live: LiveApp) -> None:
    ConsentFlow(live.controller)
    live.controller.settings = live.controller.settings.model_copy(update={"consents": {"local": wall_now()}})

    async def scenario() -> None:
        live.window.privacy_requested.emit()
        dialog = await notice_shown(live)
        assert dialog.review and dialog.agree_check.isChecked()
        assert dialog.confirm_button.text() == "Save"
        dialog.agree_check.setChecked(False)
        dialog.confirm_button.click()
        await live.until(lambda: open_notice() is None, 5, "the notice to close")

    live.run(scenario, timeout_s=30)
    assert live.controller.settings.consents == {}
    assert read_settings()[0].consents == {}


def test_a_window_capture_names_the_window_and_is_asked_for_on_its_own(live: LiveApp) -> None:
    flow = ConsentFlow(live.controller)
    config = replace(
        live.controller.session_config(),
        source=SourceSpec.parse("window:Zoom Meeting"),
        microphone=MicSpec.parse("default+meeting"),
    )
    notice = flow.notice(config)
    assert notice.captured.startswith(
        "This session captures the screen: Zoom Meeting window and your microphone and what this "
        "computer plays (the other side of a call)."
    )
    assert "faces, documents, messages" in notice.captured
    assert notice.key == "local +screen", "agreeing to the camera does not cover the screen"
