"""The settings dialog: analysis, API key, capture and recording, backed by `app.store.settings.Settings`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.model.local_only import CLOUD_REFUSAL
from app.model.view_state import DeviceOption, KeyChange, KeyStoreView
from app.store.settings import Settings
from widgets.key_section import ApiKeySection
from widgets.settings_fields import (
    api_choice,
    ask_for_folder,
    camera_choice,
    check_box,
    codec_choice,
    column,
    folder_field,
    fps_field,
    goal_choice,
    microphone_choice,
    model_choice,
    resolution_choice,
    retention_field,
    segment_length_field,
)
from widgets.validated_form import ValidatedForm

log = logging.getLogger(__name__)

PREFERRED_WIDTH = 600


def _reason(message: str) -> str:
    return message.removeprefix("Value error, ")


def _scrolling(page: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(page)
    return area


class SettingsDialog(QDialog):
    """Every field is checked by the same pydantic model that guards the settings file; a refused
    value shows its reason right under the field and Save stays disabled until it is fixed. Each tab
    scrolls: a message appearing moves the rows below it, never the dialog's size or its buttons, and
    on a small (or scaled) screen every row keeps the height its wrapped text needs. Save
    asks the controller to store the key and write `settings.json` (`save_requested`); the dialog
    closes once it hears they were (`close_saved`), or shows why not (`show_save_problem`).
    """

    connection_test_requested = Signal(str, str)
    """(server URL, key): the controller probes the server and answers with `show_connection_result`."""
    save_requested = Signal(object, object)
    """(`Settings`, `KeyChange`): the user pressed Save on valid values; the controller stores them."""
    settings_saved = Signal(object)
    """The new `Settings`, after the controller stored them."""

    def __init__(
        self,
        settings: Settings,
        key_view: KeyStoreView,
        cameras: Sequence[DeviceOption] = (),
        microphones: Sequence[DeviceOption] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        # A dialog: closed or saved, never minimised or maximised.
        self.setWindowFlag(Qt.WindowType.WindowMinMaxButtonsHint, False)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.pick_folder: Callable[[QWidget, str], str | None] = ask_for_folder
        """Asks the user for a folder; replaceable where no modal dialog may open."""
        self._saved: Settings | None = None
        self._consents = dict(settings.consents)
        """Kept as they are: the privacy notices are agreed to elsewhere (Help → Privacy)."""
        self.key_section = ApiKeySection(key_view)
        self.key_section.test_requested.connect(self._test_requested)
        self.key_section.changed.connect(self._revalidate)
        self.tabs = QTabWidget()
        self.form = ValidatedForm(self.tabs)
        self._pages = [
            self._analysis_tab(settings),
            self._capture_tab(settings, cameras, microphones),
            self._recording_tab(settings),
        ]
        for page, title in zip(self._pages, ("Analysis", "Capture", "Recording"), strict=True):
            self.tabs.addTab(_scrolling(page), title)
        self.form_error = QLabel()
        self.form_error.setObjectName("fieldError")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addWidget(self.tabs)
        layout.addWidget(self.form_error)
        layout.addWidget(self.buttons)
        self._revalidate()
        self.resize(self._fitting_size())

    def _fitting_size(self) -> QSize:
        """Room for the tallest tab's rows as they are now, within the screen."""
        tallest = max((page.sizeHint() for page in self._pages), key=lambda size: size.height())
        chrome = self.sizeHint().height() - self.tabs.sizeHint().height()
        size = QSize(max(PREFERRED_WIDTH, tallest.width() + 48), chrome + tallest.height() + 48)
        screen = self.screen()
        if screen is not None:
            size = size.boundedTo(screen.availableGeometry().size() * 0.9)
        return size

    # Building ---------------------------------------------------------------------------------

    def _analysis_tab(self, s: Settings) -> QWidget:
        fields, form = self.form.page(margin=0)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addWidget(fields)
        # Outside the form: a form row spanning both columns does not grow with its wrapped text.
        layout.addWidget(self.key_section)
        layout.addStretch(1)
        self.form.claim("api_key")
        self.cloud_radio = QRadioButton("Interhuman (the full model, needs an API key)")
        self.local_radio = QRadioButton("Local analysis (offline, on this computer)")
        self.backend_group = QButtonGroup(self)
        for radio in (self.cloud_radio, self.local_radio):
            self.backend_group.addButton(radio)
        (self.cloud_radio if s.backend == "cloud" else self.local_radio).setChecked(True)
        self.backend_group.buttonToggled.connect(self._revalidate)
        self.form.row(form, "Analysis", "backend", column(self.cloud_radio, self.local_radio))
        self.url_edit = QLineEdit(s.server_url)
        self.url_edit.setObjectName("serverUrl")
        self.url_edit.textChanged.connect(self._revalidate)
        self.form.row(form, "Server address", "server_url", self.url_edit)
        self.overall_check = check_box("Overall conversation quality", s.include_quality_overall)
        self.timeline_check = check_box("Conversation quality for each segment", s.include_quality_timeline)
        includes = column(self.overall_check, self.timeline_check)
        self.form.row(form, "Ask for", "include_quality_overall", includes)
        self._protocol_rows(form, s)
        self.local_only_check = check_box(
            "Local only: connect to no other computer", s.local_only, "localOnly"
        )
        self.local_only_check.toggled.connect(self._revalidate)
        self.form.row(
            form,
            "Privacy",
            "local_only",
            self.local_only_check,
            "Local analysis only: Interhuman and any other server are refused.",
        )
        self.subprotocol_check = check_box(
            "Send the key as a WebSocket subprotocol", s.credential_in_subprotocol
        )
        self.form.row(
            form,
            "Compatibility",
            "credential_in_subprotocol",
            self.subprotocol_check,
            "Only for networks whose proxy removes the Authorization header.",
        )
        return page

    def _protocol_rows(self, form: QGridLayout, s: Settings) -> None:
        self.api_combo = api_choice(s.api_version)
        self.api_combo.currentIndexChanged.connect(self._revalidate)
        self.form.row(
            form,
            "Interhuman API version",
            "api_version",
            self.api_combo,
            "v0 is the legacy protocol; v1 and v2 are fresher.",
        )
        self.model_combo = model_choice(s.model)
        self.form.row(form, "v2 model", "model", self.model_combo)
        goals, self.goal_checks = goal_choice(s.goal_dimensions)
        self.form.row(form, "Feedback on", "goal_dimensions", goals)
        self._sync_protocol_rows()
        self.api_combo.currentIndexChanged.connect(self._sync_protocol_rows)

    def _sync_protocol_rows(self) -> None:
        self.model_combo.setEnabled(self.api_combo.currentData() == "v2")

    def _capture_tab(
        self, s: Settings, cameras: Sequence[DeviceOption], microphones: Sequence[DeviceOption]
    ) -> QWidget:
        page, form = self.form.page()
        self.camera_combo = camera_choice(cameras, s.camera)
        self.form.row(form, "Source", "camera", self.camera_combo)
        self.microphone_combo = microphone_choice(microphones, s.microphone)
        self.form.row(form, "Microphone", "microphone", self.microphone_combo)
        self.resolution_combo = resolution_choice(s.resolution)
        self.form.row(form, "Resolution", "resolution", self.resolution_combo)
        self.fps_spin = fps_field(s.fps)
        self.fps_spin.valueChanged.connect(self._revalidate)
        self.form.row(form, "Frame rate", "fps", self.fps_spin)
        self.codec_combo = codec_choice(s.codec)
        self.form.row(form, "Video codec", "codec", self.codec_combo)
        self.segment_spin = segment_length_field(s.segment_length_s)
        self.segment_spin.valueChanged.connect(self._revalidate)
        self.form.row(
            form,
            "Segment length",
            "segment_length_s",
            self.segment_spin,
            "Shorter: quicker feedback. Longer: steadier readings.",
        )
        form.setRowStretch(form.rowCount(), 1)
        return page

    def _recording_tab(self, s: Settings) -> QWidget:
        page, form = self.form.page()
        self.record_check = check_box("Keep the picture and sound on disk", s.record_to_disk, "recordToDisk")
        self.form.row(form, "Record", "record_to_disk", self.record_check, "Off: only the results are kept.")
        folder_box, self.folder_edit, choose = folder_field(str(s.recording_folder))
        self.folder_edit.textChanged.connect(self._revalidate)
        choose.clicked.connect(self._choose_folder)
        self.form.row(
            form,
            "Folder",
            "recording_folder",
            folder_box,
            "Every session keeps its segments and events here.",
        )
        self.form.set_field("recording_folder", self.folder_edit)
        self.retention_spin = retention_field(s.retention_days)
        self.form.row(form, "Keep sessions for", "retention_days", self.retention_spin)
        form.setRowStretch(form.rowCount(), 1)
        return page

    # Behaviour --------------------------------------------------------------------------------

    def lock_source(self, why: str) -> None:
        """The source and sound of a running session cannot change here: locked, `why` as the tip."""
        for combo in (self.camera_combo, self.microphone_combo):
            combo.setEnabled(False)
            combo.setToolTip(why)

    def open_on_key_field(self) -> None:
        """Show the Analysis tab with the cursor in the key field (the banner's "Add key…")."""
        self.tabs.setCurrentIndex(0)
        self.key_section.focus_key()

    def values(self) -> dict[str, Any]:
        return {
            "backend": "cloud" if self.cloud_radio.isChecked() else "local",
            "server_url": self.url_edit.text(),
            "include_quality_overall": self.overall_check.isChecked(),
            "include_quality_timeline": self.timeline_check.isChecked(),
            "credential_in_subprotocol": self.subprotocol_check.isChecked(),
            "api_version": self.api_combo.currentData(),
            "model": self.model_combo.currentData(),
            "goal_dimensions": tuple(d for d, check in self.goal_checks.items() if check.isChecked()),
            "camera": self.camera_combo.currentData(),
            "microphone": self.microphone_combo.currentData(),
            "resolution": self.resolution_combo.currentData(),
            "fps": self.fps_spin.value(),
            "codec": self.codec_combo.currentData(),
            "segment_length_s": self.segment_spin.value(),
            "recording_folder": self.folder_edit.text(),
            "retention_days": self.retention_spin.value(),
            "record_to_disk": self.record_check.isChecked(),
            "local_only": self.local_only_check.isChecked(),
            "consents": self._consents,
        }

    def problems(self) -> dict[str, str]:
        """Field name → why its value is refused; empty when everything can be saved."""
        found: dict[str, str] = {}
        try:
            Settings.model_validate(self.values())
        except ValidationError as error:
            for problem in error.errors():
                name = str(problem["loc"][0]) if problem["loc"] else "form"
                found.setdefault(name, _reason(problem["msg"]))
        if self.local_only_check.isChecked() and self.cloud_radio.isChecked():
            found.setdefault("backend", CLOUD_REFUSAL)
        key_problem = self.key_section.problem()
        if key_problem:
            found["api_key"] = key_problem
        return found

    def settings(self) -> Settings | None:
        """The settings as entered, or None while a value is refused."""
        try:
            return Settings.model_validate(self.values())
        except ValidationError:
            return None

    def saved_settings(self) -> Settings | None:
        return self._saved

    def show_connection_result(self, ok: bool, message: str, link: str | None = None) -> None:
        self.key_section.show_result(ok, message, link)

    def _revalidate(self) -> None:
        problems = self.problems()
        self.form.show(problems)
        self.key_section.show_problem(problems.get("api_key"))
        self.save_button.setEnabled(not problems)
        self.save_button.setToolTip("Fix the highlighted fields first." if problems else "")

    def _choose_folder(self) -> None:
        folder = self.pick_folder(self, self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def _test_requested(self, key: str) -> None:
        self.connection_test_requested.emit(self.url_edit.text().strip(), key)

    def accept(self) -> None:
        settings = self.settings()
        if settings is None or self.problems():
            self._revalidate()
            return
        change: KeyChange = self.key_section.change()
        self.save_requested.emit(settings, change)

    def close_saved(self, settings: Settings) -> None:
        """The controller stored what Save asked for: close."""
        self._saved = settings
        log.info("settings saved from the dialog")
        self.settings_saved.emit(settings)
        super().accept()

    def show_save_problem(self, message: str, *, about_key: bool) -> None:
        """Saving failed; `message` says why (never with the key in it) and the dialog stays open."""
        if about_key:
            self.key_section.show_problem(message)
            return
        self.form_error.setText(message)
        self.form_error.show()
