"""Why the uplink gave up, in words a user can act on.

Every text here reaches the user (status bar, dialogs, `stream` output). None may carry the
credential: server-provided text passes through `Redactor` before it is used anywhere.
"""

from __future__ import annotations

KEY_HINT = "Enter a valid API key in Settings, then start again."
SCOPE_HINT = (
    "This API key lacks the interhumanai.stream scope. "
    "Create a key with that scope in your Interhuman dashboard and enter it in Settings."
)
QUOTA_HINT = "Your Interhuman usage quota is used up. Wait until it renews or raise it, then start again."


class UplinkFailure(Exception):
    """The uplink gave up. `message` is a short sentence for the user that says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthRejected(UplinkFailure):
    """The service refused the credential (HTTP 401/403, ih2001–ih2003, close 4003): never retried."""

    def __init__(
        self,
        message: str,
        *,
        error_id: str | None = None,
        link: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.error_id = error_id
        self.link = link
        self.status = status


class ConnectFailed(UplinkFailure):
    """The retry budget ran out before a connection stayed up."""


class QuotaExhausted(UplinkFailure):
    """ih3003: the account's usage quota is used up."""

    def __init__(self, message: str, *, link: str | None = None) -> None:
        super().__init__(message)
        self.error_id = "ih3003"
        self.link = link


def auth_rejected(
    server_text: str, *, error_id: str | None, link: str | None, status: int | None
) -> AuthRejected:
    """The failure for a refused credential; a missing scope gets its own advice."""
    scope = error_id == "ih2003" or status in (403, 4003)
    hint = SCOPE_HINT if scope else KEY_HINT
    return AuthRejected(_with_hint(server_text, hint), error_id=error_id, link=link, status=status)


def quota_exhausted(server_text: str, *, link: str | None) -> QuotaExhausted:
    return QuotaExhausted(_with_hint(server_text, QUOTA_HINT), link=link)


def _with_hint(server_text: str, hint: str) -> str:
    text = server_text.strip()
    if not text or text.rstrip(".").lower() in hint.lower():
        return hint
    return f"{text.rstrip('.')}. {hint}"
