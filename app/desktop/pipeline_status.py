"""What the window's status shows: the pipeline's figures, and how the camera and microphone rows read."""

from __future__ import annotations

from dataclasses import replace

from app.model.events import CaptureProblem
from app.model.view_state import Backend, DeviceState, DeviceStatus, PipelineStatus, SessionState
from app.session.config import SessionConfig
from app.session.controller import SessionController


def pipeline_status(
    session: SessionController | None,
    state: SessionState,
    *,
    paused: bool,
    camera: DeviceStatus,
    microphone: DeviceStatus,
    api_key_configured: bool,
    cloud_wanted: bool,
) -> PipelineStatus:
    """`cloud_wanted`: with no session running, whether the next one would go to the cloud."""
    backend: Backend = "cloud" if session is not None and session.config.backend == "cloud" else "local"
    if session is None and cloud_wanted:
        backend = "cloud"
    has_mic = microphone.state not in ("off", "missing")
    return PipelineStatus(
        backend=backend,
        session_state=state,
        paused=paused,
        encoder_load=None if session is None else session.encoder_load(),
        dropped_video_frames=0 if session is None else session.timeline.counts.dropped_video_frames,
        audio_level_dbfs=session.level.peak_dbfs if session is not None and has_mic else None,
        camera=camera,
        microphone=microphone,
        recording_folder=None
        if session is None or session.recording_folder is None
        else str(session.recording_folder),
        api_key_configured=api_key_configured,
        capturing=session.config.source.describe()
        if session is not None and session.config.source.captures_screen and state != "idle"
        else None,
    )


def microphone_at_start(config: SessionConfig) -> DeviceStatus:
    live_sound = not config.source.has_own_audio
    if live_sound and not config.microphone.any:
        return DeviceStatus(
            "Microphone",
            "off",
            "No microphone: feedback comes from the picture only.",
            source="microphone",
        )
    return DeviceStatus(_microphone_name(config), "starting" if live_sound else "ok", source="microphone")


def device_after(device: DeviceStatus, event: CaptureProblem) -> DeviceStatus:
    if event.level == "error":
        # A device that fails while starting was never there; one that fails later was lost.
        state: DeviceState = "missing" if device.state == "starting" else "lost"
        return replace(device, state=state, message=event.message)
    if event.level == "info":
        return replace(device, state="ok", message="")
    return replace(device, message=event.message)


def _microphone_name(config: SessionConfig) -> str:
    if config.source.has_own_audio:
        return "Sound of the " + ("test signal" if config.source.kind == "synthetic" else "file")
    microphone = config.microphone
    if microphone.meeting:
        return "Microphone and meeting audio" if microphone.enabled else "Meeting audio"
    return microphone.name or "Default microphone"
