"""What an `Uplink` is asked to do, whatever the protocol version: where to stream, what to ask for,
and how patient to be."""

from __future__ import annotations

from dataclasses import dataclass

from app.model.server_url import ApiVersion


@dataclass
class UplinkConfig:
    url: str
    """wss://…, or ws:// to this computer only."""
    include: tuple[str, ...] = ()
    credential_in_subprotocol: bool = False
    """Send the credential as the single subprotocol instead of a header (PROTOCOL.md §2)."""
    max_in_flight: int = 3
    """v0: segments sent and awaiting `completed` or `error`."""
    stale_after_s: float = 15.0
    drain_timeout_s: float = 30.0
    """The longest a stop waits for the server to finish (v1/v2: at most what `session.closing` grants)."""
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    connect_attempts: int | None = None
    """Give up after this many failed attempts in a row (None: never, as the GUI wants). An attempt
    fails unless it connects and gets something analysed."""
    open_timeout_s: float = 10.0
    api: ApiVersion | None = None
    """The protocol version; None: the one the URL's path names (v0 when it names none)."""
    model: str | None = None
    """v2: the model to analyse with (`?model=` on the handshake); None: the server's default."""
    goal_dimensions: tuple[str, ...] = ()
    """v1/v2: the goals feedback text is about; none: no feedback."""
    ready_timeout_s: float = 10.0
    """v1/v2: how long a new connection waits for `session.ready`."""
    local_delivery: bool = False
    """v1/v2: ask Local analysis for its delivery figures (an extension Interhuman's service lacks)."""
    max_queued_s: float = 4.0
    """v1/v2: media waiting for the network beyond this is dropped (the oldest first)."""
