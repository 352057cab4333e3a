"""Privacy requests: everything held about one person exported, and a person erased (the payment
record the law requires kept), checked in the raw SQLite rows, the audit trail and the exports."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import stat
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from msldesk.boards.meeting.service import with_fields
from msldesk.boards.records import (
    AgendaItemFields,
    AttendanceFields,
    AttendeeRole,
    EventFields,
    EventKind,
    Invitation,
    PersonFields,
)
from msldesk.core.errors import InvalidInputError, NotFoundError
from msldesk.decks.assembly import AssemblyResult, DeckRequest, DeckSnapshot

BERLIN = ZoneInfo("Europe/Berlin")
EMAIL = "ana.souza@example.org"
PHONE = "+351 912 345 678"
INSTITUTION = "Hospital Sao Joao"
SECRET_WORDS = ("Souza", EMAIL, PHONE, INSTITUTION, "remember her daughter")


def _event(app, title: str, start: dt.datetime, **kw: Any) -> int:  # type: ignore[no-untyped-def]
    fields = EventFields(
        kind=EventKind.ADVISORY_BOARD, title=title, starts_at=start, ends_at=start + dt.timedelta(hours=3),
        timezone="Europe/Berlin", **kw,
    )  # fmt: skip
    return app.events.create(fields)[0].event_id


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    """Ana Souza, paid on a 2026 board (she presented, spoke, owns an action, is named in notes that
    were finalized and amended), invited unpaid to a 2027 board (named in its objectives and draft),
    and named in full in a third meeting she had nothing to do with, where another Ana also appears."""
    ana = app.people.add(
        PersonFields(
            "Ana", "Souza", credentials="MD", specialty="Nephrology", institution=INSTITUTION, city="Porto",
            country="Portugal", email=EMAIL, phone=PHONE, npi="1234567893", tier="1",
            notes="Prefers morning calls; remember her daughter's name", consent_to_contact=True,
        )
    )[0].person_id  # fmt: skip
    ben = app.people.add(PersonFields("Ben", "Okafor", credentials="MD", email="ben@example.org"))[
        0
    ].person_id

    paid = _event(app, "Renal board 2026", dt.datetime(2026, 3, 10, 9, tzinfo=BERLIN))
    unpaid = _event(
        app, "Renal board 2027", dt.datetime(2027, 2, 1, 9, tzinfo=BERLIN), objectives="Hear Dr. Souza first"
    )
    other = _event(app, "Cardiology board", dt.datetime(2026, 5, 5, 9, tzinfo=BERLIN))

    paid_place = app.events.add_attendee(
        paid, ana, AttendanceFields(role=AttendeeRole.CHAIR, invitation=Invitation.ACCEPTED,
                                    honorarium_amount=Decimal("1500"), travel_amount=Decimal("220.50"),
                                    contract_signed=True),
    )[0].attendance_id  # fmt: skip
    app.events.check_in(paid_place, dt.datetime(2026, 3, 10, 8, 55, tzinfo=dt.UTC))
    app.events.add_attendee(paid, ben, AttendanceFields(invitation=Invitation.ACCEPTED))
    unpaid_place = app.events.add_attendee(unpaid, ana, AttendanceFields(invitation=Invitation.INVITED))[
        0
    ].attendance_id
    item = app.events.add_agenda_item(
        paid, AgendaItemFields(title="Welcome and dosing cases", minutes=30, presenter_id=ana)
    )[0].item_id

    said = app.meetings.add_entry(paid, "Dosing must follow eGFR", speaker_id=ana, agenda_item_id=item)[0]
    agreed = app.meetings.add_entry(paid, "Agree with Souza on sequencing", speaker_id=ben)[0]
    action = app.meetings.add_entry(paid, "> Send the registry protocol")[0]
    app.meetings.update_entry(action.entry_id, with_fields(action, owner_id=ana, owner="Ana Souza"))
    plain = app.meetings.add_entry(paid, "Budget impact unclear", speaker_id=ben)[0]
    app.meetings.set_executive_summary(paid, "Ana Souza led the dosing discussion.")
    app.meetings.finalize(paid)
    app.meetings.amend_entry(agreed.entry_id, "Agree with Dr Souza on sequencing", "Ana Souza asked")

    app.meetings.save_draft(unpaid, "Ana to send slides before the meeting")
    cited = app.meetings.add_entry(other, "Ana Souza's trial was cited", speaker_id=ben)[0]
    finance = app.meetings.add_entry(other, "Ana from finance will send the budget")[0]
    return {
        "ana": ana, "ben": ben, "paid": paid, "unpaid": unpaid, "other": other, "paid_place": paid_place,
        "unpaid_place": unpaid_place, "item": item, "said": said.entry_id, "agreed": agreed.entry_id,
        "action": action.entry_id, "plain": plain.entry_id, "cited": cited.entry_id,
        "finance": finance.entry_id,
    }  # fmt: skip


def _raw_hits(app, words: tuple[str, ...]) -> list[tuple[str, int, str, str]]:  # type: ignore[no-untyped-def]
    """(table, rowid, column, word) for every stored value holding one of `words` (any case, with or
    without accents): plain SQL on the database driver, below msldesk, over every table (FTS shadow
    tables included)."""
    hits = []
    with app.engine.connect() as connection:
        tables = [
            r[0] for r in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            without_rowid = connection.exec_driver_sql(
                "SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE name = ?", (table,)
            ).scalar()
            result = connection.exec_driver_sql(
                f'SELECT {"0" if without_rowid else "rowid"}, * FROM "{table}"'
            )
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns[1:], row[1:], strict=True):
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    if not isinstance(value, str):
                        continue
                    for word in words:
                        if _folded(word) in _folded(value):
                            hits.append((table, row[0], column, word))
    return hits


def _folded(text: str) -> str:
    """Case, accents and compatibility forms dropped, written here so the test does not trust msldesk."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# ------------------------------------------------------------------------------------------ export


