"""Local-only mode: the rule for what a session may connect to, and what a refusal says.

In local-only mode the app opens no connection to another computer: the analysis is the embedded
Local analysis, a server URL must name this computer by address, and the analyzer listens only on
this computer. A host *name* is refused even when it is "localhost": resolving one may ask a DNS
server, which is a connection to another computer.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

REFUSAL = "Local-only mode is on, so the app connects to no other computer"
"""The start of every refusal; what follows names what was refused and what to do."""


def is_loopback_address(host: str) -> bool:
    """Whether `host` is a loopback address written out (127.0.0.0/8, ::1), not a name."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_refusal(url: str, *, how_to_leave: str) -> str | None:
    """Why local-only mode refuses to stream to `url`, or None when `url` is this computer.

    `how_to_leave` names the switch for this front end ("turn it off in Settings", "leave out
    --local-only").
    """
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        host = ""
    if is_loopback_address(host):
        return None
    where = f"{host} is not this computer" if host else f"{url!r} names no computer"
    return f"{REFUSAL}: {where}. Use Local analysis, or {how_to_leave}."


def host_refusal(host: str, *, how_to_leave: str) -> str | None:
    """Why local-only mode refuses to listen on `host`, or None for a loopback address."""
    if is_loopback_address(host):
        return None
    return f"{REFUSAL}: listening on {host} would let other computers in. Use 127.0.0.1, or {how_to_leave}."


CLOUD_REFUSAL = (
    f"{REFUSAL}: Interhuman's analysis is refused. Choose Local analysis, or turn local-only mode off."
)
"""The settings dialog's answer to choosing Interhuman while local-only mode is on."""
