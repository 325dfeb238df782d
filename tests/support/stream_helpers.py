"""What the `stream` tests share: running the real command in a subprocess with an isolated home,
a test server on its own thread, and reading back and cross-checking what the command wrote."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from app.model.events import (
    ConnectionChanged,
    Event,
    MessageUnparsed,
    SegmentClosed,
    SegmentCompleted,
    SegmentError,
    SegmentSent,
    SegmentSkipped,
    SegmentUnanswered,
    SessionEvent,
    SessionSummary,
    parse_event,
)
from support.protocol_server import ProtocolServer, Script

REPO = Path(__file__).resolve().parents[2]
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
FAKE_KEY = "ih_live_StreamE2eFakeKey7Qx93mZ"
"""Recognisable in any text it leaks into; never a real key."""
SMALL = ("--resolution", "320x240")
PROGRESS_LINE = re.compile(
    r"^#(?P<index>\d+)\s+(?P<t0>\d\d:\d\d\.\d)–(?P<t1>\d\d:\d\d\.\d)\s+"
    r"(?P<state>engaged|neutral|disengaged|no engagement state)\s+(?P<signals>.+?)\s+"
    r"\((?P<latency>\d+\.\d\d) s\)$"
)
"""The one line `stream` prints per analysed segment: index, window, engagement, signals, latency."""
E = TypeVar("E", bound=Event)


@dataclass(frozen=True)
class UserHome:
    """A fresh home for one subprocess: its settings, data, logs and cache, and nothing of the user's."""

    root: Path

    def env(self, *, key: str | None = None) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items() if not name.startswith("INTERHUMAN")}
        env.update(
            HOME=str(self.root),
            XDG_CONFIG_HOME=str(self.root / "config"),
            XDG_DATA_HOME=str(self.root / "data"),
            XDG_STATE_HOME=str(self.root / "state"),
            XDG_CACHE_HOME=str(self.root / "cache"),
            XDG_RUNTIME_DIR=str(self.root / "runtime"),
            PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
            QT_QPA_PLATFORM="offscreen",
            PYTHONUNBUFFERED="1",
        )
        if key is not None:
            env["INTERHUMAN_API_KEY"] = key
        return env

    @property
    def sessions(self) -> Path:
        return self.root / "data" / "interhuman-live" / "sessions"

    def log_files(self) -> list[Path]:
        """The command's log files, wherever the platform put them under this home."""
        return sorted(path for path in self.root.rglob("*.log*") if path.is_file())

    def log_text(self) -> str:
        files = self.log_files()
        assert files, f"no log file under {self.root}"
        return "".join(path.read_text(encoding="utf-8", errors="replace") for path in files)


@dataclass(frozen=True)
class StreamRun:
    args: Sequence[str]
    returncode: int
    stdout: str
    stderr: str
    wall_s: float

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.splitlines()

    def describe(self) -> str:
        return f"`stream {' '.join(self.args)}` exited {self.returncode}; stderr:\n{self.stderr}"


class StreamProcess:
    """`python -m app stream …` running; its output goes to files, so no pipe can fill up and stall it."""

    def __init__(self, args: Sequence[str], env: dict[str, str], workdir: Path) -> None:
        self.args = list(args)
        workdir.mkdir(parents=True, exist_ok=True)
        self._out_path = workdir / "stdout.txt"
        self._err_path = workdir / "stderr.txt"
        self._started = time.monotonic()
        with open(self._out_path, "wb") as out, open(self._err_path, "wb") as err:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "app", "stream", *self.args],
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )

    def interrupt(self, signum: int = signal.SIGINT) -> None:
        self.popen.send_signal(signum)

    def stderr_so_far(self) -> str:
        return self._err_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_stderr(self, text: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while text not in self.stderr_so_far():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared on stderr:\n{self.stderr_so_far()}")
            time.sleep(0.05)

    def finish(self, timeout_s: float) -> StreamRun:
        try:
            code = self.popen.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"`stream {' '.join(self.args)}` still running after {timeout_s:g} s; stderr:\n"
                + self._err_path.read_text(errors="replace")
            ) from None
        return StreamRun(
            self.args,
            code,
            self._out_path.read_text(encoding="utf-8", errors="replace"),
            self._err_path.read_text(encoding="utf-8", errors="replace"),
            time.monotonic() - self._started,
        )

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait(10)


class StreamCommand:
    """Runs the real command against `home`; every process it started is gone when `close` returns."""

    def __init__(self, home: UserHome, workdir: Path) -> None:
        self.home = home
        self._workdir = workdir
        self._processes: list[StreamProcess] = []

    def spawn(self, *args: str, key: str | None = None) -> StreamProcess:
        process = StreamProcess(
            args, self.home.env(key=key), self._workdir / f"run{len(self._processes) + 1}"
        )
        self._processes.append(process)
        return process

    def run(self, *args: str, key: str | None = None, timeout_s: float = 60.0) -> StreamRun:
        return self.spawn(*args, key=key).finish(timeout_s)

    def close(self) -> None:
        for process in self._processes:
            process.kill()


class RecordingServer(ProtocolServer):
    """`ProtocolServer` that also keeps every upgrade request's headers, the refused ones too."""

    def __init__(self, *scripts: Script, key: str | None = None, port: int = 0) -> None:
        super().__init__(*scripts, key=key, port=port)
        self.requests: list[Headers] = []

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self.requests.append(Headers(request.headers))
        return super()._process_request(connection, request)


