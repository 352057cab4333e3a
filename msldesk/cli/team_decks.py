"""`msldesk team publish`, `withdraw` and `sync`: the approved library between the hub and this one.
psycopg loads with the command, never with the parser."""

from __future__ import annotations

import argparse
from typing import Any

from msldesk.cli.output import EXIT_OK, EXIT_SOME_FAILED, number_arg, print_json
from msldesk.core.wording import plural


def add_deck_flow_commands(team_commands: Any) -> None:
    c = team_commands.add_parser(
        "publish",
        help="publish decks of this library to the team hub (publishers)",
        description="Uploads each deck's file (only what the hub lacks; a cut-off upload resumes) and its "
        "approval data, tags and companions. Publishing a deck again publishes a new revision; a deck "
        "withdrawn on the hub is reinstated (clear its withdrawn mark here first: msldesk deck set ID "
        "--withdrawn no).",
    )
    c.add_argument("deck_ids", metavar="DECK_ID", type=number_arg, nargs="+")
    c.add_argument("--json", action="store_true")
    c = team_commands.add_parser(
        "withdraw", help="withdraw a published deck from every library at its next sync (publishers)"
    )
    c.add_argument("deck", metavar="DECK_ID", help="the deck's id in this library, or its hub uid")
    c.add_argument("--reason", required=True, help="why: every MSL's library records it")
    c.add_argument("--json", action="store_true")
    c = team_commands.add_parser(
        "sync",
        help="bring the team's published decks into this library as Team decks (read-only here)",
        description="Reads what the hub published or withdrew since the last sync. Your own decks are never "
        "uploaded. A sync cut off half-way is run again: it resumes with nothing twice and nothing missed.",
    )
    c.add_argument("--json", action="store_true")


def cmd_deck_flow(app: Any, args: argparse.Namespace) -> int:
    from msldesk.team.publish import DeckPublisher

    if args.team_command == "sync":
        return _sync(app, args)
    publisher = DeckPublisher(app.team, app.decks)
    if args.team_command == "publish":
        done = publisher.publish(args.deck_ids)
        if args.json:
            print_json([vars(d) for d in done])
        for d in [] if args.json else done:
            sent = f", {plural(d.chunks_sent, 'chunk')} sent" if d.chunks_sent else ""
            print(f"{d.outcome:10} deck {d.deck_id} “{d.title}”: hub deck {d.hub_uid} r{d.revision}{sent}")
        return EXIT_OK
    withdrawn = publisher.withdraw(args.deck, args.reason)
    if args.json:
        print_json(vars(withdrawn))
    else:
        print(
            f"Withdrew “{withdrawn.title}” on the team hub: each library marks it withdrawn at its next sync."
        )
    return EXIT_OK


def _sync(app: Any, args: argparse.Namespace) -> int:
    from msldesk.cli.team_records import print_push, push_json
    from msldesk.team.sync import sync_team
    from msldesk.team.words import ARRIVED, INCOMPLETE, pulled_words, use_words

    done = sync_team(app.team, app.decks, app.meetings, app.paths.cache / "team")
    report = done.pulled
    if args.json:
        print_json(
            {
                "complete": report.complete,
                "full": report.full,
                "files_fetched": report.files_fetched,
                "bytes_fetched": report.bytes_fetched,
                "decks": [vars(d) for d in report.decks],
                "withdrawn_used_in": [vars(u) for u in report.uses],
                "pushed": push_json(done.pushed),
            }
        )
        return EXIT_OK if done.complete else EXIT_SOME_FAILED
    print(pulled_words(report))
    if report.files_fetched:
        print(f"Fetched {plural(report.files_fetched, 'file')} ({report.bytes_fetched:,} bytes).")
    for d in report.decks:
        if d.outcome in (*ARRIVED, "failed"):
            line = f"  {d.outcome:10} deck {d.deck_id if d.deck_id is not None else '-'}  {d.title}"
            print(line + (f": {d.message}" if d.message else ""))
    for use in report.uses:
        print(f"Warning: {use_words(use)}")
    if not report.complete:
        print(INCOMPLETE)
    print_push(done.pushed)
    return EXIT_OK if done.complete else EXIT_SOME_FAILED
