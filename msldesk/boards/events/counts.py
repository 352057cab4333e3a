"""The one definition of an event's attendance counts (invited, accepted, contracted, disclosed), used
by the event list, the attendee list, the checklist and the CLI so that they always agree."""

from __future__ import annotations

from collections.abc import Iterable

from msldesk.boards.records import AttendanceCounts, AttendanceFields, AttendeeRole, Invitation


def is_external(fields: AttendanceFields) -> bool:
    return fields.role is not AttendeeRole.INTERNAL


def is_accepted_external(fields: AttendanceFields) -> bool:
    """Who is coming as a guest: counted as accepted, contracted, disclosed and paid."""
    return is_external(fields) and fields.invitation is Invitation.ACCEPTED


def count_attendance(attendances: Iterable[AttendanceFields]) -> AttendanceCounts:
    on_list = staff = invited = accepted = contracted = disclosed = 0
    for f in attendances:
        on_list += 1
        if not is_external(f):
            staff += 1
            continue
        invited += f.invitation is not Invitation.NOT_SENT
        if f.invitation is Invitation.ACCEPTED:
            accepted += 1
            contracted += f.contract_signed
            disclosed += f.coi_disclosed
    return AttendanceCounts(on_list, staff, invited, accepted, contracted, disclosed)


def counts_summary(counts: AttendanceCounts) -> str:
    """One line for the attendee list, e.g. "5 on the list (1 staff) · 4 invited · 3 accepted · …"."""
    staff = f" ({counts.staff} staff)" if counts.staff else ""
    return (
        f"{counts.on_list} on the list{staff} · {counts.invited} of {counts.external} invited · "
        f"{counts.accepted} accepted · {counts.contracted} of {counts.accepted} contracts signed · "
        f"{counts.disclosed} of {counts.accepted} COI disclosed"
    )
