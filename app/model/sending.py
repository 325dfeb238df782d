"""Whether anything is being sent, in one sentence: what the main window, the compact window and the
tray icon all show, so a user always knows where the picture and sound go."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from app.model.timeline_snapshot import ConnectionNow
from app.model.view_state import PipelineStatus

SendingKind = Literal["sending", "local", "paused", "not_connected", "idle"]

SENDING_TEXT = "Sending to Interhuman"
LOCAL_TEXT = "Local analysis (nothing leaves this computer)"
PAUSED_TEXT = "Paused: nothing is sent"
IDLE_TEXT = "Not sending (no session)"


@dataclass(frozen=True, slots=True)
class SendingState:
    kind: SendingKind
    text: str
    detail: str
    """A longer sentence for a tooltip: what it means and what to do."""
    short: str = ""
    """What to show where `text` does not fit; `text` itself when empty."""


def sending_state(status: PipelineStatus, connection: ConnectionNow | None) -> SendingState:
    """What is being sent now, from the pipeline's status and the uplink's connection."""
    if status.paused:
        return SendingState(
            "paused",
            PAUSED_TEXT,
            "Sending is paused: the preview and the recording go on. Resume to send.",
            "Paused",
        )
    if status.backend == "local":
        return SendingState(
            "local",
            LOCAL_TEXT,
            "Segments are analysed on this computer; none is sent anywhere else.",
            "Local analysis",
        )
    if status.session_state == "idle":
        return SendingState("idle", IDLE_TEXT, "Nothing is sent until you press Start.", "Not sending")
    if connection is not None and connection.state == "connected":
        return SendingState(
            "sending",
            SENDING_TEXT,
            "Segments go to Interhuman for analysis. Pause sending to stop it.",
            "Sending",
        )
    text = _not_connected_text(connection)
    short = text.partition(": ")[2]
    return SendingState(
        "not_connected", text, _not_connected_detail(connection), short[:1].upper() + short[1:]
    )


def _not_connected_text(connection: ConnectionNow | None) -> str:
    if connection is None or connection.state == "connecting":
        return "Not connected: connecting…"
    if connection.state in ("auth_rejected", "failed", "closed"):
        return "Not connected: nothing is sent"
    if connection.retry_in_s:
        return f"Not connected: reconnecting in {max(1, math.ceil(connection.retry_in_s))} s"
    return "Not connected: reconnecting…"


def _not_connected_detail(connection: ConnectionNow | None) -> str:
    if connection is not None and connection.state in ("auth_rejected", "failed"):
        return "The connection gave up; nothing is being sent. The status bar says why."
    return "Nothing is sent until the connection is back."
