"""The status bar: backend, connection (with the reconnect countdown), segment counts, latency,
upload rate, encoder load, dropped frames. (The latest problem has a row of its own above it:
`widgets.problem_banner`.)

No text here may widen the window: each counter gives up width before the window does."""

from __future__ import annotations

import html
import logging

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.model.events import ConnectionState
from app.model.timeline_snapshot import ConnectionNow, TimelineSnapshot
from app.model.view_state import PipelineStatus
from widgets import theme
from widgets.formatting import countdown_text, duration_text, rate_text

log = logging.getLogger(__name__)

_GAP = 6
"""Room between two counters, beyond their own padding."""
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


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
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
        self._optional = [self.dropped_label, self.encoder_label, self.upload_label, self.latency_label]
        """Given up first, in this order, when the bar is too narrow for every counter."""
        self._running = False
        self._shown: dict[QLabel, tuple[str, str]] = {}
        self.set_status(PipelineStatus())
        self.set_snapshot(None)

    def _permanent(self, name: str, tip: str) -> QLabel:
        label = QLabel()
        label.setObjectName(f"status_{name}")
        label.setToolTip(tip)
        # A counter gives up its place (see `_fit`) rather than widen the window.
        label.setMinimumWidth(1)
        self.addPermanentWidget(label)
        return label

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Show every counter that fits in full; the less needed ones go first when the bar is narrow.
        What is captured and where it goes always show."""
        labels = [self.capturing_label, self.backend_label, self.connection_label, self.segments_label]
        labels += reversed(self._optional)
        needed = sum(label.sizeHint().width() + _GAP for label in labels)
        for label in self._optional:
            fits = needed <= self.width()
            label.setVisible(fits)
            if not fits:
                needed -= label.sizeHint().width() + _GAP

    def set_status(self, status: PipelineStatus) -> None:
        self._running = status.session_state != "idle"
        if status.encoder_load is None:
            encoder, encoder_colour = "Encoder –", ""
        else:
            encoder = f"Encoder {round(status.encoder_load * 100)} %"
            encoder_colour = theme.WARNING if status.encoder_load > ENCODER_BUSY else ""
        self._show(
            {
                self.capturing_label: (
                    f"Capturing: {status.capturing}" if status.capturing else "",
                    theme.WARNING,
                ),
                self.backend_label: (
                    "Interhuman cloud" if status.backend == "cloud" else "Local analysis",
                    "",
                ),
                self.encoder_label: (encoder, encoder_colour),
                self.dropped_label: (
                    f"Dropped {status.dropped_video_frames}",
                    theme.WARNING if status.dropped_video_frames else "",
                ),
            }
        )
        capturing = status.capturing is not None
        if capturing == self.capturing_label.isHidden():
            self.capturing_label.setVisible(capturing)
            self._fit()

    def set_snapshot(self, snapshot: TimelineSnapshot | None) -> None:
        text, colour = connection_text(snapshot.connection if snapshot is not None else None)
        shown = {self.connection_label: (f"<span style='color:{colour}'>●</span> {html.escape(text)}", "")}
        if snapshot is None:
            shown |= {
                self.segments_label: ("Segments –", ""),
                self.latency_label: ("Round trip –", ""),
                self.upload_label: ("Upload –", ""),
            }
            self._show(shown)
            return
        c = snapshot.counts
        lag = snapshot.cue_lag_s
        if c.chunks_sent:
            # A continuous stream: chunks, not segments, and no per-segment round trip.
            errors = f"{c.errored} {_plural(c.errored, 'error')}"
            shown[self.segments_label] = (f"Stream {c.chunks_sent} chunks sent · {errors}", "")
            shown[self.latency_label] = (
                f"Behind live {duration_text(lag)}" if lag is not None else "Behind live –",
                "",
            )
        else:
            shown[self.segments_label] = (
                f"Segments {c.sent} sent · {c.completed} done · {c.errored} {_plural(c.errored, 'error')}"
                f" · {c.skipped} skipped",
                "",
            )
            latency = snapshot.last_latency_s
            shown[self.latency_label] = (
                f"Round trip {duration_text(latency)}" if latency is not None else "Round trip –",
                "",
            )
        # After Stop nothing is uploading, whatever the last 20 s averaged to.
        upload = rate_text(snapshot.upload_rate_bps) if self._running else "–"
        shown[self.upload_label] = (f"Upload {upload}", "")
        self._show(shown)

    def _show(self, shown: dict[QLabel, tuple[str, str]]) -> None:
        """Each label's text and colour, set only where they changed: five times a second most
        stay, a style sheet set is a re-polish, and every call into Qt lets go of the
        interpreter's lock, which a busy worker may then keep for a while."""
        changed = False
        for label, (text, colour) in shown.items():
            text_was, colour_was = self._shown.get(label, (None, None))
            if text != text_was:
                label.setText(text)
                changed = True
            if colour != colour_was:
                label.setStyleSheet(f"color: {colour};" if colour else "")
            self._shown[label] = (text, colour)
        if changed:
            self._fit()
