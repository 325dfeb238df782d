"""How `stream` ends when it cannot do its job: the exit code says why, stderr says what to do, and
nothing leaks (the key) or is left behind (a recording of nothing)."""

from __future__ import annotations

import socket
from dataclasses import dataclass, fields
from pathlib import Path

import pytest
from support.protocol_server import LINK, Script
from support.stream_helpers import (
    FAKE_KEY,
    SMALL,
    RecordingServer,
    ServerThread,
    StreamCommand,
    StreamRun,
    UserHome,
    assert_every_segment_settled,
    assert_summary_agrees,
    free_port,
    isolated_command,
    of,
    read_events,
)

from app.cli.exit_codes import EXIT_CAPTURE, EXIT_REJECTED, EXIT_UNREACHABLE, EXIT_USAGE
from app.cli.session_options import CONNECT_ATTEMPTS
from app.model.events import CaptureProblem, ConnectionChanged, SegmentClosed, SegmentSkipped, SessionEvent
from app.model.wire_v0 import PATH_V0
from app.uplink import UplinkConfig

_UPLINK_DEFAULTS = {field.name: field.default for field in fields(UplinkConfig)}
BACKOFF_INITIAL_S = _UPLINK_DEFAULTS["backoff_initial_s"]
STALE_AFTER_S = _UPLINK_DEFAULTS["stale_after_s"]


def _files_under(*folders: Path) -> list[Path]:
    return [path for folder in folders if folder.exists() for path in folder.rglob("*") if path.is_file()]


@dataclass(frozen=True)
class Ended:
    """A run that several tests look at, with where it wrote."""

    run: StreamRun
    events: list[SessionEvent]
    events_path: Path
    record: Path
    home: UserHome
    server: RecordingServer | None = None


@pytest.fixture(scope="module")
def rejected(tmp_path_factory: pytest.TempPathFactory) -> Ended:
    """A realtime session (no --duration: only the refusal can end it) against a server that answers
    the upgrade with 401 and a JSON error which, carelessly, echoes the key."""
    body = {
        "status": "error",
        "error_id": "ih2001",
        "message": f"The API key {FAKE_KEY} was revoked on 2026-01-02",
        "link": f"{LINK}#ih2001",
    }
    base = tmp_path_factory.mktemp("rejected")
    record, events_path = base / "recording", base / "events.jsonl"
    server = ServerThread(Script(reject=(401, body))).start()
    try:
        with isolated_command(base) as command:
            run = command.run(
                "--source", "synthetic", *SMALL, "--url", server.url,
                "--record-dir", str(record), "--events", str(events_path),
                key=FAKE_KEY,
                timeout_s=30,
            )  # fmt: skip
    finally:
        server.stop()
    return Ended(run, read_events(events_path), events_path, record, command.home, server.server)


@pytest.mark.timeout(60)
def test_rejected_key_exits_3_at_once_with_the_servers_reason(rejected: Ended) -> None:
    run = rejected.run
    assert run.returncode == EXIT_REJECTED, run.describe()
    assert rejected.server is not None
    assert rejected.server.attempts == 1, "a refused key is never retried"
    assert [r.get("Authorization") for r in rejected.server.requests] == [f"Bearer {FAKE_KEY}"]
    assert "was revoked on 2026-01-02" in run.stderr and "Enter a valid API key" in run.stderr
    changes = of(rejected.events, ConnectionChanged)
    assert [c.state for c in changes] == ["connecting", "auth_rejected"]
    assert "was revoked" in changes[-1].detail
    summary = assert_summary_agrees(rejected.events)
    assert (summary.sent, summary.completed, summary.reconnects) == (0, 0, 0)
    assert_every_segment_settled(rejected.events)


