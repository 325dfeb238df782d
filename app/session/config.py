"""What a session is asked to do: sources, format, segment length, backend, recording."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from app.model.server_url import ApiVersion
from app.model.source_spec import CaptureFormat, MicSpec, SourceSpec

LOCAL = "local"

EndReason = Literal["stopped", "source_finished", "duration", "uplink_failed"]


@dataclass(frozen=True)
class SessionConfig:
    source: SourceSpec = field(default_factory=lambda: SourceSpec("camera"))
    microphone: MicSpec = field(default_factory=lambda: MicSpec(None))
    capture: CaptureFormat = field(default_factory=CaptureFormat)
    segment_s: float = 4.0
    codec: str = "vp8"
    realtime: bool = True
    duration_s: float | None = None
    url: str = LOCAL
    """The server's URL, or `LOCAL` for the embedded local analyzer."""
    include: tuple[str, ...] = ()
    api: ApiVersion | None = None
    """The protocol version; None: the one the URL's path names (the local analyzer's: v0)."""
    model: str | None = None
    """v2: the model to analyse with; None: the server's default."""
    goal_dimensions: tuple[str, ...] = ()
    """v1/v2: the goals feedback text is about."""
    record: bool = True
    """Keep a recording on disk; off, nothing of the session is written."""
    record_dir: Path | None = None
    """A folder for this session's recording; None for a new folder under `record_root`."""
    record_root: Path | None = None
    """Where new session folders go; None for the platform data directory."""
    record_media: bool = True
    """Write the segments to disk; without, the recording holds only `events.jsonl` and `session.json`."""
    local_only: bool = False
    """Connect to no other computer: a URL that is not this computer is refused at start."""
    credential_in_subprotocol: bool = False
    connect_attempts: int | None = None

    @property
    def backend(self) -> Literal["local", "cloud"]:
        return "local" if self.url == LOCAL else "cloud"
