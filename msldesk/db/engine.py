"""Create the SQLite (or SQLCipher) engine with the pragmas the app relies on, and a session factory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, ExceptionContext, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from msldesk.core.errors import ReadOnlyLibraryError


def _set_sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL + FULL: a committed transaction survives a crash and a power loss too (meeting notes are
    # autosaved every second and must). The cost is one fsync per commit, a few ms.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _read_only_error(context: ExceptionContext) -> None:
    """A write refused by a read-only database becomes the plain ReadOnlyLibraryError, wherever it came
    from (CLI, GUI, a migration), instead of a driver traceback."""
    if "readonly database" in str(context.original_exception):
        folder = Path(context.engine.url.database or ".").parent if context.engine is not None else ""
        raise ReadOnlyLibraryError.for_folder(folder) from context.original_exception


def make_engine(database: Path, key: bytes | None = None, read_only: bool = False) -> Engine:
    """A SQLCipher engine when `key` is given (check it first with crypto.opens_with), else plain SQLite.
    `read_only`: every connection opens the file read-only (a library in a read-only folder)."""
    if not read_only:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    if key is None and read_only:
        from msldesk.db import crypto

        uri = crypto.read_only_uri(database)
        engine = create_engine(
            f"sqlite:///{database}",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
            future=True,
        )
    elif key is None:
        engine = create_engine(f"sqlite:///{database}", future=True)
    else:
        import sqlcipher3.dbapi2 as sqlcipher

        from msldesk.db import crypto

        # The plain pysqlite dialect over the sqlcipher3 module (so errors map to SQLAlchemy's),
        # with a creator that sets the key before anything reads the file. Not the pysqlcipher
        # dialect: it keys from the URL's password and pools one connection per thread.
        engine = create_engine(
            f"sqlite:///{database}",
            module=sqlcipher,
            creator=lambda: crypto.connect(database, key, read_only=read_only),
            future=True,
        )
    event.listen(engine, "connect", _set_sqlite_pragmas)
    event.listen(engine, "handle_error", _read_only_error)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, future=True)
