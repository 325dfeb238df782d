"""The sources (cameras, screens, windows) and sound inputs this computer offers, as the window's options."""

from __future__ import annotations

from app.model.view_state import MEETING_AUDIO_ID, MIC_AND_MEETING_ID, DeviceOption


def list_devices() -> tuple[list[DeviceOption], list[DeviceOption]]:
    """The sources (cameras, screens, windows) and the sound inputs (microphones, meeting audio)."""
    from capture.devices import list_cameras, list_microphones, list_screens
    from capture.meeting_audio import LABEL, meeting_audio_status
    from capture.window_source import list_windows

    sources = [DeviceOption(str(c.index), c.name) for c in list_cameras()]
    sources += [
        DeviceOption(f"screen:{s.index}", f"Screen {s.index + 1} ({s.area.width}x{s.area.height})")
        for s in list_screens()
    ]
    sources += [DeviceOption(f"window:{w.title}", f"Window: {w.title}") for w in list_windows()]
    microphones = [DeviceOption(m.name, m.name) for m in list_microphones()]
    meeting = meeting_audio_status()
    microphones += [
        DeviceOption(MEETING_AUDIO_ID, LABEL, meeting.reason),
        DeviceOption(MIC_AND_MEETING_ID, "Microphone and meeting audio", meeting.reason),
    ]
    return sources, microphones
