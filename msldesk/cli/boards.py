"""Command-line verbs for events, people and payments (the CLI half of the Boards and People sections)."""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msldesk.boards.kinds import AgendaKind, AttendeeRole, EventKind, Invitation
from msldesk.boards.outputs.registry import KINDS, EventTarget
from msldesk.cli.ask import asked
from msldesk.cli.exports import add_kind_flags, add_overwrite_flag, requested
from msldesk.cli.meeting import add_event_finalize, event_finalize
from msldesk.cli.output import EXIT_ERROR, EXIT_OK, EXIT_SOME_FAILED, datetime_arg, number_arg, print_json
from msldesk.core.errors import InvalidInputError
from msldesk.core.wording import plural

if TYPE_CHECKING:
    from msldesk.boards.records import AgendaItem, Attendance, Event, Person


def add_board_commands(commands: Any) -> None:
    """Add `events`, `event`, `people`, `fmv` and `payments` to the CLI's subparsers."""
    p = commands.add_parser("events", help="list advisory boards and workshops")
    p.add_argument("--when", choices=["upcoming", "past", "all"], default="all")
    p.add_argument("--json", action="store_true")
    _add_event_commands(commands)
    _add_people_commands(commands)
    _add_fmv_commands(commands)
    _add_payments_commands(commands)


def _add_event_commands(commands: Any) -> None:
    p = commands.add_parser("event", help="create, show, plan and export an event")
    event_commands = p.add_subparsers(dest="event_command", required=True)
    c = event_commands.add_parser("show", help="an event with its agenda, attendees and checklist")
    c.add_argument("event_id", type=number_arg)
    c.add_argument("--json", action="store_true")
    c = event_commands.add_parser("create", help="create an event")
    c.add_argument("--kind", choices=[k.value for k in EventKind], default=EventKind.ADVISORY_BOARD.value)
    c.add_argument("--title", required=True)
    c.add_argument("--start", type=datetime_arg, help="local start, e.g. 2027-03-02T09:00")
    c.add_argument("--end", type=datetime_arg, help="local end, e.g. 2027-03-02T17:00")
    c.add_argument("--tz", default="UTC", help="IANA time zone of the event, e.g. Europe/Berlin")
    c.add_argument("--venue", default="")
    c.add_argument("--virtual-link", default="")
    c.add_argument("--therapeutic-area", default="")
    c.add_argument("--product", default="")
    c.add_argument("--objectives", default="")
    c.add_argument("--json", action="store_true")
    _add_event_delete(event_commands)
    add_event_finalize(event_commands)
    c = event_commands.add_parser("agenda-add", help="append an item to an event's agenda")
    c.add_argument("event_id", type=number_arg)
    c.add_argument("--title", required=True)
    c.add_argument("--minutes", type=number_arg, required=True)
    c.add_argument("--kind", choices=[k.value for k in AgendaKind], default=AgendaKind.PRESENTATION.value)
    c.add_argument("--presenter", type=number_arg, metavar="PERSON_ID")
    c.add_argument("--questions", default="")
    c.add_argument("--json", action="store_true")
    c = event_commands.add_parser("attendee-add", help="put a person on an event's attendee list")
    c.add_argument("event_id", type=number_arg)
    c.add_argument("person_id", type=number_arg)
    c.add_argument("--role", choices=[r.value for r in AttendeeRole], default=AttendeeRole.ADVISOR.value)
    c.add_argument("--invitation", choices=[i.value for i in Invitation], default=Invitation.NOT_SENT.value)
    c.add_argument("--hours", default="0", help="honorarium hours (the rate comes from the FMV rate card)")
    c.add_argument("--json", action="store_true")
    c = event_commands.add_parser("export", help="write an invitation, attendee list or sign-in sheet")
    c.add_argument("event_id", type=number_arg)
    add_kind_flags(c, "event", "export")


