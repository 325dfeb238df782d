"""The key's store: the keyring or the environment, never a plain file, and where no Secret Service
runs, the words say which package provides one."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import chainer
from keyrings.alt.file import PlaintextKeyring
from support.memory_keyring import MemoryKeyring

from app.store.keystore import KeyStore, KeyStoreUnavailable, keeps_secrets_safe, missing_keyring_hint

KEY = "ih_live_0123456789abcdefKEYSTORE"


@pytest.fixture
def plain_file_keyring(tmp_path: Path) -> Iterator[PlaintextKeyring]:
    """keyrings.alt's plain-file keyring, as a machine without a Secret Service may have installed."""
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring_pass.cfg")  # type: ignore[misc]
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_a_keyring_that_writes_a_plain_file_is_never_used(plain_file_keyring: PlaintextKeyring) -> None:
    store = KeyStore()
    assert not store.available()
    with pytest.raises(KeyStoreUnavailable) as refused:
        store.store(KEY)
    assert not Path(plain_file_keyring.file_path).exists(), "nothing was written to the file"
    assert KEY not in str(refused.value)
    if sys.platform.startswith("linux"):
        assert "gnome-keyring" in str(refused.value) and "kwalletmanager" in str(refused.value)
    assert store.credential() is None
    assert store.view().keyring_available is False


def test_a_chain_with_a_file_keyring_as_fallback_is_refused_too() -> None:
    assert not keeps_secrets_safe(_Chain([MemoryKeyring(), PlaintextKeyring()]))
    assert keeps_secrets_safe(_Chain([MemoryKeyring()]))
    assert keeps_secrets_safe(MemoryKeyring())


def test_a_real_keyring_keeps_the_key(memory_keyring: MemoryKeyring) -> None:
    store = KeyStore()
    assert store.available()
    store.store(KEY)
    credential = store.credential()
    assert credential is not None and credential.value == KEY and credential.origin == "keyring"


def test_without_a_keyring_linux_users_are_told_which_package_provides_one() -> None:
    hint = missing_keyring_hint("linux")
    assert hint == (
        "No Secret Service is running to keep the key in: install gnome-keyring (GNOME and most desktops) "
        "or KWallet (kwalletmanager, on KDE), then log in again; or set the INTERHUMAN_API_KEY "
        "environment variable instead."
    )
    assert KeyStore().view().keyring_hint == missing_keyring_hint()


class _Chain(chainer.ChainerBackend):
    """keyring's chainer over the given backends, as `keyring` builds it when several are viable."""

    def __init__(self, backends: list[object]) -> None:
        super().__init__()
        self._given = backends

    @property
    def backends(self):  # type: ignore[no-untyped-def, override]
        return self._given
