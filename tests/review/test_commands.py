"""The commands on recorded sessions: sessions, report, export-video and review, in a subprocess each."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import av
import pytest
from support.session_folders import end_unexpectedly, snapshot, tear_last_line
from support.stream_helpers import REPO, UserHome

from app.model.report import REPORT_FORMAT, SessionReport


def command(home: UserHome, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        cwd=REPO, env=home.env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def home(tmp_path: Path) -> UserHome:
    home = UserHome(tmp_path / "home")
    (home.root / "runtime").mkdir(parents=True, mode=0o700)
    return home


def test_sessions_lists_the_root_as_json_and_as_text(session: Path, home: UserHome) -> None:
    tear_last_line(session)
    listed = command(home, "sessions", "--root", session.parent, "--json")
    assert listed.returncode == 0, listed.stderr
    (entry,) = json.loads(listed.stdout)
    assert entry["folder"] == str(session) and entry["ended_unexpectedly"] is True
    assert entry["completed"] == 4 and entry["notes"]
    text = command(home, "sessions", "--root", session.parent)
    assert "[ended unexpectedly]" in text.stdout and str(session) in text.stdout


def test_report_writes_the_three_formats(session: Path, home: UserHome, tmp_path: Path) -> None:
    end_unexpectedly(session)
    before = snapshot(session)
    out = tmp_path / "out"
    out.mkdir()
    done = command(home, "report", session, "--json", out / "r.json", "--csv", out / "r.csv", "--html")
    assert done.returncode == 0, done.stderr
    assert set(snapshot(session)) - set(before) == {"report.html"}, "only the report asked for"
    report = SessionReport.model_validate_json((out / "r.json").read_text())
    assert report.format == REPORT_FORMAT and report.session.ended_unexpectedly
    assert any(gap.reason == "segment file missing" for gap in report.gaps)
    rows = list(csv.reader(io.StringIO((out / "r.csv").read_text())))
    assert rows[0] == ["start", "end", "type", "probability", "rationale", "segment"]
    assert len(rows) - 1 == len(report.signals) > 0
    assert "ended unexpectedly" in (session / "report.html").read_text()
    assert "note: " in done.stderr


def test_export_video_writes_one_webm(session: Path, home: UserHome, tmp_path: Path) -> None:
    out = tmp_path / "talk.webm"
    done = command(home, "export-video", session, out)
    assert done.returncode == 0, done.stderr
    with av.open(str(out)) as container:
        assert 15.9 < float(container.duration or 0) / 1e6 < 16.1
    assert command(home, "export-video", session, tmp_path / "talk.mp4").returncode == 2


@pytest.mark.parametrize("name", ["review", "report", "export-video"])
def test_a_folder_that_is_not_a_session_is_a_usage_error(name: str, home: UserHome, tmp_path: Path) -> None:
    args: list[str | Path] = [name, tmp_path] + ([tmp_path / "x.webm"] if name == "export-video" else [])
    done = command(home, *args)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "not a session folder" in done.stderr


def test_review_opens_the_window_and_quits(session: Path, home: UserHome) -> None:
    done = command(home, "review", session, "--quit-after", "4")
    assert done.returncode == 0, done.stderr
    assert (session / "recording.webm").exists()
