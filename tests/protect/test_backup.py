"""Backups: a consistent encrypted copy of database, deck store and audit anchor; restore checks all of it
before it replaces anything; rolling daily backups; a backup before every schema upgrade."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest

from msldesk.core.errors import DatabaseTooNewError, InvalidInputError
from msldesk.db import crypto, migrate
from msldesk.protect.backup_check import BackupError, BackupLockedError, DamagedBackupError
from tests import library_db
from tests.cli.test_cli import msldesk
from tests.db.test_encryption import ATTENDEE, _fill, _snapshot

PASSPHRASE = "backup passphrase 1"
TODAY = dt.date(2026, 11, 22)


def _tables(root: Path) -> dict[str, list[tuple]]:
    """Every row of every table, read from the file directly."""
    with library_db.connect(root / "library.sqlite3") as db:
        names = [
            r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        return {n: sorted(map(repr, db.execute(f'SELECT * FROM "{n}"'))) for n in names}  # type: ignore[misc]


def _store(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root / "store")): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (root / "store").rglob("*")
        if p.is_file()
    }


@pytest.fixture
def full(app, deck_factory):  # type: ignore[no-untyped-def]
    _fill(app, deck_factory)
    return app


def test_backup_and_restore_on_another_computer_gives_the_same_library(full, tmp_path: Path) -> None:
    from msldesk.app.services import App

    target = tmp_path / "out" / "lib.msldesk-backup"
    target.parent.mkdir()
    progress: list[tuple[int, int, str]] = []
    info = full.backups.create(target, PASSPHRASE, progress=lambda *a: progress.append(a))
    assert info.locked_with == "passphrase"
    assert info.files == len(_store(full.paths.root)) >= 4
    assert info.tables["people"] >= 1
    assert info.has_audit_anchor
    assert progress[-1][2] == "Backup written"
    raw = target.read_bytes()
    assert ATTENDEE.encode() not in raw
    assert b"SQLite format 3" not in raw
    expected_tables, expected_store = _tables(full.paths.root), _store(full.paths.root)
    expected_anchor, expected_view = full.paths.audit_anchor.read_text(), _snapshot(full)
    full.close()

    # "Another laptop": a new library with its own key; only the passphrase is needed.
    other = App(tmp_path / "laptop2", today=TODAY)
    try:
        with pytest.raises(BackupLockedError):
            other.backups.restore(target)  # its own key does not open the backup
        with pytest.raises(BackupLockedError):
            other.backups.restore(target, "not the passphrase")
        result = other.backups.restore(target, PASSPHRASE)
        assert result.info.files == info.files
        assert result.info.audit_check.startswith("another library's key")
        # Its records were keyed with the first laptop's key: one record more pins them with this one.
        assert _snapshot(other) == {**expected_view, "audit_records": expected_view["audit_records"] + 1}
        (rekey,) = other.audit.recent(1)
        assert rekey.action == "audit.rekey"
        assert "another library" in rekey.after["reason"]
        assert other.audit.verify().notes  # says which records only the other library's key can check
    finally:
        other.close()
    root = tmp_path / "laptop2"
    restored = _tables(root)
    restored_log, expected_log = set(restored.pop("audit_log")), set(expected_tables.pop("audit_log"))
    assert expected_log < restored_log
    assert len(restored_log) == len(expected_log) + 1
    assert restored == expected_tables
    assert _store(root) == expected_store
    assert json.loads((root / "audit-anchor.json").read_text())["id"] == json.loads(expected_anchor)["id"] + 1
    assert crypto.database_state(root / "library.sqlite3") == "encrypted"
    assert not [p for p in root.iterdir() if p.name.startswith(".")]  # no staging or journal left


def test_restore_replaces_the_running_library_and_keeps_the_previous_one(full, tmp_path: Path) -> None:
    from msldesk.boards.records import EventFields

    target = tmp_path / "b.msldesk-backup"
    full.backups.create(target)
    before_tables, before_view = _tables(full.paths.root), _snapshot(full)
    full.events.create(EventFields(title="Made after the backup"))
    changed_view = _snapshot(full)
    result = full.backups.restore(target)
    assert result.info.audit_check == "this library's key"  # every record's hash checked
    assert _snapshot(full) == before_view  # the same App sees the restored library at once
    assert _tables(full.paths.root) == before_tables
    assert result.safety_backup is not None
    assert result.safety_backup.parent == full.paths.backups
    full.backups.restore(result.safety_backup)  # and the library as it was can be brought back
    assert _snapshot(full) == changed_view


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + 16):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_damaged_backup_is_refused_and_nothing_changes(full, tmp_path: Path) -> None:
    good = tmp_path / "good.msldesk-backup"
    full.backups.create(good)
    size = good.stat().st_size
    before_tables, before_store = _tables(full.paths.root), _store(full.paths.root)
    before_anchor = full.paths.audit_anchor.read_bytes()
    for n, offset in enumerate((100, size // 3, size // 2, size - 200)):
        bad = tmp_path / f"bad{n}.msldesk-backup"
        bad.write_bytes(good.read_bytes())
        _flip(bad, offset)
        with pytest.raises(BackupError) as caught:
            full.backups.restore(bad)
        message = caught.value.user_message
        assert "damaged" in message, message
        with pytest.raises(BackupError):
            full.backups.check(bad)
    truncated = tmp_path / "short.msldesk-backup"
    truncated.write_bytes(good.read_bytes()[: size // 2])
    with pytest.raises(BackupError):
        full.backups.restore(truncated)
    assert _tables(full.paths.root) == before_tables
    assert _store(full.paths.root) == before_store
    assert full.paths.audit_anchor.read_bytes() == before_anchor
    assert not full.paths.backups.exists()  # refused before even the safety backup
    assert full.backups.check(good).files == len(before_store)


def _edit_backup(path: Path, *statements: str) -> None:
    salt = path.read_bytes()[: crypto.SALT_BYTES]
    key = crypto.derive_key(PASSPHRASE, salt)
    db = crypto.connect(path, key, salt)
    try:
        for statement in statements:
            db.execute(statement)
        db.commit()
    finally:
        db.close()


def test_a_backup_from_a_newer_version_is_refused_and_nothing_changes(full, tmp_path: Path) -> None:
    target = tmp_path / "future.msldesk-backup"
    full.backups.create(target, PASSPHRASE)
    _edit_backup(
        target,
        "UPDATE alembic_version SET version_num = '0099_future'",
        f"UPDATE msldesk_backup_manifest SET value = replace(value, '{migrate.HEAD_REVISION}', "
        "'0099_future')",
    )
    before = _tables(full.paths.root)
    with pytest.raises(DatabaseTooNewError) as caught:
        full.backups.restore(target, PASSPHRASE)
    assert "newer version of msldesk" in caught.value.user_message
    assert _tables(full.paths.root) == before
    assert not full.paths.backups.exists()


def test_an_inconsistent_or_unfinished_backup_is_refused(full, tmp_path: Path) -> None:
    rows = tmp_path / "rows.msldesk-backup"
    full.backups.create(rows, PASSPHRASE)
    _edit_backup(rows, "DELETE FROM msldesk_backup_chunks WHERE seq = 0 AND file_id = 1")
    with pytest.raises(DamagedBackupError, match="damaged"):
        full.backups.restore(rows, PASSPHRASE)
    people = tmp_path / "people.msldesk-backup"
    full.backups.create(people, PASSPHRASE)
    _edit_backup(people, "DELETE FROM attendances")
    with pytest.raises(DamagedBackupError, match="do not match its manifest"):
        full.backups.restore(people, PASSPHRASE)
    unfinished = tmp_path / "unfinished.msldesk-backup"
    full.backups.create(unfinished, PASSPHRASE)
    _edit_backup(unfinished, "DELETE FROM msldesk_backup_manifest")
    with pytest.raises(DamagedBackupError, match="incomplete"):
        full.backups.restore(unfinished, PASSPHRASE)
    escaping = tmp_path / "escaping.msldesk-backup"
    full.backups.create(escaping, PASSPHRASE)
    _edit_backup(escaping, "UPDATE msldesk_backup_files SET path = '../../evil.pptx' WHERE id = 1")
    with pytest.raises(DamagedBackupError, match="names a deck file wrongly"):
        full.backups.restore(escaping, PASSPHRASE)
    assert not (full.paths.root.parent / "evil.pptx").exists()


def test_a_backup_is_a_snapshot_even_while_the_app_writes(full, tmp_path: Path) -> None:
    from msldesk.boards.records import EventFields

    events_before = len(full.events.list_events())
    wrote: list[int] = []

    def progress(done: int, total: int, message: str) -> None:
        if message.startswith("Copying deck files") and not wrote:  # the app writes mid-backup
            event, _ = full.events.create(EventFields(title="Written during the backup"))
            wrote.append(event.event_id)

    info = full.backups.create(tmp_path / "b.msldesk-backup", progress=progress)
    assert wrote
    assert info.tables["events"] == events_before
    assert full.backups.check(info.path).tables["events"] == events_before


def test_a_backup_does_not_overwrite_a_file(full, tmp_path: Path) -> None:
    existing = tmp_path / "exists.msldesk-backup"
    existing.write_bytes(b"keep me")
    with pytest.raises(InvalidInputError, match="already exists"):
        full.backups.create(existing)
    assert existing.read_bytes() == b"keep me"


def test_cancelling_a_backup_leaves_no_file(full, tmp_path: Path) -> None:
    from msldesk.core.errors import CancelledError
    from msldesk.core.progress import CancelToken

    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        full.backups.create(tmp_path / "c.msldesk-backup", cancel=token)
    assert list(tmp_path.glob("*c.msldesk-backup*")) == []


def test_rolling_daily_backups_keep_the_last_seven(app) -> None:
    start = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    assert app.backups.take_daily(start) is not None
    assert app.backups.take_daily(start + dt.timedelta(hours=23)) is None  # not a day old yet
    made = [start]
    for day in range(1, 10):
        when = start + dt.timedelta(days=day, minutes=day)
        assert app.backups.take_daily(when) is not None
        made.append(when)
    kept = app.backups.automatic()
    assert len(kept) == 7
    assert [p.name for p in kept] == [f"daily-{m:%Y%m%d-%H%M%S}Z.msldesk-backup" for m in reversed(made[-7:])]
    assert app.backups.check(kept[0]).locked_with == "library key"


def test_a_schema_upgrade_takes_a_backup_first(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from msldesk.app.services import App

    root = tmp_path / "lib"
    root.mkdir()
    engine = create_engine(f"sqlite:///{root / 'library.sqlite3'}")
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004_capture")
    engine.dispose()
    app = App(root)  # plain 0004 library: encrypted, then backed up, then upgraded
    try:
        (backup,) = app.backups.automatic()
        assert backup.name.startswith("before-upgrade-")
        info = app.backups.check(backup)
        assert info.schema_revision == "0004_capture"
        assert "audit_log" not in info.tables
        assert migrate.current_revision(app.engine) == migrate.HEAD_REVISION
        app.backups.restore(backup)  # restoring an older backup upgrades it again
        assert migrate.current_revision(app.engine) == migrate.HEAD_REVISION
    finally:
        app.close()
    again = App(root)  # at head: no new backup
    try:
        kinds = sorted(p.name[: p.name.index("-2")] for p in again.backups.automatic())
    finally:
        again.close()
    assert kinds == ["before-restore", "before-upgrade"]


def test_a_restore_interrupted_by_a_power_cut_is_finished_or_forgotten(
    full, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import msldesk.protect.backup_restore as restore_module
    from msldesk.app.services import App
    from msldesk.boards.records import EventFields

    target = tmp_path / "b.msldesk-backup"
    full.backups.create(target)
    backed_up = _tables(full.paths.root)
    full.events.create(EventFields(title="After the backup"))
    current, current_anchor = _tables(full.paths.root), full.paths.audit_anchor.read_text()

    def power_cut(*args: object) -> None:
        raise KeyboardInterrupt("power cut")

    # Before the swap: the library stays as it is.
    real_replace = os.replace
    with monkeypatch.context() as patched:
        patched.setattr(
            restore_module.os,
            "replace",
            lambda src, dst: power_cut() if str(dst).endswith("library.sqlite3") else real_replace(src, dst),
        )
        with pytest.raises(KeyboardInterrupt):
            full.backups.restore(target, safety_backup=False)
    full.close()
    reopened = App(full.paths.root, today=TODAY)
    reopened.close()
    assert _tables(full.paths.root) == current
    assert full.paths.audit_anchor.read_text() == current_anchor

    # After the swap, before the anchor was written: the next start finishes the restore.
    app = App(full.paths.root, today=TODAY)
    with monkeypatch.context() as patched:
        patched.setattr(restore_module, "_finish_restore", power_cut)
        with pytest.raises(KeyboardInterrupt):
            app.backups.restore(target, safety_backup=False)
    app.close()
    assert (full.paths.root / ".restore-pending.json").exists()
    again = App(full.paths.root, today=TODAY)
    try:
        assert again.audit.verify().ok
    finally:
        again.close()
    assert _tables(full.paths.root) == backed_up
    assert not [p for p in full.paths.root.iterdir() if p.name.startswith(".")]


def test_cli_backup_and_restore(full, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from msldesk.boards.records import EventFields

    root = full.paths.root
    full.close()
    out = tmp_path / "cli.msldesk-backup"
    refused = msldesk(root, "backup", str(out), check_exit=2)
    assert "MSLDESK_BACKUP_PASSPHRASE" in refused.stderr
    assert not out.exists()
    keyed = msldesk(root, "backup", str(tmp_path / "keyed.msldesk-backup"), "--library-key", check_exit=0)
    assert "locked with the library key" in keyed.stdout
    monkeypatch.setenv("MSLDESK_BACKUP_PASSPHRASE", PASSPHRASE)
    made = json.loads(msldesk(root, "backup", str(out), "--json", check_exit=0).stdout)
    assert made["locked_with"] == "passphrase"
    assert made["files"] >= 4
    assert "already exists" in msldesk(root, "backup", str(out), check_exit=2).stderr
    checked = msldesk(root, "restore", str(out), "--check", check_exit=0).stdout
    assert "OK:" in checked
    assert "audit trail checked with this library's key" in checked
    before = _tables(root)

    from msldesk.app.services import App

    app = App(root, today=TODAY)
    app.events.create(EventFields(title="After the backup"))
    app.close()
    restored = msldesk(root, "restore", str(out), check_exit=0)
    assert "Restored" in restored.stdout
    assert "saved in" in restored.stdout
    assert _tables(root) == before
    monkeypatch.setenv("MSLDESK_BACKUP_PASSPHRASE", "wrong passphrase")
    wrong = msldesk(root, "restore", str(out), check_exit=2)
    assert "could not be opened" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def _tamper_backup(path: Path, how: str) -> None:
    """Open a passphrase-locked backup with its passphrase, as its holder could, and change its audit
    trail behind msldesk's back (the manifest's counts and anchor made to fit, so only the chain
    itself can give the change away)."""
    from .test_audit import _unkeyed_hash

    salt = path.read_bytes()[: crypto.SALT_BYTES]
    db = crypto.connect(path, crypto.derive_key(PASSPHRASE, salt), salt)
    try:
        db.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        db.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        if how == "altered record":
            db.execute("UPDATE audit_log SET actor = 'forger' WHERE id = 2")
        elif how == "newest records removed":
            db.execute("DELETE FROM audit_log WHERE id > (SELECT max(id) - 2 FROM audit_log)")
        else:  # "chain recomputed without the key", after an edit
            db.execute("UPDATE audit_log SET actor = 'forger' WHERE id = 2")
            prev = "0" * 64
            for row in db.execute("SELECT * FROM audit_log ORDER BY id").fetchall():
                new = _unkeyed_hash(prev, row)
                db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, new, row[0]))
                prev = new
            (last,) = db.execute("SELECT max(id) FROM audit_log").fetchone()
        manifest = json.loads(db.execute("SELECT value FROM msldesk_backup_manifest").fetchone()[0])
        manifest["tables"]["audit_log"] = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        if how == "chain recomputed without the key":
            manifest["audit_anchor"] = json.dumps({"id": last, "hash": prev})
        db.execute("UPDATE msldesk_backup_manifest SET value = ?", (json.dumps(manifest),))
        db.commit()
    finally:
        db.close()


@pytest.mark.parametrize(
    "how", ["altered record", "newest records removed", "chain recomputed without the key"]
)
def test_restore_and_check_refuse_a_backup_whose_audit_trail_was_changed(
    full, tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "b.msldesk-backup"
    full.backups.create(target, PASSPHRASE)
    _tamper_backup(target, how)
    before, anchor = _tables(full.paths.root), full.paths.audit_anchor.read_bytes()
    for attempt in (full.backups.check, full.backups.restore):
        with pytest.raises(DamagedBackupError) as refused:
            attempt(target, PASSPHRASE)
        assert "audit trail in this backup" in refused.value.user_message
    assert _tables(full.paths.root) == before
    assert full.paths.audit_anchor.read_bytes() == anchor
    assert full.audit.verify().ok
    assert not full.backups.automatic()  # not even a safety backup taken
    if how == "altered record":  # the command line says so too, and which record
        root = full.paths.root
        full.close()
        monkeypatch.setenv("MSLDESK_BACKUP_PASSPHRASE", PASSPHRASE)
        checked = msldesk(root, "restore", str(target), "--check", check_exit=2)
        assert "audit trail in this backup" in checked.stderr
        assert "record 2 was altered" in checked.stderr
        assert "Traceback" not in checked.stderr
