"""The control bar: Start/Stop, Pause sending, the source and sound pickers, the level meter,
and the view buttons. Buttons are driven by the main window's actions, so a shortcut, a menu
item and a button are always the same thing."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from app.model.view_state import (
    DEFAULT_MICROPHONE_ID,
    FILE_CAMERA_PREFIX,
    NO_MICROPHONE_ID,
    SOURCE_LOCKED,
    SYNTHETIC_CAMERA_ID,
    DeviceOption,
    source_label,
)
from widgets import theme
from widgets.level_meter import LevelMeter
from widgets.region_picker import pick_region

log = logging.getLogger(__name__)

FILE_ENTRY_ID = "file…"
"""The source picker's 'Video file…' entry: choosing it asks for a file instead of naming a source."""
REGION_ENTRY_ID = "region…"
"""The source picker's 'Region of the screen…' entry: choosing it lets the user drag a rectangle."""
SOURCE_TIP = "Where the picture comes from: a camera, a screen, a window (a video call), a region, a file"
COMBO_MAX_WIDTH = 260
"""Pickers grow with the window up to here, so long device names show when there is room."""
VIDEO_FILTER = "Video files (*.mp4 *.mov *.mkv *.webm *.avi *.m4v);;All files (*)"


def ask_for_video_file(parent: QWidget) -> str | None:
    path, _ = QFileDialog.getOpenFileName(
        parent, "Play a video file as the camera", str(Path.home()), VIDEO_FILTER
    )
    return path or None