@pytest.mark.timeout(60)
def test_rejected_key_leaks_nowhere(rejected: Ended) -> None:
    home = rejected.home
    log_files = home.log_files()
    assert log_files, "the command wrote no log file under the test's home"
    assert "upgrade refused: HTTP 401" in home.log_text(), "the log is the one this run wrote"
    written = [rejected.events_path, *_files_under(rejected.record, home.root)]
    assert set(log_files) <= set(written)
    leaks = [str(path) for path in written if FAKE_KEY.encode() in path.read_bytes()]
    assert not leaks, f"the key is in {leaks}"
    output = rejected.run.stdout + rejected.run.stderr
    assert FAKE_KEY not in output and FAKE_KEY[:14] not in output, "not even its start"


@pytest.mark.timeout(60)
def test_rejected_key_events_number_the_connection_consistently(rejected: Ended) -> None:
    assert {c.connection for c in of(rejected.events, ConnectionChanged)} == {1}


@pytest.fixture(scope="module")
def unreachable(tmp_path_factory: pytest.TempPathFactory) -> Ended:
    """A realtime session streaming to a loopback port nothing listens on, until the budget is spent."""
    base = tmp_path_factory.mktemp("unreachable")
    record, events_path = base / "recording", base / "events.jsonl"
    with isolated_command(base) as command:
        run = command.run(
            "--source", "synthetic", *SMALL, "--url", f"ws://127.0.0.1:{free_port()}{PATH_V0}",
            "--record-dir", str(record), "--events", str(events_path),
            timeout_s=100,
        )  # fmt: skip
    return Ended(run, read_events(events_path), events_path, record, command.home)


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_unreachable_server_exits_4_after_the_retry_budget(unreachable: Ended) -> None:
    """Slow on purpose: 7 attempts with the real backoff, 16 s on average and up to 32 s."""
    run, events = unreachable.run, unreachable.events
    assert run.returncode == EXIT_UNREACHABLE, run.describe()
    assert "Cannot stream to the analysis server (the connection was refused)" in run.stderr
    assert "Check the address and your network" in run.stderr
    changes = of(events, ConnectionChanged)
    states = [c.state for c in changes]
    assert states == ["connecting"] + ["reconnecting"] * (CONNECT_ATTEMPTS - 1) + ["failed"]
    retries = [c.retry_in_s for c in changes if c.state == "reconnecting"]
    assert all(r is not None and r >= 0 for r in retries)
    # Exponential caps, doubling from the first: 0.5 + 1 + … + 16 = 31.5 s at most for 7 attempts.
    most = BACKOFF_INITIAL_S * (2 ** (CONNECT_ATTEMPTS - 1) - 1)
    assert sum(r for r in retries if r is not None) <= most
    # Nothing was sent, but nothing captured is lost: each closed segment (none, if the jitter was
    # short enough to spend the budget within 4 s) is skipped and on disk.
    summary = assert_summary_agrees(events)
    assert (summary.sent, summary.completed) == (0, 0)
    assert_every_segment_settled(events)
    closed = {c.index: c for c in of(events, SegmentClosed)}
    for skipped in of(events, SegmentSkipped):
        # A long wait makes the oldest ones stale (skipped for the live view) before the uplink gives up.
        assert skipped.reason in ("not_sent", "stale"), skipped
        if skipped.reason == "stale":
            assert skipped.t - closed[skipped.index].t1 > STALE_AFTER_S, skipped
    for segment in closed.values():
        path = unreachable.record / "segments" / f"{segment.index:06d}.webm"
        assert path.stat().st_size == segment.bytes


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_unreachable_server_events_number_the_connection_consistently(unreachable: Ended) -> None:
    assert {c.connection for c in of(unreachable.events, ConnectionChanged)} == {1}


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_server_that_never_answers_is_not_a_finished_session(stream: StreamCommand, tmp_path: Path) -> None:
    """Slow on purpose: each attempt waits out the 10 s handshake timeout, the drain its 30 s."""
    record, events_path = tmp_path / "recording", tmp_path / "events.jsonl"
    with socket.socket() as silent:  # TCP connects (the kernel's backlog) but no HTTP answer ever comes
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        run = stream.run(
            "--source", "synthetic", "--fast", "--duration", "5", *SMALL,
            "--url", f"ws://127.0.0.1:{silent.getsockname()[1]}{PATH_V0}",
            "--record-dir", str(record), "--events", str(events_path),
            timeout_s=100,
        )  # fmt: skip
    events = read_events(events_path)
    assert "did not answer within 10 s" in run.stderr
    summary = assert_summary_agrees(events)
    assert (summary.closed, summary.sent, summary.skipped) == (1, 0, 1)
    assert (record / "segments" / "000000.webm").stat().st_size == of(events, SegmentClosed)[0].bytes
    assert run.returncode == EXIT_UNREACHABLE, run.describe()


