"""Column synonyms, name splitting, row validation and value parsing of the people import mapping."""

from __future__ import annotations

import datetime as dt

import pytest

from msldesk.boards.intake.mapping import (
    TARGETS,
    map_rows,
    normalise_credentials,
    normalise_role,
    parse_consent,
    registry_case,
    split_full_name,
    suggest_mapping,
    target_for_header,
)
from msldesk.boards.intake.meeting_reports import (
    current_zoom_name,
    infer_day_first,
    parse_duration,
    parse_timestamp,
)
from msldesk.boards.intake.sources import SourceTable
from msldesk.boards.records import PERSON_FIELD_NAMES, AttendeeRole, Invitation
from msldesk.core.errors import InvalidInputError


def table(headers: list[str], *rows: list[str], kind: str = "csv") -> SourceTable:
    """Rows numbered as in a CSV: the header is row 1."""
    return SourceTable(
        kind=kind,
        headers=tuple(headers),
        rows=tuple((n, tuple(r)) for n, r in enumerate(rows, start=2)),
    )


def mapped(headers: list[str], *rows: list[str]):
    source = table(headers, *rows)
    return map_rows(source, suggest_mapping(source.headers, source.kind))


def test_targets_are_the_person_fields_plus_three() -> None:
    assert TARGETS[: len(PERSON_FIELD_NAMES)] == PERSON_FIELD_NAMES
    assert set(TARGETS) - set(PERSON_FIELD_NAMES) == {"full_name", "role", "invitation"}


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("First Name", "first_name"),
        ("first_name", "first_name"),
        ("FIRSTNAME", "first_name"),
        ("Given Name", "first_name"),
        ("Vorname", "first_name"),
        ("First", "first_name"),
        ("Last Name", "last_name"),
        ("Surname", "last_name"),
        ("Family Name", "last_name"),
        ("Nachname", "last_name"),
        ("Covered_Recipient_Last_Name", "last_name"),
        ("Physician_First_Name", "first_name"),
        ("E-mail Address", "email"),
        ("Email Address", "email"),
        ("E-Mail", "email"),
        ("Primary Email", "email"),
        ("Secondary Email", "email"),
        ("E-mail 1 - Value", "email"),
        ("E-mail 2 Address", "email"),
        ("Email Home", "email"),
        ("Email Work", "email"),
        ("User Email", "email"),
        ("Organization", "institution"),
        ("Company", "institution"),
        ("Hospital", "institution"),
        ("Affiliation", "institution"),
        ("Institution", "institution"),
        ("Organization 1 - Name", "institution"),
        ("Title", "credentials"),
        ("Titel", "credentials"),
        ("Degree", "credentials"),
        ("Credentials", "credentials"),
        ("Suffix", "credentials"),
        ("Covered_Recipient_Primary_Type_1", "credentials"),
        ("Specialty", "specialty"),
        ("Taxonomy", "specialty"),
        ("Covered_Recipient_Specialty_1", "specialty"),
        ("Physician_Specialty", "specialty"),
        ("Mobile Phone", "phone"),
        ("Business Phone", "phone"),
        ("Business Phone 2", "phone"),
        ("Phone 1 - Value", "phone"),
        ("Home Mobile", "phone"),
        ("City", "city"),
        ("Work City", "city"),
        ("Address 1 - City", "city"),
        ("Recipient_City", "city"),
        ("State", "state"),
        ("Province", "state"),
        ("Address 1 - Region", "state"),
        ("Country", "country"),
        ("Other Country/Region", "country"),
        ("NPI", "npi"),
        ("Covered_Recipient_NPI", "npi"),
        ("Physician_NPI", "npi"),
        ("Tier", "tier"),
        ("Notes", "notes"),
        ("Comment", "notes"),
        ("Kommentar", "notes"),
        ("Über mich", "notes"),
        ("Consent", "consent_to_contact"),
        ("Role", "role"),
        ("RSVP", "invitation"),
        ("Status", "invitation"),
        ("Registration Status", "invitation"),
        ("Invitation", "invitation"),
        ("Name", "full_name"),
        ("Full Name", "full_name"),
        ("Display Name", "full_name"),
        ("Name (Original Name)", "full_name"),
        ("Participant", "full_name"),
        ("  first   name ", "first_name"),
        ("Prénom", "first_name"),
    ],
)
def test_header_synonyms(header: str, target: str) -> None:
    assert target_for_header(header) == target


