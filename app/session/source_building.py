"""Building a session's capture sources from their specs. Each source brings its own heavy library,
so each is imported only when a session needs it."""

from __future__ import annotations

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
    from capture.microphone import MicrophoneSource

    return MicrophoneSource(spec.name)
