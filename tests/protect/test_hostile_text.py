"""Hostile text (control characters, U+FFFE, lone surrogates, 100k-character values, formulas) given
to every writer: each one writes, the file reopens with an independent reader, values are cleaned
and formulas escaped."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from msldesk.boards.meeting.audience import cut_for_audience
from msldesk.boards.outputs import attendee_lists as attendee_export
from msldesk.boards.outputs import ics as calendar_export
from msldesk.boards.outputs import insights as insight_export
from msldesk.boards.outputs import open_payments, signin_sheet
from msldesk.boards.outputs import summary_pdf as summary_module
from msldesk.boards.outputs.briefing import write_readout_deck
from msldesk.boards.records import Audience, EntryKind, Payment
from msldesk.decks import assembly
from msldesk.decks.records import DeckStatus
from tests.boards.test_summary_pdf import ATTENDEES, EXPERTS, attend, entry, event, full_report, person

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("qpdf", "pdftotext")), reason="needs qpdf and pdftotext"
)

JUNK = "\x00\x01\x08\x0b\x0c\x1b\x7f\x85\x9f\ufffe\uffff\ud800\udfff"
FORMULAS = ("=cmd|'/c calc'!A1", "+1", "-1-1", "@SUM(1)", "\t=1", "\r=1")
LONG = "L" * 100_000


def dirty(text: str) -> str:
    """`text` with every kind of junk a writer must drop spread through it."""
    return JUNK[:5] + text[:1] + JUNK[5:] + text[1:]


def assert_clean(text: str) -> None:
    bad = {c for c in text.replace("\f", "") if c in JUNK}  # pdftotext ends each page with a form feed
    assert not bad, f"junk survived: {sorted(map(hex, map(ord, bad)))}"


def hostile_attendees() -> tuple:
    """Attendees whose names are formulas, with junk and one 100k-character institution."""
    people = []
    for number, formula in enumerate(FORMULAS, start=1):
        who = person(100 + number, formula, dirty(f"Müller{number}"), institution=dirty("Charité"),
                     city=formula, phone=formula)  # fmt: skip
        people.append(attend(100 + number, who, EXPERTS["schmidt"].fields.role))
    giant = person(99, dirty("Anna"), "Long", institution=LONG, notes=LONG)
    people.append(attend(99, giant, EXPERTS["schmidt"].fields.role))
    return tuple(people)


def hostile_event():  # type: ignore[no-untyped-def]
    return event(title=dirty("Board ") + "=1+1 " + "T" * 300, objectives=dirty("Goals") + LONG,
                 venue=dirty("Hotel"), virtual_link=dirty("https://example.com/x"))  # fmt: skip


def hostile_report(audience: Audience = Audience.MEDICAL):  # type: ignore[no-untyped-def]
    ev = hostile_event()
    attendees = ATTENDEES + hostile_attendees()
    entries = tuple(
        entry(200 + i, dirty(text), EntryKind.INSIGHT, 10 + i, EXPERTS["kowalski"], themes=(dirty("Theme"),))
        for i, text in enumerate((*FORMULAS, LONG))
    )
    report = full_report(event=ev, attendees=attendees, entries=entries, executive_summary=dirty("Summary"),
                         payments=())  # fmt: skip
    return cut_for_audience(report, audience)


def formula_cells_escaped(values: list[str]) -> None:
    for value in values:
        assert_clean(value)
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), repr(value)


def xlsx_cells_safe(sheet) -> None:  # type: ignore[no-untyped-def]
    """No junk, no formula; text a spreadsheet would run is marked as text (Excel's hidden ')."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                assert_clean(cell.value)
                assert cell.data_type == "s"
                assert len(cell.value) <= 32_767
                if cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                    assert cell.quotePrefix, cell.value


