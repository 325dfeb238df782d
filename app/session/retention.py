"""Deleting recordings older than the retention setting."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from app.session.manifest import SessionManifest
from app.session.recording_folder import EVENTS_FILE, MANIFEST_FILE, SESSION_NAME

log = logging.getLogger(__name__)


def prune_sessions(root: Path, keep_days: int, *, now: datetime | None = None) -> int:
    """Delete the session folders under `root` that started more than `keep_days` days ago.

    Only folders that look like sessions (named by `default_session_folder`, holding a
    `session.json` or `events.jsonl`) are touched. Returns how many were deleted.
    """
    if keep_days < 1:
        raise ValueError("keep_days must be at least 1")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
    removed = 0
    if not root.is_dir():
        return 0
    for folder in sorted(root.iterdir()):
        if not (folder.is_dir() and SESSION_NAME.match(folder.name)):
            continue
        started = _started_at(folder)
        if started is None or started >= cutoff:
            continue
        try:
            shutil.rmtree(folder)
        except OSError as error:
            log.warning("cannot delete the old session %s: %s", folder, error)
            continue
        removed += 1
    if removed:
        log.info("deleted %d session(s) older than %d days from %s", removed, keep_days, root)
    return removed


def _started_at(folder: Path) -> datetime | None:
    """When the session in `folder` started: `session.json` says; else the files' own time."""
    manifest = folder / MANIFEST_FILE
    try:
        return SessionManifest.model_validate_json(manifest.read_bytes()).started_at
    except (OSError, ValidationError):
        pass
    for name in (MANIFEST_FILE, EVENTS_FILE):
        try:
            return datetime.fromtimestamp((folder / name).stat().st_mtime, UTC)
        except OSError:
            continue
    return None
