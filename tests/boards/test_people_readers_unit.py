"""vCard, NPPES JSON and iCalendar people readers on small hand-made files (edge cases, no corpus)."""

from __future__ import annotations

import json
import time

import pytest

from msldesk.boards.intake.ics_people import read_calendar_people
from msldesk.boards.intake.mapping import map_rows, suggest_mapping
from msldesk.boards.intake.nppes import read_nppes_json
from msldesk.boards.intake.vcard import guess_eight_bit, read_vcard
from msldesk.core.errors import FileRefusedError


def cells(table, row: int = 0) -> dict[str, str]:
    """Row `row` (0-based) as {header: cell}, leaving out blanks."""
    return {h: v for h, v in zip(table.headers, table.rows[row][1], strict=True) if v}


def crlf(text: str) -> bytes:
    return text.strip("\n").replace("\n", "\r\n").encode("ascii") + b"\r\n"


# ---- vCard ------------------------------------------------------------------------------------------


def test_vcard_30_fields_escapes_and_preferences() -> None:
    data = crlf(
        r"""
BEGIN:VCARD
VERSION:3.0
N:Smith\, Jr;Anna;Maria;Dr.;MD\, PhD
FN:Dr. Anna Smith
ORG:Mercy Hospital\; East;Cardiology
TITLE:Head of Cardiology
EMAIL;TYPE=INTERNET:first@example.com
item1.EMAIL;TYPE=INTERNET;TYPE=pref:anna@example.com
item1.X-ABLabel:Work
TEL;TYPE=HOME:111
TEL;TYPE=WORK;TYPE=FAX:222
TEL;TYPE=CELL:333
TEL;TYPE=WORK,VOICE:444
ADR;TYPE=HOME:;;1 Home St;Hometown;HS;111;Homeland
ADR;TYPE=WORK:;;2 Work St;Boston;MA;02115;USA
NOTE:Line one\nLine two\, with comma
END:VCARD
"""
    )
    table = read_vcard(data)
    assert table.kind == "vcard"
    assert [n for n, _ in table.rows] == [1]
    assert cells(table) == {
        "First Name": "Anna",
        "Last Name": "Smith, Jr",
        "Credentials": "MD, PhD",
        "Institution": "Mercy Hospital; East",
        "City": "Boston",
        "State": "MA",
        "Country": "USA",
        "Email": "anna@example.com",
        "Phone": "444",
        "Notes": "Title: Head of Cardiology\nDepartment: Cardiology\nLine one\nLine two, with comma",
    }


def test_vcard_21_quoted_printable_soft_breaks_bare_types_and_declared_charset() -> None:
    # Outlook style: QP with soft line breaks (a trailing "="), bare 2.1 parameters, windows-1252.
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"N;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen;;;Sr.\r\n"
        b"NOTE;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:First part, =\r\n"
        b"second part=0D=0A=\r\n"
        b"third line with caf=E9, =\r\n"
        b" call=\r\n"
        b"TEL:555 tomorrow\r\n"
        b"EMAIL;INTERNET:other@example.com\r\n"
        b"EMAIL;PREF;INTERNET:jm@example.com\r\n"
        b"TEL;HOME;VOICE:1\r\nTEL;CELL;VOICE:2\r\n"
        b"END:VCARD\r\n"
    )
    row = cells(read_vcard(data))
    assert row["Last Name"] == "Müller"
    assert row["First Name"] == "Jürgen"
    assert "Credentials" not in row  # "Sr." is a generation, not a degree
    # Continuations that look like folding (" call") or like a property ("TEL:555") are text.
    assert row["Notes"] == "First part, second part\r\nthird line with café,  callTEL:555 tomorrow"
    assert row["Email"] == "jm@example.com"
    assert row["Phone"] == "2"


