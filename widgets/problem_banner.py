"""The latest problem, in a row of its own the window's width: read in full (wrapped, up to a few
lines, the tooltip holding the rest), with its error id, a "details" link and a dismiss button,
and taken back once it no longer holds."""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from app.model.timeline_snapshot import Problem, TimelineSnapshot
from widgets import theme

log = logging.getLogger(__name__)

PROBLEM_LINES = 3
"""A problem longer than this many lines is cut there; its tooltip holds all of it."""


class ProblemBanner(QWidget):
    """The latest problem: its message, the error id, a 'details' link, and a dismiss button."""

    link_opened = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.setSpacing(6)
        self.label = QLabel()
        self.label.setObjectName("problem")
        self.label.setOpenExternalLinks(False)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.linkActivated.connect(self._open_link)
        # Wrapped to the window's width, never widening it; taller only up to a few lines.
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setMaximumHeight(self.label.fontMetrics().lineSpacing() * PROBLEM_LINES + 4)
        self.dismiss = QToolButton()
        self.dismiss.setObjectName("dismiss")
        self.dismiss.setText("×")
        self.dismiss.setToolTip("Dismiss this message")
        self.dismiss.clicked.connect(lambda: self.clear())
        layout.addWidget(self.label, 1)
        layout.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.problem: Problem | None = None
        self._from_timeline: Problem | None = None
        self.hide()

    def set_snapshot(self, snapshot: TimelineSnapshot | None) -> None:
        """Show the timeline's latest problem when it is new; take it back once the timeline says
        it no longer holds (the connection is up again, segments complete again)."""
        latest = snapshot.problem if snapshot is not None else None
        if latest is not None and latest != self._from_timeline:
            self.show_problem(latest)
        elif latest is None and self._from_timeline is not None and self.problem == self._from_timeline:
            self.clear()
        self._from_timeline = latest

    def show_message(
        self, message: str, link: str | None = None, error_id: str | None = None, *, source: str = "app"
    ) -> None:
        """A problem the timeline does not know of; `source` says what it is about (see `clear`)."""
        self.show_problem(Problem(0.0, source, message, error_id, link))

    def show_problem(self, problem: Problem) -> None:
        self.problem = problem
        prefix = f"<b>{html.escape(problem.error_id)}</b> " if problem.error_id else ""
        text = f"<span style='color:{theme.DANGER}'>●</span> {prefix}{html.escape(problem.message)}"
        if problem.link and QUrl(problem.link).scheme() in ("http", "https"):
            text += f" <a href='{html.escape(problem.link, quote=True)}'>details</a>"
        self.label.setText(text)
        self.label.setToolTip(problem.message)
        self.show()

    def clear(self, source: str | None = None) -> None:
        """Hide the problem shown (or only one about `source`): it no longer holds."""
        if source is not None and (self.problem is None or self.problem.source != source):
            return
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
