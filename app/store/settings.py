"""The user's settings: a pydantic model kept as JSON in the platform's config folder.

Never the API key (that lives in `app.store.keystore`). Window geometry is not here either: the
widgets keep it in a Qt `QSettings` file of their own, so a window saving its place can never
overwrite settings the dialog just changed.

A missing file gives the defaults. A file that cannot be read gives the defaults for what is
wrong and keeps every valid value; the damaged file is copied aside first, so nothing is lost.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.model.server_url import CLOUD_URL, ApiVersion, server_url_problem
from app.model.source_spec import SourceSpec
from app.model.view_state import DEFAULT_MICROPHONE_ID
from app.model.vocabulary import INCLUDE_FLAGS
from app.store.paths import config_dir, sessions_root
from capture.encoder_config import MAX_SEGMENT_S, MIN_SEGMENT_S

log = logging.getLogger(__name__)

RESOLUTIONS = ("640x480", "960x540", "1280x720")
ApiChoice = Literal["auto", "v0", "v1", "v2"]
API_CHOICES: tuple[ApiChoice, ...] = ("auto", "v0", "v1", "v2")
LOCAL_API: ApiVersion = "v1"
"""Local analysis speaks every version; v1 gives the freshest feedback."""
Resolution = Literal["640x480", "960x540", "1280x720"]
FPS_RANGE = (15, 30)
RETENTION_MAX_DAYS = 3650
SETTINGS_FILE = "settings.json"
DAMAGED_COPY = "settings.damaged.json"


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    backend: Literal["cloud", "local"] = "cloud"
    """Which analysis to use; without an API key the app falls back to local analysis."""
    server_url: str = CLOUD_URL
    include_quality_overall: bool = True
    include_quality_timeline: bool = True
    api_version: ApiChoice = "auto"
    """The protocol: "auto" follows the server URL's path for the service and takes v1 for Local
    analysis; "v0" (legacy), "v1" and "v2" are used whatever the backend."""
    model: Literal["inter-2", "inter-2-audio"] = "inter-2"
    """What a v2 stream is analysed with."""
    goal_dimensions: tuple[Literal["clarity", "authority", "energy", "rapport", "learning"], ...] = ()
    """v1/v2: the goals feedback text is about."""
    credential_in_subprotocol: bool = False
    """Send the key as the Sec-WebSocket-Protocol value, for proxies that drop Authorization."""
    segment_length_s: float = 4.0
    resolution: Resolution = "640x480"
    fps: int = 30
    codec: Literal["vp8", "vp9"] = "vp8"
    camera: str = "0"
    """The video source, as the source pickers name it: a camera index ("0", "1", …), "synthetic"
    for the built-in test signal, "file:PATH", "screen:N", "window:TITLE" or "region:N:WxH+X+Y"."""
    microphone: str = DEFAULT_MICROPHONE_ID
    """A microphone's system name, "default", or "none"."""
    recording_folder: Path = Field(default_factory=sessions_root)
    retention_days: int = 30
    """Sessions older than this are deleted at start-up; 0 keeps them forever."""
    record_to_disk: bool = True
    """Keep the segments (picture and sound) on disk; off keeps only the events."""
    local_only: bool = False
    """Connect to no other computer: Local analysis only, Interhuman refused."""
    consents: dict[str, datetime] = Field(default_factory=dict)
    """Privacy notices agreed to (`app.model.consent.PrivacyNotice.key`) and when."""

    @field_validator("server_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        problem = server_url_problem(value)
        if problem:
            raise ValueError(problem)
        return value.strip()

    @field_validator("segment_length_s")
    @classmethod
    def _check_segment_length(cls, value: float) -> float:
        low, high = MIN_SEGMENT_S, MAX_SEGMENT_S
        if not low <= value <= high:
            raise ValueError(f"Use {low:g} to {high:g} s (the service needs at least {low:g} s).")
        return value

    @field_validator("fps")
    @classmethod
    def _check_fps(cls, value: int) -> int:
        low, high = FPS_RANGE
        if not low <= value <= high:
            raise ValueError(f"The frame rate must be {low} to {high} frames per second.")
        return value

    @field_validator("camera")
    @classmethod
    def _check_camera(cls, value: str) -> str:
        value = value.strip()
        if value.isdigit():
            return value
        try:
            spec = SourceSpec.parse(value)
        except ValueError:
            spec = None
        if spec is None or spec.kind == "camera":  # cameras are saved by their bare index
            raise ValueError(
                "Choose a source from the list: a camera, a screen, a window, a file or the test signal."
            )
        return value

    @field_validator("microphone")
    @classmethod
    def _check_microphone(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("Choose a microphone from the list, or No microphone.")
        return value

    @field_validator("recording_folder", mode="before")
    @classmethod
    def _check_folder(cls, value: Any) -> Any:
        if isinstance(value, str | Path):
            if not str(value).strip():
                raise ValueError("Choose a folder for the recordings.")
            path = Path(value).expanduser()
            if not path.is_absolute():
                raise ValueError("Choose a full folder path (for example with Choose…).")
            if path.exists() and not path.is_dir():
                raise ValueError("This is a file, not a folder. Choose a folder.")
            return path
        return value

    @field_validator("retention_days")
    @classmethod
    def _check_retention(cls, value: int) -> int:
        if not 0 <= value <= RETENTION_MAX_DAYS:
            raise ValueError(f"Keep recordings 1 to {RETENTION_MAX_DAYS} days, or 0 to keep them forever.")
        return value

    @property
    def frame_size(self) -> tuple[int, int]:
        width, height = self.resolution.split("x")
        return int(width), int(height)

    def api_for(self, backend: Literal["cloud", "local"]) -> ApiVersion | None:
        """The version a session asks for; None: the one the URL's path names."""
        if self.api_version != "auto":
            return self.api_version
        return LOCAL_API if backend == "local" else None

    @property
    def include_flags(self) -> tuple[str, ...]:
        """The `include[]` query flags to send, in the protocol's order."""
        wanted = (self.include_quality_overall, self.include_quality_timeline)
        return tuple(flag for flag, on in zip(INCLUDE_FLAGS, wanted, strict=True) if on)


def read_settings(path: Path | None = None) -> tuple[Settings, str | None]:
    """The saved settings, and a sentence for the user when the file had to be (partly) ignored."""
    path = path or settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(), None
    except OSError as error:
        log.warning("cannot read %s (%s); using the default settings", path, error.strerror)
        return Settings(), f"Your settings could not be read ({error.strerror}); the defaults are in use."
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        kept = _keep_damaged_copy(path)
        log.warning(
            "%s is not valid JSON (%s); using the default settings, copy kept at %s", path, error, kept
        )
        return Settings(), _damaged_note(kept)
    if not isinstance(data, dict):
        kept = _keep_damaged_copy(path)
        log.warning("%s does not hold a JSON object; using the default settings", path)
        return Settings(), _damaged_note(kept)
    try:
        return Settings.model_validate(data), None
    except ValidationError as error:
        bad = sorted({str(problem["loc"][0]) for problem in error.errors() if problem["loc"]})
        kept = _keep_damaged_copy(path)
        log.warning("%s has invalid values for %s; those are back to their defaults", path, ", ".join(bad))
        salvaged = {name: value for name, value in data.items() if name not in bad}
        try:
            settings = Settings.model_validate(salvaged)
        except ValidationError:
            settings = Settings()
        names = ", ".join(name.replace("_", " ") for name in bad)
        note = f"Some settings were invalid and are back to their defaults ({names})."
        if kept is not None:
            note += f" The old file is kept as {kept.name}."
        return settings, note


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings atomically, so a crash mid-write never leaves half a file."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(settings.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    handle, temporary = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.info("settings saved to %s", path)
    return path


def _keep_damaged_copy(path: Path) -> Path | None:
    copy = path.with_name(DAMAGED_COPY)
    try:
        shutil.copyfile(path, copy)
    except OSError as error:
        log.warning("cannot keep a copy of the damaged settings file: %s", error.strerror)
        return None
    return copy


def _damaged_note(kept: Path | None) -> str:
    note = "Your settings file was damaged; the defaults are in use."
    if kept is not None:
        note += f" The old file is kept as {kept.name}."
    return note
