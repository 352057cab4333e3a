"""Every export on a full disk: the disk fills part-way through the file (or at fsync), and the user
gets a plain "the disk is full" naming the folder, with no partial or temp file left and an earlier
file at the target unchanged."""

from __future__ import annotations

import datetime as dt
import errno
import os
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from msldesk.boards.records import (
    AgendaItemFields,
    AttendanceFields,
    AttendeeRole,
    Audience,
    EventFields,
    EventKind,
    Invitation,
    PersonFields,
)
from msldesk.core import fileio
from msldesk.core.errors import DiskFullError, MsldeskError
from msldesk.decks.records import DeckUpdate
from tests.conftest import TODAY

BERLIN = ZoneInfo("Europe/Berlin")
START = dt.datetime(2026, 10, 6, 9, 0, tzinfo=BERLIN)


class _FillingFile:
    """A real file that takes `budget` more bytes, then fails the way a full disk does."""

    def __init__(self, inner: Any, budget: int) -> None:
        self._inner, self._budget = inner, budget

    def write(self, data: Any) -> int:
        data = bytes(data)
        if len(data) > self._budget:
            self._inner.write(data[: self._budget])  # what fitted stays in the temp file
            self._budget = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._budget -= len(data)
        return self._inner.write(data)

    def __enter__(self) -> _FillingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class DiskFiller:
    """Makes one folder's disk fill up for the files fileio writes there: the `nth` such file fails
    after `budget` bytes (at="write") or when it is flushed to disk (at="fsync"). Only fileio's
    view of `os` and `tempfile` is changed, so the database and everything else work as usual."""

    def __init__(self, folder: Path, at: str, budget: int = 0, nth: int = 1) -> None:
        self.folder, self.at, self.budget, self.nth = folder.resolve(), at, budget, nth
        self.seen = 0
        self.doomed: set[int] = set()
        self.failed = False

    def install(self, monkeypatch: pytest.MonkeyPatch) -> DiskFiller:
        filler = self

        class OsView:
            def __getattr__(self, name: str) -> Any:
                return getattr(os, name)

            @staticmethod
            def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
                handle = os.fdopen(fd, *args, **kwargs)
                if fd in filler.doomed and filler.at == "write":
                    filler.failed = True
                    return _FillingFile(handle, filler.budget)
                return handle

            @staticmethod
            def fsync(fd: int) -> None:
                if fd in filler.doomed and filler.at == "fsync":
                    filler.doomed.discard(fd)
                    filler.failed = True
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                os.fsync(fd)

        class TempfileView:
            def __getattr__(self, name: str) -> Any:
                return getattr(tempfile, name)

            @staticmethod
            def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
                fd, name = tempfile.mkstemp(*args, **kwargs)
                filler.doomed.discard(fd)  # a reused descriptor number
                if Path(name).parent.resolve() == filler.folder:
                    filler.seen += 1
                    if filler.seen == filler.nth:
                        filler.doomed.add(fd)
                return fd, name

        monkeypatch.setattr(fileio, "os", OsView())
        monkeypatch.setattr(fileio, "tempfile", TempfileView())
        return self


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture
def board(app, deck_factory):  # type: ignore[no-untyped-def]
    """An event with an agenda linked to an approved library slide, a paid attendee and notes."""
    deck = deck_factory.pptx("approved.pptx", [(f"Efficacy {n}", f"Body {n}", "") for n in (1, 2)])
    deck_id = next(iter(app.decks.import_paths([deck]))).deck_id
    app.decks.update_deck(
        deck_id,
        DeckUpdate(
            approval_code="MED-1",
            approved_on=TODAY - dt.timedelta(days=10),
            expires_on=TODAY + dt.timedelta(days=300),
        ),
    )
    slide_ids = [s.slide_id for s in app.decks.list_slides(deck_id)]
    event, _ = app.events.create(
        EventFields(
            kind=EventKind.ADVISORY_BOARD,
            title="HFpEF advisory board",
            objectives="Understand second-line choices",
            starts_at=START,
            ends_at=START + dt.timedelta(hours=4),
            timezone="Europe/Berlin",
            venue="Hotel Bayerischer Hof, Munich",
        )
    )
    person, _ = app.people.add(
        PersonFields("Ana", "Souza", credentials="MD", npi="1234567893", email="ana@example.org")
    )
    app.events.add_attendee(
        event.event_id,
        person.person_id,
        AttendanceFields(
            role=AttendeeRole.ADVISOR, invitation=Invitation.ACCEPTED, honorarium_amount=Decimal("1500")
        ),
    )
    app.events.add_agenda_item(
        event.event_id, AgendaItemFields(title="Evidence review", minutes=60, slide_ids=tuple(slide_ids))
    )
    app.meetings.add_entry(event.event_id, "Sequencing depends on renal function #Treatment")
    app.meetings.add_entry(event.event_id, "Who pays for the monitoring?", agenda_item_id=None)
    return {"app": app, "event_id": event.event_id, "slide_ids": slide_ids}


Export = Callable[[Any, dict[str, Any], Path], object]

# The tests replace an earlier file as a user who agreed to it does (the save dialog asked, or
# --overwrite): the refusal to replace one unasked is tested in tests/core/test_output_files.py.
AGREED = {"overwrite": True}

