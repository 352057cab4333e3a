"""The audit trail: what is recorded, that it cannot be changed through SQL, and that verify finds
every kind of tampering done behind the app's back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from msldesk.boards.records import AttendanceFields, Audience, EventFields, Invitation, PersonFields
from msldesk.decks.records import DeckUpdate
from tests import library_db

BERLIN = ZoneInfo("Europe/Berlin")


def _event(app):  # type: ignore[no-untyped-def]
    start = dt.datetime(2027, 3, 2, 9, tzinfo=BERLIN)
    return app.events.create(
        EventFields(
            title="Board", starts_at=start, ends_at=start + dt.timedelta(hours=2), timezone="Europe/Berlin"
        )
    )[0]


def _actions(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.action for r in reversed(app.audit.recent(1000))]


def _sql(app, *statements: str) -> None:  # type: ignore[no-untyped-def]
    """Change the database behind the app's back, as someone with the file and a SQLite shell would."""
    app.engine.dispose()
    with library_db.connect(app.paths.database) as db:
        db.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        db.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        for statement in statements:
            db.execute(statement)


def test_changes_to_events_attendance_payments_notes_and_decks_are_recorded(
    app, deck_factory, tmp_path: Path
):  # type: ignore[no-untyped-def]
    event = _event(app)
    person = app.people.add(PersonFields(first_name="Ann", last_name="Lee"))[0]
    attendance, _ = app.events.add_attendee(event.event_id, person.person_id)
    app.events.update_attendance(
        attendance.attendance_id,
        AttendanceFields(invitation=Invitation.ACCEPTED, honorarium_amount=Decimal("900")),
    )
    history = app.audit.history("attendance", attendance.attendance_id)
    assert [r.action for r in history] == ["attendance.add", "attendance.update"]
    assert history[1].before == {"honorarium_amount": "0.00", "invitation": "not-sent"}
    assert history[1].after == {"honorarium_amount": "900.00", "invitation": "accepted"}
    assert history[1].actor  # who

    fields = app.events.get(event.event_id).fields
    from dataclasses import replace

    app.events.update(event.event_id, replace(fields, title="Board (moved)"))
    app.events.update(event.event_id, replace(fields, title="Board (moved)"))  # no change, no record
    entry, _ = app.meetings.add_entry(event.event_id, "Enrolled 400")
    app.meetings.finalize(event.event_id)
    app.meetings.amend_entry(entry.entry_id, "Enrolled 450", "typo")
    app.outputs.insights(event.event_id, Audience.MEDICAL, tmp_path / "insights.csv")
    app.outputs.payments(2027, tmp_path / "payments.csv")

    (outcome,) = app.decks.import_paths([deck_factory.pptx("d.pptx", [("Slide", "", "")])])
    app.decks.update_deck(outcome.deck_id, DeckUpdate(approval_code="MED-1", expires_on=dt.date(2028, 1, 1)))
    app.people.delete(app.people.add(PersonFields(first_name="Temp", last_name="Person"))[0].person_id)

    assert _actions(app) == [
        "event.create", "attendance.add", "attendance.update", "event.update", "notes.finalize", "note.amend",
        "export.insights", "export.payments", "deck.approval",
    ]  # fmt: skip
    event_history = app.audit.history("event", event.event_id)
    assert event_history[1].before == {"title": "Board"}
    assert event_history[1].after == {"title": "Board (moved)"}
    amend = app.audit.history("note", entry.entry_id)[0]
    assert amend.before == {"text": "Enrolled 400"}
    assert amend.after == {
        "text": "Enrolled 450",
        "reason": "typo",
    }
    export = app.audit.history("event", event.event_id)[-1]
    assert export.action == "export.insights"
    assert export.after["audience"] == "medical"
    assert len(export.after["sha256"]) == 64
    deck = app.audit.history("deck", outcome.deck_id)[0]
    assert deck.after == {"approval_code": "MED-1", "expires_on": "2028-01-01"}
    assert app.audit.verify().ok


def test_the_log_refuses_update_and_delete(app) -> None:  # type: ignore[no-untyped-def]
    _event(app)
    with library_db.connect(app.paths.database) as db:
        for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
            with pytest.raises(library_db.DatabaseError, match="append-only"):
                db.execute(statement)


