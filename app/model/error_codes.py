"""What the service's error ids and close codes ask of a client (PROTOCOL.md §6), for every API version."""

from __future__ import annotations

import re
from typing import Literal

# PROTOCOL.md §6: what each error id means for the client.
ErrorKind = Literal[
    "internal",  # ih1001: the segment failed; reconnect if it keeps happening
    "no_capacity",  # ih1003: reconnect later, slowly
    "auth",  # ih2001/ih2002/ih2003: stop and ask for a valid key
    "rate_limited",  # ih3001/ih3002: back off longer, then retry
    "quota",  # ih3003: stop
    "too_short",  # ih4007: a bug on our side; log loudly, keep going
    "bad_segment",  # ih5001/ih5002/ih5004: the segment failed; keep going
    "too_large",  # ih6002: the segment failed; lower the bitrate
    "session_limit",  # ih6003/ih6004: reconnect at once and carry on
    "unknown",  # anything else: the segment failed; keep going
]

ERROR_ID = re.compile(r"\bih\d{4}\b", re.IGNORECASE)

_ERROR_KINDS: dict[str, ErrorKind] = {
    "ih1001": "internal",
    "ih1003": "no_capacity",
    "ih2001": "auth",
    "ih2002": "auth",
    "ih2003": "auth",
    "ih3001": "rate_limited",
    "ih3002": "rate_limited",
    "ih3003": "quota",
    "ih4007": "too_short",
    "ih5001": "bad_segment",
    "ih5002": "bad_segment",
    "ih5004": "bad_segment",
    "ih6002": "too_large",
    "ih6003": "session_limit",
    "ih6004": "session_limit",
}

ERROR_MEANINGS: dict[str, str] = {
    "ih1001": "The service had an internal error.",
    "ih1003": "The service has no analysis capacity right now.",
    "ih2001": "The API key is invalid.",
    "ih2002": "No API key was sent.",
    "ih2003": "The API key lacks the interhumanai.stream scope.",
    "ih3001": "Too many requests: the rate limit was reached.",
    "ih3002": "Too many streams at once: the concurrency limit was reached.",
    "ih3003": "The usage quota is exhausted.",
    "ih4007": "A segment was shorter than 3 seconds.",
    "ih5001": "A segment had no usable video.",
    "ih5002": "A segment could not be read.",
    "ih5004": "A segment was malformed.",
    "ih6002": "A segment was too large.",
    "ih6003": "The stream was idle for too long.",
    "ih6004": "The stream reached its maximum length.",
}
"""One sentence per error id, for when a server sends an id without a message."""


def classify_error(error_id: str | None) -> ErrorKind:
    """What an `error` message's id asks of the client (PROTOCOL.md §6)."""
    if error_id is None:
        return "unknown"
    return _ERROR_KINDS.get(error_id.strip().lower(), "unknown")


CLOSE_NORMAL = 1000
CLOSE_POLICY_VIOLATION = 1008
CLOSE_SERVER_ERROR = 1011
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_SCOPE = 4003

CloseKind = Literal["retry", "retry_slowly", "auth"]


def classify_close(code: int | None) -> CloseKind:
    """What a close by the server asks of a client that still has segments to send.

    Only 4003 (the key lacks the scope) is permanent; 1013 asks for a slower retry. Everything
    else, a normal close and an abnormal one (1006, no close frame) included, is retried.
    """
    if code == CLOSE_SCOPE:
        return "auth"
    if code == CLOSE_TRY_AGAIN_LATER:
        return "retry_slowly"
    return "retry"
