"""The settings dialog's API key section: where the key comes from, a masked field with a show
toggle, and "Test connection".

The section renders a `KeyStoreView` and reports a `KeyChange`; the controller stores the key (in
the OS keyring) when the dialog is saved. A typed key is never put in a label, a log line or a
tooltip, and a key already saved is never loaded back into the field.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.model.api_key import looks_like_key
from app.model.view_state import KeyChange, KeyStoreView
from widgets import theme


class ApiKeySection(QGroupBox):
    test_requested = Signal(str)
    """The user pressed Test connection; carries the typed key, or "" for the one in use."""
    changed = Signal()

    def __init__(self, view: KeyStoreView, parent: QWidget | None = None) -> None:
        super().__init__("Interhuman API key", parent)
        self.view = view
        self._remove_saved = False
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        self.origin_label = QLabel()
        self.origin_label.setObjectName("fieldNote")
        self.origin_label.setWordWrap(True)
        layout.addWidget(self.origin_label)
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("apiKey")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("ih_live_…")
        self.key_edit.setAccessibleName("API key")
        self.key_edit.setClearButtonEnabled(True)
        self.show_action = self.key_edit.addAction(
            theme.icon("eye"), QLineEdit.ActionPosition.TrailingPosition
        )
        self.show_action.setCheckable(True)
        self.show_action.setToolTip("Show the key")
        self.show_action.toggled.connect(self._toggle_shown)
        self.key_edit.textChanged.connect(self.changed)
        layout.addWidget(self.key_edit)
        self.error_label = QLabel()
        self.error_label.setObjectName("fieldError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        buttons = QHBoxLayout()
        self.test_button = QPushButton("Test connection")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self._test_clicked)
        self.remove_button = QPushButton("Remove saved key")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self._remove_clicked)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.result_label = QLabel()
        self.result_label.setObjectName("connectionResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.linkActivated.connect(_open_web_link)
        self.result_label.hide()
        layout.addWidget(self.result_label)
        self._describe_origin()

    def _describe_origin(self) -> None:
        view = self.view
        name = view.keyring_name
        available = view.keyring_available
        saved = view.origin == "keyring"
        if view.origin == "environment":
            text = (
                f"Using the key from the {view.env_var} environment variable. "
                "It takes precedence over a key saved here."
            )
        elif not available:
            text = view.keyring_hint or (
                "This system has no keyring, so the key cannot be saved here. "
                f"Set the {view.env_var} environment variable instead, then restart the app."
            )
        elif self._remove_saved:
            text = "The saved key will be removed when you press Save."
        elif saved:
            text = f"A key is saved in the system keyring ({name}). Type a new one to replace it."
        else:
            text = f"No key saved yet. It is kept in the system keyring ({name}), never in a file."
        self.origin_label.setText(text)
        self.key_edit.setPlaceholderText("Paste a new key to replace the saved one" if saved else "ih_live_…")
        self.remove_button.setVisible(available and saved and not self._remove_saved)

    def entered_key(self) -> str:
        return self.key_edit.text().strip()

    def problem(self) -> str | None:
        """Why the typed key cannot be saved, or None (also None when nothing was typed)."""
        key = self.entered_key()
        if not key:
            return None
        reason = looks_like_key(key)
        if reason:
            return reason
        if not self.view.keyring_available:
            return f"No keyring to save it in: clear this field and set {self.view.env_var} instead."
        return None

    def show_problem(self, problem: str | None) -> None:
        self.error_label.setText(problem or "")
        self.error_label.setVisible(problem is not None)
        self.key_edit.setProperty("invalid", problem is not None)
        self.key_edit.style().unpolish(self.key_edit)
        self.key_edit.style().polish(self.key_edit)

    def change(self) -> KeyChange:
        """What the user did: typed a key to store, or asked to remove the saved one."""
        return KeyChange(new_key=self.entered_key(), remove_saved=self._remove_saved)

    def focus_key(self) -> None:
        self.key_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_result(self, ok: bool, message: str, link: str | None) -> None:
        self.test_button.setEnabled(True)
        colour = theme.FRESH if ok else theme.DANGER
        mark = "✓" if ok else "✕"
        text = f"<span style='color:{colour}'>{mark}</span> {html.escape(message)}"
        if link and QUrl(link).scheme() in ("http", "https"):
            text += f" <a href='{html.escape(link, quote=True)}'>details</a>"
        self.result_label.setText(text)
        self.result_label.show()

    def _toggle_shown(self, shown: bool) -> None:
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_action.setToolTip("Hide the key" if shown else "Show the key")

    def _test_clicked(self) -> None:
        key = self.entered_key()
        if not key and self.view.origin is None:
            self.show_result(False, "Type a key first, then test it.", None)
            return
        reason = looks_like_key(key) if key else None
        if reason:
            self.show_result(False, reason, None)
            return
        self.test_button.setEnabled(False)
        self.result_label.setText("Testing the connection…")
        self.result_label.show()
        self.test_requested.emit(key)

    def _remove_clicked(self) -> None:
        self._remove_saved = True
        self._describe_origin()
        self.changed.emit()


def _open_web_link(link: str) -> None:
    if QUrl(link).scheme() in ("http", "https"):
        QDesktopServices.openUrl(QUrl(link))
