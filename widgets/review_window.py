"""`ReviewWindow`: a past session's video with its timeline, and what was seen at the playhead.

It renders a `SessionReview` and the player's position handed to it, and asks for what the user
wants through signals (play or pause, seek, export); the controller owns the media player and
gives it the video widget to draw in. Space plays and pauses, ←/→ jump 5 s.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedLayout,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.model.session_review import SessionReview
from app.model.vocabulary import quality_band
from widgets import theme
from widgets.formatting import mmss, window_text
from widgets.review_timeline import ReviewTimeline
from widgets.signal_list import SignalList

log = logging.getLogger(__name__)

JUMP_S = 5.0
EXPORTS = {
    "html": ("Report (HTML)…", "HTML report (*.html)"),
    "json": ("Results (JSON)…", "JSON (*.json)"),
    "csv": ("Signals (CSV)…", "CSV (*.csv)"),
    "video": ("Video (WebM)…", "WebM video (*.webm)"),
}


class ReviewWindow(QMainWindow):
    play_toggled = Signal()
    seek_requested = Signal(float)
    export_requested = Signal(str)
    """One of `EXPORTS`' keys."""
    window_closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewWindow")
        self.setWindowIcon(theme.icon("app"))
        self.setWindowTitle("Review")
        self._review: SessionReview | None = None
        self._playing = False
        self._duration_s = 0.0
        self.video = QVideoWidget()
        self.video.setObjectName("reviewVideo")
        self.video.setMinimumSize(320, 200)
        self.video_note = QLabel("Preparing the recording…")
        self.video_note.setObjectName("videoNote")
        self.video_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.video_note.setWordWrap(True)
        self._video_stack = QStackedLayout()
        self._video_stack.addWidget(self.video_note)
        self._video_stack.addWidget(self.video)
        self.title = QLabel()
        self.title.setObjectName("reviewTitle")
        self.meta = QLabel()
        self.meta.setObjectName("reviewMeta")
        self.notes = QLabel()
        self.notes.setObjectName("reviewNotes")
        self.notes.setWordWrap(True)
        self.notes.hide()
        self.timeline = ReviewTimeline()
        self.timeline.seek_requested.connect(self.seek_requested)
        self.now_state = QLabel("–")
        self.now_state.setObjectName("reviewNowState")
        self.now_quality = QLabel("–")
        self.now_quality.setObjectName("reviewNowQuality")
        self.now_quality.setWordWrap(True)
        self.now_signals = SignalList()
        self._make_actions()
        self.setCentralWidget(self._layout())
        self.resize(1240, 820)

    def _make_actions(self) -> None:
        self.play_action = QAction("Play", self)
        self.play_action.setObjectName("reviewPlay")
        self.play_action.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.play_action.setIcon(theme.icon("start"))
        self.play_action.triggered.connect(self.play_toggled)
        self.back_action = QAction("Back 5 s", self)
        self.back_action.setShortcut(QKeySequence(Qt.Key.Key_Left))
        self.back_action.triggered.connect(lambda: self._jump(-JUMP_S))
        self.forward_action = QAction("Forward 5 s", self)
        self.forward_action.setShortcut(QKeySequence(Qt.Key.Key_Right))
        self.forward_action.triggered.connect(lambda: self._jump(JUMP_S))
        for action in (self.play_action, self.back_action, self.forward_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        self.export_menu = QMenu("Export", self)
        self.export_actions: dict[str, QAction] = {}
        for kind, (text, _) in EXPORTS.items():
            action = self.export_menu.addAction(text)
            action.setObjectName(f"export_{kind}")
            action.triggered.connect(lambda _=False, k=kind: self.export_requested.emit(k))
            self.export_actions[kind] = action

    def _layout(self) -> QWidget:
        play = QToolButton()
        play.setObjectName("reviewPlayButton")
        play.setDefaultAction(self.play_action)
        play.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        play.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        export = QToolButton()
        export.setObjectName("reviewExport")
        export.setText("Export")
        export.setMenu(self.export_menu)
        export.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clock = QLabel("00:00 / 00:00")
        self.clock.setObjectName("reviewClock")
        transport = QHBoxLayout()
        transport.addWidget(play)
        transport.addWidget(self.clock)
        transport.addStretch(1)
        transport.addWidget(export)
        video_box = QWidget()
        video_box.setObjectName("reviewVideoBox")
        video_box.setLayout(self._video_stack)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(video_box, 1)
        left_layout.addLayout(transport)
        side = QFrame()
        side.setObjectName("sidePanel")
        side.setMinimumWidth(300)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(16, 14, 16, 12)
        for title, widget in (("Engagement here", self.now_state), ("Quality here", self.now_quality)):
            heading = QLabel(title)
            heading.setObjectName("sectionTitle")
            side_layout.addWidget(heading)
            side_layout.addWidget(widget)
        heading = QLabel("Signals here")
        heading.setObjectName("sectionTitle")
        side_layout.addWidget(heading)
        side_layout.addWidget(self.now_signals, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([900, 340])
        splitter.setChildrenCollapsible(False)
        central = QWidget()
        central.setObjectName("central")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.title)
        layout.addWidget(self.meta)
        layout.addWidget(self.notes)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.timeline)
        return central

    # -- the controller's side -----------------------------------------------------------------

    def set_session(self, title: str, meta: str, notes: list[str]) -> None:
        self.setWindowTitle(f"Review · {title}")
        self.title.setText(title)
        self.meta.setText(meta)
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))

    def set_review(self, review: SessionReview) -> None:
        self._review = review
        self.timeline.set_review(review)
        self.set_position(self.timeline.position())

    def set_media_note(self, text: str | None) -> None:
        """A sentence in place of the video (while it is prepared, or why it cannot play); None
        shows the video."""
        if text is None:
            self._video_stack.setCurrentWidget(self.video)
        else:
            self.video_note.setText(text)
            self._video_stack.setCurrentWidget(self.video_note)

    def set_duration(self, seconds: float) -> None:
        self._duration_s = seconds
        self._show_clock()

    def set_playing(self, playing: bool) -> None:
        self._playing = playing
        self.play_action.setText("Pause" if playing else "Play")
        self.play_action.setIcon(theme.icon("pause" if playing else "start"))

    def set_position(self, t: float) -> None:
        self.timeline.set_position(t)
        self._show_clock()
        review = self._review
        if review is None:
            return
        window = review.engagement_at(t)
        self.now_state.setText(
            "Not analysed here"
            if window is None
            else f"{theme.ENGAGEMENT_LABELS[window.state]} · {window_text(window.start, window.end)}"
        )
        quality = review.quality_at(t)
        self.now_quality.setText(
            "–"
            if quality is None
            else f"{quality.values.quality_index:.0f} ({quality_band(quality.values.quality_index)}) · "
            f"clarity {quality.values.clarity:.0f}, authority {quality.values.authority:.0f}, "
            f"energy {quality.values.energy:.0f}, rapport {quality.values.rapport:.0f}, "
            f"learning {quality.values.learning:.0f}"
        )
        self.now_signals.set_signals(review.signals_at(t))

    def ask_export_path(self, kind: str, suggested: Path) -> Path | None:
        caption, pattern = EXPORTS[kind]
        path, _ = QFileDialog.getSaveFileName(self, f"Export {caption.rstrip('…')}", str(suggested), pattern)
        return Path(path) if path else None

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    # -- Qt's side ---------------------------------------------------------------------------------

    def _jump(self, seconds: float) -> None:
        target = max(0.0, self.timeline.position() + seconds)
        if self._duration_s > 0:
            target = min(target, self._duration_s)
        self.seek_requested.emit(target)

    def _show_clock(self) -> None:
        total = self._duration_s or (self._review.length_s if self._review is not None else 0.0)
        self.clock.setText(f"{mmss(self.timeline.position())} / {mmss(total)}")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.window_closed.emit()
        super().closeEvent(event)