def csv_cells(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


# ---- spreadsheets ---------------------------------------------------------------------------------


def test_attendee_csv_and_xlsx_clean_and_escape(tmp_path: Path) -> None:
    import openpyxl

    ev, attendees = hostile_event(), hostile_attendees()
    attendee_export.write_attendees_csv(ev, attendees, tmp_path / "a.csv")
    rows = csv_cells(tmp_path / "a.csv")
    formula_cells_escaped([c for row in rows for c in row])
    firsts = [row[0] for row in rows[1:]]
    assert [f"'{f}" for f in FORMULAS] == firsts[: len(FORMULAS)]
    assert rows[1][1] == "Müller1"
    assert rows[1][4] == "Charité"

    attendee_export.write_attendees_xlsx(ev, attendees, tmp_path / "a.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    xlsx_cells_safe(sheet)
    assert [sheet.cell(r, 1).value for r in range(2, 2 + len(FORMULAS))] == list(FORMULAS)
    assert sheet.cell(2, 2).value == "Müller1"


def test_insight_csv_and_xlsx_clean_and_escape(tmp_path: Path) -> None:
    import openpyxl

    report = hostile_report()
    insight_export.write_insights(report, tmp_path / "i.csv")
    rows = csv_cells(tmp_path / "i.csv")
    formula_cells_escaped([c for row in rows for c in row])
    texts = [row[5] for row in rows[1:]]
    assert all(f"'{f}" in texts for f in FORMULAS)

    insight_export.write_insights(report, tmp_path / "i.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "i.xlsx")
    for sheet in workbook:
        xlsx_cells_safe(sheet)
    assert "-1-1" in [c.value for row in workbook["Entries"].iter_rows() for c in row]


def test_open_payments_csv_clean_and_escape(tmp_path: Path) -> None:
    day = dt.date(2026, 3, 12)
    payments = [
        Payment(7, dirty("=1+1 Board"), day, a.person, dirty("Consulting Fee"), Decimal(100), "USD")
        for a in hostile_attendees()
    ]
    open_payments.write_open_payments_csv(payments, tmp_path / "p.csv", 2026)
    rows = csv_cells(tmp_path / "p.csv")
    formula_cells_escaped([c for row in rows for c in row])
    assert "'-1-1" in [row[2] for row in rows[1:]]


def test_bill_of_materials_csv_escapes_with_the_same_helper() -> None:
    items = tuple(
        assembly.AssemblyItem(
            i,
            1,
            dirty("Deck"),
            1,
            i,
            formula,
            "=code",
            None,
            None,
            DeckStatus.APPROVED,
            "x",
            override_reason="@SUM(1)",
        )
        for i, formula in enumerate(FORMULAS, start=1)
    )
    text = assembly._bom_csv(assembly.AssemblyPlan(items)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    formula_cells_escaped([c for row in rows for c in row])
    assert [row[6] for row in rows[1:]] == [f"'{f}" for f in FORMULAS]


# ---- calendar -------------------------------------------------------------------------------------


def test_ics_clean(tmp_path: Path) -> None:
    from icalendar import Calendar

    ev = hostile_event()
    assert ev.fields.starts_at is not None
    ev = dataclasses.replace(
        ev, fields=dataclasses.replace(ev.fields, ends_at=ev.fields.starts_at + dt.timedelta(hours=2))
    )
    attendees = tuple(
        attend(
            a.attendance_id,
            dataclasses.replace(
                a.person, fields=dataclasses.replace(a.person.fields, email=f"p{a.attendance_id}@example.com")
            ),
            a.fields.role,
        )
        for a in hostile_attendees()
    )
    calendar_export.write_event_ics(ev, (), attendees, tmp_path / "e.ics")
    raw = (tmp_path / "e.ics").read_bytes()
    assert_clean(raw.decode("utf-8"))
    (vevent,) = Calendar.from_ical(raw).walk("VEVENT")
    assert str(vevent["summary"]).startswith("Board =1+1 TTT")
    assert str(vevent["location"]) == "Hotel"
    assert len(vevent.get("attendee")) == len(attendees)


# ---- PDFs -----------------------------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()


@needs_poppler
def test_sign_in_sheet_with_a_3000_character_institution_and_junk(tmp_path: Path) -> None:
    wide = attend(98, person(98, "Ina", "Wide", institution="I" * 3000), EXPERTS["schmidt"].fields.role)
    attendees = (*hostile_attendees(), wide)
    pages = signin_sheet.write_sign_in_sheet(hostile_event(), attendees, tmp_path / "s.pdf")
    text = pdf_text(tmp_path / "s.pdf")
    assert pages >= 1
    assert "Müller1" in text
    assert "Wide, Ina" in text
    assert_clean(text)


@needs_poppler
def test_summary_pdf_with_a_3000_character_institution_and_junk(tmp_path: Path) -> None:
    wide = attend(98, person(98, "Ina", "Wide", institution="I" * 3000), EXPERTS["schmidt"].fields.role)
    report = hostile_report(Audience.COMPLIANCE)  # the cut with the attendance table
    report = dataclasses.replace(report, attendees=(*report.attendees, wide))
    summary_module.write_summary_pdf(report, tmp_path / "m.pdf")
    text = pdf_text(tmp_path / "m.pdf")
    assert "Müller1" in text
    assert "Wide" in text
    assert "-1-1" in text
    assert_clean(text)


# ---- decks ----------------------------------------------------------------------------------------


def test_readout_deck_cleans_text(tmp_path: Path) -> None:
    from pptx import Presentation

    from msldesk.decks.ooxml.validate import validate_package

    out = write_readout_deck(hostile_report(Audience.MEDICAL), tmp_path / "r.pptx").path
    assert validate_package(out).ok
    deck = Presentation(str(out))
    texts = [s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame]
    tables = [s.table for slide in deck.slides for s in slide.shapes if s.has_table]
    texts += [cell.text for table in tables for cell in table.iter_cells()]
    assert any("-1-1" in t for t in texts), texts[:20]
    assert any("Board =1+1" in t for t in texts), texts[:20]
    for text in texts:
        assert_clean(text)


def test_generated_deck_title_is_cut_to_255_characters(tmp_path: Path) -> None:
    from pptx import Presentation

    from msldesk.decks.generated import build_generated_deck
    from msldesk.decks.slide_specs import TitleSlide

    out = build_generated_deck([TitleSlide(dirty("R" * 300), dirty("sub"))], tmp_path / "t.pptx")
    deck = Presentation(str(out))
    assert deck.core_properties.title == "R" * 254 + "…"
    assert deck.slides[0].shapes.title.text == "R" * 300
