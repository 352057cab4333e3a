"""Command-line verbs for meeting notes, their finalization and the meeting's outputs (summary PDF, decks,
insight exports)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from msldesk.boards.kinds import Audience, EntryKind
from msldesk.boards.outputs.registry import EventTarget
from msldesk.cli.ask import asked
from msldesk.cli.exports import add_kind_commands, requested
from msldesk.cli.output import EXIT_OK, date_arg, number_arg, print_json
from msldesk.core.clock import short_date
from msldesk.core.errors import InvalidInputError
from msldesk.core.wording import plural

if TYPE_CHECKING:
    from msldesk.boards.records import NoteEntry


def add_meeting_commands(commands: Any) -> None:
    """Add `note` and `export` to the CLI's subparsers."""
    p = commands.add_parser("note", help="meeting notes: add an entry, list a meeting's entries")
    note_commands = p.add_subparsers(dest="note_command", required=True)
    c = note_commands.add_parser(
        "add",
        help="add an entry (markers as in meeting mode: '! insight', '\" quote', '? question', "
        "'> action', @speaker, #theme, due:YYYY-MM-DD)",
    )
    c.add_argument("event_id", type=number_arg)
    c.add_argument("text")
    c.add_argument("--kind", choices=[k.value for k in EntryKind], default=None)
    c.add_argument(
        "--agenda-item", type=number_arg, default=None, help="agenda item id (default: the running item)"
    )
    c.add_argument("--speaker", type=number_arg, default=None, help="person id of the speaker")
    c.add_argument("--theme", action="append", default=[], help="a theme (repeat for more)")
    c.add_argument("--owner", default="", help="who does it (actions)")
    c.add_argument("--due", type=date_arg, default=None, help="due date YYYY-MM-DD (actions)")
    c.add_argument("--json", action="store_true")
    c = note_commands.add_parser(
        "merge",
        help="merge duplicate entries into the first one (entries of different speakers or kinds "
        "only with --yes; every speaker stays credited)",
    )
    c.add_argument("keep_id", type=number_arg)
    c.add_argument("other_ids", type=number_arg, nargs="+")
    c.add_argument("--yes", action="store_true", help="merge even entries of different speakers or kinds")
    c.add_argument("--json", action="store_true")
    c = note_commands.add_parser("list", help="a meeting's entries in the order they were typed")
    c.add_argument("event_id", type=number_arg)
    c.add_argument("--rehearsal", action="store_true", help="list the entries typed in rehearsals instead")
    c.add_argument("--json", action="store_true")
    c = note_commands.add_parser(
        "delete-rehearsal", help="delete every entry typed in a rehearsal of the meeting, in one go"
    )
    c.add_argument("event_id", type=number_arg)

    p = commands.add_parser("export", help="a meeting's summary PDF, briefing or readout deck, insights")
    add_kind_commands(p.add_subparsers(dest="export_command", required=True), "export")


def add_event_finalize(event_commands: Any) -> None:
    """`event finalize`: what the review tab's Finalize does, for scripts (and the team hub's push)."""
    c = event_commands.add_parser(
        "finalize",
        help="finalize a meeting's notes as the review tab does: they become read-only and later "
        "corrections are kept as amendments (it asks first; --yes in scripts)",
    )
    c.add_argument("event_id", type=number_arg)
    c.add_argument("--yes", action="store_true", help="do not ask first (needed when not on a terminal)")
    c.add_argument("--json", action="store_true")


def event_finalize(app: Any, args: argparse.Namespace) -> int:
    """The review tab's checks (already finalized, nothing to finalize) and question, then the one
    service call the tab makes (MeetingService.finalize: its own refusals, its audit record)."""
    from zoneinfo import ZoneInfo

    from msldesk.boards.meeting.base import FinalizedError

    meetings, event = app.meetings, app.events.get(args.event_id)  # a clear error for an unknown event
    zone, name = ZoneInfo(event.fields.timezone), f"event {event.event_id} “{event.title}”"
    done = meetings.finalized_at(event.event_id)
    if done is not None:
        done = done.astimezone(zone)
        raise FinalizedError(
            f"The notes of {name} were already finalized on {short_date(done)} {done:%H:%M}; "
            "corrections are kept as amendments."
        )
    entries = meetings.entries(event.event_id)
    if not entries and meetings.draft(event.event_id) is None:
        raise InvalidInputError(f"There are no meeting notes to finalize for {name}.")
    flagged = sum(e.needs_review for e in entries)
    waiting = plural(flagged, "flagged entry", "flagged entries")
    waiting += f" still need{'s' if flagged == 1 else ''} review."
    if not asked(
        args,
        f"Finalizing the notes of {name} needs --yes when msldesk cannot ask on a terminal"
        + (f"; {waiting}" if flagged else "."),
        [waiting] if flagged else [],
        f"Finalize the notes of {name}? They become read-only; later corrections are kept as amendments "
        "beside the original. Key insights, reviews and the summary stay editable. [y/N] ",
        "Nothing was finalized.",
    ):
        return EXIT_OK
    meetings.finalize(event.event_id)
    when = meetings.finalized_at(event.event_id)
    entries = meetings.entries(event.event_id)  # a draft left in meeting mode is an entry now
    if args.json:
        print_json({"event_id": event.event_id, "title": event.title, "finalized_at": when,
                    "entries": len(entries), "needing_review": flagged})  # fmt: skip
    else:
        print(f"Finalized the notes of {name} ({plural(len(entries), 'entry', 'entries')}): "
              "corrections are now kept as amendments.")  # fmt: skip
    return EXIT_OK


