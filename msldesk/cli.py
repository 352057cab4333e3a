"""The msldesk command line: the same services as the desktop app, without Qt."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from msldesk.errors import MsldeskError

EXIT_OK, EXIT_SOME_FAILED, EXIT_ERROR = 0, 1, 2


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="msldesk", description="msldesk command line")
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
    p.add_argument("deck_id", type=int)
    p.add_argument("--json", action="store_true")

    p = commands.add_parser("search", help="full-text search over slides")
    p.add_argument("query")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--include-expired", action="store_true")
    p.add_argument("--tag", default="")
    p.add_argument("--therapeutic-area", default="")

    p = commands.add_parser("deck", help="edit a deck")
    deck_commands = p.add_subparsers(dest="deck_command", required=True)
    s = deck_commands.add_parser("set", help="set approval data and tags")
    s.add_argument("deck_id", type=int)
    s.add_argument("--title")
    s.add_argument("--approval-code")
    s.add_argument("--approved", type=_date)
    s.add_argument("--expires", type=_date)
    s.add_argument("--withdrawn", choices=["yes", "no"])
    s.add_argument("--therapeutic-area")
    s.add_argument("--product")
    s.add_argument("--audience")
    s.add_argument("--tag", action="append", default=[], help="add a tag (repeatable)")
    s.add_argument("--json", action="store_true")

    p = commands.add_parser("thumbnails", help="render missing slide thumbnails")
    p.add_argument("--wait", action="store_true", help="block until rendering is done")
    p.add_argument("--retry-failed", action="store_true")
    return parser


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, default=_json_default))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.data_dir is not None:
        os.environ["MSLDESK_DATA_DIR"] = str(args.data_dir)
    from msldesk.app import App

    try:
        app = App(args.data_dir)
    except MsldeskError as exc:
        print(f"msldesk: {exc.user_message}", file=sys.stderr)
        return EXIT_ERROR
    try:
        handler = COMMANDS[args.command]
        return handler(app, args)
    except MsldeskError as exc:
        print(f"msldesk: {exc.user_message}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`msldesk decks | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    finally:
        app.close()


def _cmd_import(app: Any, args: argparse.Namespace) -> int:
    failed = 0
    for outcome in app.decks.import_paths(args.paths):
        failed += outcome.status == "failed"
        if args.json:
            _print_json(outcome.as_json())
        else:
            line = f"{outcome.status:10} {outcome.path}"
            if outcome.deck_id is not None:
                line += f"  (deck {outcome.deck_id}, {outcome.slides} slides)"
            if outcome.status == "failed":
                line += f"  {outcome.error_kind}: {outcome.message}"
            print(line)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _deck_json(deck: Any) -> dict[str, Any]:
    data = asdict(deck)
    data["status"] = deck.status.value
    return data


def _cmd_decks(app: Any, args: argparse.Namespace) -> int:
    decks = app.decks.list_decks()
    if args.json:
        _print_json([_deck_json(d) for d in decks])
    else:
        for d in decks:
            print(f"{d.deck_id:5}  {d.status.label:14} {d.slide_count:4} slides  v{d.version}  {d.title}")
    return EXIT_OK


def _cmd_slides(app: Any, args: argparse.Namespace) -> int:
    slides = app.decks.list_slides(args.deck_id)
    if args.json:
        _print_json(
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
        _print_json(
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
        _print_json(_deck_json(deck))
    else:
        print(f"{deck.deck_id}  {deck.status.label}  {deck.title}  tags: {', '.join(deck.tags)}")
    return EXIT_OK


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
    failed = [d for d in app.decks.list_decks() if d.thumbnail_state == "failed"]
    for deck in failed:
        print(f"no thumbnails for deck {deck.deck_id} ({deck.title}): {deck.thumbnail_error}")
    return EXIT_SOME_FAILED if failed else EXIT_OK


COMMANDS = {
    "import": _cmd_import,
    "decks": _cmd_decks,
    "slides": _cmd_slides,
    "search": _cmd_search,
    "deck": _cmd_deck,
    "thumbnails": _cmd_thumbnails,
}
