"""Board exports written from hand-built records and read back with independent tools: icalendar,
csv, openpyxl, qpdf, pdftotext, pypdfium2."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from msldesk.boards.outputs import attendee_lists as attendee_export
from msldesk.boards.outputs import ics as calendar_export
from msldesk.boards.outputs import open_payments, pdf_fonts, signin_sheet
from msldesk.boards.records import (
    AgendaItem,
    AgendaItemFields,
    AgendaKind,
    Attendance,
    AttendanceFields,
    AttendeeRole,
    Event,
    EventFields,
    EventKind,
    Invitation,
    Payment,
    Person,
    PersonFields,
)
from msldesk.core import tables
from msldesk.core.errors import InvalidInputError
from tests.pdf_layout import assert_footer_lines_up, drawing_extents

BERLIN = ZoneInfo("Europe/Berlin")
CREATED = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)
INJECTION = "=cmd|' /C calc'!A0"


def person(pid: int, first: str, last: str, **kw: str) -> Person:
    return Person(pid, PersonFields(first_name=first, last_name=last, **kw), CREATED, CREATED)


def attend(aid: int, who: Person, role: AttendeeRole, invitation: Invitation, **kw: object) -> Attendance:
    return Attendance(aid, 7, who, AttendanceFields(role=role, invitation=invitation, **kw))


def berlin_event(title: str = "Oncology Advisory Board: 2026/Q1 [Berlin]", **kw: object) -> Event:
    values: dict[str, object] = dict(
        kind=EventKind.ADVISORY_BOARD,
        title=title,
        objectives="Understand treatment sequencing in 2L NSCLC.",
        key_questions="Where does the new agent fit?",
        starts_at=dt.datetime(2026, 3, 12, 9, 0, tzinfo=BERLIN),
        ends_at=dt.datetime(2026, 3, 12, 16, 30, tzinfo=BERLIN),
        timezone="Europe/Berlin",
        venue="Hotel Adlon, Unter den Linden 77, Berlin",
    )
    values.update(kw)
    return Event(7, EventFields(**values))  # type: ignore[arg-type]


def agenda_for(event: Event) -> list[AgendaItem]:
    start = event.fields.starts_at
    assert start is not None
    specs = [
        ("Welcome", 30, AgendaKind.PRESENTATION, "Dr A. Smith"),
        ("Treatment landscape", 60, AgendaKind.DISCUSSION, ""),
        ("Coffee", 15, AgendaKind.BREAK, ""),
    ]
    items, cursor = [], start
    for position, (title, minutes, kind, presenter) in enumerate(specs):
        end = cursor + dt.timedelta(minutes=minutes)
        fields = AgendaItemFields(title=title, minutes=minutes, kind=kind)
        items.append(AgendaItem(position + 1, 7, position, fields, presenter, cursor, end))
        cursor = end
    # The last item has no computed times: the export must continue from the previous one.
    breakouts = AgendaItemFields("Breakouts", 45, AgendaKind.BREAKOUT)
    items.append(AgendaItem(9, 7, 3, breakouts, "Prof Ö. Yıldız"))
    return items


ATTENDEES = [
    attend(1, person(1, "Anna", "Schmidt", credentials="MD", email="anna.schmidt@charite.example",
                     phone="+49 30 1234567", npi="1234567893", institution="Charité Berlin"),
           AttendeeRole.CHAIR, Invitation.ACCEPTED, contract_signed=True, coi_disclosed=True,
           honorarium_amount=Decimal("1500"), currency="EUR",
           checked_in_at=dt.datetime(2026, 3, 12, 7, 55, tzinfo=dt.UTC)),
    attend(2, person(2, "Hans", "Müller", credentials="MD, PhD", email="h.mueller@uni.example",
                     institution="Smith & Jones <Clinic>"),
           AttendeeRole.ADVISOR, Invitation.ACCEPTED, honorarium_amount=Decimal("1200.5")),
    attend(3, person(3, "Łukasz", "Kowalski", email="lukasz@wum.example", institution="WUM Warszawa"),
           AttendeeRole.ADVISOR, Invitation.INVITED),
    attend(4, person(4, "太郎", "山田", credentials="MD", email="yamada@tokyo.example",
                     institution="東京大学"),
           AttendeeRole.FACULTY, Invitation.TENTATIVE),
    attend(5, person(5, "Pierre", "Dupont", email="pierre@declined.example"),
           AttendeeRole.ADVISOR, Invitation.DECLINED),
    attend(6, person(6, "María", "García", institution="Hospital Clínic"),  # no email
           AttendeeRole.ADVISOR, Invitation.ACCEPTED),
    attend(7, person(7, "Olivia", "Obermann", email="olivia@pharma.example", institution=INJECTION),
           AttendeeRole.OBSERVER, Invitation.ACCEPTED),
    attend(8, person(8, "Søren", "Ågård", credentials="PharmD", email="soren@rigs.example"),
           AttendeeRole.MODERATOR, Invitation.NOT_SENT),
]  # fmt: skip
PRESENT = [a for a in ATTENDEES if a.fields.invitation != Invitation.DECLINED]


# ---- calendar ------------------------------------------------------------------------------------


def read_ics(path: Path):
    from icalendar import Calendar

    calendar = Calendar.from_ical(path.read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_ics_times_timezone_and_uid(tmp_path: Path) -> None:
    event = berlin_event()
    path = tmp_path / "board.ics"
    calendar_export.write_event_ics(event, agenda_for(event), ATTENDEES, path)
    calendar, vevent = read_ics(path)

    assert str(calendar["PRODID"]) == "-//msldesk//msldesk//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert vevent.start == event.fields.starts_at
    assert vevent.end == event.fields.ends_at
    assert vevent.start.astimezone(dt.UTC) == dt.datetime(2026, 3, 12, 8, 0, tzinfo=dt.UTC)  # CET, +1
    assert vevent.end.astimezone(dt.UTC) == dt.datetime(2026, 3, 12, 15, 30, tzinfo=dt.UTC)
    assert str(vevent["UID"]) == "msldesk-event-7@msldesk.local"
    assert str(vevent["SUMMARY"]) == event.title
    assert str(vevent["LOCATION"]) == event.fields.venue
    assert "DTSTAMP" in vevent

    again = tmp_path / "again.ics"
    calendar_export.write_event_ics(event, [], [], again)
    assert str(read_ics(again)[1]["UID"]) == str(vevent["UID"])  # stable: a re-import updates


def test_ics_summer_event_uses_daylight_time(tmp_path: Path) -> None:
    event = berlin_event(
        starts_at=dt.datetime(2026, 7, 2, 9, 0, tzinfo=BERLIN),
        ends_at=dt.datetime(2026, 7, 2, 12, 0, tzinfo=BERLIN),
    )
    path = tmp_path / "summer.ics"
    calendar_export.write_event_ics(event, [], [], path)
    calendar, vevent = read_ics(path)
    assert vevent.start.astimezone(dt.UTC).hour == 7  # CEST, +2
    offsets = {sub["TZOFFSETTO"].td for sub in calendar.walk("DAYLIGHT")}
    assert dt.timedelta(hours=2) in offsets


def test_ics_description_has_objectives_and_agenda_clock_times(tmp_path: Path) -> None:
    event = berlin_event()
    path = tmp_path / "board.ics"
    calendar_export.write_event_ics(event, agenda_for(event), ATTENDEES, path)
    lines = str(read_ics(path)[1]["DESCRIPTION"]).splitlines()
    assert "Understand treatment sequencing in 2L NSCLC." in lines
    assert "09:00–09:30  Welcome (Presentation, Dr A. Smith)" in lines
    assert "09:30–10:30  Treatment landscape (Discussion)" in lines
    assert "10:30–10:45  Coffee (Break)" in lines
    assert "10:45–11:30  Breakouts (Breakout, Prof Ö. Yıldız)" in lines


def test_ics_agenda_times_are_local_even_when_items_carry_utc(tmp_path: Path) -> None:
    event = berlin_event()
    items = [
        AgendaItem(1, 7, 0, AgendaItemFields("Welcome", 30), "Dr A. Smith",
                   dt.datetime(2026, 3, 12, 8, 0, tzinfo=dt.UTC),
                   dt.datetime(2026, 3, 12, 8, 30, tzinfo=dt.UTC))
    ]  # fmt: skip
    path = tmp_path / "utc-items.ics"
    calendar_export.write_event_ics(event, items, [], path)
    assert "09:00–09:30  Welcome (Presentation, Dr A. Smith)" in str(read_ics(path)[1]["DESCRIPTION"])


def test_ics_two_day_agenda_is_headed_by_dates(tmp_path: Path) -> None:
    event = berlin_event(ends_at=dt.datetime(2026, 3, 13, 13, 0, tzinfo=BERLIN))
    day_two = dt.datetime(2026, 3, 13, 9, 0, tzinfo=BERLIN)
    wrap_up = AgendaItem(
        5,
        7,
        1,
        AgendaItemFields("Wrap-up", 30, AgendaKind.DISCUSSION),
        "",
        day_two,
        day_two + dt.timedelta(minutes=30),
    )
    items = [*agenda_for(event)[:1], wrap_up]
    path = tmp_path / "two-days.ics"
    calendar_export.write_event_ics(event, items, [], path)
    lines = str(read_ics(path)[1]["DESCRIPTION"]).splitlines()
    first, second = lines.index("Thursday 12 March 2026"), lines.index("Friday 13 March 2026")
    assert first < lines.index("09:00–09:30  Welcome (Presentation, Dr A. Smith)") < second
    assert lines[second + 1] == "09:00–09:30  Wrap-up (Discussion)"
    assert signin_sheet.when_text(event) == (
        "Thursday 12 March 2026 09:00 – Friday 13 March 2026 13:00 CET (Europe/Berlin)"
    )


def test_ics_attendees_roles_and_replies(tmp_path: Path) -> None:
    event = berlin_event()
    path = tmp_path / "board.ics"
    calendar_export.write_event_ics(event, [], ATTENDEES, path, organizer_email="msl@pharma.example")
    calendar, vevent = read_ics(path)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(vevent["ORGANIZER"]).lower() == "mailto:msl@pharma.example"
    found = {
        str(a).lower().removeprefix("mailto:"): tuple(a.params.get(k) for k in ("CN", "ROLE", "PARTSTAT"))
        for a in vevent.get("ATTENDEE", [])
    }
    with_email = {a.person.fields.email for a in ATTENDEES if a.person.fields.email}
    assert set(found) == with_email  # María has no email: she cannot be a calendar attendee
    assert found["anna.schmidt@charite.example"] == ("Anna Schmidt", "CHAIR", "ACCEPTED")
    assert found["h.mueller@uni.example"] == ("Hans Müller", "REQ-PARTICIPANT", "ACCEPTED")
    assert found["yamada@tokyo.example"] == ("太郎 山田", "REQ-PARTICIPANT", "TENTATIVE")
    assert found["olivia@pharma.example"][1] == "NON-PARTICIPANT"
    assert found["pierre@declined.example"][2] == "DECLINED"
    assert found["lukasz@wum.example"][2] == "NEEDS-ACTION"
    invited = next(a for a in vevent["ATTENDEE"] if "lukasz" in str(a))
    assert str(invited.params.get("RSVP")).upper() == "TRUE"


def test_ics_virtual_event_puts_the_link_in_location_and_url(tmp_path: Path) -> None:
    link = "https://teams.example/l/meetup-join/19%3ameeting_abc"
    event = berlin_event(venue="", virtual_link=link)
    path = tmp_path / "virtual.ics"
    calendar_export.write_event_ics(event, [], [], path)
    vevent = read_ics(path)[1]
    assert str(vevent["LOCATION"]) == link
    assert str(vevent["URL"]) == link


def test_ics_refuses_an_event_without_times_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none.ics"
    with pytest.raises(InvalidInputError, match="Set the event's start and end"):
        calendar_export.write_event_ics(berlin_event(starts_at=None), [], ATTENDEES, path)
    with pytest.raises(InvalidInputError, match="time zone"):
        calendar_export.write_event_ics(berlin_event(timezone="Mars/Olympus"), [], ATTENDEES, path)
    assert list(tmp_path.iterdir()) == []


# ---- CSV / XLSX ----------------------------------------------------------------------------------

EXPECTED_COLUMNS = [
    "First Name", "Last Name", "Credentials", "Specialty", "Institution", "City", "State", "Country",
    "Email", "Phone", "NPI", "Tier", "Role", "Invitation", "Contract Signed", "COI Disclosed",
    "Honorarium", "Currency", "Checked In",
]  # fmt: skip


def test_attendees_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "attendees.csv"
    attendee_export.write_attendees_csv(berlin_event(), ATTENDEES, path)
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert raw.count(b"\r\n") == len(ATTENDEES) + 1
    assert b"\n" not in raw.replace(b"\r\n", b"")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == EXPECTED_COLUMNS
    assert [(r["First Name"], r["Last Name"]) for r in rows] == [
        (a.person.fields.first_name, a.person.fields.last_name) for a in ATTENDEES
    ]
    anna = rows[0]
    assert anna["Phone"] == "'+49 30 1234567"  # a leading + is escaped; the importer takes it off
    assert anna["NPI"] == "1234567893"
    assert (anna["Role"], anna["Invitation"]) == ("Chair", "Accepted")
    assert (anna["Contract Signed"], anna["COI Disclosed"]) == ("Yes", "Yes")
    assert (anna["Honorarium"], anna["Currency"]) == ("1500.00", "EUR")
    assert anna["Checked In"] == "2026-03-12 08:55"  # 07:55 UTC is 08:55 in Berlin
    assert rows[1]["Honorarium"] == "1200.50"
    assert rows[1]["Institution"] == "Smith & Jones <Clinic>"
    assert rows[3]["Last Name"] == "山田"
    assert rows[6]["Institution"] == "'" + INJECTION  # neutralised: Excel shows it as text


def test_people_csv_has_person_columns_only(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    people = [a.person for a in ATTENDEES]
    attendee_export.write_people_csv(people, path)
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == EXPECTED_COLUMNS[:12]
    assert [r["Email"] for r in rows] == [p.fields.email for p in people]
    assert rows[0]["Phone"] == "'+49 30 1234567"


def test_attendees_xlsx(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "attendees.xlsx"
    attendee_export.write_attendees_xlsx(berlin_event(), ATTENDEES, path)
    with zipfile.ZipFile(path) as package:
        sheet_xml = package.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml
    assert b"<f " not in sheet_xml  # no live formula anywhere

    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet.title == "Oncology Advisory Board 2026Q1 "[:31].strip()
    assert len(sheet.title) <= 31
    assert not set(sheet.title) & set("[]:*?/\\")
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header == EXPECTED_COLUMNS
    assert all(c.font.bold for c in sheet[1])
    col = {name: index for index, name in enumerate(header)}
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[col["First Name"]], r[col["Last Name"]]) for r in rows] == [
        (a.person.fields.first_name, a.person.fields.last_name) for a in ATTENDEES
    ]
    anna = sheet[2]
    assert anna[col["NPI"]].value == "1234567893"
    assert anna[col["NPI"]].data_type == "s"
    assert anna[col["Phone"]].value == "+49 30 1234567"
    assert anna[col["Phone"]].quotePrefix
    assert isinstance(anna[col["Honorarium"]].value, int | float)
    assert anna[col["Honorarium"]].value == 1500
    assert anna[col["Checked In"]].value == dt.datetime(2026, 3, 12, 8, 55)
    injected = sheet[8][col["Institution"]]
    assert injected.value == INJECTION
    assert injected.data_type == "s"
    assert injected.quotePrefix
    assert sheet.column_dimensions["E"].width > len("Institution")


def test_sheet_title_rules() -> None:
    assert tables.sheet_title("A/B: C*D?[E]", "Attendees") == "AB CDE"
    assert tables.sheet_title("'quoted'", "Attendees") == "quoted"
    assert tables.sheet_title("***", "Attendees") == "Attendees"
    assert len(tables.sheet_title("x" * 80, "Attendees")) == 31


# ---- sign-in sheet -------------------------------------------------------------------------------

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("qpdf") is None, reason="needs pdftotext and qpdf"
)


def pdf_text(path: Path) -> str:
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def pdf_page_size(path: Path) -> tuple[float, float]:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        return document[0].get_size()
    finally:
        document.close()


@pytest.fixture
def fresh_fonts() -> object:
    """Font lookups are cached per process; tests that change what is found start and end clean."""
    pdf_fonts.text_fonts.cache_clear()
    pdf_fonts.cjk_font.cache_clear()
    yield
    pdf_fonts.text_fonts.cache_clear()
    pdf_fonts.cjk_font.cache_clear()


def numbered_rows(text: str) -> list[int]:
    """Row numbers: lines of the table that start with a number."""
    numbers = []
    for line in text.splitlines():
        head = line.strip().split(" ", 1)[0]
        if head.isdigit():
            numbers.append(int(head))
    return numbers


def printable(text: str) -> str:
    """How the sheet spells `text` with the fonts this machine has (Helvetica drops some accents)."""
    if pdf_fonts.text_fonts().embedded:
        return text
    return "".join(c if c.encode("cp1252", "ignore") else pdf_fonts.fallback_char(c) for c in text)


@needs_poppler
def test_sign_in_sheet_lists_everyone_who_has_not_declined(tmp_path: Path) -> None:
    path = tmp_path / "signin.pdf"
    pages = signin_sheet.write_sign_in_sheet(berlin_event(), ATTENDEES, path, blank_rows=10)
    text = pdf_text(path)
    assert pages >= 1
    assert text.count("\f") == pages
    assert "Oncology Advisory Board: 2026/Q1 [Berlin]" in text
    assert "Thursday 12 March 2026, 09:00–16:30 CET (Europe/Berlin)" in text
    assert "Hotel Adlon" in text
    for header in signin_sheet.HEADERS:
        assert header in text
    assert text.count("Signature") == pages
    assert "Müller, Hans, MD, PhD" in text
    assert "Smith & Jones <Clinic>" in text  # escaped for the markup, printed as typed
    assert f"Page 1 of {pages}" in text
    assert "Dupont" not in text  # declined
    latin = [a for a in PRESENT if not any(pdf_fonts.is_cjk(c) for c in a.person.fields.last_name)]
    for a in latin:
        assert printable(f"{a.person.fields.last_name}, {a.person.fields.first_name}") in text
    if pdf_fonts.cjk_font():
        assert "山田, 太郎" in text
    else:  # no embeddable CJK font here: the name uses a standard Asian CID font, not boxes
        assert b"/STSong-Light" in path.read_bytes()
    assert "■" not in text
    # rows sorted by last name (accents ignored), then numbered blank rows for walk-ins to the page's end
    surnames = ("Ågård", "García", "Kowalski", "Müller", "Obermann", "Schmidt")
    order = [text.index(printable(n)) for n in surnames]
    assert order == sorted(order)
    assert pages == 1
    assert numbered_rows(text) == list(range(1, first_page_rows(tmp_path) + 1))


@needs_poppler
def test_sign_in_sheet_grows_pages_and_repeats_the_header(tmp_path: Path) -> None:
    many = [
        attend(100 + n, person(100 + n, f"First{n:02d}", f"Last{n:02d}", institution="Uniklinik"),
               AttendeeRole.ADVISOR, Invitation.ACCEPTED)
        for n in range(60)
    ]  # fmt: skip
    short = tmp_path / "short.pdf"
    long = tmp_path / "long.pdf"
    short_pages = signin_sheet.write_sign_in_sheet(berlin_event(), many[:5], short, blank_rows=0)
    long_pages = signin_sheet.write_sign_in_sheet(berlin_event(), many, long, blank_rows=5)
    text = pdf_text(long)
    assert short_pages == 1
    assert long_pages > 2
    assert text.count("\f") == long_pages
    assert text.count("Signature") == long_pages  # the header row on every page
    assert text.count("Oncology Advisory Board") >= long_pages  # the footer title on every page
    assert f"Page {long_pages} of {long_pages}" in text
    assert f"Page 1 of {long_pages}" in text
    assert all(f"Last{n:02d}, First{n:02d}" in text for n in range(60))
    rows = numbered_rows(text)
    assert rows == list(range(1, len(rows) + 1))
    assert len(rows) > 60  # the last page filled
    per_page = [len(numbered_rows(page)) for page in text.split("\f")[:long_pages]]
    assert per_page[-1] == per_page[-2]  # as full as the page before it


def advisors(count: int) -> list[Attendance]:
    return [
        attend(100 + n, person(100 + n, f"First{n:02d}", f"Last{n:02d}", institution="Uniklinik"),
               AttendeeRole.ADVISOR, Invitation.ACCEPTED)
        for n in range(count)
    ]  # fmt: skip


def first_page_rows(tmp_path: Path) -> int:
    """How many rows the first page of a sheet holds: the names fill it with no blank row."""
    probe = tmp_path / "probe.pdf"
    signin_sheet.write_sign_in_sheet(berlin_event(), advisors(40), probe, blank_rows=0)
    return len(numbered_rows(pdf_text(probe).split("\f")[0]))


def pdfinfo_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


@needs_poppler
def test_sign_in_sheet_fills_its_pages_and_never_spills_blank_rows(tmp_path: Path) -> None:
    full = first_page_rows(tmp_path)
    for names in (full - 1, full, full + 1):  # around the page boundary
        path = tmp_path / f"{names}.pdf"
        pages = signin_sheet.write_sign_in_sheet(berlin_event(), advisors(names), path, blank_rows=10)
        text = pdf_text(path)
        expected = 1 if names <= full else 2
        assert pages == pdfinfo_pages(path) == expected, names  # no page of blank rows only
        per_page = [numbered_rows(page) for page in text.split("\f")[:pages]]
        assert len(per_page[0]) == full  # the first page full, walk-in rows included
        assert numbered_rows(text) == list(range(1, len(numbered_rows(text)) + 1))
        if pages == 2:
            assert len(per_page[1]) > full  # no title block on page 2: it holds more, and is filled
            assert "Last" in text.split("\f")[1]


@needs_poppler
def test_sign_in_sheet_footer_shares_a_baseline_and_the_body_margins(tmp_path: Path) -> None:
    from reportlab.lib.units import mm

    path = tmp_path / "sheet.pdf"
    signin_sheet.write_sign_in_sheet(berlin_event(), advisors(30), path)
    width = pdf_page_size(path)[0]
    assert_footer_lines_up(path, 12 * mm + 6, width - 12 * mm - 6)
    for extent in drawing_extents(path):  # the table's grid keeps to the same column as the text
        assert extent == (pytest.approx(12 * mm + 6, abs=0.75), pytest.approx(width - 12 * mm - 6, abs=0.75))


@needs_poppler
def test_sign_in_sheet_paper_follows_the_zone(tmp_path: Path) -> None:
    new_york = ZoneInfo("America/New_York")
    us = berlin_event(
        timezone="America/New_York",
        starts_at=dt.datetime(2026, 3, 12, 9, 0, tzinfo=new_york),
        ends_at=dt.datetime(2026, 3, 12, 12, 0, tzinfo=new_york),
    )
    signin_sheet.write_sign_in_sheet(us, ATTENDEES[:2], tmp_path / "us.pdf")
    signin_sheet.write_sign_in_sheet(berlin_event(), ATTENDEES[:2], tmp_path / "eu.pdf")
    assert pdf_page_size(tmp_path / "us.pdf") == pytest.approx((792, 612), abs=1)  # Letter landscape
    assert pdf_page_size(tmp_path / "eu.pdf") == pytest.approx((841.9, 595.3), abs=1)  # A4 landscape
    assert "09:00–12:00 EDT (America/New_York)" in pdf_text(tmp_path / "us.pdf")


@needs_poppler
def test_sign_in_sheet_without_any_truetype_font(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_fonts: object
) -> None:
    monkeypatch.setattr(pdf_fonts, "latin_font_candidates", lambda: [])
    monkeypatch.setattr(pdf_fonts, "cjk_font_candidates", lambda: [])
    path = tmp_path / "fallback.pdf"
    pages = signin_sheet.write_sign_in_sheet(berlin_event(), ATTENDEES, path)
    assert pdf_fonts.text_fonts().regular == "Helvetica"
    text = pdf_text(path)
    assert text.count("\f") == pages
    assert "Müller, Hans" in text  # Windows-1252 still covers it
    assert "Kowalski, Lukasz" in text  # Ł has no Helvetica glyph: spelled without the stroke
    assert "Ågård, Søren" in text
    assert "■" not in text
    assert b"/STSong-Light" in path.read_bytes()


def test_markup_escapes_and_switches_fonts_for_cjk(fresh_fonts: object) -> None:
    fonts = pdf_fonts.PdfFonts("Helvetica", "Helvetica-Bold", False)
    assert pdf_fonts.markup("A & <b>", fonts) == "A &amp; &lt;b&gt;"
    marked = pdf_fonts.markup("山田, 太郎 & co", fonts)
    assert marked.startswith('<font name="')
    assert "&amp; co" in marked
    assert pdf_fonts.markup("Łódź", fonts) == "Lódz"  # ó is in Windows-1252, ź is not


def test_sign_in_sheet_refuses_negative_blank_rows(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError):
        signin_sheet.write_sign_in_sheet(berlin_event(), ATTENDEES, tmp_path / "x.pdf", blank_rows=-1)
    assert not (tmp_path / "x.pdf").exists()


# ---- Open Payments -------------------------------------------------------------------------------

CMS_COLUMNS = [
    "Covered_Recipient_Type", "Covered_Recipient_NPI", "Covered_Recipient_First_Name",
    "Covered_Recipient_Last_Name", "Recipient_City", "Recipient_State", "Recipient_Country",
    "Covered_Recipient_Primary_Type_1", "Covered_Recipient_Specialty_1", "Total_Amount_of_Payment_USDollars",
    "Date_of_Payment", "Number_of_Payments_Included_in_Total_Amount", "Form_of_Payment_or_Transfer_of_Value",
    "Nature_of_Payment_or_Transfer_of_Value", "Contextual_Information", "Program_Year",
]  # fmt: skip

US_DOC = person(20, "John", "Adams", credentials="M.D.", npi="1234567893", city="Boston", state="MA",
                country="USA", specialty="Oncology")  # fmt: skip
US_PA = person(21, "Jane", "Brown", credentials="PA-C", npi="1245319599", city="Austin", state="TX")


def payment(when: dt.date, who: Person, nature: str, amount: str, currency: str = "USD") -> Payment:
    return Payment(7, "Oncology Advisory Board", when, who, nature, Decimal(amount), currency)


def test_open_payments_csv(tmp_path: Path) -> None:
    payments = [
        payment(dt.date(2026, 3, 12), US_DOC, "Consulting Fee", "1500"),
        payment(dt.date(2026, 3, 12), US_PA, "Travel and Lodging", "87.5"),
        payment(dt.date(2026, 3, 11), US_PA, "Food and Beverage", "42.125"),
        payment(dt.date(2025, 12, 31), US_DOC, "Consulting Fee", "999"),  # other program year
        payment(dt.date(2026, 4, 1), US_DOC, "Food and Beverage", "0"),  # nothing transferred
        payment(dt.date(2024, 5, 1), US_DOC, "Consulting Fee", "10", currency="EUR"),  # other year
    ]
    path = tmp_path / "open-payments.csv"
    assert open_payments.write_open_payments_csv(payments, path, 2026) == 3
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert list(rows[0]) == CMS_COLUMNS
    assert [r["Date_of_Payment"] for r in rows] == ["03/11/2026", "03/12/2026", "03/12/2026"]
    assert [r["Total_Amount_of_Payment_USDollars"] for r in rows] == ["42.13", "1500.00", "87.50"]
    assert {r["Program_Year"] for r in rows} == {"2026"}
    doc = rows[1]
    assert doc["Covered_Recipient_Type"] == "Covered Recipient Physician"
    assert doc["Covered_Recipient_Primary_Type_1"] == "Medical Doctor"
    assert (doc["Covered_Recipient_NPI"], doc["Covered_Recipient_Last_Name"]) == ("1234567893", "Adams")
    assert (doc["Recipient_City"], doc["Recipient_State"], doc["Recipient_Country"]) == (
        "Boston", "MA", "United States"
    )  # fmt: skip
    assert doc["Form_of_Payment_or_Transfer_of_Value"] == "Cash or cash equivalent"
    assert doc["Nature_of_Payment_or_Transfer_of_Value"] == "Consulting Fee"
    assert doc["Number_of_Payments_Included_in_Total_Amount"] == "1"
    assert doc["Contextual_Information"] == "Oncology Advisory Board"
    assert rows[2]["Covered_Recipient_Type"] == "Covered Recipient Non-Physician Practitioner"
    assert rows[2]["Covered_Recipient_Primary_Type_1"] == "Physician Assistant"


def test_open_payments_refuses_non_usd_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "op.csv"
    payments = [
        payment(dt.date(2026, 3, 12), US_DOC, "Consulting Fee", "1500"),
        payment(dt.date(2026, 3, 12), US_PA, "Consulting Fee", "1500", currency="EUR"),
    ]
    with pytest.raises(InvalidInputError, match="US dollars") as caught:
        open_payments.write_open_payments_csv(payments, path, 2026)
    assert "EUR" in caught.value.user_message
    assert not path.exists()


@pytest.mark.parametrize(
    ("credentials", "expected"),
    [
        ("M.D., Ph.D.", ("Covered Recipient Physician", "Medical Doctor")),
        ("DO", ("Covered Recipient Physician", "Doctor of Osteopathy")),
        ("MSN, FNP", ("Covered Recipient Non-Physician Practitioner", "Nurse Practitioner")),
        ("PA-C", ("Covered Recipient Non-Physician Practitioner", "Physician Assistant")),
        ("MD, NP", ("Covered Recipient Physician", "Medical Doctor")),
        ("", ("Covered Recipient Physician", "")),
    ],
)
def test_recipient_type_from_credentials(credentials: str, expected: tuple[str, str]) -> None:
    assert open_payments.recipient_type(credentials) == expected


def test_open_payments_columns_are_spelled_as_in_a_real_cms_file(corpus_dir: Path) -> None:
    files = sorted((corpus_dir / "people").glob("*OP_DTL_GNRL_*.csv"))
    if not files:
        pytest.skip("no Open Payments general-payments file in the corpus")
    for file in files:
        header = next(csv.reader(io.StringIO(file.read_text(encoding="utf-8-sig"))))
        shared = set(header) & set(open_payments.COLUMNS)
        # every CMS column that file carries and we can fill, under the same name
        assert {
            "Covered_Recipient_NPI", "Covered_Recipient_First_Name", "Covered_Recipient_Last_Name",
            "Covered_Recipient_Specialty_1", "Recipient_City", "Recipient_State",
            "Total_Amount_of_Payment_USDollars", "Form_of_Payment_or_Transfer_of_Value",
            "Nature_of_Payment_or_Transfer_of_Value", "Covered_Recipient_Primary_Type_1",
        } <= shared, file.name  # fmt: skip


# ---- start-up cost -------------------------------------------------------------------------------


def test_export_modules_import_without_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "import msldesk.boards.outputs.ics, msldesk.boards.outputs.attendee_lists\n"
        "import msldesk.boards.outputs.signin_sheet, msldesk.boards.outputs.open_payments\n"
        "heavy = [m for m in ('reportlab', 'openpyxl', 'icalendar') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