def entry_json(entry: NoteEntry) -> dict[str, Any]:
    return {
        "id": entry.entry_id,
        "event_id": entry.event_id,
        **asdict(entry.fields),
        "text": entry.text,
        "original_text": entry.fields.text,
        "created_at": entry.created_at,
        "edited_at": entry.edited_at,
        "speaker_name": entry.speaker_name,
        "owner_name": entry.owner_name,
        "agenda_title": entry.agenda_title,
        "agenda_item_removed": entry.item_removed,  # agenda_title is the removed item's
        "flag_terms": list(entry.flag_terms),
        "flagged": entry.flagged,
        "speakers": [{"name": name, "role": role} for name, role in entry.speakers],
        "merged": [asdict(part) for part in entry.merged_parts],
        "amendments": [asdict(a) for a in entry.amendments],
    }


def cmd_note(app: Any, args: argparse.Namespace) -> int:
    if args.note_command == "delete-rehearsal":
        deleted, _ = app.meetings.delete_rehearsal(args.event_id)
        print(f"Deleted {deleted} rehearsal {'entry' if deleted == 1 else 'entries'}.")
        return EXIT_OK
    if args.note_command == "list":
        entries = app.meetings.entries(args.event_id, rehearsal=args.rehearsal)
        if args.json:
            print_json([entry_json(e) for e in entries])
            return EXIT_OK
        for e in entries:
            who = f" ({e.speaker_name})" if e.speaker_name else ""
            flag = "  [flagged: " + ", ".join(e.flag_terms) + "]" if e.flagged else ""
            print(f"{e.entry_id:5}  {e.created_at:%Y-%m-%d %H:%M:%S}  {e.kind.label:9} {e.text}{who}{flag}")
        return EXIT_OK
    if args.note_command == "merge":
        # Refused with error_kind "merge-needs-confirmation" (nothing merged) unless --yes.
        entry, _ = app.meetings.merge_entries(args.keep_id, args.other_ids, confirmed=args.yes)
        if args.json:
            print_json(entry_json(entry))
        else:
            who = "; ".join(name for name, _role in entry.speakers if name)
            print(
                f"Merged {len(entry.merged_ids)} into entry {entry.entry_id}: {entry.text}"
                + (f" ({who})" if who else "")
            )
        return EXIT_OK
    agenda_item: Any = args.agenda_item
    kwargs: dict[str, Any] = {} if agenda_item is None else {"agenda_item_id": agenda_item}
    entry, _ = app.meetings.add_entry(
        args.event_id,
        args.text,
        kind=EntryKind(args.kind) if args.kind else None,
        speaker_id=args.speaker,
        themes=args.theme,
        owner=args.owner,
        due=args.due,
        **kwargs,
    )
    if args.json:
        print_json(entry_json(entry))
    else:
        print(f"Added {entry.kind.label.lower()} {entry.entry_id}: {entry.text}")
    if entry.flagged:
        # Said on stderr as well, so a script sees it even with --json.
        terms = ", ".join(entry.flag_terms)
        print(f"msldesk: entry {entry.entry_id} is flagged for review (restricted: {terms})", file=sys.stderr)
    return EXIT_OK


def cmd_export(app: Any, args: argparse.Namespace) -> int:
    kind, out = requested(args)
    target = EventTarget(args.event_id, Audience(getattr(args, "audience", Audience.MEDICAL)))

    def warn(data: Any) -> None:
        if kind.review_first and data.needing_review:
            print(
                f"msldesk: {data.needing_review} flagged entries have not been reviewed yet.", file=sys.stderr
            )

    written = app.outputs.export(kind, target, out, check=warn, overwrite=args.overwrite)
    print(f"Wrote {out}")
    for warning in written.warnings:  # a briefing's agenda items that lost slides, composing notes
        print(f"  note: {warning}")
    return EXIT_OK


MEETING_COMMANDS = {"note": cmd_note, "export": cmd_export}