@pytest.fixture
def logged(app):  # type: ignore[no-untyped-def]
    """Five records, verified clean."""
    for n in range(5):
        _event(app) if n == 0 else app.events.update(1, EventFields(title=f"Board {n}", timezone="UTC"))
    assert app.audit.verify().ok
    assert app.audit.verify().checked == 5
    return app


def test_an_altered_record_is_found(logged) -> None:  # type: ignore[no-untyped-def]
    _sql(logged, """UPDATE audit_log SET after_json = '{"title":"Something else"}' WHERE id = 3""")
    report = logged.audit.verify()
    assert not report.ok
    assert any("record 3 was altered" in p for p in report.problems)


def test_a_removed_record_is_found(logged) -> None:  # type: ignore[no-untyped-def]
    _sql(logged, "DELETE FROM audit_log WHERE id = 2")
    report = logged.audit.verify()
    assert not report.ok
    assert any("missing" in p for p in report.problems)


def test_removed_newest_records_are_found_by_the_anchor(logged) -> None:  # type: ignore[no-untyped-def]
    _sql(logged, "DELETE FROM audit_log WHERE id >= 4")
    report = logged.audit.verify()
    assert not report.ok
    assert any("removed" in p for p in report.problems)


def test_reordered_records_are_found(logged) -> None:  # type: ignore[no-untyped-def]
    _sql(
        logged,
        "UPDATE audit_log SET id = -2 WHERE id = 2",
        "UPDATE audit_log SET id = 2 WHERE id = 3",
        "UPDATE audit_log SET id = 3 WHERE id = -2",
    )
    report = logged.audit.verify()
    assert not report.ok
    assert any("does not follow" in p for p in report.problems)


