"""The session folder: segments, events.jsonl and session.json, a crash, a bad disk, retention."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.model.events import (
    ConnectionChanged,
    ResultReceived,
    SegmentClosed,
    SegmentCompleted,
    SessionSummary,
    event_json,
)
from app.model.versions import LibraryVersions
from app.model.wire_v0 import EngagementWindow, Signal
from app.runtime.versions import library_versions
from app.session.config import SessionConfig
from app.session.manifest import SessionManifest, build_manifest, without_secrets
from app.session.recorder import SessionRecorder
from app.session.recording_folder import (
    EVENTS_FILE,
    MANIFEST_FILE,
    default_session_folder,
    holds_recording,
    read_events,
    segment_path,
)
from app.session.retention import prune_sessions
from capture.media import Segment

pytestmark = pytest.mark.timeout(60)
WALL = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)

VERSIONS = LibraryVersions(
    python="3.11", pyside6="6", qt="6", pyav="18", ffmpeg="8", opencv="4", websockets="17"
)


def manifest(session_id: str = "0f9e8d7c-1111", started: datetime | None = None) -> SessionManifest:
    return SessionManifest(
        session_id=session_id,
        source="synthetic",
        server_url="ws://127.0.0.1:9/v0/stream/analyze",
        settings={"segment_s": 4.0},
        versions=VERSIONS,
        started_at=started or datetime.now(UTC),
    )


def segment(index: int, size: int = 20_000) -> Segment:
    data = bytes([index % 251]) * size
    return Segment(index, 4.0 * index, 4.0 * (index + 1), data, video_frames=120, audio_samples=192_000)


def some_events() -> list:  # type: ignore[type-arg]
    """The same events every time, wall clock included, so a child process can make them too."""
    return [
        ConnectionChanged(t=0.0, wall=WALL, connection=1, state="connecting"),
        SegmentClosed(
            t=4.1, wall=WALL, index=0, t0=0.0, t1=4.0, bytes=20_000, video_frames=120, audio_samples=192_000
        ),
        ResultReceived(
            t=5.0,
            wall=WALL,
            index=0,
            t0=0.0,
            t1=4.0,
            engagement=[EngagementWindow(start=0.0, end=4.0, state="engaged")],
            signals=[Signal(type="interest", start=1.0, end=2.0, probability="high", rationale="r")],
        ),
        SegmentCompleted(t=5.1, wall=WALL, index=0, latency_s=0.9),
    ]


def test_a_session_folder_holds_segments_events_and_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "20240101-120000-0f9e8d7c"
    recorder = SessionRecorder(folder, manifest())
    recorder.open()
    events = some_events()
    for event in events:
        recorder.record(event)
    recorder.write_segment(segment(0))
    recorder.write_segment(segment(1))
    summary = SessionSummary(t=9.0, closed=2, sent=2, completed=1, errored=0, skipped=0, reconnects=0)
    recorder.close(summary)
    recorder.close(summary)  # idempotent

    assert sorted(p.name for p in (folder / "segments").iterdir()) == ["000000.webm", "000001.webm"]
    assert segment_path(folder, 1).read_bytes() == segment(1).data
    lines = (folder / EVENTS_FILE).read_text().splitlines()
    assert lines == [event_json(e) for e in events]
    assert read_events(folder).events == events
    saved = SessionManifest.model_validate_json((folder / MANIFEST_FILE).read_text())
    assert saved.session_id == "0f9e8d7c-1111" and saved.summary == summary
    assert saved.ended_at is not None and saved.ended_at >= saved.started_at
    assert not list(folder.rglob("*.part"))
    assert recorder.problem is None and recorder.dropped == 0
    assert not any(t.name == "session-recorder" for t in threading.enumerate())


def test_the_manifest_names_versions_and_keeps_no_secrets() -> None:
    config = SessionConfig(include=("conversation_quality_overall",))
    versions = library_versions()
    built = build_manifest("abc", config, "wss://api.interhuman.ai/v0/stream/analyze", versions)
    assert built.versions == versions
    assert built.settings["include"] == ["conversation_quality_overall"]
    assert built.settings["segment_s"] == 4.0
    assert built.source.startswith("camera:0 + microphone")
    assert versions.python.startswith("3.") and versions.ffmpeg[0].isdigit() and versions.qt.startswith("6.")
    assert built.settings["credential_in_subprotocol"] is False
    settings = {
        "api_key": "k",
        "url": "u",
        "auth": {"Token": "t", "scheme": "Bearer"},
        "keyring_backend": "x",
    }
    assert without_secrets(settings) == {"url": "u", "auth": {"scheme": "Bearer"}, "keyring_backend": "x"}


def test_a_crash_loses_no_event_already_recorded(tmp_path: Path) -> None:
    folder = tmp_path / "session"
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_recorder import manifest, segment, some_events
        from app.session.recorder import SessionRecorder
        from pathlib import Path
        recorder = SessionRecorder(Path({str(folder)!r}), manifest())
        recorder.open()
        for event in some_events():
            recorder.record(event)
        recorder.write_segment(segment(0))
        assert recorder.wait_idle(10)
        os._exit(9)  # no close, no interpreter shutdown, no buffer flushing
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[2], timeout=60)
    assert result.returncode == 9
    assert read_events(folder).events == some_events()
    assert segment_path(folder, 0).read_bytes() == segment(0).data
    assert SessionManifest.model_validate_json((folder / MANIFEST_FILE).read_text()).ended_at is None


def test_an_unwritable_folder_warns_once_and_streaming_goes_on(tmp_path: Path, caplog) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the recording folder should go")
    problems: list[str] = []
    recorder = SessionRecorder(blocker / "session", manifest(), on_problem=problems.append)
    recorder.open()
    for event in some_events():
        recorder.record(event)
    recorder.write_segment(segment(0))
    assert recorder.wait_idle(10)
    recorder.write_segment(segment(1))
    recorder.close(None)
    assert len(problems) == 1
    assert problems[0].startswith(f"Cannot write the recording to {blocker / 'session'}")
    assert "streaming goes on" in problems[0]
    assert recorder.dropped == 6  # 4 events and 2 segments
    assert sum("Cannot write the recording" in r.getMessage() for r in caplog.records) == 1


def test_an_earlier_recording_is_never_mixed_with_a_new_one(tmp_path: Path) -> None:
    first = SessionRecorder(tmp_path, manifest("first"))
    first.open()
    first.record(some_events()[0])
    first.close(None)
    assert holds_recording(tmp_path)
    problems: list[str] = []
    second = SessionRecorder(tmp_path, manifest("second"), on_problem=problems.append)
    second.open()
    second.record(some_events()[1])
    second.close(None)
    assert problems and "already holds a recording" in problems[0]
    assert read_events(tmp_path).events == some_events()[:1]
    assert SessionManifest.model_validate_json((tmp_path / MANIFEST_FILE).read_text()).session_id == "first"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full to fake a full disk")
def test_a_full_disk_stops_the_recording_with_a_clear_message(tmp_path: Path) -> None:
    folder = tmp_path / "session"
    folder.mkdir()
    (folder / EVENTS_FILE).symlink_to("/dev/full")  # every write fails with ENOSPC
    problems: list[str] = []
    recorder = SessionRecorder(folder, manifest(), on_problem=problems.append)
    recorder.open()
    recorder.record(some_events()[0])
    recorder.record(some_events()[1])
    recorder.close(None)
    assert problems == ["The disk is full, so recording stopped; streaming goes on. Free some space."]
    assert recorder.dropped == 1


def test_corrupt_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    events = some_events()
    lines = [
        event_json(events[0]),
        "not an event",
        json.dumps({"kind": "nonsense", "t": 1}),
        event_json(events[1]),
    ]
    (tmp_path / EVENTS_FILE).write_text("\n".join(lines) + "\n" + event_json(events[2])[:40])
    log = read_events(tmp_path)
    assert log.events == events[:2]
    assert log.corrupt_lines == 3


def test_default_folder_name(tmp_path: Path) -> None:
    when = datetime(2024, 5, 6, 7, 8, 9).astimezone()
    folder = default_session_folder("1a2b3c4d-5e6f", root=tmp_path, now=when)
    assert folder == tmp_path / "20240506-070809-1a2b3c4d"
    assert default_session_folder("x").parent.name == "sessions"


def test_pruning_removes_only_old_sessions(tmp_path: Path) -> None:
    now = datetime(2024, 6, 30, 12, 0, tzinfo=UTC)

    def session(name: str, started: datetime | None = None, *, mtime: datetime | None = None) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        if started is not None:
            (folder / MANIFEST_FILE).write_text(manifest(started=started).model_dump_json())
        else:
            (folder / EVENTS_FILE).write_text("")
        if mtime is not None:
            stamp = mtime.timestamp()
            for path in folder.iterdir():
                os.utime(path, (stamp, stamp))
        return folder

    old = session("20240601-100000-aaaaaaaa", now - timedelta(days=29))
    recent = session("20240625-100000-bbbbbbbb", now - timedelta(days=5))
    old_without_manifest = session("20240602-100000-cccccccc", mtime=now - timedelta(days=28))
    lookalike = tmp_path / "my-notes"
    lookalike.mkdir()
    (lookalike / EVENTS_FILE).write_text("")
    os.utime(lookalike / EVENTS_FILE, (0, 0))

    assert prune_sessions(tmp_path, keep_days=7, now=now) == 2
    assert not old.exists() and not old_without_manifest.exists()
    assert recent.exists() and lookalike.exists()
    assert prune_sessions(tmp_path / "missing", keep_days=7) == 0
    with pytest.raises(ValueError):
        prune_sessions(tmp_path, keep_days=0)
