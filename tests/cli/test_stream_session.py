"""`interhuman-live stream` end to end: synthetic or file source → real encoder → real WebSocket →
the embedded local analyzer → events on stdout/file, progress on stderr, and the recording folder.

The realtime 13 s session runs once per module; each test below checks one side of what it left.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.media_checks import decode_segment
from support.media_files import write_media
from support.stream_helpers import (
    EBML_MAGIC,
    FAKE_KEY,
    PROGRESS_LINE,
    SMALL,
    StreamCommand,
    StreamRun,
    UserHome,
    assert_every_segment_settled,
    assert_in_time_order,
    assert_summary_agrees,
    isolated_command,
    mmss,
    of,
    parse_lines,
    position,
    read_events,
    summary_of,
)

from app.model.events import (
    ConnectionChanged,
    ResultReceived,
    SegmentClosed,
    SegmentCompleted,
    SegmentSent,
    ServerMessageReceived,
    SessionEvent,
)
from app.model.vocabulary import INCLUDE_FLAGS, QUALITY_DIMENSIONS
from app.model.wire_v0 import QualityScores
from app.session.manifest import SessionManifest

WINDOWS = [(0.0, 4.0), (4.0, 8.0), (8.0, 12.0)]
FPS = 30
AUDIO_RATE_HZ = 48_000


@dataclass(frozen=True)
class Session:
    run: StreamRun
    events: list[SessionEvent]
    events_text: str
    record: Path
    home: UserHome


@pytest.fixture(scope="module")
def realtime(tmp_path_factory: pytest.TempPathFactory) -> Session:
    """The issue's session: 13 s of synthetic media at the default (realtime) pace, local analysis,
    both conversation-quality sections, and a key in the environment that must end up nowhere."""
    base = tmp_path_factory.mktemp("realtime")
    record, events_path = base / "recording", base / "events.jsonl"
    with isolated_command(base) as command:
        run = command.run(
            "--source", "synthetic", "--local", "--duration", "13", *SMALL,
            "--include", INCLUDE_FLAGS[0], "--include", INCLUDE_FLAGS[1],
            "--record-dir", str(record), "--events", str(events_path),
            key=FAKE_KEY,
            timeout_s=90,
        )  # fmt: skip
    assert run.returncode == 0, run.describe()
    text = events_path.read_text(encoding="utf-8")
    return Session(run, parse_lines(text), text, record, command.home)


@pytest.mark.timeout(120)
def test_thirteen_seconds_make_three_contiguous_segments_and_an_unsent_tail(realtime: Session) -> None:
    closed = of(realtime.events, SegmentClosed)
    assert [(c.index, c.t0, c.t1) for c in closed] == [(i, *w) for i, w in enumerate(WINDOWS)]
    assert all(c.video_frames == 4 * FPS and c.audio_samples == 4 * AUDIO_RATE_HZ for c in closed)
    assert all(c.dropped_video_frames == c.dropped_audio_chunks == 0 for c in closed)
    # The default pace is realtime: no segment can close before its last instant has been captured.
    assert all(c.t >= c.t1 - 0.01 for c in closed), [(c.t, c.t1) for c in closed]
    assert realtime.run.wall_s >= 13.0
    # The last second was captured but is too short to send: no event speaks of a fourth segment.
    indexes = {getattr(event, "index", None) for event in realtime.events} - {None}
    assert indexes == {0, 1, 2}
    assert re.search(r"last 1\.00 s not sent", realtime.home.log_text())
    assert summary_of(realtime.events).unsent_tail_s == pytest.approx(1.0, abs=0.05)


@pytest.mark.timeout(120)
def test_events_come_in_order(realtime: Session) -> None:
    events = realtime.events
    assert_in_time_order(events)
    changes = of(events, ConnectionChanged)
    assert [(c.connection, c.state) for c in changes] == [(1, "connecting"), (1, "connected"), (1, "closed")]
    correlation = changes[1].correlation_id
    assert correlation and changes[2].correlation_id == correlation
    connected, closed = position(events, ConnectionChanged, state="connected"), len(events) - 2
    assert events[closed] == changes[2], "the connection closes after everything else, before the summary"
    for index, _ in enumerate(WINDOWS):
        steps = [
            position(events, SegmentClosed, index=index),
            position(events, SegmentSent, index=index),
            _server_position(events, "processing", index + 1),
            _server_position(events, "result", index + 1),
            position(events, ResultReceived, index=index),
            _server_position(events, "completed", index + 1),
            position(events, SegmentCompleted, index=index),
        ]
        assert connected < steps[1] and steps == sorted(steps) and steps[-1] < closed, (index, steps)


@pytest.mark.timeout(120)
def test_sent_segments_and_server_messages_match(realtime: Session) -> None:
    events = realtime.events
    closed = {c.index: c for c in of(events, SegmentClosed)}
    sent = of(events, SegmentSent)
    assert [(s.index, s.connection, s.server_segment) for s in sent] == [(0, 1, 1), (1, 1, 2), (2, 1, 3)]
    assert all(s.bytes == closed[s.index].bytes for s in sent)
    correlation = of(events, ConnectionChanged)[1].correlation_id
    messages = of(events, ServerMessageReceived)
    assert {m.connection for m in messages} == {1}
    assert all(m.message["correlation_id"] == correlation for m in messages)
    replies = [(m.message["segment"], m.message["status"]) for m in messages]
    for number in (1, 2, 3):  # answers to different segments may interleave; each in its own order
        assert [status for segment, status in replies if segment == number] == [
            "processing",
            "result",
            "completed",
        ]
    assert len(replies) == 9
    for m in messages:
        if m.message["status"] == "processing":
            assert m.message["bytes"] == closed[m.message["segment"] - 1].bytes


@pytest.mark.timeout(120)
def test_results_are_in_session_time_with_quality(realtime: Session) -> None:
    results = of(realtime.events, ResultReceived)
    assert [(r.index, r.t0, r.t1) for r in results] == [(i, *w) for i, w in enumerate(WINDOWS)]
    replies = {
        m.message["segment"]: m.message
        for m in of(realtime.events, ServerMessageReceived)
        if m.message["status"] == "result"
    }
    for result in results:
        assert result.engagement, f"segment {result.index} has no engagement state"
        assert result.engagement[0].start == result.t0 and result.engagement[-1].end == result.t1
        for before, after in itertools.pairwise(result.engagement):
            assert before.end == after.start, "engagement windows are contiguous"
        for signal in result.signals:
            assert signal.type == signal.type.lower() and signal.probability in ("low", "medium", "high")
            assert result.t0 <= signal.start <= signal.end <= result.t1
        # The analyzer counts from the connection's start, which is the session's: nothing moves.
        reply = replies[result.index + 1]
        assert [w.model_dump() for w in result.engagement] == reply["engagement_state"]
        assert [s.type for s in result.signals] == [s["type"] for s in reply["signals"]]
        assert result.quality is not None and result.quality.overall is not None
        assert [(w.start, w.end) for w in result.quality.timeline] == [(result.t0, result.t1)]
        for scores in (result.quality.overall, result.quality.timeline[0].values):
            _assert_quality_index_is_the_mean(scores)


@pytest.mark.timeout(120)
def test_summary_agrees_with_the_events(realtime: Session) -> None:
    summary = assert_summary_agrees(realtime.events)
    assert (summary.closed, summary.sent, summary.completed) == (3, 3, 3)
    assert (summary.errored, summary.skipped, summary.reconnects, summary.unparsed) == (0, 0, 0, 0)
    assert_every_segment_settled(realtime.events)


@pytest.mark.timeout(120)
def test_recording_folder_holds_segments_events_and_manifest(realtime: Session) -> None:
    record = realtime.record
    closed = of(realtime.events, SegmentClosed)
    files = sorted((record / "segments").iterdir())
    assert [f.name for f in files] == ["000000.webm", "000001.webm", "000002.webm"]
    for segment, path in zip(closed, files, strict=True):
        data = path.read_bytes()
        assert data[:4] == EBML_MAGIC and len(data) == segment.bytes
        decoded = decode_segment(data)
        assert (decoded.video_codec, decoded.audio_codec) == ("vp8", "opus")
        assert (decoded.width, decoded.height) == (320, 240) and decoded.first_packet_keyframe
        assert len(decoded.video_times) == segment.video_frames
        assert decoded.audio_duration_s == pytest.approx(4.0, abs=0.03)
    assert (record / "events.jsonl").read_text(encoding="utf-8") == realtime.events_text

    text = (record / "session.json").read_text(encoding="utf-8")
    manifest = SessionManifest.model_validate_json(text)
    assert FAKE_KEY not in text and "Bearer" not in text
    assert manifest.source == "synthetic" and manifest.server_url == "local"
    assert all(manifest.versions.model_dump().values())
    settings = manifest.settings
    assert settings["include"] == list(INCLUDE_FLAGS) and settings["realtime"] is True
    assert (settings["segment_s"], settings["duration_s"], settings["record_dir"]) == (4.0, 13.0, str(record))
    assert not [name for name in _names(settings) if re.search(r"key|token|secret|password", name)]
    assert manifest.summary == realtime.events[-1]
    assert manifest.ended_at is not None and manifest.started_at < realtime.events[0].wall
    assert realtime.events[-1].wall <= manifest.ended_at


@pytest.mark.timeout(120)
def test_progress_lines_one_per_segment(realtime: Session) -> None:
    results = {r.index: r for r in of(realtime.events, ResultReceived)}
    completed = of(realtime.events, SegmentCompleted)
    lines = [m for m in map(PROGRESS_LINE.match, realtime.run.stderr_lines) if m]
    assert len(lines) == len(completed) == 3, realtime.run.stderr
    for line, done in zip(lines, completed, strict=True):
        result = results[done.index]
        assert int(line["index"]) == done.index
        assert (line["t0"], line["t1"]) == (mmss(result.t0), mmss(result.t1))
        assert line["state"] == result.engagement[-1].state
        # The line names the three most probable signals; every high one among them.
        named = [] if line["signals"] == "no signals" else line["signals"].split(", ")
        assert len(named) == min(3, len(result.signals))
        assert {name.split(" (")[0] for name in named} <= {s.type for s in result.signals}
        assert all(s.type in line["signals"] for s in result.signals if s.probability == "high")
        assert float(line["latency"]) == pytest.approx(done.latency_s, abs=0.006)
    assert "done: 3 segments, 3 sent, 3 completed, 0 errors, 0 skipped, 0 reconnects" in realtime.run.stderr
    assert FAKE_KEY not in realtime.run.stderr + realtime.run.stdout + realtime.home.log_text()


@pytest.mark.timeout(60)
def test_events_dash_writes_them_to_stdout(stream: StreamCommand, tmp_path: Path) -> None:
    record = tmp_path / "recording"
    run = stream.run(
        "--source", "synthetic", "--local", "--fast", "--duration", "9", *SMALL,
        "--record-dir", str(record), "--events", "-",
    )  # fmt: skip
    assert run.returncode == 0, run.describe()
    events = parse_lines(run.stdout)  # nothing but events on stdout
    assert run.stdout == (record / "events.jsonl").read_text(encoding="utf-8")
    assert len(of(events, SegmentClosed)) == 2
    assert [r.quality for r in of(events, ResultReceived)] == [None, None], "no flags, no quality"
    assert_summary_agrees(events)
    assert_every_segment_settled(events)
    assert len([line for line in run.stderr_lines if PROGRESS_LINE.match(line)]) == 2
    assert "done: 2 segments" in run.stderr and '"kind"' not in run.stderr


@pytest.mark.timeout(60)
def test_quiet_prints_no_progress_lines(stream: StreamCommand, tmp_path: Path) -> None:
    events_path = tmp_path / "events.jsonl"
    run = stream.run(
        "-q", "--source", "synthetic", "--local", "--fast", "--duration", "9", *SMALL,
        "--record-dir", str(tmp_path / "recording"), "--events", str(events_path),
    )  # fmt: skip
    assert run.returncode == 0, run.describe()
    events = read_events(events_path)
    assert assert_summary_agrees(events).completed == 2
    assert run.stderr == "" and run.stdout == ""


@pytest.mark.timeout(60)
def test_file_source_segments_cover_the_whole_file(stream: StreamCommand, tmp_path: Path) -> None:
    clip = write_media(tmp_path / "talk.mp4", seconds=8.0, fps=25)
    events_path = tmp_path / "events.jsonl"
    run = stream.run(
        "--source", f"file:{clip.path}", "--fast", "--local", *SMALL,
        "--record-dir", str(tmp_path / "recording"), "--events", str(events_path),
    )  # fmt: skip
    assert run.returncode == 0, run.describe()
    events = read_events(events_path)
    closed = of(events, SegmentClosed)
    assert len(closed) == 2
    for before, after in itertools.pairwise(closed):
        assert after.t0 == pytest.approx(before.t1, abs=1e-6), "segments are contiguous"
    assert sum(c.t1 - c.t0 for c in closed) == pytest.approx(clip.duration_s, abs=0.01)
    assert sum(c.video_frames for c in closed) == clip.frames
    assert sum(c.audio_samples for c in closed) == pytest.approx(clip.duration_s * AUDIO_RATE_HZ, abs=480)
    summary = assert_summary_agrees(events)
    assert (summary.sent, summary.completed) == (2, 2)
    assert_every_segment_settled(events)
    for result in of(events, ResultReceived):
        segment = closed[result.index]
        assert (result.t0, result.t1) == (segment.t0, segment.t1)


def _server_position(events: list[SessionEvent], status: str, number: int) -> int:
    for place, event in enumerate(events):
        if (
            isinstance(event, ServerMessageReceived)
            and event.message.get("status") == status
            and event.message.get("segment") == number
        ):
            return place
    raise AssertionError(f"no {status} message for server segment {number}")


def _assert_quality_index_is_the_mean(scores: QualityScores) -> None:
    values = [getattr(scores, name) for name in QUALITY_DIMENSIONS]
    assert all(0.0 <= value <= 100.0 for value in values)
    assert scores.quality_index == pytest.approx(statistics.fmean(values), abs=0.11)


def _names(settings: dict[str, object]) -> list[str]:
    names: list[str] = []
    for name, value in settings.items():
        names.append(name)
        if isinstance(value, dict):
            names.extend(_names(value))
    return names


@pytest.mark.timeout(60)
def test_duration_stops_a_file_source_at_that_much_session_time(
    stream: StreamCommand, tmp_path: Path
) -> None:
    """`--duration` means the same for every source: a 20 s file stops after 9 s of it."""
    clip = write_media(tmp_path / "long.mp4", seconds=20.0, fps=25)
    events_path = tmp_path / "events.jsonl"
    run = stream.run(
        "--source", f"file:{clip.path}", "--duration", "9", "--fast", "--local", *SMALL,
        "--record-dir", str(tmp_path / "recording"), "--events", str(events_path),
    )  # fmt: skip
    assert run.returncode == 0, run.describe()
    events = read_events(events_path)
    closed = of(events, SegmentClosed)
    # The file starts where the session clock stood when it opened, a moment after Start.
    start = closed[0].t0
    assert 0.0 <= start < 1.0
    assert [edge - start for c in closed for edge in (c.t0, c.t1)] == pytest.approx([0.0, 4.0, 4.0, 8.0])
    summary = assert_summary_agrees(events)
    cut_at = closed[-1].t1 + summary.unsent_tail_s
    assert cut_at == pytest.approx(9.0, abs=0.05), "the rest of the file was never encoded"
    assert sum(c.video_frames for c in closed) == 8 * 25
    assert (summary.sent, summary.completed) == (2, 2)
