"""`stream` on v1/v2, end to end: the real command in a subprocess, to a stream server of the tests
(`--api v1 --url ws://127.0.0.1:PORT/v1/stream/analyze`) and to its own local analyzer
(`--local --api v1`); a rejected key; the options' usage errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.stream_helpers import FAKE_KEY, SMALL, ServerThread, StreamCommand, of, read_events, summary_of
from support.stream_server import StreamServer

from app.cli.exit_codes import EXIT_OK, EXIT_REJECTED, EXIT_USAGE
from app.model.events import (
    AnalysisReached,
    ChunkSent,
    ConnectionChanged,
    EngagementChanged,
    QualityReceived,
    ServerMessageReceived,
    SignalChanged,
)

pytestmark = pytest.mark.timeout(180)

STREAM_LINE = re.compile(r"^\d\d:\d\d\.\d–\d\d:\d\d\.\d  (engaged|neutral|disengaged|no engagement state) ")


@pytest.fixture
def stream_server() -> ServerThread:
    thread = ServerThread(stream=StreamServer(key=FAKE_KEY)).start()
    yield thread  # type: ignore[misc]
    thread.stop()


def test_stream_api_v1_to_a_server_runs_end_to_end(
    stream: StreamCommand, stream_server: ServerThread, tmp_path: Path
) -> None:
    events_path = tmp_path / "events.jsonl"
    run = stream.run(
        "--source",
        "synthetic",
        *SMALL,
        "--duration",
        "6",
        "--api",
        "v1",
        "--url",
        stream_server.url,
        "--events",
        str(events_path),
        "--goal",
        "clarity",
        key=FAKE_KEY,
    )
    assert run.returncode == EXIT_OK, run.describe()
    events = read_events(events_path)
    chunks = of(events, ChunkSent)
    assert chunks[0].chunk == 0 and len(chunks) >= 6
    assert of(events, EngagementChanged) and of(events, SignalChanged)
    # No quality section was asked for: the timeline of it only says how far the analysis got.
    assert not of(events, QualityReceived) and of(events, AnalysisReached)
    envelopes = [e.message["type"] for e in of(events, ServerMessageReceived)]
    assert envelopes[0] == "session.ready" and envelopes[-1] == "session.ended"
    summary = summary_of(events)
    assert summary.chunks_sent == len(chunks) and summary.cue_lag_p50_s is not None
    assert any(STREAM_LINE.match(line) for line in run.stderr_lines), run.stderr
    assert any("stream chunks sent" in line for line in run.stderr_lines)
    server = stream_server.server
    assert isinstance(server, StreamServer)
    [connection] = server.connections
    assert connection.configs[0]["goal_dimensions"] == ["clarity"]
    assert connection.close_requested and connection.close_code == 1000
    assert FAKE_KEY not in run.stderr + run.stdout + events_path.read_text()


def test_stream_api_v2_names_its_model_in_the_handshake(
    stream: StreamCommand, stream_server: ServerThread, tmp_path: Path
) -> None:
    server = stream_server.server
    assert isinstance(server, StreamServer)
    run = stream.run(
        "--source",
        "synthetic",
        *SMALL,
        "--duration",
        "3",
        "--model",
        "inter-2-audio",
        "--url",
        server.url_v2,
        "-q",
        key=FAKE_KEY,
    )
    assert run.returncode == EXIT_OK, run.describe()
    [connection] = server.connections
    assert connection.path == "/v2/stream/analyze" and connection.query["model"] == ["inter-2-audio"]


def test_stream_local_api_v1_runs_end_to_end(stream: StreamCommand, tmp_path: Path) -> None:
    events_path = tmp_path / "events.jsonl"
    run = stream.run(
        "--source",
        "synthetic",
        *SMALL,
        "--duration",
        "8",
        "--local",
        "--api",
        "v1",
        "--events",
        str(events_path),
    )
    assert run.returncode == EXIT_OK, run.describe()
    events = read_events(events_path)
    assert of(events, EngagementChanged), "Local analysis answers on v1"
    assert [c.state for c in of(events, ConnectionChanged)][-1] == "closed"
    summary = summary_of(events)
    assert summary.chunks_sent >= 8
    assert summary.cue_lag_p95_s is not None and summary.cue_lag_p95_s < 3.0


def test_a_rejected_key_on_v1_exits_3_after_one_attempt(stream: StreamCommand, tmp_path: Path) -> None:
    thread = ServerThread(stream=StreamServer(key="the-right-key")).start()
    try:
        run = stream.run(
            "--source",
            "synthetic",
            *SMALL,
            "--duration",
            "20",
            "--api",
            "v1",
            "--url",
            thread.url,
            "--record-dir",
            str(tmp_path / "rec"),
            key=FAKE_KEY,
        )
    finally:
        thread.stop()
    assert run.returncode == EXIT_REJECTED, run.describe()
    assert run.wall_s < 15, "no retry storm: a rejected key ends the session at once"
    server = thread.server
    assert isinstance(server, StreamServer) and server.attempts == 1
    assert FAKE_KEY not in run.stderr + run.stdout
    for path in (tmp_path / "rec").rglob("*"):
        if path.is_file() and path.suffix in (".json", ".jsonl"):
            assert FAKE_KEY not in path.read_text()
    assert FAKE_KEY not in stream.home.log_text()


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (("--local", "--model", "inter-2"), "--model is for v2"),
        (("--local", "--api", "v1", "--model", "inter-2"), "--model is for v2"),
        (("--local", "--goal", "clarity"), "--goal needs a v1 or v2 stream"),
        (("--local", "--api", "v3"), "invalid choice"),
    ],
)
def test_the_version_options_refuse_what_cannot_work(
    stream: StreamCommand, options: tuple[str, ...], says: str
) -> None:
    run = stream.run("--source", "synthetic", *options)
    assert run.returncode == EXIT_USAGE, run.describe()
    assert says in run.stderr
