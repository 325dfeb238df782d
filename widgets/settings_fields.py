"""The settings dialog's fields, each built with its choices and set to the saved value."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.model.view_state import (
    DEFAULT_MICROPHONE_ID,
    NO_MICROPHONE_ID,
    SYNTHETIC_CAMERA_ID,
    DeviceOption,
    source_label,
)
from app.model.wire_v1 import GOAL_DIMENSIONS, MODELS
from app.store.settings import API_CHOICES, RESOLUTIONS
from widgets.controls import grey_out

CODECS = {"vp8": "VP8 (lighter on the processor)", "vp9": "VP9 (smaller segments, more processor)"}
API_LABELS = {
    "auto": "Automatic (from the server address; v1 for Local analysis)",
    "v0": "v0 (legacy segments)",
    "v1": "v1 (continuous stream)",
    "v2": "v2 (continuous stream, Inter-2 models)",
}
MODEL_LABELS = {"inter-2": "Inter-2 (picture and sound)", "inter-2-audio": "Inter-2 audio (sound only)"}


def column(*fields: QWidget) -> QWidget:
    """Fields that share one row of the form, one under the other."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for field in fields:
        layout.addWidget(field)
    return box


def check_box(text: str, checked: bool, name: str = "") -> QCheckBox:
    check = QCheckBox(text)
    if name:
        check.setObjectName(name)
    check.setChecked(checked)
    return check


def api_choice(api_version: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName("apiVersion")
    for choice in API_CHOICES:
        combo.addItem(API_LABELS[choice], choice)
    combo.setCurrentIndex(max(0, combo.findData(api_version)))
    return combo


def model_choice(model: str) -> QComboBox:
    combo = QComboBox()
    for name in MODELS:
        combo.addItem(MODEL_LABELS[name], name)
    combo.setCurrentIndex(max(0, combo.findData(model)))
    return combo


def goal_choice(chosen: Sequence[str]) -> tuple[QWidget, dict[str, QCheckBox]]:
    """A grid of the goal dimensions, and a check box for each by name."""
    goals = QWidget()
    grid = QGridLayout(goals)
    grid.setContentsMargins(0, 0, 0, 0)
    checks: dict[str, QCheckBox] = {}
    for n, dimension in enumerate(GOAL_DIMENSIONS):
        check = QCheckBox(dimension.capitalize())
        check.setChecked(dimension in chosen)
        checks[dimension] = check
        check.setToolTip("v1 and v2: feedback text names your weakest chosen goal and what would help.")
        grid.addWidget(check, n // 3, n % 3)
    return goals, checks


def camera_choice(cameras: Sequence[DeviceOption], camera: str) -> QComboBox:
    combo = QComboBox()
    for option in cameras:
        combo.addItem(option.name, option.id)
    combo.addItem("Synthetic test signal", SYNTHETIC_CAMERA_ID)
    if combo.findData(camera) < 0:
        # The toolbar's choice, whatever it is (a file, a region, a camera unplugged now).
        label = f"Camera {camera} (not connected)" if camera.isdigit() else source_label(camera)
        combo.insertItem(0, label, camera)
    combo.setCurrentIndex(combo.findData(camera))
    return combo


def microphone_choice(microphones: Sequence[DeviceOption], microphone: str) -> QComboBox:
    combo = QComboBox()
    combo.addItem("System default", DEFAULT_MICROPHONE_ID)
    for option in microphones:
        if option.id != DEFAULT_MICROPHONE_ID:
            combo.addItem(option.name, option.id)
            if option.unavailable:
                grey_out(combo, combo.count() - 1, option.unavailable)
    combo.addItem("No microphone", NO_MICROPHONE_ID)
    if combo.findData(microphone) < 0:
        combo.insertItem(1, f"{microphone} (not connected)", microphone)
    combo.setCurrentIndex(combo.findData(microphone))
    return combo


def resolution_choice(resolution: str) -> QComboBox:
    combo = QComboBox()
    for choice in RESOLUTIONS:
        combo.addItem(choice.replace("x", " × "), choice)
    combo.setCurrentIndex(combo.findData(resolution))
    return combo


def fps_field(fps: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(1, 120)
    spin.setSuffix(" frames/s")
    spin.setValue(fps)
    return spin


def codec_choice(codec: str) -> QComboBox:
    combo = QComboBox()
    for name, label in CODECS.items():
        combo.addItem(label, name)
    combo.setCurrentIndex(combo.findData(codec))
    return combo


def segment_length_field(seconds: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setObjectName("segmentLength")
    spin.setRange(1.0, 10.0)
    spin.setSingleStep(0.5)
    spin.setDecimals(1)
    spin.setSuffix(" s")
    spin.setValue(seconds)
    return spin


def retention_field(days: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, 3650)
    spin.setSuffix(" days")
    spin.setSpecialValueText("Keep forever")
    spin.setValue(days)
    return spin


def folder_field(folder: str) -> tuple[QWidget, QLineEdit, QPushButton]:
    """The folder's text field with a Choose… button beside it: the row, the field and the button."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    edit = QLineEdit(folder)
    choose = QPushButton("Choose…")
    choose.setAutoDefault(False)
    row.addWidget(edit, 1)
    row.addWidget(choose)
    return box, edit, choose


def ask_for_folder(parent: QWidget, start: str) -> str | None:
    return QFileDialog.getExistingDirectory(parent, "Folder for the recordings", start) or None
