"""A session that never dies: the camera unplugged and plugged back, and the computer asleep (the
session clock jumps), in a real session (the camera's own read loop on a video file, the real
encoder, recorder and local analyzer). Each time the session goes on, the gap is marked, and the
segments on disk stay whole and contiguous on either side of it."""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import av
import pytest
import pytest_asyncio
from support.media_files import MediaFile, write_media

import app.session.capture_pipeline as pipeline
from app.model.events import (
    CaptureProblem,
    MediaGap,
    SegmentClosed,
    SegmentCompleted,
    SessionEvent,
)
from app.model.source_spec import CaptureFormat, MicSpec, SourceSpec
from app.runtime.versions import library_versions
from app.session.config import LOCAL, SessionConfig
from app.session.controller import SessionController
from capture.camera import CameraSource

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]

E = TypeVar("E", bound=SessionEvent)
SEGMENT_S = 3.0


@dataclass
class Run:
    session: SessionController
    folder: Path
    events: list[SessionEvent] = field(default_factory=list)

    def of(self, kind: type[E]) -> list[E]:
        return [event for event in self.events if isinstance(event, kind)]

    async def until(self, check: Callable[[], bool], timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"waited {timeout_s:g} s for {what}; events: {[e.kind for e in self.events]}"
                )
            await asyncio.sleep(0.05)


@pytest.fixture
def clip(tmp_path: Path, request: pytest.FixtureRequest) -> MediaFile:
    """The camera's picture: `request.param` seconds of it (60 unless a test says), after which the
    read loop sees what an unplugged camera gives, reads that fail."""
    seconds = getattr(request, "param", 60)
    return write_media(tmp_path / "camera.mp4", seconds=seconds, fps=15, audio=False)


@pytest_asyncio.fixture
async def camera_session(
    clip: MediaFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Run]:
    """A session whose "camera" is `CameraSource` reading `clip`, as it reads a real camera."""
    monkeypatch.setattr(
        pipeline, "build_video_source", lambda *_args, **_kw: CameraSource(str(clip.path), 320, 240, 15)
    )
    config = SessionConfig(
        source=SourceSpec("camera"),
        microphone=MicSpec(None, enabled=False),
        capture=CaptureFormat(320, 240, 15.0),
        segment_s=SEGMENT_S,
        url=LOCAL,
        record_dir=tmp_path / "recording",
    )
    session = SessionController(config, credential=None, versions=library_versions())
    run = Run(session, tmp_path / "recording")
    session.add_listener(run.events.append)
    await session.start()
    try:
        yield run
    finally:
        await session.stop()


def analysed_from(run: Run, t: float) -> bool:
    """Whether a segment starting at or after session time `t` has been analysed."""
    done = {e.index for e in run.of(SegmentCompleted)}
    return any(e.t0 >= t and e.index in done for e in run.of(SegmentClosed))


def segment_holes_all_marked(run: Run) -> int:
    """Every segment on disk decodes whole, and each follows the one before it or a marked gap;
    returns how many marked gaps cost whole segments."""
    closed = sorted(run.of(SegmentClosed), key=lambda e: e.index)
    files = sorted((run.folder / "segments").iterdir())
    assert [p.name for p in files] == [f"{e.index:06d}.webm" for e in closed]
    for path, segment in zip(files, closed, strict=True):
        with av.open(str(path)) as container:
            assert sum(1 for _ in container.decode(video=0)) == segment.video_frames, f"{path.name} whole"
    gaps = [(g.t0, g.t1) for g in run.of(MediaGap) if g.source == "video"]
    holes = 0
    for before, after in itertools.pairwise(closed):
        if after.t0 == pytest.approx(before.t1, abs=1e-6):
            continue
        holes += 1
        assert any(t0 <= before.t1 + 1e-6 and t1 >= after.t0 - 1e-6 for t0, t1 in gaps), (
            f"segments {before.index} and {after.index} leave {before.t1:.2f}–{after.t0:.2f} s unmarked"
        )
    return holes


@pytest.mark.parametrize("clip", [10], indirect=True)
async def test_an_unplugged_camera_marks_a_gap_and_the_session_goes_on(
    camera_session: Run, clip: MediaFile
) -> None:
    run = camera_session
    await run.until(lambda: len(run.of(SegmentClosed)) >= 2, 30, "two segments")
    # Away before its picture ends: the camera cannot be opened again until it is put back.
    unplugged = clip.path.with_name("unplugged.mp4")
    clip.path.rename(unplugged)
    await run.until(
        lambda: any(e.source == "camera" and e.level == "error" for e in run.of(CaptureProblem)),
        15,
        "the loss",
    )
    await asyncio.sleep(5.0)
    unplugged.rename(clip.path)
    await run.until(lambda: bool(run.of(MediaGap)), 15, "the camera to come back")
    (gap,) = run.of(MediaGap)
    await run.until(lambda: analysed_from(run, gap.t1), 30, "a result after the gap")
    await run.session.stop()

    assert gap.source == "video" and gap.t1 - gap.t0 > 5.0
    assert [(s.start, s.end) for s in run.session.timeline.snapshot(gap.t1).picture_gaps] == [
        (gap.t0, gap.t1)
    ]
    back = [e for e in run.of(CaptureProblem) if e.source == "camera" and e.level == "info"]
    assert back and back[0].message == "The camera is back."
    assert run.session.end_reason == "stopped"
    assert segment_holes_all_marked(run) == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's boot-time clock")
async def test_a_suspend_marks_a_gap_and_the_session_goes_on(
    camera_session: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = camera_session
    await run.until(lambda: len(run.of(SegmentClosed)) >= 2, 30, "two segments")
    asleep_at = run.session.clock.now()
    # Waking from a suspend, as Linux shows it: the boot-time clock has counted 30 s more, the
    # monotonic clock has not (it stops while suspended), so session time must follow the former.
    read_clock = time.clock_gettime
    monkeypatch.setattr(
        time,
        "clock_gettime",
        lambda which: read_clock(which) + (30.0 if which == time.CLOCK_BOOTTIME else 0.0),
    )
    await run.until(lambda: analysed_from(run, asleep_at + 30), 30, "a segment after the jump analysed")
    await run.session.stop()

    (gap,) = run.of(MediaGap)
    assert gap.source == "video" and gap.t1 - gap.t0 == pytest.approx(30.0, abs=1.0)
    assert gap.t0 == pytest.approx(asleep_at, abs=1.0)
    assert run.session.end_reason == "stopped"
    assert segment_holes_all_marked(run) == 1
