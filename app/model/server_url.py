"""Which server URLs we accept (PROTOCOL.md §1): `wss://` anywhere, plain `ws://` only to loopback."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

CLOUD_URL = "wss://api.interhuman.ai/v0/stream/analyze"
"""The Interhuman service: the default backend when an API key is configured."""

ApiVersion = Literal["v0", "v1", "v2"]
API_VERSIONS: tuple[ApiVersion, ...] = ("v0", "v1", "v2")
_STREAM_PATH = re.compile(r"/(v[012])/stream/analyze/?$")


def api_of_url(url: str) -> ApiVersion | None:
    """The protocol version a URL's path names (`/v0/`, `/v1/`, `/v2/stream/analyze`), if any."""
    found = _STREAM_PATH.search(urlsplit(url.strip()).path)
    return next((api for api in API_VERSIONS if found is not None and found.group(1) == api), None)


def url_for_api(url: str, api: ApiVersion) -> str:
    """`url` with its stream path switched to `api`'s; a URL that names no version stays as it is."""
    parts = urlsplit(url.strip())
    if _STREAM_PATH.search(parts.path) is None:
        return url
    path = _STREAM_PATH.sub(f"/{api}/stream/analyze", parts.path)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


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