def _rows(app) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The stored records, read from the file directly."""
    with library_db.connect(app.paths.database) as db:
        return db.execute("SELECT * FROM audit_log ORDER BY id").fetchall()


def _stored_bytes(app, record_id: int) -> tuple:  # type: ignore[no-untyped-def]
    """Each stored value of a record as its bytes and storage class (whatever they hold)."""
    columns = ("id", "at_utc", "actor", "action", "entity", "entity_id", "before_json", "after_json",
               "prev_hash", "hash")  # fmt: skip
    query = ", ".join(f"hex(CAST({c} AS BLOB)), typeof({c})" for c in columns)
    with library_db.connect(app.paths.database) as db:
        return db.execute(f"SELECT {query} FROM audit_log WHERE id = ?", (record_id,)).fetchone()


def _unkeyed_hash(prev: str, row: tuple) -> str:
    """What someone without the key can compute: plain SHA-256 over the record, as msldesk did before
    its chain was keyed (contents by digest, the time as ISO text)."""
    from msldesk.protect.audit import canonical

    def digest(content: str) -> str:
        if content.startswith('{"redacted":'):
            return json.loads(content)["redacted"]
        return hashlib.sha256(content.encode("utf-8")).hexdigest()

    at = dt.datetime.fromisoformat(row[1]).isoformat()
    fields = [row[0], at, *row[2:6], digest(row[6]), digest(row[7])]
    return hashlib.sha256((prev + canonical(fields)).encode("utf-8")).hexdigest()


def _rewrite_chain(app, edit: str) -> None:  # type: ignore[no-untyped-def]
    """An edit, then every hash recomputed without the key, and an anchor that matches the result."""
    _sql(app, edit)
    with library_db.connect(app.paths.database) as db:
        prev = "0" * 64
        for row in db.execute("SELECT * FROM audit_log ORDER BY id").fetchall():
            new = _unkeyed_hash(prev, row)
            db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, new, row[0]))
            prev, last = new, row[0]
    app.paths.audit_anchor.write_text(json.dumps({"id": last, "hash": prev}))


def test_a_chain_recomputed_without_the_key_is_found(logged) -> None:  # type: ignore[no-untyped-def]
    """Someone recomputes every hash after an edit, and the anchor too: without the library's key the
    hashes cannot be the ones the app writes."""
    _rewrite_chain(logged, "UPDATE audit_log SET actor = 'forger' WHERE id = 2")
    report = logged.audit.verify()
    assert not report.ok
    assert report.tampered
    assert report.anchor == "ok"
    assert report.records == (1, 2, 3, 4, 5)
    assert "record 2 was altered after it was written" in report.problems


def test_the_chain_is_keyed_with_a_key_derived_from_the_library_key(logged, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import hmac

    from msldesk.app.services import App
    from msldesk.protect import audit_chain

    row = _rows(logged)[0]
    assert logged.audit.key == logged.library_key.audit_key != logged.library_key.key
    expected = hmac.new(logged.library_key.audit_key, b"", hashlib.sha256)
    expected.update(audit_chain.preimage("0" * 64, audit_chain.hashed_fields(row)).encode("utf-8"))
    assert row[9] == expected.hexdigest() != _unkeyed_hash("0" * 64, row)
    other = App(tmp_path / "other")
    try:
        assert other.library_key.audit_key != logged.library_key.audit_key
    finally:
        other.close()


ANCHOR_CASES = {
    # state: (anchor file text or None for no file, words the problem uses)
    "missing": (None, "the anchor file is missing"),
    "stale": ("STALE", "the anchor is stale: it names record 3 but the log goes on to 5"),
    "damaged": ("{not json", "the anchor file is damaged"),
    "removed": ("REMOVED", "records after 5 were removed (the log had 7)"),
    "mismatch": ('{"id": 5, "hash": "' + "ab" * 32 + '"}', "record 5 does not match the last record"),
}


@pytest.mark.parametrize("state", ANCHOR_CASES)
def test_each_anchor_problem_is_reported_as_what_it_is(logged, state: str) -> None:  # type: ignore[no-untyped-def]
    text, words = ANCHOR_CASES[state]
    hashes = {row[0]: row[9] for row in _rows(logged)}
    anchor = logged.paths.audit_anchor
    if text is None:
        anchor.unlink()
    elif text == "STALE":  # an older anchor the app really wrote (it names record 3 and its hash)
        anchor.write_text(json.dumps({"id": 3, "hash": hashes[3]}))
    elif text == "REMOVED":
        anchor.write_text(json.dumps({"id": 7, "hash": hashes[5]}))
    else:
        anchor.write_text(text)
    report = logged.audit.verify()
    assert not report.ok, report.problems
    assert [p for p in report.problems if words in p], report.problems
    assert report.anchor == state
    assert report.records == ()  # the records themselves are intact
    assert report.tampered == (state in ("removed", "mismatch"))  # else: incomplete


def test_an_anchor_that_cannot_be_read_is_reported_damaged_with_its_reason(logged) -> None:  # type: ignore[no-untyped-def]
    anchor = logged.paths.audit_anchor
    anchor.unlink()
    anchor.mkdir()  # what a sync client or a mistaken copy can leave under the name
    report = logged.audit.verify()
    assert not report.ok
    assert report.anchor == "damaged"
    assert not report.tampered
    said = [p for p in report.problems if "anchor file cannot be read" in p and "a folder" in p]
    assert said, report.problems


def test_an_empty_log_needs_no_anchor(app) -> None:  # type: ignore[no-untyped-def]
    report = app.audit.verify()
    assert report.ok
    assert report.checked == 0
    assert report.anchor == "none"


def _erase_board_2(app) -> list[int]:  # type: ignore[no-untyped-def]
    from msldesk.protect import audit

    with app.sessions.begin() as session:
        return audit.redact(session, lambda text: text.replace("Board 2", "[Erased person]"), "test erasure")


COLUMN_TAMPERING = {
    "actor": "UPDATE audit_log SET actor = 'someone else' WHERE id = 3",
    "action": "UPDATE audit_log SET action = 'event.create' WHERE id = 3",
    "entity": "UPDATE audit_log SET entity = 'deck' WHERE id = 3",
    "entity_id": "UPDATE audit_log SET entity_id = '2' WHERE id = 3",
    "before_json": """UPDATE audit_log SET before_json = '{"title":"Board 9"}' WHERE id = 3""",
    "after_json": """UPDATE audit_log SET after_json = '{"title":"Something else"}' WHERE id = 3""",
    "prev_hash": "UPDATE audit_log SET prev_hash = hash WHERE id = 3",
    # A letter moved from one value to the next: the same characters in the same order.
    "actor and action": "UPDATE audit_log SET actor = actor || substr(action, 1, 1), "
    "action = substr(action, 2) WHERE id = 3",
    "hash": f"UPDATE audit_log SET hash = '{'0' * 64}' WHERE id = 3",
    # The same instant spelled differently: the stored bytes changed, the time they mean did not.
    "at_utc spelling": "UPDATE audit_log SET at_utc = replace(at_utc, ' ', 'T') WHERE id = 3",
    "at_utc": "UPDATE audit_log SET at_utc = '2020-01-01 00:00:00.000000' WHERE id = 3",
    # The same characters stored as another kind of value, or bytes that are not text at all.
    "storage class": "UPDATE audit_log SET actor = CAST(actor AS BLOB) WHERE id = 3",
    "not UTF-8": "UPDATE audit_log SET entity = CAST(x'ff' AS TEXT) WHERE id = 3",
    # What an erasure kept: the digest and seal stay, the words they stand for change.
    "erased content": "UPDATE audit_log SET after_json = "
    "replace(after_json, '[Erased person]', 'Board 9') WHERE id = 3",
    "erased content, reformatted": "UPDATE audit_log SET after_json = "
    "replace(after_json, '\"remaining\":', '\"remaining\": ') WHERE id = 3",
}


@pytest.mark.parametrize("column", COLUMN_TAMPERING)
def test_a_change_to_any_stored_value_is_found_with_its_record(logged, column: str) -> None:  # type: ignore[no-untyped-def]
    """As someone with the file and a SQLite shell: the trigger dropped, one value of record 3 changed."""
    assert _erase_board_2(logged) == [3, 4]  # record 3 holds what an erasure kept
    assert logged.audit.verify().ok
    before = _stored_bytes(logged, 3)
    _sql(logged, COLUMN_TAMPERING[column])
    assert _stored_bytes(logged, 3) != before  # the statement did change the stored record
    report = logged.audit.verify()
    assert not report.ok, report.problems
    assert [p for p in report.problems if "record 3 " in p], report.problems
    assert report.tampered
    assert 3 in report.records


def test_forged_records_are_found(logged) -> None:  # type: ignore[no-untyped-def]
    """A record added behind the app's back, hashed without the key (plain SHA-256), anchor updated."""
    last = _rows(logged)[-1]
    forged = (6, last[1], "forger", "event.update", "event", "1", "{}", '{"title":"Board X"}', last[9])
    new_hash = _unkeyed_hash(last[9], forged)
    _sql(logged, f"INSERT INTO audit_log VALUES {(*forged, new_hash)!r}")
    logged.paths.audit_anchor.write_text(json.dumps({"id": 6, "hash": new_hash}))
    report = logged.audit.verify()
    assert "record 6 was altered after it was written" in report.problems
    assert report.records == (6,)
    assert report.tampered


