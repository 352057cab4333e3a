"""Every file a meeting, an event or the deck builder is exported to goes through here: the services
the registry's kinds read (their snapshot) and record with (their audit record), and `export`, the
three steps in one thread. Each export is audited (what, for which audience, where, and a digest of
the file) whichever front end asked for it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from msldesk.boards.outputs.registry import (
    KINDS,
    EventTarget,
    ExportKind,
    PaymentsFile,
    Written,
    kind_for_file,
    kinds_of_command,
)
from msldesk.boards.records import Audience
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.core.user_files import storable_path

if TYPE_CHECKING:
    from msldesk.boards.events.service import EventService
    from msldesk.boards.meeting.service import MeetingService
    from msldesk.boards.outputs.briefing import DeckResult
    from msldesk.decks.assembly import AssemblyService
    from msldesk.protect.audit import AuditService

T = TypeVar("T")
S = TypeVar("S")
R = TypeVar("R", bound=Written)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class OutputService:
    def __init__(
        self,
        events: EventService,
        meetings: MeetingService,
        assembly: AssemblyService,
        audit: AuditService,
    ) -> None:
        self.events, self.meetings, self.assembly, self.audit = events, meetings, assembly, audit

    def record(self, kind: str, event_id: int, out: Path, audience: Audience | None = None) -> Path:
        """An event's export in the audit trail: what (`kind`), for which audience, where, and a digest
        of the file. The record step of the registry's kinds: the desktop app runs it on its
        database lane, after writing on its export lane, so SQLite keeps a single writer."""
        out = Path(out)
        details: dict[str, object] = {"file": storable_path(out.resolve()), "sha256": _sha256(out)}
        if audience is not None:
            details["audience"] = Audience(audience).value
        self.audit.record(f"export.{kind}", "event", event_id, None, details)
        return out

    def record_payments(self, year: int, out: Path, rows: int) -> None:
        """A year's payments file in the audit trail."""
        out = Path(out)
        self.audit.record(
            "export.payments", "payments", year, None,
            {"file": storable_path(out.resolve()), "sha256": _sha256(out), "rows": rows},
        )  # fmt: skip

    def export(
        self,
        kind: ExportKind[T, S, R],
        target: T,
        out: Path,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
        check: Callable[[S], object] | None = None,
        *,
        overwrite: bool = False,
    ) -> R:
        """Export `target` as `kind` in this thread (the command line, scripts): snapshot, render,
        record. A file name whose ending is not the kind's is refused before anything is read; the
        file the user named is checked before it is written (see ExportKind.write: an existing one
        is replaced only with `overwrite`); `check` sees the snapshot before the file is written
        (the CLI warns of unreviewed flags)."""
        out = kind.checked_path(out)
        data = kind.snapshot(self, target)
        if check is not None:
            check(data)
        written = kind.write(data, out, progress, cancel or CancelToken(), overwrite=overwrite)
        kind.record(self, data, written)
        return written

    # ---- shortcuts for scripts and tests: each one is export() of its kind (an existing file is
    # replaced only with overwrite=True) -----------------------------------------------------------

    def summary(
        self,
        event_id: int,
        audience: Audience,
        out: Path,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
        *,
        overwrite: bool = False,
    ) -> Path:
        target = EventTarget(event_id, audience)
        return self.export(KINDS["summary-pdf"], target, out, progress, cancel, overwrite=overwrite).path

    def readout(
        self,
        event_id: int,
        audience: Audience,
        out: Path,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
        *,
        overwrite: bool = False,
    ) -> Path:
        target = EventTarget(event_id, audience)
        return self.export(KINDS["readout"], target, out, progress, cancel, overwrite=overwrite).path

    def briefing(
        self,
        event_id: int,
        out: Path,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
        *,
        overwrite: bool = False,
    ) -> DeckResult:
        """The written deck with its warnings (agenda items that lost slides, composing notes)."""
        target = EventTarget(event_id)
        result: DeckResult = self.export(
            KINDS["briefing"], target, out, progress, cancel, overwrite=overwrite
        )
        return result

    def insights(self, event_id: int, audience: Audience, out: Path, *, overwrite: bool = False) -> Path:
        return self.export(KINDS["insights"], EventTarget(event_id, audience), out, overwrite=overwrite).path

    def attendees(self, event_id: int, out: Path, *, overwrite: bool = False) -> Path:
        """As CSV or Excel, by the file's ending."""
        kind = kind_for_file(kinds_of_command("event", "export", "--attendees"), out)
        return self.export(kind, EventTarget(event_id), out, overwrite=overwrite).path

    def calendar(self, event_id: int, out: Path, *, overwrite: bool = False) -> Path:
        return self.export(KINDS["calendar"], EventTarget(event_id), out, overwrite=overwrite).path

    def sign_in_sheet(self, event_id: int, out: Path, *, overwrite: bool = False) -> Path:
        return self.export(KINDS["sign-in-sheet"], EventTarget(event_id), out, overwrite=overwrite).path

    def payments(self, year: int, out: Path, *, overwrite: bool = False) -> int:
        """The year's payments as an Open Payments-shaped CSV; returns the number of rows."""
        written: PaymentsFile = self.export(KINDS["open-payments"], year, out, overwrite=overwrite)
        return written.rows
