"""Open a library's database file directly, as someone with the file and a SQLite shell (and its key)
would: the key comes from the test keyring or $MSLDESK_PASSPHRASE, the same way msldesk finds it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher

from msldesk.core.paths import LibraryPaths
from msldesk.core.secrets import SecretStore
from msldesk.db import crypto

DatabaseError = sqlcipher.DatabaseError


def connect(database: Path) -> Any:
    """A DB-API connection to the (encrypted or plain) library database; `with` commits as sqlite3's."""
    database = Path(database)
    paths = LibraryPaths(database.parent)
    key = crypto.unlock(paths, SecretStore(), encrypt=False).key
    return crypto.connect(database, key)
