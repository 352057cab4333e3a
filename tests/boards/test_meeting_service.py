"""Meeting capture through the service on a real SQLite file: entries, draft, running agenda,
review, finalization with amendments, and the reports each audience gets."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from msldesk.boards.meeting.base import FinalizedError
from msldesk.boards.records import (
    AgendaItemFields,
    AttendanceFields,
    AttendeeRole,
    Audience,
    EntryKind,
    EventFields,
    EventStatus,
    Invitation,
    PersonFields,
)
from msldesk.core.errors import InvalidInputError, NotFoundError
from tests import library_db

BERLIN = ZoneInfo("Europe/Berlin")
T0 = dt.datetime(2027, 3, 2, 8, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += dt.timedelta(minutes=minutes)


@pytest.fixture
def meeting(app):  # type: ignore[no-untyped-def]
    return make_meeting(app)


def make_meeting(app):  # type: ignore[no-untyped-def]
    """An advisory board with three agenda items, two experts, a colleague, and a fixed clock."""
    clock = Clock()
    app.meetings.clock = clock
    start = dt.datetime(2027, 3, 2, 9, 0, tzinfo=BERLIN)
    event = app.events.create(
        EventFields(
            title="NSCLC board",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            timezone="Europe/Berlin",
            objectives="Hear Dr. Weber on dosing",
        )
    )[0]
    weber = app.people.add(PersonFields(first_name="Anna", last_name="Weber", npi="1234567893"))[0]
    kim = app.people.add(PersonFields(first_name="Min", last_name="Kim"))[0]
    rivera = app.people.add(PersonFields(first_name="Sam", last_name="Rivera"))[0]
    app.events.add_attendee(
        event.event_id, weber.person_id,
        AttendanceFields(
            role=AttendeeRole.CHAIR, invitation=Invitation.ACCEPTED, honorarium_amount=Decimal("1500"),
            contract_signed=True,
        ),
    )  # fmt: skip
    app.events.add_attendee(event.event_id, kim.person_id, AttendanceFields(role=AttendeeRole.ADVISOR))
    app.events.add_attendee(event.event_id, rivera.person_id, AttendanceFields(role=AttendeeRole.INTERNAL))
    items = [
        app.events.add_agenda_item(event.event_id, AgendaItemFields(title=t, minutes=m))[0]
        for t, m in (("Welcome", 10), ("Data review", 60), ("Discussion", 50))
    ]
    app.meetings.set_themes(event.event_id, ["Dosing", "Unmet need"])
    return app, event, items, clock, {"weber": weber, "kim": kim, "rivera": rivera}


def test_moving_through_the_agenda_records_actual_times(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, items, clock, _ = meeting
    agenda, _ = app.meetings.next_item(event.event_id)
    assert agenda[0].actual_start == T0.astimezone(BERLIN)
    assert agenda[0].actual_end is None
    clock.advance(12)
    agenda, _ = app.meetings.next_item(event.event_id)
    assert agenda[0].actual_minutes == 12
    assert app.meetings.current_item(event.event_id).item_id == items[1].item_id
    clock.advance(70)
    app.meetings.next_item(event.event_id)
    clock.advance(45)
    agenda, _ = app.meetings.next_item(event.event_id)  # past the last item: the meeting is over
    assert [i.actual_minutes for i in agenda] == [12, 70, 45]
    assert app.meetings.current_item(event.event_id) is None
    # Going back to an item keeps its first start.
    agenda, _ = app.meetings.start_item(event.event_id, items[1].item_id)
    assert agenda[1].actual_start == (T0 + dt.timedelta(minutes=12)).astimezone(BERLIN)


def test_an_item_left_within_a_minute_with_nothing_typed_under_it_was_not_run(meeting) -> None:  # type: ignore[no-untyped-def]
    """F8 pressed by accident and undone with Shift+F8, or F8 twice to skip an item: the item goes
    back to not run instead of staying done at 0 minutes (it showed "0 min" in the summary PDF)."""
    app, event, items, clock, _ = meeting
    app.meetings.next_item(event.event_id)
    clock.advance(12)
    app.meetings.next_item(event.event_id)  # by accident
    clock.advance(0.2)
    agenda, _ = app.meetings.start_item(event.event_id, items[0].item_id)  # Shift+F8: back
    assert (agenda[1].actual_start, agenda[1].actual_end) == (None, None)
    assert agenda[0].actual_start == T0.astimezone(BERLIN)
    assert agenda[0].actual_end is None  # running again
    clock.advance(5)
    app.meetings.next_item(event.event_id)
    clock.advance(0.1)
    agenda, _ = app.meetings.next_item(event.event_id)  # F8 again at once: Data review skipped
    assert agenda[0].actual_minutes == 17
    assert (agenda[1].actual_start, agenda[1].actual_end) == (None, None)
    assert app.meetings.current_item(event.event_id).item_id == items[2].item_id
    # A short item with a note under it, or one run for a minute, keeps its times.
    app.meetings.start_item(event.event_id, items[1].item_id)
    app.meetings.add_entry(event.event_id, "Quick question on dosing")
    clock.advance(0.3)
    agenda, _ = app.meetings.next_item(event.event_id)
    assert agenda[1].actual_start is not None
    assert agenda[1].actual_end == clock.now.astimezone(BERLIN)
    clock.advance(1)
    agenda, _ = app.meetings.next_item(event.event_id)  # the meeting is over
    assert agenda[2].actual_end == clock.now.astimezone(BERLIN)


def test_an_entry_goes_under_the_running_item_with_its_markers_read(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, items, _clock, people = meeting
    app.meetings.next_item(event.event_id)
    app.meetings.next_item(event.event_id)
    entry, changes = app.meetings.add_entry(event.event_id, "! Renal dosing is unclear @Weber #dosing")
    assert changes.notes
    assert entry.kind is EntryKind.INSIGHT
    assert entry.fields.agenda_item_id == items[1].item_id
    assert entry.agenda_title == "Data review"
    assert (entry.fields.speaker_id, entry.speaker_name, entry.speaker_role) == (
        people["weber"].person_id, "Anna Weber", "chair",
    )  # fmt: skip
    assert entry.fields.themes == ("Dosing",)
    assert entry.created_at == T0
    action, _ = app.meetings.add_entry(event.event_id, "> send the OS data @Rivera due:+7d")
    assert action.owner_name == "Sam Rivera"
    assert action.fields.due == dt.date(2027, 3, 9)
    explicit, _ = app.meetings.add_entry(
        event.event_id, "typed text", kind=EntryKind.QUESTION, agenda_item_id=None, themes=["Unmet need"]
    )
    assert explicit.kind is EntryKind.QUESTION
    assert explicit.fields.agenda_item_id is None
    assert [e.entry_id for e in app.meetings.entries(event.event_id)] == [
        entry.entry_id, action.entry_id, explicit.entry_id,
    ]  # fmt: skip


@pytest.mark.parametrize("text", ["", "   ", "x" * 20_001])
def test_empty_or_huge_entries_are_refused(meeting, text: str) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = meeting
    with pytest.raises(InvalidInputError):
        app.meetings.add_entry(event.event_id, text)
    assert app.meetings.entries(event.event_id) == []


def test_unknown_event_item_or_speaker_is_a_clear_error(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = meeting
    with pytest.raises(NotFoundError):
        app.meetings.add_entry(999, "hello")
    with pytest.raises(NotFoundError):
        app.meetings.add_entry(event.event_id, "hello", agenda_item_id=999)
    with pytest.raises(NotFoundError):
        app.meetings.add_entry(event.event_id, "hello", speaker_id=999)


def test_the_draft_is_kept_until_the_entry_is_filed(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, items, *_ = meeting
    assert app.meetings.draft(event.event_id) is None
    app.meetings.save_draft(event.event_id, "half a thou", items[0].item_id)
    app.meetings.save_draft(event.event_id, "half a thought", items[0].item_id)
    draft = app.meetings.draft(event.event_id)
    assert (draft.text, draft.agenda_item_id, draft.saved_at) == ("half a thought", items[0].item_id, T0)
    app.meetings.add_entry(event.event_id, "half a thought, finished")
    assert app.meetings.draft(event.event_id) is None
    app.meetings.save_draft(event.event_id, "again")
    app.meetings.save_draft(event.event_id, "  ")
    assert app.meetings.draft(event.event_id) is None


def test_restricted_words_flag_entries_and_review_clears_or_keeps_them(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = meeting
    entry, _ = app.meetings.add_entry(event.event_id, "He called it a miracle cure")
    assert entry.flag_terms == ("miracle", "cure")
    assert entry.flagged
    assert entry.needs_review
    kept, _ = app.meetings.review_flag(entry.entry_id, acceptable=False)
    assert kept.flagged
    assert not kept.needs_review
    cleared, _ = app.meetings.review_flag(entry.entry_id, acceptable=True)
    assert not cleared.flagged
    clean, _ = app.meetings.add_entry(event.event_id, "nothing to see")
    with pytest.raises(InvalidInputError):
        app.meetings.review_flag(clean.entry_id, acceptable=True)
    # A new list re-checks open meetings: a term added later flags old entries.
    app.meetings.save_restricted_terms(["see"])
    assert app.meetings.entry(clean.entry_id).flag_terms == ("see",)
    assert app.meetings.entry(entry.entry_id).flag_terms == ()


def test_a_flag_review_records_who_decided_and_when(meeting, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from msldesk.protect import audit

    app, event, _, clock, _ = meeting
    monkeypatch.setattr(audit, "current_actor", lambda: "c.officer")
    entry, _ = app.meetings.add_entry(event.event_id, "He called it a miracle")
    assert entry.flag_reviewed_by == ""
    assert entry.flag_reviewed_at is None
    clock.advance(30)
    kept, _ = app.meetings.review_flag(entry.entry_id, acceptable=False)
    assert kept.flag_reviewed_by == "c.officer"
    assert kept.flag_reviewed_at == T0 + dt.timedelta(minutes=30)
    assert kept.review_state == "Kept flagged"
    # a new flagged word voids the review: nobody has decided about the text as it now stands
    from msldesk.boards.meeting.service import with_fields

    changed, _ = app.meetings.update_entry(entry.entry_id, with_fields(kept, text="a miracle cure"))
    assert changed.needs_review
    assert changed.flag_reviewed_by == ""
    assert changed.flag_reviewed_at is None


def test_edits_keep_their_time_and_themes_follow_the_taxonomy(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, _, clock, _ = meeting
    entry, _ = app.meetings.add_entry(event.event_id, "first take #Unmet need #dosing")
    assert entry.fields.themes == ("Dosing", "Unmet need")  # taxonomy order
    clock.advance(90)
    from msldesk.boards.meeting.service import with_fields

    edited, _ = app.meetings.update_entry(entry.entry_id, with_fields(entry, text="second take", key=True))
    assert edited.text == "second take"
    assert edited.fields.key
    assert edited.created_at == T0
    assert edited.edited_at == T0 + dt.timedelta(minutes=90)


def test_merging_duplicates_keeps_the_others_stored_and_joins_their_themes(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = meeting
    a, _ = app.meetings.add_entry(event.event_id, "! dosing unclear #Dosing")
    b, _ = app.meetings.add_entry(event.event_id, "! dosing is unclear #Unmet need")
    app.meetings.set_key(b.entry_id)
    merged, _ = app.meetings.merge_entries(a.entry_id, [b.entry_id])
    assert merged.merged_ids == (b.entry_id,)
    assert merged.fields.key
    assert merged.fields.themes == ("Dosing", "Unmet need")
    assert [e.entry_id for e in app.meetings.entries(event.event_id)] == [a.entry_id]
    assert len(app.meetings.entries(event.event_id, include_merged=True)) == 2
    with pytest.raises(InvalidInputError):
        app.meetings.merge_entries(a.entry_id, [a.entry_id])


def test_finalized_notes_are_read_only_and_corrections_are_amendments(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, _, clock, _ = meeting
    app.meetings.next_item(event.event_id)
    entry, _ = app.meetings.add_entry(event.event_id, "The trial enrolled 400 patients")
    app.meetings.save_draft(event.event_id, "unfinished thought")
    clock.advance(5)
    app.meetings.finalize(event.event_id)
    assert app.meetings.finalized_at(event.event_id) == T0 + dt.timedelta(minutes=5)
    # The draft became an entry and the running item ended: nothing typed is lost.
    texts = [e.text for e in app.meetings.entries(event.event_id)]
    assert texts == ["The trial enrolled 400 patients", "unfinished thought"]
    assert app.meetings.current_item(event.event_id) is None
    for attempt in (
        lambda: app.meetings.add_entry(event.event_id, "late"),
        lambda: app.meetings.update_entry(entry.entry_id, entry.fields),
        lambda: app.meetings.delete_entry(entry.entry_id),
        lambda: app.meetings.next_item(event.event_id),
    ):
        with pytest.raises(FinalizedError):
            attempt()
    amended, _ = app.meetings.amend_entry(entry.entry_id, "The trial enrolled 450 patients", "typo")
    assert amended.text == "The trial enrolled 450 patients"
    assert amended.fields.text == "The trial enrolled 400 patients"  # the original is kept beside it
    assert amended.amendments[0].reason == "typo"
    flagged, _ = app.meetings.amend_entry(entry.entry_id, "a cure, really")
    assert flagged.flag_terms == ("cure",)  # the guard checks amendments too


def test_amending_before_finalization_is_refused(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = meeting
    entry, _ = app.meetings.add_entry(event.event_id, "text")
    with pytest.raises(InvalidInputError):
        app.meetings.amend_entry(entry.entry_id, "other")


def test_reports_are_cut_to_their_audience(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, _, _, people = meeting
    app.meetings.add_entry(event.event_id, '"Anna Weber here: dosing matters" @Weber #Dosing')
    app.meetings.add_entry(event.event_id, "! Kim and Dr. Weber agree on the unmet need @Kim")
    app.meetings.add_entry(event.event_id, "! it is a miracle @Kim")
    app.meetings.add_entry(event.event_id, "> follow up with @Weber")
    app.meetings.set_executive_summary(event.event_id, "Dr Weber led a lively discussion.")

    medical = app.meetings.report(event.event_id, Audience.MEDICAL)
    assert len(medical.entries) == 4
    assert medical.payments == ()
    assert medical.removed_flagged == 0
    assert medical.entries[0].speaker_name == "Anna Weber"

    commercial = app.meetings.report(event.event_id, Audience.COMMERCIAL)
    assert commercial.removed_flagged == 1
    assert len(commercial.entries) == 3
    everything = " ".join(
        [commercial.executive_summary, commercial.event.fields.objectives]
        + [f"{e.text} {e.speaker_name} {e.owner_name} {e.fields.owner}" for e in commercial.entries]
        + [a.person.display_name for a in commercial.attendees]
    )
    for name in ("Anna", "Weber", "Kim", "Min", "Sam", "Rivera"):  # internal colleagues are attendees too
        assert name not in everything
    quote = commercial.entries[0]
    assert quote.speaker_role == "chair"
    assert quote.text == "[Chair] here: dosing matters"
    assert commercial.entries[1].text.startswith("[Advisor] and [Chair] agree")
    assert commercial.entries[2].owner_name == "Chair"
    assert commercial.executive_summary == "[Chair] led a lively discussion."

    compliance = app.meetings.report(event.event_id, Audience.COMPLIANCE)
    assert [(p.person.person_id, p.amount) for p in compliance.payments] == [
        (people["weber"].person_id, Decimal("1500.00"))
    ]
    assert len(compliance.entries) == 4


def test_by_theme_groups_insights_in_taxonomy_order(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = meeting
    app.meetings.add_entry(event.event_id, "! one #Unmet need")
    app.meetings.add_entry(event.event_id, "! two #Dosing #Access")
    app.meetings.add_entry(event.event_id, "! three")
    app.meetings.add_entry(event.event_id, "a plain note #Dosing")
    report = app.meetings.report(event.event_id)
    assert report.themes == ("Dosing", "Unmet need", "Access")
    assert [(t, [e.text for e in es]) for t, es in report.by_theme()] == [
        ("Dosing", ["two"]), ("Unmet need", ["one"]), ("Access", ["two"]), ("Other", ["three"]),
    ]  # fmt: skip


def test_entries_survive_reopening_the_library(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = meeting
    app.meetings.add_entry(event.event_id, "kept")
    app.meetings.save_draft(event.event_id, "draft kept")
    from msldesk.app.services import App

    app.close()
    again = App(app.paths.root)
    try:
        assert [e.text for e in again.meetings.entries(event.event_id)] == ["kept"]
        assert again.meetings.draft(event.event_id).text == "draft kept"
    finally:
        again.close()
    with library_db.connect(app.paths.database) as db:
        assert db.execute("PRAGMA synchronous").fetchone()[0] in (1, 2)


def test_deleting_the_event_removes_its_notes(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = meeting
    app.meetings.add_entry(event.event_id, "gone with the event #Dosing")
    app.meetings.save_draft(event.event_id, "draft")
    # Cancelled: the chair's honorarium is no longer a payment the export reports, so it may go.
    app.events.update(event.event_id, replace(event.fields, status=EventStatus.CANCELLED))
    app.events.delete(event.event_id)
    with library_db.connect(app.paths.database) as db:
        counts = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("note_entries", "note_themes", "note_drafts", "event_themes")]  # fmt: skip
    assert counts == [0, 0, 0, 0]


def test_merging_entries_of_different_speakers_asks_first_and_keeps_every_attribution(  # type: ignore[no-untyped-def]
    meeting, tmp_path
) -> None:
    import csv
    import subprocess

    from msldesk.boards.meeting.entries import MergeNeedsConfirmationError

    app, event, *_ = meeting
    a, _ = app.meetings.add_entry(event.event_id, "! dosing is unclear in the elderly @Weber")
    b, _ = app.meetings.add_entry(event.event_id, '"dosing is unclear for older patients" @Kim')
    with pytest.raises(MergeNeedsConfirmationError) as refused:
        app.meetings.merge_entries(a.entry_id, [b.entry_id])
    assert "Anna Weber, Min Kim" in refused.value.user_message
    assert "insight, quote" in refused.value.user_message
    assert len(app.meetings.entries(event.event_id)) == 2  # nothing merged

    merged, _ = app.meetings.merge_entries(a.entry_id, [b.entry_id], confirmed=True)
    assert merged.speakers == (("Anna Weber", "chair"), ("Min Kim", "advisor"))
    assert [(p.kind, p.text) for p in merged.merged_parts] == [
        (EntryKind.QUOTE, "dosing is unclear for older patients")
    ]
    commercial = app.meetings.report(event.event_id, Audience.COMMERCIAL).entries[0]
    assert commercial.speakers == (("", "chair"), ("", "advisor"))

    pdf = tmp_path / "summary.pdf"
    app.outputs.summary(event.event_id, Audience.MEDICAL, pdf)
    text = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode().split()
    )
    assert "Anna Weber, Chair; Min Kim, Advisor" in text
    out = tmp_path / "insights.csv"
    app.outputs.insights(event.event_id, Audience.MEDICAL, out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert (row["Speaker"], row["Speaker Role"]) == ("Anna Weber; Min Kim", "Chair; Advisor")


def test_merging_duplicates_of_one_speaker_needs_no_confirmation(meeting) -> None:  # type: ignore[no-untyped-def]
    app, event, *_ = meeting
    a, _ = app.meetings.add_entry(event.event_id, "! dosing unclear @Weber")
    b, _ = app.meetings.add_entry(event.event_id, "! dosing is unclear @Weber")
    merged, _ = app.meetings.merge_entries(a.entry_id, [b.entry_id])
    assert merged.speakers == (("Anna Weber", "chair"),)
