"""MicrophoneSource: its conversion and time-stamping, and real capture through a PulseAudio
virtual microphone (recorded in a child process, see tests/pulse_mic.py for why)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import support.pulse_mic as pulse
from support.media_files import dominant_frequency, tone_peak
from support.mic_recorder import RecorderProcess, Recording, record
from support.pulse_mic import MIC_NAME, TONE_HZ, TONE_PEAK, PulseServer, no_server_env

from capture.audio_convert import AudioConverter, AudioStamper
from capture.media import AUDIO_RATE_HZ

pulse_server = pulse.pulse_server
pulse_mic = pulse.pulse_mic

# -- conversion --------------------------------------------------------------------------------


def sine(rate: int, seconds: float, hz: float = 440.0, peak: float = 0.5) -> np.ndarray:
    return peak * np.sin(2 * np.pi * hz * np.arange(int(rate * seconds)) / rate)


def feed(converter: AudioConverter, data: bytes, piece: int) -> np.ndarray:
    """In uneven pieces, as a device hands them over (not aligned to frames)."""
    parts = [converter.convert(data[i : i + piece]) for i in range(0, len(data), piece)]
    return np.concatenate(parts)


def test_the_native_format_passes_straight_through() -> None:
    samples = (sine(AUDIO_RATE_HZ, 0.1) * 32767).astype(np.int16)
    converter = AudioConverter("s16", 1, AUDIO_RATE_HZ)
    assert converter.passthrough
    out = feed(converter, samples.tobytes(), 1001)  # odd: every other piece splits a sample
    assert out.dtype == np.int16 and np.array_equal(out, samples)


@pytest.mark.parametrize(
    ("name", "dtype", "scale", "offset"),
    [("flt", np.float32, 1.0, 0.0), ("s32", np.int32, 2**31 - 1, 0.0), ("u8", np.uint8, 127.0, 128.0)],
)
def test_other_formats_become_48k_mono_int16(name: str, dtype: type, scale: float, offset: float) -> None:
    rate, seconds = 44_100, 1.0
    tone = sine(rate, seconds)
    left_right = np.stack([tone, tone], axis=1)  # stereo, interleaved
    raw = (left_right * scale + offset).astype(dtype).tobytes()
    out = feed(AudioConverter(name, 2, rate), raw, 4097)
    assert out.dtype == np.int16 and out.ndim == 1
    assert len(out) == pytest.approx(seconds * AUDIO_RATE_HZ, abs=256)
    steady = out[4800:-4800]
    assert dominant_frequency(steady) == pytest.approx(440.0, abs=2)
    assert tone_peak(steady) == pytest.approx(0.5, rel=0.03)


def test_stereo_is_averaged_not_summed() -> None:
    left = sine(AUDIO_RATE_HZ, 0.5, peak=0.8)
    silent = np.zeros_like(left)
    raw = np.stack([left, silent], axis=1).astype(np.float32).tobytes()
    out = AudioConverter("flt", 2, AUDIO_RATE_HZ).convert(raw)
    assert tone_peak(out[2400:-2400]) == pytest.approx(0.4, rel=0.03)


# -- time stamps -------------------------------------------------------------------------------


def stamps_for(arrivals: np.ndarray, count: int, stamper: AudioStamper | None = None) -> np.ndarray:
    stamper = stamper or AudioStamper()
    return np.array([stamper.stamp(count, float(now)) for now in arrivals])


def test_jittery_callbacks_give_contiguous_stamps() -> None:
    count, period = 1024, 1024 / AUDIO_RATE_HZ
    rng = np.random.default_rng(3)
    arrivals = 1.0 + period * np.arange(1, 500) + rng.uniform(0, 0.008, 499)
    stamps = stamps_for(arrivals, count)
    assert stamps[0] == pytest.approx(arrivals[0] - period)
    assert np.allclose(np.diff(stamps), period, atol=1e-9), "jitter under the dead band is ignored"


def test_a_drifting_device_clock_is_followed_gently() -> None:
    count = 480
    device_period = count / AUDIO_RATE_HZ * 1.001  # the card runs 0.1 % slow against the clock
    arrivals = device_period * np.arange(1, 6000)
    stamps = stamps_for(arrivals, count)
    steps = np.diff(stamps) - count / AUDIO_RATE_HZ
    assert np.all(steps >= -1e-9) and steps.max() <= AudioStamper.SLEW * count / AUDIO_RATE_HZ + 1e-9
    chunk_end = stamps[-1] + count / AUDIO_RATE_HZ
    assert abs(arrivals[-1] - chunk_end) < 0.03, "kept near the session clock after a minute"


def test_lost_samples_reanchor_at_once_and_times_never_go_back() -> None:
    count, period = 960, 960 / AUDIO_RATE_HZ
    arrivals = np.concatenate([period * np.arange(1, 100), 2.0 + period * np.arange(100, 200)])
    stamper = AudioStamper()
    stamps = stamps_for(arrivals, count, stamper)
    assert stamper.resyncs == 1
    assert np.all(np.diff(stamps) > 0)
    assert abs((stamps[-1] + period) - arrivals[-1]) < 0.02

    burst = stamps_for(np.full(50, arrivals[-1]), count, stamper)  # a backlog arriving at once
    assert np.all(np.diff(np.concatenate([stamps, burst])) > 0)


def test_a_restarted_stream_starts_after_the_last_chunk() -> None:
    stamper = AudioStamper()
    first = stamper.stamp(4800, 1.0)
    stamper.restart()
    assert stamper.stamp(4800, 1.05) >= first + 0.1


# -- a real microphone: PulseAudio's virtual one, in a child process ---------------------------


def assert_monotonic_contiguous(recording: Recording, *, tolerance_s: float = 0.001) -> None:
    starts = recording.chunk_t
    ends = starts + recording.chunk_len / AUDIO_RATE_HZ
    assert np.all(np.diff(starts) > 0)
    assert np.abs(starts[1:] - ends[:-1]).max() < tolerance_s


def event(recording: Recording, kind: str) -> dict[str, object]:
    return next(e for e in recording.events if e["kind"] == kind)


@pytest.mark.pulse
@pytest.mark.timeout(120)
def test_captures_the_tone_played_into_the_virtual_microphone(pulse_mic: PulseServer, tmp_path: Path) -> None:
    recording = record(pulse_mic.env, tmp_path / "tone.npz", "--until", "audio", "--after", "2.0")
    assert recording.start_error is None
    assert recording.name == f"microphone:{MIC_NAME}"
    assert recording.kinds() == ["started", "audio", "stopped"]
    assert recording.calls_after_stop == 0

    # About the right amount: as many samples as the wall clock says went by (±3 %).
    first, stopped = event(recording, "audio"), event(recording, "stopped")
    wall_s = float(stopped["at"]) - float(first["at"])  # type: ignore[arg-type]
    assert wall_s > 1.8
    assert len(recording.samples) / AUDIO_RATE_HZ == pytest.approx(wall_s, rel=0.03)

    steady = recording.samples[AUDIO_RATE_HZ // 5 :]
    assert dominant_frequency(steady) == pytest.approx(TONE_HZ, abs=2)
    assert tone_peak(steady) == pytest.approx(TONE_PEAK, rel=0.05)
    assert_monotonic_contiguous(recording)
    # Stamped on the session clock: the first chunk ends about when it arrived.
    first_end = recording.chunk_t[0] + recording.chunk_len[0] / AUDIO_RATE_HZ
    assert 0 < first_end <= float(first["at"]) + 0.05  # type: ignore[arg-type]


@pytest.mark.pulse
@pytest.mark.timeout(120)
def test_a_named_microphone_stopped_from_another_thread(pulse_mic: PulseServer, tmp_path: Path) -> None:
    recording = record(
        pulse_mic.env, tmp_path / "named.npz", "--device", MIC_NAME, "--until", "audio", "--after", "0.5",
        "--stop-from-thread",
    )  # fmt: skip
    assert recording.start_error is None
    assert recording.kinds() == ["started", "audio", "stopped"]
    assert recording.calls_after_stop == 0
    assert len(recording.samples) > AUDIO_RATE_HZ // 4


@pytest.mark.pulse
@pytest.mark.timeout(120)
def test_an_unknown_microphone_name_is_a_clear_error(pulse_mic: PulseServer, tmp_path: Path) -> None:
    recording = record(pulse_mic.env, tmp_path / "x.npz", "--device", "Desk Mic 3000")
    assert recording.start_error == {
        "type": "DeviceNotFound",
        "source": "microphone",
        "message": "The microphone “Desk Mic 3000” is not connected. Connect it or choose another, "
        "or run the session video-only.",
    }


@pytest.mark.pulse
@pytest.mark.timeout(120)
def test_an_unplugged_microphone_is_reported_and_comes_back(pulse_mic: PulseServer, tmp_path: Path) -> None:
    recorder = RecorderProcess(
        pulse_mic.env, tmp_path / "unplug.npz", "--until", "recovered", "--after", "1.5", "--stall-s", "1.0"
    )
    try:
        recorder.wait_for("audio")
        pulse_mic.unplug_microphone()
        recorder.wait_for("error")
        pulse_mic.add_microphone()
        pulse_mic.play_tone()
        recorder.wait_for("recovered")
    finally:
        recording = recorder.finish()
    assert recording.kinds() == ["started", "audio", "error", "recovered", "audio", "stopped"]
    error = event(recording, "error")
    assert error["type"] == "DeviceLost"
    assert error["message"] == (
        "The microphone stopped sending sound. Check its cable; the sound resumes when it is back."
    )
    recovered_at = float(event(recording, "recovered")["at"])  # type: ignore[arg-type]
    after = [e for e in recording.events if e["kind"] == "audio" and float(e["at"]) >= recovered_at]  # type: ignore[arg-type]
    assert sum(int(e["n"]) for e in after) > AUDIO_RATE_HZ  # type: ignore[call-overload]
    tail = recording.samples[-AUDIO_RATE_HZ // 2 :]
    assert dominant_frequency(tail) == pytest.approx(TONE_HZ, abs=4), "the tone is back"
    starts = recording.chunk_t
    assert np.all(np.diff(starts) > 0)
    gap = np.diff(starts).max()
    assert gap > 1.0, "the time away is a gap in session time, not squeezed out"


@pytest.mark.pulse
@pytest.mark.timeout(120)
def test_a_dead_sound_server_is_reported_without_crashing(pulse_mic: PulseServer, tmp_path: Path) -> None:
    """Qt's PulseAudio backend aborts the process if a source is started while its server is
    gone; the source must report the loss and leave the device alone."""
    recorder = RecorderProcess(
        pulse_mic.env, tmp_path / "dead.npz", "--until", "audio", "--after", "5.0", "--stall-s", "1.0"
    )
    try:
        recorder.wait_for("audio")
        pulse_mic.kill()
        recorder.wait_for("error")
    finally:
        recording = recorder.finish()
    assert recording.kinds() == ["started", "audio", "error", "stopped"]
    assert event(recording, "error")["type"] == "DeviceLost"


@pytest.mark.timeout(120)
def test_no_sound_server_is_a_clear_error(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("hiding the machine's microphones needs PulseAudio (Linux)")
    recording = record(no_server_env(tmp_path), tmp_path / "none.npz")
    assert recording.start_error == {
        "type": "DeviceNotFound",
        "source": "microphone",
        "message": "No microphone found. Connect one, or run the session video-only.",
    }
