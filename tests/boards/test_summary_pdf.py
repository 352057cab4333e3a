"""The PDF insight summary, written from hand-built meeting reports (and once through the meeting
service) and read back with qpdf, pdftotext and pdffonts."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from msldesk.boards.meeting.audience import cut_for_audience
from msldesk.boards.outputs import pdf_fonts, summary_blocks, summary_pdf, summary_sections
from msldesk.boards.records import (
    AgendaItem,
    AgendaItemFields,
    AgendaKind,
    Amendment,
    Attendance,
    AttendanceFields,
    AttendeeRole,
    Audience,
    EntryFields,
    EntryKind,
    Event,
    EventFields,
    EventKind,
    Invitation,
    MeetingReport,
    NoteEntry,
    Payment,
    Person,
    PersonFields,
)
from msldesk.core.errors import CancelledError, MsldeskError
from msldesk.core.progress import CancelToken
from tests.pdf_layout import assert_footer_lines_up, drawing_extents

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("qpdf", "pdftotext", "pdffonts")),
    reason="needs qpdf and poppler-utils (pdftotext, pdffonts)",
)

BERLIN = ZoneInfo("Europe/Berlin")
START = dt.datetime(2026, 3, 12, 9, 0, tzinfo=BERLIN)
CREATED = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)
CJK_NOTE = "日本語のメモ: 한국어 요약, Ελληνικά σχόλια, Русский комментарий"
MARKUP_NOTE = "Dose <b>not</b> & 'x < 5 > 3' <font name=\"Courier\">raw</font>"


# ---- a small builder for meeting reports --------------------------------------------------------


def person(pid: int, first: str, last: str, **kw: str) -> Person:
    return Person(pid, PersonFields(first_name=first, last_name=last, **kw), CREATED, CREATED)


def attend(aid: int, who: Person, role: AttendeeRole, **kw: object) -> Attendance:
    fields = AttendanceFields(role=role, invitation=kw.pop("invitation", Invitation.ACCEPTED), **kw)  # type: ignore[arg-type]
    return Attendance(aid, 7, who, fields)


EXPERTS = {
    "schmidt": attend(1, person(1, "Anna", "Schmidt", credentials="MD", npi="1234567893",
                                institution="Charité Berlin"),
                      AttendeeRole.CHAIR, contract_signed=True, coi_disclosed=True,
                      checked_in_at=START + dt.timedelta(minutes=-5)),
    "kowalski": attend(2, person(2, "Łukasz", "Kowalski", institution="WUM Warszawa"),
                       AttendeeRole.ADVISOR, contract_signed=True,
                       checked_in_at=START + dt.timedelta(minutes=2)),
    "yamada": attend(3, person(3, "太郎", "山田", institution="東京大学"), AttendeeRole.ADVISOR,
                     invitation=Invitation.TENTATIVE),
}  # fmt: skip
COLLEAGUE = attend(4, person(4, "Olivia", "Obermann"), AttendeeRole.INTERNAL)
ATTENDEES = (*EXPERTS.values(), COLLEAGUE)
EXPERT_NAMES = ("Schmidt", "Kowalski", "Łukasz", "山田", "太郎", "Anna")


def agenda() -> tuple[AgendaItem, ...]:
    specs = [("Welcome", 15, AgendaKind.PRESENTATION, "Anna Schmidt", 18),
             ("Treatment landscape", 60, AgendaKind.DISCUSSION, "", 71),
             ("Coffee", 15, AgendaKind.BREAK, "", None)]  # fmt: skip
    items, cursor = [], START
    for position, (title, minutes, kind, presenter, actual) in enumerate(specs):
        end = cursor + dt.timedelta(minutes=minutes)
        fields = AgendaItemFields(title, minutes, kind, presenter_id=1 if presenter else None)
        actual_end = cursor + dt.timedelta(minutes=actual) if actual else None
        items.append(
            AgendaItem(position + 1, 7, position, fields, presenter, cursor, end,
                       actual_start=cursor if actual else None, actual_end=actual_end)
        )  # fmt: skip
        cursor = end
    return tuple(items)


def entry(eid: int, text: str, kind: EntryKind, minute: int, speaker: Attendance | None = None,
          **kw: object) -> NoteEntry:  # fmt: skip
    entry_keys = {"flag_terms", "amendments", "owner_name", "agenda_title", "flag_reviewed", "flag_cleared",
                  "flag_reviewed_by", "flag_reviewed_at"}  # fmt: skip
    extra = {k: kw.pop(k) for k in list(kw) if k in entry_keys}
    fields = EntryFields(text=text, kind=kind, speaker_id=speaker.person.person_id if speaker else None,
                         **kw)  # type: ignore[arg-type]  # fmt: skip
    return NoteEntry(
        eid, 7, fields, (START + dt.timedelta(minutes=minute)).astimezone(dt.UTC),
        speaker_name=speaker.person.display_name if speaker else "",
        speaker_role=speaker.fields.role.value if speaker else "",
        agenda_title=str(extra.pop("agenda_title", "Treatment landscape")),
        **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def entries() -> tuple[NoteEntry, ...]:
    s, k = EXPERTS["schmidt"], EXPERTS["kowalski"]
    return (
        entry(1, "Sequencing after progression on IO is the main open question.", EntryKind.INSIGHT, 20, s,
              themes=("Treatment sequencing",), key=True),
        entry(2, "Biomarker testing turnaround is 3 weeks in most community centres.", EntryKind.INSIGHT, 25,
              k, themes=("Diagnostics", "Access")),
        entry(3, CJK_NOTE, EntryKind.INSIGHT, 28, EXPERTS["yamada"],
              themes=("Diagnostics", "診断 Диагностика")),
        entry(4, MARKUP_NOTE, EntryKind.INSIGHT, 30, None),
        entry(5, "We would use it off-label in 1L if data allow.", EntryKind.INSIGHT, 32, k,
              themes=("Treatment sequencing",), flag_terms=("off-label",)),
        entry(6, "I would not switch a responding patient.", EntryKind.QUOTE, 35, s),
        entry(7, "What is the real-world discontinuation rate?", EntryKind.QUESTION, 40, k),
        entry(8, "Send the congress poster to the panel", EntryKind.ACTION, 45, None,
              owner="Olivia Obermann", owner_name="Olivia Obermann", due=dt.date(2026, 3, 20)),
        entry(9, "Ask Dr Schmidt for the registry contact", EntryKind.ACTION, 46, None,
              owner="Schmidt", owner_name="Anna Schmidt", owner_id=1),
        entry(10, "Room was cold", EntryKind.NOTE, 50, None,
              amendments=(Amendment(1, "Room was cold; moved to hall B", "typo", CREATED),)),
    )  # fmt: skip


def payments(event: Event) -> tuple[Payment, ...]:
    s, k = EXPERTS["schmidt"].person, EXPERTS["kowalski"].person
    day = dt.date(2026, 3, 12)
    return (
        Payment(7, event.title, day, s, "Consulting Fee", Decimal("1500.00"), "EUR"),
        Payment(7, event.title, day, k, "Consulting Fee", Decimal("1200.50"), "EUR"),
        Payment(7, event.title, day, k, "Travel and Lodging", Decimal("310.20"), "EUR"),
    )


def event(**kw: object) -> Event:
    values: dict[str, object] = dict(
        kind=EventKind.ADVISORY_BOARD, title="NSCLC Advisory Board <2026> & friends",
        objectives="Understand treatment sequencing in 2L NSCLC.", therapeutic_area="Oncology",
        starts_at=START, ends_at=START + dt.timedelta(hours=4), timezone="Europe/Berlin",
        venue="Hotel Adlon, Berlin",
    )  # fmt: skip
    values.update(kw)
    return Event(7, EventFields(**values))  # type: ignore[arg-type]


def full_report(**kw: object) -> MeetingReport:
    """The whole meeting (what the medical audience sees, plus payments for the compliance cut)."""
    ev = event()
    values: dict[str, object] = dict(
        event=ev, audience=Audience.MEDICAL, agenda=agenda(), attendees=ATTENDEES, entries=entries(),
        themes=("Treatment sequencing", "Diagnostics", "Access", "Safety"),
        executive_summary="The panel sees sequencing as the main gap.\n\nDiagnostics delay treatment.",
        finalized_at=START + dt.timedelta(hours=5), generated_at=START + dt.timedelta(hours=6),
        payments=payments(ev),
    )  # fmt: skip
    values.update(kw)
    return MeetingReport(**values)  # type: ignore[arg-type]


def report_for(audience: Audience, **kw: object) -> MeetingReport:
    return cut_for_audience(full_report(**kw), audience)


# ---- reading the PDF back ----------------------------------------------------------------------


def pdf_text(path: Path, layout: bool = False) -> str:
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True).stdout.decode("utf-8")


def flat(text: str) -> str:
    """pdftotext's text with line breaks and runs of spaces as single spaces (wrapped lines)."""
    return " ".join(text.split())


