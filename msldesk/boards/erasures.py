"""The erasure ledger: every erasure made, kept beside the database so a restore cannot lose it.

Restoring a backup made before an erasure brings the erased person back unless the erasure is made
again, so the list of erasures lives outside the database (erasures.json in the library folder),
where replacing the database does not touch it. It must not hold the erased names themselves:
keeping them would undo the erasure. It holds, per erasure, its id, the person's id, when it was
made, and keyed digests (BLAKE2b) of the folded forms of their names and email address (see
msldesk.boards.people.names): enough to recognise those names in restored text and to tell whether the
directory entry with that id is still the same person, not enough to read a name back.

The key is derived from the database key when the library is encrypted, so the file alone does not
even let someone test a guessed name; a library without encryption (its database readable anyway)
keeps a random key in the file. The file is written atomically (a temp file, fsync, rename) and is
readable by its owner only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from msldesk.boards.people.names import Form
from msldesk.core.errors import MsldeskError
from msldesk.core.fileio import atomic_write_bytes
from msldesk.core.user_files import parse_json, read_small_file

FORMAT = "msldesk erasures, version 1"
_LIBRARY_KEY = "library key"  # the digest key is derived from the database key
_KEY_PURPOSE = b"msldesk erasure ledger digests"


class ErasureLedgerError(MsldeskError):
    kind = "erasure-ledger"


@dataclass(frozen=True)
class Erasure:
    erasure_id: str
    person_id: int
    erased_at: dt.datetime  # aware, UTC
    identity: tuple[str, str]  # digests of the full name and email the directory entry had ("": none)
    forms: tuple[Form, ...]  # every form of their names, keys as digests


def new_erasure_id() -> str:
    return uuid.uuid4().hex


class ErasureLedger:
    def __init__(self, path: Path, library_key: bytes | None) -> None:
        self.path = Path(path)
        self.library_key = library_key

    def digest(self) -> Callable[[str], str]:
        """The keyed digest names are kept under (the key is made on the first erasure)."""
        key = self._key(self._load())
        return lambda words: hashlib.blake2b(words.encode("utf-8"), key=key, digest_size=16).hexdigest()

    def erasures(self) -> list[Erasure]:
        data = self._load()
        try:
            return [
                Erasure(
                    str(e["erasure_id"]),
                    int(e["person_id"]),
                    dt.datetime.fromisoformat(e["erased_at"]),
                    (str(e["identity"][0]), str(e["identity"][1])),
                    tuple(Form(str(k), int(n), str(t), bool(c)) for k, n, t, c in e["forms"]),
                )
                for e in data["erasures"]
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise self._damaged(str(exc)) from exc

    def add(self, erasure: Erasure) -> None:
        data = self._load()
        data["erasures"].append(
            {
                "erasure_id": erasure.erasure_id,
                "person_id": erasure.person_id,
                "erased_at": erasure.erased_at.isoformat(),
                "identity": list(erasure.identity),
                "forms": [[f.key, f.words, f.tier, f.capitalised] for f in erasure.forms],
            }
        )
        self._save(data)

    def remove(self, erasure_id: str) -> None:
        """Forget an erasure whose transaction did not commit."""
        data = self._load()
        data["erasures"] = [e for e in data["erasures"] if e.get("erasure_id") != erasure_id]
        self._save(data)

    def _load(self) -> dict[str, Any]:
        try:
            data = parse_json(read_small_file(self.path))
        except FileNotFoundError:
            return {"format": FORMAT, "key": None, "erasures": []}
        except (OSError, ValueError) as exc:
            raise self._damaged(str(exc)) from exc
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or not isinstance(data.get("erasures"), list)
        ):
            raise self._damaged("not a list of erasures")
        return data

    def _key(self, data: dict[str, Any]) -> bytes:
        if data.get("key") is None:  # no erasure yet: choose how digests are keyed from now on
            data["key"] = _LIBRARY_KEY if self.library_key else os.urandom(32).hex()
            self._save(data)
        if data["key"] == _LIBRARY_KEY:
            if not self.library_key:
                raise ErasureLedgerError(
                    "The list of erasures was made while this library was encrypted, and it no longer "
                    "is: earlier erasures cannot be checked. Nothing was changed.",
                    str(self.path),
                )
            return hmac.new(self.library_key, _KEY_PURPOSE, hashlib.sha256).digest()
        try:
            return bytes.fromhex(str(data["key"]))
        except ValueError as exc:
            raise self._damaged(str(exc)) from exc

    def _save(self, data: dict[str, Any]) -> None:
        atomic_write_bytes(self.path, json.dumps(data, indent=1).encode("utf-8"))  # private: mkstemp
        os.chmod(self.path, 0o600)

    def _damaged(self, details: str) -> ErasureLedgerError:
        return ErasureLedgerError(
            f"The list of erasures ({self.path.name} in the library folder) is damaged, so erasures "
            "cannot be recorded or made again after a restore. Nothing was changed. Restore that file "
            "from a copy, or ask for help.",
            f"{self.path}: {details}",
        )
