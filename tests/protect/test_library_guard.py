"""An existing library is never replaced: a missing, empty, unreadable or damaged database is an error
naming the newest backup (exit 2 on the command line, with the restore command), the key check value
tells a wrong passphrase from a damaged file, encryption.json is never rewritten, daily backups never
push out the last healthy one, and a full disk during backup or restore leaves nothing half-written."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail

from msldesk.core.errors import DiskFullError, LibraryDamagedError, LibraryMissingError
from msldesk.db import copies, crypto
from tests import library_db
from tests.cli.test_cli import msldesk_in_process

PASSPHRASE = "correct horse battery"
TODAY = dt.date(2026, 11, 22)
MORNING = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)


def _make_library(root: Path, deck_factory: Any) -> Path:
    """A library with a person, a deck (a store file, audit records) and one daily backup; closed.
    Returns the backup."""
    from msldesk.app.services import App
    from msldesk.boards.records import EventFields, PersonFields

    app = App(root, today=TODAY)
    try:
        app.people.add(PersonFields(first_name="Ilaria", last_name="Kept"))
        app.events.create(EventFields(title="Renal advisory board"))  # an audit record, so an anchor
        deck = deck_factory.pptx("kept.pptx", [("Zymoquinase", "body", "")])
        list(app.decks.import_paths([deck]))
        backup = app.backups.take_daily(MORNING)
        assert backup is not None
        return backup
    finally:
        app.close()


@pytest.fixture
def library(tmp_path: Path, deck_factory: Any) -> tuple[Path, Path]:
    root = tmp_path / "lib"
    return root, _make_library(root, deck_factory)


def _people(root: Path) -> list[str]:
    from msldesk.app.services import App

    app = App(root, today=TODAY)
    try:
        return [p.fields.last_name for p in app.people.search("")]
    finally:
        app.close()


@pytest.mark.parametrize("how", ["missing", "empty"])
def test_a_missing_or_empty_database_is_an_error_and_the_command_line_names_the_restore(
    library: tuple[Path, Path], how: str
) -> None:
    from msldesk.app.services import App

    root, backup = library
    database = root / "library.sqlite3"
    key_file = (root / "encryption.json").read_bytes()
    if how == "missing":
        database.unlink()
    else:
        database.write_bytes(b"")
    with pytest.raises(LibraryMissingError) as caught:
        App(root)
    assert caught.value.newest_backup == backup
    assert caught.value.library == root
    assert "library.sqlite3" in caught.value.user_message
    assert str(backup) in caught.value.user_message
    assert "will not start a new, empty one" in caught.value.user_message

    result = msldesk_in_process(root, "decks", check_exit=2)
    assert "library.sqlite3" in result.stderr
    assert "Traceback" not in result.stderr
    assert f"msldesk --data-dir {root} restore {backup}" in result.stderr
    # Nothing was made in its place, and the key file is as it was.
    assert not database.exists() if how == "missing" else database.stat().st_size == 0
    assert (root / "encryption.json").read_bytes() == key_file

    # The command it names works although the library cannot open.
    restored = msldesk_in_process(root, "restore", str(backup), check_exit=0)
    assert "Restored" in restored.stdout
    assert _people(root) == ["Kept"]
    assert (root / "encryption.json").read_bytes() == key_file


@pytest.mark.parametrize("trace", ["audit-anchor.json", "store", "backups", "encryption.json"])
def test_any_trace_of_a_library_is_enough_to_refuse(
    tmp_path: Path, deck_factory: Any, monkeypatch: pytest.MonkeyPatch, trace: str
) -> None:
    """A plain library (encryption off) has no key file: its audit anchor, deck files or backups show
    that it existed. Each one alone refuses a new library."""
    from msldesk.app.services import App

    monkeypatch.setenv("MSLDESK_ENCRYPTION", "off")
    root = tmp_path / "plain"
    _make_library(root, deck_factory)
    assert (root / "audit-anchor.json").exists()
    assert not (root / "encryption.json").exists()
    kept = {"audit-anchor.json", "store", "backups", "encryption.json"} - {trace}
    for name in kept:
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    (root / "library.sqlite3").unlink()
    if trace == "encryption.json":
        (root / trace).write_text(json.dumps({"format": 1, "library_id": "x", "source": "keyring"}))
    with pytest.raises(LibraryMissingError):
        App(root)
    assert not (root / "library.sqlite3").exists()


def test_an_unreadable_database_is_a_plain_error(library: tuple[Path, Path]) -> None:
    from msldesk.app.services import App

    root, _backup = library
    database = root / "library.sqlite3"
    database.unlink()
    database.mkdir()  # what a half-done copy or a sync client can leave
    with pytest.raises(LibraryMissingError, match="cannot be read"):
        App(root)
    assert "cannot be read" in msldesk_in_process(root, "decks", check_exit=2).stderr


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


def _damage(database: Path, how: str) -> None:
    data = bytearray(database.read_bytes())
    if how == "truncated":
        database.write_bytes(bytes(data[: len(data) // 2 + 100]))
    elif how == "cut-to-a-stub":
        database.write_bytes(bytes(data[:300]))
    else:
        offset = 200 if how == "first-page-flipped" else len(data) // 2 + 333
        for n in range(offset, offset + 8):
            data[n] ^= 0x5A
        database.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["truncated", "cut-to-a-stub", "first-page-flipped", "middle-page-flipped"])
def test_the_right_key_on_a_damaged_database_says_damaged_not_a_wrong_key(
    library: tuple[Path, Path], how: str
) -> None:
    from msldesk.app.services import App

    root, backup = library
    _damage(root / "library.sqlite3", how)
    with pytest.raises(LibraryDamagedError) as caught:
        App(root)
    said = caught.value.user_message
    assert caught.value.newest_backup == backup
    assert str(backup) in said
    assert "damaged — restore from a backup" in said
    assert "does not open" not in said
    # `decks` reads only the pages it lists (no full page check: it starts light); damage in a page it
    # does not read is found by the full start of any other command (and of the app).
    command = "collections" if how == "middle-page-flipped" else "decks"
    result = msldesk_in_process(root, command, check_exit=2)
    assert "damaged — restore from a backup" in result.stderr
    assert "Traceback" not in result.stderr
    assert f"restore {backup}" in result.stderr
    if how != "cut-to-a-stub":  # a stub is damaged whatever the key; otherwise a wrong key says so
        library_id = json.loads((root / "encryption.json").read_text())["library_id"]
        keyring.get_keyring().set_password("msldesk", f"library-key-{library_id}", os.urandom(32).hex())
        with pytest.raises(crypto.LibraryLockedError, match="does not open this library"):
            App(root)


def test_damage_a_later_query_meets_says_damaged_not_a_traceback(
    library: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import msldesk.protect.library_guard as guard

    root, backup = library
    database = root / "library.sqlite3"
    with library_db.connect(database) as db:
        page_size = int(db.execute("PRAGMA page_size").fetchone()[0])
        rootpage = int(db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'decks'").fetchone()[0])
    with open(database, "r+b") as handle:  # only the decks table's page: the start reads none of it
        handle.seek((rootpage - 1) * page_size + 300)
        handle.write(os.urandom(16))
    # As if the damage happened after the start's check (a disk going bad while msldesk runs).
    monkeypatch.setattr(guard, "check_database", lambda paths, key, read_only=False: None)
    result = msldesk_in_process(root, "decks", check_exit=2)
    assert "damaged — restore from a backup" in result.stderr
    assert f"restore {backup}" in result.stderr


def test_the_right_passphrase_on_a_damaged_database_says_damaged_not_wrong(
    no_keyring, tmp_path: Path, deck_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msldesk.app.services import App

    monkeypatch.setenv("MSLDESK_PASSPHRASE", PASSPHRASE)
    root = tmp_path / "lib"
    backup = _make_library(root, deck_factory)
    assert json.loads((root / "encryption.json").read_text())["key_check"]
    _damage(root / "library.sqlite3", "truncated")
    with pytest.raises(LibraryDamagedError) as caught:
        App(root)
    said = caught.value.user_message
    assert "damaged — restore from a backup" in said
    assert str(backup) in said
    assert "passphrase" not in said.replace(str(tmp_path), "").lower()
    result = msldesk_in_process(root, "people", check_exit=2)
    assert "damaged — restore from a backup" in result.stderr
    assert "passphrase" not in result.stderr.replace(str(tmp_path), "").lower()

    monkeypatch.setenv("MSLDESK_PASSPHRASE", "not the passphrase")
    with pytest.raises(crypto.WrongPassphraseError, match="passphrase is wrong"):
        App(root)

    monkeypatch.setenv("MSLDESK_PASSPHRASE", PASSPHRASE)
    msldesk_in_process(root, "restore", str(backup), check_exit=0)
    assert _people(root) == ["Kept"]
    assert [p.name for p in root.iterdir() if p.name.startswith("library.sqlite3.damaged-")]  # kept aside


def test_an_older_key_file_gains_its_check_value_without_changing_its_salt(
    no_keyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msldesk.app.services import App

    monkeypatch.setenv("MSLDESK_PASSPHRASE", PASSPHRASE)
    root = tmp_path / "lib"
    App(root).close()
    key_file = root / "encryption.json"
    new_style = json.loads(key_file.read_text())
    old_style = {k: v for k, v in new_style.items() if k != "key_check"}
    key_file.write_text(json.dumps(old_style, indent=2))

    monkeypatch.setenv("MSLDESK_PASSPHRASE", "not the passphrase")
    with pytest.raises(crypto.WrongPassphraseError):
        App(root)
    assert json.loads(key_file.read_text()) == old_style  # a wrong passphrase adds nothing

    monkeypatch.setenv("MSLDESK_PASSPHRASE", PASSPHRASE)
    App(root).close()  # an older library still opens ...
    reopened = json.loads(key_file.read_text())  # ... and gains the check value, salt and id unchanged
    assert reopened["key_check"] == new_style["key_check"]
    assert {k: v for k, v in reopened.items() if k != "key_check"} == old_style
    assert not [p.name for p in root.iterdir() if p.name.startswith(".encryption.json")]


def test_an_older_key_file_still_tells_a_damaged_database_from_a_wrong_key(
    library: tuple[Path, Path],
) -> None:
    """No check value yet: the newest automatic backup (locked with the library's key) is the witness."""
    from msldesk.app.services import App

    root, backup = library
    key_file = root / "encryption.json"
    old_style = {k: v for k, v in json.loads(key_file.read_text()).items() if k != "key_check"}
    key_file.write_text(json.dumps(old_style, indent=2))
    _damage(root / "library.sqlite3", "first-page-flipped")
    with pytest.raises(LibraryDamagedError) as caught:
        App(root)
    assert caught.value.newest_backup == backup
    library_id = old_style["library_id"]
    keyring.get_keyring().set_password("msldesk", f"library-key-{library_id}", os.urandom(32).hex())
    with pytest.raises(crypto.LibraryLockedError, match="does not open this library"):
        App(root)
    assert json.loads(key_file.read_text()) == old_style  # nothing proved, so nothing added


def test_encryption_json_is_never_overwritten(library: tuple[Path, Path]) -> None:
    from msldesk.app.services import App

    root, _backup = library
    key_file = root / "encryption.json"
    before = key_file.read_bytes()
    library_id = json.loads(before)["library_id"]
    # The keyring lost the key and the database went missing: today's code made a new key here.
    keyring.get_keyring().delete_password("msldesk", f"library-key-{library_id}")
    (root / "library.sqlite3").unlink()
    for name in ("audit-anchor.json",):
        (root / name).unlink()
    shutil.rmtree(root / "store")
    shutil.rmtree(root / "backups")
    with pytest.raises(LibraryMissingError, match=r"encryption\.json"):
        App(root)
    assert key_file.read_bytes() == before
    with pytest.raises(crypto.LibraryLockedError):
        crypto.KeyFile("another", "keyring").create(key_file)
    assert key_file.read_bytes() == before


def _wreck_an_index_page(app: Any) -> None:
    """Overwrite part of an index's root page on disk: the tables (all a backup copies) still read,
    but the library is damaged."""
    with app.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = int(connection.exec_driver_sql("PRAGMA page_size").scalar())
        rootpage = int(
            connection.exec_driver_sql(
                "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name = 'people' LIMIT 1"
            ).scalar()
        )
    with open(app.paths.database, "r+b") as handle:
        handle.seek((rootpage - 1) * page_size + 64)
        handle.write(os.urandom(256))


def test_daily_backups_never_rotate_out_the_last_healthy_one(app: Any) -> None:
    from msldesk.boards.records import PersonFields

    app.people.add(PersonFields(first_name="Ilaria", last_name="Kept"))
    for day in range(7):
        assert app.backups.take_daily(MORNING + dt.timedelta(days=day)) is not None
    healthy = app.backups.automatic()
    _wreck_an_index_page(app)
    for day in range(7, 10):
        with pytest.raises(LibraryDamagedError, match="no backup was made"):
            app.backups.take_daily(MORNING + dt.timedelta(days=day))
    assert app.backups.automatic() == healthy
    assert app.backups.check(healthy[0]).tables["people"] == 1


# ---- a full disk during backup and restore ---------------------------------------------------------


class _FullDatabaseDisk:
    """SQLite's own writes to an attached database (the backup file being written, the library copy
    being staged) fail the way a full disk makes them fail: SQLITE_FULL after a few pages."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, schema: str) -> None:
        real_connect = crypto.connect

        class Connection:
            def __init__(self, inner: Any) -> None:
                self._inner = inner

            def execute(self, sql: str, *args: Any) -> Any:
                result = self._inner.execute(sql, *args)
                if sql.startswith("ATTACH DATABASE") and sql.endswith(f"AS {schema} KEY ?"):
                    self._inner.execute(f"PRAGMA {schema}.max_page_count = 8")
                return result

            def __getattr__(self, name: str) -> Any:
                return getattr(self._inner, name)

        monkeypatch.setattr(crypto, "connect", lambda *a, **k: Connection(real_connect(*a, **k)))


def test_a_full_disk_during_a_backup_says_so_and_leaves_nothing(
    library: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msldesk.app.services import App

    root, _backup = library
    app = App(root, today=TODAY)
    try:
        out = tmp_path / "out"
        out.mkdir()
        with monkeypatch.context() as patched:
            _FullDatabaseDisk(patched, "bak")
            with pytest.raises(DiskFullError) as caught:
                app.backups.create(out / "b.msldesk-backup", "backup passphrase 1")
            assert caught.value.user_message.startswith("The disk is full")
            assert str(out) in caught.value.user_message
            before = sorted(p.name for p in app.paths.backups.iterdir())
            with pytest.raises(DiskFullError):
                app.backups.take_daily(MORNING + dt.timedelta(days=3))
        assert list(out.iterdir()) == []
        assert sorted(p.name for p in app.paths.backups.iterdir()) == before
    finally:
        app.close()
    with monkeypatch.context() as patched:
        _FullDatabaseDisk(patched, "bak")
        monkeypatch.setenv("MSLDESK_BACKUP_PASSPHRASE", "backup passphrase 1")
        result = msldesk_in_process(root, "backup", str(out / "c.msldesk-backup"), check_exit=2)
    assert result.stderr.startswith("msldesk: The disk is full")
    assert list(out.iterdir()) == []


def test_a_full_disk_during_a_restore_says_so_and_changes_nothing(
    library: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msldesk.app.services import App
    from msldesk.boards.records import PersonFields

    from .test_full_disk import DiskFiller

    root, backup = library
    portable = tmp_path / "portable.msldesk-backup"
    app = App(root, today=TODAY)
    try:
        app.backups.create(portable, "backup passphrase 1")
        app.people.add(PersonFields(first_name="Alf", last_name="Afterwards"))
        with library_db.connect(app.paths.database) as db:
            rows = copies.table_counts(db)
        with monkeypatch.context() as patched:
            _FullDatabaseDisk(patched, "lib")
            with pytest.raises(DiskFullError, match=r"^The disk is full"):
                app.backups.restore(backup, safety_backup=False)
        with library_db.connect(app.paths.database) as db:
            assert copies.table_counts(db) == rows
        assert not [p.name for p in root.iterdir() if p.name.startswith(".")]
    finally:
        app.close()

    # Deck files written into another library's store: the disk fills in the middle of one.
    other = App(tmp_path / "other", today=TODAY)
    try:
        names = sorted(p.relative_to(root / "store") for p in (root / "store").rglob("*") if p.is_file())
        folder = other.paths.store / names[0].parent
        folder.mkdir(parents=True)
        with monkeypatch.context() as patched:
            DiskFiller(folder, at="write", budget=100).install(patched)
            with pytest.raises(DiskFullError, match=r"^The disk is full"):
                other.backups.restore(portable, "backup passphrase 1")
        assert list(folder.iterdir()) == []
        assert other.people.search("") == []
    finally:
        other.close()


def test_a_value_too_large_to_send_to_sqlite_is_no_stored_value_msldesk_cannot_read() -> None:
    """Raised binding a typed number, the OverflowError passes through SQLAlchemy's engine like a
    stored value's would: it was reported as a damaged library to restore."""
    from sqlalchemy import create_engine, text

    from msldesk.protect.library_guard import unreadable_value

    engine = create_engine("sqlite://")
    with engine.connect() as connection, pytest.raises(OverflowError) as caught:
        connection.execute(text("SELECT :n"), {"n": 10**26})
    assert not unreadable_value(caught.value)