def fonts_of(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def outline(path: Path) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        return [bookmark.get_title() for bookmark in document.get_toc()]
    finally:
        document.close()


def write(tmp_path: Path, report: MeetingReport, name: str = "summary.pdf") -> tuple[Path, str]:
    path = summary_pdf.write_summary_pdf(report, tmp_path / name)
    assert path == tmp_path / name
    return path, pdf_text(path)


def page_count(path: Path) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def bookmarks(path: Path) -> list[tuple[str, int, int]]:
    """(title, level, 0-based page index) of every outline entry."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        return [(b.get_title(), b.level, b.get_dest().get_index()) for b in document.get_toc()]
    finally:
        document.close()


def metadata(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


# ---- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", list(Audience))
def test_every_section_has_its_heading_bookmark_and_page(tmp_path: Path, audience: Audience) -> None:
    path, text = write(tmp_path, report_for(audience))
    titles = summary_sections.section_titles(audience)
    compliance_only = {summary_sections.ATTENDANCE, summary_sections.PAYMENTS}
    assert compliance_only.issubset(titles) == (audience is Audience.COMPLIANCE)
    for title in titles:
        assert title in text, title
    if audience is not Audience.COMPLIANCE:
        assert summary_sections.PAYMENTS not in text
        assert "Consulting Fee" not in text
    # cover
    cover = text.split("\f")[0]
    assert "Meeting insight summary" in cover
    assert "NSCLC Advisory Board <2026> & friends" in cover
    assert "Advisory board" in cover
    assert "Thursday 12 March 2026, 09:00–13:00 CET (Europe/Berlin)" in cover
    assert f"Prepared for the {audience.value} audience" in cover
    assert "Confidential" in cover
    # every page: the confidentiality footer naming the audience, and "Page X of Y"
    pages = page_count(path)
    assert pages >= 3
    assert text.count("\f") == pages
    for number, page in enumerate(text.split("\f")[:pages], start=1):
        assert f"Confidential · {audience.label} audience" in page
        assert f"Page {number} of {pages}" in page
    # bookmarks: one per section, in order, each on the page its heading is on
    marks = bookmarks(path)
    top = [(title, page) for title, level, page in marks if level == 0]
    assert [t for t, _ in top] == list(titles)
    pages_text = text.split("\f")
    for title, page in top:
        assert title in pages_text[page], (title, page)
    assert [p for _, p in top] == sorted(p for _, p in top)
    assert top[-1][1] > top[0][1]
    themes = [title for title, level, _ in marks if level == 1 and title.startswith("Treatment sequencing")]
    assert themes  # themes are nested under "Key insights by theme"
    info = metadata(path)
    assert info["Title"].strip() == (
        f"Meeting insight summary: NSCLC Advisory Board <2026> & friends ({audience.label} audience)"
    )


def test_fonts_are_embedded_and_notes_in_any_language_come_back(tmp_path: Path) -> None:
    path, text = write(tmp_path, report_for(Audience.MEDICAL))
    rows = fonts_of(path)
    assert rows, "no fonts listed"
    assert all(row[-5] == "yes" for row in rows), rows  # the "emb" column: every font embedded
    assert any("WenQuanYiMicroHei" in row[0] for row in rows), rows
    assert not any(row[0] == "Helvetica" for row in rows)
    assert CJK_NOTE in flat(text)
    for word in ("日本語のメモ", "한국어", "Ελληνικά", "Русский", "Łukasz Kowalski", "山田"):
        assert word in text
    assert ("診断 Диагностика (1)", 1) in [(title, level) for title, level, _ in bookmarks(path)]
    assert "診断 Диагностика" in text  # the theme's heading, and its bar in the chart
    assert pdf_fonts.text_fonts().regular == "MsldeskSans"  # the bundled font, not a system one
    assert pdf_fonts.bundled_fonts()[0].name == pdf_fonts.BUNDLED_FONT


def test_commercial_summary_names_no_expert_and_drops_flagged_entries(tmp_path: Path) -> None:
    report = report_for(Audience.COMMERCIAL)
    assert report.removed_flagged == 1  # the cut removed the off-label entry
    _path, text = write(tmp_path, report)
    for name in EXPERT_NAMES:
        assert name not in text, name
    assert "off-label" not in text
    assert "1L if data allow" not in text
    body = flat(text)
    assert "“I would not switch a responding patient.” — Chair" in body  # quotes attributed by role
    assert "Advisor" in body  # speakers of insights and questions by role
    assert "Obermann" not in body  # internal colleagues are attendees too: shown by role only
    assert "1 flagged entry is not shown to this audience" in body
    assert CJK_NOTE in body


def test_medical_summary_names_speakers_and_marks_flagged_entries(tmp_path: Path) -> None:
    _, text = write(tmp_path, report_for(Audience.MEDICAL))
    body = flat(text)
    assert "“I would not switch a responding patient.” — Anna Schmidt, Chair" in body
    assert "Łukasz Kowalski, Advisor" in body
    assert "We would use it off-label in 1L if data allow." in body
    assert "flagged: off-label" in body
    assert "★ Key insight: Sequencing after progression on IO is the main open question." in body
    assert "Room was cold; moved to hall B" in body
    assert "First recorded: “Room was cold”" in body
    assert "1 note, 5 insights, 1 quote, 1 question, 2 actions" in body
    # actions with owner and due date, the dated one first
    assert body.index("Send the congress poster to the panel Olivia Obermann 20 March 2026") < body.index(
        "Ask Dr Schmidt for the registry contact Anna Schmidt No date"
    )
    # attendance by role and agenda planned versus actual
    assert "Chair 1 1 1" in body
    assert "Advisor 2 1 1" in body
    assert "Total 4 3 2" in body
    assert "Treatment landscape 60 min 71 min +11 min" in body
    assert "Total 90 min 89 min (2 of 3 items timed) +14 min" in body
    assert "09:15–10:15 Treatment landscape Discussion — 60 min 71 min" in body  # the appendix


def test_compliance_summary_lists_attendance_contracts_and_payments(tmp_path: Path) -> None:
    path, text = write(tmp_path, report_for(Audience.COMPLIANCE))
    body = flat(text)
    assert "Anna Schmidt 1234567893 Consulting Fee 2026-03-12 1,500.00 EUR" in body
    assert "Łukasz Kowalski — Travel and Lodging 2026-03-12 310.20 EUR" in body
    total_line = [line.split() for line in pdf_text(path, layout=True).splitlines() if "3,010.70" in line]
    assert total_line == [["Total", "3,010.70", "EUR"]]
    assert "Anna Schmidt, MD Charité Berlin Chair Accepted 08:55 Yes Yes" in body
    assert "太郎 山田 東京大学 Advisor Tentative No No No" in body


def test_markup_characters_in_user_text_print_as_typed(tmp_path: Path) -> None:
    summary = "Use <i>caution</i> & check x<y>z.\n\nSecond paragraph with ]]> and &amp;."
    _path, text = write(tmp_path, report_for(Audience.MEDICAL, executive_summary=summary))
    body = flat(text)
    assert MARKUP_NOTE in body
    assert "Use <i>caution</i> & check x<y>z." in body
    assert "Second paragraph with ]]> and &amp;." in body
    assert "NSCLC Advisory Board <2026> & friends" in body


def test_empty_sections_say_none_recorded(tmp_path: Path) -> None:
    report = report_for(Audience.COMPLIANCE, agenda=(), attendees=(), entries=(), payments=(),
                        executive_summary="  ", themes=())  # fmt: skip
    _path, text = write(tmp_path, report)
    sections = summary_sections
    empty = (sections.EXECUTIVE_SUMMARY, sections.KEY_INSIGHTS, sections.QUOTES, sections.QUESTIONS,
             sections.ACTIONS, sections.ATTENDANCE, sections.PAYMENTS, sections.APPENDIX, sections.NOTES,
             sections.FLAG_REVIEW, "Attendance by role", "Agenda: planned versus actual")  # fmt: skip
    for title in (*summary_sections.section_titles(Audience.COMPLIANCE), "Attendance by role"):
        assert title in text
    assert text.count(summary_blocks.NONE_RECORDED) == len(empty)
    assert "Insights per theme" not in text  # no chart without insights


def test_long_entries_flow_over_pages(tmp_path: Path) -> None:
    long_text = " ".join(f"word{i}" for i in range(2000))  # ~18,000 characters: pages of one entry
    extra = (
        entry(20, long_text, EntryKind.INSIGHT, 60, None, themes=("Safety",)),
        entry(21, "Follow up: " + long_text, EntryKind.ACTION, 61, None, owner="MSL team"),
    )
    path, text = write(tmp_path, report_for(Audience.MEDICAL, entries=entries() + extra))
    assert page_count(path) > 4
    assert "word1999" in text
    assert flat(text).count("word200 ") == 2
    # A table cell stops at 3,000 characters (a taller row, or a long word, stalls reportlab).
    assert "word1999" not in flat(text).split("Follow up:")[1].split("Confidential")[0]


def test_many_themes_share_one_bar(tmp_path: Path) -> None:
    many = tuple(
        entry(100 + i, f"Insight {i}", EntryKind.INSIGHT, 30, None, themes=(f"Theme {i:02d}",))
        for i in range(30)
    )
    _, text = write(tmp_path, report_for(Audience.MEDICAL, entries=many, themes=()))
    assert "10 other themes" in text
    assert "Theme 29 (1)" in text


def test_cancel_leaves_no_file_and_keeps_an_earlier_one(tmp_path: Path) -> None:
    token = CancelToken()
    token.cancel()
    target = tmp_path / "summary.pdf"
    with pytest.raises(CancelledError):
        summary_pdf.write_summary_pdf(report_for(Audience.MEDICAL), target, cancel=token)
    assert list(tmp_path.iterdir()) == []

    summary_pdf.write_summary_pdf(report_for(Audience.MEDICAL), target)
    before = target.read_bytes()
    late = CancelToken()

    def progress(done: int, total: int, message: str) -> None:
        if "laying out" in message:
            late.cancel()  # during layout: the page-by-page check stops it

    with pytest.raises(CancelledError):
        summary_pdf.write_summary_pdf(report_for(Audience.COMPLIANCE), target, progress, late)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["summary.pdf"]  # no temp file left


def test_unwritable_target_gives_a_plain_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    target = blocker / "summary.pdf"
    with pytest.raises(MsldeskError) as caught:
        summary_pdf.write_summary_pdf(report_for(Audience.MEDICAL), target)
    assert str(target) in caught.value.user_message
    assert "could not be saved" in caught.value.user_message
    assert caught.value.details
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


def test_progress_runs_from_zero_to_done(tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    summary_pdf.write_summary_pdf(
        report_for(Audience.MEDICAL), tmp_path / "s.pdf", lambda *step: seen.append(step)
    )
    totals = {total for _, total, _ in seen}
    assert len(totals) == 1
    assert seen[0][0] == 0
    assert seen[-1][0] == seen[-1][1]
    assert [done for done, _, _ in seen] == sorted(done for done, _, _ in seen)


def test_summary_through_the_meeting_service(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The same promises with a report the service builds and cuts: no expert name for commercial."""
    ev, _ = app.events.create(event().fields)
    expert, _ = app.people.add(PersonFields(first_name="Maren", last_name="Lindqvist", npi="1234567893"))
    colleague, _ = app.people.add(PersonFields(first_name="Olivia", last_name="Obermann"))
    app.events.add_attendee(ev.event_id, expert.person_id, AttendanceFields(role=AttendeeRole.ADVISOR))
    app.events.add_attendee(ev.event_id, colleague.person_id, AttendanceFields(role=AttendeeRole.INTERNAL))
    item, _ = app.events.add_agenda_item(
        ev.event_id, AgendaItemFields("Discussion", 45, AgendaKind.DISCUSSION, presenter_id=expert.person_id)
    )
    app.meetings.start_item(ev.event_id, item.item_id, START + dt.timedelta(minutes=1))
    when = START + dt.timedelta(minutes=5)
    app.meetings.add_entry(
        ev.event_id,
        "Lindqvist: dosing is the barrier",
        kind=EntryKind.INSIGHT,
        speaker_id=expert.person_id,
        themes=("Dosing",),
        when=when,
    )
    app.meetings.add_entry(
        ev.event_id,
        "We never see that in practice",
        kind=EntryKind.QUOTE,
        speaker_id=expert.person_id,
        when=when,
    )
    app.meetings.add_entry(ev.event_id, "服薬アドヒアランスの課題", kind=EntryKind.QUESTION, when=when)
    app.meetings.next_item(ev.event_id, START + dt.timedelta(minutes=50))
    for audience in Audience:
        _path, text = write(tmp_path, app.meetings.report(ev.event_id, audience), f"{audience.value}.pdf")
        body = flat(text)
        assert all(title in text for title in summary_sections.section_titles(audience))
        assert "服薬アドヒアランスの課題" in body
        assert "Discussion 45 min 49 min +4 min" in body
        if audience is Audience.COMMERCIAL:
            assert "Lindqvist" not in body
            assert "Maren" not in body
            assert "— Advisor" in body
        else:
            assert "— Maren Lindqvist, Advisor" in body


# ---- each audience gets exactly what it should (issue 12) ----------------------------------------

REVIEWED = START + dt.timedelta(hours=7)
# Each kind of entry by a text found nowhere else; the flagged and amended ones name experts too.
KINDS = {
    "note": "Projector needed a spare cable",
    "insight": "payers want head-to-head data",
    "quote": "We test everyone at diagnosis",
    "question": "Is there a patient support programme?",
    "action": "Share the access dossier",
    "flagged": "promote it for the unapproved indication",
    "flagged note": "Discussed off-label dosing",
    "cleared": "Comparative claims were avoided",
    "amended": "Lunch moved to 13:00",
    "original": "Lunch at noon",
}


def kinds_entries() -> tuple[NoteEntry, ...]:
    s, k = EXPERTS["schmidt"], EXPERTS["kowalski"]
    return (
        entry(31, KINDS["note"], EntryKind.NOTE, 10),
        entry(32, f"Łukasz KOWALSKI said {KINDS['insight']}", EntryKind.INSIGHT, 11, k, themes=("Access",)),
        entry(33, KINDS["quote"], EntryKind.QUOTE, 12, s),
        entry(34, KINDS["question"], EntryKind.QUESTION, 13, k),
        entry(35, KINDS["action"], EntryKind.ACTION, 14, None, owner="Olivia Obermann",
              owner_name="Olivia Obermann"),
        entry(36, f"We could {KINDS['flagged']}", EntryKind.INSIGHT, 15, s, flag_terms=("unapproved",),
              flag_reviewed=True, flag_reviewed_by="c.officer", flag_reviewed_at=REVIEWED),
        entry(37, f"{KINDS['flagged note']} with anna schmidt", EntryKind.NOTE, 16, None,
              flag_terms=("off-label",)),
        entry(38, KINDS["cleared"], EntryKind.NOTE, 17, None, flag_terms=("comparative",),
              flag_reviewed=True, flag_cleared=True),
        entry(39, f"{KINDS['original']} with Dr Schmidt", EntryKind.NOTE, 18, None,
              amendments=(Amendment(2, f"{KINDS['amended']} with Dr Schmidt", "time changed", REVIEWED),)),
    )  # fmt: skip


def attendee_names_in(text: str) -> list[str]:
    """Attendees' names found in `text` in any case, with or without accents (the names module)."""
    from msldesk.boards.people.names import NameFinder, person_forms

    forms = [
        form
        for a in ATTENDEES
        for form in person_forms(a.person.fields.first_name, a.person.fields.last_name)
    ]
    finder = NameFinder(forms)
    return [text[start:end] for start, end, _ in finder.spans(text)]


@pytest.mark.parametrize("audience", list(Audience))
def test_each_audience_gets_each_kind_of_entry_as_its_rule_says(tmp_path: Path, audience: Audience) -> None:
    _path, text = write(tmp_path, report_for(audience, entries=kinds_entries()))
    body = flat(text)
    commercial = audience is Audience.COMMERCIAL
    for kind in ("note", "insight", "quote", "question", "action", "cleared", "amended"):
        assert KINDS[kind] in body, (audience, kind)  # every audience, plain notes included
    for kind in ("flagged", "flagged note", "original"):
        assert (KINDS[kind] in body) != commercial, (audience, kind)
    if commercial:
        assert "flagged:" not in body
        assert summary_sections.FLAG_REVIEW not in body
        assert attendee_names_in(text) == []  # not "KOWALSKI", not "anna schmidt", not "Schmidt"
        assert "[Advisor] said payers" in body
        assert "with [Chair]" in body
        assert "2 flagged entries are not shown to this audience" in body
    else:  # the flag with its review decision, the amendment beside the original
        assert "flagged: unapproved; reviewed, kept flagged (not for commercial readers)" in body
        assert "flagged: off-label; not yet reviewed" in body
        assert "flagged: comparative; reviewed, cleared as acceptable" in body
        assert "Amended 12 Mar 2026 16:00 (time changed)" in body
        assert f"First recorded: “{KINDS['original']} with Dr Schmidt”" in body
        assert "Łukasz KOWALSKI said" in body
    review = body.split(summary_sections.FLAG_REVIEW)[-1]
    if audience is Audience.COMPLIANCE:  # who reviewed each flagged entry, and what was decided
        assert f"We could {KINDS['flagged']} Insight · 09:15 unapproved reviewed, kept flagged" in review
        assert "c.officer 12 Mar 2026 16:00" in review
        assert "off-label not yet reviewed — —" in review
        assert "comparative reviewed, cleared as acceptable Not recorded —" in review
        assert summary_sections.PAYMENTS in body
        assert "Consulting Fee" in body
    else:
        assert summary_sections.FLAG_REVIEW not in body
        assert "c.officer" not in body


@pytest.mark.parametrize("audience", list(Audience))
def test_the_cover_has_the_rule_the_facts_and_the_summary(tmp_path: Path, audience: Audience) -> None:
    _, text = write(tmp_path, report_for(audience))
    cover = flat(text.split("\f")[0])
    assert summary_sections.AUDIENCE_RULE[audience] in cover
    assert cover.count(".")
    assert summary_sections.AUDIENCE_RULE[audience].count(". ") == 0  # one sentence
    recorded = "1 note, 4 insights" if audience is Audience.COMMERCIAL else "1 note, 5 insights"
    for fact in (
        "Thursday 12 March 2026, 09:00–13:00 CET (Europe/Berlin)",
        "Hotel Adlon, Berlin",
        "Oncology",
        "4 people on the list, 2 checked in",
        f"{recorded}, 1 quote, 1 question, 2 actions",
    ):
        assert fact in cover, fact  # fmt: skip
    assert f"{summary_sections.EXECUTIVE_SUMMARY} The panel sees sequencing as the main gap." in cover
    assert "1 key insight (listed first" in flat(text)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])  # A4 and Letter
def test_footer_shares_a_baseline_and_the_body_margins(tmp_path: Path, zone: str) -> None:
    from reportlab.lib.units import mm

    long_title = "A very long event title " * 12  # shortened to one line, never wrapped over the number
    report = report_for(Audience.MEDICAL, event=event(timezone=zone, title=long_title))
    path, _ = write(tmp_path, report)
    width = float(metadata(path)["Page size"].split()[0])
    body_left = 18 * mm + 6  # the summary's margin plus the frame's padding: where body text starts
    assert_footer_lines_up(path, body_left, width - body_left)
    for extent in drawing_extents(path)[1:]:  # tables, rules and the chart keep to the text's column
        assert extent is None or (body_left - 1 <= extent[0] and extent[1] <= width - body_left + 1), extent
