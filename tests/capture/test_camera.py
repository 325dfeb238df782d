"""CameraSource's real read loop, driven by a video file (no camera exists on the test machines)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from support.media_files import MediaFile, RecordingSink, frame_index, wait_until, write_media

from capture.camera import CameraSource
from capture.input_check import InputCheck, InputThresholds
from capture.media import DeviceLost, DeviceNotFound, SessionClock, VideoFrame


def camera_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("camera-")]


@pytest.fixture
def clip(tmp_path: Path) -> MediaFile:
    return write_media(tmp_path / "camera.mp4", seconds=1.2, fps=25, audio=False)


def fast_retry(device: int | str) -> CameraSource:
    return CameraSource(device, stall_s=0.4, max_failed_reads=5, retry_s=0.2)


@pytest.mark.timeout(30)
def test_missing_camera_index_is_a_clear_error_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(DeviceNotFound) as caught:
        CameraSource(99).start(SessionClock(), RecordingSink())
    assert time.monotonic() - started < 5.0
    message = str(caught.value)
    assert message == "No camera found at index 99. Connect a camera or choose another one."
    assert caught.value.source == "camera"
    assert not camera_threads()


@pytest.mark.timeout(30)
def test_camera_zero_is_not_found_on_a_machine_without_cameras(capfd: pytest.CaptureFixture[str]) -> None:
    if list(Path("/dev").glob("video*")):
        pytest.skip("this machine has a video device, so camera 0 may exist")
    started = time.monotonic()
    with pytest.raises(DeviceNotFound, match=r"^No camera found at index 0\. Connect a camera"):
        CameraSource(0).start(SessionClock(), RecordingSink())
    assert time.monotonic() - started < 5.0
    assert "WARN" not in capfd.readouterr().err, "OpenCV's probing noise should be silenced"
    assert not camera_threads()


@pytest.mark.timeout(30)
def test_unopenable_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DeviceNotFound, match="Check the path"):
        CameraSource(str(tmp_path / "nothing.mp4")).start(SessionClock(), RecordingSink())
    assert not camera_threads()


@pytest.mark.timeout(60)
def test_reads_every_frame_in_order_paced_like_a_camera(clip: MediaFile) -> None:
    sink = RecordingSink()
    clock = SessionClock()
    source = fast_retry(str(clip.path))
    started = time.monotonic()
    source.start(clock, sink)
    try:
        assert len(sink.frames) >= 1, "start returns once delivery has begun"
        info = source.info()
        assert (info.width, info.height) == (clip.width, clip.height)
        assert info.fps == pytest.approx(clip.fps)
        assert info.video and not info.audio
        wait_until(lambda: len(sink.frames) >= clip.frames, 10, "every frame of the clip")
        elapsed = time.monotonic() - started
    finally:
        source.stop()
    frames = sink.frames[: clip.frames]
    assert [frame_index(f.image) for f in frames] == list(range(clip.frames))
    stamps = np.array([f.t for f in frames])
    assert np.all(np.diff(stamps) > 0)
    # Paced at the file's rate: about the clip's duration, not as fast as the decoder goes.
    assert 0.7 * clip.duration_s < elapsed < 3 * clip.duration_s
    assert float(np.median(np.diff(stamps))) == pytest.approx(1 / clip.fps, rel=0.3)
    first: VideoFrame = frames[0]
    assert first.image.dtype == np.uint8 and first.image.shape == (clip.height, clip.width, 3)
    assert first.image.flags.c_contiguous


@pytest.mark.timeout(60)
def test_stalled_stream_is_reported_then_recovered_when_it_opens_again(clip: MediaFile) -> None:
    """The end of a file looks to the read loop like an unplugged camera: reads fail. Reopening the
    file is the camera coming back."""
    sink = RecordingSink()
    source = fast_retry(str(clip.path))
    source.start(SessionClock(), sink)
    try:
        wait_until(lambda: sink.recovered, 15, "the stream to be reported back")
        wait_until(lambda: len(sink.frames) > clip.frames + 5, 10, "frames after recovery")
    finally:
        source.stop()
    assert sink.kinds()[:4] == ["video", "error", "recovered", "video"]
    (error,) = sink.errors
    assert isinstance(error, DeviceLost) and error.source == "camera"
    assert "stopped sending pictures" in str(error)
    assert sink.recovered == ["camera"]
    # After recovery the picture starts over (the file reopened); stamps keep rising.
    assert frame_index(sink.frames[clip.frames].image) == 0
    stamps = np.array([f.t for f in sink.frames])
    assert np.all(np.diff(stamps) > 0)


@pytest.mark.timeout(60)
def test_keeps_retrying_while_the_device_is_gone(clip: MediaFile, tmp_path: Path) -> None:
    sink = RecordingSink()
    source = fast_retry(str(clip.path))
    source.start(SessionClock(), sink)
    away = tmp_path / "unplugged.mp4"
    try:
        clip.path.rename(away)
        wait_until(lambda: sink.errors, 15, "the loss to be reported")
        time.sleep(1.0)  # several failed reopen attempts (every 0.2 s)
        assert not sink.recovered
        away.rename(clip.path)
        wait_until(lambda: sink.recovered, 10, "the stream to come back")
    finally:
        source.stop()
    assert len(sink.errors) == 1, "one loss is reported once, however many retries fail"


@pytest.mark.timeout(30)
def test_stop_is_idempotent_and_final(clip: MediaFile) -> None:
    sink = RecordingSink()
    source = CameraSource(str(clip.path))
    source.start(SessionClock(), sink)
    source.stop()
    delivered = len(sink.events)
    source.stop()
    time.sleep(0.2)
    assert len(sink.events) == delivered
    assert not camera_threads()


@pytest.mark.timeout(60)
def test_a_black_picture_is_flagged_by_the_input_check(tmp_path: Path) -> None:
    """A lens cover is not a device fault: the camera delivers, and InputCheck (which watches every
    video source) says the picture is dark."""
    black = write_media(tmp_path / "cover.mp4", seconds=2.0, fps=25, audio=False, black=True)
    changes: list[tuple[str, bool]] = []
    check = InputCheck(lambda c, on: changes.append((c, on)), InputThresholds(hold_s=0.5))

    class Sink(RecordingSink):
        def video_frame(self, frame: VideoFrame) -> None:
            super().video_frame(frame)
            check.video_frame(frame)

    source = CameraSource(str(black.path))
    source.start(SessionClock(), Sink())
    try:
        wait_until(lambda: ("dark", True) in changes, 10, "the dark picture warning")
    finally:
        source.stop()
