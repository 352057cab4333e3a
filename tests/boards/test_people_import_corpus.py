"""Every real people file in the corpus goes through the whole import (read, map, validate, match,
write) and is either imported or refused with a reason; exports read back as the same people."""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from msldesk.boards.records import AttendanceFields, AttendeeRole, EventFields, Invitation, PersonFields
from msldesk.core.errors import FileRefusedError, MsldeskError

EMAIL = re.compile(rb"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def manifest(corpus_dir: Path) -> list[dict[str, str]]:
    folder = corpus_dir / "people"
    if not (folder / "MANIFEST.tsv").is_file():
        pytest.skip(f"no people corpus at {folder}")
    with (folder / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def raw_text(path: Path) -> str:
    """The file's text for independent checks: any encoding, case folded, whitespace squashed."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "utf-16", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeError:
            continue
        if "\x00" not in text:
            return " ".join(text.casefold().split())
    return ""


def test_every_corpus_file_imports_or_is_refused_with_a_reason(corpus_dir: Path, tmp_path: Path) -> None:
    from msldesk.app.services import App

    entries = manifest(corpus_dir)
    assert len(entries) >= 50
    imported_kinds: dict[str, int] = {}
    for number, entry in enumerate(entries):
        path = corpus_dir / "people" / entry["file"]
        app = App(tmp_path / f"lib{number}", today=dt.date(2026, 11, 22))
        try:
            try:
                preview = app.people_import.preview(path)
            except FileRefusedError as error:
                refused: FileRefusedError | None = error
            else:
                refused = None
            if refused is not None:
                assert len(refused.user_message) > 20, entry["file"]
                assert app.people.count() == 0
                continue
            result = app.people_import.apply(preview)
            rows = len(preview.rows) + len(preview.errors)
            assert rows > 0, entry["file"]
            assert result.imported + result.updated + result.duplicates == len(preview.rows), entry["file"]
            assert app.people.count() == result.imported, entry["file"]
            for error in result.errors:
                assert error.row >= 1, entry["file"]
                assert error.message, entry["file"]
            # Independent check: every stored email is written somewhere in the file itself.
            text = raw_text(path)
            for person in app.people.search(limit=10_000):
                if person.fields.email and text:
                    assert person.fields.email.casefold() in text, (entry["file"], person.fields.email)
                assert person.display_name
            imported_kinds[entry["kind"]] = imported_kinds.get(entry["kind"], 0) + result.imported
            # Importing the same file again adds nobody.
            again = app.people_import.import_file(path)
            assert again.imported == 0, entry["file"]
            # ... and accounts for every row: updated, unchanged, repeated or refused.
            accounted = again.updated + again.unchanged + again.duplicates + len(again.errors)
            assert accounted == rows, entry["file"]
            assert app.people.count() == result.imported, entry["file"]
        finally:
            app.close()
    # Each kind of source a board manager meets gives people (ics may be partly refused: many
    # calendars list no attendees).
    for kind in ("registrants", "contacts-csv", "vcard", "npi", "ics", "teams-attendance", "zoom-report",
                 "open-payments"):  # fmt: skip
        assert imported_kinds.get(kind, 0) > 0, kind


def test_registrant_list_imports_every_named_row(corpus_dir: Path, app) -> None:  # type: ignore[no-untyped-def]
    entries = [e for e in manifest(corpus_dir) if e["file"].startswith("openslides-5898e5f")]
    if not entries:
        pytest.skip("the large OpenSlides list is not in this corpus")
    path = corpus_dir / "people" / entries[0]["file"]
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter=";") if any(c.strip() for c in r)]
    result = app.people_import.import_file(path)
    assert result.imported + result.duplicates + len(result.errors) == len(rows) - 1


def test_teams_report_marks_attendance_on_an_event(corpus_dir: Path, app) -> None:  # type: ignore[no-untyped-def]
    entries = [e for e in manifest(corpus_dir) if e["kind"] == "teams-attendance"]
    if not entries:
        pytest.skip("no Teams report in this corpus")
    path = corpus_dir / "people" / entries[0]["file"]
    event, _ = app.events.create(EventFields(title="Team meeting", timezone="Europe/Brussels"))
    result = app.people_import.import_file(path, event_id=event.event_id)
    assert result.attendees_added == result.imported > 0
    assert result.attendance_marked >= 1
    minutes = [a.fields.attended_minutes for a in app.events.attendees(event.event_id)]
    assert any(m and m > 0 for m in minutes)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_exported_attendee_list_imports_as_the_same_people(app, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    from msldesk.app.services import App
    from msldesk.boards.outputs.attendee_lists import write_attendees_csv, write_attendees_xlsx

    people = [
        PersonFields("Jürgen", "Müller", "MD, PhD", "Oncology", "Charité – Universitätsmedizin", "Berlin", "",
                     "Germany", "j.mueller@example.de", "+49 30 450 50", "", "1", "", True),
        PersonFields("Wei", "Chen", "MD", "Cardiology", "Mayo Clinic", "Rochester", "MN", "US",
                     "wei.chen@example.org", "+1 507 555 0100", "1234567893", "2", "", None),
        PersonFields("山田", "太郎", "", "Pulmonology", "東京大学病院", "Tokyo", "", "Japan",
                     "yamada@example.jp", "", "", "", "", None),
        PersonFields("Ann", "O'Neil, Jr.", "", "", "=HYPERLINK(\"x\")", "", "", "", "ann@example.com",
                     "", "", "", "", None),
    ]  # fmt: skip
    event, _ = app.events.create(
        EventFields(title="Round trip board", timezone="Europe/Berlin",
                    starts_at=dt.datetime(2027, 3, 2, 9, tzinfo=ZoneInfo("Europe/Berlin")),
                    ends_at=dt.datetime(2027, 3, 2, 12, tzinfo=ZoneInfo("Europe/Berlin")))
    )  # fmt: skip
    for person in people:
        stored, _ = app.people.add(person)
        app.events.add_attendee(
            event.event_id, stored.person_id,
            AttendanceFields(
                role=AttendeeRole.ADVISOR, invitation=Invitation.ACCEPTED, honorarium_hours=Decimal(2)
            ),
        )  # fmt: skip
    out = tmp_path / f"attendees{suffix}"
    writer = write_attendees_xlsx if suffix == ".xlsx" else write_attendees_csv
    writer(app.events.get(event.event_id), app.events.attendees(event.event_id), out)

    fresh = App(tmp_path / "fresh", today=dt.date(2026, 11, 22))
    try:
        result = fresh.people_import.import_file(out)
        assert (result.imported, result.errors) == (len(people), ())
        exported = {p.fields.email: p.fields for p in app.people.search(limit=100)}
        for person in fresh.people.search(limit=100):
            original = exported[person.fields.email]
            for name in ("first_name", "last_name", "credentials", "specialty", "institution", "city",
                         "state", "country", "email", "phone", "npi", "tier"):  # fmt: skip
                assert getattr(person.fields, name) == getattr(original, name), (name, person.fields)
    finally:
        fresh.close()


def test_registry_files_give_names_as_people_write_them(corpus_dir: Path, app) -> None:  # type: ignore[no-untyped-def]
    """NPPES and Open Payments publish names and cities in capitals; the directory holds "John Adams"."""
    registry_files = [e["file"] for e in manifest(corpus_dir) if e["kind"] in ("npi", "open-payments")]
    if not registry_files:
        pytest.skip("no NPPES or Open Payments file in this corpus")
    imported = 0
    for name in registry_files:
        try:
            imported += app.people_import.import_file(corpus_dir / "people" / name).imported
        except MsldeskError:
            continue  # refusals are covered by the every-file test
    people = app.people.search(limit=10_000)
    assert imported > 0
    assert len(people) >= imported
    shouting = [p.display_name for p in people if p.fields.last_name.isupper() and p.fields.last_name[2:]]
    assert shouting == [], "names from registries are re-cased"
    assert [p.fields.city for p in people if p.fields.city.isupper() and len(p.fields.city) > 3] == []