@pytest.mark.skipif(Path("/dev/video7").exists(), reason="this machine has a camera at index 7")
@pytest.mark.parametrize("quiet", [False, True], ids=["progress", "quiet"])
@pytest.mark.timeout(60)
def test_missing_camera_exits_5_and_leaves_no_recording(
    stream: StreamCommand, home: UserHome, tmp_path: Path, quiet: bool
) -> None:
    events_path = tmp_path / "events.jsonl"
    run = stream.run(*(["-q"] if quiet else []), "--source", "camera:7", "--events", str(events_path))
    assert run.returncode == EXIT_CAPTURE, run.describe()
    assert run.stderr.count("No camera found at index 7") == 1, run.stderr
    events = read_events(events_path)
    camera = [(p.level, p.message[:26]) for p in of(events, CaptureProblem) if p.source == "camera"]
    assert camera == [("error", "No camera found at index 7")]
    assert assert_summary_agrees(events).closed == 0
    left = list(home.sessions.iterdir()) if home.sessions.exists() else []
    assert left == [], f"a recording of nothing was left behind: {left}"


USAGE_ERRORS = {
    "source": (["--source", "webcam"], "unknown source 'webcam'"),
    "segment": (["--segment-seconds", "2"], "--segment-seconds must be between 3 and 5, not 2"),
    "resolution": (["--resolution", "640by480"], "resolution must look like 640x480"),
    "duration": (["--duration", "0"], "--duration must be a positive number of seconds"),
    "http": (["--url", f"http://127.0.0.1:9{PATH_V0}"], "must start with wss://"),
    "plain-remote": (["--url", f"ws://analysis.example.invalid{PATH_V0}"], "allowed only to this computer"),
    "missing-file": (["--source", "file:{tmp}/absent.mp4"], "no such file: {tmp}/absent.mp4"),
    "used-folder": (["--record-dir", "{tmp}/earlier"], "{tmp}/earlier already holds a recording"),
    "include": (["--include", "everything"], "invalid choice: 'everything'"),
}


@pytest.mark.parametrize("case", USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
@pytest.mark.timeout(60)
def test_usage_errors_exit_2_with_a_reason(
    stream: StreamCommand, home: UserHome, tmp_path: Path, case: tuple[list[str], str]
) -> None:
    earlier = tmp_path / "earlier"
    (earlier / "segments").mkdir(parents=True)
    (earlier / "session.json").write_text('{"format": 1}\n')
    (earlier / "events.jsonl").write_text('{"t": 0}\n')
    before = {path: path.read_bytes() for path in _files_under(earlier)}
    options, reason = case
    options = [option.replace("{tmp}", str(tmp_path)) for option in options]
    backend = [] if "--url" in options else ["--local"]
    run = stream.run("--source", "synthetic", *backend, *options, timeout_s=30)
    assert run.returncode == EXIT_USAGE, run.describe()
    assert reason.replace("{tmp}", str(tmp_path)) in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""
    assert not home.sessions.exists(), "a usage error started a session"
    assert {path: path.read_bytes() for path in _files_under(earlier)} == before
