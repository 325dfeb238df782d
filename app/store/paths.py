"""Where the app keeps its files, per platform (platformdirs): settings, recordings, logs."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from app import APP_NAME


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def sessions_root() -> Path:
    """The default folder holding one sub-folder per recorded session."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "sessions"


def cache_dir() -> Path:
    """What can be made again at any time (the session library's listing cache)."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
