"""The desktop app: a Qt application with asyncio on its main thread through qasync."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import TYPE_CHECKING

from app import APP_TITLE, __version__

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from app.desktop import DesktopController
    from app.sources import MicSpec, SourceSpec

log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("desktop app (without a command)")
    group.add_argument(
        "--source",
        metavar="camera[:INDEX]|synthetic|file:PATH",
        help="what to capture (default: the camera chosen in Settings)",
    )
    group.add_argument("--mic", metavar="default|none|NAME", help="microphone (default: from Settings)")
    group.add_argument("--local", action="store_true", help="use Local analysis even with an API key")
    group.add_argument("--start", action="store_true", help="start a session at once")
    group.add_argument("--compact", action="store_true", help="open in the compact presenter window")
    group.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QTimer

    from app.qt_log import route_qt_messages
    from app.qt_loop import qt_event_loop
    from app.sources import MicSpec, SourceSpec

    try:
        source = None if args.source is None else SourceSpec.parse(args.source)
        microphone = None if args.mic is None else MicSpec.parse(args.mic)
    except ValueError as error:
        print(f"interhuman-live: {error}", file=sys.stderr)
        return 2
    route_qt_messages()
    app = _application()
    with qt_event_loop(app) as loop:
        desktop = open_desktop(loop, source=source, microphone=microphone, local=args.local)
        if args.compact:
            desktop.window.set_compact(True)
        if args.start:
            QTimer.singleShot(0, desktop.start)
        if args.quit_after:
            QTimer.singleShot(int(args.quit_after * 1000), desktop.window.close)
        loop.run_until_complete(desktop.closed.wait())
    return 0


def _application() -> QApplication:
    from PySide6.QtWidgets import QApplication

    from widgets.theme import apply_theme

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
) -> DesktopController:
    """The main window with its controller, shown; `controller.closed` is set once the window was
    closed and the session it ran has drained."""
    from PySide6.QtCore import QTimer

    from app.desktop import DesktopController
    from app.keystore import KeyStore
    from app.manifest import library_versions
    from app.settings import read_settings
    from app.settings_flow import SettingsFlow
    from widgets.about import show_about
    from widgets.error_dialog import ErrorReporter
    from widgets.main_window import MainWindow

    settings, settings_note = read_settings()
    key_store = KeyStore()
    window = MainWindow()
    reporter = ErrorReporter(window, key_store)
    reporter.install()

    def report_loop_error(_loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        # Errors in coroutines and loop callbacks get the same dialog as errors in Qt slots.
        error = context.get("exception")
        if isinstance(error, BaseException):
            reporter.excepthook(type(error), error, error.__traceback__)
        else:
            log.error("asyncio: %s", context.get("message"))

    loop.set_exception_handler(report_loop_error)
    controller = DesktopController(window, settings, key_store)
    if source is not None:
        controller.camera_choice = _choice_for(source)
    if microphone is not None:
        controller.microphone_choice = str(microphone)
    controller.force_local = local
    controller.settings_flow = SettingsFlow(controller)
    window.window_closed.connect(lambda: asyncio.ensure_future(controller.close()))
    window.about_requested.connect(lambda: show_about(window, library_versions().labelled()))
    controller.show_devices()
    window.show()
    # "ready" once the event loop runs: the window has been painted by then (bench/startup.py times it).
    QTimer.singleShot(0, lambda: log.info("ready"))
    if settings_note:
        window.show_problem(settings_note)
    controller.prune_recordings()
    return controller


def _choice_for(source: SourceSpec) -> str:
    """The camera picker's id for a `--source` (see `DesktopController._source`)."""
    from app.view_state import FILE_CAMERA_PREFIX, SYNTHETIC_CAMERA_ID

    if source.kind == "synthetic":
        return SYNTHETIC_CAMERA_ID
    if source.kind == "file":
        return f"{FILE_CAMERA_PREFIX}{source.path}"
    return str(source.camera_index)