def test_cli_verify_exit_codes(logged) -> None:  # type: ignore[no-untyped-def]
    from tests.cli.test_cli import msldesk

    root = logged.paths.root
    logged.close()
    assert "OK: 5 audit records" in msldesk(root, "audit", "verify", check_exit=0).stdout
    anchor = (root / "audit-anchor.json").read_text()
    (root / "audit-anchor.json").unlink()
    incomplete = msldesk(root, "audit", "verify", check_exit=1).stdout
    assert "INCOMPLETE" in incomplete
    assert "the anchor file is missing" in incomplete
    (root / "audit-anchor.json").write_text(anchor)
    with library_db.connect(root / "library.sqlite3") as db:
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("UPDATE audit_log SET actor = 'x' WHERE id = 1")
    tampered = msldesk(root, "audit", "verify", check_exit=1).stdout
    assert "TAMPERED" in tampered
    assert "record 1 was altered after it was written" in tampered
    data = json.loads(msldesk(root, "audit", "verify", "--json", check_exit=1).stdout)
    assert data["ok"] is False
    assert data["records"] == [1]
    assert data["anchor"] == "ok"
    assert "event.create" in msldesk(root, "audit", "history", "event", "1", check_exit=0).stdout


def _marker(content: str, **changes: object) -> str:
    from msldesk.protect.audit import canonical

    return canonical({**json.loads(content), **changes})


