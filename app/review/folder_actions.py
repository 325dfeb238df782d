"""What the library may do to a session folder: give it a title, and delete it (to the trash).

A title is one key of `session.json`, changed in place: every other key, including those of a newer
version this one does not know, is written back as it was.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Literal

from app.review.session_folder import NotASessionFolder, is_session_folder
from app.session.recording_folder import MANIFEST_FILE

log = logging.getLogger(__name__)

MAX_TITLE = 200


class FolderActionFailed(RuntimeError):
    """The action could not be done; the message says why and what to do."""


class NoTrash(FolderActionFailed):
    """There is no trash for this folder: it can only be deleted for good."""


def rename_session(folder: Path, title: str) -> str:
    """Store `title` (trimmed; empty goes back to the default title) in `session.json`."""
    if not is_session_folder(folder):
        raise NotASessionFolder(f"{folder} is not a session folder.")
    title = " ".join(title.split())[:MAX_TITLE]
    path = folder / MANIFEST_FILE
    try:
        data = json.loads(path.read_bytes()) if path.exists() else {}
    except (OSError, ValueError) as error:
        raise FolderActionFailed(
            f"{MANIFEST_FILE} cannot be read ({error}), so the title was not saved; nothing was changed."
        ) from error
    if not isinstance(data, dict):
        raise FolderActionFailed(f"{MANIFEST_FILE} is not a JSON object, so the title was not saved.")
    data["title"] = title or None
    part = path.with_name(path.name + ".part")
    try:
        part.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        part.replace(path)
    except OSError as error:
        part.unlink(missing_ok=True)
        raise FolderActionFailed(f"Cannot save the title in {folder} ({error.strerror}).") from error
    log.info("session %s renamed to %r", folder.name, title)
    return title


def delete_session(folder: Path, *, permanently: bool = False) -> Literal["trash", "deleted"]:
    """Move the session folder to the system's trash; raise `NoTrash` where it has none, so the
    user can be asked whether to delete it for good (`permanently=True`)."""
    if not is_session_folder(folder):
        raise NotASessionFolder(f"{folder} is not a session folder; it was not deleted.")
    if permanently:
        try:
            shutil.rmtree(folder)
        except OSError as error:
            raise FolderActionFailed(f"Cannot delete {folder} ({error.strerror}).") from error
        log.info("session %s deleted", folder.name)
        return "deleted"
    # Imported here, not above: on Linux it reads where the trash is (XDG_DATA_HOME) when first
    # imported, so it must not be before the process's environment is final.
    from send2trash import TrashPermissionError, send2trash

    try:
        send2trash(folder)
    except TrashPermissionError as error:
        raise NoTrash(f"There is no trash for {folder}.") from error
    except OSError as error:
        raise FolderActionFailed(f"Cannot move {folder} to the trash ({error}).") from error
    log.info("session %s moved to the trash", folder.name)
    return "trash"
