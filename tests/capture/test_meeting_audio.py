"""Meeting audio: what a PulseAudio null sink plays (a tone from `pacat`) recorded from its monitor by
`MeetingAudioSource`, through a real encoder, back out of the segments at the right pitch and
level; mixed with another source; lost with the sound server and found again."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import support.pulse_mic as pulse
from support.media_checks import EncoderSink, decode_segment
from support.media_files import RecordingSink, dominant_frequency, tone_peak, wait_until
from support.pulse_mic import RATE, TONE_HZ, TONE_PEAK, PulseServer

from capture.audio_mix import MixedAudioSource
from capture.encoder import EncoderConfig, SegmentEncoder
from capture.media import AUDIO_RATE_HZ, AudioChunk, DeviceNotFound, Segment, SessionClock
from capture.meeting_audio import MeetingAudioSource, meeting_audio_status
from capture.synthetic import SyntheticSource

pulse_server = pulse.pulse_server

SEGMENT_S = 3.0


@pytest.fixture
def speakers(pulse_server: PulseServer, monkeypatch: pytest.MonkeyPatch) -> PulseServer:
    """The private server with a null sink as the default output, reached from this process."""
    for name in ("PULSE_SERVER", "PULSE_RUNTIME_PATH", "PULSE_STATE_PATH", "PULSE_CLIENTCONFIG"):
        monkeypatch.setenv(name, pulse_server.env[name])
    pulse_server.pactl("load-module", "module-null-sink", "sink_name=spk", f"rate={RATE}", "channels=2")
    pulse_server.pactl("set-default-sink", "spk")
    return pulse_server


def play(
    server: PulseServer, sink: str, hz: float, peak: float, seconds: float = 30.0
) -> subprocess.Popen[bytes]:
    tone = server.folder / f"tone-{hz:g}.raw"
    t = np.arange(int(seconds * RATE)) / RATE
    tone.write_bytes((peak * 32767 * np.sin(2 * np.pi * hz * t)).astype("<i2").tobytes())
    return subprocess.Popen(
        ["pacat", "--playback", "--raw", "-d", sink, f"--rate={RATE}", "--channels=1", "--format=s16le",
         "--latency-msec=20", str(tone)],
        env=server.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


class PictureOnly(EncoderSink):
    """The synthetic source's pictures (segments need video); its own sound is left out."""

    def keep_audio(self, chunk: AudioChunk) -> AudioChunk | None:
        return None


def segments_with(audio: MeetingAudioSource | MixedAudioSource, seconds: float) -> list[Segment]:
    """`audio` and the synthetic pictures through one real encoder for `seconds`."""
    segments: list[Segment] = []
    encoder = SegmentEncoder(EncoderConfig(segment_s=SEGMENT_S, width=320, height=240), segments.append)
    clock = SessionClock()
    video = SyntheticSource(320, 240, 15.0)
    encoder.start()
    try:
        audio.start(clock, EncoderSink(encoder))
        video.start(clock, PictureOnly(encoder))
        time.sleep(seconds)
    finally:
        video.stop()
        audio.stop()
        encoder.stop()
    return segments