def test_vcard_full_name_fallback_company_card_and_empty_card() -> None:
    data = crlf(
        """
BEGIN:VCARD
VERSION:3.0
N:;;;;
FN:Jane van der Berg
END:VCARD
BEGIN:VCARD
VERSION:3.0
N:;;;;
FN:Acme Pharma GmbH
ORG:Acme Pharma GmbH
END:VCARD
BEGIN:VCARD
VERSION:2.1
PHOTO;ENCODING=BASE64;JPEG:
 /9j/4AAQSkZJRgABAQAAAQABAAD
END:VCARD
"""
    )
    table = read_vcard(data)
    assert [n for n, _ in table.rows] == [1, 3]
    assert cells(table, 0) == {"Full Name": "Jane van der Berg"}
    assert [(e.row, e.message) for e in table.refused] == [
        (2, "Row 2: Acme Pharma GmbH is an organization, not a person")
    ]
    assert cells(table, 1) == {}  # still a row: the mapper reports the missing name


def test_vcard_prefers_the_work_email_phone_and_address() -> None:
    data = crlf(
        """
BEGIN:VCARD
VERSION:3.0
N:Lee;Ann;;;
EMAIL;TYPE=HOME,PREF:ann@home.example
EMAIL;TYPE=WORK:ann@clinic.example
TEL;TYPE=HOME,PREF:111
TEL;TYPE=CELL:222
TEL;TYPE=WORK:333
ADR;TYPE=HOME,PREF:;;1 Home St;Hometown;;;DE
ADR;TYPE=WORK:;;2 Clinic Rd;Clinic City;;;AT
END:VCARD
"""
    )
    row = cells(read_vcard(data))
    assert (row["Email"], row["Phone"], row["City"], row["Country"]) == (
        "ann@clinic.example", "333", "Clinic City", "AT"
    )  # fmt: skip


def test_vcard_company_name_with_a_person_in_n_is_that_person_at_the_company() -> None:
    data = crlf(
        """
BEGIN:VCARD
VERSION:3.0
N:Doe;Jane;;Dr.;MD
FN:Acme Pharma GmbH
ORG:Acme Pharma GmbH;Medical Affairs
EMAIL;TYPE=WORK:jane.doe@acme.example
END:VCARD
BEGIN:VCARD
VERSION:3.0
N:Roe;;;;
FN:Clinic Nord
ORG:Clinic Nord
X-ABShowAs:COMPANY
END:VCARD
BEGIN:VCARD
VERSION:3.0
N:;;;;
FN:Clinic Sued
ORG:Clinic Sued
EMAIL:info@clinic.example
X-ABShowAs:COMPANY
END:VCARD
"""
    )
    table = read_vcard(data)
    jane, roe = cells(table, 0), cells(table, 1)
    assert (jane["First Name"], jane["Last Name"], jane["Institution"]) == ("Jane", "Doe", "Acme Pharma GmbH")
    assert "Full Name" not in jane
    assert jane["Email"] == "jane.doe@acme.example"
    assert (roe.get("First Name"), roe["Last Name"], roe["Institution"]) == (None, "Roe", "Clinic Nord")
    # A card with no person at all is refused even with an e-mail (not an e-mail-only contact).
    rows, errors = map_rows(table, suggest_mapping(table.headers, table.kind))
    assert [r.person.last_name for r in rows] == ["Doe", "Roe"]
    assert [e.message for e in errors] == ["Row 3: Clinic Sued is an organization, not a person"]


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-16-le"),
        lambda t: t.encode("utf-16-be"),
        lambda t: b"\xff\xfe" + t.encode("utf-16-le"),
        lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
        lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
        lambda t: t.replace("\r\n", "\r").encode("utf-8"),  # classic Mac
        lambda t: t.replace("\r\n", "\r\r\n").encode("utf-8"),  # iPhone
    ],
    ids=["utf16le", "utf16be", "utf16le-bom", "utf16be-bom", "utf8-bom", "cr", "crcrlf"],
)
def test_vcard_containers_and_line_ends(encode) -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Łukasiewicz;Zoë;;;\r\nNOTE:folded \r\n across\r\n"
        "EMAIL:zoe@example.com\r\nEND:VCARD\r\n"
    )
    row = cells(read_vcard(encode(text)))
    assert row == {
        "First Name": "Zoë",
        "Last Name": "Łukasiewicz",
        "Email": "zoe@example.com",
        "Notes": "folded across",
    }


