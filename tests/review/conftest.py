"""Fixtures for the review tests: one session recorded by the real pipeline for the whole run, and a
fresh copy of it for each test to read or break."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.session_folders import copy_session, record_session
from support.stream_helpers import UserHome


@pytest.fixture(scope="session")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """16 s of the synthetic source through Local analysis, 4 s segments (read-only: copy it first)."""
    base = tmp_path_factory.mktemp("recorded")
    home = UserHome(base / "home")
    (home.root / "runtime").mkdir(parents=True, mode=0o700)
    return record_session(base / "20261201-081500-synthet1", home)


@pytest.fixture
def session(recorded: Path, tmp_path: Path) -> Path:
    """A copy of the recorded session, the test's to change."""
    return copy_session(recorded, tmp_path / "sessions" / recorded.name)
