"""`ConsentDialog`: the privacy notice before the first capture with a backend, and again from
Help → Privacy. It says what is captured, where it goes (with the data-use terms' links) and what
is kept on this computer for how long, and it needs the box ticked before anything starts.

It renders a `PrivacyNotice` and emits what the user decided; the desktop remembers it.
"""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.model.consent import PrivacyNotice

log = logging.getLogger(__name__)

WIDTH = 540


def _open_link(link: str) -> None:
    url = QUrl(link)
    if url.scheme() != "https":
        log.warning("refusing to open a link that is not https: %s", url.scheme())
        return
    if not QDesktopServices.openUrl(url):
        log.warning("no browser could open %s", link)


class ConsentDialog(QDialog):
    decided = Signal(str, bool)
    """(notice key, agreed): the user pressed Start (or Save in review) with the box ticked or not."""

    def __init__(
        self, notice: PrivacyNotice, *, agreed_before: bool, review: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.notice = notice
        self.review = review
        self.setObjectName("consentDialog")
        self.setWindowTitle("Privacy" if review else "Before the first session")
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setMinimumWidth(WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        title = QLabel(notice.title)
        title.setObjectName("consentTitle")
        layout.addWidget(title)
        layout.addWidget(self._section("What is captured", notice.captured))
        where = html.escape(notice.destination) + "".join(
            f"<br>• {html.escape(line)}" for line in notice.data_use
        )
        layout.addWidget(self._section("Where it goes", where, escape_body=False))
        if notice.links:
            links = " · ".join(
                f"<a href='{html.escape(link.url, quote=True)}'>{html.escape(link.text)}</a>"
                for link in notice.links
            )
            self.links_label = self._label(links, rich=True)
            self.links_label.linkActivated.connect(_open_link)
            layout.addWidget(self.links_label)
        layout.addWidget(self._section("What is kept on this computer", notice.recording))
        self.agree_check = QCheckBox(notice.agreement)
        self.agree_check.setObjectName("consentCheck")
        self.agree_check.setChecked(agreed_before)
        self.agree_check.toggled.connect(self._update_buttons)
        layout.addSpacing(4)
        layout.addWidget(self.agree_check)
        self.buttons = QDialogButtonBox()
        self.confirm_button = QPushButton("Save" if review else "Start")
        self.confirm_button.setObjectName("consentConfirm")
        self.confirm_button.setDefault(True)
        self.buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(
            QDialogButtonBox.StandardButton.Close if review else QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update_buttons()

    def accept(self) -> None:
        agreed = self.agree_check.isChecked()
        if not agreed and not self.review:
            return  # Start needs the box ticked
        self.decided.emit(self.notice.key, agreed)
        super().accept()

    def _update_buttons(self) -> None:
        # In review the user may untick the box and save: that withdraws the agreement.
        self.confirm_button.setEnabled(self.review or self.agree_check.isChecked())
        self.confirm_button.setToolTip("" if self.confirm_button.isEnabled() else "Tick the box first.")

    def _section(self, heading: str, body: str, *, escape_body: bool = True) -> QWidget:
        text = f"<b>{html.escape(heading)}</b><br>{html.escape(body) if escape_body else body}"
        return self._label(text, rich=True)

    @staticmethod
    def _label(text: str, *, rich: bool) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        label.setOpenExternalLinks(False)
        label.setObjectName("consentText")
        return label
