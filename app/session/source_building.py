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
    from capture.camera import CameraSource

    return CameraSource(spec.camera_index, fmt.width, fmt.height, fmt.fps)


def build_microphone(spec: MicSpec) -> CaptureSource:
    """On Linux the microphone reads through libpulse (it survives the sound server dying, which
    QAudioSource does not: see `capture.pulse_microphone`); elsewhere through QAudioSource.
    Call on the Qt main thread: a named microphone's system id comes from Qt's device list."""
    from capture import pulse_microphone
    from capture.microphone import MicrophoneSource, input_id

    if not sys.platform.startswith("linux") or not pulse_microphone.available():
        return MicrophoneSource(spec.name)
    if spec.name is None:
        return pulse_microphone.PulseMicrophoneSource(None)
    # A name the system does not list is tried as a source name; the server then says it has no
    # such source, and `start` reports the microphone not connected.
    device_id = input_id(spec.name) or spec.name
    return pulse_microphone.PulseMicrophoneSource(device_id, description=spec.name)
