"""Secrets in the operating system's keyring, never in files; an in-memory keyring for tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError

from msldesk.core.errors import MsldeskError

SERVICE = "msldesk"
# A locked Secret Service makes keyring calls wait for an unlock prompt, or forever where there is
# no one to answer it. Long enough to type a login password into that prompt, short enough that a
# headless session still gets an answer.
DEFAULT_TIMEOUT_SECONDS = 30.0

T = TypeVar("T")


class KeyringUnavailableError(MsldeskError):
    """No usable keyring: none installed, locked, refusing, too slow, or one that keeps plain text."""

    kind = "keyring-unavailable"


class SecretStore:
    """Named secrets for msldesk in a keyring backend (the system's, unless one is given).

    Every call runs on a helper thread with a timeout, and every failure of the backend comes out as
    KeyringUnavailableError, so callers can fall back to asking for a passphrase.
    """

    def __init__(
        self, backend: Any = None, timeout: float = DEFAULT_TIMEOUT_SECONDS, service: str = SERVICE
    ) -> None:
        self._backend = backend
        self.timeout = timeout
        self.service = service

    def get(self, name: str) -> str | None:
        return self._call(lambda kr: kr.get_password(self.service, name))

    def set(self, name: str, value: str) -> None:
        """Store and read back: some backends (keyring's null one) accept a secret and keep nothing."""

        def store(kr: Any) -> str | None:
            kr.set_password(self.service, name, value)
            return kr.get_password(self.service, name)

        if self._call(store) != value:
            raise KeyringUnavailableError(
                "The system keyring did not keep the secret.", f"{self.describe()} returned another value"
            )

    def delete(self, name: str) -> None:
        self._call(lambda kr: kr.delete_password(self.service, name))

    def describe(self) -> str:
        """The backend's class, for messages and the self-test (does not call the backend)."""
        backend = self._backend
        if backend is None:
            return "the system keyring"
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def _call(self, operation: Callable[[Any], T]) -> T:
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                backend = self._backend if self._backend is not None else _system_keyring()
                _refuse_unrecommended(backend)
                outcome["value"] = operation(backend)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below, on its own thread
                outcome["error"] = exc

        # A daemon thread, not an executor: a keyring that never answers must not keep the program
        # from exiting (executor threads are joined at exit).
        worker = threading.Thread(target=run, name="msldesk-keyring", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            raise KeyringUnavailableError(
                f"The system keyring did not answer within {self.timeout:g} seconds (is it locked?).",
                self.describe(),
            )
        error = outcome.get("error")
        if isinstance(error, KeyringUnavailableError):
            raise error
        if error is not None:
            # Backends raise keyring.errors.KeyringError, but also D-Bus, OS and their own errors.
            raise KeyringUnavailableError(
                "The system keyring cannot be used.", f"{type(error).__name__}: {error}"
            ) from error
        return outcome["value"]


def _system_keyring() -> Any:
    import keyring

    return keyring.get_keyring()  # the first call looks for backends, which can itself hang


def _refuse_unrecommended(backend: Any) -> None:
    """keyring rates backends that keep secrets in plain files (keyrings.alt) below 1: never use them
    for the database key, which would then sit beside the database it protects."""
    if getattr(backend, "for_tests", False):
        return
    try:
        priority = float(type(backend).priority)
    except Exception as exc:  # a backend signals "not usable here" by raising from priority
        raise KeyringUnavailableError("The system keyring cannot be used.", str(exc)) from exc
    if priority < 1:
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        raise KeyringUnavailableError(
            "No secure system keyring is available.", f"{name} has priority {priority:g} (< 1)"
        )


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict, for tests and the self-test. Its priority raises, so keyring never picks it
    by itself; install it with keyring.set_keyring() or pass it to SecretStore."""

    for_tests = True

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("the in-memory keyring is only for tests; install it explicitly")

    def __str__(self) -> str:
        return "msldesk in-memory keyring"

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError("no such secret")