@contextmanager
def isolated_command(base: Path) -> Iterator[StreamCommand]:
    """A command runner with a home of its own under `base`, for runs that several tests share."""
    home = UserHome(base / "home")
    (home.root / "runtime").mkdir(parents=True, mode=0o700)
    command = StreamCommand(home, base / "runs")
    try:
        yield command
    finally:
        command.close()


class ServerThread:
    """A test server on 127.0.0.1, served by a loop of its own in a thread, as a remote service would be."""

    def __init__(self, *scripts: Script, key: str | None = None, port: int = 0) -> None:
        self.server = RecordingServer(*scripts, key=key, port=port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="protocol-server", daemon=True)
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None

    def start(self) -> ServerThread:
        self._thread.start()
        if not self._ready.wait(10):
            raise AssertionError("the test server did not start")
        if self._error is not None:
            raise AssertionError("the test server failed to start") from self._error
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._set_stop)
            self._thread.join(15)
        assert not self._thread.is_alive(), "the test server thread did not stop"

    @property
    def url(self) -> str:
        return self.server.url

    def _set_stop(self) -> None:
        assert self._stop is not None
        self._stop.set()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as error:  # reported by `start`, or by the test's own assertions
            self._error = error
        finally:
            self._ready.set()
            self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        async with self.server:
            self._ready.set()
            await self._stop.wait()


Serve = Callable[..., ServerThread]
"""The `serve` fixture: `serve(*scripts, key=None)` → a started `ServerThread`."""


# -- reading what the command wrote -----------------------------------------------------------


def free_port() -> int:
    """A loopback port nothing listens on (the kernel just handed it out and it was closed again)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def complete_lines(path: Path) -> list[SessionEvent]:
    """The events of a file another process is still writing: only the lines it has finished."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return parse_lines(text[: text.rfind("\n") + 1])


def parse_lines(text: str) -> list[SessionEvent]:
    """Every line of a JSON Lines text as an event; any line that is not one fails the test."""
    return [parse_event(line) for line in text.splitlines() if line.strip()]


def read_events(path: Path) -> list[SessionEvent]:
    return parse_lines(path.read_text(encoding="utf-8"))


def of(events: Iterable[SessionEvent], kind: type[E]) -> list[E]:
    return [event for event in events if isinstance(event, kind)]


def position(events: Sequence[SessionEvent], kind: type[E], **fields: object) -> int:
    """Where the first `kind` event with these field values sits in `events`."""
    for place, event in enumerate(events):
        if isinstance(event, kind) and all(getattr(event, name) == value for name, value in fields.items()):
            return place
    raise AssertionError(f"no {kind.__name__} with {fields}")


def summary_of(events: Sequence[SessionEvent]) -> SessionSummary:
    summaries = of(events, SessionSummary)
    assert len(summaries) == 1, f"{len(summaries)} summaries"
    assert events[-1] is summaries[0], f"the summary is not the last event: {events[-1]}"
    return summaries[0]


def assert_summary_agrees(events: Sequence[SessionEvent]) -> SessionSummary:
    """The summary is the last event and each of its numbers is what the rest of the file says."""
    summary = summary_of(events)
    reconnects = sum(1 for c in of(events, ConnectionChanged) if c.state == "connected" and c.connection > 1)
    closed = of(events, SegmentClosed)
    counted = {
        "closed": len(closed),
        "sent": len({event.index for event in of(events, SegmentSent)}),
        "completed": len({event.index for event in of(events, SegmentCompleted)}),
        "errored": len({event.index for event in of(events, SegmentError) if event.index is not None}),
        "skipped": len({event.index for event in of(events, SegmentSkipped)}),
        "unanswered": len({event.index for event in of(events, SegmentUnanswered)}),
        "reconnects": reconnects,
        "unparsed": len(of(events, MessageUnparsed)),
        "dropped_video_frames": sum(event.dropped_video_frames for event in closed),
        "dropped_audio_chunks": sum(event.dropped_audio_chunks for event in closed),
    }
    assert summary.model_dump(include=set(counted)) == counted
    return summary


def assert_in_time_order(events: Sequence[SessionEvent]) -> None:
    """Events are stamped as they are emitted, on one loop: neither clock may run backwards."""
    for earlier, later in itertools.pairwise(events):
        assert later.t >= earlier.t, f"session time runs backwards: {earlier} then {later}"
        assert later.wall >= earlier.wall, f"wall time runs backwards: {earlier} then {later}"


def assert_every_segment_settled(events: Sequence[SessionEvent]) -> None:
    """Each closed segment ends in exactly one way: completed, failed, skipped or unanswered, never
    twice, never not."""
    outcomes = Counter[int]()
    for kind in (SegmentCompleted, SegmentError, SegmentSkipped, SegmentUnanswered):
        outcomes.update({event.index for event in of(events, kind) if event.index is not None})
    closed = [event.index for event in of(events, SegmentClosed)]
    assert {index: outcomes[index] for index in closed} == dict.fromkeys(closed, 1)
    assert set(outcomes) <= set(closed), "an outcome for a segment that never closed"


def mmss(t: float) -> str:
    """The progress lines' clock, written independently of `app.cli.progress`."""
    tenths = round(max(0.0, t) * 10)
    return f"{tenths // 600:02d}:{(tenths % 600) // 10:02d}.{tenths % 10}"
