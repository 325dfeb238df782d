"""The library's listing: every session folder under the root, newest first, torn ones marked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.session_folders import OLD_SESSION, copy_session, end_unexpectedly, set_started, snapshot

from app.model.library import progress_series
from app.review.folder_actions import FolderActionFailed, delete_session, rename_session
from app.review.listing import ListingCache, entry_for, list_sessions
from app.review.session_folder import NotASessionFolder, open_session


@pytest.fixture
def root(recorded: Path, tmp_path: Path) -> Path:
    root = tmp_path / "sessions"
    for day, title in ((3, "Third rehearsal"), (1, None), (2, "Second")):
        folder = copy_session(recorded, root / f"2026120{day}-100000-abcd000{day}")
        set_started(folder, datetime(2026, 12, day, 10, 0, tzinfo=UTC), title)
    copy_session(OLD_SESSION, root / "20261130-080000-old")
    (root / "not-a-session").mkdir()
    (root / "not-a-session" / "notes.txt").write_text("x")
    (root / "stray.txt").write_text("x")
    return root


def test_sessions_are_listed_newest_first_with_their_figures(root: Path, tmp_path: Path) -> None:
    before = snapshot(root)
    entries = list_sessions(root, ListingCache.load(tmp_path / "cache.json"))
    names = ["20261203-100000-abcd0003", "20261202-100000-abcd0002", "20261201-100000-abcd0001"]
    assert [e.name for e in entries] == [*names, "20261130-080000-old"]
    newest = entries[0]
    assert newest.title == "Third rehearsal" and entries[2].title.startswith("Session of ")
    assert newest.length_s == pytest.approx(16.0, abs=0.1)
    assert (newest.sent, newest.completed, newest.failed) == (4, 4, 0)
    assert newest.backend == "Local analysis" and newest.api_version == "v0"
    assert newest.engaged_share is not None and newest.quality_index is not None
    assert not any(e.ended_unexpectedly for e in entries)
    assert snapshot(root) == before, "listing must not write into the sessions"


def test_a_crashed_session_is_listed_and_marked(root: Path, tmp_path: Path) -> None:
    end_unexpectedly(root / "20261202-100000-abcd0002")
    entries = {e.name: e for e in list_sessions(root, ListingCache(None))}
    crashed = entries["20261202-100000-abcd0002"]
    assert crashed.ended_unexpectedly and crashed.completed == 4
    assert any("half-written" in note for note in crashed.notes)


def test_the_cache_answers_until_a_session_changes(root: Path, tmp_path: Path) -> None:
    cache_file = tmp_path / "cache.json"
    first = list_sessions(root, ListingCache.load(cache_file))
    cached = json.loads(cache_file.read_text())
    assert len(cached["entries"]) == 4
    rename_session(root / "20261201-100000-abcd0001", "  First   go ")
    second = list_sessions(root, ListingCache.load(cache_file))
    assert [e.title for e in second] == ["Third rehearsal", "Second", "First go", first[3].title]
    delete_session(root / "20261130-080000-old", permanently=True)
    assert len(list_sessions(root, ListingCache.load(cache_file))) == 3
    assert len(json.loads(cache_file.read_text())["entries"]) == 3


def test_rename_keeps_every_other_key(session: Path) -> None:
    manifest = session / "session.json"
    data = json.loads(manifest.read_text())
    data["from_a_newer_version"] = {"kept": [1, 2]}
    manifest.write_text(json.dumps(data))
    rename_session(session, "Pitch to the board")
    renamed = json.loads(manifest.read_text())
    assert renamed.pop("title") == "Pitch to the board"
    data.pop("title")
    assert renamed == data
    rename_session(session, "   ")
    assert json.loads(manifest.read_text())["title"] is None


def test_rename_refuses_to_overwrite_an_unreadable_manifest(session: Path) -> None:
    (session / "session.json").write_text("{ torn")
    with pytest.raises(FolderActionFailed, match="nothing was changed"):
        rename_session(session, "x")
    assert (session / "session.json").read_text() == "{ torn"


def test_delete_goes_to_the_trash(session: Path, tmp_path: Path) -> None:
    # The trash of a home of the test's own: the user's real one is never touched.
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    code = "import sys; from pathlib import Path; from app.review.folder_actions import delete_session; "
    code += "print(delete_session(Path(sys.argv[1])))"
    done = subprocess.run([sys.executable, "-c", code, str(session)], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "trash" and not session.exists(), done.stderr
    trashed = home / "data" / "Trash" / "files" / session.name
    assert (trashed / "events.jsonl").exists() and (trashed / "segments" / "000000.webm").exists()
    info = (home / "data" / "Trash" / "info" / f"{session.name}.trashinfo").read_text()
    assert f"Path={session}" in info


def test_actions_refuse_a_folder_that_is_not_a_session(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(NotASessionFolder):
        delete_session(tmp_path, permanently=True)
    with pytest.raises(NotASessionFolder):
        rename_session(tmp_path, "x")
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_progress_runs_oldest_first(root: Path) -> None:
    series = progress_series(list_sessions(root, ListingCache(None)))
    assert series.titles[1:] == [series.titles[1], "Second", "Third rehearsal"]
    assert series.folders[0].endswith("20261130-080000-old")
    assert set(series.quality) == {"quality_index", "clarity", "authority", "energy", "rapport", "learning"}
    assert all(len(values) == 4 for values in series.signals_per_minute.values())
    assert all(v is not None and 0 <= v <= 1 for v in series.engaged_share)


def test_a_finished_session_is_listed_from_its_manifest_with_the_figures_a_replay_gives(
    session: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replayed = entry_for(open_session(session))
    written = json.loads((session / "session.json").read_text())["listing"]
    assert written["completed"] == replayed.completed == 4
    assert written["engaged_share"] == pytest.approx(replayed.engaged_share)

    def no_replay(folder: Path) -> None:
        raise AssertionError(f"{folder} was read whole")

    monkeypatch.setattr("app.review.listing.open_session", no_replay)
    fast = list_sessions(session.parent, ListingCache(None))[0]
    assert fast.model_dump() == replayed.model_dump()