def test_the_trigger_admits_the_erasure_transform_and_nothing_else(logged) -> None:  # type: ignore[no-untyped-def]
    """The trigger lets a content become a sealed marker that keeps the digest the chain covers, and
    refuses every other UPDATE; the seal, which SQL cannot compute, verify recomputes."""
    assert _erase_board_2(logged) == [3, 4]  # the erasure transform, through the app
    records = {r.record_id: r for r in logged.audit.recent(100)}
    assert records[3].redacted
    assert records[3].after == {"title": "[Erased person]"}
    assert records[4].before == {"title": "[Erased person]"}
    assert records[4].after == {"title": "Board 3"}
    assert logged.audit.verify().ok  # the chain holds: it covers the digest the marker keeps
    rows = {row[0]: row for row in _rows(logged)}
    marker, plain = rows[3][7], rows[2][7]
    digest = json.loads(marker)["redacted"]
    unsealed = json.dumps({"redacted": hashlib.sha256(plain.encode()).hexdigest(), "remaining": None})
    set_after = "UPDATE audit_log SET after_json = ? WHERE id = ?"
    refused = {
        "another actor": ("UPDATE audit_log SET actor = ? WHERE id = ?", ("someone else", 2)),
        "another hash": ("UPDATE audit_log SET hash = ? WHERE id = ?", ("1" * 64, 2)),
        "plain content": (set_after, ("{}", 2)),
        "a marker without a seal (the old form)": (set_after, (unsealed, 2)),
        "a marker with another digest": (set_after, (_marker(marker, redacted="0" * 64), 3)),
        "a marker with more in it": (set_after, (_marker(marker, by="me"), 3)),
        "a short seal": (set_after, (_marker(marker, seal="00"), 3)),
        "an erasure undone": (set_after, (plain, 3)),
        "a marker that is not JSON": (set_after, ('{"redacted":"x', 2)),
    }
    logged.engine.dispose()
    with library_db.connect(logged.paths.database) as db:  # behind the app's back, triggers in place
        for statement, values in refused.values():
            with pytest.raises(library_db.DatabaseError, match="append-only"):
                db.execute(statement, values)
        # The right shape with a made-up seal gets past SQL; verify recomputes the seal.
        forged = _marker(marker, remaining={"title": "Board 9"})
        db.execute("UPDATE audit_log SET after_json = ? WHERE id = 3", (forged,))
        # A first erasure with the right digest and seal shape, but no erasure that lists it.
        wrong = json.dumps({"redacted": hashlib.sha256(rows[5][6].encode()).hexdigest(), "remaining": None,
                            "seal": "5" * 64}, separators=(",", ":"))  # fmt: skip
        db.execute("UPDATE audit_log SET before_json = ? WHERE id = 5", (wrong,))
    problems = logged.audit.verify().problems
    assert "record 3 was altered after it was written (what an erasure kept)" in problems
    assert "record 5 was blanked without an erasure that says so" in problems
    assert digest == json.loads(_rows(logged)[2][7])["redacted"]


def _legacy_library(root: Path) -> None:
    """A library as msldesk 0006 left it: five records chained with plain SHA-256, one of them blanked
    by an erasure in the old (unsealed) form, and its anchor."""
    from msldesk.protect.audit import canonical
    from tests.db.test_migrations import _old_library

    with _old_library(root, "0006_checkin_utc") as connection:
        prev = "0" * 64
        contents = [
            ("null", '{"title":"Board"}'),
            ('{"title":"Board"}', '{"title":"Ann Lee"}'),
            ('{"title":"Ann Lee"}', '{"title":"Board 3"}'),
            ("null", '{"sha256":"ab"}'),
            ("null", "null"),
        ]
        rows = []
        for n, (before, after) in enumerate(contents, start=1):
            action = "audit.redact" if n == 5 else "event.update"
            after = canonical({"records": [2, 3], "reason": "erasure of person 1"}) if n == 5 else after
            row = (n, f"2026-11-0{n} 10:00:00.000000", "mia", action, "event", "7", before, after)
            new = _unkeyed_hash(prev, row)
            rows.append((*row, prev, new))
            prev = new
        for row in rows:
            connection.exec_driver_sql("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?,?,?)", row)
        for n, column in ((2, "after_json"), (3, "before_json")):  # "Ann Lee" erased, the old way
            original = rows[n - 1][6 if column == "before_json" else 7]
            blank = canonical({"redacted": hashlib.sha256(original.encode()).hexdigest(), "remaining": None})
            connection.exec_driver_sql(f"UPDATE audit_log SET {column} = ? WHERE id = ?", (blank, n))
    (root / "audit-anchor.json").write_text(json.dumps({"id": 5, "hash": prev}))


