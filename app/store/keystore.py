"""Where the API key lives: the `INTERHUMAN_API_KEY` environment variable, else the OS keyring.

Never a settings file, a command-line argument, a log line or an exception text. Like Vorta's
keyring layer, the store says which backend is in use, and when the system has no usable
keyring the UI offers the environment variable instead, and on Linux names the package that
provides a Secret Service. A keyring backend that keeps secrets in a file (keyrings.alt's) counts
as none: the key never falls back to a plain file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from dataclasses import dataclass
from typing import Literal

from app.model.api_key import looks_like_key
from app.model.view_state import KeyChange, KeyStoreView

log = logging.getLogger(__name__)


ENV_VAR = "INTERHUMAN_API_KEY"
SERVICE = "interhuman-live"
ACCOUNT = "api-key"


SECRET_SERVICE_HINT = (
    "No Secret Service is running to keep the key in: install gnome-keyring (GNOME and most "
    "desktops) or KWallet (kwalletmanager, on KDE), then log in again"
)


def missing_keyring_hint(platform: str = sys.platform) -> str:
    """What to do when there is no keyring, in words for this platform."""
    if platform.startswith("linux"):
        return f"{SECRET_SERVICE_HINT}; or set the {ENV_VAR} environment variable instead."
    return f"This system's keyring cannot be used: set the {ENV_VAR} environment variable instead."


def keeps_secrets_safe(backend: object) -> bool:
    """Whether `backend` is a real keyring: not the fail/null ones, and nothing that writes the
    secret into a file (keyrings.alt's file backends carry a `file_path`), even as a fallback."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        backends = list(backend.backends)
        return bool(backends) and all(keeps_secrets_safe(b) for b in backends)
    return not hasattr(backend, "file_path")


class KeyStoreUnavailable(Exception):
    """No usable OS keyring: the key can only come from the environment variable."""


@dataclass(frozen=True, slots=True)
class Credential:
    value: str
    origin: Literal["environment", "keyring"]

    def __repr__(self) -> str:  # keeps the key out of tracebacks, logs and debuggers' summaries
        return f"Credential(origin={self.origin!r}, value=<{len(self.value)} characters>)"

    __str__ = __repr__


class KeyStore:
    """The API key in the OS keyring (via `keyring`), with the environment variable taking precedence."""

    def view(self) -> KeyStoreView:
        """What the settings dialog shows about the key: where it comes from and where it would go."""
        try:
            credential = self.credential()
        except Exception as error:  # a broken keyring must not stop the dialog from opening
            log.warning("cannot read the saved key: %s", type(error).__name__)
            credential = None
        return KeyStoreView(
            origin=None if credential is None else credential.origin,
            keyring_available=self.available(),
            keyring_name=self.backend_name(),
            env_var=ENV_VAR,
            keyring_hint=missing_keyring_hint(),
        )

    def apply(self, change: KeyChange) -> None:
        """Store a newly typed key or remove the saved one, as the user asked in Settings."""
        if change.new_key:
            self.store(change.new_key)
        elif change.remove_saved:
            self.delete()

    def backend_name(self) -> str:
        """A short name of the keyring backend in use, for the settings dialog."""
        try:
            import keyring

            backend = keyring.get_keyring()
        except Exception as error:  # keyring raises assorted errors on broken systems
            log.warning("no keyring backend: %s", type(error).__name__)
            return "none"
        return getattr(backend, "name", type(backend).__name__)

    def available(self) -> bool:
        """Whether a real keyring backend is in use (see `keeps_secrets_safe`)."""
        try:
            import keyring

            backend = keyring.get_keyring()
        except Exception:
            return False
        if keeps_secrets_safe(backend):
            return True
        if hasattr(backend, "file_path"):
            log.warning(
                "the %s keyring keeps secrets in a file: not used for the API key", type(backend).__name__
            )
        return False

    def credential(self) -> Credential | None:
        from_env = os.environ.get(ENV_VAR, "").strip()
        if from_env:
            return Credential(from_env, "environment")
        if not self.available():
            return None
        try:
            import keyring

            stored = keyring.get_password(SERVICE, ACCOUNT)
        except Exception as error:
            log.warning("cannot read the keyring: %s", type(error).__name__)
            return None
        return Credential(stored, "keyring") if stored else None

    def store(self, key: str) -> None:
        problem = looks_like_key(key)
        if problem:
            raise ValueError(problem)
        if not self.available():
            raise KeyStoreUnavailable(f"The key cannot be saved. {missing_keyring_hint()}")
        import keyring

        try:
            keyring.set_password(SERVICE, ACCOUNT, key.strip())
        except Exception as error:
            raise KeyStoreUnavailable(
                f"The keyring refused the key ({type(error).__name__}). Set {ENV_VAR} instead."
            ) from None
        log.info("API key stored in the %s keyring", self.backend_name())

    def delete(self) -> None:
        if not self.available():
            return
        import keyring
        from keyring.errors import PasswordDeleteError

        with contextlib.suppress(PasswordDeleteError):  # nothing stored: nothing to delete
            keyring.delete_password(SERVICE, ACCOUNT)
        log.info("API key removed from the keyring")