def _picker(object_name: str, accessible_name: str, tip: str, min_characters: int) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(object_name)
    combo.setAccessibleName(accessible_name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    combo.setMaximumWidth(COMBO_MAX_WIDTH)
    combo.setMinimumContentsLength(min_characters)
    combo.setToolTip(tip)
    return combo


def _button(action: QAction, name: str, *, text_beside_icon: bool = False) -> QToolButton:
    button = QToolButton()
    button.setObjectName(name)
    button.setDefaultAction(action)
    button.setToolButtonStyle(
        Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        if text_beside_icon
        else Qt.ToolButtonStyle.ToolButtonIconOnly
    )
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return button


class ControlBar(QFrame):
    camera_chosen = Signal(str)
    microphone_chosen = Signal(str)
    file_chosen = Signal(str)

    def __init__(
        self,
        start_stop: QAction,
        pause: QAction,
        view_actions: Sequence[QAction],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("controlBar")
        self.pick_file: Callable[[QWidget], str | None] = ask_for_video_file
        """Asks the user for a video file; replaceable where no modal dialog may open."""
        self.pick_region: Callable[[QWidget], str | None] = pick_region
        """Lets the user drag a region of a screen; its `--source` text, or None."""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(8)
        self.start_button = _button(start_stop, "startButton", text_beside_icon=True)
        self.pause_button = _button(pause, "pauseButton", text_beside_icon=True)
        layout.addWidget(self.start_button)
        layout.addWidget(self.pause_button)
        layout.addSpacing(10)
        layout.addWidget(self._caption("camera", "Source"))
        self.camera_combo = _picker("cameraCombo", "Source", SOURCE_TIP, 9)
        self.camera_combo.activated.connect(self._camera_activated)
        layout.addWidget(self.camera_combo, 2)
        layout.addSpacing(6)
        layout.addWidget(self._caption("microphone", "Microphone"))
        self.microphone_combo = _picker("microphoneCombo", "Microphone", "Where the sound comes from", 8)
        self.microphone_combo.activated.connect(self._microphone_activated)
        layout.addWidget(self.microphone_combo, 2)
        self.level_meter = LevelMeter()
        layout.addWidget(self.level_meter)
        layout.addStretch(1)
        self.view_buttons = [_button(action, f"{action.objectName()}Button") for action in view_actions]
        for button in self.view_buttons:
            layout.addWidget(button)
        # Tab walks the bar left to right, the view buttons included.
        chain = [self.start_button, self.pause_button, self.camera_combo, self.microphone_combo]
        for before, after in itertools.pairwise([*chain, *self.view_buttons]):
            QWidget.setTabOrder(before, after)
        self._camera_id: str | None = None
        self.set_devices([], [])

    def _caption(self, icon: str, text: str) -> QLabel:
        """An icon in front of a picker (the picker's tooltip and accessible name carry the word)."""
        label = QLabel()
        label.setObjectName("caption")
        label.setPixmap(theme.icon(icon).pixmap(QSize(18, 18), self.devicePixelRatioF()))
        label.setToolTip(text)
        return label

    def add_beside_pause(self, widget: QWidget) -> None:
        """Put `widget` right after the Pause button (the sending state, next to what changes it)."""
        layout = self.layout()
        assert isinstance(layout, QHBoxLayout)
        # A high stretch: it gets the room for its whole sentence before the pickers grow.
        layout.insertWidget(layout.indexOf(self.pause_button) + 1, widget, 8)

    def set_devices(
        self,
        cameras: Sequence[DeviceOption],
        microphones: Sequence[DeviceOption],
        camera: str | None = None,
        microphone: str | None = None,
    ) -> None:
        """Fill the pickers from the controller's lists; keeps the current choice when it still exists.

        `cameras` holds every live source: cameras (by index), then screens and windows (by their
        `--source` text)."""
        camera = camera if camera is not None else self._camera_id
        combo = self.camera_combo
        combo.clear()
        if camera is not None and camera.isdigit() and not any(option.id == camera for option in cameras):
            # The chosen camera is not plugged in: say so rather than show another choice as current.
            combo.addItem(f"Camera {camera} (not found)", camera)
        devices = [option for option in cameras if option.id.isdigit()]
        screens = [option for option in cameras if not option.id.isdigit()]
        for group in (devices, screens):
            for option in group:
                combo.addItem(option.name, option.id)
            if group:
                combo.insertSeparator(combo.count())
        combo.addItem("Region of the screen…", REGION_ENTRY_ID)
        combo.insertSeparator(combo.count())
        combo.addItem("Synthetic test signal", SYNTHETIC_CAMERA_ID)
        if camera is not None and camera.startswith(FILE_CAMERA_PREFIX):
            combo.addItem(self._file_label(camera), camera)
        combo.addItem("Video file…", FILE_ENTRY_ID)
        self.set_current_camera(
            camera if camera is not None else (cameras[0].id if cameras else SYNTHETIC_CAMERA_ID)
        )
        current_mic = microphone if microphone is not None else self.microphone_combo.currentData()
        mics = self.microphone_combo
        mics.clear()
        if not any(option.id == DEFAULT_MICROPHONE_ID for option in microphones):
            mics.addItem("System default", DEFAULT_MICROPHONE_ID)
        for option in microphones:
            mics.addItem(option.name, option.id)
            if option.unavailable:
                grey_out(mics, mics.count() - 1, option.unavailable)
        mics.insertSeparator(mics.count())
        mics.addItem("No microphone", NO_MICROPHONE_ID)
        self.set_current_microphone(current_mic if current_mic is not None else DEFAULT_MICROPHONE_ID)

    def set_current_camera(self, camera_id: str) -> None:
        index = self.camera_combo.findData(camera_id)
        if index < 0 and not camera_id.isdigit():
            # A file, a region picked before, a window not open now: still the choice, so listed.
            is_file = camera_id.startswith(FILE_CAMERA_PREFIX)
            label = self._file_label(camera_id) if is_file else source_label(camera_id)
            before = self.camera_combo.findData(FILE_ENTRY_ID if is_file else REGION_ENTRY_ID)
            self.camera_combo.insertItem(before, label, camera_id)
            index = self.camera_combo.findData(camera_id)
        if index >= 0:
            self.camera_combo.setCurrentIndex(index)
            self._camera_id = camera_id

    def set_current_microphone(self, microphone_id: str) -> None:
        index = self.microphone_combo.findData(microphone_id)
        if index >= 0:
            self.microphone_combo.setCurrentIndex(index)

    def set_source_locked(self, locked: bool) -> None:
        """While a session runs the pickers cannot change it: locked, and the tip says why."""
        for combo, tip in (
            (self.camera_combo, SOURCE_TIP),
            (self.microphone_combo, "Where the sound comes from"),
        ):
            combo.setEnabled(not locked)
            combo.setToolTip(SOURCE_LOCKED if locked else tip)

    def set_audio_level(self, dbfs: float | None) -> None:
        self.level_meter.set_level(dbfs)

    @staticmethod
    def _file_label(camera_id: str) -> str:
        return f"File: {Path(camera_id.removeprefix(FILE_CAMERA_PREFIX)).name}"

    def _camera_activated(self, index: int) -> None:
        chosen = self.camera_combo.itemData(index)
        if chosen == REGION_ENTRY_ID:
            region = self.pick_region(self)
            if region is None:
                if self._camera_id is not None:
                    self.set_current_camera(self._camera_id)
                return
            log.info("a region of a screen chosen as the source")
            self.set_current_camera(region)
            self.camera_chosen.emit(region)
            return
        if chosen == FILE_ENTRY_ID:
            path = self.pick_file(self)
            if not path:
                if self._camera_id is not None:
                    self.set_current_camera(self._camera_id)
                return
            self.set_current_camera(f"{FILE_CAMERA_PREFIX}{path}")
            log.info("video file chosen as the source")
            self.file_chosen.emit(path)
            return
        if isinstance(chosen, str) and chosen != self._camera_id:
            self._camera_id = chosen
            if chosen.startswith(FILE_CAMERA_PREFIX):
                self.file_chosen.emit(chosen.removeprefix(FILE_CAMERA_PREFIX))
            else:
                self.camera_chosen.emit(chosen)

    def _microphone_activated(self, index: int) -> None:
        chosen = self.microphone_combo.itemData(index)
        if isinstance(chosen, str):
            self.microphone_chosen.emit(chosen)


def grey_out(combo: QComboBox, index: int, why: str) -> None:
    """An entry that cannot be chosen here, with the reason as its tip."""
    item = combo.model().item(index)  # type: ignore[attr-defined]
    item.setEnabled(False)
    combo.setItemData(index, why, Qt.ItemDataRole.ToolTipRole)
