"""The settings dialog's round trip: open it, test a connection on the loop, apply what was saved."""

from __future__ import annotations

import asyncio
import logging

from app.desktop.controller import DesktopController
from app.desktop.device_listing import list_devices
from app.model.local_only import url_refusal
from app.model.view_state import SOURCE_LOCKED, KeyChange
from app.store.keystore import KeyStoreUnavailable
from app.store.settings import Settings, save_settings
from widgets.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)


class SettingsFlow:
    def __init__(self, controller: DesktopController) -> None:
        self.controller = controller
        self.dialog: SettingsDialog | None = None
        self._probe: asyncio.Future[None] | None = None
        window = controller.window
        window.settings_requested.connect(lambda: self.open(on_key=False))
        window.add_key_requested.connect(lambda: self.open(on_key=True))

    def open(self, *, on_key: bool) -> SettingsDialog:
        if self.dialog is not None:
            self.dialog.raise_()
            return self.dialog
        controller = self.controller
        cameras, microphones = list_devices()
        # The toolbar's choice is the one the Capture tab shows (it may have come from --source).
        shown = controller.settings.model_copy(
            update={"camera": controller.camera_choice, "microphone": controller.microphone_choice}
        )
        dialog = SettingsDialog(
            shown,
            self.controller.key_store.view(),
            cameras,
            microphones,
            self.controller.window,
        )
        dialog.connection_test_requested.connect(self._test)
        dialog.save_requested.connect(self._save)
        dialog.settings_saved.connect(self._apply)
        dialog.finished.connect(self._closed)
        if self.controller.state != "idle":
            dialog.lock_source(SOURCE_LOCKED)
        if on_key:
            dialog.open_on_key_field()
        dialog.open()
        self.dialog = dialog
        return dialog

    def _test(self, url: str, key: str) -> None:
        if self._probe is not None and not self._probe.done():
            return
        self._probe = asyncio.ensure_future(self._run_probe(url, key))

    async def _run_probe(self, url: str, key: str) -> None:
        from app.uplink import probe

        dialog = self.dialog
        local_only = self.controller.force_local_only or (
            dialog is not None and dialog.values()["local_only"]
        )
        refusal = url_refusal(url, how_to_leave="turn local-only mode off") if local_only else None
        if refusal:
            if dialog is not None:
                dialog.show_connection_result(False, refusal)
            return
        stored = self.controller.key_store.credential()
        # An empty field means "the key I already saved".
        credential = key or (stored.value if stored is not None else None)
        result = await probe(url, credential, include=self.controller.settings.include_flags)
        log.info("connection test: %s", "ok" if result.ok else f"failed ({result.error_id or result.status})")
        if dialog is not None and dialog is self.dialog:
            dialog.show_connection_result(result.ok, result.message, result.link)

    def _save(self, settings: Settings, change: KeyChange) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        try:
            self.controller.key_store.apply(change)
        except (ValueError, KeyStoreUnavailable) as error:
            dialog.show_save_problem(str(error), about_key=True)
            return
        try:
            save_settings(settings)
        except OSError as error:
            dialog.show_save_problem(
                f"The settings could not be saved ({error.strerror}). Check the disk and try again.",
                about_key=False,
            )
            return
        dialog.close_saved(settings)

    def _apply(self, settings: Settings) -> None:
        controller = self.controller
        before = controller.settings
        controller.settings = settings
        controller.refresh_credential()
        # One choice, shared with the toolbar: a Save that did not touch it leaves it as it is.
        if settings.camera != before.camera:
            controller.camera_choice = settings.camera
        if settings.microphone != before.microphone:
            controller.microphone_choice = settings.microphone
        controller.show_devices()

    def _closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None