def test_vcard_undeclared_eight_bit_is_guessed_per_file() -> None:
    polish = "BEGIN:VCARD\r\nN:Łódź;Paweł;;;\r\nEND:VCARD\r\n".encode("iso-8859-2")
    spanish = "BEGIN:VCARD\r\nN:Muñoz;José;;;\r\nEND:VCARD\r\n".encode("cp1252")
    polish_qp = b"BEGIN:VCARD\r\nN;ENCODING=QUOTED-PRINTABLE:Kowalski;Jan=F1ski\r\nEND:VCARD\r\n"
    assert cells(read_vcard(polish))["Last Name"] == "Łódź"
    assert cells(read_vcard(spanish))["Last Name"] == "Muñoz"
    table = read_vcard(polish_qp)
    assert cells(table)["First Name"] == "Janński"
    assert table.warnings
    assert "iso-8859-2" in table.warnings[0]
    assert guess_eight_bit([]) == "cp1252"  # nothing to judge: the Western default


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("Dvořák Černý", "iso-8859-2"),
        ("Łukasz Wiśniewski", "cp1250"),
        ("Kościuszko", "iso-8859-2"),
        ("Kościuszko", "cp1250"),
        ("Muñoz Peña", "cp1252"),
        ("Søren Ærø", "cp1252"),
        ("François Hélène", "cp1252"),
        ("João Gonçalves", "cp1252"),
        ("Jürgen Müller", "cp1252"),
    ],
)
def test_eight_bit_guess_reads_names_back(name: str, codec: str) -> None:
    raw = name.encode(codec)
    assert raw.decode(guess_eight_bit([raw])) == name


def test_vcard_raw_utf8_line_in_an_otherwise_8bit_file() -> None:
    data = (
        "BEGIN:VCARD\r\nN;CHARSET=windows-1252:Doë;John;;;\r\nEND:VCARD\r\n".encode("cp1252")
        + "BEGIN:VCARD\r\nN:Doë;Jane;;;\r\nEND:VCARD\r\n".encode()
    )
    table = read_vcard(data)
    assert [cells(table, i)["Last Name"] for i in range(2)] == ["Doë", "Doë"]
    assert table.warnings == ()


def test_vcard_skips_big_photos_and_nested_agent_cards_quickly() -> None:
    photo = "\r\n".join(" " + "A" * 74 for _ in range(40_000))  # ~3 MB of folded base64
    data = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Kim;;;\r\nPHOTO;ENCODING=b;TYPE=JPEG:\r\n" + photo + "\r\n"
        "AGENT:\r\nBEGIN:VCARD\r\nN:Assistant;Not;;;\r\nEMAIL:agent@example.com\r\nEND:VCARD\r\n"
        "EMAIL:kim@example.com\r\nEND:VCARD\r\n"
    ).encode("ascii")
    started = time.process_time()
    table = read_vcard(data)
    assert time.process_time() - started < 2
    assert len(table.rows) == 1
    assert cells(table) == {"First Name": "Kim", "Last Name": "Lee", "Email": "kim@example.com"}


def test_vcard_21_unindented_base64_block_ends_at_blank_line() -> None:
    data = crlf(
        """
BEGIN:VCARD
VERSION:2.1
N:Ng;Lu;;;
PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD
R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7

TEL;WORK:+41 44 000 00 00
END:VCARD
"""
    )
    assert cells(read_vcard(data)) == {"First Name": "Lu", "Last Name": "Ng", "Phone": "+41 44 000 00 00"}


