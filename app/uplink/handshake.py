"""Opening a v0 stream (PROTOCOL.md §2): address checks, the upgrade request, and what a refusal means.

The credential travels in the `Authorization` header (or, as a fallback, as the single
subprotocol) and nowhere else: websockets' own logger prints handshake headers at DEBUG, so the
connection gets a logger that cannot reach DEBUG, whatever level the user runs at.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import ssl
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from pydantic import ValidationError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, InvalidStatus
from websockets.typing import Subprotocol

from app import APP_NAME, __version__
from app.model.api_key import Redactor
from app.model.error_codes import classify_error
from app.model.server_url import server_url_problem
from app.model.vocabulary import INCLUDE_FLAGS
from app.model.wire_v0 import ErrorMessage
from app.uplink.failures import AuthRejected, QuotaExhausted, auth_rejected, quota_exhausted

log = logging.getLogger(__name__)

MAX_SERVER_MESSAGE_BYTES = 1024 * 1024
"""Status messages are a few kilobytes; anything near this is a broken server, not a result."""
CLOSE_TIMEOUT_S = 5.0
_TOKEN = re.compile(r"[-!#$%&'*+.^_`|~0-9A-Za-z]+")  # RFC 9110 token: what a subprotocol may be
_BODY_PREVIEW = 200


class _NoDebug(logging.LoggerAdapter[logging.Logger]):
    """websockets' logger with DEBUG switched off for good: at DEBUG it prints request headers."""

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and self.logger.isEnabledFor(level)


_WIRE_LOG = _NoDebug(logging.getLogger("websockets.client"), {})


