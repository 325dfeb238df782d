"""Closing the window during a session: the app drains the session before it quits.

The real app runs as a process (`python -m app --source synthetic --local --start`), offscreen,
with 5 s segments, and `--quit-after` closes its window about 9 s into the session: the segment
in progress (5 s to the close, over the 3 s minimum) is cut by the close, so it can only be
sent after the window went away. The recording must show it sent, answered and completed
before the session's summary, and the process must exit cleanly only after that.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.model.consent import notice_key
from app.model.events import (
    ConnectionChanged,
    ResultReceived,
    SegmentClosed,
    SegmentCompleted,
    SegmentSent,
    SessionEvent,
    SessionSummary,
    parse_event,
    wall_now,
)
from app.model.view_state import SYNTHETIC_CAMERA_ID
from app.session.config import LOCAL
from app.store.settings import Settings, save_settings
from capture.encoder_config import MIN_SEGMENT_S

pytestmark = pytest.mark.timeout(120)

SEGMENT_S = 5.0
CLOSE_AFTER_S = 9.0
"""Inside the second segment and past its first 3 s: the close cuts a segment that must still go out."""


def run_app_until_closed(*arguments: str) -> subprocess.CompletedProcess[str]:
    """The app as a user starts it; the test's isolated XDG folders and null keyring are inherited."""
    return subprocess.run(
        [sys.executable, "-m", "app", *arguments],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_closing_the_window_drains_the_session_before_the_app_quits(tmp_path: Path) -> None:
    recordings = tmp_path / "recordings"
    save_settings(
        Settings(
            backend="local",
            api_version="v0",  # the segment cut by the close must still go out (v1: test_stream_v1.py)
            camera=SYNTHETIC_CAMERA_ID,
            segment_length_s=SEGMENT_S,
            recording_folder=recordings,
            retention_days=0,
            consents={notice_key("local", LOCAL, screen=False): wall_now()},  # agreed to before
        )
    )
    done = run_app_until_closed(
        "--source", "synthetic", "--local", "--start", "--quit-after", f"{CLOSE_AFTER_S}"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    (folder,) = recordings.iterdir()
    events: list[SessionEvent] = [
        parse_event(line) for line in (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()
    ]

    closed = [e for e in events if isinstance(e, SegmentClosed)]
    assert [e.index for e in closed] == [0, 1]
    cut = closed[-1]
    assert MIN_SEGMENT_S <= cut.t1 - cut.t0 < SEGMENT_S - 0.5, "the last segment was cut short by the close"

    def position(kind: type[SessionEvent], index: int | None = None) -> int:
        found = [
            i for i, e in enumerate(events) if isinstance(e, kind) and getattr(e, "index", None) == index
        ]
        assert len(found) == 1, f"one {kind.__name__} for segment {index}, found {len(found)}"
        return found[0]

    sent = position(SegmentSent, cut.index)
    answered = position(ResultReceived, cut.index)
    completed = position(SegmentCompleted, cut.index)
    summary_at = position(SessionSummary)
    assert position(SegmentClosed, cut.index) < sent < answered < completed < summary_at
    goodbye = [i for i, e in enumerate(events) if isinstance(e, ConnectionChanged) and e.state == "closed"]
    assert goodbye and completed < goodbye[0], "the connection closed only after the last answer"
    summary = events[summary_at]
    assert isinstance(summary, SessionSummary)
    assert summary.sent == summary.completed == 2 and summary.errored == 0 and summary.skipped == 0
    assert sorted(p.name for p in (folder / "segments").iterdir()) == ["000000.webm", "000001.webm"]
