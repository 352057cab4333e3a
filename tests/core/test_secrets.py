"""SecretStore: any keyring failure (none, locked, hanging, forgetful, plain-text) becomes one clear error."""

from __future__ import annotations

import threading
import time

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.compat import properties
from keyring.errors import KeyringLocked

from msldesk.core.secrets import KeyringUnavailableError, MemoryKeyring, SecretStore


def test_the_memory_keyring_round_trips_and_is_never_picked_by_itself() -> None:
    store = SecretStore(MemoryKeyring())
    assert store.get("token") is None
    store.set("token", "s3cret")
    assert store.get("token") == "s3cret"
    store.delete("token")
    assert store.get("token") is None
    assert not MemoryKeyring.viable  # keyring's own detection skips it


def test_no_keyring_is_a_clear_error() -> None:
    with pytest.raises(KeyringUnavailableError) as caught:
        SecretStore(fail.Keyring()).set("k", "v")
    assert "keyring" in caught.value.user_message
    assert "fail.Keyring" in caught.value.details


def test_a_keyring_that_keeps_nothing_is_refused() -> None:
    # keyring's null backend has a low priority and accepts everything silently.
    with pytest.raises(KeyringUnavailableError):
        SecretStore(null.Keyring()).set("k", "v")


class _Locked(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("the collection is locked")


def test_a_locked_keyring_is_a_clear_error() -> None:
    with pytest.raises(KeyringUnavailableError) as caught:
        SecretStore(_Locked()).set("k", "v")
    assert "locked" in caught.value.details


class _Hanging(MemoryKeyring):
    """A locked Secret Service waiting for an unlock prompt nobody answers."""

    release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(30)
        return None


def test_a_hanging_keyring_times_out() -> None:
    started = time.monotonic()
    try:
        with pytest.raises(KeyringUnavailableError) as caught:
            SecretStore(_Hanging(), timeout=0.3).get("k")
    finally:
        _Hanging.release.set()
    assert time.monotonic() - started < 5
    assert "did not answer" in caught.value.user_message


class _PlainFile(KeyringBackend):
    """Like keyrings.alt's plain-text file backend: usable, but rated below 1 by keyring."""

    @properties.classproperty
    def priority(cls) -> float:
        return 0.5

    def get_password(self, service: str, username: str) -> str | None:
        return "would work"

    def set_password(self, service: str, username: str, password: str) -> None:
        pass

    def delete_password(self, service: str, username: str) -> None:
        pass


def test_a_plain_text_keyring_is_not_used_for_secrets() -> None:
    with pytest.raises(KeyringUnavailableError, match="No secure system keyring"):
        SecretStore(_PlainFile()).get("k")
