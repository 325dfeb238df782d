"""Launching the desktop app: a Qt application with asyncio on its main thread through qasync, and
the main window with its controller."""

from __future__ import annotations

import asyncio
import logging
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app import APP_TITLE, __version__
from app.desktop.consent_flow import ConsentFlow
from app.desktop.controller import DesktopController
from app.desktop.library_controller import LibraryController
from app.desktop.settings_flow import SettingsFlow
from app.desktop.window_places import IniWindowPlaces
from app.model.local_only import REFUSAL
from app.model.server_url import ApiVersion
from app.model.source_spec import MicSpec, SourceSpec
from app.runtime.versions import library_versions
from app.store.keystore import KeyStore
from app.store.settings import read_settings
from widgets.about import show_about
from widgets.error_dialog import ErrorReporter
from widgets.main_window import MainWindow
from widgets.theme import apply_theme

log = logging.getLogger(__name__)


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_TITLE)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("interhuman-live")
    # Quitting waits for the session to drain (PROTOCOL.md §7), after the last window closed.
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app)
    return app


def open_desktop(
    loop: asyncio.AbstractEventLoop,
    *,
    source: SourceSpec | None = None,
    microphone: MicSpec | None = None,
    local: bool = False,
    local_only: bool = False,
    api: ApiVersion | None = None,
    model: str | None = None,
) -> DesktopController:
    """The main window with its controller, shown; `controller.closed` is set once the window was
    closed and the session it ran has drained."""
    settings, settings_note = read_settings()
    key_store = KeyStore()
    window = MainWindow(places=IniWindowPlaces())
    reporter = ErrorReporter(window, lambda: _key_in_use(key_store))
    reporter.install()

    def report_loop_error(_loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        # Errors in coroutines and loop callbacks get the same dialog as errors in Qt slots.
        error = context.get("exception")
        if isinstance(error, BaseException):
            reporter.excepthook(type(error), error, error.__traceback__)
        else:
            log.error("asyncio: %s", context.get("message"))

    loop.set_exception_handler(report_loop_error)
    controller = DesktopController(window, settings, key_store, library_versions())
    if source is not None:
        controller.camera_choice = _choice_for(source)
    if microphone is not None:
        controller.microphone_choice = str(microphone)
    controller.force_local = local
    controller.force_local_only = local_only
    controller.api_choice, controller.model_choice = api, model
    controller.settings_flow = SettingsFlow(controller)
    ConsentFlow(controller)
    window.window_closed.connect(lambda: asyncio.ensure_future(controller.close()))
    window.about_requested.connect(lambda: show_about(window, controller.versions.labelled()))
    library = LibraryController(lambda: controller.settings, controller)
    window.library_requested.connect(library.show_library)
    window.review_requested.connect(
        lambda: controller.last_recording is not None and library.open_review(controller.last_recording)
    )
    window.window_closed.connect(library.close_all)
    controller.show_devices()
    window.show()
    window.tray.show()
    # "ready" once the event loop runs: the window has been painted by then (bench/startup.py times it).
    QTimer.singleShot(0, lambda: log.info("ready"))
    if settings_note:
        window.show_problem(settings_note)
    elif controller.local_only and settings.backend == "cloud":
        window.show_problem(f"{REFUSAL}: Interhuman is not used, sessions run on Local analysis.")
    controller.prune_recordings()
    return controller


def _choice_for(source: SourceSpec) -> str:
    """The source picker's id for a `--source` (see `DesktopController._source`): a camera by its
    bare index, anything else by its `--source` text."""
    return str(source.camera_index) if source.kind == "camera" else str(source)


def _key_in_use(key_store: KeyStore) -> str | None:
    credential = key_store.credential()
    return None if credential is None else credential.value
