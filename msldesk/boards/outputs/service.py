"""Every file a meeting or event is exported to, written through one place so each export is audited
(what, for which audience, where, and a digest of the file) whichever front end asked for it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from msldesk.boards.records import Audience
from msldesk.core.errors import InvalidInputError
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.core.user_files import storable_path

if TYPE_CHECKING:
    from msldesk.boards.events.service import EventService
    from msldesk.boards.meeting.service import MeetingService
    from msldesk.boards.outputs.briefing import DeckResult
    from msldesk.decks.assembly import AssemblyService
    from msldesk.protect.audit import AuditService


def _suffix(out: Path, allowed: tuple[str, ...], what: str) -> Path:
    out = Path(out)
    if out.suffix.lower() not in allowed:
        names = " or ".join(allowed)
        raise InvalidInputError(f"{what} is written as {names}; choose a file name ending in {names}.")
    return out


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

    def _audited(self, kind: str, event_id: int, out: Path, audience: Audience | None = None) -> Path:
        details: dict[str, object] = {"file": storable_path(Path(out).resolve()), "sha256": _sha256(out)}
        if audience is not None:
            details["audience"] = audience.value
        self.audit.record(f"export.{kind}", "event", event_id, None, details)
        return out

    def record(self, kind: str, event_id: int, out: Path, audience: Audience | None = None) -> Path:
        """Audit a file written with the writers directly: the GUI writes on its export lane and
        records here on its database lane, so SQLite keeps a single writer."""
        return self._audited(kind, event_id, Path(out), None if audience is None else Audience(audience))

    def summary(
        self,
        event_id: int,
        audience: Audience,
        out: Path,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> Path:
        from msldesk.boards.outputs.summary_pdf import write_summary_pdf

        out = _suffix(out, (".pdf",), "A summary")
        report = self.meetings.report(event_id, Audience(audience))
        write_summary_pdf(report, out, progress, cancel)
        return self._audited("summary", event_id, out, Audience(audience))

    def readout(
        self,
        event_id: int,
        audience: Audience,
        out: Path,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> Path:
        from msldesk.boards.outputs.briefing import write_readout_deck

        out = _suffix(out, (".pptx",), "A readout deck")
        write_readout_deck(self.meetings.report(event_id, Audience(audience)), out, progress, cancel)
        return self._audited("readout", event_id, out, Audience(audience))

    def briefing(
        self,
        event_id: int,
        out: Path,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> DeckResult:
        """The written deck with its warnings (agenda items that lost slides, composing notes)."""
        from msldesk.boards.outputs.briefing import write_briefing_deck

        out = _suffix(out, (".pptx",), "A briefing deck")
        result = write_briefing_deck(self.events, self.assembly, event_id, out, progress, cancel)
        self._audited("briefing", event_id, out)
        return result

    def insights(self, event_id: int, audience: Audience, out: Path) -> Path:
        from msldesk.boards.outputs.insights import write_insights

        out = _suffix(out, (".csv", ".xlsx"), "Insights")
        write_insights(self.meetings.report(event_id, Audience(audience)), out)
        return self._audited("insights", event_id, out, Audience(audience))

    def attendees(self, event_id: int, out: Path) -> Path:
        from msldesk.boards.outputs.attendee_lists import write_attendees_csv, write_attendees_xlsx

        out = _suffix(out, (".csv", ".xlsx"), "An attendee list")
        writer = write_attendees_xlsx if out.suffix.lower() == ".xlsx" else write_attendees_csv
        writer(self.events.get(event_id), self.events.attendees(event_id), out)
        return self._audited("attendees", event_id, out)

    def calendar(self, event_id: int, out: Path) -> Path:
        from msldesk.boards.outputs.ics import write_event_ics

        out = _suffix(out, (".ics",), "A calendar invitation")
        event = self.events.get(event_id)
        write_event_ics(event, self.events.agenda(event_id), self.events.attendees(event_id), out)
        return self._audited("calendar", event_id, out)

    def sign_in_sheet(self, event_id: int, out: Path) -> Path:
        from msldesk.boards.outputs.signin_sheet import write_sign_in_sheet

        out = _suffix(out, (".pdf",), "A sign-in sheet")
        write_sign_in_sheet(self.events.get(event_id), self.events.attendees(event_id), out)
        return self._audited("sign_in_sheet", event_id, out)

    def payments(self, year: int, out: Path) -> int:
        """The year's payments as an Open Payments-shaped CSV; returns the number of rows."""
        from msldesk.boards.outputs.open_payments import write_open_payments_csv

        out = _suffix(out, (".csv",), "A payments file")
        rows = write_open_payments_csv(self.events.payments(year), out, year)
        self.audit.record(
            "export.payments", "payments", year, None,
            {"file": storable_path(out.resolve()), "sha256": _sha256(out), "rows": rows},
        )  # fmt: skip
        return rows
