"""Privacy requests about one person: export everything held about them, or erase them while keeping
the transfer-of-value records the law requires; after a restore, make the ledger's erasures again."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from msldesk.boards.erasures import Erasure, ErasureLedger, ErasureLedgerError, new_erasure_id
from msldesk.boards.orm import NoteEntryRow, PersonRow
from msldesk.boards.people.names import person_forms
from msldesk.boards.people.service import to_fields
from msldesk.boards.privacy.erase import (
    ErasurePlan,
    erase_attendance,
    erase_directory_entry,
    erase_text,
    plan_erasure,
)
from msldesk.boards.privacy.export import export_person
from msldesk.boards.privacy.mentions import Mentions, identity, linked_events, person_mentions, person_row
from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError
from msldesk.core.fileio import atomic_write_bytes, check_output_file
from msldesk.core.user_files import storable_path
from msldesk.protect import audit
from msldesk.protect.audit import AuditRow

if TYPE_CHECKING:
    from msldesk.boards.events.service import EventService
    from msldesk.boards.people.service import PeopleService
    from msldesk.protect.audit import AuditService


class PrivacyService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        people: PeopleService,
        events: EventService,
        audit_service: AuditService,
        ledger: ErasureLedger,
    ) -> None:
        self.sessions = sessions
        self.people = people
        self.events = events
        self.audit = audit_service
        self.ledger = ledger

    # -- export ----------------------------------------------------------------------------------

    def export_person(self, person_id: int) -> dict[str, Any]:
        """Everything held about one person, as plain JSON-ready data (see privacy/export.py)."""
        return export_person(self.sessions, self.events, person_id)

    def write_person_export(self, person_id: int, path: Path, *, overwrite: bool = False) -> Path:
        """Write export_person() as a JSON file (atomically); the export itself is audited. A file
        already there is replaced only with `overwrite` (see check_output_file)."""
        path = Path(path)
        if path.suffix.lower() != ".json":
            raise InvalidInputError(
                "A person's data is written as .json; choose a file name ending in .json."
            )
        check_output_file(path, overwrite=overwrite)
        data = json.dumps(self.export_person(person_id), ensure_ascii=False, indent=2).encode("utf-8")
        atomic_write_bytes(path, data)
        details = {"file": storable_path(path.resolve()), "sha256": hashlib.sha256(data).hexdigest()}
        self.audit.record("export.person_data", "person", person_id, None, details)
        return path

    # -- erasure ---------------------------------------------------------------------------------

    def erasure_plan(self, person_id: int) -> ErasurePlan:
        with self.sessions() as session:
            return plan_erasure(session, person_id)

    def erase_person(self, person_id: int, reason: str) -> tuple[ErasurePlan, Changes]:
        """Erase a person, irreversibly, in one transaction:

        - the directory entry is pseudonymized ("Erased person 17", everything else wiped), or, when
          they were paid, reduced to RETAINED_FOR_PAYMENTS;
        - attendance without a reported payment is removed; attendance with one is kept as the payment
          record (check-in time and minutes attended are wiped);
        - presenter, speaker and owner links to them are cleared, and their names and email address are
          replaced by "[Erased person]" in every free text (see `erase_text`), in any case and with
          or without accents, finalized notes included (the one change allowed there: it is audited
          per event);
        - the erasure is audited: who, when, why and what changed, by id, never the erased data;
        - it is added to the erasure ledger (as digests), so restoring an older backup makes it again.
        """
        reason = " ".join(str(reason).split())
        if not reason:
            raise InvalidInputError("Say why this person is erased (for example, the date of their request).")
        return self._erase(person_id, reason, None)

    def _erase(self, person_id: int, reason: str, again: Erasure | None) -> tuple[ErasurePlan, Changes]:
        digest = self.ledger.digest()
        erasure_id = again.erasure_id if again else new_erasure_id()
        added = False
        try:
            with self.sessions.begin() as session:
                # Deleted and overwritten records are zeroed in the file, not just unlinked.
                session.execute(text("PRAGMA secure_delete = ON"))
                plan = plan_erasure(session, person_id)
                person = person_row(session, person_id)
                fields_ = to_fields(person)
                mentions = person_mentions(fields_, linked_events(session, person_id), digest)
                erase_attendance(session, person_id, plan)
                erase_text(session, person_id, mentions, self.people.index)
                erase_directory_entry(session, person, plan, self.people.index)
                erased_entries = select(NoteEntryRow.id, NoteEntryRow.event_id).where(
                    NoteEntryRow.id.in_(plan.note_entries)
                )
                events_of = dict(session.execute(erased_entries).all())
                for event_id in plan.finalized_events:
                    changed = [e for e in plan.note_entries if events_of.get(e) == event_id]
                    audit.record(
                        session, "notes.erasure", "event", event_id, None,
                        {"person_id": person_id, "entries": changed},
                    )  # fmt: skip
                # Their name and email also leave the audit trail's content (the chain still verifies).
                audit.redact(session, mentions.erase_outside, f"erasure of person {person_id}")
                audit.record(
                    session, "person.erase", "person", person_id, None,
                    {
                        "erasure": erasure_id,
                        "reason": mentions.erase_all(reason),  # the reason may name them: stored without
                        "kept_for_payments": plan.keeps_payment_record,
                        "attendance_removed": list(plan.attendance_removed),
                        "attendance_kept": list(plan.attendance_kept),
                        "agenda_items": list(plan.presented_items),
                        "note_entries": list(plan.note_entries),
                    },
                )  # fmt: skip
                session.execute(text("PRAGMA secure_delete = OFF"))
                if again is None:  # last, so a ledger that cannot be written leaves the library as it was
                    forms = person_forms(fields_.first_name, fields_.last_name, fields_.email, digest=digest)
                    self.ledger.add(
                        Erasure(erasure_id, person_id, dt.datetime.now(dt.UTC), identity(fields_, digest),
                                tuple(forms))
                    )  # fmt: skip
                    added = True
        except BaseException:
            if added:  # the ledger was written but the transaction did not commit
                self.ledger.remove(erasure_id)
            raise
        self._checkpoint()
        return plan, Changes(people=True, events=True, notes=True)

    # -- after a restore -------------------------------------------------------------------------

    def reapply_erasures(self, restored: bool = True) -> int:
        """Make again every erasure in the ledger that the (just restored) database does not hold:
        the person is found by id, or by their digests when the id now names someone else, and
        erased as before; a person the backup does not know is still erased from its free text.
        `restored` is False at start, where no restore was just made (the message says so).
        Returns how many erasures were made again."""
        try:
            erasures = self.ledger.erasures()
        except ErasureLedgerError as exc:
            if not restored:
                raise ErasureLedgerError(
                    "The list of erasures erasures.json is damaged, so msldesk cannot make sure that "
                    "people erased earlier stay erased. Put back a good copy of erasures.json.",
                    exc.details,
                ) from exc
            raise ErasureLedgerError(
                "The backup is restored, but the list of erasures is damaged, so people erased since "
                "the backup may be back in the library. Put back a good copy of erasures.json and "
                "restore the backup again.",
                exc.details,
            ) from exc
        if not erasures:
            return 0
        digest = self.ledger.digest()
        with self.sessions() as session:
            recorded = " ".join(
                session.scalars(select(AuditRow.after_json).where(AuditRow.action == "person.erase"))
            )
        made = 0
        for erasure in erasures:
            if erasure.erasure_id in recorded:  # the backup was made after this erasure
                continue
            when = erasure.erased_at.date().isoformat()
            person_id = self._find_erased(erasure, digest)
            if person_id is not None:
                self._erase(person_id, f"made again after a restore (erasure of {when})", erasure)
            else:
                self._erase_unknown(erasure, digest, when)
            made += 1
        return made

    def _find_erased(self, erasure: Erasure, digest: Callable[[str], str]) -> int | None:
        """Their directory entry in the restored library: the same id with the same name or email,
        else (a backup of another library) the entry with the same email. A namesake elsewhere is
        not them: erasing the wrong person cannot be undone."""
        name, email = erasure.identity
        with self.sessions() as session:
            row = session.get(PersonRow, erasure.person_id)
            if row is not None and {name, email} & set(identity(to_fields(row), digest)) - {""}:
                return row.id
            for row in session.scalars(select(PersonRow).order_by(PersonRow.id)):
                if email and identity(to_fields(row), digest)[1] == email:
                    return row.id
        return None

    def _erase_unknown(self, erasure: Erasure, digest: Callable[[str], str], when: str) -> None:
        """The backup predates the person's directory entry: their names may still be in its text."""
        mentions = Mentions(list(erasure.forms), digest, set())
        with self.sessions.begin() as session:
            session.execute(text("PRAGMA secure_delete = ON"))
            erase_text(session, None, mentions, self.people.index)
            audit.redact(session, mentions.erase_outside, f"erasure of person {erasure.person_id}")
            audit.record(
                session, "person.erase", "person", erasure.person_id, None,
                {"erasure": erasure.erasure_id, "reason": f"made again after a restore (erasure of {when})",
                 "directory_entry": "not in the restored library"},
            )  # fmt: skip
            session.execute(text("PRAGMA secure_delete = OFF"))
        self._checkpoint()

    def _checkpoint(self) -> None:
        """Copy the write-ahead log into the database and empty it, so the erased data does not
        linger in old log frames. Best effort: another reader may hold the log for now."""
        with self.sessions() as session:
            session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