@pytest.mark.pulse
@pytest.mark.timeout(90)
def test_what_the_computer_plays_comes_back_in_the_segments(speakers: PulseServer) -> None:
    assert meeting_audio_status().available
    player = play(speakers, "spk", TONE_HZ, TONE_PEAK)
    try:
        segments = segments_with(MeetingAudioSource(), 3 * SEGMENT_S + 0.5)
    finally:
        player.terminate()
        player.wait()
    assert len(segments) == 3
    # A null sink starts in two-second blocks: the sound flows steadily from the second segment on.
    for segment in segments[1:]:
        decoded = decode_segment(segment.data)
        assert decoded.audio_duration_s == pytest.approx(SEGMENT_S, abs=0.05)
        steady = decoded.audio[AUDIO_RATE_HZ // 10 :] * 32768  # tone_peak takes int16's scale
        assert dominant_frequency(steady) == pytest.approx(TONE_HZ, abs=2)
        assert tone_peak(steady) == pytest.approx(TONE_PEAK, rel=0.1)


@pytest.mark.pulse
@pytest.mark.timeout(90)
def test_meeting_audio_mixed_with_another_source_keeps_both(speakers: PulseServer) -> None:
    """Two real inputs (two outputs' monitors, one a stand-in for the microphone) in one track."""
    speakers.pactl("load-module", "module-null-sink", "sink_name=voice", f"rate={RATE}", "channels=1")
    players = [play(speakers, "spk", TONE_HZ, 0.3), play(speakers, "voice", 440.0, 0.3)]
    try:
        mix = MixedAudioSource([MeetingAudioSource(), MeetingAudioSource("voice.monitor")])
        segments = segments_with(mix, 3 * SEGMENT_S + 0.5)
    finally:
        for player in players:
            player.terminate()
            player.wait()
    assert mix.info().name == "meeting audio + meeting audio"
    decoded = decode_segment(segments[-1].data)
    assert decoded.audio_duration_s == pytest.approx(SEGMENT_S, abs=0.05)
    spectrum = np.abs(np.fft.rfft(decoded.audio * np.hanning(len(decoded.audio))))
    freqs = np.fft.rfftfreq(len(decoded.audio), 1 / AUDIO_RATE_HZ)
    peaks = sorted(freqs[np.argsort(spectrum)[-40:]].round())
    assert any(abs(f - 440) <= 2 for f in peaks) and any(abs(f - TONE_HZ) <= 2 for f in peaks)
    # Two tones at 0.3 summed: their RMS adds up to that of one sine of peak 0.3·√2.
    assert tone_peak(decoded.audio * 32768) == pytest.approx(0.3 * np.sqrt(2), rel=0.1), (
        "summed, not averaged"
    )


@pytest.mark.pulse
@pytest.mark.timeout(30)
def test_a_source_that_cannot_be_recorded_is_an_error_at_start(speakers: PulseServer) -> None:
    sink = RecordingSink()
    source = MeetingAudioSource("no_such_monitor")
    with pytest.raises(DeviceNotFound, match="Meeting audio cannot be recorded") as raised:
        source.start(SessionClock(), sink)
    assert raised.value.source == "meeting audio"
    assert sink.chunks == [] and sink.errors == []
    source.stop()


@pytest.mark.pulse
@pytest.mark.timeout(90)
def test_a_sound_server_that_goes_away_is_reported_and_found_again(speakers: PulseServer) -> None:
    sink = RecordingSink()
    source = MeetingAudioSource(retry_s=0.3)
    source.start(SessionClock(), sink)
    try:
        wait_until(lambda: len(sink.chunks) > 10, 10, "meeting audio")
        speakers.kill()
        wait_until(lambda: bool(sink.errors), 10, "the loss reported")
        assert str(sink.errors[0]) == (
            "Meeting audio stopped: the sound server went away. It resumes when the server is back."
        )
        speakers.start()
        speakers.pactl("load-module", "module-null-sink", "sink_name=spk", f"rate={RATE}", "channels=2")
        speakers.pactl("set-default-sink", "spk")
        wait_until(lambda: bool(sink.recovered), 15, "the sound back")
        heard = len(sink.chunks)
        wait_until(lambda: len(sink.chunks) > heard + 10, 10, "sound after the recovery")
    finally:
        source.stop()
    assert sink.recovered == ["meeting audio"]
    starts = np.array([chunk.t for chunk in sink.chunks])
    assert np.all(np.diff(starts) > 0), "times only go forward, across the gap too"


@pytest.mark.pulse
@pytest.mark.timeout(60)
def test_the_status_says_why_there_is_no_meeting_audio(
    pulse_server: PulseServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("PULSE_SERVER", "PULSE_RUNTIME_PATH", "PULSE_CLIENTCONFIG"):
        monkeypatch.setenv(name, pulse_server.env[name])
    assert meeting_audio_status().reason == "This computer has no sound output to record: connect one."
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path / 'no-server-here'}")
    status = meeting_audio_status()
    assert not status.available
    assert status.reason == "No sound server answers (PulseAudio or PipeWire): check your sound settings."


@pytest.mark.parametrize(
    ("platform", "start"),
    [("darwin", "macOS cannot record what it plays"), ("win32", "Meeting audio is not available on Windows")],
)
def test_systems_without_a_way_say_so(platform: str, start: str) -> None:
    status = meeting_audio_status(platform)
    assert not status.available and status.reason.startswith(start)
