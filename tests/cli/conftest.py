"""Fixtures for the end-to-end `stream` tests: an isolated home per test, the command runner, test servers.

Every process and server thread a test starts is stopped when the test ends, pass or fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.protocol_server import Script
from support.stream_helpers import Serve, ServerThread, StreamCommand, UserHome


@pytest.fixture
def home(tmp_path: Path) -> UserHome:
    """The subprocess's own XDG folders and HOME: it never sees the user's keyring, settings or data."""
    home = UserHome(tmp_path / "home")
    (home.root / "runtime").mkdir(parents=True, mode=0o700)
    return home


@pytest.fixture
def stream(home: UserHome, tmp_path: Path) -> Iterator[StreamCommand]:
    command = StreamCommand(home, tmp_path / "runs")
    yield command
    command.close()


@pytest.fixture
def serve() -> Iterator[Serve]:
    """`serve(*scripts, key=None)` → a started `ServerThread`; all are stopped after the test."""
    started: list[ServerThread] = []

    def start(*scripts: Script, key: str | None = None) -> ServerThread:
        server = ServerThread(*scripts, key=key).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
