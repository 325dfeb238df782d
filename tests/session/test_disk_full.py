"""A disk filling up during a session: a warning minutes ahead, then recording stops before the disk
is full with every segment on it whole, and the session and its streaming go on. On a real, small
tmpfs (mounting needs root, as CI has; elsewhere the test says why it skips)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from support.stream_helpers import REPO, UserHome

from app.model.events import CaptureProblem, SegmentClosed, SegmentSent, SessionSummary, parse_event
from app.session.disk_watch import RESERVE_MIN_BYTES
from app.session.manifest import SessionManifest

pytestmark = pytest.mark.timeout(180)

DISK_MB = 20
ROOM_BYTES = 2_200_000
"""Free space beyond the reserve when the session starts: about four 4-second segments."""


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 20 MB tmpfs, nearly full: a ballast file leaves the reserve and `ROOM_BYTES` free."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root on Linux (CI runs as root)")
    mount = tmp_path / "disk"
    mount.mkdir()
    command = ["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(mount)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        ballast = shutil.disk_usage(mount).free - RESERVE_MIN_BYTES - ROOM_BYTES
        with open(mount / "ballast", "wb") as out:
            for _ in range(ballast // (1 << 20)):
                out.write(bytes(1 << 20))
            out.write(bytes(ballast % (1 << 20)))
        yield mount
    finally:
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def decoded_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def test_recording_stops_before_the_disk_is_full_and_the_session_goes_on(
    small_disk: Path, tmp_path: Path
) -> None:
    home = UserHome(tmp_path / "home")
    recording, events_file = small_disk / "session", tmp_path / "events.jsonl"
    done = subprocess.run(
        [
            sys.executable, "-m", "app", "stream", "--source", "synthetic", "--duration", "36",
            "--record-dir", str(recording), "--events", str(events_file),
        ],
        cwd=REPO, env=home.env(), capture_output=True, text=True, timeout=150,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    events = [parse_event(line) for line in events_file.read_text().splitlines()]

    warnings = [e for e in events if isinstance(e, CaptureProblem) and e.source == "recording"]
    texts = [w.message for w in warnings]
    assert texts[0].startswith("Disk full in about 1 min: recording stops before then"), texts
    assert texts[1].startswith("The disk is almost full, so recording stopped"), texts
    stopped_at = warnings[1].t
    assert warnings[0].t < stopped_at

    closed = [e for e in events if isinstance(e, SegmentClosed)]
    on_disk = sorted((recording / "segments").iterdir())
    assert not [p for p in on_disk if p.suffix != ".webm"], "no partial segment is left behind"
    assert 2 <= len(on_disk) < len(closed), "recording stopped part-way"
    assert [p.name for p in on_disk] == [f"{e.index:06d}.webm" for e in closed[: len(on_disk)]]
    for path, event in zip(on_disk, closed, strict=False):
        assert path.stat().st_size == event.bytes
        assert decoded_frames(path) == event.video_frames, f"{path.name} is whole"
    assert shutil.disk_usage(small_disk).free > 0

    sent_after = [e for e in events if isinstance(e, SegmentSent) and e.t > stopped_at]
    assert len(sent_after) >= 2, "streaming went on after recording stopped"
    (summary,) = [e for e in events if isinstance(e, SessionSummary)]
    assert summary.completed == summary.sent == len(closed)
    # The events and session.json on the nearly full disk are complete, from the reserve.
    recorded = [parse_event(line) for line in (recording / "events.jsonl").read_text().splitlines()]
    assert [e.kind for e in recorded] == [e.kind for e in events]
    manifest = SessionManifest.model_validate_json((recording / "session.json").read_bytes())
    assert manifest.ended_at is not None and manifest.summary == summary
