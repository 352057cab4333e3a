"""Events, agenda, people, attendance and payments through the services, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from msldesk.boards.records import (
    AgendaItemFields,
    AgendaKind,
    AttendanceFields,
    AttendeeRole,
    EventFields,
    EventKind,
    EventStatus,
    Invitation,
    PersonFields,
)
from msldesk.core.errors import InvalidInputError, NotFoundError
from tests import library_db

BERLIN = ZoneInfo("Europe/Berlin")


def make_event(app, title="Lung cancer advisory board", start=(2027, 3, 2, 9), hours=3, **extra):  # type: ignore[no-untyped-def]
    starts = dt.datetime(*start, tzinfo=BERLIN)
    fields = EventFields(
        title=title,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=hours),
        timezone="Europe/Berlin",
        **extra,
    )
    return app.events.create(fields)[0]


def make_person(app, first="Jane", last="Smith", **extra):  # type: ignore[no-untyped-def]
    return app.people.add(PersonFields(first_name=first, last_name=last, **extra))[0]


def test_event_times_are_kept_in_their_zone(app) -> None:
    event = make_event(app)
    again = app.events.get(event.event_id)
    assert again.fields.starts_at == dt.datetime(2027, 3, 2, 9, tzinfo=BERLIN)
    assert again.fields.starts_at.utcoffset() == dt.timedelta(hours=1)
    # Stored as UTC beside the zone name, so a team database in another zone reads the same instant.
    with library_db.connect(app.paths.database) as db:
        stored = db.execute("SELECT starts_at_utc, timezone FROM events").fetchone()
    assert stored[0].startswith("2027-03-02 08:00")
    assert stored[1] == "Europe/Berlin"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "  "}, "title"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"ends_at": dt.datetime(2027, 3, 2, 8, tzinfo=BERLIN)}, "end after"),
        ({"currency": "EURO"}, "currency"),
        ({"budget_estimated": Decimal("-1")}, "negative"),
    ],
)
def test_invalid_events_are_refused_and_nothing_is_saved(app, change, message) -> None:  # type: ignore[no-untyped-def]
    base = EventFields(
        title="Board", starts_at=dt.datetime(2027, 3, 2, 9, tzinfo=BERLIN),
        ends_at=dt.datetime(2027, 3, 2, 12, tzinfo=BERLIN), timezone="Europe/Berlin",
    )  # fmt: skip
    from dataclasses import replace

    with pytest.raises(InvalidInputError) as caught:
        app.events.create(replace(base, **change))
    assert message in caught.value.user_message
    assert app.events.list_events() == []


def test_upcoming_and_past_events(app) -> None:
    past = make_event(app, "Last year's board", start=(2025, 5, 1, 9))
    soon = make_event(app, "Next board", start=(2027, 1, 10, 9))
    later = make_event(app, "Later board", start=(2027, 6, 10, 9))
    assert [e.event_id for e in app.events.list_events("upcoming")] == [soon.event_id, later.event_id]
    assert [e.event_id for e in app.events.list_events("past")] == [past.event_id]
    assert len(app.events.list_events("all")) == 3


def test_agenda_times_follow_order_and_overrun_is_flagged(app) -> None:
    event = make_event(app, hours=2)
    ids = []
    plan = [
        ("Welcome", 15, AgendaKind.PRESENTATION),
        ("Data review", 45, AgendaKind.PRESENTATION),
        ("Coffee", 15, AgendaKind.BREAK),
        ("Discussion", 60, AgendaKind.DISCUSSION),
    ]
    for title, minutes, kind in plan:
        ids.append(
            app.events.add_agenda_item(event.event_id, AgendaItemFields(title, minutes, kind))[0].item_id
        )
    agenda = app.events.agenda(event.event_id)
    assert [i.starts_at.strftime("%H:%M") for i in agenda] == ["09:00", "09:15", "10:00", "10:15"]
    assert [i.overruns for i in agenda] == [False, False, False, True]
    # Moving the discussion first recomputes every clock time after it.
    agenda, _ = app.events.move_agenda_item(ids[3], 0)
    assert [i.fields.title for i in agenda] == ["Discussion", "Welcome", "Data review", "Coffee"]
    assert [i.starts_at.strftime("%H:%M") for i in agenda] == ["09:00", "10:00", "10:15", "11:00"]
    assert agenda[-1].overruns
    assert not agenda[0].overruns
    app.events.remove_agenda_item(ids[0])
    assert [i.position for i in app.events.agenda(event.event_id)] == [0, 1, 2]
    with pytest.raises(InvalidInputError):
        app.events.reorder_agenda(event.event_id, [ids[1]])
    with pytest.raises(InvalidInputError):
        app.events.add_agenda_item(event.event_id, AgendaItemFields("Too long", 2000))


def test_agenda_presenter_and_linked_slides_must_exist(app, deck_factory) -> None:
    event = make_event(app)
    speaker = make_person(app)
    deck = deck_factory.pptx("deck.pptx", [("Efficacy", "ORR 45%", "")])
    list(app.decks.import_paths([deck]))
    slide_id = app.decks.list_slides(app.decks.list_decks()[0].deck_id)[0].slide_id
    item, _ = app.events.add_agenda_item(
        event.event_id, AgendaItemFields("Data", 30, presenter_id=speaker.person_id, slide_ids=(slide_id,))
    )
    assert item.presenter_name == "Jane Smith"
    assert item.fields.slide_ids == (slide_id,)
    with pytest.raises(NotFoundError):
        app.events.add_agenda_item(event.event_id, AgendaItemFields("Data", 30, slide_ids=(99999,)))
    with pytest.raises(NotFoundError):
        app.events.add_agenda_item(event.event_id, AgendaItemFields("Data", 30, presenter_id=424242))


def test_people_validation_search_and_delete(app) -> None:
    with pytest.raises(InvalidInputError) as caught:
        app.people.add(
            PersonFields(first_name="Ann", last_name="Lee", npi="1234567890", email="not-an-email")
        )
    assert "check digit" in caught.value.user_message
    assert "not a valid address" in caught.value.user_message
    assert app.people.count() == 0
    person = make_person(app, "Jürgen", "Müller", institution="Charité Berlin", email="J.Mueller@Charite.de",
                         npi="1234567893", specialty="Oncology")  # fmt: skip
    assert person.fields.email == "j.mueller@charite.de"
    for query in ("mull", "jurgen muller", "charite", "123456", "oncol", "mueller"):
        assert [p.person_id for p in app.people.search(query)] == [person.person_id], query
    assert app.people.search("cardiology") == []
    event = make_event(app)
    app.events.add_attendee(event.event_id, person.person_id)
    with pytest.raises(InvalidInputError) as caught:
        app.people.delete(person.person_id)
    assert "attendee list" in caught.value.user_message
    assert app.people.count() == 1


def test_deleting_a_presenter_or_speaker_is_refused_naming_where_they_are(app) -> None:
    """Their links would be cleared without a word (SET NULL): an agenda item without its presenter,
    meeting notes without their speaker. Not on any attendee list, so that refusal does not apply."""
    from dataclasses import replace

    presenter = make_person(app, "Ana", "Lee")
    speaker = make_person(app, "Bo", "Chen")
    event = make_event(app, "March board")
    item, _ = app.events.add_agenda_item(
        event.event_id, AgendaItemFields("Data review", 30, presenter_id=presenter.person_id)
    )
    for text in ("First point", "Second point"):
        app.meetings.add_entry(event.event_id, text, speaker_id=speaker.person_id)
    app.meetings.add_entry(event.event_id, "A rehearsal line", speaker_id=presenter.person_id)
    with library_db.connect(app.paths.database) as db:  # thrown away later: no reason to refuse
        db.execute("UPDATE note_entries SET rehearsal = 1 WHERE text = 'A rehearsal line'")

    with pytest.raises(InvalidInputError) as caught:
        app.people.delete(presenter.person_id)
    message = caught.value.user_message
    assert message.startswith("Ana Lee presents “Data review” at “March board”. Deleting the record")
    assert "meeting note" not in message
    assert "merge them into another person" in message
    with pytest.raises(InvalidInputError) as caught:
        app.people.delete(speaker.person_id)
    assert caught.value.user_message.startswith("Bo Chen speaks in or owns 2 meeting notes of “March board”.")
    assert app.people.count() == 2
    assert app.events.agenda(event.event_id)[0].fields.presenter_id == presenter.person_id

    app.events.update_agenda_item(item.item_id, replace(item.fields, presenter_id=None))
    app.people.delete(presenter.person_id)
    with pytest.raises(NotFoundError):
        app.people.get(presenter.person_id)


def test_a_merge_moves_the_notes_they_spoke_and_own(app) -> None:
    from dataclasses import replace

    keep = make_person(app, "Michael", "Smith", email="msmith@mayo.edu")
    other = make_person(app, "Micheal", "Smith", npi="1234567893")
    event = make_event(app)
    spoken, _ = app.meetings.add_entry(event.event_id, "The endpoint is wrong", speaker_id=other.person_id)
    action, _ = app.meetings.add_entry(event.event_id, "Send the protocol")
    app.meetings.update_entry(action.entry_id, replace(action.fields, owner_id=other.person_id))

    app.people.merge(keep.person_id, [other.person_id])

    assert app.meetings.entry(spoken.entry_id).fields.speaker_id == keep.person_id
    assert app.meetings.entry(action.entry_id).fields.owner_id == keep.person_id
    record = app.audit.history("person", keep.person_id)[-1]
    assert record.action == "notes.merge"
    assert record.before == {"person_id": other.person_id, "note_entries": [spoken.entry_id, action.entry_id]}
    assert app.audit.verify().ok


def test_duplicates_are_found_and_merged_keeping_event_places(app) -> None:
    a = make_person(app, "Michael", "Smith", institution="Mayo Clinic", email="msmith@mayo.edu")
    b = make_person(app, "Micheal", "Smith", institution="Mayo Clinic", npi="1234567893")
    c = make_person(app, "Jane", "Smith", institution="Mayo Clinic")
    groups = app.people.find_duplicates()
    assert [set(g.person_ids) for g in groups] == [{a.person_id, b.person_id}]
    event = make_event(app)
    app.events.add_attendee(event.event_id, b.person_id, AttendanceFields(role=AttendeeRole.CHAIR))
    _item, _ = app.events.add_agenda_item(
        event.event_id, AgendaItemFields("Intro", 10, presenter_id=b.person_id)
    )
    merged, _ = app.people.merge(a.person_id, [b.person_id])
    assert merged.fields.npi == "1234567893"
    assert merged.fields.email == "msmith@mayo.edu"
    assert {p.person_id for p in app.people.search("smith")} == {a.person_id, c.person_id}
    attendees = app.events.attendees(event.event_id)
    assert [(x.person.person_id, x.fields.role) for x in attendees] == [(a.person_id, AttendeeRole.CHAIR)]
    assert app.events.agenda(event.event_id)[0].fields.presenter_id == a.person_id
    with pytest.raises(NotFoundError):
        app.people.get(b.person_id)


def test_a_merge_that_would_drop_amounts_on_an_event_both_attend_is_refused(app) -> None:
    """The kept record's place wins where both are listed: the other's honorarium would vanish."""
    from dataclasses import replace

    keep = make_person(app, "Michael", "Smith", email="msmith@mayo.edu")
    other = make_person(app, "Micheal", "Smith", npi="1234567893")
    event = make_event(app)
    app.events.add_attendee(event.event_id, keep.person_id, AttendanceFields(role=AttendeeRole.CHAIR))
    paid, _ = app.events.add_attendee(
        event.event_id, other.person_id,
        AttendanceFields(invitation=Invitation.ACCEPTED, honorarium_amount=Decimal("900")),
    )  # fmt: skip
    with pytest.raises(InvalidInputError) as refused:
        app.people.merge(keep.person_id, [other.person_id])
    assert refused.value.user_message.startswith(
        "Both records are on the attendee list of “Lung cancer advisory board”, and the one merged away "
        "has an honorarium, travel or expenses recorded there, which the merge would drop"
    )
    assert app.people.get(other.person_id).person_id == other.person_id, "nothing merged"
    assert len(app.events.attendees(event.event_id)) == 2
    # Moved to the kept record's place first, the merge goes through.
    (kept,) = [a for a in app.events.attendees(event.event_id) if a.person.person_id == keep.person_id]
    app.events.update_attendance(kept.attendance_id, replace(kept.fields, honorarium_amount=Decimal("900")))
    app.events.update_attendance(paid.attendance_id, replace(paid.fields, honorarium_amount=Decimal("0")))
    app.people.merge(keep.person_id, [other.person_id])
    assert [a.fields.honorarium_amount for a in app.events.attendees(event.event_id)] == [Decimal("900.00")]


def test_honorarium_from_rate_card_with_cap_warnings_and_payments(app) -> None:
    from msldesk.boards.events.fmv import Rate, RateCard

    card = RateCard(currency="USD", rates=(Rate("1", "", Decimal("500")),),
                    cap_per_engagement=Decimal("2000"), cap_per_person_year=Decimal("3000"))  # fmt: skip
    app.events.save_rate_card(card)
    kol = make_person(app, "Ada", "Lovelace", tier="1", npi="1234567893")
    first = make_event(app, "Spring board", start=(2027, 3, 2, 9))
    second = make_event(app, "Autumn board", start=(2027, 9, 2, 9), kind=EventKind.SPEAKER_PROGRAM)
    attendance, _ = app.events.add_attendee(
        first.event_id,
        kol.person_id,
        AttendanceFields(
            invitation=Invitation.ACCEPTED, honorarium_hours=Decimal("3"), travel_amount=Decimal("420.50")
        ),
    )
    assert attendance.fields.honorarium_rate == Decimal("500.00")
    assert attendance.fields.honorarium_amount == Decimal("1500.00")
    assert attendance.warnings == ()
    attendance, _ = app.events.add_attendee(
        second.event_id,
        kol.person_id,
        AttendanceFields(invitation=Invitation.ACCEPTED, honorarium_hours=Decimal("5")),
    )
    assert attendance.fields.honorarium_amount == Decimal("2500.00")
    text = " ".join(attendance.warnings)
    assert "per engagement" in text
    assert "yearly" in text.lower()
    payments = app.events.payments(2027)
    assert [(p.event_title, p.nature, p.amount) for p in payments] == [
        ("Spring board", "Consulting Fee", Decimal("1500.00")),
        ("Spring board", "Travel and Lodging", Decimal("420.50")),
        ("Autumn board", payments[2].nature, Decimal("2500.00")),
    ]
    assert payments[2].nature.startswith("Compensation for services other than consulting")
    assert app.events.year_totals(2027) == {kol.person_id: Decimal("4000.00")}
    assert app.events.payments(2026) == []
    # A cancelled event pays nobody.
    app.events.update(
        second.event_id, EventFields(**{**second.fields.__dict__, "status": EventStatus.CANCELLED})
    )
    assert len(app.events.payments(2027)) == 2


def test_checklist_tracks_attendance_and_manual_steps(app) -> None:
    event = make_event(app)
    people = [make_person(app, f"P{i}", "Doe", email=f"p{i}@example.com") for i in range(3)]
    for p, invitation in zip(
        people, [Invitation.ACCEPTED, Invitation.ACCEPTED, Invitation.DECLINED], strict=True
    ):
        app.events.add_attendee(event.event_id, p.person_id, AttendanceFields(invitation=invitation))
    items = {c.key: c for c in app.events.checklist(event.event_id)}
    assert items["invitations"].done
    assert items["invitations"].detail == "3 of 3 invited"
    assert not items["contracts"].done
    assert items["contracts"].detail == "0 of 2 accepted attendees"
    for a in app.events.attendees(event.event_id):
        if a.fields.invitation is Invitation.ACCEPTED:
            app.events.update_attendance(
                a.attendance_id, AttendanceFields(**{**a.fields.__dict__, "contract_signed": True})
            )
    app.events.set_checklist(event.event_id, "materials", True)
    items = {c.key: c for c in app.events.checklist(event.event_id)}
    assert items["contracts"].done
    assert items["materials"].done
    assert not items["venue"].done
    with pytest.raises(InvalidInputError):
        app.events.set_checklist(event.event_id, "contracts", True)


def test_reimport_updates_instead_of_duplicating(app, tmp_path: Path) -> None:
    first = tmp_path / "list.csv"
    first.write_text(
        "First Name,Last Name,Email,Institution,NPI\n"
        "Maria,Garcia,maria@example.org,Hospital A,\n"
        "Wei,Chen,wei@example.org,Hospital B,1234567893\n"
        "Wei,Chen,WEI@example.org,,\n"
        "Bad,Row,not-an-email,,\n",
        encoding="utf-8",
    )
    result = app.people_import.import_file(first)
    assert (result.imported, result.updated, result.duplicates) == (2, 0, 1)
    assert [e.row for e in result.errors] == [5]
    second = tmp_path / "update.csv"
    second.write_text(
        "Last Name;First Name;E-Mail;Organisation;Phone\n"
        "Garcia;Maria;MARIA@example.org;Hospital C;+1 555 0100\n",
        encoding="utf-8",
    )
    preview = app.people_import.preview(second)
    assert (preview.new_count, preview.update_count) == (0, 1)
    assert app.people.search("maria")[0].fields.institution == "Hospital A"  # a preview writes nothing
    result = app.people_import.import_file(second)
    assert (result.imported, result.updated) == (0, 1)
    maria = app.people.search("maria")[0].fields
    assert (maria.institution, maria.phone) == ("Hospital C", "+1 555 0100")
    result = app.people_import.import_file(first)  # the original list again: same people, no copies
    assert result.imported == 0
    assert app.people.count() == 2


def test_meeting_report_marks_who_attended(app, tmp_path: Path) -> None:
    event = make_event(app)
    report = tmp_path / "zoom.csv"
    report.write_text(
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        "Maria Garcia,maria@example.org,03/02/2027 09:01:00 AM,03/02/2027 10:00:00 AM,59,Yes\n"
        "Maria Garcia,maria@example.org,03/02/2027 10:05:00 AM,03/02/2027 11:00:00 AM,55,Yes\n"
        "Wei Chen,wei@example.org,03/02/2027 09:10:00 AM,03/02/2027 09:40:00 AM,30,Yes\n",
        encoding="utf-8",
    )
    result = app.people_import.import_file(report, event_id=event.event_id)
    assert result.imported == 2
    assert result.attendees_added == 2
    assert result.attendance_marked == 2
    minutes = {a.person.fields.email: a.fields.attended_minutes for a in app.events.attendees(event.event_id)}
    assert minutes == {"maria@example.org": 114, "wei@example.org": 30}
    # The report's times are wall times of the meeting (Berlin): the first join is the check-in.
    arrivals = {a.person.fields.email: a.fields.checked_in_at for a in app.events.attendees(event.event_id)}
    assert arrivals["maria@example.org"] == dt.datetime(2027, 3, 2, 9, 1, tzinfo=BERLIN)
    assert arrivals["wei@example.org"] == dt.datetime(2027, 3, 2, 9, 10, tzinfo=BERLIN)
    with pytest.raises(NotFoundError):
        app.people_import.import_file(report, event_id=999)


@pytest.fixture
def laptop_in_new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This computer's clock set to New York while the meeting is in Berlin (an MSL who travels)."""
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_check_in_is_an_instant_whatever_zone_the_laptop_is_in(
    app, laptop_in_new_york, tmp_path: Path
) -> None:
    from msldesk.boards.outputs.attendee_lists import write_attendees_csv

    event = make_event(app)
    person = make_person(app)
    place, _ = app.events.add_attendee(event.event_id, person.person_id)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    checked, _ = app.events.check_in(place.attendance_id)
    arrived = checked.fields.checked_in_at
    assert arrived is not None
    assert arrived.utcoffset() == dt.timedelta(0)
    assert before <= arrived <= dt.datetime.now(dt.UTC)
    # A naive time from this computer is its local (New York) time: 03:55 there is 09:55 in Berlin.
    checked, _ = app.events.check_in(place.attendance_id, dt.datetime(2027, 3, 2, 3, 55))
    assert checked.fields.checked_in_at == dt.datetime(2027, 3, 2, 9, 55, tzinfo=BERLIN)
    listing = tmp_path / "attendees.csv"
    write_attendees_csv(app.events.get(event.event_id), app.events.attendees(event.event_id), listing)
    assert "2027-03-02 09:55" in listing.read_text(encoding="utf-8-sig"), "the meeting's wall time"