def test_vcard_40_pref_numbers_and_uris() -> None:
    data = crlf(
        """
BEGIN:VCARD
VERSION:4.0
N:Ito;Ken;;;
EMAIL;PREF=2:second@example.com
EMAIL;PREF=1:first@example.com
TEL;VALUE=uri;TYPE="voice,cell":tel:+1-555-0100
END:VCARD
"""
    )
    assert cells(read_vcard(data)) == {
        "First Name": "Ken",
        "Last Name": "Ito",
        "Email": "first@example.com",
        "Phone": "+1-555-0100",
    }


@pytest.mark.parametrize("data", [b"", b"First Name,Last Name\r\nA,B\r\n", b"END:VCARD\r\n"])
def test_vcard_without_a_card_is_refused(data: bytes) -> None:
    with pytest.raises(FileRefusedError) as refused:
        read_vcard(data)
    assert "BEGIN:VCARD" in refused.value.user_message


# ---- NPPES ------------------------------------------------------------------------------------------


def provider(number, kind="NPI-1", **basic) -> dict:
    return {
        "number": number,
        "enumeration_type": kind,
        "basic": basic,
        "addresses": [
            {
                "address_purpose": "MAILING",
                "city": "PO TOWN",
                "state": "TX",
                "country_code": "US",
                "telephone_number": "000",
            },
            {
                "address_purpose": "LOCATION",
                "city": "AUSTIN",
                "state": "TX",
                "country_code": "US",
                "country_name": "United States",
                "telephone_number": "512-555-0100",
            },
        ],
        "taxonomies": [
            {"desc": "Internal Medicine", "primary": False},
            {"desc": "Cardiovascular Disease", "primary": True},
        ],
    }


def nppes(*results, count=None) -> bytes:
    count = len(results) if count is None else count
    return json.dumps({"result_count": count, "results": list(results)}).encode()


def test_nppes_individual_row() -> None:
    table = read_nppes_json(
        nppes(provider(1234567893, first_name="ANA", last_name="RUIZ", credential="M.D.", name_prefix="--"))
    )
    assert table.kind == "nppes-json"
    assert table.rows[0][0] == 1
    assert cells(table) == {
        "First Name": "ANA",
        "Last Name": "RUIZ",
        "Credentials": "M.D.",
        "Specialty": "Cardiovascular Disease",
        "City": "AUSTIN",
        "State": "TX",
        "Country": "United States",
        "Phone": "512-555-0100",
        "NPI": "1234567893",
    }
    assert table.warnings == ()


def test_nppes_organisations_give_their_official_or_are_skipped() -> None:
    with_official = provider(
        "1245319599",
        "NPI-2",
        organization_name="HEART CLINIC PA",
        authorized_official_first_name="LEE",
        authorized_official_last_name="PARK",
        authorized_official_credential="MD",
        authorized_official_title_or_position="PRESIDENT",
        authorized_official_telephone_number="512-555-0199",
    )
    without = provider("1306849450", "NPI-2", organization_name="LAB LLC")
    person = provider("1234567893", first_name="ANA", last_name="RUIZ")
    table = read_nppes_json(nppes(with_official, without, person, count=5))
    assert [n for n, _ in table.rows] == [1, 3]
    official = cells(table, 0)
    assert official["First Name"] == "LEE"
    assert official["Institution"] == "HEART CLINIC PA"
    assert official["Credentials"] == "MD"
    assert official["Phone"] == "512-555-0199"
    assert "NPI" not in official
    assert "Specialty" not in official
    assert "PRESIDENT" in official["Notes"]
    text = " ".join(table.warnings)
    assert "authorised official" in text
    assert "LAB LLC" in text
    assert "5" in text
    with pytest.raises(FileRefusedError, match="names no people"):
        read_nppes_json(nppes(without))


