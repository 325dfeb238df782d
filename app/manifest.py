"""`session.json`: what a recording says about itself (settings without secrets, versions, summary).

A review, a report or a support request reads this file to know what produced a session folder.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import logging
import platform
import re
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python

from app import __version__
from app.events import SessionSummary, wall_now

if TYPE_CHECKING:
    from app.session_config import SessionConfig

log = logging.getLogger(__name__)

MANIFEST_FORMAT = 1
_SECRET_NAME = re.compile(r"(?:^|_)(?:key|token|secret|password|passphrase|credential)s?$", re.IGNORECASE)
"""Names of settings that hold a secret ("api_key", "access_token"), not of ones about a secret
("credential_in_subprotocol")."""


class LibraryVersions(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    python: str
    pyside6: str
    qt: str
    pyav: str
    ffmpeg: str
    opencv: str
    websockets: str

    def labelled(self) -> dict[str, str]:
        """The versions under the names people know them by, for the About box and --self-test."""
        return {
            "Python": self.python,
            "PySide6": self.pyside6,
            "Qt": self.qt,
            "PyAV": self.pyav,
            "FFmpeg": self.ffmpeg,
            "OpenCV": self.opencv,
            "websockets": self.websockets,
        }


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


def build_manifest(session_id: str, config: SessionConfig, url: str) -> SessionManifest:
    """The manifest of a session about to start with `config`, streaming to `url`."""
    source = str(config.source)
    if not config.source.has_own_audio:
        source += f" + microphone {config.microphone}"
    return SessionManifest(
        session_id=session_id,
        source=source,
        server_url=url,
        settings=without_secrets(to_jsonable_python(dataclasses.asdict(config))),
        versions=library_versions(),
    )


def without_secrets(settings: dict[str, Any]) -> dict[str, Any]:
    """`settings` minus every entry, at any depth, whose name looks like it holds a secret."""
    clean: dict[str, Any] = {}
    for name, value in settings.items():
        if _SECRET_NAME.search(name):
            continue
        clean[name] = without_secrets(value) if isinstance(value, dict) else value
    return clean


def library_versions() -> LibraryVersions:
    """Versions of what decides how a session behaves. OpenCV is asked through its package metadata
    unless loaded already: a session need not pay for importing it."""
    import av
    from PySide6.QtCore import qVersion

    opencv = (
        sys.modules["cv2"].__version__ if "cv2" in sys.modules else _distribution("opencv-python-headless")
    )
    return LibraryVersions(
        python=platform.python_version(),
        pyside6=_distribution("PySide6"),
        qt=qVersion(),
        pyav=av.__version__,
        ffmpeg=str(av.ffmpeg_version_info),
        opencv=opencv,
        websockets=_distribution("websockets"),
    )


def _distribution(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
