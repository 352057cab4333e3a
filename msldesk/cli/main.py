"""The msldesk command line: the same services as the desktop app, without Qt."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from msldesk.boards.outputs.registry import DECK
from msldesk.cli.admin import (
    ADMIN_COMMANDS,
    add_admin_commands,
    restore_command_for,
    restore_unavailable_library,
    terminal_passphrase_provider,
)
from msldesk.cli.ask import asked, event_use_json
from msldesk.cli.boards import BOARD_COMMANDS, add_board_commands
from msldesk.cli.collections import COLLECTION_COMMANDS, add_collection_commands
from msldesk.cli.exports import add_overwrite_flag, requested
from msldesk.cli.hub import add_hub_commands, run_hub
from msldesk.cli.meeting import MEETING_COMMANDS, add_meeting_commands
from msldesk.cli.output import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_SOME_FAILED,
    date_arg,
    number_arg,
    print_error,
    print_json,
)
from msldesk.cli.team import TEAM_COMMANDS, add_team_commands
from msldesk.core.errors import InvalidInputError, LibraryUnavailableError, MsldeskError, ReadOnlyLibraryError
from msldesk.core.user_files import display_name
from msldesk.core.wording import plural

# Read-only commands served by msldesk.app.light_reader when the library allows it (see _open_library).
LIGHT_COMMANDS = frozenset({"decks"})


def build_parser() -> argparse.ArgumentParser:
    from msldesk import __version__

    parser = argparse.ArgumentParser(prog="msldesk", description="msldesk command line")
    parser.add_argument("--version", action="version", version=f"msldesk {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="library folder (default: $MSLDESK_DATA_DIR or the user data folder)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("import", help="import decks (files or folders, recursive)")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--json", action="store_true", help="one JSON object per file per line")

    p = commands.add_parser("decks", help="list the decks in the library")
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("slides", help="list the slides of a deck")
    p.add_argument("deck_id", type=number_arg)
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("search", help="full-text search over slides")
    p.add_argument("query")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=number_arg, default=20)
    p.add_argument("--include-expired", action="store_true")
    p.add_argument("--tag", default="")
    p.add_argument("--therapeutic-area", default="")

    p = commands.add_parser("deck", help="edit a deck")
    deck_commands = p.add_subparsers(dest="deck_command", required=True)
    c = deck_commands.add_parser("companions", help="slides that must follow a slide of this deck")
    c.add_argument("deck_id", type=number_arg)
    c.add_argument("slide_number", type=number_arg)
    c.add_argument("companion_numbers", nargs="*", type=number_arg, help="none: clear")
    s = deck_commands.add_parser("set", help="set approval data and tags")
    s.add_argument("deck_id", type=number_arg)
    s.add_argument("--title")
    s.add_argument("--approval-code")
    s.add_argument("--approved", type=date_arg)
    s.add_argument("--expires", type=date_arg)
    s.add_argument("--withdrawn", choices=["yes", "no"])
    s.add_argument("--therapeutic-area")
    s.add_argument("--product")
    s.add_argument("--audience")
    s.add_argument("--tag", action="append", default=[], help="add a tag (repeatable)")
    s.add_argument("--json", action="store_true")
    r = deck_commands.add_parser(
        "remove",
        help="remove a deck from the library (its slides leave search, saved collections and event "
        "agendas, which keep a note of it)",
    )
    r.add_argument("deck_id", type=number_arg)
    r.add_argument("--yes", action="store_true", help="do not ask first (needed when not on a terminal)")
    r.add_argument("--json", action="store_true")

    _add_compose_command(commands)
    add_collection_commands(commands)

    p = commands.add_parser("thumbnails", help="render missing slide thumbnails")
    p.add_argument("--wait", action="store_true", help="block until rendering is done")
    p.add_argument("--retry-failed", action="store_true")

    add_board_commands(commands)
    add_meeting_commands(commands)
    add_admin_commands(commands)
    add_team_commands(commands)
    add_hub_commands(commands)
    return parser


def _add_compose_command(commands: Any) -> None:
    """`compose`: the export registry's deck, built from library slides or a saved collection."""
    p = commands.add_parser(DECK.cli_words[0], help=DECK.command_help)
    p.set_defaults(export_kind=DECK.name)
    p.add_argument("--out", type=Path, required=True, help="the deck to write (.pptx)")
    add_overwrite_flag(p)
    p.add_argument("--collection", help="use the slides of this saved collection")
    p.add_argument("slide_ids", nargs="*", type=number_arg, metavar="SLIDE_ID")
    p.add_argument("--title", default="")
    p.add_argument(
        "--override",
        action="append",
        default=[],
        metavar="SLIDE_ID=REASON",
        help="use an expired or withdrawn slide anyway; the reason is recorded (repeatable)",
    )
    p.add_argument("--no-bom-slide", action="store_true", help="no bill-of-materials appendix slide")
    p.add_argument("--cover", metavar="SUBTITLE", help="start with a generated title slide (title: --title)")
    p.add_argument("--json", action="store_true")


