"""The API key as text: what may be one, and keeping one out of what is shown or logged (the
credential itself, and anything shaped like a key or a bearer token)."""

from __future__ import annotations

import re
from dataclasses import dataclass

KEY_SHAPED = re.compile(
    r"(?P<key_prefix>ih_(?:live|test)_)(?P<key>[A-Za-z0-9_\-]+)"
    r"|(?P<bearer>Bearer\s+)(?P<token>\S+)"
)
"""Text shaped like an Interhuman key or a bearer token: what the log filter and the error dialog
hide even when no known key is at hand."""


@dataclass(frozen=True, slots=True)
class Redactor:
    """Replaces the credential wherever it appears in text that came from outside."""

    credential: str | None

    def __call__(self, text: str) -> str:
        if self.credential and self.credential in text:
            return text.replace(self.credential, "…")
        return text


def looks_like_key(value: str) -> str | None:
    """Why `value` cannot be an API key, or None if it might be one."""
    stripped = value.strip()
    if not stripped:
        return "The key is empty."
    if any(ch.isspace() for ch in stripped):
        return "The key contains spaces. Paste it again without line breaks."
    if len(stripped) < 8:
        return "The key is too short. Copy the whole key from your Interhuman dashboard."
    return None
