"""Deleting an event, removing an attendee or an agenda item keeps what must be kept: payments the Open
Payments export reports and finalized meeting notes stay (the refusal says what to do instead); notes
not yet finalized go with their event, named first; notes filed under a removed agenda item stay and
keep its title. Service and command line, on a real library."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from msldesk.boards.records import EventStatus, Invitation
from msldesk.core.errors import KeptRecordsError
from tests import library_db
from tests.cli.test_cli import msldesk_in_process

from .test_meeting_service import make_meeting

PAID = "Anna Weber: honorarium USD 1,500.00"


@pytest.fixture
def board(app):  # type: ignore[no-untyped-def]
    """“NSCLC board” (2 March 2027): Anna Weber, accepted chair, paid 1,500; two meeting notes, one
    merged into the other (so one note as review lists it) and one under “Data review”; a rehearsal
    note typed the day before."""
    app, event, items, clock, people = make_meeting(app)
    clock.now -= dt.timedelta(days=1)
    app.meetings.start_rehearsal(event.event_id)
    app.meetings.add_entry(event.event_id, "rehearsal line", agenda_item_id=items[1].item_id)
    clock.now += dt.timedelta(days=1)
    app.meetings.end_rehearsal(event.event_id)
    first, _ = app.meetings.add_entry(event.event_id, "Dosing matters", agenda_item_id=items[1].item_id)
    second, _ = app.meetings.add_entry(event.event_id, "Dosing really matters")
    app.meetings.merge_entries(first.entry_id, [second.entry_id])
    app.meetings.add_entry(event.event_id, "Late question", agenda_item_id=items[1].item_id)
    return app, event, items, people


def _attendance(app, event_id: int, last_name: str):  # type: ignore[no-untyped-def]
    return next(a for a in app.events.attendees(event_id) if a.person.fields.last_name == last_name)


def _note_rows(app) -> int:  # type: ignore[no-untyped-def]
    with library_db.connect(app.paths.database) as db:
        return db.execute("SELECT COUNT(*) FROM note_entries").fetchone()[0]


def test_an_event_with_a_reported_payment_is_kept_and_the_refusal_says_what_to_do(board) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = board
    records = len(app.audit.recent(10_000))

    plan = app.events.deletion_plan(event.event_id)

    assert plan.refusal == (
        "“NSCLC board” cannot be deleted: 1 attendee has payments on it that the Open Payments export "
        f"reports ({PAID}). Transfers of value must stay reportable. If it did not take place, set its "
        "status to Cancelled instead: everything stays on record, and the export leaves it out. If the "
        "amounts were entered by mistake, clear them on its attendee list first (each change is recorded), "
        "then delete it."
    )
    with pytest.raises(KeptRecordsError) as refused:
        app.events.delete(event.event_id)
    assert refused.value.user_message == plan.refusal
    assert app.events.get(event.event_id).title == "NSCLC board"
    assert [p.person.display_name for p in app.events.payments(2027)] == ["Anna Weber"]
    assert _note_rows(app) == 4
    assert len(app.audit.recent(10_000)) == records, "a refusal records nothing"


def test_finalized_notes_keep_the_event_even_without_payments(board) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = board
    weber = _attendance(app, event.event_id, "Weber")
    app.events.update_attendance(weber.attendance_id, replace(weber.fields, honorarium_amount=Decimal(0)))
    app.meetings.finalize(event.event_id)
    entry = app.meetings.entries(event.event_id)[-1]
    app.meetings.amend_entry(entry.entry_id, "Late question, answered", "typo")
    day = (
        app.meetings.finalized_at(event.event_id).astimezone(ZoneInfo("Europe/Berlin")).date()
    )  # the event's

    plan = app.events.deletion_plan(event.event_id)

    assert plan.refusal == (
        f"“NSCLC board” cannot be deleted: its meeting notes were finalized on {day:%Y-%m-%d} (2 notes, "
        "1 amendment). Finalized notes are the record of the meeting: they are kept. To show that it "
        "needs no more work, set its status to Closed."
    )
    with pytest.raises(KeptRecordsError):
        app.events.delete(event.event_id)
    assert len(app.meetings.entries(event.event_id)) == 2


def test_both_reasons_are_given(board) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = board
    app.meetings.finalize(event.event_id)
    refusal = app.events.deletion_plan(event.event_id).refusal
    assert f"reports ({PAID}); and its meeting notes were finalized on " in refusal
    assert (
        "Finalized notes are the record of the meeting and its payments stay reportable: they are kept."
        in refusal
    )


def test_a_cancelled_event_goes_with_what_it_takes_named_and_audited(board) -> None:  # type: ignore[no-untyped-def]
    """Cancelled, the honorarium is no longer reported (it stays in the audit record of the deletion)."""
    app, event, _items, people = board
    kim = _attendance(app, event.event_id, "Kim")
    app.events.update_attendance(kim.attendance_id, replace(kim.fields, travel_amount=Decimal("80")))
    app.events.update(event.event_id, replace(event.fields, status=EventStatus.CANCELLED))

    plan = app.events.deletion_plan(event.event_id)

    assert plan.refusal == ""
    assert (plan.notes, plan.rehearsal_notes, plan.attendees, plan.with_amounts, plan.agenda_items) == (
        2,
        1,
        3,
        2,
        3,
    )
    assert plan.takes() == [
        "2 meeting notes (not finalized)",
        "1 rehearsal note",
        "3 attendees with their invitation, contract and disclosure records, 2 with amounts recorded",
        "3 agenda items",
    ]
    assert app.events.delete(event.event_id).notes
    assert app.events.list_events() == []
    assert _note_rows(app) == 0
    record = app.audit.history("event", event.event_id)[-1]
    assert record.action == "event.delete"
    assert not any(record.after.values())
    assert record.before["title"] == "NSCLC board"
    assert record.before["status"] == "cancelled"
    assert record.before["agenda"] == ["Welcome", "Data review", "Discussion"]
    assert (record.before["meeting_notes"], record.before["rehearsal_notes"]) == (2, 1)
    attendees = {a["person_id"]: a for a in record.before["attendees"]}
    weber, kim = attendees[people["weber"].person_id], attendees[people["kim"].person_id]
    assert (weber["honorarium_amount"], weber["contract_signed"], weber["role"]) == ("1500.00", True, "chair")
    assert (kim["travel_amount"], kim["invitation"]) == ("80.00", "not-sent")
    assert app.audit.verify().ok


def test_an_attendee_with_a_reported_payment_stays_on_the_list(board) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = board
    weber, kim = (_attendance(app, event.event_id, name) for name in ("Weber", "Kim"))
    reasons = app.events.kept_attendees([weber.attendance_id, kim.attendance_id])
    assert reasons == [
        "Anna Weber stays on the attendee list of “NSCLC board”: the Open Payments export reports their "
        "payments (honorarium USD 1,500.00), and transfers of value must stay reportable. If they did not "
        "take part, set their invitation to Declined; if the amounts were entered by mistake, clear them "
        "first (each change is recorded)."
    ]
    with pytest.raises(KeptRecordsError, match="Anna Weber stays on the attendee list"):
        app.events.remove_attendee(weber.attendance_id)
    assert app.events.kept_attendees([kim.attendance_id]) == []
    app.events.remove_attendee(kim.attendance_id)  # nothing reported: removed, as before
    # Declined: no longer reported, so the place can go (the audit record keeps the amount).
    app.events.update_attendance(weber.attendance_id, replace(weber.fields, invitation=Invitation.DECLINED))
    app.events.remove_attendee(weber.attendance_id)
    assert app.audit.history("attendance", weber.attendance_id)[-1].before["honorarium_amount"] == "1500.00"
    assert app.events.payments(2027) == []


def test_the_export_the_erasure_and_the_deletes_follow_one_rule(board) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from msldesk.boards.events.reportable import is_reported
    from msldesk.boards.orm import AttendanceRow, EventRow

    app, event, _, people = board
    for name in ("Kim", "Rivera"):  # an advisor not yet invited, a colleague: not reported
        found = _attendance(app, event.event_id, name)
        app.events.update_attendance(found.attendance_id, replace(found.fields, travel_amount=Decimal("90")))

    def reported() -> set[int]:
        with app.events.sessions() as session:
            row = session.get(EventRow, event.event_id)
            return {a.person_id for a in session.scalars(select(AttendanceRow)) if is_reported(a, row)}

    def exported() -> set[int]:
        return {p.person.person_id for p in app.events.payments(2027)}

    assert reported() == exported() == {people["weber"].person_id}
    kim = _attendance(app, event.event_id, "Kim")
    app.events.update_attendance(kim.attendance_id, replace(kim.fields, invitation=Invitation.ACCEPTED))
    assert reported() == exported() == {people["weber"].person_id, people["kim"].person_id}
    app.events.update(event.event_id, replace(event.fields, status=EventStatus.CANCELLED))
    assert reported() == exported() == set()


# ---- agenda items --------------------------------------------------------------------------------


def test_notes_filed_under_a_removed_agenda_item_stay_and_keep_its_title(board) -> None:  # type: ignore[no-untyped-def]
    app, event, items, _ = board
    review = items[1]

    plan = app.events.agenda_removal_plan(review.item_id)
    assert (plan.title, plan.notes, plan.refusal) == ("Data review", 2, ""), (
        "the rehearsal note is not counted"
    )

    changes = app.events.remove_agenda_item(review.item_id)

    assert changes.notes
    assert [i.fields.title for i in app.events.agenda(event.event_id)] == [
        "Welcome",
        "Discussion",
    ]
    entries = app.meetings.entries(event.event_id, include_merged=True)
    filed = [e for e in entries if e.item_removed]
    assert [e.text for e in filed] == ["Dosing matters", "Late question"]
    assert all(e.agenda_title == "Data review" and e.fields.agenda_item_id is None for e in filed)
    assert [e.text for e in entries if not e.item_removed] == ["Dosing really matters"], "never filed there"
    (rehearsed,) = app.meetings.entries(event.event_id, rehearsal=True)
    assert rehearsed.agenda_title == "Data review", "a rehearsal note keeps it too"
    record = app.audit.history("event", event.event_id)[-1]
    assert record.action == "agenda.remove"
    assert record.before["title"] == "Data review"
    assert record.before["notes_filed_under"] == [e.entry_id for e in filed]
    # Filed under another item later, it shows that one.
    again, _ = app.meetings.update_entry(
        filed[0].entry_id, replace(filed[0].fields, agenda_item_id=items[0].item_id)
    )
    assert (again.agenda_title, again.item_removed) == ("Welcome", False)


def test_an_agenda_item_with_finalized_notes_stays(board) -> None:  # type: ignore[no-untyped-def]
    app, event, items, _ = board
    app.meetings.finalize(event.event_id)
    plan = app.events.agenda_removal_plan(items[1].item_id)
    assert plan.refusal == (
        "“Data review” stays on the agenda: 2 finalized meeting notes are filed under it, and finalized "
        "notes are the record of the meeting. To correct what an item is called, edit its title."
    )
    with pytest.raises(KeptRecordsError):
        app.events.remove_agenda_item(items[1].item_id)
    assert len(app.events.agenda(event.event_id)) == 3
    assert app.events.agenda_removal_plan(items[2].item_id).refusal == "", "nothing filed under it"
    app.events.remove_agenda_item(items[2].item_id)


def test_an_erasure_takes_the_name_out_of_a_removed_item_title_kept_on_notes(board) -> None:  # type: ignore[no-untyped-def]
    app, event, items, people = board
    app.events.update_agenda_item(items[1].item_id, replace(items[1].fields, title="Dr. Kim's cases"))
    app.events.remove_agenda_item(items[1].item_id)
    app.privacy.erase_person(people["kim"].person_id, reason="request")
    titles = {e.agenda_title for e in app.meetings.entries(event.event_id) if e.item_removed}
    assert titles == {"[Erased person]'s cases"}


# ---- command line --------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_refuses_a_kept_event_even_with_yes(board) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = board
    root = app.paths.root
    app.close()
    result = msldesk_in_process(root, "event", "delete", str(event.event_id), "--yes", check_exit=2)
    assert result.stdout == ""
    assert result.stderr.startswith("msldesk: “NSCLC board” cannot be deleted: 1 attendee has payments")
    assert "set its status to Cancelled instead" in result.stderr


@pytest.fixture
def cancelled(board):  # type: ignore[no-untyped-def]
    app, event, *_ = board
    app.events.update(event.event_id, replace(event.fields, status=EventStatus.CANCELLED))
    root = app.paths.root
    app.close()
    return root, event.event_id


def test_cli_needs_yes_without_a_terminal_and_names_what_goes(cancelled, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root, event_id = cancelled
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    result = msldesk_in_process(root, "event", "delete", str(event_id), check_exit=2)
    assert (
        f"Deleting event {event_id} needs --yes when msldesk cannot ask on a terminal; with it go "
        in result.stderr
    )
    assert "2 meeting notes (not finalized); 1 rehearsal note; 3 attendees" in result.stderr
    assert msldesk_in_process(root, "event", "show", str(event_id), check_exit=0).stdout.startswith(
        "NSCLC board"
    )


@pytest.mark.parametrize("answer", ["y\n", "\n"])
def test_cli_asks_on_a_terminal(cancelled, monkeypatch, answer: str) -> None:  # type: ignore[no-untyped-def]
    root, event_id = cancelled
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    result = msldesk_in_process(root, "event", "delete", str(event_id), check_exit=0)
    before, _, after = result.stdout.partition("[y/N]")
    assert "With it go: 2 meeting notes (not finalized); 1 rehearsal note; 3 attendees" in before
    assert "Delete “NSCLC board”? People stay in the directory; this cannot be undone." in before
    listed = json.loads(msldesk_in_process(root, "events", "--json", check_exit=0).stdout)
    if answer == "y\n":
        assert f"deleted event {event_id} “NSCLC board” with 2 meeting notes (not finalized)" in after
        assert listed == []
    else:
        assert "Nothing was deleted." in after
        assert [e["id"] for e in listed] == [event_id]


def test_cli_delete_json(cancelled) -> None:  # type: ignore[no-untyped-def]
    root, event_id = cancelled
    result = msldesk_in_process(root, "event", "delete", str(event_id), "--yes", "--json", check_exit=0)
    assert json.loads(result.stdout) == {
        "event_id": event_id, "title": "NSCLC board", "agenda_items": 3, "attendees": 3,
        "attendees_with_amounts": 1, "meeting_notes": 2, "rehearsal_notes": 1,
    }  # fmt: skip
    missing = msldesk_in_process(root, "event", "delete", str(event_id), "--yes", check_exit=2)
    assert f"There is no event with id {event_id}." in missing.stderr