def _add_people_commands(commands: Any) -> None:
    p = commands.add_parser(
        "people", help="the people directory: list, search, import, duplicates, export or erase one"
    )
    p.add_argument("--search", default="", metavar="Q")
    p.add_argument("--limit", type=number_arg, default=200)
    p.add_argument("--json", action="store_true")
    people_commands = p.add_subparsers(dest="people_command")
    c = people_commands.add_parser(
        "import", help="import people from CSV, XLSX, vCard, iCalendar, NPPES JSON"
    )
    c.add_argument("file", type=Path)
    c.add_argument("--event", type=number_arg, metavar="ID", help="also put everyone on this event's list")
    c.add_argument("--dry-run", action="store_true", help="check the file and say what would happen")
    c.add_argument(
        "--any-date",
        action="store_true",
        help="a meeting report from another day than the event: import its people only, without attendance",
    )
    c.add_argument("--json", action="store_true")
    c = people_commands.add_parser("duplicates", help="groups of records that look like one person")
    c.add_argument("--json", action="store_true")
    c = people_commands.add_parser("merge", help="merge people into the first one")
    c.add_argument("keep_id", type=number_arg)
    c.add_argument("other_ids", type=number_arg, nargs="+")
    c = people_commands.add_parser("export-data", help="everything held about one person, as JSON")
    c.add_argument("person_id", type=number_arg)
    c.add_argument("--out", type=Path, required=True, metavar="FILE.json")
    add_overwrite_flag(c)
    c = people_commands.add_parser(
        "erase", help="erase a person (irreversible; payment records the law requires are kept)"
    )
    c.add_argument("person_id", type=number_arg)
    c.add_argument("--reason", help="why, e.g. the date of their request (recorded in the audit trail)")
    c.add_argument("--yes", action="store_true", help="really erase (without it, only say what would happen)")


def _add_fmv_commands(commands: Any) -> None:
    p = commands.add_parser("fmv", help="the fair-market-value rate card (hourly rates and caps)")
    p.add_argument("--json", action="store_true")
    fmv_commands = p.add_subparsers(dest="fmv_command")
    c = fmv_commands.add_parser("set-rate", help="set the hourly rate of a tier (and specialty)")
    c.add_argument("--tier", required=True)
    c.add_argument("--specialty", default="", help="blank: any specialty of that tier")
    c.add_argument("--rate", required=True, help="hourly rate; 0 removes the rate")
    c = fmv_commands.add_parser("set-caps", help="set the currency and caps")
    c.add_argument("--currency")
    c.add_argument("--per-engagement")
    c.add_argument("--per-person-year")


def _add_event_delete(event_commands: Any) -> None:
    c = event_commands.add_parser(
        "delete",
        help="delete an event with its agenda, attendee list and meeting notes not yet finalized (it names "
        "them and asks first); refused when the Open Payments export reports payments on it or its notes "
        "are finalized",
    )
    c.add_argument("event_id", type=number_arg)
    c.add_argument("--yes", action="store_true", help="do not ask first (needed when not on a terminal)")
    c.add_argument("--json", action="store_true")


def _add_payments_commands(commands: Any) -> None:
    p = commands.add_parser("payments", help="transfers of value (honoraria, travel, expenses)")
    payment_commands = p.add_subparsers(dest="payments_command", required=True)
    payments = KINDS["open-payments"]
    c = payment_commands.add_parser(payments.cli_words[1], help=payments.command_help)
    c.set_defaults(export_kind=payments.name)
    c.add_argument("--year", type=number_arg, required=True)
    c.add_argument("--out", type=Path, required=True)
    add_overwrite_flag(c)


