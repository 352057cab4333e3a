"""Encryption at rest: SQLCipher by default, the key in the keyring or behind a passphrase, wrong keys
refused in plain words, and plain libraries moved into encrypted files without losing anything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from msldesk.core.errors import DatabaseTooNewError
from msldesk.db import copies, crypto, encrypting
from tests import library_db
from tests.cli.test_cli import msldesk

ATTENDEE = "Quintavalle-Obuya"  # a name no template, font or schema contains
PASSPHRASE = "correct horse battery"


def _fill(app, deck_factory) -> None:  # type: ignore[no-untyped-def]
    """Decks and slides, people, an event with the attendee, notes and audit records."""
    from msldesk.boards.records import AttendanceFields, EventFields, PersonFields

    app.seed_demo_content()
    deck = deck_factory.pptx("kinase.pptx", [("Zymoquinase overview", "Phase III primary endpoint", "")])
    list(app.decks.import_paths([deck]))
    person, _ = app.people.add(
        PersonFields(
            first_name="Ilaria", last_name=ATTENDEE, institution="Ospedale Niguarda", email="io@x.it"
        )
    )
    event, _ = app.events.create(EventFields(title="Renal advisory board"))
    app.events.add_attendee(event.event_id, person.person_id, AttendanceFields())
    app.meetings.add_entry(event.event_id, f"{ATTENDEE} asked about renal dosing")


def _snapshot(app) -> dict:  # type: ignore[no-untyped-def]
    """What a user sees of the library: decks, slide and people search, events, notes, audit check."""
    return {
        "decks": [(d.deck_id, d.title) for d in app.decks.list_decks()],
        "slide_search": [h.slide_id for h in app.decks.search("zymoquinase")],
        "people_search": [p.person_id for p in app.people.search(ATTENDEE)],
        "events": [(e.event_id, e.fields.title, e.attendee_count) for e in app.events.list_events()],
        "notes": {e.event_id: len(app.meetings.entries(e.event_id)) for e in app.events.list_events()},
        "audit_ok": app.audit.verify().ok,
        "audit_records": app.audit.verify().checked,
    }


def _raw(root: Path) -> bytes:
    data = b""
    for suffix in ("", "-wal"):
        path = Path(f"{root / 'library.sqlite3'}{suffix}")
        if path.exists():
            data += path.read_bytes()
    return data


def test_a_new_library_is_encrypted_and_its_file_has_no_readable_text(app, deck_factory) -> None:
    _fill(app, deck_factory)
    assert app.library_key.source == "keyring"
    assert app.library_key.encrypted
    # While the app is open (the write-ahead log holds recent pages) and after it closed.
    for _ in range(2):
        raw = _raw(app.paths.root)
        assert len(raw) > 100_000
        for needle in (ATTENDEE, "Zymoquinase", "Renal advisory board", "renal dosing", "audit_log"):
            assert needle.encode("utf-8") not in raw
            assert needle.encode("utf-16-le") not in raw
        assert b"SQLite format 3" not in raw
        assert b"CREATE TABLE" not in raw
        app.close()
    # The key file says where the key is and holds nothing secret.
    keyfile = json.loads(app.paths.key_file.read_text())
    assert keyfile["source"] == "keyring"
    assert set(keyfile) == {"format", "library_id", "source", "key_check"}
    with library_db.connect(app.paths.database) as db:  # the file opens with the key from the keyring
        assert db.execute("SELECT count(*) FROM people WHERE last_name = ?", (ATTENDEE,)).fetchone() == (1,)


def test_search_works_on_the_encrypted_library(app, deck_factory) -> None:
    _fill(app, deck_factory)
    seen = _snapshot(app)
    assert seen["slide_search"]
    assert seen["people_search"]
    assert seen["audit_ok"]


def test_a_wrong_key_is_a_clear_error_not_a_crash(app) -> None:
    from msldesk.app.services import App

    root = app.paths.root
    app.close()
    library_id = json.loads(app.paths.key_file.read_text())["library_id"]
    keyring.get_keyring().set_password("msldesk", f"library-key-{library_id}", os.urandom(32).hex())
    with pytest.raises(crypto.LibraryLockedError) as caught:
        App(root)
    assert "does not open this library" in caught.value.user_message
    keyring.get_keyring().delete_password("msldesk", f"library-key-{library_id}")
    with pytest.raises(crypto.LibraryLockedError) as caught:
        App(root)
    assert "not in this computer's keyring" in caught.value.user_message
    # The command line says the same, with no traceback.
    result = msldesk(root, "decks", check_exit=2)
    assert "not in this computer's keyring" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with no usable keyring, in this process and in `python -m msldesk` children."""
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


