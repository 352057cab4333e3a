"""The audit trail: what is recorded, that it cannot be changed through SQL, and that verify finds
every kind of tampering done behind the app's back."""

from __future__ import annotations

import datetime as dt
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
    assert event_history[1].before == {"title": "Board"} and event_history[1].after == {
        "title": "Board (moved)"
    }
    amend = app.audit.history("note", entry.entry_id)[0]
    assert amend.before == {"text": "Enrolled 400"} and amend.after == {
        "text": "Enrolled 450",
        "reason": "typo",
    }
    export = app.audit.history("event", event.event_id)[-1]
    assert export.action == "export.insights" and export.after["audience"] == "medical"
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
    assert app.audit.verify().ok and app.audit.verify().checked == 5
    return app


def test_an_altered_record_is_found(logged) -> None:  # type: ignore[no-untyped-def]
    _sql(logged, """UPDATE audit_log SET after_json = '{"title":"Something else"}' WHERE id = 3""")
    report = logged.audit.verify()
    assert not report.ok and any("record 3 was altered" in p for p in report.problems)


def test_a_removed_record_is_found(logged) -> None:  # type: ignore[no-untyped-def]
    _sql(logged, "DELETE FROM audit_log WHERE id = 2")
    report = logged.audit.verify()
    assert not report.ok and any("missing" in p for p in report.problems)


def test_removed_newest_records_are_found_by_the_anchor(logged) -> None:  # type: ignore[no-untyped-def]
    _sql(logged, "DELETE FROM audit_log WHERE id >= 4")
    report = logged.audit.verify()
    assert not report.ok and any("removed" in p for p in report.problems)


def test_reordered_records_are_found(logged) -> None:  # type: ignore[no-untyped-def]
    _sql(
        logged,
        "UPDATE audit_log SET id = -2 WHERE id = 2",
        "UPDATE audit_log SET id = 2 WHERE id = 3",
        "UPDATE audit_log SET id = 3 WHERE id = -2",
    )
    report = logged.audit.verify()
    assert not report.ok and any("does not follow" in p for p in report.problems)


def test_a_rewritten_chain_is_found_by_the_anchor(logged) -> None:  # type: ignore[no-untyped-def]
    """Someone recomputes every hash after an edit: the chain is valid, the anchor is not."""
    from sqlalchemy import select, text

    from msldesk.audit import AuditRow, _hash

    _sql(logged, "UPDATE audit_log SET actor = 'forger' WHERE id = 2")
    with logged.sessions.begin() as session:
        session.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
        prev = "0" * 64
        for row in session.scalars(select(AuditRow).order_by(AuditRow.id)):
            row.prev_hash, row.hash = prev, _hash(prev, row)
            prev = row.hash
    # The rewrite went around audit.record, so the anchor file still holds the head the app wrote.
    report = logged.audit.verify()
    assert not report.ok and any("does not match the last record" in p for p in report.problems)


def test_cli_verify_exit_codes(logged) -> None:  # type: ignore[no-untyped-def]
    from .test_cli import msldesk

    root = logged.paths.root
    logged.close()
    assert "OK: 5 audit records" in msldesk(root, "audit", "verify", check_exit=0).stdout
    with library_db.connect(root / "library.sqlite3") as db:
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("UPDATE audit_log SET actor = 'x' WHERE id = 1")
    result = msldesk(root, "audit", "verify", "--json", check_exit=1)
    assert '"ok": false' in result.stdout
    assert "event.create" in msldesk(root, "audit", "history", "event", "1", check_exit=0).stdout


def test_only_an_erasure_may_blank_content_and_verify_checks_it_did(logged) -> None:  # type: ignore[no-untyped-def]
    """The trigger lets content become a redaction marker (nothing else); a marker that no erasure
    record lists is tampering."""
    import hashlib

    from msldesk import audit
    from msldesk.audit import canonical

    with logged.sessions.begin() as session:
        ids = audit.redact(session, lambda text: text.replace("Board 2", "[Erased person]"), "test erasure")
    assert ids == [3, 4]  # "Board 2" was the title after record 3 and before record 4
    records = {r.record_id: r for r in logged.audit.recent(100)}
    assert records[3].redacted and records[3].after == {"title": "[Erased person]"}
    assert records[4].before == {"title": "[Erased person]"} and records[4].after == {"title": "Board 3"}
    assert logged.audit.verify().ok  # the chain holds: it covers the digest the marker keeps

    logged.engine.dispose()
    with library_db.connect(logged.paths.database) as db:  # behind the app's back, triggers in place
        with pytest.raises(library_db.DatabaseError, match="append-only"):
            db.execute("UPDATE audit_log SET after_json = '{}' WHERE id = 2")
        wrong = canonical({"redacted": "0" * 64, "remaining": None})
        db.execute("UPDATE audit_log SET after_json = ? WHERE id = 2", (wrong,))
        (content,) = db.execute("SELECT before_json FROM audit_log WHERE id = 5").fetchone()
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
        unlisted = canonical({"redacted": digest, "remaining": None})  # right digest, no erasure
        db.execute("UPDATE audit_log SET before_json = ? WHERE id = 5", (unlisted,))
    problems = logged.audit.verify().problems
    assert any("record 2 was altered" in p for p in problems)
    assert not any("record 5 was altered" in p for p in problems)  # the digest is right...
    assert any("record 5 was blanked without an erasure" in p for p in problems)  # ...but no erasure