class ConnectError(Exception):
    """Opening failed in a way worth retrying; `reason` is a short phrase for the user."""

    def __init__(self, reason: str, *, slow: bool = False, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.slow = slow
        self.status = status


def key_shape_problem(credential: str) -> str | None:
    """What keeps `credential` out of an HTTP header ("contains spaces or line breaks"), or None.

    A header carries visible ASCII only: a space, a line break or a letter such as "é" is a
    pasting accident, never part of a key, and no server could accept it."""
    if not credential:
        return "is empty"
    if any(ch.isspace() or not ch.isprintable() for ch in credential):
        return "contains spaces or line breaks"
    if not credential.isascii():
        return "contains characters no API key has (only ASCII letters, digits and punctuation)"
    return None


def credential_problem(credential: str | None, *, in_subprotocol: bool) -> str | None:
    """Why `credential` cannot travel in the handshake, or None if it can."""
    if credential is None:
        return "Sending the key as a subprotocol needs a key." if in_subprotocol else None
    shape = key_shape_problem(credential)
    if shape:
        return f"The API key {shape}. Enter it again in Settings."
    if in_subprotocol and not _TOKEN.fullmatch(credential):
        return (
            "The API key has characters a subprotocol cannot carry. "
            "Turn off 'send the key as a subprotocol' in Settings."
        )
    return None


def stream_url(url: str, include: Sequence[str]) -> str:
    """`url` with one `include[]` per flag (brackets percent-encoded, as a URL wants them)."""
    unknown = [flag for flag in include if flag not in INCLUDE_FLAGS]
    if unknown:
        log.warning("include flags the protocol does not define (the server ignores them): %s", unknown)
    parts = urlsplit(url.strip())
    flags = urlencode([("include[]", flag) for flag in include])
    query = "&".join(part for part in (parts.query, flags) if part)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


async def open_stream(
    url: str,
    credential: str | None,
    *,
    session_id: str,
    include: Sequence[str] = (),
    credential_in_subprotocol: bool = False,
    open_timeout_s: float = 10.0,
) -> ClientConnection:
    """Open one stream connection.

    Raises `AuthRejected` or `QuotaExhausted` when retrying is pointless, `ConnectError` when it
    is not. No exception text carries the credential.
    """
    headers: dict[str, str] = {"X-Client-Request-Id": session_id}
    subprotocols: list[Subprotocol] | None = None
    if credential is not None:
        if credential_in_subprotocol:
            subprotocols = [Subprotocol(credential)]
        else:
            headers["Authorization"] = f"Bearer {credential}"
    redact = Redactor(credential)
    try:
        return await connect(
            stream_url(url, include),
            additional_headers=headers,
            subprotocols=subprotocols,
            compression=None,  # segments are compressed video already
            proxy=None,  # the address is the service or this computer, never through a proxy
            user_agent_header=f"{APP_NAME}/{__version__}",
            open_timeout=open_timeout_s,
            close_timeout=CLOSE_TIMEOUT_S,
            max_size=MAX_SERVER_MESSAGE_BYTES,
            write_limit=(64 * 1024, 0),  # send() returns once the kernel has every byte
            logger=_WIRE_LOG,
        )
    except InvalidStatus as error:
        raise _refusal(error, redact) from None
    except TimeoutError:
        raise ConnectError(f"the server did not answer within {open_timeout_s:g} s") from None
    except ConnectionRefusedError:
        raise ConnectError("the connection was refused") from None
    except socket.gaierror:
        raise ConnectError("the host name could not be resolved") from None
    except ssl.SSLError as error:
        raise ConnectError(f"the secure connection failed ({redact(error.reason or 'TLS error')})") from None
    except OSError as error:
        raise ConnectError(f"network error ({redact(error.strerror or type(error).__name__)})") from None
    except InvalidHandshake as error:
        log.warning("bad handshake from the server: %s", type(error).__name__)
        raise ConnectError("the server did not complete the WebSocket handshake") from None


def _refusal(error: InvalidStatus, redact: Redactor) -> Exception:
    response = error.response
    status = response.status_code
    details = _error_body(response.body, redact)
    error_id = details.error_id if details else None
    named = {"error id": error_id, "correlation id": response.headers.get("X-Correlation-ID")}
    log.warning("upgrade refused: HTTP %d%s", status, "".join(f", {k} {v}" for k, v in named.items() if v))
    text = details.message if details else ""
    link = details.link if details else None
    kind = classify_error(error_id)
    if kind == "quota":
        return quota_exhausted(text, link=link)
    if kind == "auth" or status in (401, 403):
        return auth_rejected(text, error_id=error_id, link=link, status=status)
    slow = kind in ("rate_limited", "no_capacity") or status in (429, 503)
    return ConnectError(f"the server refused the connection (HTTP {status})", slow=slow, status=status)


def _error_body(body: bytes | bytearray, redact: Redactor) -> ErrorMessage | None:
    """The error a refusal's JSON body describes (either error form), if it has one."""
    text = redact(bytes(body[:65536]).decode("utf-8", "replace"))
    try:
        data: Any = json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        log.info("refusal body is not JSON: %r", text[:_BODY_PREVIEW])
        return None
    if not isinstance(data, dict):
        return None
    try:
        return ErrorMessage.model_validate({**data, "status": "error"})
    except ValidationError:
        log.info("refusal body is not an error message: %r", text[:_BODY_PREVIEW])
        return None


def correlation_id(connection: ClientConnection) -> str | None:
    response = connection.response
    return None if response is None else response.headers.get("X-Correlation-ID")


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What the settings dialog's "Test connection" shows."""

    ok: bool
    message: str
    correlation_id: str | None = None
    error_id: str | None = None
    link: str | None = None
    status: int | None = None


async def probe(
    url: str,
    credential: str | None,
    *,
    include: Sequence[str] = (),
    timeout_s: float = 10.0,
    credential_in_subprotocol: bool = False,
) -> ProbeResult:
    """Open a stream, read the handshake and close it with 1000: does this address take this key?"""
    problem = server_url_problem(url) or credential_problem(
        credential, in_subprotocol=credential_in_subprotocol
    )
    if problem:
        return ProbeResult(False, problem)
    try:
        connection = await open_stream(
            url,
            credential,
            session_id=str(uuid.uuid4()),
            include=include,
            credential_in_subprotocol=credential_in_subprotocol,
            open_timeout_s=timeout_s,
        )
    except AuthRejected as error:
        return ProbeResult(
            False, error.message, error_id=error.error_id, link=error.link, status=error.status
        )
    except QuotaExhausted as error:
        return ProbeResult(False, error.message, error_id=error.error_id, link=error.link)
    except ConnectError as error:
        return ProbeResult(False, f"Cannot connect: {error.reason}. Check the address.", status=error.status)
    found = correlation_id(connection)
    await connection.close(1000, "connection test")
    message = "Connected: the server accepted the key." if credential else "Connected."
    return ProbeResult(True, message, correlation_id=found, status=101)
