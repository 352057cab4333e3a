"""Briefing and insight readout decks: what goes in, in which order, refusals, and what LibreOffice shows."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pptx import Presentation

from msldesk.boards.outputs.briefing import (
    briefing_slides,
    linked_slide_ids,
    readout_slides,
    write_briefing_deck,
    write_readout_deck,
)
from msldesk.boards.records import (
    AgendaItemFields,
    AgendaKind,
    AttendanceFields,
    AttendeeRole,
    Audience,
    EntryFields,
    EntryKind,
    EventFields,
    EventKind,
    Invitation,
    MeetingReport,
    NoteEntry,
    PersonFields,
)
from msldesk.core.errors import CancelledError, InvalidInputError
from msldesk.core.progress import CancelToken
from msldesk.decks.assembly import ComplianceError
from msldesk.decks.ooxml.validate import validate_package
from msldesk.decks.records import DeckUpdate
from msldesk.decks.slide_specs import ChartSlide

TODAY = dt.date(2026, 11, 22)
BERLIN = ZoneInfo("Europe/Berlin")
START = dt.datetime(2027, 3, 12, 9, 0, tzinfo=BERLIN)
CJK_TITLE = "第三相試験の結果と治療選択"
CJK_NAME = ("健二", "田中")
CJK_QUESTION = "高齢患者での用量調整のエビデンスは？"  # noqa: RUF001 — real Japanese punctuation
CJK_INSIGHT = "日本では再投与の前にバイオマーカーを再検査します。"


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture
def library(app, deck_factory):  # type: ignore[no-untyped-def]
    """An approved deck (4 slides) and an expired one (2 slides); slide ids by deck."""
    approved = deck_factory.pptx(
        "approved.pptx", [(f"Efficacy {n}", f"Body {n}", f"Notes {n}") for n in range(1, 5)]
    )
    expired = deck_factory.pptx("expired.pptx", [("Old data", "Old body", ""), ("Old safety", "b", "")])
    ids = {}
    for name, path in (("approved", approved), ("expired", expired)):
        ids[name] = next(iter(app.decks.import_paths([path]))).deck_id
    app.decks.update_deck(
        ids["approved"],
        DeckUpdate(
            approval_code="MED-1",
            approved_on=TODAY - dt.timedelta(days=10),
            expires_on=TODAY + dt.timedelta(days=300),
        ),
    )
    app.decks.update_deck(
        ids["expired"],
        DeckUpdate(
            approval_code="MED-2",
            approved_on=TODAY - dt.timedelta(days=400),
            expires_on=TODAY - dt.timedelta(days=1),
        ),
    )
    return {name: [s.slide_id for s in app.decks.list_slides(deck_id)] for name, deck_id in ids.items()}


def _person(app, first: str, last: str, **more: str) -> int:  # type: ignore[no-untyped-def]
    person, _ = app.people.add(PersonFields(first, last, **more))
    return person.person_id


def _board(app, title: str = "HFpEF advisory board", **fields: object) -> int:  # type: ignore[no-untyped-def]
    event, _ = app.events.create(
        EventFields(
            kind=EventKind.ADVISORY_BOARD,
            title=title,
            objectives="- Understand second-line choices\n- Identify evidence gaps",
            key_questions="1. Which patients are re-challenged?\n2. What evidence is missing?",
            therapeutic_area="Cardiology",
            starts_at=START,
            ends_at=START + dt.timedelta(hours=4),
            timezone="Europe/Berlin",
            venue="Hotel Bayerischer Hof, Munich",
            **fields,  # type: ignore[arg-type]
        )
    )
    return event.event_id


def _titles(path: Path) -> list[str]:
    return [slide.shapes.title.text if slide.shapes.title else "" for slide in Presentation(str(path)).slides]


def _table_rows(path: Path, title: str) -> list[list[str]]:
    """Data rows of every table on the slides titled `title` or `title (continued)`."""
    rows = []
    for slide in Presentation(str(path)).slides:
        if slide.shapes.title is None or slide.shapes.title.text not in (title, f"{title} (continued)"):
            continue
        for shape in slide.shapes:
            if shape.has_table:
                rows += [[cell.text for cell in row.cells] for row in list(shape.table.rows)[1:]]
    return rows


def _all_text(path: Path) -> str:
    parts = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------ briefing


def test_briefing_has_the_generated_slides_then_the_agendas_library_slides(app, library, tmp_path) -> None:  # type: ignore[no-untyped-def]
    approved = library["approved"]
    event_id = _board(app)
    chair = _person(app, "Anna", "Schmidt", credentials="MD, PhD", specialty="Cardiology",
                    institution="LMU Klinikum", city="Munich", country="Germany")  # fmt: skip
    advisor = _person(app, "Kenji", "Tanaka", credentials="MD", specialty="Heart failure",
                      institution="University of Tokyo")  # fmt: skip
    declined = _person(app, "Nora", "Declined", specialty="Cardiology")
    msl = _person(app, "Sam", "Rivera", specialty="Medical Affairs", institution="Demo Pharma")
    for person, role, invitation in (
        (chair, AttendeeRole.CHAIR, Invitation.ACCEPTED),
        (advisor, AttendeeRole.ADVISOR, Invitation.TENTATIVE),
        (declined, AttendeeRole.ADVISOR, Invitation.DECLINED),
        (msl, AttendeeRole.INTERNAL, Invitation.ACCEPTED),
    ):
        app.events.add_attendee(event_id, person, AttendanceFields(role=role, invitation=invitation))
    app.assembly.save_collection("HF efficacy", [approved[1], approved[2]])
    (collection,) = app.assembly.collections()
    items = [
        AgendaItemFields("Welcome and objectives", 15, presenter_id=msl),
        AgendaItemFields("Phase III results", 45, presenter_id=chair, slide_ids=(approved[2], approved[0])),
        AgendaItemFields("Coffee break", 15, AgendaKind.BREAK),
        # Linked through a collection; its second slide is already in the deck and is not repeated.
        AgendaItemFields(
            "Discussion: sequencing",
            60,
            AgendaKind.DISCUSSION,
            questions="- When do you switch?\n- Who is re-challenged?",
            collection_ids=(collection.collection_id,),
        ),
    ]
    for fields in items:
        app.events.add_agenda_item(event_id, fields)
    assert linked_slide_ids(app.events.agenda(event_id), app.assembly) == [
        approved[2],
        approved[0],
        approved[1],
    ]

    progress = []
    out = tmp_path / "out" / "briefing.pptx"
    result = write_briefing_deck(
        app.events, app.assembly, event_id, out, progress=lambda d, t, m: progress.append((d, t, m))
    )
    assert result.path == out
    assert validate_package(out).ok
    assert _titles(out) == [
        "HFpEF advisory board",
        "Objectives",
        "Agenda (CET)",
        "Participants",
        "Company participants",
        "Key questions",
        "Discussion questions by session",
        "Session materials",
        "Efficacy 3",
        "Efficacy 1",
        "Efficacy 2",
        "Bill of materials",
    ]
    assert result.slides == 12
    assert result.library_slides == 3
    cover = Presentation(str(out)).slides[0]
    assert [ph.text_frame.text for ph in cover.placeholders][1:] == [
        "Briefing · Advisory board · Cardiology",
        "Friday 12 March 2027, 09:00–13:00 CET · Hotel Bayerischer Hof, Munich",
    ]
    assert _table_rows(out, "Agenda (CET)") == [
        ["09:00", "Welcome and objectives", "Sam Rivera", "15 min"],
        ["09:15", "Phase III results", "Anna Schmidt", "45 min"],
        ["10:00", "Coffee break", "", "15 min"],
        ["10:15", "Discussion: sequencing", "", "60 min"],
    ]
    assert _table_rows(out, "Participants") == [
        ["Anna Schmidt", "MD, PhD", "Cardiology", "LMU Klinikum, Munich, Germany", "Chair"],
        ["Kenji Tanaka", "MD", "Heart failure", "University of Tokyo", "Advisor (tentative)"],
    ]  # the declined invitation is not listed
    assert _table_rows(out, "Company participants") == [["Sam Rivera", "Medical Affairs", "Demo Pharma"]]
    assert _table_rows(out, "Discussion questions by session") == [
        ["Discussion: sequencing", "When do you switch?"],
        ["", "Who is re-challenged?"],
    ]
    text = _all_text(out)
    assert "Understand second-line choices" in text
    assert "Which patients are re-challenged?" in text
    assert "- Understand" not in text
    assert "1. Which" not in text  # list markers typed in the fields are dropped
    with result.bill_of_materials.open(encoding="utf-8-sig") as handle:
        assert [r["slide_title"] for r in csv.DictReader(handle)] == [
            "Efficacy 3",
            "Efficacy 1",
            "Efficacy 2",
        ]
    assert progress
    assert progress[-1][0] == progress[-1][1]


def test_long_attendee_lists_continue_and_everyone_is_listed_once(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    event_id = _board(app)
    names = []
    for n in range(45):
        last = f"Expert{n:02d}"
        person = _person(app, "Dr", last, credentials="MD", specialty="Cardiology " * (n % 3 + 1),
                         institution=f"University Hospital {n}", city="Lyon", country="France")  # fmt: skip
        role = AttendeeRole.FACULTY if n % 10 == 0 else AttendeeRole.ADVISOR
        app.events.add_attendee(event_id, person, AttendanceFields(role=role, invitation=Invitation.ACCEPTED))
        names.append((role, f"Dr {last}"))
    out = write_briefing_deck(app.events, app.assembly, event_id, tmp_path / "b.pptx").path
    titles = _titles(out)
    assert titles.count("Participants") == 1
    assert titles.count("Participants (continued)") >= 2
    rows = _table_rows(out, "Participants")
    # Faculty first, then advisors; last names in order within each role; nobody twice.
    faculty = [name for role, name in names if role is AttendeeRole.FACULTY]
    advisors = [name for role, name in names if role is AttendeeRole.ADVISOR]
    assert [row[0] for row in rows] == faculty + advisors
    assert validate_package(out).ok


def test_an_expired_linked_slide_stops_the_briefing_and_writes_nothing(app, library, tmp_path) -> None:  # type: ignore[no-untyped-def]
    event_id = _board(app)
    app.events.add_agenda_item(
        event_id, AgendaItemFields("Data", 30, slide_ids=(library["approved"][0], library["expired"][1]))
    )
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ComplianceError) as refused:
        write_briefing_deck(app.events, app.assembly, event_id, folder / "briefing.pptx")
    message = refused.value.user_message
    assert "1 slide linked to the agenda comes from" in message
    assert "Unlink them" in message
    assert "“Old safety” (Old data, expired) in “Data”" in message  # the slide, its deck and agenda item
    assert list(folder.iterdir()) == []  # no deck, no bill of materials, no temp file
    assert not list(app.paths.cache.glob("tmp*"))  # nor a work folder left in the cache


def test_an_event_with_no_agenda_and_no_attendees_still_gives_a_sensible_deck(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    event, _ = app.events.create(EventFields(kind=EventKind.WORKSHOP, title="Biomarker workshop"))
    folder = tmp_path / "out"
    result = write_briefing_deck(app.events, app.assembly, event.event_id, folder / "b.pptx")
    assert _titles(result.path) == ["Biomarker workshop"]
    cover = Presentation(str(result.path)).slides[0]
    assert [ph.text_frame.text for ph in cover.placeholders][1:] == [
        "Briefing · Workshop",
        "Date to be confirmed",
    ]
    assert result.library_slides == 0
    assert result.bill_of_materials is None
    assert sorted(p.name for p in folder.iterdir()) == ["b.pptx"]
    assert validate_package(result.path).ok


def test_agenda_times_follow_the_events_zone_and_a_two_day_event_names_the_day(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tokyo = ZoneInfo("Asia/Tokyo")
    start = dt.datetime(2027, 6, 1, 16, 0, tzinfo=tokyo)
    event, _ = app.events.create(
        EventFields(
            title="Two-day workshop",
            starts_at=start,
            ends_at=start + dt.timedelta(days=1, hours=2),
            timezone="Asia/Tokyo",
            virtual_link="https://example.org/meet",
        )
    )
    for title, minutes in (("Day one", 240), ("Overnight", 960), ("Day two", 60)):
        app.events.add_agenda_item(event.event_id, AgendaItemFields(title, minutes))
    out = write_briefing_deck(app.events, app.assembly, event.event_id, tmp_path / "b.pptx").path
    assert [row[:2] for row in _table_rows(out, "Agenda (JST)")] == [
        ["Tue 16:00", "Day one"],
        ["Tue 20:00", "Overnight"],
        ["Wed 12:00", "Day two"],
    ]
    cover = Presentation(str(out)).slides[0]
    assert cover.placeholders[13].text_frame.text == (
        "Tuesday 1 June 2027, 16:00 – Wednesday 2 June 2027, 18:00 JST · https://example.org/meet"
    )


def test_the_demo_board_briefing_embeds_its_linked_demo_slides(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app.seed_demo_content()
    (event,) = [e for e in app.events.list_events() if e.fields.kind is EventKind.ADVISORY_BOARD]
    linked = linked_slide_ids(app.events.agenda(event.event_id), app.assembly)
    assert len(linked) == 3
    result = write_briefing_deck(app.events, app.assembly, event.event_id, tmp_path / "demo.pptx")
    titles = _titles(result.path)
    assert titles[0] == event.title
    assert titles[-1] == "Bill of materials"
    start = titles.index("Session materials") + 1
    assert result.library_slides == 3
    assert titles[start:-1] == [slide.title for slide in app.decks.slides_by_id(linked)]
    assert "Avery Demo-Lindqvist" in _all_text(result.path)
    assert validate_package(result.path).ok


def test_wrong_extension_and_cancel_leave_nothing_behind(app, library, tmp_path) -> None:  # type: ignore[no-untyped-def]
    event_id = _board(app)
    app.events.add_agenda_item(event_id, AgendaItemFields("Data", 30, slide_ids=(library["approved"][0],)))
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(InvalidInputError):
        write_briefing_deck(app.events, app.assembly, event_id, folder / "briefing.pdf")
    with pytest.raises(InvalidInputError):
        write_readout_deck(_report(app, event_id), folder / "readout.PPT")
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        write_briefing_deck(app.events, app.assembly, event_id, folder / "b.pptx", cancel=token)
    with pytest.raises(CancelledError):
        write_readout_deck(_report(app, event_id), folder / "r.pptx", cancel=token)
    assert list(folder.iterdir()) == []


# ------------------------------------------------------------------------------------------ readout


def _entry(n: int, text: str, kind: EntryKind, **more: object) -> NoteEntry:
    names = {"speaker_name", "speaker_role", "owner_name"}
    extra = {k: v for k, v in more.items() if k in names}
    fields = EntryFields(text, kind, **{k: v for k, v in more.items() if k not in names})  # type: ignore[arg-type]
    return NoteEntry(n, 1, fields, dt.datetime(2027, 3, 12, 9, n, tzinfo=dt.UTC), **extra)  # type: ignore[arg-type]


def _report(app, event_id: int, audience: Audience = Audience.MEDICAL, entries=None) -> MeetingReport:  # type: ignore[no-untyped-def]
    if entries is None:
        entries = (
            _entry(
                1,
                "Re-challenge only after a long treatment-free interval.",
                EntryKind.INSIGHT,
                themes=("Sequencing",),
                speaker_name="Anna Schmidt",
                speaker_role="chair",
            ),
            _entry(
                2,
                "Retesting at progression is not routine.",
                EntryKind.INSIGHT,
                themes=("Biomarkers",),
                speaker_role="advisor",
            ),
            _entry(
                3,
                "Docetaxel remains the comparator everyone knows.",
                EntryKind.INSIGHT,
                themes=("Sequencing",),
            ),
            _entry(
                4,
                CJK_INSIGHT,
                EntryKind.INSIGHT,
                themes=("Biomarkers",),
                key=True,
                speaker_name="田中 健二",
                speaker_role="advisor",
            ),
            _entry(5, "Payers want real-world outcomes.", EntryKind.INSIGHT),  # no theme: "Other"
            _entry(6, '"We need data in patients over 75."', EntryKind.QUOTE, speaker_role="faculty"),
            _entry(7, "Any plans for a head-to-head trial?", EntryKind.QUOTE, speaker_name="Kenji Tanaka"),
            _entry(8, CJK_QUESTION, EntryKind.QUESTION, speaker_name="Kenji Tanaka"),
            _entry(
                9,
                "Send the RWE synopsis to the chair",
                EntryKind.ACTION,
                owner_name="Sam Rivera",
                due=dt.date(2027, 4, 1),
            ),
            _entry(10, "Book the follow-up call", EntryKind.ACTION, owner="Legal"),
            _entry(11, "Room was cold", EntryKind.NOTE),
        )
    return MeetingReport(
        event=app.events.get(event_id),
        audience=audience,
        agenda=tuple(app.events.agenda(event_id)),
        attendees=tuple(app.events.attendees(event_id)),
        entries=tuple(entries),
        themes=("Sequencing", "Biomarkers", "Safety"),
        executive_summary="The board agreed that the treatment-free interval drives the choice.",
        finalized_at=dt.datetime(2027, 3, 12, 18, 0, tzinfo=dt.UTC),
        generated_at=dt.datetime(2027, 3, 12, 19, 0, tzinfo=dt.UTC),
    )


def test_readout_deck_shows_insights_by_theme_quotes_questions_and_actions(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    event_id = _board(app)
    report = _report(app, event_id)
    chart = next(s for s in readout_slides(report) if isinstance(s, ChartSlide))
    assert (chart.categories, chart.values) == (("Sequencing", "Biomarkers", "Other"), (2.0, 2.0, 1.0))

    result = write_readout_deck(report, tmp_path / "readout.pptx")
    out = result.path
    assert validate_package(out).ok
    assert _titles(out) == [
        "Insight readout",
        "Executive summary",
        "Key insights",
        "Insights per theme",
        "Insights by theme",
        "Notable quotes",
        "Questions raised",
        "Action items",
    ]
    prs = Presentation(str(out))
    cover = prs.slides[0]
    assert [ph.text_frame.text for ph in cover.placeholders][1:] == [
        "HFpEF advisory board · Advisory board",
        "Friday 12 March 2027 · Medical audience",
    ]
    paragraphs = {
        slide.shapes.title.text: [p.text for p in slide.placeholders[1].text_frame.paragraphs]
        for slide in prs.slides
        if len(slide.placeholders) > 1 and slide.placeholders[1].has_text_frame
        and slide.slide_layout.name == "Title and Content"
    }  # fmt: skip
    assert paragraphs["Executive summary"] == [
        "The board agreed that the treatment-free interval drives the choice.",
        "5 insights in 3 themes; 1 question raised; 2 action items.",
    ]
    assert paragraphs["Key insights"] == [f"Biomarkers: {CJK_INSIGHT} — 田中 健二"]
    # A quote is attributed by name, else by the speaker's role; its own quotation marks are not doubled.
    assert paragraphs["Notable quotes"] == [
        "“We need data in patients over 75.” — Faculty",
        "“Any plans for a head-to-head trial?” — Kenji Tanaka",
    ]
    assert paragraphs["Questions raised"] == [f"{CJK_QUESTION} — Kenji Tanaka"]
    # Key insights come first within their theme; unthemed ones last, under "Other".
    assert _table_rows(out, "Insights by theme") == [
        ["Sequencing", "Re-challenge only after a long treatment-free interval.", "Anna Schmidt"],
        ["", "Docetaxel remains the comparator everyone knows.", ""],
        ["Biomarkers", CJK_INSIGHT, "田中 健二"],
        ["", "Retesting at progression is not routine.", "Advisor"],
        ["Other", "Payers want real-world outcomes.", ""],
    ]
    assert _table_rows(out, "Action items") == [
        ["Send the RWE synopsis to the chair", "Sam Rivera", "1 Apr 2027"],
        ["Book the follow-up call", "Legal", ""],
    ]
    (chart_frame,) = [s for s in prs.slides[3].shapes if s.has_chart]
    assert list(chart_frame.chart.plots[0].categories) == ["Sequencing", "Biomarkers", "Other"]
    assert "Room was cold" not in _all_text(out)  # plain notes stay out of a readout


def test_readout_of_a_meeting_with_nothing_captured(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    event, _ = app.events.create(EventFields(title="Quiet roundtable", kind=EventKind.ROUNDTABLE))
    report = replace(_report(app, event.event_id, entries=()), executive_summary="", finalized_at=None)
    out = write_readout_deck(report, tmp_path / "r.pptx").path
    assert _titles(out) == ["Insight readout", "Executive summary", "Insights"]
    text = _all_text(out)
    assert "Date not recorded · Medical audience · Draft: notes not finalized" in text
    assert "0 insights in 0 themes; 0 questions raised; 0 action items." in text
    assert "No insights were recorded." in text
    assert validate_package(out).ok


def test_briefing_slides_are_plain_specs_the_ui_can_preview(app) -> None:  # type: ignore[no-untyped-def]
    event_id = _board(app, title=CJK_TITLE)
    person = _person(app, *CJK_NAME, institution="東京大学", specialty="循環器内科")
    app.events.add_attendee(
        event_id, person, AttendanceFields(role=AttendeeRole.FACULTY, honorarium_hours=Decimal(2))
    )
    slides = briefing_slides(
        app.events.get(event_id), app.events.agenda(event_id), app.events.attendees(event_id)
    )
    assert slides[0].title == CJK_TITLE
    participants = next(s for s in slides if s.title == "Participants")
    assert participants.rows == (("健二 田中", "", "循環器内科", "東京大学", "Faculty"),)


def test_readout_from_the_meeting_service_names_no_expert_for_the_commercial_audience(app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    event_id = _board(app)
    chair = _person(app, "Anna", "Schmidt", specialty="Cardiology")
    msl = _person(app, "Sam", "Rivera", specialty="Medical Affairs")
    app.events.add_attendee(event_id, chair, AttendanceFields(role=AttendeeRole.CHAIR))
    app.events.add_attendee(event_id, msl, AttendanceFields(role=AttendeeRole.INTERNAL))
    app.meetings.set_themes(event_id, ["Sequencing", "Access"])
    app.meetings.save_restricted_terms(["off-label"])
    insight, _ = app.meetings.add_entry(
        event_id, "Schmidt re-challenges after a year", kind=EntryKind.INSIGHT, speaker_id=chair,
        themes=["Sequencing"], agenda_item_id=None,
    )  # fmt: skip
    app.meetings.set_key(insight.entry_id)
    app.meetings.add_entry(event_id, "Patients over 75 are left out", kind=EntryKind.QUOTE, speaker_id=chair,
                           agenda_item_id=None)  # fmt: skip
    app.meetings.add_entry(event_id, "Use it off-label in children", kind=EntryKind.INSIGHT, speaker_id=chair,
                           themes=["Access"], agenda_item_id=None)  # fmt: skip
    app.meetings.add_entry(event_id, "Send the synopsis", kind=EntryKind.ACTION, owner="Sam Rivera",
                           due=dt.date(2027, 4, 1), agenda_item_id=None)  # fmt: skip

    medical = write_readout_deck(app.meetings.report(event_id, Audience.MEDICAL), tmp_path / "m.pptx").path
    commercial = write_readout_deck(
        app.meetings.report(event_id, Audience.COMMERCIAL), tmp_path / "c.pptx"
    ).path
    medical_text, commercial_text = _all_text(medical), _all_text(commercial)
    assert "Anna Schmidt" in medical_text
    assert "off-label" in medical_text
    assert "Schmidt" not in commercial_text
    assert "Anna" not in commercial_text
    assert "off-label" not in commercial_text  # the flagged entry is left out ...
    assert "“Patients over 75 are left out” — Chair" in commercial_text  # ... quotes keep the role
    assert "Rivera" not in commercial_text  # internal colleagues are attendees too: shown by role
    summary = next(
        s for s in Presentation(str(commercial)).slides if s.shapes.title.text == "Executive summary"
    )
    assert summary.notes_slide.notes_text_frame.text == "1 flagged entry left out for this audience."
    for path in (medical, commercial):
        assert validate_package(path).ok


# ------------------------------------------------------------------------------------------ LibreOffice


def _convert(decks: list[Path], folder: Path) -> list[Path]:
    profile = folder / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), *map(str, decks)],
        check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": str(folder)},
    )  # fmt: skip
    pdfs = [folder / f"{deck.stem}.pdf" for deck in decks]
    for pdf in pdfs:
        assert pdf.is_file(), (
            f"soffice exited without writing {pdf.name}"
        )  # it exits 0 when it cannot convert
    return pdfs


def _pdf_text(pdf: Path) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match is not None
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return int(match.group(1)), " ".join(text.split())


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_both_decks_convert_with_libreoffice_and_show_their_text(app, library, tmp_path) -> None:  # type: ignore[no-untyped-def]
    event_id = _board(app, title=CJK_TITLE)
    person = _person(app, *CJK_NAME, credentials="MD", institution="東京大学")
    app.events.add_attendee(event_id, person, AttendanceFields(role=AttendeeRole.CHAIR))
    for n in range(14):
        other = _person(app, "Maria", f"Advisor{n:02d}", specialty="Cardiology")
        app.events.add_attendee(event_id, other, AttendanceFields(role=AttendeeRole.ADVISOR))
    app.events.add_agenda_item(event_id, AgendaItemFields("Welcome", 10))
    app.events.add_agenda_item(
        event_id,
        AgendaItemFields(
            "Phase III data review", 40, slide_ids=tuple(library["approved"][:2]), questions=CJK_QUESTION
        ),
    )
    briefing = write_briefing_deck(app.events, app.assembly, event_id, tmp_path / "briefing.pptx")
    readout = write_readout_deck(_report(app, event_id), tmp_path / "readout.pptx")
    for path in (briefing.path, readout.path):
        assert validate_package(path).ok

    briefing_pdf, readout_pdf = _convert([briefing.path, readout.path], tmp_path)
    pages, text = _pdf_text(briefing_pdf)
    assert pages == briefing.slides == len(Presentation(str(briefing.path)).slides)
    expected_texts = (
        CJK_TITLE,
        "Welcome",
        "Phase III data review",
        "健二 田中",
        "東京大学",
        "Maria Advisor13",
        CJK_QUESTION,
        "Efficacy 1",
        "Efficacy 2",
        "Bill of materials",
    )
    for expected in expected_texts:
        assert expected in text, expected
    pages, text = _pdf_text(readout_pdf)
    assert pages == readout.slides
    for expected in ("Insight readout", CJK_INSIGHT, "Re-challenge only after a long treatment-free",
                     "We need data in patients over 75.", "Faculty", "Send the RWE synopsis to the chair",
                     "Insights per theme", "Sequencing"):  # fmt: skip
        assert expected in text, expected
