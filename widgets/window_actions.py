"""The main window's commands: an action each, with its shortcut, offered in the window's menus."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QWidget

from app import APP_TITLE
from app.model.view_state import SessionState
from widgets import theme

SHORTCUTS = {
    "start_stop": "Ctrl+Return",
    "pause": "Ctrl+P",
    "overlay": "O",
    "compact": "Ctrl+M",
    "settings": "Ctrl+,",
    "library": "Ctrl+L",
    "quit": "Ctrl+Q",
}


@dataclass(frozen=True)
class WindowActions:
    start_stop: QAction
    pause: QAction
    overlay: QAction
    compact: QAction
    settings: QAction
    library: QAction
    review: QAction
    quit: QAction
    about: QAction
    privacy: QAction


def window_actions(window: QMainWindow) -> WindowActions:
    """The actions, made on `window` so that their shortcuts work anywhere in it, and its menus."""
    start_stop = _action(window, "start_stop", "Start", "Start a session", "start")
    pause = _toggle(
        window, "pause", "Pause sending", "Stop sending segments; nothing leaves this computer", "pause"
    )
    overlay = _toggle(
        window, "overlay", "Show feedback overlay", "Show or hide the feedback over the video", "overlay"
    )
    compact = _toggle(
        window, "compact", "Compact presenter window", "Switch to the small always-on-top window", "compact"
    )
    settings = _action(
        window, "settings", "Settings…", "Analysis, API key, capture and recording settings", "settings"
    )
    settings.setMenuRole(QAction.MenuRole.PreferencesRole)
    library = _action(window, "library", "Library…", "Past sessions, their reviews and progress")
    review = QAction("Review this session", window)
    review.setObjectName("review_session")
    review.setToolTip("Play the session that just stopped, with its timeline")
    review.setEnabled(False)
    quit_ = _action(window, "quit", "Quit", "Quit Interhuman Live")
    quit_.setMenuRole(QAction.MenuRole.QuitRole)
    for action in (start_stop, pause, overlay, compact, settings, library, quit_):
        window.addAction(action)
    about = QAction(f"About {APP_TITLE}", window)
    about.setObjectName("about")
    about.setMenuRole(QAction.MenuRole.AboutRole)
    privacy = QAction("Privacy…", window)
    privacy.setObjectName("privacy")
    privacy.setToolTip("What is captured, where it goes, and how long it is kept")
    actions = WindowActions(
        start_stop, pause, overlay, compact, settings, library, review, quit_, about, privacy
    )
    _add_menus(window, actions)
    return actions


def show_start_stop(action: QAction, state: SessionState) -> None:
    """Start/Stop reads as what pressing it does now."""
    running = state in ("starting", "running")
    stopping = state == "stopping"
    action.setText("Stop now" if stopping else "Stop" if running else "Start")
    action.setIcon(theme.icon("stop" if running or stopping else "start"))
    tip = (
        "Stop without waiting for the last answers"
        if stopping
        else "Stop the session"
        if running
        else "Start a session"
    )
    action.setToolTip(f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")


def _toggle(parent: QWidget, name: str, text: str, tip: str, icon: str) -> QAction:
    action = _action(parent, name, text, tip, icon)
    action.setCheckable(True)
    # In a menu an icon takes the place of the tick: a toggle shows its tick instead.
    action.setIconVisibleInMenu(False)
    return action


def _action(parent: QWidget, name: str, text: str, tip: str, icon: str | None = None) -> QAction:
    action = QAction(text, parent)
    action.setObjectName(name)
    shortcut = QKeySequence(SHORTCUTS[name])
    action.setShortcut(shortcut)
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    # A held key repeats: a toggle would flip on every repeat (Ctrl+M: ~25 times a second).
    action.setAutoRepeat(False)
    shown = shortcut.toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip} ({shown})")
    if icon:
        action.setIcon(theme.icon(icon))
    return action


def _add_menus(window: QMainWindow, actions: WindowActions) -> None:
    session = window.menuBar().addMenu("&Session")
    session.addAction(actions.start_stop)
    session.addAction(actions.pause)
    session.addSeparator()
    session.addAction(actions.library)
    session.addAction(actions.review)
    session.addSeparator()
    session.addAction(actions.settings)
    session.addSeparator()
    session.addAction(actions.quit)
    view = window.menuBar().addMenu("&View")
    view.addAction(actions.overlay)
    view.addAction(actions.compact)
    help_menu = window.menuBar().addMenu("&Help")
    help_menu.addAction(actions.privacy)
    help_menu.addAction(actions.about)
