"""FileSource on real files written by the tests: what it delivers, how it paces, how it fails."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from support.media_files import (
    RecordingSink,
    dominant_frequency,
    frame_index,
    garble,
    tone_peak,
    truncate,
    wait_until,
    write_media,
)

from capture.file_source import FileSource
from capture.media import AUDIO_RATE_HZ, SessionClock, SourceUnreadable, clock_now

pytestmark = pytest.mark.timeout(60)


def file_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("file-")]


def play_to_end(path: Path, *, realtime: bool = False, clock: SessionClock | None = None) -> RecordingSink:
    sink = RecordingSink()
    source = FileSource(path, realtime=realtime)
    source.start(clock or SessionClock(), sink)
    try:
        wait_until(lambda: sink.finished, 30, "the end of the file")
    finally:
        source.stop()
    assert not file_threads()
    return sink


def assert_contiguous_audio(sink: RecordingSink) -> None:
    starts = np.array([c.t for c in sink.chunks])
    ends = starts + np.array([c.duration_s for c in sink.chunks])
    assert np.allclose(starts[1:], ends[:-1], atol=1e-6), "each chunk starts where the previous one ended"


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("h264-aac.mp4", {}),
        ("vp8-opus.webm", {}),
        ("h264-aac-44k.mp4", {"audio_rate": 44_100}),
        ("h264-aac-mono.mov", {"audio_channels": 1, "fps": 30}),
    ],
)
def test_delivers_every_frame_and_the_sound_at_48k(tmp_path: Path, name: str, options: dict) -> None:
    clip = write_media(tmp_path / name, seconds=2.0, **options)
    source = FileSource(clip.path, realtime=False)
    info = source.info()
    sink = RecordingSink()
    source.start(SessionClock(), sink)
    try:
        wait_until(lambda: sink.finished, 30, "the end of the file")
    finally:
        source.stop()

    info = source.info()
    assert (info.width, info.height, info.fps) == (clip.width, clip.height, clip.fps)
    assert info.video and info.audio and not info.notes

    assert [frame_index(f.image) for f in sink.frames] == list(range(clip.frames))
    stamps = np.array([f.t for f in sink.frames])
    expected = stamps[0] + np.arange(clip.frames) / clip.fps
    assert np.abs(stamps - expected).max() < 0.5 / clip.fps, "times follow the file's pts"
    assert stamps[0] < 0.5, "a file started with the session starts at session time ~0"
    image = sink.frames[0].image
    assert (
        image.dtype == np.uint8 and image.shape == (clip.height, clip.width, 3) and image.flags.c_contiguous
    )

    assert all(c.samples.dtype == np.int16 and c.samples.ndim == 1 for c in sink.chunks)
    assert sink.audio_seconds == pytest.approx(clip.duration_s, rel=0.02)
    assert abs(sink.chunks[0].t - stamps[0]) < 1 / clip.fps, "sound and picture start together"
    assert_contiguous_audio(sink)
    samples = sink.audio()
    steady = samples[AUDIO_RATE_HZ // 10 : AUDIO_RATE_HZ // 10 + AUDIO_RATE_HZ]
    assert dominant_frequency(steady) == pytest.approx(clip.tone_hz, abs=2)
    assert tone_peak(steady) == pytest.approx(clip.tone_peak, rel=0.05)

    assert sink.finished == ["file"] and sink.kinds()[-1] == "finished"
    assert not sink.errors


def test_realtime_delivery_follows_the_session_clock(tmp_path: Path) -> None:
    clip = write_media(tmp_path / "paced.webm", seconds=2.0)
    clock = SessionClock()
    started = time.monotonic()
    sink = play_to_end(clip.path, realtime=True, clock=clock)
    elapsed = time.monotonic() - started
    assert 0.8 * clip.duration_s < elapsed < 2.5 * clip.duration_s
    video_times = [at for kind, at in sink.events if kind == "video"]
    lateness = np.array([(at - clock.start) - f.t for f, at in zip(sink.frames, video_times, strict=True)])
    assert lateness.min() > -0.01, "no frame is handed over before its time"
    assert float(np.median(lateness)) < 0.1


def test_fast_mode_goes_faster_than_real_time(tmp_path: Path) -> None:
    clip = write_media(tmp_path / "fast.mp4", seconds=3.0)
    started = time.monotonic()
    sink = play_to_end(clip.path)
    assert time.monotonic() - started < clip.duration_s / 2
    assert len(sink.frames) == clip.frames


def test_started_mid_session_it_begins_at_the_clocks_now(tmp_path: Path) -> None:
    clip = write_media(tmp_path / "late.mp4", seconds=1.0)
    clock = SessionClock(clock_now() - 5.0)
    sink = play_to_end(clip.path, clock=clock)
    assert sink.frames[0].t == pytest.approx(5.0, abs=0.2)
    assert sink.chunks[0].t == pytest.approx(sink.frames[0].t, abs=1 / clip.fps)


def test_video_only_file_plays_with_a_note(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    clip = write_media(tmp_path / "silent.mp4", seconds=1.0, audio=False)
    source = FileSource(clip.path, realtime=False)
    sink = RecordingSink()
    with caplog.at_level(logging.WARNING, logger="capture.file_source"):
        source.start(SessionClock(), sink)
    try:
        wait_until(lambda: sink.finished, 30, "the end of the file")
    finally:
        source.stop()
    info = source.info()
    assert info.video and not info.audio
    assert info.notes == ["silent.mp4 has no sound: the session is video-only."]
    assert "has no sound" in caplog.text
    assert len(sink.frames) == clip.frames and not sink.chunks and not sink.errors


def unreadable(path: Path) -> str:
    with pytest.raises(SourceUnreadable) as caught:
        FileSource(path).start(SessionClock(), RecordingSink())
    assert caught.value.source == "file"
    assert not file_threads()
    return str(caught.value)


def test_a_file_without_video_is_refused(tmp_path: Path) -> None:
    clip = write_media(tmp_path / "voice.mp4", video=False)
    assert unreadable(clip.path) == "voice.mp4 has no video track. Choose a video file."


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert unreadable(tmp_path / "gone.mp4") == "gone.mp4 does not exist. Check the path."


def test_a_folder_is_refused(tmp_path: Path) -> None:
    assert unreadable(tmp_path) == f"{tmp_path.name} is a folder. Choose a video file."


def test_a_text_file_named_mp4_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video\n" * 50)
    message = unreadable(notes)
    assert message.startswith("notes.mp4 is not a video FFmpeg can read")
    assert message.endswith("Choose another file.")


def test_an_mp4_cut_before_its_index_is_refused(tmp_path: Path) -> None:
    clip = write_media(tmp_path / "cut.mp4", seconds=2.0)  # the index (moov) is written last
    truncate(clip.path, 0.6)
    assert "is not a video FFmpeg can read" in unreadable(clip.path)


def test_a_file_cut_short_plays_what_it_has_and_says_it_ends_early(tmp_path: Path) -> None:
    clip = write_media(tmp_path / "cut.webm", seconds=3.0)
    truncate(clip.path, 0.6)
    sink = play_to_end(clip.path)
    assert 0 < len(sink.frames) < clip.frames
    assert [frame_index(f.image) for f in sink.frames] == list(range(len(sink.frames)))
    (error,) = sink.errors
    assert isinstance(error, SourceUnreadable)
    assert str(error).startswith("cut.webm ends early, at ")
    assert sink.kinds()[-2:] == ["error", "finished"]


def test_damage_in_the_middle_is_reported_once_and_skipped(tmp_path: Path) -> None:
    clip = write_media(tmp_path / "scratched.mp4", seconds=4.0, faststart=True)
    garble(clip.path, 0.45, 0.1)
    sink = play_to_end(clip.path)
    indices = [frame_index(f.image) for f in sink.frames]
    assert indices[0] == 0 and indices[-1] == clip.frames - 1, "the picture goes on after the damage"
    assert len(indices) < clip.frames
    assert len(sink.errors) == 1
    assert "is damaged near" in str(sink.errors[0]) and "skipped" in str(sink.errors[0])
    stamps = np.array([f.t for f in sink.frames])
    assert np.all(np.diff(stamps) > 0)
    assert sink.finished == ["file"]


def test_loop_plays_again_with_rising_times(tmp_path: Path) -> None:
    clip = write_media(tmp_path / "loop.mp4", seconds=1.0)
    source = FileSource(clip.path, realtime=False, loop=True)
    sink = RecordingSink()
    source.start(SessionClock(), sink)
    try:
        wait_until(lambda: len(sink.frames) >= 2 * clip.frames + 5, 30, "a third pass")
    finally:
        source.stop()
    indices = [frame_index(f.image) for f in sink.frames]
    assert indices[: 2 * clip.frames] == list(range(clip.frames)) * 2
    stamps = np.array([f.t for f in sink.frames])
    assert np.all(np.diff(stamps) > 0)
    assert stamps[clip.frames] - stamps[0] == pytest.approx(clip.duration_s, abs=1 / clip.fps)
    starts = np.array([c.t for c in sink.chunks])
    assert np.all(np.diff(starts) > 0)
    assert not sink.finished, "a looping file never finishes by itself"


def test_stop_mid_file_is_prompt_and_final(tmp_path: Path) -> None:
    clip = write_media(tmp_path / "long.mp4", seconds=6.0)
    source = FileSource(clip.path)
    sink = RecordingSink()
    source.start(SessionClock(), sink)
    wait_until(lambda: len(sink.frames) >= 10, 10, "some frames")
    started = time.monotonic()
    source.stop()
    assert time.monotonic() - started < 1.0
    delivered = len(sink.events)
    source.stop()
    time.sleep(0.2)
    assert len(sink.events) == delivered and not sink.finished
    assert not file_threads()


def test_a_slow_consumer_loses_nothing(tmp_path: Path) -> None:
    """Back-pressure is the consumer blocking its call; the source simply waits."""
    clip = write_media(tmp_path / "slow.mp4", seconds=1.0)

    class SlowSink(RecordingSink):
        def video_frame(self, frame) -> None:  # type: ignore[no-untyped-def]
            time.sleep(0.01)
            super().video_frame(frame)

    sink = SlowSink()
    source = FileSource(clip.path, realtime=False)
    source.start(SessionClock(), sink)
    try:
        wait_until(lambda: sink.finished, 30, "the end of the file")
    finally:
        source.stop()
    assert [frame_index(f.image) for f in sink.frames] == list(range(clip.frames))