@pytest.mark.parametrize(
    "header",
    [
        "Zip",
        "Home Zip",
        "Postal Code",
        "Recording Consent",  # Zoom: consent to be recorded, not to be contacted
        "E-mail Display Name",  # Outlook: a name, not an address
        "E-mail 1 - Type",
        "Phone 1 - Type",
        "First join",  # Teams: a time, not a first name
        "Last leave",
        "Payment Status",
        "Middle Name",
        "Job Title",
        "Home Fax",
        "Covered_Recipient_License_State_code1",
        "Covered_Recipient_Profile_ID",
        "Participant ID (UPN)",
        "",
        "Column 7",
    ],
)
def test_headers_that_map_to_nothing(header: str) -> None:
    assert target_for_header(header) == ""


def test_meeting_app_roles_map_to_attendee_roles() -> None:
    headers = ["Name", "Email", "Role"]
    assert suggest_mapping(headers)["Role"] == "role"
    assert suggest_mapping(headers, "teams-report") == {"Name": "full_name", "Email": "email", "Role": "role"}
    roles = ["Organizer", "Co-organizer", "Presenter", "Attendee", "Host", "Co-host"]
    assert [normalise_role(r) for r in roles] == [
        "internal", "internal", "faculty", "advisor", "internal", "internal",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jane Doe", ("Jane", "Doe", "")),
        ("  Jane    Doe ", ("Jane", "Doe", "")),
        ("Doe, Jane", ("Jane", "Doe", "")),
        ("García Simón, Pedro", ("Pedro", "García Simón", "")),
        ("Jane Doe, MD, PhD", ("Jane", "Doe", "MD, PhD")),
        ("Jane Doe, M.D., Ph.D.", ("Jane", "Doe", "MD, PhD")),
        ("Doe, Jane, MD", ("Jane", "Doe", "MD")),
        ("Jane Doe MD", ("Jane", "Doe", "MD")),
        ("Dr. Jane Doe", ("Jane", "Doe", "Dr.")),
        ("Dr. Jane Doe, MD", ("Jane", "Doe", "MD")),  # the degree says more than the courtesy title
        ("Prof. Dr. med. Hans Meier", ("Hans", "Meier", "Prof., Dr. med.")),
        ("Mrs. Ann Lee", ("Ann", "Lee", "")),
        ("Martin Luther King Jr.", ("Martin Luther", "King", "")),
        ("Ludwig van Beethoven", ("Ludwig", "van Beethoven", "")),
        ("Jun Ma", ("Jun", "Ma", "")),  # a surname, not a Master of Arts
        ("Madonna", ("Madonna", "", "")),
        ("Jane Q. Public", ("Jane Q.", "Public", "")),
        ("JANSSENS JAN (EXT)", ("JANSSENS", "JAN", "")),
        ("Dr Jane (Jane Doe)", ("Jane", "", "Dr.")),
        ("", ("", "", "")),
    ],
)
def test_split_full_name(name: str, expected: tuple[str, str, str]) -> None:
    assert split_full_name(name) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["MD, PhD"], "MD, PhD"),
        (["M.D./Ph.D."], "MD, PhD"),
        (["Dr.", "MD"], "MD"),
        (["Dr."], "Dr."),
        (["Mr."], ""),
        (["Medical Doctor"], "MD"),
        (["Doctor of Osteopathy"], "DO"),
        (["", "pharmd", "PharmD"], "PharmD"),
        (["Facharzt"], "Facharzt"),
        (["Prof.", "MD"], "Prof., MD"),
    ],
)
def test_normalise_credentials(values: list[str], expected: str) -> None:
    assert normalise_credentials(values) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", True),
        ("Y", True),
        ("TRUE", True),
        ("1", True),
        ("x", True),
        (" Yes ", True),
        ("no", False),
        ("N", False),
        ("false", False),
        ("0", False),
        ("", None),
        ("perhaps", None),
    ],
)
def test_consent_parsing(value: str, expected: bool | None) -> None:
    assert parse_consent(value) is expected


