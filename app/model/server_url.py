"""Which server URLs we accept (PROTOCOL.md §1): `wss://` anywhere, plain `ws://` only to loopback."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

CLOUD_URL = "wss://api.interhuman.ai/v0/stream/analyze"
"""The Interhuman service: the default backend when an API key is configured."""


def is_loopback(host: str) -> bool:
    """Whether `host` (a name, an address, or a bracketed IPv6 address) is this computer."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


def server_url_problem(url: str) -> str | None:
    """Why `url` cannot be a stream server's address, or None if it can."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        _ = parts.port  # raises on a port that is not a number
    except ValueError:
        return f"{url!r} is not a valid URL."
    if parts.scheme not in ("ws", "wss"):
        return "The server URL must start with wss:// (or ws:// for a server on this computer)."
    if not host:
        return "The server URL has no host name."
    if parts.scheme == "ws" and not is_loopback(host):
        return "Unencrypted ws:// is allowed only to this computer (127.0.0.1); use wss://."
    if parts.username is not None:
        # websockets would turn user info into a Basic `Authorization` header beside ours.
        return "Remove the user name and password from the server URL."
    return None
