"""`msldesk --self-test`: check that this installation can do its job, and say what it found.

Run from a source checkout or the frozen bundle, offscreen if there is no display. Each check opens
what a user's work depends on: a temporary (encrypted, where supported) library, the keyring, the
PDF writer with the bundled font, the PPTX writer with the house template, and the Qt platform.
Nothing touches the user's own library or keyring entries (a throwaway secret is removed again).
"""

from __future__ import annotations

import os
import platform
import secrets as random_secrets
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

SELF_TEST_SERVICE = "msldesk-self-test"


def _library(folder: Path) -> str:
    import datetime as dt

    from keyring.backends.fail import Keyring as NoKeyring

    from msldesk.app.services import App
    from msldesk.boards.records import EventFields, PersonFields
    from msldesk.core.secrets import SecretStore
    from msldesk.protect.upkeep import check_library

    # A throwaway passphrase and no keyring: the check must not leave a key in the user's keyring.
    passphrase = random_secrets.token_urlsafe(16)
    options = {"secrets": SecretStore(backend=NoKeyring()), "passphrase_provider": lambda request: passphrase}
    app = App(folder / "library", **options)  # type: ignore[arg-type]
    try:
        encrypted = app.library_key.encrypted
        person, _ = app.people.add(
            PersonFields(first_name="Selftest", last_name="Zyxwv", email="s@example.org")
        )
        start = dt.datetime(2027, 1, 5, 9, 0, tzinfo=dt.UTC)
        app.events.create(
            EventFields(title="Self-test event", starts_at=start, ends_at=start + dt.timedelta(hours=1))
        )
        found = [p.person_id for p in app.people.search("Zyxwv")]
        database = app.paths.database
    finally:
        app.close()
    if found != [person.person_id]:
        raise RuntimeError(f"people search found {found}, expected [{person.person_id}]")
    if not encrypted:
        raise RuntimeError("the library was created without encryption (is MSLDESK_ENCRYPTION=off set?)")
    raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))  # with WAL
    if raw.startswith(b"SQLite format 3\x00") or b"Zyxwv" in raw:
        raise RuntimeError("the database file holds readable text")
    again = App(folder / "library", **options)  # type: ignore[arg-type]
    try:
        count = again.people.count()
        check = check_library(again.access, again.engine)
    finally:
        again.close()
    if not check.ok:
        raise RuntimeError(f"the library check found problems: {check}")
    return (
        f"encrypted (SQLCipher), created, searched and reopened with its key ({count} person); "
        "files private, no leftovers"
    )


def _keyring() -> str:
    from msldesk.core.secrets import KeyringUnavailableError, SecretStore

    store = SecretStore(service=SELF_TEST_SERVICE)
    value = random_secrets.token_hex(16)
    try:
        store.set("round-trip", value)  # stores and reads back
        store.delete("round-trip")
    except KeyringUnavailableError as exc:
        return f"not usable ({exc.user_message}); libraries are locked with a passphrase instead"
    return f"{store.describe()}: secret stored, read back and removed"


def _pdf(folder: Path) -> str:
    import datetime as dt

    from msldesk.boards.outputs.signin_sheet import write_sign_in_sheet
    from msldesk.boards.records import Attendance, AttendanceFields, Event, EventFields, Person, PersonFields

    start = dt.datetime(2027, 1, 5, 9, 0, tzinfo=dt.UTC)
    event = Event(1, EventFields(title="Self-test", starts_at=start, ends_at=start + dt.timedelta(hours=1)))
    now = dt.datetime(2027, 1, 1)
    people = [
        Attendance(
            i, 1, Person(i, PersonFields(first_name=first, last_name=last), now, now), AttendanceFields()
        )
        for i, (first, last) in enumerate((("Ana", "Müller"), ("Ἀλέξανδρος", "Παππάς"), ("花子", "山田")), 1)
    ]
    out = folder / "self-test.pdf"
    pages = write_sign_in_sheet(event, people, out)
    data = out.read_bytes()
    if not data.startswith(b"%PDF") or b"/FontFile2" not in data:
        raise RuntimeError("the PDF was written without an embedded font")
    return f"{pages} page(s), {len(data):,} bytes, bundled font embedded"


def _pptx(folder: Path) -> str:
    from msldesk.decks.generated import build_generated_deck
    from msldesk.decks.ooxml.validate import validate_package
    from msldesk.decks.slide_specs import AgendaEntry, AgendaSlide, TitleSlide

    out = folder / "self-test.pptx"
    build_generated_deck(
        [
            TitleSlide("Self-test", "msldesk", "2027"),
            AgendaSlide("Agenda", (AgendaEntry("09:00", "Welcome", "", 15),)),
        ],
        out,
    )
    report = validate_package(out)
    if not report.ok:
        raise RuntimeError(report.explain())
    return f"{out.stat().st_size:,} bytes from the house template, package check passed"


Check = tuple[str, Callable[..., str], bool]  # (name, check, needs a temporary folder)
CHECKS: list[Check] = [
    ("library database", _library, True),
    ("keyring", _keyring, False),
    ("PDF writer", _pdf, True),
    ("PPTX writer", _pptx, True),
]


def run(out: TextIO = sys.stdout, extra_checks: Sequence[tuple[str, Callable[[], str]]] = ()) -> int:
    """Run every check, then `extra_checks` (the desktop's, given by the entry point); 0 when all passed."""
    from msldesk import __version__

    frozen = "frozen bundle" if getattr(sys, "frozen", False) else "source"
    where = f"{frozen}; Python {platform.python_version()}; {platform.platform()}"
    print(f"msldesk {__version__} self-test ({where})", file=out)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="msldesk-self-test-") as tmp:
        os.environ["MSLDESK_DATA_DIR"] = str(Path(tmp) / "data")  # never the user's own library
        checks: list[Check] = [*CHECKS, *((name, check, False) for name, check in extra_checks)]
        for name, check, needs_folder in checks:
            started = time.perf_counter()
            try:
                result = check(Path(tmp)) if needs_folder else check()
                status = "ok"
            except Exception as exc:  # noqa: BLE001 - a self-test reports every failure and goes on
                failed += 1
                status = "FAILED"
                result = f"{type(exc).__name__}: {exc}"
                if os.environ.get("MSLDESK_SELF_TEST_TRACEBACK"):
                    traceback.print_exc(file=out)
            print(
                f"  {status:6} {name:17} {result}  ({(time.perf_counter() - started) * 1000:.0f} ms)",
                file=out,
            )
    print("self-test passed" if not failed else f"self-test FAILED ({failed} check(s))", file=out)
    return 1 if failed else 0