def test_a_valid_row_is_cleaned_and_typed() -> None:
    rows, errors = mapped(
        [
            "First Name",
            "Last Name",
            "E-mail Address",
            "Company",
            "NPI",
            "Specialty",
            "Consent",
            "RSVP",
            "Role",
            "Tier",
            "Zip",
        ],
        [
            "  Maria ",
            "Garcia  Lopez",
            " mailto:Maria.Garcia@Example.ORG ",
            "St  Mary's",
            "1234567893.0",
            "Allopathic & Osteopathic Physicians|Internal Medicine|Cardiovascular Disease|",
            "x",
            "Attending",
            "Co-Chair",
            "Tier 1",
            "02115",
        ],
    )
    assert errors == []
    (row,) = rows
    person = row.person
    assert (person.first_name, person.last_name) == ("Maria", "Garcia Lopez")
    assert person.email == "maria.garcia@example.org"
    assert person.institution == "St Mary's"
    assert person.npi == "1234567893"
    assert person.specialty == "Cardiovascular Disease"
    assert person.consent_to_contact is True
    assert person.tier == "1"
    assert (row.row, row.invitation, row.role) == (2, Invitation.ACCEPTED.value, AttendeeRole.CHAIR.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("accepted", "accepted"),
        ("Yes", "accepted"),
        ("registered", "accepted"),
        ("Declined", "declined"),
        ("no", "declined"),
        ("Tentative", "tentative"),
        ("maybe", "tentative"),
        ("Waitlist", "waitlisted"),
        ("NEEDS-ACTION", "invited"),
        ("Completed", ""),  # unknown: left blank, never an error
    ],
)
def test_invitation_values(value: str, expected: str) -> None:
    rows, errors = mapped(["Name", "RSVP"], ["Ann Lee", value])
    assert errors == []
    assert rows[0].invitation == expected


def test_unknown_role_is_blank_not_an_error() -> None:
    rows, errors = mapped(["Name", "Role"], ["Ann Lee", "Keynote wizard"], ["Bo Chen", "observer"])
    assert errors == []
    assert [r.role for r in rows] == ["", "observer"]


def test_missing_name_is_an_error_with_the_row_number() -> None:
    rows, errors = mapped(
        ["First Name", "Last Name", "Email"],
        ["Ann", "Lee", "ann@example.org"],
        ["", "", "nobody@example.org"],  # only an e-mail: imported, marked "name missing"
        ["", "", "", ""],  # an empty row: skipped silently
        ["", "Only-Last", ""],
        ["", "", "not-an-address"],
        ["", "", ""],
    )
    assert [r.row for r in rows] == [2, 3, 5]
    assert [e.row for e in errors] == [6]
    assert errors[0].message.startswith("Row 6: missing name")
    nameless = rows[1].person
    assert nameless.name_missing
    assert nameless.display_name == "nobody@example.org"
    assert not rows[0].person.name_missing


def test_malformed_email_error_names_the_value() -> None:
    rows, errors = mapped(["Name", "Email"], ["Ann Lee", "ann.example.org"], ["Bo Chen", "bo@@x.org"])
    assert rows == []
    assert [e.row for e in errors] == [2, 3]
    assert "ann.example.org" in errors[0].message
    assert "email" in errors[0].message
    assert "bo@@x.org" in errors[1].message


def test_npi_check_digit_and_length_errors_name_the_value() -> None:
    rows, errors = mapped(
        ["Name", "NPI"],
        ["Ann Lee", "1234567890"],
        ["Bo Chen", "12345"],
        ["Cy Dee", "1234567893"],
        ["Di Eve", ""],
    )
    assert [r.person.npi for r in rows] == ["1234567893", ""]
    assert errors[0].message == "Row 2: NPI 1234567890 fails its check digit"
    assert errors[1].row == 3
    assert "12345" in errors[1].message


def test_several_email_columns_work_first_then_the_first_non_empty() -> None:
    rows, _ = mapped(
        ["Name", "Email Home", "Email Work", "Email Other"],
        ["Ann Lee", "", "ann@work.example", ""],
        ["Bo Chen", "bo@home.example", "bo@work.example", ""],
        ["Cy Diaz", "cy@home.example", "", "cy@other.example"],
    )
    assert [r.person.email for r in rows] == ["ann@work.example", "bo@work.example", "cy@home.example"]


