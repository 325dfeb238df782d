"""`PulseMicrophoneSource`: the microphone on Linux, read from the PulseAudio server (or PipeWire's
PulseAudio service) through `capture.pulse_record`, on a thread of its own (`PulseSource`).

Why not QAudioSource here: Qt 6.11's PulseAudio backend connects to the server once per process,
gives up reconnecting three seconds after the server dies, and from then on aborts the whole
process (an assertion in libpulse) as soon as any QAudioSource is started, even after the server
is back (measured: LINUX-SETUP.md, and `tests/desktop/test_sound_server.py` runs the scenario).
A microphone that must survive the sound server dying, and come back with it, needs a connection
of its own per stream, which `PulseRecording` is.

A server that is not running is not an error at start: the source reports the microphone lost
(the session runs video-only, with a warning) and tries again every `retry_s`; when a stream
opens again it reports `source_recovered` and sound flows. A device that does not exist is a
`DeviceNotFound` at start.
"""

from __future__ import annotations

from capture.media import CaptureError, DeviceLost, DeviceNotFound, SourceInfo
from capture.pulse_record import DEFAULT_SOURCE, PA_ERR_NOENTITY, PulseFailed, PulseUnavailable
from capture.pulse_source import PulseSource

SOURCE = "microphone"
SERVER_DOWN_MESSAGE = (
    "No sound server is running, so the session goes on without sound; the microphone joins "
    "when the sound server is back."
)
LOST_MESSAGE = "The microphone stopped sending sound. Check its cable; the sound resumes when it is back."


class PulseMicrophoneSource(PulseSource):
    """Sound from the PulseAudio source called `device_id` (its server name, as Qt's device id
    gives it), or the server's default source for None."""

    def __init__(
        self,
        device_id: str | None = None,
        *,
        description: str | None = None,
        retry_s: float = 1.0,
        start_timeout_s: float = 3.0,
    ) -> None:
        super().__init__(
            device_id or DEFAULT_SOURCE,
            SourceInfo(name=f"microphone:{description or device_id or 'default'}", video=False, audio=True),
            source=SOURCE,
            lost_message=LOST_MESSAGE,
            retry_s=retry_s,
            start_timeout_s=start_timeout_s,
        )
        self._named = device_id is not None

    def _open_failed(self, error: PulseFailed | PulseUnavailable, *, first: bool) -> CaptureError | None:
        if isinstance(error, PulseUnavailable):
            self._start_error = DeviceNotFound(
                "No sound library (libpulse) on this system: the session runs video-only.", source=SOURCE
            )
        elif first and self._named and error.code == PA_ERR_NOENTITY:
            self._start_error = DeviceNotFound(
                f"The microphone “{self._info.name.removeprefix('microphone:')}” is not connected. "
                "Connect it or choose another in Settings, or run the session video-only.",
                source=SOURCE,
            )
        else:
            return DeviceLost(SERVER_DOWN_MESSAGE if first else LOST_MESSAGE, source=SOURCE)
        return None
