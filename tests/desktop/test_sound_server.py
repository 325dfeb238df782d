"""The sound server dies mid-session, and the user starts a new session: no crash, the new session
runs video-only with a warning, and the microphone joins when the server is back. In the real
window, against a private PulseAudio server the test kills (Qt 6.11 would abort the process here
if a QAudioSource were started: see `capture.pulse_microphone`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import support.pulse_mic as pulse
from support.desktop_helpers import LiveApp
from support.media_checks import decode_segment
from support.media_files import MediaFile, dominant_frequency, write_media
from support.pulse_mic import TONE_HZ, PulseServer

import app.session.capture_pipeline as pipeline
from app.model.events import CaptureProblem, SegmentClosed, SegmentCompleted
from app.store.settings import Settings
from capture.camera import CameraSource
from capture.pulse_microphone import LOST_MESSAGE, SERVER_DOWN_MESSAGE
from capture.pulse_record import pulse_available

pytestmark = [pytest.mark.pulse, pytest.mark.timeout(180)]

pulse_server = pulse.pulse_server


@pytest.fixture
def clip(tmp_path: Path) -> MediaFile:
    return write_media(tmp_path / "camera.mp4", seconds=90, fps=15, audio=False)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The camera (its read loop on `clip`) and the default microphone, not the synthetic signal."""
    return settings.model_copy(update={"camera": "0", "microphone": "default", "resolution": "640x480"})


@pytest.fixture(autouse=True)
def camera_and_sound_server(
    pulse_server: PulseServer, clip: MediaFile, monkeypatch: pytest.MonkeyPatch
) -> PulseServer:
    if not pulse_available():
        pytest.skip("libpulse-simple is not installed (Debian: libpulse0)")
    monkeypatch.setattr(
        pipeline, "build_video_source", lambda *_args, **_kw: CameraSource(str(clip.path), 320, 240, 15)
    )
    for name in ("PULSE_SERVER", "PULSE_CLIENTCONFIG", "PULSE_RUNTIME_PATH", "PULSE_STATE_PATH"):
        monkeypatch.setenv(name, pulse_server.env[name])
    pulse_server.add_microphone()
    pulse_server.play_tone(120)
    return pulse_server


def microphone_news(live: LiveApp, level: str) -> list[str]:
    return [e.message for e in live.events(CaptureProblem) if e.source == "microphone" and e.level == level]


def test_a_new_session_after_the_sound_server_died_runs_video_only_and_the_microphone_joins_later(
    live: LiveApp, camera_and_sound_server: PulseServer
) -> None:
    server = camera_and_sound_server
    controller = live.controller

    async def scenario() -> None:
        await live.start_session()
        await live.until_completed(1)
        assert controller.status().microphone.state == "ok"
        server.kill()
        await live.until(lambda: bool(microphone_news(live, "error")), 15, "the microphone lost")
        assert microphone_news(live, "error") == [LOST_MESSAGE]
        await live.stop_session()

        await asyncio.sleep(4.0)  # past Qt's one reconnection attempt: a QAudioSource would abort now
        await live.start_session()
        await live.until(lambda: bool(microphone_news(live, "error")), 10, "the warning")
        assert microphone_news(live, "error") == [SERVER_DOWN_MESSAGE]
        assert controller.status().microphone.state == "missing"
        assert SERVER_DOWN_MESSAGE in live.window.problem_banner.label.toolTip()
        await live.until_completed(1)  # video-only meanwhile

        server.start()
        server.add_microphone()
        server.play_tone(120)
        await live.until(lambda: bool(microphone_news(live, "info")), 15, "the microphone back")
        back = next(e.t for e in live.events(CaptureProblem) if e.level == "info")
        await live.until(
            lambda: any(e.t0 > back + 0.5 for e in live.events(SegmentClosed)), 15, "a segment with sound"
        )
        assert controller.status().microphone.state == "ok"
        await live.stop_session()

    live.run(scenario, timeout_s=150)
    back_at = next(e.t for e in live.events(CaptureProblem) if e.level == "info")
    with_sound = next(e for e in live.events(SegmentClosed) if e.t0 > back_at + 0.5)
    decoded = decode_segment(
        (live.recording_folder() / "segments" / f"{with_sound.index:06d}.webm").read_bytes()
    )
    steady = decoded.audio[decoded.audio_rate // 2 :]
    assert dominant_frequency(steady, decoded.audio_rate) == pytest.approx(TONE_HZ, abs=4), "the tone is back"
    assert live.events(SegmentCompleted), "the second session was analysed"
