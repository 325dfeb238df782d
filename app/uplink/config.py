"""What an `Uplink` is asked to do: where to stream, what to ask for, and how patient to be."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class UplinkConfig:
    url: str
    """wss://…, or ws:// to this computer only."""
    include: tuple[str, ...] = ()
    credential_in_subprotocol: bool = False
    """Send the credential as the single subprotocol instead of a header (PROTOCOL.md §2)."""
    max_in_flight: int = 3
    """Segments sent and awaiting `completed` or `error`."""
    stale_after_s: float = 15.0
    drain_timeout_s: float = 30.0
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    connect_attempts: int | None = None
    """Give up after this many failed attempts in a row (None: never, as the GUI wants). An attempt
    fails unless it connects and gets at least one segment completed."""
    open_timeout_s: float = 10.0