def test_typed_address_book_columns_prefer_work_email_phone_and_address() -> None:
    # Google Contacts' "E-mail 1 - Type" / "E-mail 1 - Value" pairs; the type differs per row.
    headers = [
        "Name", "E-mail 1 - Type", "E-mail 1 - Value", "E-mail 2 - Type", "E-mail 2 - Value",
        "Phone 1 - Type", "Phone 1 - Value", "Phone 2 - Type", "Phone 2 - Value", "Phone 3 - Type",
        "Phone 3 - Value", "Address 1 - Type", "Address 1 - City", "Address 2 - Type", "Address 2 - City",
    ]  # fmt: skip
    rows, errors = mapped(
        headers,
        ["Ann Lee", "* Home", "ann@home.example", "Work", "ann@clinic.example", "Work Fax", "111",
         "Mobile", "222", "Work", "333", "Home", "Hometown", "Work", "Clinic City"],
        ["Bo Chen", "Work", "bo@clinic.example", "Home", "bo@home.example", "Home", "444",
         "Mobile", "555", "Pager", "666", "Other", "Elsewhere", "", ""],
    )  # fmt: skip
    assert errors == []
    ann, bo = (r.person for r in rows)
    assert (ann.email, ann.phone, ann.city) == ("ann@clinic.example", "333", "Clinic City")
    assert (bo.email, bo.phone, bo.city) == ("bo@clinic.example", "555", "Elsewhere")
    # Some exports put the type in the value column's header instead of a column of its own.
    rows, errors = mapped(
        ["Name", "E-mail 1 - Type: Home", "E-mail 2 - Type: Work", "Phone 1 - Type: Work Fax",
         "Phone 2 - Type: Mobile", "Phone 3 - Type: Work"],
        ["Eve Ng", "eve@home.example", "eve@clinic.example", "111", "222", "333"],
        ["Fay Ho", "fay@home.example", "", "", "444", ""],
    )  # fmt: skip
    assert errors == []
    eve, fay = (r.person for r in rows)
    assert (eve.email, eve.phone) == ("eve@clinic.example", "333")
    assert (fay.email, fay.phone) == ("fay@home.example", "444")
    # Outlook names the kind in the header instead.
    rows, _ = mapped(
        [
            "First Name",
            "Last Name",
            "Home Phone",
            "Mobile Phone",
            "Business Phone",
            "Home City",
            "Business City",
        ],
        ["Cy", "Diaz", "1", "2", "3", "Hometown", "Work City"],
    )
    assert (rows[0].person.phone, rows[0].person.city) == ("3", "Work City")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("JOHN", "John"),
        ("O'BRIEN-SMITH", "O'Brien-Smith"),
        ("MCDONALD", "McDonald"),
        ("VAN DER BERG", "Van der Berg"),
        ("JOHN PAUL III", "John Paul III"),
        ("ÉLODIE", "Élodie"),
        ("UPPER MARLBORO", "Upper Marlboro"),
        ("deBakey", "deBakey"),  # any lower-case letter: someone's chosen spelling
        ("Jane", "Jane"),
        ("", ""),
    ],
)
def test_registry_case(text: str, expected: str) -> None:
    assert registry_case(text) == expected


def test_names_from_registries_are_recased_and_other_files_kept_as_written() -> None:
    headers = ["Covered_Recipient_First_Name", "Covered_Recipient_Last_Name", "Recipient_City"]
    headers.append("Recipient_State")
    row = ["JOHN", "O'BRIEN", "VILLA RICA", "GA"]
    for kind, expected in (
        ("open-payments", ("John", "O'Brien", "Villa Rica", "GA")),
        ("nppes-json", ("John", "O'Brien", "Villa Rica", "GA")),
        ("csv", ("JOHN", "O'BRIEN", "VILLA RICA", "GA")),
    ):
        source = table(headers, row, kind=kind)
        (person,), _ = map_rows(source, suggest_mapping(source.headers, source.kind))
        p = person.person
        assert (p.first_name, p.last_name, p.city, p.state) == expected, kind


def test_names_in_capitals_from_meeting_reports_are_recased() -> None:
    headers = ["Name", "Email", "Role"]
    rows = (
        ["O'BRIEN-SMITH, MARY (EXT)", "mary@x.org", "Presenter"],
        ["Ann McDonald", "ann@x.org", "Attendee"],
    )
    for kind in ("teams-report", "zoom-report"):
        source = table(headers, *rows, kind=kind)
        mapped_rows, errors = map_rows(source, suggest_mapping(source.headers, source.kind))
        assert errors == []
        names = [(r.person.first_name, r.person.last_name) for r in mapped_rows]
        assert names == [("Mary", "O'Brien-Smith"), ("Ann", "McDonald")], kind  # chosen spellings kept
        assert [r.role for r in mapped_rows] == ["faculty", "advisor"]


