"""Reading a session folder back: a whole one, one recorded by 0.1.0, and ones broken by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.session_folders import (
    OLD_SESSION,
    add_newer_events,
    empty_session,
    end_unexpectedly,
    remove_segment,
    snapshot,
    spoil_segment,
    tear_last_line,
)

from app.review.session_folder import NotASessionFolder, open_session


def test_a_recorded_session_reads_whole(session: Path) -> None:
    before = snapshot(session)
    folder = open_session(session)
    review = folder.review
    assert folder.notes == [] and not folder.ended_unexpectedly
    assert folder.backend == "Local analysis" and folder.api_version == "v0"
    assert review.length_s == pytest.approx(16.0, abs=0.1)
    assert review.delivery.counts.completed == 4 == len(folder.segments)
    # every analysed second is in exactly one engagement state, and the states add up
    assert review.state_time.analysed_s == pytest.approx(16.0, abs=0.1)
    assert review.signal_stats and all(stat.examples for stat in review.signal_stats)
    assert review.quality_overall is not None and len(review.quality_series) == 4
    assert [row.segment for row in review.signals] == sorted(row.segment for row in review.signals)
    assert review.gaps == []
    assert snapshot(session) == before, "reading must not write"


def test_a_folder_recorded_by_0_1_0_reads() -> None:
    folder = open_session(OLD_SESSION)
    review = folder.review
    assert folder.notes == [] and folder.title.startswith("Session of ")
    assert review.length_s == pytest.approx(7.0)
    assert [gap.kind for gap in review.gaps] == ["unsent"]
    assert "too short to send" in review.gaps[0].reason


def test_a_torn_last_line_is_left_out_and_named(session: Path) -> None:
    tear_last_line(session)
    folder = open_session(session)
    assert folder.events.torn_last_line and folder.ended_unexpectedly
    assert folder.notes == ["The last line of the events was cut off mid-way; it is left out."]
    assert folder.review.delivery.counts.completed == 4


def test_a_crashed_session_lists_what_it_has(session: Path) -> None:
    end_unexpectedly(session)
    folder = open_session(session)
    assert folder.ended_unexpectedly
    assert any("half-written" in note for note in folder.notes)
    assert any("no end time" in note for note in folder.notes)
    gaps = folder.review.gaps
    assert [(gap.kind, gap.index, gap.reason) for gap in gaps] == [
        ("missing_media", 3, "segment file missing")
    ]


def test_events_of_a_newer_format_are_counted_not_fatal(session: Path) -> None:
    add_newer_events(session)
    folder = open_session(session)
    assert folder.events.unknown_kinds == {"coverage_dropped": 1, "feedback": 1}
    assert any("newer version (format 99)" in note for note in folder.notes)
    assert any("2 event(s) of kinds this version does not know (coverage_dropped, feedback)" in note
               for note in folder.notes)  # fmt: skip
    assert folder.review.delivery.counts.completed == 4


def test_missing_and_unreadable_segments_are_gaps(session: Path) -> None:
    remove_segment(session, 1)
    spoil_segment(session, 2)
    gaps = open_session(session).review.gaps
    assert [(g.index, g.reason, g.start, g.end) for g in gaps] == [
        (1, "segment file missing", 4.0, 8.0),
        (2, "segment file unreadable", 8.0, 12.0),
    ]


def test_an_empty_session(tmp_path: Path) -> None:
    folder = open_session(empty_session(tmp_path / "20261201-090000-empty"))
    review = folder.review
    assert review.length_s == 0 and review.signals == [] and review.gaps == []
    assert review.state_time.share("engaged") is None
    assert folder.notes == [] and not folder.ended_unexpectedly


def test_a_folder_without_a_recording_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(NotASessionFolder, match="is not a session folder"):
        open_session(tmp_path)
    with pytest.raises(NotASessionFolder, match="is not a folder"):
        open_session(tmp_path / "notes.txt")


def test_an_unreadable_manifest_still_shows_the_results(session: Path) -> None:
    (session / "session.json").write_text("{ not json", encoding="utf-8")
    folder = open_session(session)
    assert folder.ended_unexpectedly
    assert folder.notes[0] == "session.json cannot be read: the session's settings are unknown."
    assert folder.review.delivery.counts.completed == 4
    assert folder.title.startswith("Session of ")
