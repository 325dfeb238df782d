"""What to do next, worded for the command line: options and environment variables, not Settings.

The uplink and the capture layer say what happened (`UplinkFailure.reason`, a capture problem's
source); the desktop app words its own advice, and this module words the command line's, from
the same facts and from where the key came from.
"""

from __future__ import annotations

from typing import Literal

from app.cli.exit_codes import EXIT_BUSY, EXIT_QUOTA, EXIT_REJECTED, EXIT_UNREACHABLE
from app.store.keystore import ENV_VAR
from app.uplink import AuthRejected, ConnectFailed, QuotaExhausted, ServerBusy, UplinkFailure

KeyOrigin = Literal["environment", "keyring"] | None

CAPTURE_HINTS = {
    "camera": (
        "`interhuman-live devices` lists the cameras for --source camera:N; --source synthetic needs none."
    ),
    "microphone": (
        "`interhuman-live devices` lists the microphones for --mic NAME; --mic none runs without sound."
    ),
}


def key_origin_text(origin: KeyOrigin) -> str:
    if origin == "keyring":
        return "the API key saved in the keyring"
    return f"the API key in {ENV_VAR}"


def put_a_key(origin: KeyOrigin, what: str = "a valid key") -> str:
    """How the user gives the command another key."""
    if origin == "keyring":
        return f"save {what} in the app's Settings (or set {ENV_VAR}), then run again."
    return f"set {ENV_VAR} to {what}, then run again."


def set_key_again(origin: KeyOrigin) -> str:
    if origin == "keyring":
        return "save the key again in the app's Settings"
    return f"set {ENV_VAR} again"


def failure_advice(failure: UplinkFailure, origin: KeyOrigin) -> str:
    """The one sentence (or two) `stream` ends with when the uplink gave up."""
    if isinstance(failure, AuthRejected):
        if failure.scope:
            return (
                f"{failure.reason} Create a key with that scope in your Interhuman dashboard and "
                + put_a_key(origin, "it")
            )
        return f"{failure.reason} {_capitalised(put_a_key(origin))}"
    if isinstance(failure, ServerBusy):
        return f"{failure.reason} Try again in a few minutes, or run with --local meanwhile."
    if isinstance(failure, QuotaExhausted):
        return f"{failure.reason} Wait until it renews or raise it, then run again."
    if isinstance(failure, ConnectFailed):
        return f"{failure.reason} Check --url and your network, then run again."
    return failure.message


def failure_exit_code(failure: UplinkFailure) -> int:
    if isinstance(failure, AuthRejected):
        return EXIT_REJECTED
    if isinstance(failure, QuotaExhausted):
        return EXIT_QUOTA
    if isinstance(failure, ServerBusy):
        return EXIT_BUSY
    return EXIT_UNREACHABLE


def capture_hint(source: str) -> str | None:
    """The command line's way round a device that failed, or None when it has none to offer."""
    return CAPTURE_HINTS.get(source)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
