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
    """The sound for `spec`: the microphone, the meeting audio, or both mixed into one track."""
    microphone: CaptureSource | None = None
    if spec.enabled:
        from capture.microphone import MicrophoneSource

        microphone = MicrophoneSource(spec.name)
    if not spec.meeting:
        assert microphone is not None
        return microphone
    from capture.meeting_audio import MeetingAudioSource

    if microphone is None:
        return MeetingAudioSource()
    from capture.audio_mix import MixedAudioSource

    return MixedAudioSource([microphone, MeetingAudioSource()])