def test_a_library_from_before_the_keyed_chain_is_rekeyed_once_and_keeps_verifying(tmp_path: Path) -> None:
    from msldesk.app.services import App

    root = tmp_path / "old"
    _legacy_library(root)
    app = App(root)
    try:
        (rekey,) = app.audit.recent(1)
        assert rekey.record_id == 6
        assert rekey.action == "audit.rekey"
        assert rekey.after["previous"] == "sha256"
        assert rekey.after["records"] == [1, 5]
        assert "earlier msldesk" in rekey.after["reason"]
        report = app.audit.verify()
        assert report.ok, report.problems
        assert report.checked == 6, report.problems
        assert all('"seal"' in row[7] for row in _rows(app)[1:2])  # old markers are sealed now
        app.events.create(EventFields(title="After the upgrade"))
        assert app.audit.verify().ok
    finally:
        app.close()
    again = App(root)  # once: the next opening adds nothing
    try:
        assert again.audit.verify().checked == 7
        assert again.audit.verify().ok
        # The unkeyed records stay checked: a change to one is still found, with its id.
        _sql(again, "UPDATE audit_log SET actor = 'forger' WHERE id = 4")
        assert again.audit.verify().records == (4,)
    finally:
        again.close()


def test_unkeyed_records_are_not_accepted_after_the_rekeying(tmp_path: Path) -> None:
    """Recomputing everything as an old, unkeyed chain does not pass for one."""
    from msldesk.app.services import App

    root = tmp_path / "old"
    _legacy_library(root)
    app = App(root)
    try:
        app.events.create(EventFields(title="After the upgrade"))
        _rewrite_chain(app, "DELETE FROM audit_log WHERE action = 'audit.rekey'")
        report = app.audit.verify()
        assert not report.ok
        assert report.tampered
        assert "record 6 is missing" in report.problems
        assert report.records == (1, 2, 3, 4, 5, 7)  # unkeyed where this key is expected
    finally:
        app.close()


def test_a_backup_from_before_the_keyed_chain_is_checked_and_rekeyed_when_restored(tmp_path: Path) -> None:
    """The backup taken before the upgrade holds the unkeyed chain: restore checks it as such (a change
    to it is refused) and pins it with a re-keying record again."""
    from msldesk.app.services import App
    from msldesk.protect.backup_check import DamagedBackupError

    root = tmp_path / "old"
    _legacy_library(root)
    app = App(root)
    try:
        (backup,) = app.backups.automatic()  # before-upgrade: schema 0006, records unkeyed
        assert app.backups.check(backup).audit_check == "unkeyed records of an earlier msldesk"
        result = app.backups.restore(backup)
        actions = [r.action for r in reversed(app.audit.recent(10))]
        assert result.info.schema_revision == "0006_checkin_utc"
        assert actions[-1] == "audit.rekey"
        assert app.audit.verify().ok
        assert app.audit.verify().checked == 6

        forged = tmp_path / "forged.msldesk-backup"
        forged.write_bytes(backup.read_bytes())
        db = library_db.crypto.connect(forged, app.library_key.key)
        try:
            db.execute("DROP TRIGGER audit_log_no_update")
            db.execute("UPDATE audit_log SET actor = 'forger' WHERE id = 4")
            db.commit()
        finally:
            db.close()
        with pytest.raises(DamagedBackupError, match="record 4 was altered"):
            app.backups.restore(forged)
    finally:
        app.close()


def test_an_events_history_names_its_agenda_items(app) -> None:  # type: ignore[no-untyped-def]
    from msldesk.app.history import Subject, gather
    from msldesk.boards.records import AgendaItemFields

    event = _event(app)
    _welcome, _ = app.events.add_agenda_item(event.event_id, AgendaItemFields(title="Welcome", minutes=10))
    data, _ = app.events.add_agenda_item(event.event_id, AgendaItemFields(title="Data review", minutes=30))
    app.events.move_agenda_item(data.item_id, 0)
    lines = gather(app, Subject("event", event.event_id, "Board"))
    reorder = [line for line in lines if line.about == "Agenda" and "Welcome" in " ".join(line.changes)]
    assert len(reorder) == 1, lines
    assert any("Data review → Welcome" in change for change in reorder[0].changes), reorder[0].changes
