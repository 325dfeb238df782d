"""The status bar: backend, connection (with the reconnect countdown), segment counts, latency,
upload rate, encoder load, dropped frames, and the latest problem with a "details" link."""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QStatusBar, QToolButton, QWidget

from app.model.events import ConnectionState
from app.model.timeline import ConnectionNow, Problem, TimelineSnapshot
from app.model.view_state import PipelineStatus
from widgets import theme
from widgets.formatting import countdown_text, duration_text, rate_text

log = logging.getLogger(__name__)

ENCODER_BUSY = 0.9
"""Above this share of real time the encoder is close to falling behind."""

_CONNECTION_TEXT: dict[ConnectionState, tuple[str, str]] = {
    "connecting": ("Connecting…", theme.WAITING),
    "connected": ("Connected", theme.FRESH),
    "lost": ("Connection lost", theme.WARNING),
    "reconnecting": ("Reconnecting…", theme.WARNING),
    "auth_rejected": ("Key rejected: check it in Settings", theme.DANGER),
    "failed": ("Connection failed", theme.DANGER),
    "closed": ("Disconnected", theme.WAITING),
}


def connection_text(connection: ConnectionNow | None) -> tuple[str, str]:
    """The connection state as the user reads it, and its colour."""
    if connection is None:
        return "Not connected", theme.WAITING
    if connection.state == "reconnecting" and connection.retry_in_s:
        return f"Reconnecting in {countdown_text(connection.retry_in_s)}", theme.WARNING
    return _CONNECTION_TEXT[connection.state]


def _plural(count: int, word: str) -> str:
    return word if count == 1 else f"{word}s"


class ProblemBanner(QWidget):
    """The latest problem: its message, the error id, a 'details' link, and a dismiss button."""

    link_opened = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.label = QLabel()
        self.label.setObjectName("problem")
        self.label.setOpenExternalLinks(False)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.linkActivated.connect(self._open_link)
        # A long message must not widen the window past the screen: it gets the room there is,
        # and the tooltip holds all of it.
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setMinimumWidth(160)
        dismiss = QToolButton()
        dismiss.setObjectName("dismiss")
        dismiss.setText("×")
        dismiss.setToolTip("Dismiss this message")
        dismiss.clicked.connect(self.clear)
        layout.addWidget(self.label, 1)
        layout.addWidget(dismiss)
        self.problem: Problem | None = None
        self.hide()

    def show_problem(self, problem: Problem) -> None:
        self.problem = problem
        prefix = f"<b>{html.escape(problem.error_id)}</b> " if problem.error_id else ""
        text = f"<span style='color:{theme.DANGER}'>●</span> {prefix}{html.escape(problem.message)}"
        if problem.link and QUrl(problem.link).scheme() in ("http", "https"):
            text += f" <a href='{html.escape(problem.link, quote=True)}'>details</a>"
        self.label.setText(text)
        self.label.setToolTip(problem.message)
        self.show()

    def clear(self) -> None:
        self.problem = None
        self.label.clear()
        self.hide()

    def _open_link(self, link: str) -> None:
        url = QUrl(link)
        if url.scheme() not in ("http", "https"):
            log.warning("refusing to open a non-web link from the server: %s", url.scheme())
            return
        if not QDesktopServices.openUrl(url):
            log.warning("no browser could open %s", link)
        self.link_opened.emit(link)


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.problem = ProblemBanner()
        self.addWidget(self.problem, 1)
        self.capturing_label = self._permanent(
            "capturing", "What of this computer's screen is being analysed"
        )
        self.backend_label = self._permanent("backend", "Which analysis the segments go to")
        self.connection_label = self._permanent("connection", "The connection to the analysis server")
        self.segments_label = self._permanent(
            "segments",
            "Segments sent to the analysis, completed, failed, and skipped because they were stale",
        )
        self.latency_label = self._permanent(
            "latency", "Round trip of the last segment: last byte sent to result"
        )
        self.upload_label = self._permanent("upload", "Upload rate over the last 20 seconds")
        self.encoder_label = self._permanent(
            "encoder", "Encoding time per second of video; above 100 % it falls behind"
        )
        self.dropped_label = self._permanent("dropped", "Camera frames the encoder could not take in time")
        self._last_snapshot_problem: Problem | None = None
        self.set_status(PipelineStatus())
        self.set_snapshot(None)

    def _permanent(self, name: str, tip: str) -> QLabel:
        label = QLabel()
        label.setObjectName(f"status_{name}")
        label.setToolTip(tip)
        self.addPermanentWidget(label)
        return label

    def set_status(self, status: PipelineStatus) -> None:
        self.capturing_label.setText(f"Capturing: {status.capturing}" if status.capturing else "")
        self.capturing_label.setVisible(status.capturing is not None)
        self.capturing_label.setStyleSheet(f"color: {theme.WARNING};")
        self.backend_label.setText("Interhuman cloud" if status.backend == "cloud" else "Local analysis")
        if status.encoder_load is None:
            self.encoder_label.setText("Encoder –")
            self.encoder_label.setStyleSheet("")
        else:
            self.encoder_label.setText(f"Encoder {round(status.encoder_load * 100)} %")
            busy = status.encoder_load > ENCODER_BUSY
            self.encoder_label.setStyleSheet(f"color: {theme.WARNING};" if busy else "")
        self.dropped_label.setText(f"Dropped {status.dropped_video_frames}")
        self.dropped_label.setStyleSheet(f"color: {theme.WARNING};" if status.dropped_video_frames else "")

    def set_snapshot(self, snapshot: TimelineSnapshot | None) -> None:
        text, colour = connection_text(snapshot.connection if snapshot is not None else None)
        self.connection_label.setText(f"<span style='color:{colour}'>●</span> {html.escape(text)}")
        if snapshot is None:
            self.segments_label.setText("Segments –")
            self.latency_label.setText("Round trip –")
            self.upload_label.setText("Upload –")
            return
        c = snapshot.counts
        self.segments_label.setText(
            f"Segments {c.sent} sent · {c.completed} done · {c.errored} {_plural(c.errored, 'error')}"
            f" · {c.skipped} skipped"
        )
        latency = snapshot.last_latency_s
        self.latency_label.setText(
            f"Round trip {duration_text(latency)}" if latency is not None else "Round trip –"
        )
        self.upload_label.setText(f"Upload {rate_text(snapshot.upload_rate_bps)}")
        if snapshot.problem is not None and snapshot.problem != self._last_snapshot_problem:
            self.problem.show_problem(snapshot.problem)
        self._last_snapshot_problem = snapshot.problem

    def show_problem(
        self, message: str, link: str | None = None, error_id: str | None = None, t: float = 0.0
    ) -> None:
        self.problem.show_problem(Problem(t, "app", message, error_id, link))
