"""The boards command line through its entry point (in this process): events, agenda, people import,
exports, payments. test_cli.py runs commands in their own process."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from .test_cli import msldesk_in_process as msldesk


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "cli-boards"


def one_json(result: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(result.stdout)


def test_plan_an_event_import_people_and_export(data_dir: Path, tmp_path: Path) -> None:
    event = one_json(msldesk(
        data_dir, "event", "create", "--kind", "advisory-board", "--title", "NSCLC board",
        "--start", "2027-03-02T09:00", "--end", "2027-03-02T12:00", "--tz", "Europe/Berlin", "--json",
        check_exit=0,
    ))  # fmt: skip
    assert event["starts_at"] == "2027-03-02T09:00:00+01:00"
    assert event["timezone"] == "Europe/Berlin"
    event_id = str(event["id"])
    people = tmp_path / "invitees.csv"
    people.write_text(
        "Vorname;Nachname;E-Mail;Institution;NPI;Status\n"
        "Jürgen;Müller;j.mueller@example.de;Charité;;Zugesagt\n"
        "Wei;Chen;wei@example.org;Mayo Clinic;1234567893;accepted\n"
        ";;nobody@example.org;;;\n"
        "Ann;Lee;ann@example.org;;1234567890;\n",
        encoding="cp1252",
    )
    dry = one_json(msldesk(data_dir, "people", "import", str(people), "--dry-run", "--json", check_exit=1))
    # Row 4 has only an e-mail address: imported under it, "name missing".
    assert (dry["imported"], dry["updated"], dry["unchanged"], dry["dry_run"]) == (3, 0, 0, True)
    assert [e["row"] for e in dry["errors"]] == [5]
    assert one_json(msldesk(data_dir, "people", "--json", check_exit=0)) == []
    result = one_json(
        msldesk(data_dir, "people", "import", str(people), "--event", event_id, "--json", check_exit=1)
    )
    assert (result["imported"], result["attendees_added"]) == (3, 3)
    again = one_json(msldesk(data_dir, "people", "import", str(people), "--json", check_exit=1))
    # Every row accounted for: nothing new, nothing changed, one error.
    assert (again["imported"], again["updated"], again["unchanged"], again["duplicates"]) == (0, 0, 3, 0)
    assert len(again["errors"]) == 1
    listed = one_json(msldesk(data_dir, "people", "--search", "mull", "--json", check_exit=0))
    assert [(p["first_name"], p["last_name"], p["email"]) for p in listed] == [
        ("Jürgen", "Müller", "j.mueller@example.de")
    ]
    assert {"id", "first_name", "last_name", "institution", "email", "npi"} <= set(listed[0])

    speaker = str(listed[0]["id"])
    msldesk(data_dir, "event", "agenda-add", event_id, "--title", "Welcome", "--minutes", "30", check_exit=0)
    msldesk(data_dir, "event", "agenda-add", event_id, "--title", "Data", "--minutes", "60",
            "--kind", "presentation", "--presenter", speaker, check_exit=0)  # fmt: skip
    shown = one_json(msldesk(data_dir, "event", "show", event_id, "--json", check_exit=0))
    assert [(i["title"], i["starts_at"][11:16]) for i in shown["agenda"]] == [
        ("Welcome", "09:00"),
        ("Data", "09:30"),
    ]
    assert shown["agenda"][1]["presenter_name"] == "Jürgen Müller"
    assert {a["person"]["email"] for a in shown["attendees"]} == {
        "j.mueller@example.de", "wei@example.org", "nobody@example.org"
    }  # fmt: skip

    ics, sheet, listing = tmp_path / "board.ics", tmp_path / "sign-in.pdf", tmp_path / "attendees.csv"
    msldesk(data_dir, "event", "export", event_id, "--ics", str(ics), check_exit=0)
    msldesk(data_dir, "event", "export", event_id, "--sign-in", str(sheet), check_exit=0)
    msldesk(data_dir, "event", "export", event_id, "--attendees", str(listing), check_exit=0)
    assert b"BEGIN:VEVENT" in ics.read_bytes()
    assert sheet.read_bytes().startswith(b"%PDF")
    with listing.open(encoding="utf-8-sig", newline="") as handle:
        assert {r["Email"] for r in csv.DictReader(handle)} == {
            "j.mueller@example.de", "wei@example.org", "nobody@example.org"
        }  # fmt: skip
    refused = msldesk(
        data_dir, "event", "export", event_id, "--attendees", str(tmp_path / "x.txt"), check_exit=2
    )
    assert ".csv or .xlsx" in refused.stderr


def test_refused_file_and_missing_event(data_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    refused = one_json(msldesk(data_dir, "people", "import", str(empty), "--json", check_exit=2))
    assert refused["error"]
    assert "imported" not in refused
    plain = msldesk(data_dir, "people", "import", str(empty), check_exit=2)
    assert plain.stderr.startswith("msldesk: ")
    good = tmp_path / "one.csv"
    good.write_text("First Name,Last Name\nAda,Lovelace\n", encoding="utf-8")
    missing = msldesk(data_dir, "people", "import", str(good), "--event", "42", check_exit=2)
    assert "no event with id 42" in missing.stderr
    assert msldesk(data_dir, "events", "--json", check_exit=0).stdout.strip() == "[]"
    bad_tz = msldesk(data_dir, "event", "create", "--title", "X", "--tz", "Mars/Base", check_exit=2)
    assert "time zone" in bad_tz.stderr


def test_payments_export_for_a_year(data_dir: Path, tmp_path: Path) -> None:
    event = one_json(msldesk(
        data_dir, "event", "create", "--title", "Board", "--start", "2027-05-04T09:00",
        "--end", "2027-05-04T13:00", "--tz", "America/New_York", "--json", check_exit=0,
    ))  # fmt: skip
    people = tmp_path / "kol.csv"
    people.write_text(
        "First Name,Last Name,NPI,Tier,Specialty\nAda,Lovelace,1234567893,1,Oncology\n", encoding="utf-8"
    )
    msldesk(data_dir, "people", "import", str(people), check_exit=0)
    person = one_json(msldesk(data_dir, "people", "--json", check_exit=0))[0]
    added = one_json(msldesk(
        data_dir, "event", "attendee-add", str(event["id"]), str(person["id"]), "--invitation", "accepted",
        "--hours", "4", "--json", check_exit=0,
    ))  # fmt: skip
    assert added["honorarium_amount"] != "0.00"
    assert added["warnings"] == []
    out = tmp_path / "op.csv"
    msldesk(data_dir, "payments", "export", "--year", "2027", "--out", str(out), check_exit=0)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["Covered_Recipient_NPI"], r["Total_Amount_of_Payment_USDollars"]) for r in rows] == [
        ("1234567893", added["honorarium_amount"])
    ]
    msldesk(
        data_dir, "payments", "export", "--year", "2026", "--out", str(tmp_path / "none.csv"), check_exit=0
    )
