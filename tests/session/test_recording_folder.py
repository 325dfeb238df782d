"""A session folder written by an earlier version still loads: its events, its manifest, its segments.

`tests/data/session-0.1.0/` was recorded by `interhuman-live stream --source synthetic --local`
as it stood before the app's code moved into rooms (0.1.0, v0 protocol): the `kind` values it holds
are the ones every later version must keep reading.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import av

from app.model.events import ResultReceived, SegmentCompleted, SessionSummary
from app.model.timeline import SessionTimeline
from app.session.manifest import SessionManifest
from app.session.recording_folder import MANIFEST_FILE, read_events, segment_path

RECORDED = Path(__file__).resolve().parents[1] / "data" / "session-0.1.0"


def test_every_event_of_a_folder_recorded_by_0_1_0_loads() -> None:
    log = read_events(RECORDED)
    assert log.corrupt_lines == 0
    kinds = Counter(event.kind for event in log.events)
    assert kinds["segment_closed"] == kinds["segment_sent"] == kinds["result"] == 2
    assert kinds["segment_completed"] == 2 and kinds["server_message"] == 6
    assert kinds["connection"] == 3 and kinds["summary"] == 1


def test_its_timeline_and_manifest_read_as_they_did() -> None:
    events = read_events(RECORDED).events
    timeline = SessionTimeline()
    for event in events:
        timeline.apply(event)
    assert [r.index for r in timeline.results] == [0, 1]
    assert timeline.counts.completed == 2 and timeline.counts.errored == 0
    snapshot = timeline.snapshot(7.0)
    assert snapshot.engagement_history and snapshot.engagement_history[-1].end == 6.0
    assert snapshot.quality_overall is not None
    results = [e for e in events if isinstance(e, ResultReceived)]
    assert results[1].t0 == 3.0 and results[1].t1 == 6.0
    assert all(isinstance(e, SegmentCompleted) for e in events if e.kind == "segment_completed")
    summary = next(e for e in events if isinstance(e, SessionSummary))
    manifest = SessionManifest.model_validate_json((RECORDED / MANIFEST_FILE).read_bytes())
    assert manifest.format == 1 and manifest.app_version == "0.1.0"
    assert manifest.summary == summary and manifest.ended_at is not None
    assert manifest.versions.pyav and manifest.server_url == "local"


def test_its_segments_decode() -> None:
    for index in (0, 1):
        with av.open(str(segment_path(RECORDED, index))) as container:
            assert sum(1 for _ in container.decode(video=0)) == 45