# What works in a read-only library folder. Every other command is refused before it starts: a
# write would fail half-way (after an export file was written, say), and LibreOffice, import and
# compose need the library's own scratch and store folders.
_READING = {"decks", "slides", "search", "collections", "events", "audit", "backup", "check"}
_READING_SUBCOMMANDS = {
    ("event", "show"),
    ("note", "list"),
    ("people", None),
    ("people", "duplicates"),
    ("fmv", None),
    ("team", "status"),
    ("team", "insights"),  # they read the hub, not the library
    ("team", "payments"),
}


def writes_library(args: argparse.Namespace) -> bool:
    if args.command in _READING or (args.command == "restore" and args.check):
        return False
    sub = getattr(args, f"{args.command}_command", None)
    return (args.command, sub) not in _READING_SUBCOMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "hub":  # the team hub's administration opens no library
        return run_hub(args)
    if args.data_dir is not None:
        os.environ["MSLDESK_DATA_DIR"] = str(args.data_dir)
    try:
        app = _open_library(args)
    except LibraryUnavailableError as exc:
        if args.command == "restore":  # the way out of a missing or damaged library
            return restore_unavailable_library(args)
        return _library_unavailable(exc)
    except MsldeskError as exc:
        print_error(exc.user_message)
        return EXIT_ERROR
    try:
        if app.read_only and writes_library(args):
            raise ReadOnlyLibraryError.for_folder(app.paths.root)
        handler = COMMANDS[args.command]
        return handler(app, args)
    except LibraryUnavailableError as exc:
        return _library_unavailable(exc)
    except MsldeskError as exc:
        print_error(exc.user_message)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`msldesk decks | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        from msldesk.protect.library_guard import damage_behind

        damaged = damage_behind(app.paths, exc)  # a page found unreadable after the start's check
        if damaged is None:
            raise
        return _library_unavailable(damaged)
    finally:
        app.close()


def _open_library(args: argparse.Namespace) -> Any:
    """A light command reads an existing, current library without the full start (no SQLAlchemy, no
    migration check, no full page check: a damaged page it meets still says "damaged"); everything
    else, and a library that needs more than reading, gets the whole App."""
    if args.command in LIGHT_COMMANDS:
        from msldesk.app.light_reader import open_for_reading

        reader = open_for_reading(args.data_dir, terminal_passphrase_provider())
        if reader is not None:
            return reader
    from msldesk.app.services import App

    return App(args.data_dir, passphrase_provider=terminal_passphrase_provider())


def _library_unavailable(error: LibraryUnavailableError) -> int:
    """The library's database is missing or damaged: say so, and the command that restores it."""
    print_error(error.user_message)
    which = "the newest backup" if error.newest_backup is not None else "a backup"
    print(f"To restore {which}, run:\n  {restore_command_for(error)}", file=sys.stderr)
    return EXIT_ERROR


def _cmd_import(app: Any, args: argparse.Namespace) -> int:
    failed = 0
    for outcome in app.decks.import_paths(args.paths):
        failed += outcome.status == "failed"
        if args.json:
            print_json(outcome.as_json())
        else:
            line = f"{outcome.status:10} {outcome.path}"
            if outcome.deck_id is not None:
                line += f"  (deck {outcome.deck_id}, {plural(outcome.slides, 'slide')})"
            if outcome.status == "failed":
                line += f"  {outcome.error_kind}: {outcome.message}"
            elif outcome.message:
                line += f"  note: {outcome.message}"  # e.g. only the first slides were imported
            print(line)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _deck_json(deck: Any) -> dict[str, Any]:
    data = asdict(deck)
    data["status"] = deck.status.value
    return data


def _cmd_decks(app: Any, args: argparse.Namespace) -> int:
    decks = app.decks.list_decks()
    if args.json:
        print_json([_deck_json(d) for d in decks])
    else:
        for d in decks:
            slides = plural(d.slide_count, "slide")
            team = "  (Team)" if d.is_team else ""
            print(f"{d.deck_id:5}  {d.status.label:14} {slides:>11}  v{d.version}  {d.title}{team}")
    return EXIT_OK


def _cmd_slides(app: Any, args: argparse.Namespace) -> int:
    slides = app.decks.list_slides(args.deck_id)
    if args.json:
        print_json(
            [
                {
                    "slide_id": s.slide_id,
                    "number": s.number,
                    "title": s.title,
                    "text": s.text,
                    "notes": s.notes,
                    "thumbnail": s.thumbnail,
                    "layout": s.layout,
                    "hidden": s.hidden,
                    "change": s.change,
                    "tags": list(s.tags),
                    "has_chart": s.has_chart,
                    "has_table": s.has_table,
                    "has_picture": s.has_picture,
                    "has_media": s.has_media,
                }
                for s in slides
            ]
        )
    else:
        for s in slides:
            print(f"{s.slide_id:7}  #{s.number:<3} {s.display_title}")
    return EXIT_OK


def _cmd_search(app: Any, args: argparse.Namespace) -> int:
    from msldesk.decks.records import SearchFilters

    hits = app.decks.search(
        args.query,
        SearchFilters(
            include_expired=args.include_expired,
            tag=args.tag,
            therapeutic_area=args.therapeutic_area,
        ),
        limit=args.limit,
    )
    if args.json:
        print_json(
            [
                {
                    "deck_id": h.deck_id,
                    "deck_title": h.deck_title,
                    "slide_id": h.slide_id,
                    "number": h.number,
                    "title": h.title,
                    "snippet": h.snippet,
                    "status": h.status.value,
                }
                for h in hits
            ]
        )
    else:
        for h in hits:
            snippet = h.snippet.replace("<b>", "[").replace("</b>", "]")
            print(f"{h.slide_id:7}  {h.deck_title} #{h.number}: {h.title}\n         {snippet}")
    return EXIT_OK


def _cmd_deck(app: Any, args: argparse.Namespace) -> int:
    from msldesk.decks.records import DeckUpdate

    if args.deck_command == "companions":
        app.decks.deck(args.deck_id)  # a clear error for an unknown deck
        app.assembly.set_companions(args.deck_id, args.slide_number, args.companion_numbers)
        followers = args.companion_numbers or "nothing"
        print(f"deck {args.deck_id} slide {args.slide_number} is followed by: {followers}")
        return EXIT_OK
    if args.deck_command == "remove":
        return _remove_deck(app, args)

    app.decks.update_deck(
        args.deck_id,
        DeckUpdate(
            title=args.title,
            approval_code=args.approval_code,
            approved_on=args.approved,
            expires_on=args.expires,
            withdrawn=None if args.withdrawn is None else args.withdrawn == "yes",
            therapeutic_area=args.therapeutic_area,
            product=args.product,
            audience=args.audience,
            add_tags=tuple(args.tag),
        ),
    )
    deck = app.decks.deck(args.deck_id)
    if args.json:
        print_json(_deck_json(deck))
    else:
        print(f"{deck.deck_id}  {deck.status.label}  {deck.title}  tags: {', '.join(deck.tags)}")
    return EXIT_OK


def _remove_deck(app: Any, args: argparse.Namespace) -> int:
    plan = app.decks.removal_plan(args.deck_id)  # a clear error for an unknown deck, before asking
    deck = plan.deck
    used = "; ".join(u.describe() for u in plan.in_use)
    if not asked(
        args,
        f"Removing deck {deck.deck_id} needs --yes when msldesk cannot ask on a terminal."
        + (f" Its slides are on agendas: {used}." if used else ""),
        _removal_lines(plan),
        f"Remove “{deck.title}” ({plural(deck.slide_count, 'slide')}) from the library? [y/N] ",
        "Nothing was removed.",
    ):
        return EXIT_OK
    removal = app.decks.remove_deck(deck.deck_id)
    if args.json:
        data = asdict(removal)
        data.pop("in_use")
        data["events"] = [event_use_json(u) for u in removal.in_use if u.kind == "event"]
        print_json(data)
        return EXIT_OK
    print(f"removed deck {removal.deck_id} “{removal.title}” ({plural(removal.slides, 'slide')})")
    for name in removal.collections:
        print(f"  its slides left the collection “{name}”")
    for use in removal.in_use:
        print(f"  its slides left the agenda of {use.describe()} (each item keeps a note)")
    for leftover in removal.files_left:
        print(f"  note: a file could not be deleted ({leftover})", file=sys.stderr)
    return EXIT_OK


def _removal_lines(plan: Any) -> list[str]:
    """What a deck removal takes from where, said before the question."""
    lines = []
    if plan.in_use:
        lines.append(
            f"Its slides are on the agenda of {plural(len(plan.in_use), 'event')}; the agenda items "
            "lose them and keep a note saying so:"
        )
        lines.extend(f"  {use.describe()}" for use in plan.in_use)
    if plan.collections:
        names = ", ".join(f"“{name}”" for name in plan.collections)
        lines.append(f"Its slides leave {plural(len(plan.collections), 'saved collection')}: {names}")
    return lines


def _cmd_thumbnails(app: Any, args: argparse.Namespace) -> int:
    from msldesk.decks.thumbnails import INSTALL_HINT

    if not app.decks.can_render_thumbnails:
        print(f"msldesk: LibreOffice was not found. {INSTALL_HINT}", file=sys.stderr)
        return EXIT_ERROR
    pending = app.decks.pending_thumbnail_slides()
    if not args.wait:
        if pending:
            # Hand the work to a detached process so the shell is free at once.
            subprocess.Popen(
                [sys.executable, "-m", "msldesk", "--data-dir", str(app.paths.root), "thumbnails", "--wait"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        print(f"Rendering thumbnails for {pending} slides in the background.")
        return EXIT_OK

    interactive = sys.stderr.isatty()
    last_tenth = {"value": -1}

    def progress(done: int, total: int, message: str) -> None:
        if interactive:
            print(f"\r{message}: {done}/{total} slides", end="", file=sys.stderr, flush=True)
        elif total and (tenth := done * 10 // total) != last_tenth["value"]:
            last_tenth["value"] = tenth  # logs get a line per 10 %, not one per slide
            print(f"{message}: {done}/{total} slides", file=sys.stderr, flush=True)

    app.decks.render_thumbnails(progress, retry_failed=args.retry_failed)
    if interactive:
        print(file=sys.stderr)
    decks = app.decks.list_decks()
    for deck in decks:
        if deck.thumbnail_note:
            print(f"note for deck {deck.deck_id} ({deck.title}): {deck.thumbnail_note}")
    failed = [d for d in decks if d.thumbnail_state == "failed"]
    for deck in failed:
        print(f"no thumbnails for deck {deck.deck_id} ({deck.title}): {deck.thumbnail_error}")
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _parse_overrides(values: list[str]) -> dict[int, str]:
    overrides: dict[int, str] = {}
    for value in values:
        slide, sep, reason = value.partition("=")
        if not sep or not slide.strip().isdigit() or not reason.strip():
            raise InvalidInputError(f"--override takes SLIDE_ID=REASON, not {value!r}.")
        overrides[int(slide)] = reason.strip()
    return overrides


def _cmd_compose(app: Any, args: argparse.Namespace) -> int:
    from msldesk.decks.assembly import DeckRequest

    if bool(args.collection) == bool(args.slide_ids):
        raise InvalidInputError("Give either --collection NAME or slide ids, not both or neither.")
    kind, out = requested(args)
    slide_ids = (
        list(app.assembly.collection(args.collection).slide_ids) if args.collection else args.slide_ids
    )

    def progress(done: int, total: int, message: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{message}", end="", file=sys.stderr, flush=True)

    leading = []
    if args.cover is not None:
        from msldesk.decks.slide_specs import TitleSlide

        leading.append(TitleSlide(args.title or display_name(out.stem), args.cover))
    request = DeckRequest(
        tuple(slide_ids),
        args.title,
        _parse_overrides(args.override),
        bill_of_materials_slide=not args.no_bom_slide,
        leading=tuple(leading),
    )
    result = app.outputs.export(kind, request, out, progress, overwrite=args.overwrite)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        print_json(
            {
                "path": str(result.path),
                "bill_of_materials": str(result.bill_of_materials),
                "slides": result.slides,
                "warnings": list(result.warnings),
                "items": [
                    {
                        "slide_id": i.slide_id,
                        "deck_id": i.deck_id,
                        "version": i.version,
                        "number": i.number,
                        "approval_code": i.approval_code,
                        "status": i.status.value,
                        "companion_of": i.companion_of,
                        "override_reason": i.override_reason,
                    }
                    for i in result.items
                ],
            }
        )
    else:
        print(f"wrote {result.path} ({plural(result.slides, 'slide')}) and {result.bill_of_materials}")
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


COMMANDS = {
    "import": _cmd_import,
    "decks": _cmd_decks,
    "slides": _cmd_slides,
    "search": _cmd_search,
    "deck": _cmd_deck,
    "thumbnails": _cmd_thumbnails,
    "compose": _cmd_compose,
    **COLLECTION_COMMANDS,
    **BOARD_COMMANDS,
    **MEETING_COMMANDS,
    **ADMIN_COMMANDS,
    **TEAM_COMMANDS,
}
