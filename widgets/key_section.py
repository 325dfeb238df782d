"""The settings dialog's API key section: where the key comes from, a masked field with a show
toggle, and "Test connection".

The key typed here is stored only through `KeyStore` (the OS keyring) when the dialog is
saved; it is never put in a label, a log line or a tooltip. A key already saved is never
loaded back into the field.
"""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.keystore import ENV_VAR, Credential, KeyStore, looks_like_key
from widgets import theme

log = logging.getLogger(__name__)


class ApiKeySection(QGroupBox):
    test_requested = Signal(str)
    """The user pressed Test connection; carries the key to test (typed, or the one in use)."""
    changed = Signal()

    def __init__(self, key_store: KeyStore, parent: QWidget | None = None) -> None:
        super().__init__("Interhuman API key", parent)
        self.key_store = key_store
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
        self._credential = self._read_credential()
        self._describe_origin()

    def _read_credential(self) -> Credential | None:
        try:
            return self.key_store.credential()
        except Exception as error:  # a broken keyring must not stop the dialog from opening
            log.warning("cannot read the saved key: %s", type(error).__name__)
            return None

    def _describe_origin(self) -> None:
        available = self.key_store.available()
        saved = self._credential is not None and self._credential.origin == "keyring"
        if self._credential is not None and self._credential.origin == "environment":
            text = (
                f"Using the key from the {ENV_VAR} environment variable. "
                "It takes precedence over a key saved here."
            )
        elif not available:
            text = (
                "This system has no keyring, so the key cannot be saved here. "
                f"Set the {ENV_VAR} environment variable instead, then restart the app."
            )
        elif self._remove_saved:
            text = "The saved key will be removed when you press Save."
        elif saved:
            backend = self.key_store.backend_name()
            text = f"A key is saved in the system keyring ({backend}). Type a new one to replace it."
        else:
            backend = self.key_store.backend_name()
            text = f"No key saved yet. It is kept in the system keyring ({backend}), never in a file."
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
        if not self.key_store.available():
            return f"No keyring to save it in: clear this field and set {ENV_VAR} instead."
        return None

    def show_problem(self, problem: str | None) -> None:
        self.error_label.setText(problem or "")
        self.error_label.setVisible(problem is not None)
        self.key_edit.setProperty("invalid", problem is not None)
        self.key_edit.style().unpolish(self.key_edit)
        self.key_edit.style().polish(self.key_edit)

    def save(self) -> None:
        """Apply what the user did: store a typed key, or remove the saved one. Raises with a
        user-facing reason (never containing the key) when the keyring refuses."""
        key = self.entered_key()
        if key:
            self.key_store.store(key)
        elif self._remove_saved:
            self.key_store.delete()

    def key_for_test(self) -> str | None:
        return self.entered_key() or (self._credential.value if self._credential is not None else None)

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
        key = self.key_for_test()
        if not key:
            self.show_result(False, "Type a key first, then test it.", None)
            return
        reason = looks_like_key(key)
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
