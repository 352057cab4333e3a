"""A keyring backend for tests: JSON files named by $MSLDESK_TEST_KEYRING, so the library key a test's
App stores is found again by the `python -m msldesk` processes the same test starts. Never the real
keyring; keyring never picks it by itself (its priority is below keyring's fail backend).

$MSLDESK_TEST_KEYRING is a list of files (os.pathsep): secrets are written to the first, and read
from the first that has them (a test's own file, then the session's, where libraries built by
module- or session-scoped fixtures keep their keys)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError

ENV = "MSLDESK_TEST_KEYRING"


class FileKeyring(KeyringBackend):
    for_tests = True  # msldesk.core.secrets accepts it although it keeps plain text

    @properties.classproperty
    def priority(cls) -> float:
        return -1  # below keyring's "fail" backend: chosen only by name (PYTHON_KEYRING_BACKEND)

    def __str__(self) -> str:
        return "msldesk test file keyring"

    def _paths(self) -> list[Path]:
        return [Path(p) for p in os.environ[ENV].split(os.pathsep) if p]

    def _path(self) -> Path:
        return self._paths()[0]

    @staticmethod
    def _read(path: Path) -> dict[str, str]:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def _load(self) -> dict[str, str]:
        return self._read(self._path())

    def _save(self, data: dict[str, str]) -> None:
        path = self._path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)

    def get_password(self, service: str, username: str) -> str | None:
        for path in self._paths():
            found = self._read(path).get(f"{service}/{username}")
            if found is not None:
                return found
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("no such secret")
        self._save(data)
