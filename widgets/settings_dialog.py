"""The settings dialog: analysis, API key, capture and recording, backed by `app.store.settings.Settings`.

Every field is checked by the same pydantic model that guards the settings file; a refused
value shows its reason right under the field and Save stays disabled until it is fixed. Each tab
scrolls: a message appearing moves the rows below it, never the dialog's size or its buttons, and
on a small (or scaled) screen every row keeps the height its wrapped text needs. Save
asks the controller to store the key and write `settings.json` (`save_requested`); the dialog
closes once it hears they were (`close_saved`), or shows why not (`show_save_problem`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.model.local_only import CLOUD_REFUSAL
from app.model.view_state import (
    DEFAULT_MICROPHONE_ID,
    NO_MICROPHONE_ID,
    SYNTHETIC_CAMERA_ID,
    DeviceOption,
    KeyChange,
    KeyStoreView,
    source_label,
)
from app.model.wire_v1 import GOAL_DIMENSIONS, MODELS
from app.store.settings import API_CHOICES, RESOLUTIONS, Settings
from widgets.controls import grey_out
from widgets.key_section import ApiKeySection
from widgets.validated_form import ValidatedForm

log = logging.getLogger(__name__)

PREFERRED_WIDTH = 600
CODECS = {"vp8": "VP8 (lighter on the processor)", "vp9": "VP9 (smaller segments, more processor)"}
API_LABELS = {
    "auto": "Automatic (from the server address; v1 for Local analysis)",
    "v0": "v0 (legacy segments)",
    "v1": "v1 (continuous stream)",
    "v2": "v2 (continuous stream, Inter-2 models)",
}
MODEL_LABELS = {"inter-2": "Inter-2 (picture and sound)", "inter-2-audio": "Inter-2 audio (sound only)"}


def ask_for_folder(parent: QWidget, start: str) -> str | None:
    return QFileDialog.getExistingDirectory(parent, "Folder for the recordings", start) or None


def _reason(message: str) -> str:
    return message.removeprefix("Value error, ")


def _scrolling(page: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(page)
    return area


class SettingsDialog(QDialog):
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
        column = QVBoxLayout(page)
        column.setContentsMargins(16, 16, 16, 16)
        column.setSpacing(12)
        column.addWidget(fields)
        # Outside the form: a form row spanning both columns does not grow with its wrapped text.
        column.addWidget(self.key_section)
        column.addStretch(1)
        self.form.claim("api_key")
        backend_box = QWidget()
        row = QVBoxLayout(backend_box)
        row.setContentsMargins(0, 0, 0, 0)
        self.cloud_radio = QRadioButton("Interhuman (the full model, needs an API key)")
        self.local_radio = QRadioButton("Local analysis (offline, on this computer)")
        self.backend_group = QButtonGroup(self)
        for radio in (self.cloud_radio, self.local_radio):
            self.backend_group.addButton(radio)
            row.addWidget(radio)
        (self.cloud_radio if s.backend == "cloud" else self.local_radio).setChecked(True)
        self.backend_group.buttonToggled.connect(self._revalidate)
        self.form.row(form, "Analysis", "backend", backend_box)
        self.url_edit = QLineEdit(s.server_url)
        self.url_edit.setObjectName("serverUrl")
        self.url_edit.textChanged.connect(self._revalidate)
        self.form.row(form, "Server address", "server_url", self.url_edit)
        self.overall_check = QCheckBox("Overall conversation quality")
        self.overall_check.setChecked(s.include_quality_overall)
        self.timeline_check = QCheckBox("Conversation quality for each segment")
        self.timeline_check.setChecked(s.include_quality_timeline)
        includes = QWidget()
        column = QVBoxLayout(includes)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.overall_check)
        column.addWidget(self.timeline_check)
        self.form.row(form, "Ask for", "include_quality_overall", includes)
        self._protocol_rows(form, s)
        self.local_only_check = QCheckBox("Local only: connect to no other computer")
        self.local_only_check.setObjectName("localOnly")
        self.local_only_check.setChecked(s.local_only)
        self.local_only_check.toggled.connect(self._revalidate)
        self.form.row(
            form,
            "Privacy",
            "local_only",
            self.local_only_check,
            "Local analysis only: Interhuman and any other server are refused.",
        )
        self.subprotocol_check = QCheckBox("Send the key as a WebSocket subprotocol")
        self.subprotocol_check.setChecked(s.credential_in_subprotocol)
        self.form.row(
            form,
            "Compatibility",
            "credential_in_subprotocol",
            self.subprotocol_check,
            "Only for networks whose proxy removes the Authorization header.",
        )
        return page

    def _protocol_rows(self, form: QGridLayout, s: Settings) -> None:
        self.api_combo = QComboBox()
        self.api_combo.setObjectName("apiVersion")
        for choice in API_CHOICES:
            self.api_combo.addItem(API_LABELS[choice], choice)
        self.api_combo.setCurrentIndex(max(0, self.api_combo.findData(s.api_version)))
        self.api_combo.currentIndexChanged.connect(self._revalidate)
        self.form.row(
            form,
            "Interhuman API version",
            "api_version",
            self.api_combo,
            "v0 is the legacy protocol; v1 and v2 are fresher.",
        )
        self.model_combo = QComboBox()
        for model in MODELS:
            self.model_combo.addItem(MODEL_LABELS[model], model)
        self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(s.model)))
        self.form.row(form, "v2 model", "model", self.model_combo)
        goals = QWidget()
        grid = QGridLayout(goals)
        grid.setContentsMargins(0, 0, 0, 0)
        self.goal_checks: dict[str, QCheckBox] = {}
        for n, dimension in enumerate(GOAL_DIMENSIONS):
            check = QCheckBox(dimension.capitalize())
            check.setChecked(dimension in s.goal_dimensions)
            self.goal_checks[dimension] = check
            check.setToolTip("v1 and v2: feedback text names your weakest chosen goal and what would help.")
            grid.addWidget(check, n // 3, n % 3)
        self.form.row(form, "Feedback on", "goal_dimensions", goals)
        self._sync_protocol_rows()
        self.api_combo.currentIndexChanged.connect(self._sync_protocol_rows)

    def _sync_protocol_rows(self) -> None:
        self.model_combo.setEnabled(self.api_combo.currentData() == "v2")

    def _capture_tab(
        self, s: Settings, cameras: Sequence[DeviceOption], microphones: Sequence[DeviceOption]
    ) -> QWidget:
        page, form = self.form.page()
        self.camera_combo = QComboBox()
        for option in cameras:
            self.camera_combo.addItem(option.name, option.id)
        self.camera_combo.addItem("Synthetic test signal", SYNTHETIC_CAMERA_ID)
        if self.camera_combo.findData(s.camera) < 0:
            # The toolbar's choice, whatever it is (a file, a region, a camera unplugged now).
            label = f"Camera {s.camera} (not connected)" if s.camera.isdigit() else source_label(s.camera)
            self.camera_combo.insertItem(0, label, s.camera)
        self.camera_combo.setCurrentIndex(self.camera_combo.findData(s.camera))
        self.form.row(form, "Source", "camera", self.camera_combo)
        self.microphone_combo = QComboBox()
        self.microphone_combo.addItem("System default", DEFAULT_MICROPHONE_ID)
        for option in microphones:
            if option.id != DEFAULT_MICROPHONE_ID:
                self.microphone_combo.addItem(option.name, option.id)
                if option.unavailable:
                    grey_out(self.microphone_combo, self.microphone_combo.count() - 1, option.unavailable)
        self.microphone_combo.addItem("No microphone", NO_MICROPHONE_ID)
        if self.microphone_combo.findData(s.microphone) < 0:
            self.microphone_combo.insertItem(1, f"{s.microphone} (not connected)", s.microphone)
        self.microphone_combo.setCurrentIndex(self.microphone_combo.findData(s.microphone))
        self.form.row(form, "Microphone", "microphone", self.microphone_combo)
        self.resolution_combo = QComboBox()
        for resolution in RESOLUTIONS:
            self.resolution_combo.addItem(resolution.replace("x", " × "), resolution)
        self.resolution_combo.setCurrentIndex(self.resolution_combo.findData(s.resolution))
        self.form.row(form, "Resolution", "resolution", self.resolution_combo)
        self.fps_spin = QSpinBox()
        self.fps_spin.setRange(1, 120)
        self.fps_spin.setSuffix(" frames/s")
        self.fps_spin.setValue(s.fps)
        self.fps_spin.valueChanged.connect(self._revalidate)
        self.form.row(form, "Frame rate", "fps", self.fps_spin)
        self.codec_combo = QComboBox()
        for codec, label in CODECS.items():
            self.codec_combo.addItem(label, codec)
        self.codec_combo.setCurrentIndex(self.codec_combo.findData(s.codec))
        self.form.row(form, "Video codec", "codec", self.codec_combo)
        self.segment_spin = QDoubleSpinBox()
        self.segment_spin.setObjectName("segmentLength")
        self.segment_spin.setRange(1.0, 10.0)
        self.segment_spin.setSingleStep(0.5)
        self.segment_spin.setDecimals(1)
        self.segment_spin.setSuffix(" s")
        self.segment_spin.setValue(s.segment_length_s)
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
        self.record_check = QCheckBox("Keep the picture and sound on disk")
        self.record_check.setObjectName("recordToDisk")
        self.record_check.setChecked(s.record_to_disk)
        self.form.row(form, "Record", "record_to_disk", self.record_check, "Off: only the results are kept.")
        folder_box = QWidget()
        row = QHBoxLayout(folder_box)
        row.setContentsMargins(0, 0, 0, 0)
        self.folder_edit = QLineEdit(str(s.recording_folder))
        self.folder_edit.textChanged.connect(self._revalidate)
        choose = QPushButton("Choose…")
        choose.setAutoDefault(False)
        choose.clicked.connect(self._choose_folder)
        row.addWidget(self.folder_edit, 1)
        row.addWidget(choose)
        self.form.row(
            form,
            "Folder",
            "recording_folder",
            folder_box,
            "Every session keeps its segments and events here.",
        )
        self.form.set_field("recording_folder", self.folder_edit)
        self.retention_spin = QSpinBox()
        self.retention_spin.setRange(0, 3650)
        self.retention_spin.setSuffix(" days")
        self.retention_spin.setSpecialValueText("Keep forever")
        self.retention_spin.setValue(s.retention_days)
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
