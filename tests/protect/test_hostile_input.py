"""Hostile text at input: control characters and XML-illegal code points are removed before they are
stored (people import, typed-in people, events, meeting notes, deck metadata, deck import), over-long
fields are refused with a plain error (per row in an import), and a mostly-UTF-8 CSV with a few
Windows-1252 rows keeps its UTF-8 names and reports those rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from msldesk.boards.records import EventFields, PersonFields
from msldesk.core.errors import InvalidInputError
from tests import library_db

JUNK = "\x00\x01\x0b\x1b\x7f\x85\ufffe\uffff"
FILE_JUNK = JUNK.replace("\x00", "")  # a NUL makes a file binary: it is refused whole


def no_junk(*values: str) -> None:
    for value in values:
        assert not set(value) & set(JUNK + "\ud800"), repr(value)


def test_people_import_cleans_cells_and_refuses_over_long_fields_per_row(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "people.csv"
    lines = [
        "First Name,Last Name,Institution,Email",
        f"An{FILE_JUNK}na,Mül\x0cler,Chari\x01té,anna@example.org",
        f"Ina,Wide,{'I' * 3000},ina@example.org",
        f"Bo,{'B' * 250},Klinik,bo@example.org",
    ]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")

    result = app.people_import.import_file(path)

    assert result.imported == 1
    (person,) = app.people.search("")
    assert (person.fields.first_name, person.fields.last_name, person.fields.institution) == (
        "Anna", "Müller", "Charité",
    )  # fmt: skip
    messages = {e.row: e.message for e in result.errors}
    assert messages == {
        3: "Row 3: institution is 3,000 characters long (the most is 500)",
        4: "Row 4: last name is 250 characters long (the most is 200)",
    }


def test_a_typed_in_person_is_cleaned_and_an_over_long_field_refused(app) -> None:  # type: ignore[no-untyped-def]
    person, _ = app.people.add(PersonFields(f"Jo{JUNK}", "Lee", notes=f"line 1\n{JUNK}line 2"))
    assert (person.fields.first_name, person.fields.notes) == ("Jo", "line 1\nline 2")
    with pytest.raises(InvalidInputError, match=r"institution is 3,000 characters long \(the most is 500\)"):
        app.people.add(PersonFields("Ina", "Wide", institution="I" * 3000))


def test_event_and_agenda_text_is_cleaned_and_over_long_text_refused(app) -> None:  # type: ignore[no-untyped-def]
    from msldesk.boards.records import AgendaItemFields

    start = dt.datetime(2027, 3, 2, 9, tzinfo=dt.UTC)
    fields = EventFields(title=f"Board{JUNK} 2027", objectives=f"Goals\n{JUNK}more", venue="Ho\x00tel",
                         starts_at=start, ends_at=start + dt.timedelta(hours=3))  # fmt: skip
    event, _ = app.events.create(fields)
    assert (event.fields.title, event.fields.objectives, event.fields.venue) == (
        "Board 2027",
        "Goals\nmore",
        "Hotel",
    )
    item, _ = app.events.add_agenda_item(event.event_id, AgendaItemFields("Wel\x1bcome", 15))
    assert item.fields.title == "Welcome"
    with pytest.raises(InvalidInputError, match="The event title is 600 characters long"):
        app.events.create(EventFields(title="T" * 600))


def test_meeting_notes_are_cleaned_and_over_long_text_refused(app) -> None:  # type: ignore[no-untyped-def]
    start = dt.datetime(2027, 3, 2, 9, tzinfo=dt.UTC)
    event, _ = app.events.create(
        EventFields(title="Board", starts_at=start, ends_at=start + dt.timedelta(hours=3))
    )
    entry, _ = app.meetings.add_entry(event.event_id, f"Dose{JUNK} matters #The\x00me")
    no_junk(entry.text, *entry.fields.themes)
    assert entry.text.startswith("Dose matters")
    app.meetings.set_executive_summary(event.event_id, f"Sum{JUNK}mary")
    assert app.meetings.executive_summary(event.event_id) == "Summary"
    with pytest.raises(InvalidInputError, match="The executive summary is 25,000 characters long"):
        app.meetings.set_executive_summary(event.event_id, "x" * 25_000)
    with pytest.raises(InvalidInputError, match="An entry is 25,000 characters long"):
        app.meetings.add_entry(event.event_id, "x" * 25_000)


def test_deck_metadata_and_imported_text_are_cleaned(app, deck_factory) -> None:  # type: ignore[no-untyped-def]
    from msldesk.decks.records import DeckUpdate

    path = deck_factory.pptx("plain.pptx", [("", "Body", "Notes")])
    (outcome,) = app.decks.import_paths([path])
    app.decks.update_deck(outcome.deck_id, DeckUpdate(title=f"Deck{JUNK} title", product="Pro\x00duct"))
    deck = app.decks.deck(outcome.deck_id)
    assert (deck.title, deck.product) == ("Deck title", "Product")
    with pytest.raises(InvalidInputError, match="The deck title is 600 characters long"):
        app.decks.update_deck(outcome.deck_id, DeckUpdate(title="T" * 600))


def test_a_deck_title_taken_from_an_odd_file_name_is_cleaned(deck_factory) -> None:  # type: ignore[no-untyped-def]
    from msldesk.decks.ooxml.package import read_deck

    path = deck_factory.pptx("untitled.pptx", [("", "Body", "Notes")])
    # Undecodable file-name bytes reach Python as lone surrogates; SQLite cannot store them.
    content = read_deck(path, file_name="Q3\x01 launch\udcff deck.pptx")
    assert content.title == "Q3 launch deck"


def test_a_mostly_utf8_csv_keeps_its_names_and_reports_the_windows_1252_rows(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "mixed.csv"
    header = b"First Name,Last Name,Email\r\n"
    utf8_rows = [("Jürgen", "Müller"), ("Łukasz", "Kowalski"), ("Søren", "Åberg"), ("Zoë", "Brontë")]
    data = header + b"".join(
        f"{first},{last},{first[0]}{i}@example.org\r\n".encode() for i, (first, last) in enumerate(utf8_rows)
    )
    data += "José,Peña,jose@example.org\r\n".encode("cp1252")  # row 6
    data += "Renée,Faß,renee@example.org\r\n".encode("cp1252")  # row 7
    path.write_bytes(data)

    preview = app.people_import.preview(path)
    result = app.people_import.apply(preview)

    names = sorted((p.fields.first_name, p.fields.last_name) for p in app.people.search(""))
    assert names == sorted([*utf8_rows, ("José", "Peña"), ("Renée", "Faß")])
    assert preview.encoding == "utf-8"
    assert preview.warnings == (
        "Rows 6 and 7 are not UTF-8 like the rest of the file; read as Windows-1252 (Western European). "
        "Check the names in those rows.",
    )
    assert result.warnings == preview.warnings


def test_an_export_to_a_file_name_with_undecodable_bytes_is_written_and_audited(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os

    start = dt.datetime(2027, 3, 2, 9, tzinfo=dt.UTC)
    event, _ = app.events.create(
        EventFields(title="Board", starts_at=start, ends_at=start + dt.timedelta(hours=3))
    )
    # A byte that is not UTF-8 in a file name reaches Python as a lone surrogate (\udcff).
    out = tmp_path / os.fsdecode(b"list \xff.csv")
    app.outputs.attendees(event.event_id, out)
    app.outputs.payments(2027, tmp_path / os.fsdecode(b"payments \xff.csv"))
    assert out.exists()
    files = [str(e.after.get("file", "")) for e in app.audit.recent() if e.action.startswith("export.")]
    # Stored with the byte written as an escape: still tells one path from another.
    assert any(f.endswith("list \\xff.csv") for f in files)
    assert any(f.endswith("payments \\xff.csv") for f in files)


def test_a_deck_built_under_a_file_name_with_undecodable_bytes_is_written_and_recorded(
    app, deck_factory, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The file keeps its real name; the title taken from it and the recorded path are text SQLite can
    store, and the command line's --json stays UTF-8 (the recording crashed with UnicodeEncodeError)."""
    import json
    import os

    from tests.cli.test_cli import msldesk_in_process

    deck = deck_factory.pptx("source.pptx", [("Alpha", "body", "")])
    list(app.decks.import_paths([deck]))
    slide_id = app.decks.list_slides(app.decks.list_decks()[0].deck_id)[0].slide_id
    out = tmp_path / os.fsdecode(b"board \xff.pptx")
    result = app.assembly.compose([slide_id], out)
    assert out.exists()
    assert result.title == "board \ufffd"
    root = app.paths.root
    app.close()
    cli_out = tmp_path / os.fsdecode(b"cli \xfe.pptx")
    done = msldesk_in_process(
        root, "compose", str(slide_id), "--out", str(cli_out), "--cover", "Sub", "--json", check_exit=0
    )
    report = json.loads(done.stdout.encode("utf-8"))
    assert cli_out.exists()
    assert report["slides"] == 3
    with library_db.connect(root / "library.sqlite3") as db:
        rows = db.execute("SELECT title, output_path FROM assemblies ORDER BY id").fetchall()
    assert [r[0] for r in rows] == ["board \ufffd", "cli \ufffd"]
    assert rows[0][1].endswith("board \\xff.pptx")
    assert rows[1][1].endswith("cli \\xfe.pptx")