def test_without_a_keyring_the_passphrase_locks_the_library(
    no_keyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msldesk.app.services import App

    root = tmp_path / "lib"
    with pytest.raises(crypto.LibraryLockedError) as caught:
        App(root)
    assert "MSLDESK_PASSPHRASE" in caught.value.user_message
    assert not (root / "library.sqlite3").exists()

    monkeypatch.setenv("MSLDESK_PASSPHRASE", "short")
    with pytest.raises(Exception, match="at least 8 characters"):
        App(root)

    monkeypatch.setenv("MSLDESK_PASSPHRASE", PASSPHRASE)
    app = App(root)
    assert app.library_key.source == "passphrase"
    from msldesk.boards.records import PersonFields

    app.people.add(PersonFields(first_name="Ilaria", last_name=ATTENDEE))
    app.close()
    stored = (root / "encryption.json").read_text()
    assert json.loads(stored)["source"] == "passphrase"
    assert json.loads(stored)["kdf"] == "scrypt"
    assert PASSPHRASE not in stored
    assert ATTENDEE.encode() not in _raw(root)

    again = App(root)
    assert [p.fields.last_name for p in again.people.search(ATTENDEE)] == [ATTENDEE]
    again.close()

    monkeypatch.setenv("MSLDESK_PASSPHRASE", "not the passphrase")
    with pytest.raises(crypto.WrongPassphraseError) as wrong:
        App(root)
    assert wrong.value.user_message.startswith("The passphrase is wrong")

    # Scripts: the environment variable; a wrong one is exit 2 and one plain line.
    wrong_cli = msldesk(root, "people", "--search", ATTENDEE, check_exit=2)
    assert "The passphrase is wrong" in wrong_cli.stderr
    assert "Traceback" not in wrong_cli.stderr
    monkeypatch.setenv("MSLDESK_PASSPHRASE", PASSPHRASE)
    assert ATTENDEE in msldesk(root, "people", "--search", ATTENDEE, check_exit=0).stdout
    monkeypatch.delenv("MSLDESK_PASSPHRASE")
    assert "MSLDESK_PASSPHRASE" in msldesk(root, "events", check_exit=2).stderr


def test_the_gui_hook_is_asked_again_after_a_wrong_passphrase(no_keyring, tmp_path: Path) -> None:
    from msldesk.app.services import App

    asked: list[crypto.PassphraseRequest] = []
    answers = iter([PASSPHRASE, "typo typo typo", PASSPHRASE])

    def provider(request: crypto.PassphraseRequest) -> str | None:
        asked.append(request)
        return next(answers)

    App(tmp_path / "lib", passphrase_provider=provider).close()
    App(tmp_path / "lib", passphrase_provider=provider).close()
    assert [(r.new, r.retry) for r in asked] == [(True, False), (False, False), (False, True)]
    assert "keyring" in asked[0].reason.lower()
    # The prompt's small print is a plain sentence: no backend class names or priorities.
    assert "keyring.backends" not in asked[0].reason
    assert "priority" not in asked[0].reason
    with pytest.raises(crypto.LibraryLockedError, match="no passphrase was given"):
        App(tmp_path / "lib", passphrase_provider=lambda request: None)


def _plain_library(root: Path, deck_factory) -> dict:  # type: ignore[no-untyped-def]
    from msldesk.app.services import App

    plain = App(root, encryption=False)
    try:
        _fill(plain, deck_factory)
        assert plain.library_key.source == "none"
        return _snapshot(plain)
    finally:
        plain.close()


def _encrypted(before: dict, app) -> dict:  # type: ignore[no-untyped-def]
    """What the encrypted library shows of a plain one: the same, and one audit record more, which says
    that from there on the chain is keyed with the new library key."""
    assert [r.action for r in app.audit.recent(1)] == ["audit.rekey"]
    return {**before, "audit_records": before["audit_records"] + 1}


def test_a_plain_library_is_encrypted_in_place_keeping_all_its_data(tmp_path: Path, deck_factory) -> None:
    from msldesk.app.services import App

    root = tmp_path / "old"
    before = _plain_library(root, deck_factory)
    assert before["slide_search"]
    assert before["people_search"]
    assert before["audit_ok"]
    raw_plain = (root / "library.sqlite3").read_bytes()
    assert raw_plain.startswith(b"SQLite format 3\x00")
    assert ATTENDEE.encode() in raw_plain
    store = sorted(p.relative_to(root) for p in (root / "store").rglob("*") if p.is_file())
    with library_db.connect(root / "library.sqlite3") as db:
        counts = copies.table_counts(db)

    app = App(root)  # encryption is on by default: the library is moved into an encrypted file
    try:
        assert app.library_key.encrypted
        assert _snapshot(app) == _encrypted(before, app)
    finally:
        app.close()
    assert crypto.database_state(root / "library.sqlite3") == "encrypted"
    assert ATTENDEE.encode() not in _raw(root)
    leftovers = {p.name for p in root.iterdir()} - {
        "library.sqlite3", "store", "previews", "thumbnails", "cache", "encryption.json", "audit-anchor.json",
        "settings.json",
    }  # fmt: skip
    assert leftovers == set()
    with library_db.connect(root / "library.sqlite3") as db:
        assert copies.table_counts(db) == {**counts, "audit_log": counts["audit_log"] + 1}
    assert sorted(p.relative_to(root) for p in (root / "store").rglob("*") if p.is_file()) == store


@pytest.mark.parametrize("where", ["before-copy", "after-copy", "swap"])
def test_an_interrupted_encryption_leaves_the_plain_library_usable(
    tmp_path: Path, deck_factory, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    from msldesk.app.services import App

    root = tmp_path / "old"
    before = _plain_library(root, deck_factory)

    def power_cut(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("power cut")

    with monkeypatch.context() as patched:
        if where == "before-copy":
            patched.setattr(encrypting, "table_counts", power_cut)
        elif where == "after-copy":  # the encrypted copy is complete, not yet checked or swapped in
            patched.setattr(encrypting, "_verify_copy", power_cut)
        else:
            real_replace = os.replace

            def replace(src: str, dst: str) -> None:
                if str(dst).endswith("library.sqlite3"):
                    power_cut()
                real_replace(src, dst)

            patched.setattr(encrypting.os, "replace", replace)
        with pytest.raises(KeyboardInterrupt):
            App(root)
    assert crypto.database_state(root / "library.sqlite3") == "plain"
    assert not any(p.name.startswith(".library.sqlite3.") for p in root.iterdir())
    plain = App(root, encryption=False)  # the plain library works as it was
    try:
        assert _snapshot(plain) == before
    finally:
        plain.close()
    app = App(root)  # and the next start encrypts it
    try:
        assert app.library_key.encrypted
        assert _snapshot(app) == _encrypted(before, app)
    finally:
        app.close()


def test_a_start_after_a_crash_mid_encryption_cleans_up(tmp_path: Path, deck_factory) -> None:
    """Killed before the swap: a partial encrypted copy and a second name of the plain file are left.
    Killed after it: the old plain file is left under its second name. Both are cleared at start."""
    from msldesk.app.services import App

    root = tmp_path / "old"
    before = _plain_library(root, deck_factory)
    database = root / "library.sqlite3"
    (root / ".library.sqlite3.encrypting").write_bytes(os.urandom(8192))
    os.link(database, root / ".library.sqlite3.plaintext")
    app = App(root)
    try:
        assert _snapshot(app) == _encrypted(before, app)
    finally:
        app.close()
    assert not any(p.name.startswith(".library.sqlite3.") for p in root.iterdir())

    stale = root / ".library.sqlite3.plaintext"
    stale.write_bytes(b"SQLite format 3\x00" + ATTENDEE.encode() * 100)
    App(root).close()
    assert not stale.exists()


def test_encryption_can_be_switched_off_for_new_libraries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msldesk.app.services import App

    monkeypatch.setenv("MSLDESK_ENCRYPTION", "off")
    App(tmp_path / "plain").close()
    assert crypto.database_state(tmp_path / "plain" / "library.sqlite3") == "plain"
    assert not (tmp_path / "plain" / "encryption.json").exists()


def test_a_plain_library_from_a_newer_version_is_refused_before_anything_changes(tmp_path: Path) -> None:
    import sqlite3

    from msldesk.app.services import App

    root = tmp_path / "lib"
    root.mkdir()
    with sqlite3.connect(root / "library.sqlite3") as db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        db.execute("INSERT INTO alembic_version VALUES ('0099_from_the_future')")
    before = (root / "library.sqlite3").read_bytes()
    with pytest.raises(DatabaseTooNewError):
        App(root)
    assert (root / "library.sqlite3").read_bytes() == before
    assert not (root / "encryption.json").exists()


def test_the_test_keyring_is_not_the_real_one() -> None:
    """Guard: whatever machine runs the tests, its keyring is never written by them."""
    assert type(keyring.get_keyring()).__name__ == "FileKeyring"
    assert os.environ["PYTHON_KEYRING_BACKEND"] == "msldesk_test_keyring.FileKeyring"
    child = subprocess.run(
        [sys.executable, "-c", "import keyring; print(type(keyring.get_keyring()).__name__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.strip() == "FileKeyring"
