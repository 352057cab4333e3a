"""No leftovers, private files, store and database in agreement, and read-only library folders."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from msldesk.app.services import App
from msldesk.core.errors import LibraryMissingError
from tests.cli.test_cli import msldesk_in_process as msldesk


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual desktop umask, so a file msldesk does not make private shows up as 0644."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def _library(root: Path, deck_factory, **kwargs) -> App:  # type: ignore[no-untyped-def]
    app = App(root, **kwargs)
    list(app.decks.import_paths([deck_factory.pptx("a.pptx", [("Alpha kinetics", "Body", "")])]))
    return app


def _store_files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "store").rglob("*") if p.is_file())


def _referenced(app: App) -> list[str]:
    return sorted(
        f"{v.sha256}{v.file_ext}" for d in app.decks.list_decks() for v in [_version(app, d.deck_id)]
    )


def _version(app: App, deck_id: int):  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with app.engine.connect() as connection:
        return connection.execute(
            text("SELECT sha256, file_ext FROM deck_versions WHERE deck_id = :d AND is_current"),
            {"d": deck_id},
        ).one()


# ---- leftovers ------------------------------------------------------------------------------------------


def _plant_leftovers(root: Path) -> tuple[list[Path], list[Path]]:
    """What killed writers leave behind (named as msldesk's writers name them), and user data beside it."""
    sha = "ab" * 32
    leftovers = {
        root / ".settings.json.k3j2h1.tmp": b"{",  # fileio.atomic_writer
        root / ".audit-anchor.json.x9y8.tmp": b"",
        root / "store" / ".import-q1w2e3.tmp": b"PK half a deck",  # DeckStore.stage
        root / "store" / ".restore-r4t5.tmp": b"half",  # BackupService._stage_store
        root / "thumbnails" / "ab" / sha / ".3.png.z1.tmp": b"\x89PNG",
        root / "previews" / "ab" / f".{sha}.pdf.u7.tmp": b"%PDF",
        root / "backups" / ".daily-20261201-101010Z.msldesk-backup.partial": b"x" * 100,
        root / "backups" / ".daily-20261201-101010Z.msldesk-backup.partial-journal": b"j",
        root / "cache" / "render-abc123" / f"{sha}.pdf": b"%PDF",  # SlideRenderer out_dir
        root / "cache" / "tmpk2j3" / "composed.pptx": b"PK",  # assembly's TemporaryDirectory
        root / ".restore-previous" / "library.sqlite3": b"old",  # a restore that never swapped
        root / ".restore-pending.json": b"{not json",
    }
    kept = {
        root / "backups" / "daily-20261201-101010Z.msldesk-backup": b"a finished backup",
        root / "cache" / "lo-profile-0" / "user" / "registrymodifications.xcu": b"<x/>",
        root / "thumbnails" / "ab" / sha / "3.png": b"\x89PNG",
        root / "notes.tmp": b"a user's own file, not named like msldesk's temp files",
        # A damaged database a restore kept aside (backup_restore._keep_aside): it may hold something
        # to rescue.
        root / "library.sqlite3.damaged-20261201-101010Z": b"damaged",
        root / "library.sqlite3.damaged-20261201-101010Z-wal": b"wal",
    }
    for path, data in {**leftovers, **kept}.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return list(leftovers), list(kept)


def test_leftovers_of_killed_writers_are_removed_when_the_library_opens(tmp_path: Path, deck_factory) -> None:
    root = tmp_path / "lib"
    _library(root, deck_factory).close()
    stored = _store_files(root)
    leftovers, kept = _plant_leftovers(root)

    app = App(root)
    try:
        assert [p for p in leftovers if p.exists()] == []
        assert not (root / "cache" / "render-abc123").exists()
        assert not (root / ".restore-previous").exists()
        assert all(p.exists() for p in kept)
        assert _store_files(root) == stored  # the deck itself is untouched
        assert [d.title for d in app.decks.list_decks()] == ["Alpha kinetics"]
    finally:
        app.close()


def test_nothing_is_removed_while_another_msldesk_has_the_library_open(tmp_path: Path, deck_factory) -> None:
    root = tmp_path / "lib"
    first = _library(root, deck_factory)  # e.g. the desktop app, importing right now
    try:
        staging = root / "store" / ".import-live.tmp"
        staging.write_bytes(b"being copied")
        unnamed = root / "store" / "cd" / f"{'cd' * 32}.pptx"  # copied, its rows not yet committed
        unnamed.parent.mkdir(exist_ok=True)  # a test deck's own hash may start with "cd" too
        unnamed.write_bytes(b"PK")
        second = App(root)  # e.g. `msldesk decks` in a terminal
        second.close()
        assert staging.exists()
        assert unnamed.exists()
    finally:
        first.close()
    stray = root / "store" / "cd" / "readme.txt"  # not a name the store gives: not msldesk's to remove
    stray.write_text("kept")
    App(root).close()  # alone now: both are leftovers
    assert not staging.exists()
    assert not unnamed.exists()
    assert stray.exists()


# ---- the store and the database agree ---------------------------------------------------------------


class _Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing on the way catches it."""


def test_an_import_killed_between_the_store_copy_and_the_commit_leaves_no_unused_file(
    tmp_path: Path, deck_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msldesk.decks.importer import DeckImporter

    root = tmp_path / "lib"
    app = _library(root, deck_factory)
    before = _store_files(root)

    def die(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise _Killed

    with monkeypatch.context() as patch:
        patch.setattr(DeckImporter, "_write_deck", die)  # after DeckStore.commit named the file
        with pytest.raises(_Killed):
            list(app.decks.import_paths([deck_factory.pptx("b.pptx", [("Beta", "Body", "")])]))
    assert len(_store_files(root)) == len(before) + 1  # the crash left an unnamed copy
    app.close()

    again = App(root)
    try:
        assert _store_files(root) == before == _referenced(again)
        result = msldesk(root, "check", check_exit=0)
        assert "the store and the database agree" in result.stdout
    finally:
        again.close()


def test_check_reports_unused_and_missing_store_files(tmp_path: Path, deck_factory) -> None:
    root = tmp_path / "lib"
    app = _library(root, deck_factory)  # stays open: the check's own opening removes nothing
    try:
        sha, ext = _version(app, app.decks.list_decks()[0].deck_id)
        (root / "store" / sha[:2] / f"{sha}{ext}").unlink()
        orphan = root / "store" / "ef" / f"{'ef' * 32}.pptx"
        orphan.parent.mkdir(exist_ok=True)  # the deck's own hash may start with "ef"
        orphan.write_bytes(b"PK")
        (root / "store" / ".import-x.tmp").write_bytes(b"")

        result = msldesk(root, "check", check_exit=1)
        assert f"missing: store/{sha[:2]}/{sha}{ext}" in result.stdout
        assert f"unused: store/ef/{'ef' * 32}.pptx" in result.stdout
        assert "leftover: store/.import-x.tmp" in result.stdout
        assert "Traceback" not in result.stdout + result.stderr
        data = msldesk(root, "check", "--json", check_exit=1).stdout
        assert '"ok": false' in data
        assert len(app.decks.list_decks()) == 1  # a deck whose file is gone is reported, never deleted
    finally:
        app.close()


def test_a_lost_database_does_not_cost_the_store(tmp_path: Path, deck_factory) -> None:
    """A store no row names is a replaced or lost database, not a crash: its files may be the only copy.
    A lost database is refused (msldesk.protect.library_guard); one replaced by another library's opens."""
    root = tmp_path / "lib"
    _library(root, deck_factory).close()
    stored = _store_files(root)
    for path in root.glob("library.sqlite3*"):
        path.unlink()
    with pytest.raises(LibraryMissingError):
        App(root)
    assert _store_files(root) == stored
    other = tmp_path / "other"
    App(other).close()
    for path in [*other.glob("library.sqlite3*"), other / "encryption.json"]:
        shutil.copy2(path, root / path.name)
    App(root).close()
    assert _store_files(root) == stored


# ---- private files ------------------------------------------------------------------------------------


def _modes(root: Path) -> dict[str, str]:
    """Every folder and file under root (root included) whose mode is not 0700 / 0600."""
    wrong = {}
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode != (0o700 if path.is_dir() else 0o600):
            wrong[str(path.relative_to(root))] = oct(mode)
    return wrong


def _fake_soffice(tmp_path: Path) -> Path:
    """Stands in for LibreOffice: writes a one-page PDF per deck into --outdir, as soffice does."""
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "page.pdf"
    sheet = canvas.Canvas(str(pdf), pagesize=(720, 540))
    sheet.drawString(72, 270, "slide")
    sheet.save()
    script = tmp_path / "soffice"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            import pathlib, shutil, sys
            args = sys.argv[1:]
            out = pathlib.Path(args[args.index("--outdir") + 1])
            for name in args:
                if name.endswith(".pptx"):
                    shutil.copyfile({str(pdf)!r}, out / (pathlib.Path(name).stem + ".pdf"))
            """
        )
    )
    script.chmod(0o755)
    return script


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_every_file_and_folder_of_a_library_is_private(tmp_path: Path, deck_factory, umask_022) -> None:
    from msldesk.core.config import Settings
    from msldesk.decks.records import DeckUpdate

    root = tmp_path / "lib"
    root.mkdir(mode=0o700)  # private already: what follows must be made private as it is written
    Settings(soffice_path=str(_fake_soffice(tmp_path))).save(root / "settings.json")
    app = _library(root, deck_factory)
    try:
        assert app.decks.render_thumbnails().thumbnails
        assert list(root.glob("previews/*/*.pdf"))
        assert list(root.glob("thumbnails/*/*/*.png"))
        app.decks.update_deck(1, DeckUpdate(approval_code="MED-1"))  # audited: writes the anchor
        app.backups.take_daily()
        outside = tmp_path / "elsewhere.msldesk-backup"
        app.backups.create(outside, passphrase="a backup passphrase")
        assert stat.S_IMODE(outside.stat().st_mode) == 0o600  # a backup holds the whole library
        with app.engine.connect() as connection:  # the open database's WAL and SHM too
            connection.exec_driver_sql("SELECT count(*) FROM decks")
            assert Path(f"{app.paths.database}-wal").exists()
            assert Path(f"{app.paths.database}-shm").exists()
            written = ("settings.json", "encryption.json", "audit-anchor.json", "backups")
            assert all((root / name).exists() for name in written)
            assert _modes(root) == {}
    finally:
        app.close()
    assert _modes(root) == {}


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_an_older_library_is_made_private_when_it_opens(tmp_path: Path, deck_factory, umask_022) -> None:
    root = tmp_path / "lib"
    _library(root, deck_factory).close()
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # as older versions left them
    App(root).close()
    assert _modes(root) == {}


# ---- read-only library folder ----------------------------------------------------------------------------

READING = [
    ["decks"],
    ["search", "kinetics"],
    ["slides", "1"],
    ["audit", "verify"],
    ["collections"],
    ["events"],
    ["check"],
]
WRITING = [
    ["import", "NEW_DECK"],
    ["deck", "set", "1", "--title", "Renamed"],
    ["thumbnails"],
    [
        "event",
        "create",
        "--title",
        "Advisory board",
        "--start",
        "2027-01-05T09:00",
        "--end",
        "2027-01-05T10:00",
    ],
    ["restore", "BACKUP"],
]


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


@pytest.fixture
def read_only_library(tmp_path: Path, deck_factory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A closed library that msldesk cannot write. As a normal user the folder is chmod 0555; root
    writes through permission bits, so there msldesk's write probe is told the folder is read-only
    and SQLite really opens the database read-only (the real thing, as root, is the bind-mount test)."""
    root = tmp_path / "lib"
    _library(root, deck_factory).close()
    msldesk(root, "backup", "--library-key", str(tmp_path / "b.msldesk-backup"), check_exit=0)
    _pretend_read_only(monkeypatch, root)
    yield root
    root.chmod(0o700)


def _pretend_read_only(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    if os.geteuid() == 0:
        real_access = os.access
        monkeypatch.setattr("msldesk.core.fileio.folder_is_writable", lambda folder: False)
        monkeypatch.setattr(os, "access", lambda path, mode: not mode & os.W_OK and real_access(path, mode))
    else:
        root.chmod(0o555)


def _args(command: list[str], tmp_path: Path, deck_factory) -> list[str]:  # type: ignore[no-untyped-def]
    new_deck = deck_factory.pptx("new.pptx", [("Gamma", "Body", "")])
    table = {"NEW_DECK": str(new_deck), "BACKUP": str(tmp_path / "b.msldesk-backup")}
    return [table.get(arg, arg) for arg in command]


def test_a_read_only_library_answers_reading_commands_and_refuses_writing_ones(
    read_only_library: Path, tmp_path: Path, deck_factory
) -> None:
    root = read_only_library
    before = _snapshot(root)
    for command in READING:
        result = msldesk(root, *_args(command, tmp_path, deck_factory))
        assert result.returncode in (0, 1), (command, result.stderr)  # check: 1 = the folder is not private
        assert "Traceback" not in result.stderr, command
        assert "read-only" not in result.stderr, command
    assert "Alpha kinetics" in msldesk(root, "search", "kinetics", check_exit=0).stdout
    backup = tmp_path / "elsewhere" / "copy.msldesk-backup"
    backup.parent.mkdir()
    msldesk(root, "backup", "--library-key", str(backup), check_exit=0)
    msldesk(root, "restore", "--check", str(backup), check_exit=0)
    for command in WRITING:
        result = msldesk(root, *_args(command, tmp_path, deck_factory), check_exit=2)
        assert f"The library folder {root} is read-only" in result.stderr, command
        assert "Traceback" not in result.stderr
    assert _snapshot(root) == before


def test_a_write_that_reaches_a_read_only_database_gets_the_plain_message(
    read_only_library: Path, tmp_path: Path, deck_factory
) -> None:
    """The GUI has no command list: any write the database refuses says the same plain words."""
    from msldesk.boards.records import PersonFields
    from msldesk.core.errors import ReadOnlyLibraryError
    from msldesk.decks.records import DeckUpdate

    app = App(read_only_library)
    try:
        assert app.read_only
        with pytest.raises(ReadOnlyLibraryError, match="is read-only"):
            app.people.add(PersonFields(first_name="Ana", last_name="Ng"))
        with pytest.raises(ReadOnlyLibraryError, match="is read-only"):
            app.decks.update_deck(1, DeckUpdate(title="Renamed"))
        # Work that writes files into the library first is refused before it starts (an import would
        # otherwise report the user's deck as unreadable, a render or compose fail half-way).
        with pytest.raises(ReadOnlyLibraryError, match="cannot import decks"):
            list(app.decks.import_paths([deck_factory.pptx("new.pptx", [("Gamma", "Body", "")])]))
        with pytest.raises(ReadOnlyLibraryError, match="cannot render thumbnails"):
            app.decks.render_thumbnails()
        with pytest.raises(ReadOnlyLibraryError, match="cannot build decks"):
            app.assembly.compose([1], tmp_path / "out.pptx")
        assert app.backups.take_daily() is None  # the rolling backup has nowhere to go
    finally:
        app.close()


def test_a_read_only_library_that_needs_an_upgrade_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msldesk.db.crypto import database_state
    from tests.db.test_migrations import _old_library

    root = tmp_path / "lib"
    with _old_library(root, "0005_audit"):
        pass
    _pretend_read_only(monkeypatch, root)
    result = msldesk(root, "decks", check_exit=2)
    assert "read-only, and this library was made by an older version of msldesk" in result.stderr
    assert "Traceback" not in result.stderr
    assert database_state(root / "library.sqlite3") == "plain"  # not encrypted, not migrated


def test_no_library_is_made_in_a_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    _pretend_read_only(monkeypatch, root)
    result = msldesk(root, "decks", check_exit=2)
    assert (
        f"The library folder {root} is read-only, so msldesk cannot create a library in it" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert list(root.iterdir()) == []


def test_a_read_only_library_without_its_database_is_refused_and_restore_says_read_only(
    tmp_path: Path, deck_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only folder still tells a lost database from no library at all (protect.library_guard), and
    the restore it suggests says plainly that the folder cannot take it, before anything is written."""
    root = tmp_path / "lib"
    _library(root, deck_factory).close()
    backup = tmp_path / "b.msldesk-backup"
    msldesk(root, "backup", "--library-key", str(backup), check_exit=0)
    for path in root.glob("library.sqlite3*"):
        path.unlink()
    _pretend_read_only(monkeypatch, root)
    before = _snapshot(root)
    result = msldesk(root, "decks", check_exit=2)
    assert f"The library's database library.sqlite3 is missing from {root}" in result.stderr
    assert "restore" in result.stderr
    assert "cannot create a library" not in result.stderr
    result = msldesk(root, "restore", str(backup), check_exit=2)
    assert f"The library folder {root} is read-only, so msldesk cannot restore a backup into it" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert _snapshot(root) == before
    root.chmod(0o700)


def test_a_read_only_library_opens_without_making_erasures_again(tmp_path: Path, deck_factory) -> None:
    """Erasures are made again at start (they write): a read-only library opens as it is, and they are
    made when the folder is writable again."""
    from msldesk.boards.records import PersonFields

    root = tmp_path / "lib"
    app = _library(root, deck_factory)
    person = app.people.add(PersonFields("Ana", "Ng", email="ana@example.org"))[0].person_id
    app.close()
    kept = tmp_path / "kept"
    kept.mkdir()
    for path in root.glob("library.sqlite3*"):
        shutil.copy2(path, kept / path.name)
    app = App(root)
    app.privacy.erase_person(person, "request")
    app.close()
    for path in root.glob("library.sqlite3*"):
        path.unlink()
    for path in kept.iterdir():  # the database from before the erasure, put back by hand
        shutil.copy2(path, root / path.name)
    with pytest.MonkeyPatch.context() as patch:
        _pretend_read_only(patch, root)
        before = _snapshot(root)
        app = App(root)
        try:
            assert app.read_only
            assert app.erasures_reapplied == 0
        finally:
            app.close()
        assert _snapshot(root) == before
    root.chmod(0o700)  # (as a normal user the folder was made read-only for real)
    app = App(root)
    try:
        assert not app.read_only
        assert app.erasures_reapplied == 1
    finally:
        app.close()


def _unshare_works() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _unshare_works(), reason="needs root and mount namespaces (unshare -m)")
def test_a_library_on_a_read_only_mount_opens_for_reading(tmp_path: Path, deck_factory) -> None:
    """The real thing as root: the library bind-mounted read-only in a private mount namespace."""
    root = tmp_path / "lib"
    _library(root, deck_factory).close()
    mount = tmp_path / "ro"
    mount.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    # A copy with one page damaged in the middle: the start's full check finds it on a read-only disk too.
    damaged, damaged_mount = tmp_path / "damaged", tmp_path / "ro-damaged"
    shutil.copytree(root, damaged)
    damaged_mount.mkdir()
    data = bytearray((damaged / "library.sqlite3").read_bytes())
    middle = len(data) // 2 + 333
    data[middle : middle + 8] = bytes(b ^ 0x5A for b in data[middle : middle + 8])
    (damaged / "library.sqlite3").write_bytes(bytes(data))
    run = f"{sys.executable} -m msldesk --data-dir {mount}"
    script = textwrap.dedent(
        f"""\
        mount --bind {root} {mount} && mount -o remount,ro,bind {mount} || exit 99
        mount --bind {damaged} {damaged_mount} && mount -o remount,ro,bind {damaged_mount} || exit 99
        {run} decks; echo "rc=$?"
        {run} search kinetics; echo "rc=$?"
        {run} backup --library-key {out}/b.msldesk-backup; echo "rc=$?"
        {run} deck set 1 --title Renamed; echo "rc=$?"
        {sys.executable} -m msldesk --data-dir {damaged_mount} decks; echo "rc=$?"
        """
    )
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=120, env=os.environ
    )
    assert result.returncode == 0, result.stdout + result.stderr
    codes = [line for line in result.stdout.splitlines() if line.startswith("rc=")]
    assert codes == ["rc=0", "rc=0", "rc=0", "rc=2", "rc=2"], result.stdout + result.stderr
    assert "Alpha kinetics" in result.stdout
    assert (out / "b.msldesk-backup").exists()
    assert f"The library folder {mount} is read-only" in result.stderr
    assert f"The library's database {damaged_mount / 'library.sqlite3'} is damaged" in result.stderr
    assert "Traceback" not in result.stderr
