"""An in-memory `keyring` backend for tests: a real backend class, so `KeyStore` goes through the
real `keyring` API, but nothing ever reaches the user's own keyring.

Install it per test with `keyring.set_keyring(MemoryKeyring())` and put the previous backend back
afterwards (the `memory_keyring` fixture in tests/widgets/conftest.py does both).
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        # Below every real backend: keyring's own discovery must never pick this one.
        return -1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise PasswordDeleteError(f"no password for {username!r} in {service!r}") from None