def test_nppes_bare_results_list_is_accepted() -> None:
    table = read_nppes_json(json.dumps([provider("1234567893", first_name="A", last_name="B")]).encode())
    assert cells(table)["NPI"] == "1234567893"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b'{"Errors": [{"description": "Field last_name requires at least 2 characters", "field": "x"}]}',
            "Field last_name requires at least 2 characters",
        ),
        (b'{"result_count": 0, "results": []}', "contains no providers"),
        (b'{"name": "package.json", "version": "1.0"}', "is JSON but not an NPPES NPI Registry response"),
        (b'[{"id": 1}]', "is JSON but not an NPPES NPI Registry response"),
        (b'{"results": [1, 2]}', "is JSON but not an NPPES NPI Registry response"),
        (b'{\n  "results": [\n    {"number": 1,,}\n  ]\n}', "line 3, column"),
    ],
)
def test_nppes_refusals_say_why(data: bytes, expected: str) -> None:
    with pytest.raises(FileRefusedError) as refused:
        read_nppes_json(data)
    assert expected in refused.value.user_message


# ---- iCalendar ----------------------------------------------------------------------------------------


def ics(*body: str, method: str = "REQUEST") -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"METHOD:{method}", *body, "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def event(*lines: str, stamp: str = "20250101T000000Z") -> list[str]:
    return ["BEGIN:VEVENT", f"DTSTAMP:{stamp}", "UID:x", *lines, "END:VEVENT"]


def people(table) -> dict[str, tuple[str, ...]]:
    return {row[1]: row for _, row in table.rows}


def test_ics_attendees_organiser_roles_and_invitations() -> None:
    data = ics(
        *event(
            'ORGANIZER;CN="Chen, Wei":mailto:wei@example.com',
            'ATTENDEE;CN="Dr. A: B; C, MD";ROLE=CHAIR;PARTSTAT=ACCEPTED:mailto:chair@example.com',
            "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=TENTATIVE;CN=Tent:Mailto:Tent@Example.com",
            "ATTENDEE;ROLE=OPT-PARTICIPANT;CN=Opt:MAILTO:opt@example.com",
            "ATTENDEE;ROLE=NON-PARTICIPANT;PARTSTAT=DELEGATED;CN=Boss:mailto:boss@example.com",
            'ATTENDEE;PARTSTAT=DECLINED;CN="Page, Larry <l.page@example.com> (l.page@example.com)"'
            ":mailto:l.page@example.com",
            "ATTENDEE;CUTYPE=ROOM;CN=Room 1:mailto:room1@example.com",
            "ATTENDEE;CUTYPE=RESOURCE:mailto:projector@example.com",
            "ATTENDEE:mailto:abc123@group.calendar.google.com",
            "BEGIN:VALARM",
            "ACTION:EMAIL",
            "ATTENDEE:mailto:reminders@example.com",
            "END:VALARM",
        )
    )
    table = read_calendar_people(data)
    assert table.kind == "ics"
    assert table.headers == ("Full Name", "Email", "Role", "Invitation")
    assert people(table) == {
        "wei@example.com": ("Chen, Wei", "wei@example.com", "", ""),
        "chair@example.com": ("Dr. A: B; C, MD", "chair@example.com", "chair", "accepted"),
        "Tent@Example.com": ("Tent", "Tent@Example.com", "", "tentative"),
        "opt@example.com": ("Opt", "opt@example.com", "", "invited"),
        "boss@example.com": ("Boss", "boss@example.com", "observer", "declined"),
        "l.page@example.com": ("Page, Larry", "l.page@example.com", "", "declined"),
    }
    assert [n for n, _ in table.rows] == [7, 8, 9, 10, 11, 12]  # the line each person is on
    assert "3 room(s)" in table.warnings[0]


