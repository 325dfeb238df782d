"""`FramePacer`: pictures offered at the screen's pace come out at the configured rate and size, a
screen that changes resolution is rescaled, a still screen still gives the rate, and a capture
that stops sending is marked missing until it sends again. The pictures are numpy images behind
the same `Captured` interface Qt's frames have."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtMultimedia import QScreenCapture
from support.media_files import RecordingSink, wait_until

from capture.areas import Area
from capture.frame_pacer import CARD_GREY, FramePacer, WholePicture
from capture.media import DeviceLost, SessionClock
from capture.picture_fit import PictureFit
from capture.screen_capture import MACOS_PERMISSION, ScreenRegion, capture_error_message

FPS = 20.0


class Picture:
    """A captured screen picture held as a BGR image."""

    def __init__(self, image: np.ndarray, screen: Area | None = None) -> None:
        self.image = image
        self.screen = screen or Area(0, 0, image.shape[1], image.shape[0])

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    def picture(self, area: Area) -> np.ndarray:
        return np.ascontiguousarray(self.image[area.y : area.bottom, area.x : area.right])


def screen(width: int, height: int, colour: tuple[int, int, int] = (200, 60, 30)) -> Picture:
    return Picture(np.full((height, width, 3), colour, np.uint8))


def offer_for(pacer: FramePacer, picture: Picture, seconds: float, rate_hz: float = 60.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pacer.offer(picture)
        time.sleep(1 / rate_hz)


Running = tuple[FramePacer, RecordingSink]


@pytest.fixture
def running() -> Iterator[Running]:
    pacer = FramePacer("screen", PictureFit(320, 180), FPS, WholePicture(), stall_s=0.5)
    sink = RecordingSink()
    pacer.start(SessionClock(), sink)
    yield pacer, sink
    pacer.stop()
    assert not any(t.name == "screen-pacer" for t in threading.enumerate())


def test_sixty_pictures_a_second_become_the_configured_rate_at_the_output_size(running: Running) -> None:
    pacer, sink = running
    offer_for(pacer, screen(1920, 1080), 1.5)
    times = np.array([frame.t for frame in sink.frames])
    assert len(times) == pytest.approx(1.5 * FPS, abs=3)
    assert np.median(np.diff(times)) == pytest.approx(1 / FPS, abs=0.005)
    assert {(f.width, f.height) for f in sink.frames} == {(320, 180)}
    assert sink.errors == []


def test_a_resolution_change_is_rescaled_and_a_still_screen_keeps_the_rate(running: Running) -> None:
    pacer, sink = running
    offer_for(pacer, screen(1920, 1080), 0.5)
    pacer.offer(screen(1280, 1024, (30, 200, 60)))  # now 5:4, and then nothing new for a while
    time.sleep(0.4)
    last = sink.frames[-1].image
    assert last.shape == (180, 320, 3)
    # 5:4 in 16:9: black bars left and right, the picture in the middle.
    assert last[:, :40].max() < 8 and last[:, -40:].max() < 8
    assert tuple(last[90, 160]) == (30, 200, 60)
    still = [f for f in sink.frames if f.t > sink.frames[-1].t - 0.3]
    assert len(still) >= 0.3 * FPS - 1, "the same picture again at the rate, not nothing"


def test_a_capture_that_stops_is_marked_missing_until_it_sends_again(running: Running) -> None:
    pacer, sink = running
    offer_for(pacer, screen(640, 360), 0.3)
    wait_until(lambda: bool(sink.errors), 5, "the stall reported")
    assert isinstance(sink.errors[0], DeviceLost)
    assert str(sink.errors[0]) == (
        "The screen capture stopped sending pictures; the session resumes when it is back."
    )
    wait_until(lambda: len(sink.frames) > 20, 5, "frames while missing")
    card = sink.frames[-1].image
    assert np.median(card) == CARD_GREY, "the picture-missing card"
    offer_for(pacer, screen(640, 360), 0.3)
    assert sink.recovered == ["screen"]
    assert tuple(sink.frames[-1].image[90, 160]) == (200, 60, 30)


def test_a_region_follows_a_screen_that_changed_size() -> None:
    region = ScreenRegion(Area(100, 50, 400, 300))
    assert region.area(screen(1920, 1080)) == Area(100, 50, 400, 300)
    # The same screen now captured at twice the pixels (a scale change): the same part of it.
    doubled = Picture(np.zeros((2160, 3840, 3), np.uint8), screen=Area(0, 0, 1920, 1080))
    assert region.area(doubled) == Area(200, 100, 800, 600)
    off = region.area(Picture(np.zeros((40, 80, 3), np.uint8)))
    assert isinstance(off, DeviceLost) and "pick the region again" in str(off)


def test_a_refused_capture_on_macos_says_where_to_allow_it() -> None:
    assert capture_error_message(QScreenCapture.Error.CaptureFailed, "", "darwin") == MACOS_PERMISSION
    assert "System Settings" in MACOS_PERMISSION
    linux = capture_error_message(QScreenCapture.Error.CaptureFailed, "XShm failed", "linux")
    assert linux == "Screen capture failed (XShm failed). Choose another screen or source."