def test_full_name_used_only_when_first_and_last_are_empty() -> None:
    rows, errors = mapped(
        ["Display Name", "First Name", "Last Name"],
        ["Annie L.", "Ann", "Lee"],
        ["Doe, Jane, MD", "", ""],
    )
    assert errors == []
    assert [(r.person.first_name, r.person.last_name, r.person.credentials) for r in rows] == [
        ("Ann", "Lee", ""),
        ("Jane", "Doe", "MD"),
    ]


def test_credentials_from_several_columns_are_combined() -> None:
    rows, _ = mapped(["Title", "First Name", "Last Name", "Suffix"], ["Dr.", "Ann", "Lee", "MD, PhD"])
    assert rows[0].person.credentials == "MD, PhD"


def test_google_style_multi_value_email_cell() -> None:
    rows, errors = mapped(["Name", "E-mail 1 - Value"], ["Ann Lee", "ann@a.example ::: ann@b.example"])
    assert errors == []
    assert rows[0].person.email == "ann@a.example"


def test_an_unknown_mapping_target_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        map_rows(table(["Name"], ["Ann"]), {"Name": "nickname"})


def test_a_user_mapping_overrides_the_suggestion() -> None:
    source = table(["Col A", "Col B"], ["Ann", "Lee"])
    rows, errors = map_rows(source, {"Col A": "first_name", "Col B": "last_name"})
    assert errors == []
    assert (rows[0].person.first_name, rows[0].person.last_name) == ("Ann", "Lee")
    _, errors = map_rows(source, suggest_mapping(source.headers))
    assert errors[0].message == "Row 2: missing name"


# ---- meeting report values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes", "seconds"),
    [
        ("19m 26s", False, 19 * 60 + 26),
        ("1h 5m", False, 3900),
        ("45s", False, 45),
        ("1h 2m 3s", False, 3723),
        ("01:05:00", False, 3900),
        ("128", True, 128 * 60),
        ("12", False, 720),
        ("", False, None),
        ("soon", False, None),
    ],
)
def test_parse_duration(text: str, minutes: bool, seconds: float | None) -> None:
    assert parse_duration(text, minutes) == seconds


def test_parse_timestamp_day_and_month_order() -> None:
    assert parse_timestamp("14/11/22, 09:29:07", True) == dt.datetime(2022, 11, 14, 9, 29, 7)
    assert parse_timestamp("11/19/2021 09:54:15 PM", False) == dt.datetime(2021, 11, 19, 21, 54, 15)
    assert parse_timestamp("3/17/2021, 12:05:00 AM", False) == dt.datetime(2021, 3, 17, 0, 5)
    assert parse_timestamp("2022-11-14 09:29", True) == dt.datetime(2022, 11, 14, 9, 29)
    assert parse_timestamp("14.11.2022 09:29:07", True) == dt.datetime(2022, 11, 14, 9, 29, 7)
    assert parse_timestamp("not a time", True) is None
    assert parse_timestamp("31/02/22, 09:00", True) is None


def test_infer_day_first() -> None:
    assert infer_day_first(["03/04/22, 09:00:00", "14/04/22, 10:00:00"]) is True
    assert infer_day_first(["03/04/2022 09:00:00 AM", "03/14/2022 10:00:00 AM"]) is False
    assert infer_day_first(["03/04/2022 09:00:00 AM"]) is False  # US clock: US order
    assert infer_day_first(["03/04/22, 09:00:00"]) is True
    assert infer_day_first(["03.04.22 09:00"]) is True


def test_current_zoom_name() -> None:
    assert current_zoom_name("015_Loki (Loki Laufeyson)") == "015_Loki"
    assert current_zoom_name("Jane Doe") == "Jane Doe"


def test_explicit_name_columns_are_kept_as_written() -> None:
    rows, errors = mapped(["First Name", "Last Name"], ["Ann", "O'Neil, Jr."])
    assert errors == []
    assert rows[0].person.last_name == "O'Neil, Jr."


def test_formula_escape_from_an_export_is_undone() -> None:
    rows, _ = mapped(["Name", "Organization", "Phone"], ["Ann Lee", '\'=HYPERLINK("x")', "+1 555 0100"])
    assert rows[0].person.institution == '=HYPERLINK("x")'
    assert rows[0].person.phone == "+1 555 0100"