def test_ics_folding_quotes_and_8bit_names() -> None:
    data = (
        b"\xef\xbb\xbfBEGIN:VCALENDAR\rBEGIN:VEVENT\r"
        b"ATTENDEE;ROLE=REQ-PARTICIPANT;DELEGATED-FROM=\r"
        b'  "mailto:a@example.com";CN="Jos\xe9 ^\'Pepe^\' Garc\xeda";RSVP=TR\r'
        b" UE:mailto:jose@\r"
        b"  example.com\r"
        b"DESCRIPTION:Join Zoom Meeting\r"
        b"https://zoom.us/j/123\r"
        b"Meeting ID: 123\r"
        b"END:VEVENT\rEND:VCALENDAR\r"
    )
    table = read_calendar_people(data)
    assert table.rows == ((3, ('José "Pepe" García', "jose@example.com", "", "invited")),)


def test_ics_dedupes_by_email_keeping_the_most_telling_reply() -> None:
    data = ics(
        *event(
            "ATTENDEE;CN=Ann:mailto:ann@example.com",
            "ATTENDEE;CN=Bo:mailto:bo@example.com",
            stamp="20250301T000000Z",
        ),
        *event(
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:ANN@example.com",
            "ATTENDEE;PARTSTAT=DECLINED:mailto:bo@example.com",
            stamp="20250301T000000Z",
        ),
        # An older reply later in the file does not undo a newer one.
        *event("ATTENDEE;PARTSTAT=TENTATIVE:mailto:bo@example.com", stamp="20240101T000000Z"),
        *event("ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:ann@example.com", stamp="20260101T000000Z"),
        *event("ORGANIZER:mailto:bo@example.com"),
    )
    table = read_calendar_people(data)
    assert people(table) == {
        "ann@example.com": ("Ann", "ann@example.com", "", "accepted"),
        "bo@example.com": ("Bo", "bo@example.com", "", "declined"),
    }


def test_ics_people_without_mailto() -> None:
    data = ics(
        *event(
            'ATTENDEE;EMAIL="kay@example.com";CN=Kay:urn:uuid:1234',
            "ATTENDEE;CN=Lou:urn:uuid:5678",
            "ATTENDEE:urn:uuid:9999",
            'ATTENDEE;CN="(omitted)":mailto:omitted@example.com',
        )
    )
    assert [row for _, row in read_calendar_people(data).rows] == [
        ("Kay", "kay@example.com", "", "invited"),
        ("Lou", "", "", "invited"),
        ("", "omitted@example.com", "", "invited"),
    ]


def test_ics_refusals() -> None:
    with pytest.raises(FileRefusedError, match="lists no attendees or organiser"):
        read_calendar_people(ics(*event("SUMMARY:Lunch")))
    with pytest.raises(FileRefusedError, match="only rooms"):
        read_calendar_people(ics(*event("ATTENDEE;CUTYPE=ROOM:mailto:r@example.com")))
    with pytest.raises(FileRefusedError, match="not an iCalendar file"):
        read_calendar_people(b"ATTENDEE:mailto:a@example.com\r\n")


def test_utf8_file_with_windows_1252_lines_is_decoded_line_by_line() -> None:
    from msldesk.boards.intake.tabular import decode_text, rows_on_lines

    data = (
        b"Name,Note\r"  # old Mac line ends: CR alone
        + "Müller,ok\r".encode()
        + '"Ana","two\nlines, Peña"\r'.encode("cp1252")  # one row over lines 3 and 4
        + "Łukasz,ok\r".encode()
    )
    decoded = decode_text(data)
    assert decoded.encoding == "utf-8"
    assert decoded.fallback_lines == (4,)  # line 3 is plain ASCII
    assert "Müller" in decoded.text
    assert "Peña" in decoded.text
    assert "Łukasz" in decoded.text
    assert rows_on_lines(decoded.text, ",", decoded.fallback_lines) == [3]


def test_a_plain_windows_1252_file_is_one_encoding_with_nothing_to_report() -> None:
    from msldesk.boards.intake.tabular import decode_text

    decoded = decode_text("Name\r\nPeña\r\nMüller\r\nplain\r\n".encode("cp1252"))
    assert (decoded.encoding, decoded.fallback_lines) == ("cp1252", ())
    assert decoded.text.splitlines() == ["Name", "Peña", "Müller", "plain"]
