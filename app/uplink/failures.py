"""Why the uplink gave up, in words a user can act on.

Every text here reaches the user (status bar, dialogs, `stream` output). None may carry the
credential: server-provided text passes through `Redactor` before it is used anywhere.

Each failure has a `reason` (what happened, the server's own words where it gave some) and a
`message`: the reason with what to do next, worded for the desktop app. The command line words
its own advice from the reason and the failure's type (`app.cli.advice`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.uplink.replies import Retry

KEY_HINT = "Enter a valid API key in Settings, then start again."
SCOPE_REASON = "This API key lacks the interhumanai.stream scope."
SCOPE_HINT = "Create a key with that scope in your Interhuman dashboard and enter it in Settings."
QUOTA_REASON = "Your Interhuman usage quota is used up."
QUOTA_HINT = "Wait until it renews or raise it, then start again."
NETWORK_HINT = "Check the address and your network, then start again."
BUSY_HINT = "Try again in a few minutes, or use Local analysis meanwhile."


class UplinkFailure(Exception):
    """The uplink gave up. `message` is a short sentence for the user that says what to do."""

    def __init__(self, reason: str, hint: str = "") -> None:
        self.reason = _sentence(reason)
        self.message = f"{self.reason} {hint}".strip()
        super().__init__(self.message)


class AuthRejected(UplinkFailure):
    """The service refused the credential (HTTP 401/403, ih2001–ih2003, close 4003): never retried.
    `scope`: the key is valid but lacks the stream scope."""

    def __init__(
        self,
        reason: str,
        *,
        scope: bool = False,
        error_id: str | None = None,
        link: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(reason, SCOPE_HINT if scope else KEY_HINT)
        self.scope = scope
        self.error_id = error_id
        self.link = link
        self.status = status


class ConnectFailed(UplinkFailure):
    """No connection stayed up: the retry budget ran out, or the session ended before one did.
    `reason` is the last attempt's ("the connection was refused")."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Cannot stream to the analysis server ({reason.rstrip('.')}).", NETWORK_HINT)
        self.attempt_reason = reason


class ServerBusy(ConnectFailed):
    """The server was reached but kept saying it is busy or rate-limiting (ih1003, ih3001/ih3002,
    HTTP 429/503, close 1013) until the budget ran out or the session ended."""

    def __init__(self, reason: str, *, attempts: int) -> None:
        tries = f"{attempts} attempt{'' if attempts == 1 else 's'}"
        UplinkFailure.__init__(
            self,
            f"The analysis server is busy ({reason.rstrip('.')}); it analysed nothing in {tries}.",
            BUSY_HINT,
        )
        self.attempt_reason = reason
        self.attempts = attempts


class QuotaExhausted(UplinkFailure):
    """ih3003: the account's usage quota is used up."""

    def __init__(self, reason: str, *, link: str | None = None) -> None:
        super().__init__(reason, QUOTA_HINT)
        self.error_id = "ih3003"
        self.link = link


def auth_rejected(
    server_text: str, *, error_id: str | None, link: str | None, status: int | None
) -> AuthRejected:
    """The failure for a refused credential; a missing scope gets its own advice."""
    scope = error_id == "ih2003" or status in (403, 4003)
    if scope:
        reason = _own_words(server_text, SCOPE_REASON, "interhumanai.stream")
    else:
        reason = server_text.strip() or "The service refused the API key."
    return AuthRejected(reason, scope=scope, error_id=error_id, link=link, status=status)


def quota_exhausted(server_text: str, *, link: str | None) -> QuotaExhausted:
    return QuotaExhausted(_own_words(server_text, QUOTA_REASON, "quota"), link=link)


def _own_words(server_text: str, ours: str, topic: str) -> str:
    """The server's text when it names the `topic` itself, else ours with the server's beside it:
    never the same thing said twice, and never less than ours says."""
    text = server_text.strip().rstrip(".")
    if not text:
        return ours
    if topic in text.lower():
        return text
    return f"{ours.rstrip('.')} (the server said: {text})."


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")")) else f"{text}."


def undelivered(last_attempt: Retry | None, *, attempts: int) -> ConnectFailed:
    """The failure for a session that ended before any connection was up to deliver its segments."""
    if last_attempt is None:
        return ConnectFailed("it did not answer before the session ended")
    return gave_up(last_attempt.reason, busy=last_attempt.slow, attempts=max(1, attempts))


def gave_up(reason: str, *, busy: bool, attempts: int) -> ConnectFailed:
    """The failure for a server that never took a segment: busy when it said so, else unreachable."""
    return ServerBusy(reason, attempts=attempts) if busy else ConnectFailed(reason)