def test_export_holds_everything_about_the_person(app, world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    expected = app.privacy.export_person(world["ana"])
    out = app.privacy.write_person_export(world["ana"], tmp_path / "ana.json")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data == expected | {"exported_at": data["exported_at"]}  # the file holds what the call returns

    person = data["person"]
    assert (person["first_name"], person["last_name"], person["email"], person["phone"]) == (
        "Ana", "Souza", EMAIL, PHONE,
    )  # fmt: skip
    assert person["institution"] == INSTITUTION
    assert person["npi"] == "1234567893"
    assert person["tier"] == "1"
    assert person["notes"].startswith("Prefers morning calls")
    assert person["consent_to_contact"] is True

    places = {a["event"]["title"]: a for a in data["attendance"]}
    assert set(places) == {"Renal board 2026", "Renal board 2027"}
    board = places["Renal board 2026"]
    assert (board["role"], board["invitation"], board["contract_signed"]) == ("chair", "accepted", True)
    assert (board["honorarium_amount"], board["travel_amount"], board["currency"]) == (
        "1500.00",
        "220.50",
        "USD",
    )
    assert board["checked_in_at"] == "2026-03-10T08:55:00+00:00", "an instant, with its offset"
    assert board["event"]["starts_at"] == "2026-03-10T09:00:00+01:00"
    assert places["Renal board 2027"]["invitation"] == "invited"

    assert sorted((p["nature"], p["amount"], p["date"]) for p in data["payments"]) == [
        ("Consulting Fee", "1500.00", "2026-03-10"), ("Travel and Lodging", "220.50", "2026-03-10"),
    ]  # fmt: skip
    assert [i["title"] for i in data["agenda_items_presented"]] == ["Welcome and dosing cases"]

    notes = {n["entry_id"]: n for n in data["note_entries"]}
    assert notes[world["said"]]["why"] == ["speaker"]
    assert notes[world["action"]]["why"] == ["owner", "named"]
    assert notes[world["agreed"]]["why"] == ["named"]
    assert notes[world["agreed"]]["amendments"][0]["text"] == "Agree with Dr Souza on sequencing"
    assert notes[world["cited"]]["why"] == ["named"]
    assert notes[world["cited"]]["event"]["title"] == "Cardiology board"
    assert world["plain"] not in notes
    assert world["finance"] not in notes  # another Ana, another meeting
    assert [d["text"] for d in data["note_drafts"]] == ["Ana to send slides before the meeting"]
    assert [s["executive_summary"] for s in data["executive_summaries"]] == [
        "Ana Souza led the dosing discussion."
    ]

    actions = [(r["action"], r["entity_id"]) for r in data["audit_records"]]
    assert ("attendance.add", str(world["paid_place"])) in actions
    assert ("attendance.check_in", str(world["paid_place"])) in actions
    assert ("attendance.add", str(world["unpaid_place"])) in actions
    assert ("note.amend", str(world["agreed"])) in actions
    assert all(
        r["action"] != "attendance.add" or r["after"]["person_id"] == world["ana"]
        for r in data["audit_records"]
    )
    assert app.audit.history("person", world["ana"])[-1].action == "export.person_data"


def test_export_refuses_unknown_person_and_wrong_suffix(app, world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError):
        app.privacy.export_person(9999)
    with pytest.raises(InvalidInputError, match=r"\.json"):
        app.privacy.write_person_export(world["ana"], tmp_path / "ana.txt")
    assert not (tmp_path / "ana.txt").exists()


# ------------------------------------------------------------------------------------------ erasure


def test_erasure_keeps_only_the_payment_record(app, world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    last_before = app.audit.recent(1)[0].record_id
    plan = app.privacy.erasure_plan(world["ana"])
    assert plan.attendance_kept == (world["paid_place"],)
    assert plan.attendance_removed == (world["unpaid_place"],)
    assert plan.finalized_events == (world["paid"],)
    assert set(plan.note_entries) == {world["said"], world["agreed"], world["action"], world["cited"]}

    done, changes = app.privacy.erase_person(world["ana"], "Ana Souza asked by email on 2026-11-20")
    assert done == plan
    assert changes.people
    assert changes.events
    assert changes.notes

    # The directory entry: what an Open Payments row needs, nothing else.
    person = app.people.get(world["ana"]).fields
    assert (person.first_name, person.last_name, person.npi, person.credentials) == (
        "Ana",
        "Souza",
        "1234567893",
        "MD",
    )
    assert (person.specialty, person.city, person.country) == ("Nephrology", "Porto", "Portugal")
    assert (person.email, person.phone, person.institution, person.tier) == ("", "", "", "")
    assert person.consent_to_contact is None
    assert "kept only for transfer-of-value reporting" in person.notes

    # The payment is still reported, and the year's Open Payments file still has it.
    paid = [p for p in app.events.payments(2026) if p.person.person_id == world["ana"]]
    assert sorted((p.nature, p.amount) for p in paid) == [
        ("Consulting Fee", Decimal("1500.00")), ("Travel and Lodging", Decimal("220.50")),
    ]  # fmt: skip
    assert app.outputs.payments(2026, tmp_path / "op.csv") == 2
    with (tmp_path / "op.csv").open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Covered_Recipient_Last_Name"] == "Souza"]
    assert [(r["Covered_Recipient_NPI"], r["Total_Amount_of_Payment_USDollars"]) for r in rows] == [
        ("1234567893", "1500.00"), ("1234567893", "220.50"),
    ]  # fmt: skip

    # Attendance: the paid place kept without presence data, the unpaid one gone.
    (kept,) = [a for a in app.events.attendees(world["paid"]) if a.person.person_id == world["ana"]]
    assert kept.fields.checked_in_at is None
    assert kept.fields.honorarium_amount == Decimal("1500.00")
    assert all(a.person.person_id != world["ana"] for a in app.events.attendees(world["unpaid"]))

    # Links cleared and names replaced, finalized notes included.
    (item,) = app.events.agenda(world["paid"])
    assert item.fields.presenter_id is None
    assert item.presenter_name == ""
    said = app.meetings.entry(world["said"])
    assert said.fields.speaker_id is None
    assert said.fields.text == "Dosing must follow eGFR"
    agreed = app.meetings.entry(world["agreed"])
    assert agreed.fields.text == "Agree with [Erased person] on sequencing"
    assert agreed.fields.speaker_id == world["ben"]
    assert (agreed.amendments[0].text, agreed.amendments[0].reason) == (
        "Agree with [Erased person] on sequencing", "[Erased person] asked",
    )  # fmt: skip
    action = app.meetings.entry(world["action"])
    assert action.fields.owner_id is None
    assert action.owner_name == "[Erased person]"
    assert app.meetings.executive_summary(world["paid"]) == "[Erased person] led the dosing discussion."
    assert app.meetings.draft(world["unpaid"]).text == "[Erased person] to send slides before the meeting"
    assert app.events.get(world["unpaid"]).fields.objectives == "Hear [Erased person] first"
    assert app.meetings.entry(world["cited"]).fields.text == "[Erased person]'s trial was cited"
    assert app.meetings.entry(world["finance"]).fields.text == "Ana from finance will send the budget"

    # The search index follows the directory entry.
    assert app.people.search(EMAIL) == []
    assert app.people.search(INSTITUTION) == []
    assert [p.person_id for p in app.people.search("Souza")] == [world["ana"]]

    # Raw rows: the email, phone, institution and private notes are nowhere; the name only where the
    # payment record needs it (the directory row and its index). Audit records written before the
    # erasure had it in their content (a note amendment records its text): it was blanked there too.
    hits = _raw_hits(app, SECRET_WORDS)
    assert {h[3] for h in hits} == {"Souza"}
    for table, rowid, column, _word in hits:
        assert table == "people" or table.startswith("people_fts"), (table, rowid, column)
        if table == "people":
            assert rowid == world["ana"]
            assert column in ("first_name", "last_name")
    blanked = {r.action for r in app.audit.recent(1000) if r.redacted and r.record_id <= last_before}
    assert blanked == {"note.amend", "event.create"}
    redaction = next(r for r in app.audit.recent(1000) if r.action == "audit.redact")
    assert redaction.after["records"]
    assert "Souza" not in json.dumps(redaction.after)

    # The erasure is audited without the erased data, and the chain still verifies.
    assert app.audit.verify().ok
    record = app.audit.history("person", world["ana"])[-1]
    assert record.action == "person.erase"
    assert record.actor
    assert record.after["reason"] == "[Erased person] asked by email on 2026-11-20"
    assert record.after["kept_for_payments"] is True
    assert record.after["attendance_removed"] == [world["unpaid_place"]]
    assert "Souza" not in json.dumps([record.before, record.after])
    (notes_record,) = [r for r in app.audit.history("event", world["paid"]) if r.action == "notes.erasure"]
    assert set(notes_record.after["entries"]) == {world["said"], world["agreed"], world["action"]}
    assert app.audit.history("attendance", world["unpaid_place"])[-1].action == "attendance.erase"


def test_erasure_without_payments_leaves_no_trace(app, world) -> None:  # type: ignore[no-untyped-def]
    """Ben was never paid: after erasure neither his name nor his email is stored anywhere."""
    ben = world["ben"]
    app.meetings.add_entry(world["other"], "Ben Okafor: ben@example.org for the slides")
    _plan, _ = app.privacy.erase_person(ben, "request of 2026-11-21")
    assert app.people.get(ben).display_name == f"Erased person {ben}"
    assert app.people.get(ben).fields == PersonFields(last_name=f"Erased person {ben}")
    assert all(a.person.person_id != ben for a in app.events.attendees(world["paid"]))
    assert app.meetings.entry(world["agreed"]).fields.speaker_id is None
    assert app.people.search("Okafor") == []
    assert app.people.search("ben@example.org") == []

    assert _raw_hits(app, ("Okafor", "ben@example.org")) == []
    app.close()  # then the file itself, write-ahead log included, holds no copy either
    for path in app.paths.database.parent.glob(app.paths.database.name + "*"):
        data = path.read_bytes()
        assert b"ben@example.org" not in data, path.name
        assert b"Okafor" not in data, path.name
    assert app.privacy.erasure_plan(world["ana"]).attendance_kept  # Ana is untouched


def test_erasure_needs_a_reason_and_a_person(app, world) -> None:  # type: ignore[no-untyped-def]
    before = app.people.get(world["ana"])
    with pytest.raises(InvalidInputError, match="why"):
        app.privacy.erase_person(world["ana"], "   ")
    with pytest.raises(NotFoundError):
        app.privacy.erase_person(9999, "request")
    assert app.people.get(world["ana"]) == before


def test_erasure_is_all_or_nothing(app, world, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def fail(*_args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr("msldesk.boards.privacy.service.erase_directory_entry", fail)

    def held() -> dict[str, Any]:
        return {k: v for k, v in app.privacy.export_person(world["ana"]).items() if k != "exported_at"}

    before = held()
    with pytest.raises(RuntimeError):
        app.privacy.erase_person(world["ana"], "request")
    assert held() == before
    assert app.audit.verify().ok


# ------------------------------------------------------------------------------------------ CLI


def test_command_line_export_and_erase(
    app, world, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    from msldesk.cli.main import main

    root = str(app.paths.root)
    app.close()
    ana = str(world["ana"])
    out = tmp_path / "ana.json"
    assert main(["--data-dir", root, "people", "export-data", ana, "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["person"]["email"] == EMAIL
    assert str(out) in capsys.readouterr().out

    assert main(["--data-dir", root, "people", "erase", ana, "--reason", "request"]) == 2
    captured = capsys.readouterr()
    assert "cannot be undone" in captured.err
    assert "--yes" in captured.err
    assert "1 attendance record kept for payment reporting" in captured.out
    assert json.loads(out.read_text(encoding="utf-8"))["person"]["email"] == EMAIL

    assert main(["--data-dir", root, "people", "erase", ana, "--yes"]) == 2  # no reason
    assert "--reason" in capsys.readouterr().err

    assert main(["--data-dir", root, "people", "erase", ana, "--reason", "request", "--yes"]) == 0
    assert "Erased person " + ana in capsys.readouterr().out
    assert main(["--data-dir", root, "people", "export-data", ana, "--out", str(out)]) == 2  # kept
    assert "already exists" in capsys.readouterr().err
    assert json.loads(out.read_text(encoding="utf-8"))["person"]["email"] == EMAIL
    assert main(["--data-dir", root, "people", "export-data", ana, "--out", str(out), "--overwrite"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["person"]["email"] == ""


# ------------------------------------------------------------------------- erasure is complete

JOSE = ("José", "Müller-Ñúñez", "jose.mn@example.org")
LI = ("小龙", "李", "xiaolong@example.cn")
# Every trace of the two, folded: none may be left anywhere in the database after their erasure.
TRACES = ("muller", "nunez", "李小龙", "小龙", JOSE[2], LI[2])


@pytest.fixture
def spelled(app, tmp_path: Path):  # type: ignore[no-untyped-def]
    """José Müller-Ñúñez and 李小龙 (neither paid), written every way free text may hold them."""
    jose = app.people.add(PersonFields(JOSE[0], JOSE[1], email=JOSE[2]))[0].person_id
    li = app.people.add(PersonFields(LI[0], LI[1], email=LI[2]))[0].person_id
    ben = app.people.add(PersonFields("Ben", "Okafor", notes="Colleague of JOSE MULLER-NUNEZ"))[0].person_id
    start = dt.datetime(2026, 3, 10, 9, tzinfo=BERLIN)
    linked = _event(
        app, "Advisory board with JOSE MULLER-NUNEZ", start, objectives="Hear josé müller-ñúñez first",
        venue="Dr. Müller-Ñúñez's clinic",
    )  # fmt: skip
    app.events.add_attendee(linked, jose, AttendanceFields(invitation=Invitation.INVITED))
    app.events.add_attendee(linked, ben, AttendanceFields(invitation=Invitation.INVITED))
    other = _event(app, "李小龙顾问会议", start + dt.timedelta(days=7), objectives="听李小龙的意见")
    # A note typed on a Mac arrives decomposed (NFD): the accents are characters of their own.
    app.meetings.add_entry(other, unicodedata.normalize("NFD", "Ask José Müller-Ñúñez about dosing"))
    app.meetings.add_entry(other, "李小龙说剂量需要调整")
    app.meetings.add_entry(linked, "Ben agreed with muller-nunez")
    app.meetings.save_draft(other, "MÜLLER-ÑÚÑEZ, JOSÉ to send slides")
    app.meetings.set_executive_summary(other, "José Müller\u2011Ñúñez led; 李小龙 agreed.")
    # Exports recorded in the audit trail, named after them.
    app.outputs.attendees(linked, tmp_path / "JOSE MULLER-NUNEZ attendees.csv")
    app.privacy.write_person_export(jose, tmp_path / unicodedata.normalize("NFD", "josé müller-ñúñez.json"))
    app.outputs.attendees(other, tmp_path / "李小龙 attendees.csv")
    # A deck built for the board: its title and file name are recorded.
    deck = tmp_path / "Müller-Ñúñez briefing.pptx"
    app.assembly.record(
        DeckSnapshot(DeckRequest(()), app.assembly.plan([]), tmp_path),
        AssemblyResult(deck, tmp_path / "bom.csv", 0, (), (), "Briefing: JOSE MULLER-NUNEZ"),
    )
    app.assembly.save_collection("Slides for Dr. Müller-Ñúñez", [])
    # A collection named after them, deleted while an agenda linked it: the agenda item's note names it.
    app.assembly.save_collection("Müller-Ñúñez picks", [])
    picks = app.assembly.collection("Müller-Ñúñez picks").collection_id
    app.events.add_agenda_item(other, AgendaItemFields("Reading", 10, collection_ids=(picks,)))
    app.assembly.delete_collection("Müller-Ñúñez picks")
    assert len(_raw_hits(app, TRACES)) > 20  # everywhere, before
    return {"jose": jose, "li": li, "ben": ben, "linked": linked, "other": other}


def test_erasure_finds_every_spelling_of_the_name_everywhere(app, spelled) -> None:  # type: ignore[no-untyped-def]
    app.privacy.erase_person(spelled["jose"], "JOSÉ MÜLLER-ÑÚÑEZ asked on 2026-11-20")
    app.privacy.erase_person(spelled["li"], "request of 2026-11-21")

    assert _raw_hits(app, TRACES) == []  # every table and column, audit content and file names too
    assert app.events.get(spelled["linked"]).fields.title == "Advisory board with [Erased person]"
    assert app.events.get(spelled["linked"]).fields.venue == "[Erased person]'s clinic"
    assert app.events.get(spelled["other"]).fields.title == "[Erased person]顾问会议"
    assert app.meetings.draft(spelled["other"]).text == "[Erased person] to send slides"
    assert app.meetings.executive_summary(spelled["other"]) == "[Erased person] led; [Erased person] agreed."
    assert app.people.get(spelled["ben"]).fields.notes == "Colleague of [Erased person]"
    assert [c.name for c in app.assembly.collections()] == ["Slides for [Erased person]"]
    (reading,) = app.events.agenda(spelled["other"])
    assert reading.note.startswith("The collection “[Erased person] picks” was deleted on ")
    files = [r.after["file"] for r in app.audit.recent(1000) if r.action.startswith("export.")]
    assert files
    assert all("[Erased person]" in f for f in files)
    assert app.audit.verify().ok


def _ledger_is_private_and_nameless(app) -> None:  # type: ignore[no-untyped-def]
    ledger = app.paths.erasures
    assert stat.S_IMODE(os.stat(ledger).st_mode) == 0o600
    held = _folded(ledger.read_text(encoding="utf-8"))
    assert not any(_folded(t) in held for t in (*TRACES, "jose", "李"))


def test_restoring_an_older_backup_erases_them_again(app, spelled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = app.backups.create(tmp_path / "before.msldesk-backup")
    app.privacy.erase_person(spelled["jose"], "request of 2026-11-20")
    app.privacy.erase_person(spelled["li"], "request of 2026-11-21")
    _ledger_is_private_and_nameless(app)

    result = app.backups.restore(before.path)
    assert result.erasures_reapplied == 2
    assert result.erasure_note.startswith("2 erasures made since this backup were applied again")
    assert _raw_hits(app, TRACES) == []
    assert app.people.get(spelled["jose"]).display_name == f"Erased person {spelled['jose']}"
    assert app.audit.verify().ok

    # The library as it was before the restore already held the erasures: nothing to make again.
    assert result.safety_backup is not None
    assert app.backups.restore(result.safety_backup).erasures_reapplied == 0


def test_restoring_a_backup_from_before_the_person_was_added_still_erases_their_name(
    app, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The backup never had their directory entry, only notes naming them: the ledger's digests find
    the name in its text without the ledger holding the name."""
    event = _event(app, "Cardiology board", dt.datetime(2026, 5, 5, 9, tzinfo=BERLIN))
    app.meetings.add_entry(event, "Call Jose Muller-Nunez next week")
    before = app.backups.create(tmp_path / "before.msldesk-backup")
    jose = app.people.add(PersonFields(JOSE[0], JOSE[1], email=JOSE[2]))[0].person_id
    app.privacy.erase_person(jose, "request")

    result = app.backups.restore(before.path, safety_backup=False)
    assert result.erasures_reapplied == 1
    assert _raw_hits(app, TRACES) == []
    assert [e.fields.text for e in app.meetings.entries(event)] == ["Call [Erased person] next week"]


def test_command_line_restore_says_erasures_were_made_again(
    app, spelled, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    from msldesk.cli.main import main

    before = app.backups.create(tmp_path / "before.msldesk-backup")
    app.privacy.erase_person(spelled["jose"], "request")
    root = str(app.paths.root)
    app.close()
    assert main(["--data-dir", root, "restore", str(before.path)]) == 0
    assert "1 erasure made since this backup was applied again" in capsys.readouterr().out
    assert main(["--data-dir", root, "restore", str(before.path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["erasures_reapplied"] == 1


def test_a_damaged_erasure_list_refuses_the_erasure_and_changes_nothing(app, spelled) -> None:  # type: ignore[no-untyped-def]
    from msldesk.boards.erasures import ErasureLedgerError

    app.paths.erasures.write_text("{not json", encoding="utf-8")
    with pytest.raises(ErasureLedgerError, match="damaged"):
        app.privacy.erase_person(spelled["jose"], "request")
    assert app.people.get(spelled["jose"]).fields.last_name == JOSE[1]
    assert app.paths.erasures.read_text(encoding="utf-8") == "{not json"


def test_a_damaged_erasure_list_at_start_is_not_told_as_a_restore(app, spelled) -> None:  # type: ignore[no-untyped-def]
    """The start checks the list too (a restore may have been cut short); when no restore was made,
    the message must not say one was."""
    from msldesk.app.services import App
    from msldesk.boards.erasures import ErasureLedgerError

    app.privacy.erase_person(spelled["jose"], "request")
    app.close()
    app.paths.erasures.write_text("{not json", encoding="utf-8")
    with pytest.raises(ErasureLedgerError, match=r"erasures\.json is damaged") as raised:
        App(app.paths.root)
    assert "restored" not in raised.value.user_message
    assert app.paths.erasures.read_text(encoding="utf-8") == "{not json"


def test_a_restore_cut_short_before_the_erasures_makes_them_at_the_next_start(
    app, spelled, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from msldesk.app.services import App

    before = app.backups.create(tmp_path / "before.msldesk-backup")
    app.privacy.erase_person(spelled["jose"], "request")

    def power_cut() -> int:
        raise KeyboardInterrupt("power cut")

    app.backups.after_restore = power_cut  # the old database is in place, the erasure not made again
    with pytest.raises(KeyboardInterrupt):
        app.backups.restore(before.path, safety_backup=False)
    app.close()
    again = App(app.paths.root)
    try:
        assert again.erasures_reapplied == 1
        assert _raw_hits(again, ("muller", "nunez", JOSE[2])) == []
        assert again.audit.verify().ok
    finally:
        again.close()


def test_a_namesake_in_another_librarys_backup_keeps_their_directory_entry(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Erasing the wrong person cannot be undone: in a backup of another library, the entry under the
    erased person's id, or with their name but another email, is someone else."""
    from msldesk.app.services import App

    jose = app.people.add(PersonFields(JOSE[0], JOSE[1], email=JOSE[2]))[0].person_id
    other = App(tmp_path / "other", encryption=False)  # its backup opens anywhere, without a passphrase
    try:
        stranger = other.people.add(PersonFields("Ana", "Lima"))[0].person_id
        namesake = other.people.add(PersonFields(JOSE[0], JOSE[1], email="another@example.org"))[0].person_id
        backup = other.backups.create(tmp_path / "other.msldesk-backup")
    finally:
        other.close()
    assert stranger == jose
    app.privacy.erase_person(jose, "request")

    result = app.backups.restore(backup.path, safety_backup=False)
    assert result.erasures_reapplied == 1
    assert app.people.get(stranger).fields.last_name == "Lima"
    assert app.people.get(namesake).fields.email == "another@example.org"
