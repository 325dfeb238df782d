"""`MainWindow`: the live preview with its overlay, the side panel, the controls and the status bar.

It renders what it is handed and reports what the user asks for through past-tense Qt
signals; it never starts, stops or connects anything itself. The controller calls the setters
(`set_snapshot`, `set_status`, `set_frame`, `set_devices`, …) on the Qt main thread.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent, QShowEvent
from PySide6.QtWidgets import QMainWindow, QSplitter, QToolButton, QVBoxLayout, QWidget

from app import APP_TITLE
from app.model.sending import sending_state
from app.model.timeline_snapshot import TimelineSnapshot
from app.model.view_state import DeviceOption, PipelineStatus, SessionState
from widgets import theme
from widgets.compact_window import CompactWindow
from widgets.connection_card import ConnectionCard
from widgets.controls import ControlBar
from widgets.delivery_panel import DeliveryPanel
from widgets.feedback_panel import FeedbackPanel
from widgets.key_banner import KeyBanner
from widgets.preview import PreviewWidget
from widgets.problem_banner import ProblemBanner
from widgets.quality_panel import QualityPanel
from widgets.sending_indicator import SendingIndicator
from widgets.side_panel import SidePanel, scrolling
from widgets.signal_list import SignalList
from widgets.status_bar import StatusBar
from widgets.timeline_strip import TimelineStrip
from widgets.tray import SendingTray
from widgets.window_actions import show_start_stop, window_actions
from widgets.window_places import (
    ForgetfulPlaces,
    WindowPlaces,
    fit_to_screen,
    restore_geometry,
    save_geometry,
)

log = logging.getLogger(__name__)

STATE_KEY = "main"
OVERLAY_KEY = "view/overlay"
DEFAULT_SIZE = QSize(1280, 800)
MINIMUM_SIZE = QSize(860, 500)
"""Small enough for a 1024x600 screen with a title bar and a panel; held whatever the texts say."""


class MainWindow(QMainWindow):
    start_requested = Signal()
    stop_requested = Signal()
    pause_toggled = Signal(bool)
    camera_chosen = Signal(str)
    microphone_chosen = Signal(str)
    file_chosen = Signal(str)
    settings_requested = Signal()
    add_key_requested = Signal()
    """The banner's "Add key…": open the settings dialog on the key field."""
    compact_toggled = Signal(bool)
    overlay_toggled = Signal(bool)
    about_requested = Signal()
    library_requested = Signal()
    review_requested = Signal()
    """"Review this session": the session that stopped last."""
    retry_requested = Signal()
    """The connection card's "Retry now": reconnect without waiting out the pause."""
    local_requested = Signal()
    """The connection card's "Use Local analysis": start again on this computer's analysis."""
    stop_now_requested = Signal()
    """Stop without waiting for answers (the card's "Stop now", or Stop pressed while finishing)."""
    privacy_requested = Signal()
    """Help → Privacy: show what is captured and where it goes, and the user's agreement to it."""
    window_closed = Signal()
    picture_box_changed = Signal(int, int)
    """The preview's box for frames, in device pixels (`PreviewWidget.picture_box`)."""
    """The user closed the window (or quit). While a session runs the window stays until it has
    stopped, so no process lives on unseen."""

    def __init__(self, parent: QWidget | None = None, places: WindowPlaces | None = None) -> None:
        super().__init__(parent)
        self.places = places or ForgetfulPlaces()
        self.setWindowTitle(APP_TITLE)
        self.setWindowIcon(theme.icon("app"))
        self.setObjectName("mainWindow")
        self._session_state: SessionState = "idle"
        self._snapshot: TimelineSnapshot | None = None
        self._status = PipelineStatus()
        self._connect_actions()
        self.preview = PreviewWidget()
        self.preview.picture_box_changed.connect(self.picture_box_changed)
        self.controls = ControlBar(
            self.start_stop_action,
            self.pause_action,
            [self.overlay_action, self.compact_action, self.settings_action],
        )
        self._connect_card(self.preview.connection_card)
        self.controls.camera_chosen.connect(self.camera_chosen)
        self.controls.microphone_chosen.connect(self.microphone_chosen)
        self.controls.file_chosen.connect(self.file_chosen)
        self.sending_indicator = SendingIndicator()
        self.controls.add_beside_pause(self.sending_indicator)
        self.banner = KeyBanner()
        self.banner.add_key_requested.connect(self.add_key_requested)
        self.timeline_strip = TimelineStrip()
        self.quality_panel = QualityPanel()
        self.delivery_panel = DeliveryPanel()
        self.signal_list = SignalList()
        self.feedback_panel = FeedbackPanel()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("mainSplitter")
        splitter.addWidget(self.preview)
        self.side_panel = SidePanel(
            self.timeline_strip,
            self.quality_panel,
            self.delivery_panel,
            self.feedback_panel,
            self.signal_list,
        )
        splitter.addWidget(scrolling(self.side_panel))
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([940, 340])
        central = QWidget()
        central.setObjectName("central")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.controls)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.status_bar = StatusBar()
        self.setStatusBar(self.status_bar)
        self.review_button = QToolButton()
        self.review_button.setObjectName("reviewSessionButton")
        self.review_button.setDefaultAction(self.review_action)
        self.review_button.hide()
        self.status_bar.addPermanentWidget(self.review_button)
        # The latest problem gets a row of its own, the window's width, so it is read in full.
        self.problem_banner = ProblemBanner()
        layout.addWidget(self.problem_banner)
        self.compact = CompactWindow(self, self.places)
        self.compact.expand_requested.connect(lambda: self.set_compact(False))
        self._connect_card(self.compact.connection_card)
        self.compact.add_controls(self.pause_action, self.start_stop_action)
        self.tray = SendingTray(self.pause_action, self)
        self.tray.show_window_requested.connect(self.show_from_tray)
        self.tray.stop_requested.connect(self.stop_requested)
        self.overlay_action.setChecked(self.places.flag(OVERLAY_KEY, True))
        self.preview.set_overlay_visible(self.overlay_action.isChecked())
        # Explicit, so that no text can widen the window: labels shorten or wrap instead.
        self.setMinimumSize(MINIMUM_SIZE)
        if not restore_geometry(self.places, STATE_KEY, self):
            self.resize(DEFAULT_SIZE)
        self._fitted = False
        self.set_status(PipelineStatus())

    def _connect_card(self, card: ConnectionCard) -> None:
        card.retry_requested.connect(self.retry_requested)
        card.local_requested.connect(self.local_requested)
        card.stop_requested.connect(self.stop_now_requested)

    def _connect_actions(self) -> None:
        actions = window_actions(self)
        self.start_stop_action = actions.start_stop
        self.pause_action = actions.pause
        self.overlay_action = actions.overlay
        self.compact_action = actions.compact
        self.settings_action = actions.settings
        self.review_action = actions.review
        actions.start_stop.triggered.connect(self._start_stop_triggered)
        actions.pause.triggered.connect(self.pause_toggled)
        actions.overlay.triggered.connect(self._overlay_triggered)
        actions.compact.triggered.connect(self.set_compact)
        actions.settings.triggered.connect(self.settings_requested)
        actions.library.triggered.connect(self.library_requested)
        actions.review.triggered.connect(self.review_requested)
        actions.quit.triggered.connect(self.close)
        actions.about.triggered.connect(self.about_requested)
        actions.privacy.triggered.connect(self.privacy_requested)

    # The controller's side -------------------------------------------------------------------

    def set_snapshot(self, snapshot: TimelineSnapshot) -> None:
        self._snapshot = snapshot
        self._show_sending()
        if self.compact.isVisible():
            self.compact.set_snapshot(snapshot)
            return
        self.preview.set_snapshot(snapshot)
        self.side_panel.set_snapshot(snapshot)
        self.status_bar.set_snapshot(snapshot)
        self.problem_banner.set_snapshot(snapshot)

    def set_status(self, status: PipelineStatus) -> None:
        self._status = status
        self._show_sending()
        self.tray.set_session_state(status.session_state)
        if status.session_state != self._session_state:
            # Restyling the Start button is a stylesheet pass: not four times a second for nothing.
            self.set_session_state(status.session_state)
        self.pause_action.setChecked(status.paused)
        self.pause_action.setText("Resume sending" if status.paused else "Pause sending")
        self.banner.set_needed(not status.api_key_configured)
        self.side_panel.show_delivery(status.backend == "local")
        self.preview.set_status(status)
        self.compact.set_status(status)
        self.status_bar.set_status(status)
        self.controls.set_audio_level(status.audio_level_dbfs)

    def _show_sending(self) -> None:
        state = sending_state(self._status, None if self._snapshot is None else self._snapshot.connection)
        self.sending_indicator.set_state(state)
        self.compact.set_sending(state)
        self.tray.set_state(state)

    def show_from_tray(self) -> None:
        """The tray's Show window: bring back whichever window the user works in."""
        shown = self.compact if self.is_compact() else self
        if shown is self:
            self.showNormal()
        shown.raise_()
        shown.activateWindow()

    def set_frame(self, image: np.ndarray) -> None:
        self.preview.set_frame(image)

    def picture_box(self) -> tuple[int, int]:
        return self.preview.picture_box()

    def clear_frame(self) -> None:
        self.preview.clear_frame()

    def set_devices(
        self,
        cameras: Sequence[DeviceOption],
        microphones: Sequence[DeviceOption],
        camera: str | None = None,
        microphone: str | None = None,
    ) -> None:
        self.controls.set_devices(cameras, microphones, camera, microphone)

    def set_session_state(self, state: SessionState) -> None:
        self._session_state = state
        show_start_stop(self.start_stop_action, state)
        self.controls.set_source_locked(state != "idle")
        self.controls.start_button.setProperty("running", state != "idle")
        self.controls.start_button.style().unpolish(self.controls.start_button)
        self.controls.start_button.style().polish(self.controls.start_button)

    def session_state(self) -> SessionState:
        return self._session_state

    def offer_review(self, available: bool) -> None:
        """Offer "Review this session" for the session that just stopped (or withdraw it)."""
        self.review_action.setEnabled(available)
        self.review_button.setVisible(available)

    def show_problem(
        self, message: str, link: str | None = None, error_id: str | None = None, *, source: str = "app"
    ) -> None:
        """Show a problem the timeline does not know about (e.g. the camera would not open);
        `source` names what it is about, so that it can be cleared once that is fine again."""
        self.problem_banner.show_message(message, link, error_id, source=source)

    def clear_problem(self, source: str | None = None) -> None:
        """The problem shown no longer holds (any, or only one about `source`)."""
        self.problem_banner.clear(source)

    def set_overlay_visible(self, visible: bool) -> None:
        self.overlay_action.setChecked(visible)
        self._overlay_triggered(visible)

    def is_compact(self) -> bool:
        return self.compact.isVisible()

    def set_compact(self, compact: bool) -> None:
        """Swap between this window and the compact presenter window; the session keeps going."""
        self.compact_action.setChecked(compact)
        if compact == self.is_compact():
            return
        if compact:
            self.compact.set_snapshot(self._snapshot)
            self.compact.show()
            self.compact.raise_()
            self.hide()
        else:
            self.compact.hide()
            self.show()
            if self._snapshot is not None:
                self.set_snapshot(self._snapshot)
            self.raise_()
            self.activateWindow()
        log.info("compact presenter window %s", "on" if compact else "off")
        self.compact_toggled.emit(compact)

    # Qt's side ----------------------------------------------------------------------------------

    def _start_stop_triggered(self) -> None:
        if self._session_state in ("starting", "running"):
            self.stop_requested.emit()
        elif self._session_state == "stopping":
            self.stop_now_requested.emit()
        elif self._session_state == "idle":
            self.start_requested.emit()

    def _overlay_triggered(self, visible: bool) -> None:
        self.preview.set_overlay_visible(visible)
        self.places.save_flag(OVERLAY_KEY, visible)
        self.overlay_toggled.emit(visible)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:  # once shown, its frame is known: fit the whole of it to the screen
            self._fitted = True
            fit_to_screen(self)

    def hideEvent(self, event: QHideEvent) -> None:
        if not event.spontaneous():
            save_geometry(self.places, STATE_KEY, self)
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        save_geometry(self.places, STATE_KEY, self)
        if self._session_state != "idle":
            # Stays in sight, saying "Finishing…", until the session has stopped: a closed window
            # must never leave a process behind that the user cannot see.
            event.ignore()
            self.set_compact(False)
            self.window_closed.emit()
            return
        self.compact.hide()
        self.tray.hide()
        self.window_closed.emit()
        super().closeEvent(event)
