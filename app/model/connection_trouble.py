"""When a running session cannot reach its analysis server: what the windows say, and what they offer.

A dead server must not pass for a slow one: while the connection is lost or being retried, the
preview and the compact window show why (the reason the uplink knows, such as "the connection was
refused"), when the next attempt comes, and the ways out: retry now, switch to Local analysis,
stop now.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.model.timeline_snapshot import TimelineSnapshot
from app.model.view_state import PipelineStatus


@dataclass(frozen=True, slots=True)
class ConnectionTrouble:
    title: str
    reason: str
    """One sentence, the uplink's own words: "The connection was refused." """
    retry_in_s: float | None
    """Seconds to the next attempt; None while one is under way."""
    can_use_local: bool
    """Switching to Local analysis is a way out (the session is not on it already)."""


def connection_trouble(snapshot: TimelineSnapshot | None, status: PipelineStatus) -> ConnectionTrouble | None:
    """The trouble to show, or None while the connection is up (or no session runs)."""
    if snapshot is None or snapshot.connection is None or status.session_state != "running":
        return None
    connection = snapshot.connection
    if connection.state not in ("lost", "reconnecting"):
        return None
    cloud = status.backend == "cloud"
    title = "Interhuman cannot be reached" if cloud else "Local analysis is not answering"
    reason = _sentence(connection.detail) or "The connection to the analysis server is down."
    return ConnectionTrouble(title, reason, connection.retry_in_s, can_use_local=cloud)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."
