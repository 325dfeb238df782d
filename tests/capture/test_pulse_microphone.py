"""The Linux microphone through libpulse, against a private PulseAudio server the test starts, kills
and starts again: sound comes, a dead server is a lost microphone (never a crash), and the
microphone comes back with the server, also for a source started while the server was down.

libpulse reads the server's address from the environment for every stream it opens, so these
run in this process with the test server's environment set.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest
import support.pulse_mic as pulse
from support.media_files import RecordingSink, dominant_frequency
from support.pulse_mic import TONE_HZ, PulseServer

from capture.media import AUDIO_RATE_HZ, DeviceLost, DeviceNotFound, SessionClock
from capture.pulse_microphone import LOST_MESSAGE, SERVER_DOWN_MESSAGE, PulseMicrophoneSource
from capture.pulse_record import pulse_available

pytestmark = [pytest.mark.pulse, pytest.mark.timeout(120)]

pulse_server = pulse.pulse_server


@pytest.fixture(autouse=True)
def _needs_libpulse() -> None:
    if not pulse_available():
        pytest.skip("libpulse-simple is not installed (Debian: libpulse0)")


@pytest.fixture
def server_env(pulse_server: PulseServer, monkeypatch: pytest.MonkeyPatch) -> PulseServer:
    for name in ("PULSE_SERVER", "PULSE_CLIENTCONFIG", "PULSE_RUNTIME_PATH", "PULSE_STATE_PATH"):
        monkeypatch.setenv(name, pulse_server.env[name])
    return pulse_server


@pytest.fixture
def started() -> Iterator[Callable[[PulseMicrophoneSource], RecordingSink]]:
    sources: list[PulseMicrophoneSource] = []

    def start(source: PulseMicrophoneSource) -> RecordingSink:
        sink = RecordingSink()
        source.start(SessionClock(), sink)
        sources.append(source)
        return sink

    yield start
    for source in sources:
        source.stop()


def wait_until(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout_s:g} s for {what}")
        time.sleep(0.05)


def samples_since(sink: RecordingSink, first_chunk: int) -> np.ndarray:
    return np.concatenate([chunk.samples for chunk in sink.chunks[first_chunk:]])


def test_it_records_the_tone_in_contiguous_20_ms_chunks(server_env: PulseServer, started) -> None:
    server_env.add_microphone()
    server_env.play_tone()
    sink = started(PulseMicrophoneSource(None))
    wait_until(lambda: len(sink.chunks) >= 100, 10, "two seconds of sound")
    steady = samples_since(sink, 10)
    assert dominant_frequency(steady) == pytest.approx(TONE_HZ, abs=2)
    starts = np.array([c.t for c in sink.chunks])
    assert all(len(c.samples) == 960 for c in sink.chunks)
    assert np.abs(np.diff(starts) - 960 / AUDIO_RATE_HZ).max() < 0.002
    assert not sink.errors


def test_a_killed_server_is_a_lost_microphone_and_it_comes_back_with_the_server(
    server_env: PulseServer, started
) -> None:
    server_env.add_microphone()
    server_env.play_tone()
    sink = started(PulseMicrophoneSource(None, retry_s=0.3))
    wait_until(lambda: len(sink.chunks) >= 25, 10, "the first sound")
    server_env.kill()
    wait_until(lambda: bool(sink.errors), 10, "the loss to be reported")
    assert isinstance(sink.errors[0], DeviceLost) and str(sink.errors[0]) == LOST_MESSAGE
    time.sleep(4.0)  # longer than Qt's one reconnection attempt: QAudioSource would now abort
    before = len(sink.chunks)
    server_env.start()
    server_env.add_microphone()
    server_env.play_tone()
    wait_until(lambda: bool(sink.recovered) and len(sink.chunks) > before + 75, 15, "the sound to come back")
    assert len(sink.errors) == 1, "lost once, however many attempts failed meanwhile"
    assert dominant_frequency(samples_since(sink, before + 25)) == pytest.approx(TONE_HZ, abs=2)
    gap = max(b.t - a.t for a, b in zip(sink.chunks, sink.chunks[1:], strict=False))
    assert gap > 4.0, "the time away is a gap in session time, not squeezed out"


def test_a_microphone_started_while_the_server_is_down_waits_for_it(server_env: PulseServer, started) -> None:
    server_env.kill()
    sink = started(PulseMicrophoneSource(None, retry_s=0.3))  # no exception: the session goes on
    assert [str(e) for e in sink.errors] == [SERVER_DOWN_MESSAGE]
    time.sleep(1.0)
    server_env.start()
    server_env.add_microphone()
    server_env.play_tone()
    wait_until(lambda: bool(sink.recovered) and len(sink.chunks) >= 50, 15, "the microphone to join")
    assert dominant_frequency(samples_since(sink, 10)) == pytest.approx(TONE_HZ, abs=2)


def test_a_microphone_the_server_does_not_have_is_not_found(server_env: PulseServer, started) -> None:
    server_env.add_microphone()
    with pytest.raises(DeviceNotFound) as raised:
        started(PulseMicrophoneSource("no_such_source", description="Desk Mic 3000"))
    assert str(raised.value) == (
        "The microphone “Desk Mic 3000” is not connected. Connect it or choose another in Settings, "
        "or run the session video-only."
    )
