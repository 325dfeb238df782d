"""Test configuration shared by every test: offscreen Qt, no user files, no real keyring, no network."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Before anything imports Qt: tests never need a display unless they start Xvfb themselves.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The user's key must never leak into a test run.
os.environ.pop("INTERHUMAN_API_KEY", None)

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS))


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings, data, logs and keyring live in a fresh temporary home for every test."""
    home = tmp_path_factory.mktemp("home")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.delenv("INTERHUMAN_API_KEY", raising=False)
