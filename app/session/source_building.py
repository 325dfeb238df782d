"""Building a session's capture sources from their specs. Each source brings its own heavy library,
so each is imported only when a session needs it."""

from __future__ import annotations

import sys

from app.model.source_spec import CaptureFormat, MicSpec, SourceSpec
from capture.media import CaptureSource


def build_video_source(
    spec: SourceSpec, fmt: CaptureFormat, *, realtime: bool, duration_s: float | None
) -> CaptureSource:
    """The source for `spec`. Imports lazily: each brings its own heavy library."""
    if spec.kind == "synthetic":
        from capture.synthetic import SyntheticSource

        return SyntheticSource(fmt.width, fmt.height, fmt.fps, realtime=realtime, duration_s=duration_s)
    if spec.kind == "file":
        from capture.file_source import FileSource

        assert spec.path is not None
        return FileSource(spec.path, realtime=realtime)
    if spec.kind in ("screen", "region"):
        from capture.screen_capture import ScreenRegion, ScreenSource

        if spec.kind == "screen":
            return ScreenSource(spec.camera_index, fmt.width, fmt.height, fmt.fps)
        assert spec.area is not None
        region = ScreenRegion(spec.area)
        return ScreenSource(
            spec.camera_index, fmt.width, fmt.height, fmt.fps, framing=region, name=str(spec), source="region"
        )
    if spec.kind == "window":
        from capture.window_source import WindowSource

        return WindowSource(spec.title, fmt.width, fmt.height, fmt.fps)
    from capture.camera import CameraSource

    return CameraSource(spec.camera_index, fmt.width, fmt.height, fmt.fps)


def build_microphone(spec: MicSpec) -> CaptureSource:
    """The sound for `spec`: the microphone, the meeting audio, or both mixed into one track.
    Call on the Qt main thread: a named microphone's system id comes from Qt's device list."""
    microphone = _microphone(spec.name) if spec.enabled else None
    if not spec.meeting:
        assert microphone is not None
        return microphone
    from capture.meeting_audio import MeetingAudioSource

    if microphone is None:
        return MeetingAudioSource()
    from capture.audio_mix import MixedAudioSource

    return MixedAudioSource([microphone, MeetingAudioSource()])


def _microphone(name: str | None) -> CaptureSource:
    """On Linux the microphone reads through libpulse (it survives the sound server dying, which
    QAudioSource does not: see `capture.pulse_microphone`); elsewhere through QAudioSource."""
    from capture.microphone import MicrophoneSource, input_id
    from capture.pulse_microphone import PulseMicrophoneSource
    from capture.pulse_record import pulse_available

    if not sys.platform.startswith("linux") or not pulse_available():
        return MicrophoneSource(name)
    if name is None:
        return PulseMicrophoneSource(None)
    # A name the system does not list is tried as a source name; the server then says it has no
    # such source, and `start` reports the microphone not connected.
    return PulseMicrophoneSource(input_id(name) or name, description=name)