def _local(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


def event_json(event: Event) -> dict[str, Any]:
    data = asdict(event.fields)
    data = {"id": event.event_id, **data}
    data["attendee_count"], data["accepted_count"] = event.attendee_count, event.accepted_count
    data["counts"] = asdict(event.counts)
    return data


def person_json(person: Person) -> dict[str, Any]:
    return {"id": person.person_id, **asdict(person.fields)}


def agenda_json(item: AgendaItem) -> dict[str, Any]:
    return {
        "id": item.item_id,
        "position": item.position,
        **asdict(item.fields),
        "presenter_name": item.presenter_name,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "overruns": item.overruns,
        "note": item.note,
    }


def attendance_json(attendance: Attendance) -> dict[str, Any]:
    return {
        "id": attendance.attendance_id,
        "person": person_json(attendance.person),
        **asdict(attendance.fields),
        "warnings": list(attendance.warnings),
    }


def cmd_events(app: Any, args: argparse.Namespace) -> int:
    events = app.events.list_events(args.when)
    if args.json:
        print_json([event_json(e) for e in events])
        return EXIT_OK
    for e in events:
        f = e.fields
        print(
            f"{e.event_id:5}  {_local(f.starts_at)} {f.timezone:20} {f.status.label:10} "
            f"{e.counts.accepted}/{e.counts.external:<4} {f.kind.label:15} {f.title}"
        )
    return EXIT_OK


def cmd_event(app: Any, args: argparse.Namespace) -> int:
    from msldesk.boards.records import AgendaItemFields, AttendanceFields, EventFields

    command = args.event_command
    if command == "show":
        return _event_show(app, args)
    if command == "create":
        event, _ = app.events.create(
            EventFields(
                kind=EventKind(args.kind), title=args.title, starts_at=args.start, ends_at=args.end,
                timezone=args.tz, venue=args.venue, virtual_link=args.virtual_link,
                therapeutic_area=args.therapeutic_area, product=args.product, objectives=args.objectives,
            )
        )  # fmt: skip
        if args.json:
            print_json(event_json(event))
        else:
            print(f"Created event {event.event_id}: {event.title}")
        return EXIT_OK
    if command == "agenda-add":
        item, _ = app.events.add_agenda_item(
            args.event_id,
            AgendaItemFields(
                title=args.title, minutes=args.minutes, kind=AgendaKind(args.kind),
                presenter_id=args.presenter, questions=args.questions,
            ),
        )  # fmt: skip
        if args.json:
            print_json(agenda_json(item))
        else:
            clock = f"{_local(item.starts_at)[-5:]}–{_local(item.ends_at)[-5:]}" if item.starts_at else ""
            print(f"Added agenda item {item.item_id} {clock} {item.fields.title}")
            if item.overruns:
                print("Warning: the agenda now runs past the end of the event.")
        return EXIT_OK
    if command == "attendee-add":
        from decimal import Decimal, InvalidOperation

        try:
            hours = Decimal(args.hours)
        except InvalidOperation as exc:
            raise InvalidInputError(f"--hours must be a number, not {args.hours!r}.") from exc
        attendance, _ = app.events.add_attendee(
            args.event_id,
            args.person_id,
            AttendanceFields(
                role=AttendeeRole(args.role), invitation=Invitation(args.invitation), honorarium_hours=hours
            ),
        )
        if args.json:
            print_json(attendance_json(attendance))
        else:
            print(f"Added {attendance.person.display_name} to event {args.event_id}")
            for warning in attendance.warnings:
                print(f"Warning: {warning}")
        return EXIT_OK
    if command == "export":
        return _event_export(app, args)
    if command == "delete":
        return _event_delete(app, args)
    if command == "finalize":
        return event_finalize(app, args)
    raise InvalidInputError(f"Unknown event command {command!r}.")


def _event_delete(app: Any, args: argparse.Namespace) -> int:
    """Refused, with what to do instead, when records that must be kept would go (even with --yes);
    otherwise asked the way `deck remove` is, naming what goes with the event."""
    from msldesk.core.errors import KeptRecordsError

    plan = app.events.deletion_plan(args.event_id)  # a clear error for an unknown event, before asking
    if plan.refusal:
        raise KeptRecordsError(plan.refusal)
    takes = plan.takes()
    if not asked(
        args,
        f"Deleting event {plan.event_id} needs --yes when msldesk cannot ask on a terminal"
        + (f"; with it go {'; '.join(takes)}." if takes else "."),
        [f"With it go: {'; '.join(takes)}."] if takes else [],
        f"Delete “{plan.title}”? People stay in the directory; this cannot be undone. [y/N] ",
        "Nothing was deleted.",
    ):
        return EXIT_OK
    app.events.delete(plan.event_id)
    if args.json:
        print_json(
            {"event_id": plan.event_id, "title": plan.title, "agenda_items": plan.agenda_items,
             "attendees": plan.attendees, "attendees_with_amounts": plan.with_amounts,
             "meeting_notes": plan.notes, "rehearsal_notes": plan.rehearsal_notes}
        )  # fmt: skip
        return EXIT_OK
    print(f"deleted event {plan.event_id} “{plan.title}”" + (f" with {'; '.join(takes)}" if takes else ""))
    return EXIT_OK


def _event_show(app: Any, args: argparse.Namespace) -> int:
    event = app.events.get(args.event_id)
    agenda = app.events.agenda(args.event_id)
    attendees = app.events.attendees(args.event_id)
    checklist = app.events.checklist(args.event_id)
    if args.json:
        data = event_json(event)
        data["agenda"] = [agenda_json(i) for i in agenda]
        data["attendees"] = [attendance_json(a) for a in attendees]
        data["checklist"] = [asdict(c) for c in checklist]
        print_json(data)
        return EXIT_OK
    f = event.fields
    print(f"{f.title}  ({f.kind.label}, {f.status.label})")
    print(f"  {_local(f.starts_at)} – {_local(f.ends_at)} {f.timezone}  {f.venue or f.virtual_link}")
    print("Agenda:")
    for item in agenda:
        clock = f"{_local(item.starts_at)[-5:]}–{_local(item.ends_at)[-5:]}" if item.starts_at else "     "
        flag = "  OVERRUNS" if item.overruns else ""
        presenter = f" ({item.presenter_name})" if item.presenter_name else ""
        print(f"  {item.item_id:4} {clock} {item.fields.minutes:4} min  {item.fields.title}{presenter}{flag}")
        for line in item.note.splitlines():
            print(f"       ! {line}")
    print(f"Attendees ({len(attendees)}):")
    for a in attendees:
        fa = a.fields
        money = f"{fa.honorarium_amount} {fa.currency}" if fa.honorarium_amount else ""
        print(
            f"  {a.attendance_id:4} {a.person.display_name:30} {fa.role.label:10} "
            f"{fa.invitation.label:12} {money}"
        )
        for warning in a.warnings:
            print(f"       ! {warning}")
    done = sum(c.done for c in checklist)
    print(f"Checklist: {done} of {len(checklist)} done")
    for c in checklist:
        print(f"  [{'x' if c.done else ' '}] {c.label}  {c.detail}")
    return EXIT_OK


def _event_export(app: Any, args: argparse.Namespace) -> int:
    kind, out = requested(args)
    written = app.outputs.export(kind, EventTarget(args.event_id), out, overwrite=args.overwrite)
    print(f"Wrote {written.path}")
    return EXIT_OK


def cmd_people(app: Any, args: argparse.Namespace) -> int:
    command = args.people_command
    if command == "import":
        return _people_import(app, args)
    if command == "duplicates":
        groups = app.people.find_duplicates()
        if args.json:
            print_json([{"person_ids": list(g.person_ids), "reason": g.reason} for g in groups])
        else:
            for g in groups:
                names = ", ".join(
                    f"{p.person_id}: {p.display_name}" for p in app.people.get_many(g.person_ids)
                )
                print(f"{g.reason:40} {names}")
        return EXIT_OK
    if command == "merge":
        person, _ = app.people.merge(args.keep_id, args.other_ids)
        print(f"Merged into {person.person_id}: {person.display_name}")
        return EXIT_OK
    if command == "export-data":
        path = app.privacy.write_person_export(args.person_id, args.out, overwrite=args.overwrite)
        print(f"Wrote everything held about person {args.person_id} to {path}")
        return EXIT_OK
    if command == "erase":
        return _people_erase(app, args)
    people = app.people.search(args.search, limit=args.limit)
    if args.json:
        print_json([person_json(p) for p in people])
        return EXIT_OK
    for p in people:
        f = p.fields
        print(
            f"{p.person_id:6}  {p.display_name:30} {f.credentials:10} {f.institution[:30]:30} "
            f"{f.email:30} {f.npi}"
        )
    return EXIT_OK


def _people_import(app: Any, args: argparse.Namespace) -> int:
    from msldesk.core.errors import DateMismatchError, MsldeskError

    try:
        result = app.people_import.import_file(
            args.file, event_id=args.event, dry_run=args.dry_run, any_date=args.any_date
        )
    except MsldeskError as exc:
        message = exc.user_message
        if exc.kind == "date-mismatch":
            message += " To import its people only, without attendance, add --any-date."
        if args.json:
            print_json({"error": message, "kind": exc.kind, "error_kind": exc.kind})
            return EXIT_ERROR
        if message != exc.user_message:
            raise DateMismatchError(message, exc.details) from exc
        raise
    errors = [{"row": e.row, "message": e.message} for e in result.errors]
    if args.json:
        data = {
            "imported": result.imported,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "duplicates": result.duplicates,
            "errors": errors,
            "dry_run": result.dry_run,
            "warnings": list(result.warnings),
        }
        if args.event is not None:
            data["attendees_added"] = result.attendees_added
            data["attendance_marked"] = result.attendance_marked
            data["people_only"] = result.people_only
        print_json(data)
    else:
        verb = "Would import" if result.dry_run else "Imported"
        print(
            f"{verb} {result.imported} new, {result.updated} updated, {result.unchanged} unchanged, "
            f"{result.duplicates} repeated rows, {len(errors)} rows with errors"
        )
        if result.people_only:
            print(f"The report is from another day than event {args.event}: people only, no attendance.")
        elif args.event is not None and not result.dry_run:
            print(
                f"Added {result.attendees_added} to event {args.event}; "
                f"attendance marked for {result.attendance_marked}"
            )
        for e in errors:
            print(f"  row {e['row']}: {e['message']}")
        for warning in result.warnings:
            print(f"  note: {warning}")
    return EXIT_SOME_FAILED if errors else EXIT_OK


def _people_erase(app: Any, args: argparse.Namespace) -> int:
    import sys

    from msldesk.boards.privacy.erase import RETAINED_FOR_PAYMENTS

    if not (args.reason or "").strip():
        raise InvalidInputError(
            "Say why this person is erased with --reason (e.g. the date of their request)."
        )
    plan = app.privacy.erasure_plan(args.person_id)
    kept = ", ".join(name.replace("_", " ") for name in RETAINED_FOR_PAYMENTS)
    lines = [
        f"{plural(len(plan.attendance_removed), 'attendance record')} without payments removed",
        f"{plural(len(plan.attendance_kept), 'attendance record')} kept for payment reporting",
        f"{plural(len(plan.presented_items), 'agenda item')} no longer name them as presenter",
        f"{plural(len(plan.note_entries), 'note entry')} pseudonymized "
        f"({plural(len(plan.finalized_events), 'finalized meeting')})",
        f"directory entry reduced to: {kept}"
        if plan.keeps_payment_record
        else f"directory entry becomes “Erased person {plan.person_id}”",
    ]
    if not args.yes:
        print(f"Erasing {plan.display_name} (person {plan.person_id}) would leave:")
        for line in lines:
            print(f"  {line}")
        print("Erasure cannot be undone: run again with --yes to erase.", file=sys.stderr)
        return EXIT_ERROR
    app.privacy.erase_person(args.person_id, args.reason)
    print(f"Erased person {plan.person_id}; the erasure is recorded in the audit trail.")
    for line in lines:
        print(f"  {line}")
    return EXIT_OK


def cmd_payments(app: Any, args: argparse.Namespace) -> int:
    kind, out = requested(args)
    written = app.outputs.export(kind, args.year, out, overwrite=args.overwrite)
    print(f"Wrote {written.rows} payments for {args.year} to {args.out}")
    return EXIT_OK


def cmd_fmv(app: Any, args: argparse.Namespace) -> int:
    from dataclasses import replace
    from decimal import Decimal, InvalidOperation

    from msldesk.boards.events.fmv import Rate

    def number(value: str, what: str) -> Decimal:
        try:
            return Decimal(value)
        except InvalidOperation as exc:
            raise InvalidInputError(f"{what} must be a number, not {value!r}.") from exc

    card = app.events.rate_card()
    if args.fmv_command == "set-rate":
        key = (args.tier.casefold(), args.specialty.casefold())
        rates = [r for r in card.rates if (r.tier.casefold(), r.specialty.casefold()) != key]
        rate = number(args.rate, "--rate")
        if rate < 0:
            raise InvalidInputError("An hourly rate cannot be negative (0 removes the rate).")
        if rate > 0:
            rates.append(Rate(args.tier, args.specialty, rate))
        card = replace(card, rates=tuple(rates))
        app.events.save_rate_card(card)
    elif args.fmv_command == "set-caps":
        changes: dict[str, Any] = {}
        if args.currency:
            changes["currency"] = args.currency
        if args.per_engagement:
            changes["cap_per_engagement"] = number(args.per_engagement, "--per-engagement")
        if args.per_person_year:
            changes["cap_per_person_year"] = number(args.per_person_year, "--per-person-year")
        card = replace(card, **changes)
        app.events.save_rate_card(card)
    if args.json:
        print_json(
            {
                "currency": card.currency,
                "cap_per_engagement": card.cap_per_engagement,
                "cap_per_person_year": card.cap_per_person_year,
                "rates": [asdict(r) for r in card.rates],
            }
        )
        return EXIT_OK
    print(f"Currency {card.currency}; caps: {card.format_amount(card.cap_per_engagement)} per engagement, "
          f"{card.format_amount(card.cap_per_person_year)} per person per year")  # fmt: skip
    for r in sorted(card.rates, key=lambda r: (r.tier, r.specialty)):
        specialty = r.specialty or "(any specialty)"
        print(f"  tier {r.tier:4} {specialty:30} {card.format_amount(r.hourly_rate)}/hour")
    return EXIT_OK


BOARD_COMMANDS = {
    "events": cmd_events,
    "event": cmd_event,
    "people": cmd_people,
    "fmv": cmd_fmv,
    "payments": cmd_payments,
}
