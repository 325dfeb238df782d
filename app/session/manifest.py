"""`session.json`: what a recording says about itself (settings without secrets, versions, summary).

A review, a report or a support request reads this file to know what produced a session folder.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python

from app import __version__
from app.model.events import SessionSummary, wall_now
from app.model.library import ListingFigures
from app.model.versions import LibraryVersions

if TYPE_CHECKING:
    from app.session.config import SessionConfig


MANIFEST_FORMAT = 1
_SECRET_NAME = re.compile(r"(?:^|_)(?:key|token|secret|password|passphrase|credential)s?$", re.IGNORECASE)
"""Names of settings that hold a secret ("api_key", "access_token"), not of ones about a secret
("credential_in_subprotocol")."""


class SessionManifest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    format: int = MANIFEST_FORMAT
    session_id: str
    app_version: str = __version__
    started_at: datetime = Field(default_factory=wall_now)
    ended_at: datetime | None = None
    source: str
    """What was captured, e.g. "camera:0 + microphone default" or "file:/path/talk.mp4"."""
    server_url: str
    settings: dict[str, Any] = Field(default_factory=dict)
    """The session's settings, with anything named like a secret removed."""
    versions: LibraryVersions
    summary: SessionSummary | None = None
    title: str | None = None
    """The name the user gave the session in the library; None until they do."""
    listing: ListingFigures | None = None
    """What the library lists of the session's results, worked out when it stopped."""


def build_manifest(
    session_id: str, config: SessionConfig, url: str, versions: LibraryVersions
) -> SessionManifest:
    """The manifest of a session about to start with `config`, streaming to `url`."""
    source = str(config.source)
    if not config.source.has_own_audio:
        source += f" + microphone {config.microphone}"
    return SessionManifest(
        session_id=session_id,
        source=source,
        server_url=url,
        settings=without_secrets(to_jsonable_python(dataclasses.asdict(config))),
        versions=versions,
    )


def without_secrets(settings: dict[str, Any]) -> dict[str, Any]:
    """`settings` minus every entry, at any depth, whose name looks like it holds a secret."""
    clean: dict[str, Any] = {}
    for name, value in settings.items():
        if _SECRET_NAME.search(name):
            continue
        clean[name] = without_secrets(value) if isinstance(value, dict) else value
    return clean