def test_demo_content_gives_a_planned_board_once(app) -> None:
    app.seed_demo_content()
    upcoming = app.events.list_events("upcoming")
    assert [e.fields.kind.value for e in upcoming] == ["advisory-board"]
    board = upcoming[0]
    agenda = app.events.agenda(board.event_id)
    assert agenda[0].starts_at == board.fields.starts_at
    assert not any(i.overruns for i in agenda)
    assert agenda[1].fields.slide_ids  # linked to demo slides of the library
    assert all(p.fields.email.endswith("@example.org") for p in app.people.search(limit=100))
    assert len(app.events.list_events("past")) == 1
    people = app.people.count()
    from msldesk.boards.demo import seed_demo_boards

    assert seed_demo_boards(app.people, app.events, []) == 0
    assert app.people.count() == people


def test_honorarium_in_another_currency_is_flagged_not_compared(app) -> None:
    event = make_event(app)
    person = make_person(app, tier="1")
    attendance, _ = app.events.add_attendee(
        event.event_id,
        person.person_id,
        AttendanceFields(invitation=Invitation.ACCEPTED, honorarium_amount=Decimal("6500"), currency="EUR"),
    )
    assert len(attendance.warnings) == 1
    assert "EUR" in attendance.warnings[0]
    assert "by hand" in attendance.warnings[0]