MEDICAL = Audience.MEDICAL
EXPORTS: dict[str, tuple[str, Export]] = {
    "summary": (
        "summary.pdf", lambda app, b, out: app.outputs.summary(b["event_id"], MEDICAL, out, **AGREED)
    ),
    "readout": (
        "readout.pptx", lambda app, b, out: app.outputs.readout(b["event_id"], MEDICAL, out, **AGREED)
    ),
    "briefing": ("briefing.pptx", lambda app, b, out: app.outputs.briefing(b["event_id"], out, **AGREED)),
    "insights-csv": (
        "insights.csv", lambda app, b, out: app.outputs.insights(b["event_id"], MEDICAL, out, **AGREED)
    ),
    "insights-xlsx": (
        "insights.xlsx", lambda app, b, out: app.outputs.insights(b["event_id"], MEDICAL, out, **AGREED)
    ),
    "attendees-csv": (
        "attendees.csv", lambda app, b, out: app.outputs.attendees(b["event_id"], out, **AGREED)
    ),
    "attendees-xlsx": (
        "attendees.xlsx", lambda app, b, out: app.outputs.attendees(b["event_id"], out, **AGREED)
    ),
    "calendar": ("invite.ics", lambda app, b, out: app.outputs.calendar(b["event_id"], out, **AGREED)),
    "sign-in-sheet": (
        "sign-in.pdf", lambda app, b, out: app.outputs.sign_in_sheet(b["event_id"], out, **AGREED)
    ),
    "payments": ("payments.csv", lambda app, b, out: app.outputs.payments(START.year, out, **AGREED)),
    "compose": ("deck.pptx", lambda app, b, out: app.assembly.compose(b["slide_ids"], out, title="Deck")),
}  # fmt: skip


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in the folder, hidden ones included, with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _export_records(app) -> int:  # type: ignore[no-untyped-def]
    return sum(r.action.startswith("export.") for r in app.audit.recent(10_000))


def _reference_size(export: Export, app: Any, board: dict[str, Any], name: str, folder: Path) -> int:
    folder.mkdir()
    export(app, board, folder / name)
    return (folder / name).stat().st_size


def _check_refused(run: Callable[[], object], app: Any, folder: Path, before: dict[str, bytes]) -> None:
    records = _export_records(app)
    with pytest.raises(MsldeskError) as caught:
        run()
    error = caught.value
    assert isinstance(error, DiskFullError), f"{type(error).__name__}: {error}"
    message = error.user_message
    assert "disk is full" in message.lower()
    assert str(folder) in message  # names the folder, so the user knows which disk to clear
    assert "Traceback" not in message
    assert "OSError" not in message
    assert "Errno" not in message
    assert _snapshot(folder) == before  # nothing new, nothing partial, the earlier files unchanged
    assert _export_records(app) == records  # a failed export is not recorded as written


# ------------------------------------------------------------------------------------------ tests


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_export_on_a_disk_that_fills_part_way_keeps_the_earlier_file(
    kind: str, board: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = board["app"]
    name, export = EXPORTS[kind]
    size = _reference_size(export, app, board, name, tmp_path / "reference")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / name).write_bytes(b"the earlier export, kept")
    if kind == "compose":
        (folder / "deck-bill-of-materials.csv").write_bytes(b"the earlier bill of materials")
    before = _snapshot(folder)
    filler = DiskFiller(folder, at="write", budget=size // 2).install(monkeypatch)
    _check_refused(lambda: export(app, board, folder / name), app, folder, before)
    assert filler.failed


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_export_on_a_disk_that_fails_at_fsync_leaves_nothing(
    kind: str, board: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some file systems only find out there is no room when the data is flushed to disk."""
    app = board["app"]
    name, export = EXPORTS[kind]
    folder = tmp_path / "out"
    folder.mkdir()
    filler = DiskFiller(folder, at="fsync").install(monkeypatch)
    _check_refused(lambda: export(app, board, folder / name), app, folder, {})
    assert filler.failed


@pytest.mark.parametrize("kind", ["compose", "briefing"])
def test_deck_whose_bill_of_materials_does_not_fit_is_not_kept(
    kind: str, board: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deck is written, then the disk fills while its bill of materials is: the two are one
    output, so the earlier deck and bill stay as they were."""
    app = board["app"]
    name, export = EXPORTS[kind]
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / name).write_bytes(b"the earlier deck")
    (folder / f"{Path(name).stem}-bill-of-materials.csv").write_bytes(b"the earlier bill")
    before = _snapshot(folder)
    filler = DiskFiller(folder, at="write", budget=10, nth=2).install(monkeypatch)
    _check_refused(lambda: export(app, board, folder / name), app, folder, before)
    assert filler.failed
    assert filler.seen == 2


def test_export_still_works_when_there_is_room(board: dict[str, Any], tmp_path: Path) -> None:
    """The same exports, on a disk with room, replace the earlier file (the test above can fail)."""
    app = board["app"]
    folder = tmp_path / "out"
    folder.mkdir()
    for name, export in EXPORTS.values():
        (folder / name).write_bytes(b"old")
        export(app, board, folder / name)
        assert (folder / name).read_bytes() != b"old"
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_the_command_line_says_the_disk_is_full(
    board: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from msldesk.cli.main import main

    app = board["app"]
    data_dir = app.paths.root
    app.close()
    folder = tmp_path / "out"
    folder.mkdir()
    DiskFiller(folder, at="write", budget=20).install(monkeypatch)
    code = main(["--data-dir", str(data_dir), "payments", "export", "--year", str(START.year),
                 "--out", str(folder / "payments.csv")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("msldesk: The disk is full")
    assert str(folder) in err
    assert list(folder.iterdir()) == []
