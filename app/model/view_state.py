"""What the main window shows beyond the timeline: the pipeline's own state.

Plain frozen dataclasses, no Qt. The controller builds a fresh `PipelineStatus` on the main
thread whenever something changes and hands it to `MainWindow.set_status`; the widgets only
render it. Device pickers get their entries as `DeviceOption`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.model.source_spec import MEETING, SourceSpec

Backend = Literal["cloud", "local"]
SessionState = Literal["idle", "starting", "running", "stopping"]
DeviceState = Literal["ok", "starting", "missing", "lost", "off"]

SYNTHETIC_CAMERA_ID = "synthetic"
"""The camera picker's id for the built-in synthetic test signal."""
FILE_CAMERA_PREFIX = "file:"
"""The camera picker's id for a video file is this prefix and the file's path."""
SCREEN_CAMERA_PREFIX = "screen:"
WINDOW_CAMERA_PREFIX = "window:"
REGION_CAMERA_PREFIX = "region:"
"""Screens, windows and regions are picked by their `--source` text (see `SourceSpec`)."""
DEFAULT_MICROPHONE_ID = "default"
NO_MICROPHONE_ID = "none"
MEETING_AUDIO_ID = MEETING
"""The microphone picker's id for the meeting audio (what this computer plays) alone."""
MIC_AND_MEETING_ID = f"{DEFAULT_MICROPHONE_ID}+{MEETING}"
"""The default microphone and the meeting audio, mixed."""
SOURCE_LOCKED = "Stop the session to change the source or the sound."
"""Why the pickers are locked while a session runs (a new choice would only apply at the next Start)."""


def source_label(source_id: str) -> str:
    """What a source picker shows for `source_id` ("0", "synthetic", "file:…", "window:…", …)."""
    if source_id.isdigit():
        return f"Camera {source_id}"
    try:
        return SourceSpec.parse(source_id).describe()
    except ValueError:
        return source_id


@dataclass(frozen=True, slots=True)
class DeviceOption:
    """One entry of a device picker: `id` is what the controller understands, `name` what the user reads."""

    id: str
    name: str
    unavailable: str = ""
    """Why it cannot be chosen here (shown greyed out with this as its tip); empty when it can."""


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    name: str
    state: DeviceState = "ok"
    message: str = ""
    """A short sentence for the user when `state` is not ok: what happened and what to do."""
    source: str = "camera"
    """What delivers the picture or the sound: "camera", "file", "synthetic", "microphone"."""


@dataclass(frozen=True, slots=True)
class PipelineStatus:
    backend: Backend = "local"
    session_state: SessionState = "idle"
    paused: bool = False
    """Sending is paused: capture may go on, but nothing leaves the machine."""
    encoder_load: float | None = None
    """Encoding wall time per second of media (1.0: the encoder only just keeps up); None before
    the first segment closes."""
    dropped_video_frames: int = 0
    """Frames dropped at the encoder's full queue so far this session."""
    audio_level_dbfs: float | None = None
    """The microphone's recent peak level; None without a microphone."""
    camera: DeviceStatus = DeviceStatus("Camera", "off")
    microphone: DeviceStatus = DeviceStatus("Microphone", "off", source="microphone")
    recording_folder: str | None = None
    api_key_configured: bool = False
    """An Interhuman API key is available (keyring or environment); without one the app runs on
    Local analysis and the window offers to add a key."""
    capturing: str | None = None
    """What a running session captures of this computer's screen ("Zoom Meeting window",
    "Screen 1"), so the user always sees it is being shared; None for a camera or a file."""


@dataclass(frozen=True, slots=True)
class KeyStoreView:
    """What the settings dialog says about the API key, read from the controller's key store."""

    origin: Literal["environment", "keyring"] | None
    """Where the key in use comes from; None without one."""
    keyring_available: bool
    keyring_name: str
    env_var: str
    """The environment variable that takes precedence over the keyring."""
    keyring_hint: str = ""
    """What to do when there is no keyring (on Linux: which package provides a Secret Service)."""


@dataclass(frozen=True, slots=True)
class KeyChange:
    """What the user did to the key in Settings: typed a new one, or asked to remove the saved one."""

    new_key: str = ""
    remove_saved: bool = False
