"""The `SessionConfig` a Start runs on, from the settings, the toolbar's choices and this run's overrides."""

from __future__ import annotations

from pathlib import Path

from app.model.server_url import ApiVersion, api_of_url
from app.model.source_spec import CaptureFormat, MicSpec, SourceSpec
from app.model.view_state import FILE_CAMERA_PREFIX
from app.session.config import LOCAL, SessionConfig
from app.store.settings import Settings


def config_from_choices(
    settings: Settings,
    *,
    camera: str,
    microphone: str,
    cloud: bool,
    api_choice: ApiVersion | None,
    model_choice: str | None,
    local_only: bool,
) -> SessionConfig:
    """`cloud`: the session goes to the settings' server, else to Local analysis; `api_choice` and
    `model_choice` are the command line's, over the settings."""
    s = settings
    width, height = s.frame_size
    url = s.server_url if cloud else LOCAL
    api = api_choice or s.api_for("cloud" if cloud else "local")
    speaks = api or (api_of_url(url) if cloud else None) or "v0"
    return SessionConfig(
        source=source_of(camera),
        microphone=MicSpec.parse(microphone),
        capture=CaptureFormat(width, height, float(s.fps)),
        segment_s=s.segment_length_s,
        codec=s.codec,
        url=url,
        include=s.include_flags,
        api=api,
        model=(model_choice or s.model) if speaks == "v2" else None,
        goal_dimensions=s.goal_dimensions if speaks != "v0" else (),
        record_root=s.recording_folder,
        record_media=s.record_to_disk,
        local_only=local_only,
        credential_in_subprotocol=s.credential_in_subprotocol,
    )


def source_of(camera: str) -> SourceSpec:
    """The source the toolbar's choice names: a camera index, a file, or a source spec."""
    if camera.isdigit():
        return SourceSpec("camera", camera_index=int(camera))
    if camera.startswith(FILE_CAMERA_PREFIX):  # any path, whatever it holds
        return SourceSpec("file", path=Path(camera.removeprefix(FILE_CAMERA_PREFIX)))
    return SourceSpec.parse(camera)
