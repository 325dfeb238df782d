"""Session folders for the review tests: recorded by the real synthetic pipeline, then broken by hand.

`record_session` runs `interhuman-live stream --source synthetic --local --fast` in a subprocess with
an isolated home, so the folder is exactly what a user's session leaves. The `break_*` helpers each
damage a copy the way a crash, a newer version or a hand edit would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from support.stream_helpers import REPO, UserHome

OLD_SESSION = REPO / "tests" / "data" / "session-0.1.0"
"""A real folder recorded by 0.1.0 (tests/session/test_recording_folder.py)."""


def record_session(folder: Path, home: UserHome, *, duration_s: float = 16.0, segment_s: float = 4.0) -> Path:
    """A real session of the synthetic source analysed by Local analysis, recorded into `folder`."""
    command = [
        sys.executable, "-m", "app", "stream", "--source", "synthetic", "--local", "--fast",
        "--duration", str(duration_s), "--segment-seconds", str(segment_s), "--resolution", "320x240",
        "--fps", "15", "--include", "conversation_quality_overall", "--include",
        "conversation_quality_timeline", "--record-dir", str(folder), "-q",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, env=home.env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"recording failed ({done.returncode}):\n{done.stderr}"
    return folder


def copy_session(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("recording.webm*", "report.*"))
    return target


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` with its size and modification time, to prove what was (not) written."""
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def set_started(folder: Path, when: datetime, title: str | None = None) -> None:
    manifest = folder / "session.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["started_at"] = when.isoformat()
    data["ended_at"] = (when + timedelta(minutes=1)).isoformat()
    if title is not None:
        data["title"] = title
    manifest.write_text(json.dumps(data, indent=2), encoding="utf-8")


def tear_last_line(folder: Path) -> None:
    """A crash in the middle of writing an event: the last line stops half-way."""
    events = folder / "events.jsonl"
    text = events.read_text(encoding="utf-8")
    events.write_text(text + text.splitlines()[-3][:57], encoding="utf-8")


def end_unexpectedly(folder: Path) -> None:
    """What a killed process leaves: no end time or summary, the last segment still `.part`."""
    manifest = folder / "session.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["ended_at"] = None
    data["summary"] = None
    manifest.write_text(json.dumps(data, indent=2), encoding="utf-8")
    lines = (folder / "events.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if '"kind":"summary"' not in line]
    (folder / "events.jsonl").write_text("".join(kept), encoding="utf-8")
    last = sorted((folder / "segments").glob("*.webm"))[-1]
    last.rename(last.with_suffix(".webm.part"))


def add_newer_events(folder: Path) -> None:
    """Lines a newer version would write: a kind unknown here, and a format number above ours."""
    manifest = folder / "session.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["format"] = 99
    data["delivery_profile"] = {"kept": True}
    manifest.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with open(folder / "events.jsonl", "a", encoding="utf-8") as events:
        events.write(json.dumps({"t": 5.0, "wall": datetime.now(UTC).isoformat(), "kind": "coverage_dropped",
                                 "ranges": [{"start": 2.0, "end": 3.0}]}) + "\n")  # fmt: skip
        events.write(json.dumps({"t": 5.1, "wall": datetime.now(UTC).isoformat(), "kind": "feedback",
                                 "text": "Slow down."}) + "\n")  # fmt: skip


def remove_segment(folder: Path, index: int) -> None:
    (folder / "segments" / f"{index:06d}.webm").unlink()


def spoil_segment(folder: Path, index: int) -> None:
    """A segment file whose bytes are not a WebM at all (a disk error, a bad copy)."""
    path = folder / "segments" / f"{index:06d}.webm"
    path.write_bytes(os.urandom(path.stat().st_size))


def truncate_segment(folder: Path, index: int) -> None:
    """A segment cut off after its header: it opens but cannot be demuxed to its end."""
    path = folder / "segments" / f"{index:06d}.webm"
    path.write_bytes(path.read_bytes()[:600])


def empty_session(folder: Path) -> Path:
    """A session stopped before anything was captured: its manifest and an empty events file."""
    (folder / "segments").mkdir(parents=True)
    manifest = json.loads((OLD_SESSION / "session.json").read_text(encoding="utf-8"))
    manifest.update(summary=None, session_id="empty-session")
    (folder / "session.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "events.jsonl").write_text("", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """16 s of the synthetic source through Local analysis, 4 s segments, recorded once per run
    (read-only: tests take a copy with the `session` fixture)."""
    base = tmp_path_factory.mktemp("recorded")
    home = UserHome(base / "home")
    (home.root / "runtime").mkdir(parents=True, mode=0o700)
    return record_session(base / "20261201-081500-synthet1", home)


@pytest.fixture
def session(recorded: Path, tmp_path: Path) -> Path:
    """A copy of the recorded session, the test's to change."""
    return copy_session(recorded, tmp_path / "sessions" / recorded.name)
