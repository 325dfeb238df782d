"""Listing the sessions under a recording root, newest first, as `SessionEntry`s.

A session that stopped properly has its figures in `session.json` (the recorder wrote them at the
end), so listing it reads that one small file. Any other session (one recorded by an earlier
version, one that crashed) has its events replayed, which for a long session takes a fraction of a
second; those entries are kept in a cache file in the app's cache folder (never in the session
folder), keyed by the files they were made from, so the library opens at once on the second look
and any change to a session (a rename, a crashed session's late events) is seen.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from app import __version__
from app.model.library import SessionEntry, listing_figures, session_entry
from app.review.session_folder import (
    NotASessionFolder,
    SessionFolder,
    finished_entry,
    is_session_folder,
    open_session,
)
from app.session.recording_folder import EVENTS_FILE, MANIFEST_FILE, SEGMENTS_DIR
from app.store.paths import cache_dir

log = logging.getLogger(__name__)

CACHE_FILE = "library.json"


def entry_for(folder: SessionFolder) -> SessionEntry:
    return session_entry(
        listing_figures(folder.review),
        folder=str(folder.path),
        name=folder.path.name,
        title=folder.title,
        started_at=folder.started_at,
        backend=folder.backend,
        api_version=folder.api_version,
        ended_unexpectedly=folder.ended_unexpectedly,
        notes=folder.notes,
    )


@dataclass
class ListingCache:
    """Entries by folder, each with the stamp of the files it was made from."""

    path: Path | None
    """None keeps the cache in memory only."""
    _entries: dict[str, tuple[list[int], SessionEntry]] = field(default_factory=dict)
    _changed: bool = False

    @classmethod
    def load(cls, path: Path | None = None) -> ListingCache:
        path = path or cache_dir() / CACHE_FILE
        cache = cls(path)
        try:
            data = json.loads(path.read_bytes())
            if data.get("version") != __version__:
                return cache
            for key, (stamp, entry) in data["entries"].items():
                cache._entries[key] = (list(stamp), SessionEntry.model_validate(entry))
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError, ValidationError) as error:
            log.info("the library's cache %s is unusable (%s); it is made again", path, error)
            cache._entries.clear()
        return cache

    def entry(self, folder: Path) -> SessionEntry:
        key, stamp = str(folder), _stamp(folder)
        known = self._entries.get(key)
        if known is not None and known[0] == stamp:
            return known[1]
        entry = finished_entry(folder) or entry_for(open_session(folder))
        self._entries[key] = (stamp, entry)
        self._changed = True
        return entry

    def forget_missing(self, kept: set[str]) -> None:
        for key in set(self._entries) - kept:
            del self._entries[key]
            self._changed = True

    def save(self) -> None:
        if self.path is None or not self._changed:
            return
        data = {
            "version": __version__,
            "entries": {k: (stamp, e.model_dump(mode="json")) for k, (stamp, e) in self._entries.items()},
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            part = self.path.with_suffix(".json.part")
            part.write_text(json.dumps(data), encoding="utf-8")
            part.replace(self.path)
            self._changed = False
        except OSError as error:
            log.warning("cannot write the library's cache %s: %s", self.path, error)


def session_folders(root: Path) -> Iterator[Path]:
    try:
        children = list(os.scandir(root))
    except OSError:
        return
    for child in children:
        path = Path(child.path)
        if child.is_dir() and is_session_folder(path):
            yield path


def list_sessions(root: Path, cache: ListingCache | None = None) -> list[SessionEntry]:
    """Every session folder directly under `root`, newest first; a folder that vanished while it
    was read is left out."""
    cache = cache if cache is not None else ListingCache.load()
    entries = []
    for folder in session_folders(root):
        try:
            entries.append(cache.entry(folder))
        except (NotASessionFolder, OSError) as error:
            log.info("%s left out of the library: %s", folder, error)
    cache.forget_missing({entry.folder for entry in entries})
    cache.save()
    entries.sort(key=_newest_first)
    return entries


def _newest_first(entry: SessionEntry) -> tuple[float, str]:
    started = entry.started_at
    return (-(started.timestamp() if started is not None else 0.0), entry.name)


def _stamp(folder: Path) -> list[int]:
    """Sizes and modification times of what an entry is made from; a segments folder's own time
    changes when a file is added, renamed or removed in it."""
    stamp: list[int] = []
    for name in (MANIFEST_FILE, EVENTS_FILE, SEGMENTS_DIR):
        try:
            info = (folder / name).stat()
            stamp += [info.st_size if name != SEGMENTS_DIR else 0, info.st_mtime_ns]
        except OSError:
            stamp += [-1, -1]
    return stamp
