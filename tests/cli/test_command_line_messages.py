"""What the commands say when something is off: one clear sentence in the command line's own terms
(options and environment variables, never the window's Settings), the right exit code, and never a
traceback. Every run is the real command in a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.protocol_server import Script
from support.stream_helpers import (
    REPO,
    SMALL,
    Serve,
    StreamCommand,
    UserHome,
    assert_every_segment_settled,
    assert_summary_agrees,
    complete_lines,
    free_port,
    of,
    read_events,
)

from app.cli.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE
from app.cli.progress import summary_line
from app.model.events import SegmentClosed, SessionSummary
from app.model.wire_v0 import PATH_V0

pytestmark = pytest.mark.timeout(90)

NO_TRACE = re.compile(r"Traceback|Error:|Exception")
"""What a Python failure prints; no message of ours contains any of it."""


def _command(home: UserHome, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=REPO,
        env=home.env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# -- the events output (--events) -----------------------------------------------------------------

BAD_EVENT_PATHS = {
    "missing-folder": ("{tmp}/absent/events.jsonl", "its folder does not exist"),
    "a-folder": ("{tmp}", "it is a folder"),
    "proc": ("/proc/self/nonexistent/events.jsonl", "its folder does not exist"),
}


@pytest.mark.parametrize("case", BAD_EVENT_PATHS.values(), ids=BAD_EVENT_PATHS.keys())
def test_an_events_path_that_cannot_be_written_is_a_usage_error(
    stream: StreamCommand, home: UserHome, tmp_path: Path, case: tuple[str, str]
) -> None:
    path, reason = (text.replace("{tmp}", str(tmp_path)) for text in case)
    run = stream.run("--source", "synthetic", "--local", "--events", path, timeout_s=30)
    assert run.returncode == EXIT_USAGE, run.describe()
    assert run.stderr == f"interhuman-live stream: cannot write the events to {path}: {reason}\n"
    assert not home.sessions.exists(), "a usage error started a session"


def test_a_full_disk_under_the_events_output_stops_it_and_not_the_session(
    stream: StreamCommand, tmp_path: Path
) -> None:
    record = tmp_path / "recording"
    run = stream.run(
        "--source", "synthetic", "--local", "--fast", "--duration", "8", *SMALL,
        "--record-dir", str(record), "--events", "/dev/full",
    )  # fmt: skip
    assert run.returncode == EXIT_OK, run.describe()
    assert not NO_TRACE.search(run.stderr), run.stderr
    warnings = [line for line in run.stderr_lines if "warning" in line]
    assert warnings == [
        "interhuman-live stream: warning: the events output to /dev/full stopped "
        "(no space left on device); the session goes on"
    ]
    events = read_events(record / "events.jsonl")
    assert assert_summary_agrees(events).completed == 2, "the session and its recording went on"


def test_a_reader_that_goes_away_stops_the_events_output_with_one_warning(
    home: UserHome, tmp_path: Path
) -> None:
    """`stream --events - | head -c 100`: the pipe closes after the first line."""
    record = tmp_path / "recording"
    command = [
        sys.executable, "-m", "app", "stream", "--source", "synthetic", "--local", "--fast",
        "--duration", "8", *SMALL, "--record-dir", str(record), "--events", "-",
    ]  # fmt: skip
    with subprocess.Popen(
        command, cwd=REPO, env=home.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as stream_process:
        assert stream_process.stdout is not None and stream_process.stderr is not None
        head = subprocess.run(["head", "-c", "100"], stdin=stream_process.stdout, capture_output=True)
        stream_process.stdout.close()  # only `head` holds the pipe's reading end; it has left
        stderr = stream_process.stderr.read().decode()
        code = stream_process.wait(60)
    assert len(head.stdout) == 100
    assert code == EXIT_OK, stderr
    assert not NO_TRACE.search(stderr), stderr
    assert [line for line in stderr.splitlines() if "warning" in line] == [
        "interhuman-live stream: warning: the events output to stdout stopped (the reader closed it); "
        "the session goes on"
    ]
    assert assert_summary_agrees(read_events(record / "events.jsonl")).completed == 2


# -- the key's shape --------------------------------------------------------------------------------

BAD_KEYS = {
    "space": ("ih_live_abc def", "contains spaces or line breaks"),
    "carriage-return": ("ih_live_abc\rdef", "contains spaces or line breaks"),
    "line-feed": ("ih_live_abc\ndef", "contains spaces or line breaks"),
    "non-ascii": ("ih_live_abcdéf", "contains characters no API key has"),
}


@pytest.mark.parametrize("case", BAD_KEYS.values(), ids=BAD_KEYS.keys())
def test_a_key_of_the_wrong_shape_is_a_usage_error_before_anything_connects(
    stream: StreamCommand, serve: Serve, home: UserHome, case: tuple[str, str]
) -> None:
    key, reason = case
    server = serve(Script())
    run = stream.run("--source", "synthetic", "--url", server.url, key=key, timeout_s=30)
    assert run.returncode == EXIT_USAGE, run.describe()
    assert run.stderr == (
        f"interhuman-live stream: the API key in INTERHUMAN_API_KEY {reason}"
        + (" (only ASCII letters, digits and punctuation)" if "characters" in reason else "")
        + "; set INTERHUMAN_API_KEY again\n"
    )
    assert server.server.attempts == 0, "a key that cannot be sent is not tried 7 times"
    assert not home.sessions.exists()


# -- sources, folders and options -------------------------------------------------------------------


def test_sources_that_are_not_video_files_say_what_they_are(stream: StreamCommand, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    cases = {
        f"file:{tmp_path}": f"{tmp_path} is a folder, not a video file",
        f"file:{fifo}": f"{fifo} is not a regular file (a pipe or a device); give a video file",
        "file:/dev/zero": "/dev/zero is not a regular file (a pipe or a device); give a video file",
        f"file:{tmp_path}/absent.mp4": f"no such file: {tmp_path}/absent.mp4",
        "camera:-1": "camera index must be 0 or more, not -1 (e.g. camera:0)",
    }
    for source, message in cases.items():
        run = stream.run("--source", source, "--local", timeout_s=30)
        assert (run.returncode, run.stderr) == (EXIT_USAGE, f"interhuman-live stream: {message}\n"), source


def test_a_record_dir_that_cannot_be_written_stops_before_the_session_unless_no_record(
    stream: StreamCommand, home: UserHome, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    record = blocker / "recording"
    run = stream.run("--source", "synthetic", "--local", "--record-dir", str(record), timeout_s=30)
    assert run.returncode == EXIT_USAGE, run.describe()
    assert run.stderr == (
        f"interhuman-live stream: cannot record to {record}: not a directory; choose another "
        "--record-dir, or pass --no-record to run without a recording\n"
    )
    assert blocker.read_text() == "not a folder" and not home.sessions.exists()

    events_path = tmp_path / "events.jsonl"
    run = stream.run(
        "--source", "synthetic", "--local", "--fast", "--duration", "4", *SMALL,
        "--record-dir", str(record), "--no-record", "--events", str(events_path),
    )  # fmt: skip
    assert run.returncode == EXIT_OK, run.describe()
    assert "recording" not in run.stderr, "no warning for a recording that was not asked for"
    events = read_events(events_path)
    assert len(of(events, SegmentClosed)) == 1
    assert_every_segment_settled(events)
    assert not record.exists() and not home.sessions.exists(), "--no-record keeps nothing on disk"


def test_a_data_folder_that_cannot_be_written_is_said_before_the_session(
    stream: StreamCommand, home: UserHome
) -> None:
    (home.root / "data").mkdir()
    (home.root / "data" / "interhuman-live").write_text("in the way")
    run = stream.run("--source", "synthetic", "--local", timeout_s=30)
    assert run.returncode == EXIT_USAGE, run.describe()
    assert run.stderr == (
        f"interhuman-live stream: cannot record to {home.sessions}: not a directory; give a "
        "--record-dir, or pass --no-record to run without a recording\n"
    )


def test_a_misspelt_option_gets_the_commands_usage_and_a_guess(home: UserHome) -> None:
    done = _command(home, "stream", "--sorce", "synthetic")
    assert done.returncode == EXIT_USAGE
    assert done.stderr.startswith("usage: interhuman-live stream ")
    assert done.stderr.endswith(
        "interhuman-live stream: error: unrecognized arguments: --sorce synthetic (did you mean --source?)\n"
    )


def test_quiet_prints_nothing_but_the_reason_it_failed(stream: StreamCommand, tmp_path: Path) -> None:
    """-q on a session that cannot connect, stopped with Ctrl-C: refusals, retries and the stop
    itself stay in the log file; stderr has the one line that says why it failed."""
    events_path = tmp_path / "events.jsonl"
    process = stream.spawn(
        "-q", "--source", "synthetic", *SMALL, "--url", f"ws://127.0.0.1:{free_port()}{PATH_V0}",
        "--no-record", "--events", str(events_path),
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not of(complete_lines(events_path), SegmentClosed):
        assert time.monotonic() < deadline and process.popen.poll() is None, process.stderr_so_far()
        time.sleep(0.05)
    process.interrupt()
    run = process.finish(30)
    assert run.returncode == EXIT_UNREACHABLE, run.describe()
    assert run.stderr_lines == [
        "interhuman-live stream: Cannot stream to the analysis server (the connection was refused). "
        "Check --url and your network, then run again."
    ]


def test_the_summary_never_speaks_of_a_zero_second_tail() -> None:
    summary = SessionSummary(
        t=3.2, closed=1, sent=0, completed=0, errored=0, skipped=1, reconnects=0, unsent_tail_s=0.04
    )
    assert summary_line(summary) == "done: 1 segment, 0 sent, 0 completed, 0 errors, 1 skipped, 0 reconnects"
    longer = summary.model_copy(update={"unsent_tail_s": 1.26, "unanswered": 2})
    assert summary_line(longer).endswith(
        "0 errors, 2 unanswered, 1 skipped, 0 reconnects; the last 1.3 s was too short to send"
    )


def test_the_log_names_no_missing_ids(stream: StreamCommand, serve: Serve, home: UserHome) -> None:
    """A refusal without a correlation id and an error without an id are logged without 'None'."""
    server = serve(Script(reject=(429, None)), Script(older_forms=True, errors={1: "ih5002"}))
    run = stream.run(
        "--source", "synthetic", "--fast", "--duration", "4", *SMALL, "--url", server.url,
        "--no-record",
    )  # fmt: skip
    assert run.returncode == EXIT_OK, run.describe()
    log = home.log_text()
    assert "upgrade refused: HTTP 429\n" in log and "server error (unknown) for segment 0" in log
    for missing in ("correlation id None", "error id None", "server error None"):
        assert missing not in log


# -- help and device noise --------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["stream"], ["devices"], ["analyzer"]], ids=["app", "stream",
                         "devices", "analyzer"])  # fmt: skip
def test_every_help_shows_examples(home: UserHome, command: list[str]) -> None:
    done = _command(home, *command, "--help")
    assert done.returncode == EXIT_OK
    examples = done.stdout.split("examples:\n", 1)[1]
    assert examples.startswith("  interhuman-live")


def test_the_stream_help_names_every_exit_code(home: UserHome) -> None:
    text = " ".join(_command(home, "stream", "--help").stdout.split())
    for code, meaning in [(3, "credential rejected"), (6, "usage quota used up"), (7, "server busy")]:
        assert f"{code} {meaning}" in text
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert "6 usage quota used up, 7 server busy or rate-limiting" in readme


def test_devices_lists_without_qt_noise(home: UserHome) -> None:
    done = _command(home, "devices")
    assert done.returncode == EXIT_OK
    assert done.stderr == "", "Qt's PipeWire and PulseAudio notices belong in the log"
    assert done.stdout.startswith("Cameras:\n")


def test_devices_json_is_json_only(home: UserHome) -> None:
    done = _command(home, "devices", "--json")
    assert done.returncode == EXIT_OK and done.stderr == ""
    assert set(json.loads(done.stdout)) == {"cameras", "microphones", "screens", "windows", "meeting_audio"}


ANALYZER_HOSTS = {
    "not-ours": ("10.255.255.1", "10.255.255.1 is not an address of this computer"),
    "unresolvable": ("no-such-host.invalid", "the host name 'no-such-host.invalid' does not resolve"),
}


@pytest.mark.parametrize("case", ANALYZER_HOSTS.values(), ids=ANALYZER_HOSTS.keys())
def test_the_analyzer_says_what_is_wrong_with_its_host(home: UserHome, case: tuple[str, str]) -> None:
    host, reason = case
    done = _command(home, "analyzer", "--host", host, "--key", "k")
    assert done.returncode == EXIT_FAILED
    assert done.stderr.startswith(f"analyzer: cannot listen: {reason}."), done.stderr
    assert "--port" not in done.stderr
