"""How `stream` ends when it cannot do its job: the exit code says why, stderr says what to do, and
nothing leaks (the key) or is left behind (a recording of nothing)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

import pytest
from support.protocol_server import LINK, Script
from support.stream_helpers import (
    FAKE_KEY,
    SMALL,
    RecordingServer,
    Serve,
    ServerThread,
    StreamCommand,
    StreamProcess,
    StreamRun,
    UserHome,
    assert_every_segment_settled,
    assert_summary_agrees,
    complete_lines,
    free_port,
    isolated_command,
    of,
    read_events,
)

from app.cli.exit_codes import (
    EXIT_BUSY,
    EXIT_CAPTURE,
    EXIT_QUOTA,
    EXIT_REJECTED,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
)
from app.cli.session_options import CONNECT_ATTEMPTS
from app.model.events import (
    CaptureProblem,
    ConnectionChanged,
    DrainStarted,
    SegmentClosed,
    SegmentSkipped,
    SessionEvent,
)
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
    # Said once, in the command line's terms: the key came from the environment, not from Settings.
    assert run.stderr.count("was revoked on 2026-01-02") == 1, run.stderr
    assert "Set INTERHUMAN_API_KEY to a valid key, then run again." in run.stderr
    assert "Settings" not in run.stderr
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
    assert "Check --url and your network, then run again." in run.stderr
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
    # In the command line's terms, and without Qt's notices about PipeWire or PulseAudio.
    assert "lists the cameras for --source camera:N" in run.stderr and "Settings" not in run.stderr
    assert "pipewire" not in run.stderr and "pa_context" not in run.stderr
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


def _wait_for_events(process: StreamProcess, path: Path, check: Callable[[list[SessionEvent]], bool]) -> None:
    deadline = time.monotonic() + 40
    while not check(complete_lines(path)):
        assert process.popen.poll() is None, f"the command ended early:\n{process.stderr_so_far()}"
        assert time.monotonic() < deadline, f"waited 40 s; events so far: {complete_lines(path)}"
        time.sleep(0.05)


def _connections(events: list[SessionEvent]) -> int:
    return sum(change.state == "connected" for change in of(events, ConnectionChanged))


BUSY_REPLIES = {"no-capacity": "ih1003", "rate-limited": "ih3001"}


@pytest.mark.parametrize("error_id", BUSY_REPLIES.values(), ids=BUSY_REPLIES.keys())
@pytest.mark.timeout(90)
def test_a_busy_server_is_said_to_be_busy_with_its_own_exit_code(
    stream: StreamCommand, serve: Serve, tmp_path: Path, error_id: str
) -> None:
    """It connected every time, so 'could not connect, check your network' would send the user the
    wrong way: it is busy, and a script can tell that apart (exit 7: try again later)."""
    server = serve(Script(segment_s=4.0, errors={1: error_id}))
    events_path = tmp_path / "events.jsonl"
    process = stream.spawn(
        "--source", "synthetic", *SMALL, "--url", server.url,
        "--record-dir", str(tmp_path / "recording"), "--events", str(events_path),
    )  # fmt: skip
    _wait_for_events(process, events_path, lambda events: _connections(events) >= 3)
    process.interrupt()
    run = process.finish(30)

    assert run.returncode == EXIT_BUSY, run.describe()
    final = run.stderr_lines[-1]
    assert final.startswith("interhuman-live stream: The analysis server is busy ("), final
    assert "analysed nothing" in final and "--local" in final
    assert "network" not in run.stderr and "did not answer" not in run.stderr
    assert len(server.server.connections) >= 3


@pytest.mark.timeout(60)
def test_ctrl_c_while_reconnecting_is_immediate_and_names_the_real_reason(
    stream: StreamCommand, tmp_path: Path
) -> None:
    events_path = tmp_path / "events.jsonl"
    process = stream.spawn(
        "--source", "synthetic", *SMALL, "--url", f"ws://127.0.0.1:{free_port()}{PATH_V0}",
        "--record-dir", str(tmp_path / "recording"), "--events", str(events_path),
    )  # fmt: skip
    # Past the first segment, so that something waits to be delivered when Ctrl-C comes.
    _wait_for_events(process, events_path, lambda events: bool(of(events, SegmentClosed)))
    interrupted = time.monotonic()
    process.interrupt()
    run = process.finish(30)
    assert time.monotonic() - interrupted < 5.0, "a stop with the server down waits for nothing"
    assert run.returncode == EXIT_UNREACHABLE, run.describe()
    assert "Cannot stream to the analysis server (the connection was refused)." in run.stderr
    assert "did not answer" not in run.stderr
    assert "Check --url and your network, then run again." in run.stderr
    assert run.stderr.count("the connection was refused).") == 1
    events = read_events(events_path)
    assert of(events, DrainStarted) == []
    assert_every_segment_settled(events)


@pytest.mark.timeout(60)
def test_quota_used_up_has_its_own_exit_code_and_says_so_once(
    stream: StreamCommand, serve: Serve, tmp_path: Path
) -> None:
    server = serve(Script(segment_s=4.0, errors={1: "ih3003"}))
    run = stream.run(
        "--source", "synthetic", "--fast", "--duration", "4", *SMALL, "--url", server.url,
        "--record-dir", str(tmp_path / "recording"),
    )  # fmt: skip
    assert run.returncode == EXIT_QUOTA != EXIT_REJECTED, run.describe()
    assert run.stderr.count("quota") == 1, run.stderr
    assert run.stderr_lines[-1] == (
        "interhuman-live stream: The usage quota is exhausted. Wait until it renews or raise it, "
        "then run again."
    )


@pytest.mark.timeout(60)
def test_a_missing_scope_is_said_once_not_twice(stream: StreamCommand, serve: Serve, tmp_path: Path) -> None:
    server = serve(Script(close_after=(1, 4003)))
    run = stream.run(
        "--source", "synthetic", "--fast", "--duration", "4", *SMALL, "--url", server.url,
        "--record-dir", str(tmp_path / "recording"), key=FAKE_KEY,
    )  # fmt: skip
    assert run.returncode == EXIT_REJECTED, run.describe()
    assert run.stderr.count("interhumanai.stream") == 1, run.stderr
    assert run.stderr_lines[-1] == (
        "interhuman-live stream: This API key lacks the interhumanai.stream scope (the server said: "
        "scripted close). Create a key with that scope in your Interhuman dashboard and set "
        "INTERHUMAN_API_KEY to it, then run again."
    )
