"""`msldesk team push / share / insights / payments export`: this library's meeting records on the team
hub. psycopg and the push machinery load when one of these runs, never with `msldesk --help`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from msldesk.cli.exports import add_overwrite_flag
from msldesk.cli.output import EXIT_OK, EXIT_SOME_FAILED, date_arg, number_arg, print_error, print_json
from msldesk.core.errors import InvalidInputError
from msldesk.core.wording import plural


def add_record_commands(team_commands: Any) -> None:
    c = team_commands.add_parser(
        "push",
        help="send finalized meetings, transfers of value and corrections to the hub",
        description="Sends every finalized meeting not yet on the hub (as the medical audience sees it), "
        "its transfers of value, and corrections made since (as amendments). Nothing unfinalized is sent; "
        "a push cut off is completed by the next one, with nothing sent twice.",
    )
    c.add_argument("--json", action="store_true")
    c = team_commands.add_parser(
        "share",
        help="push a meeting shared with the other MSLs (or, with --private, only for you and reviewers)",
        description="Decided before the meeting is pushed: the hub never changes a pushed meeting.",
    )
    c.add_argument("event_id", type=number_arg)
    c.add_argument("--private", action="store_true", help="not shared (the default for every meeting)")
    c.add_argument("--json", action="store_true")
    c = team_commands.add_parser(
        "insights",
        help="search the team's pushed meeting notes (yours and shared ones; reviewers: everyone's)",
        description='QUERY is read as a web search: words, "a phrase", -word, or. The best matches among '
        "the newest ones come first; more words, --theme or --since reach older ones.",
    )
    c.add_argument("query", nargs="?", default="", metavar="QUERY")
    c.add_argument("--theme", default="", help="only entries with this theme")
    c.add_argument("--since", type=date_arg, help="only entries recorded on or after this day (YYYY-MM-DD)")
    c.add_argument("--limit", type=number_arg, default=200)
    c.add_argument("--json", action="store_true")
    p = team_commands.add_parser("payments", help="the team's transfers of value on the hub")
    payment_commands = p.add_subparsers(dest="team_payments_command", required=True)
    c = payment_commands.add_parser(
        "export",
        help="every MSL's transfers of value of a year as an Open Payments CSV (compliance: reviewer role)",
    )
    c.add_argument("--year", type=number_arg, required=True)
    c.add_argument("--out", type=Path, required=True)
    add_overwrite_flag(c)
    c.add_argument("--json", action="store_true")


def cmd_team_records(app: Any, args: argparse.Namespace) -> int:
    handler = {"push": _push, "share": _share, "insights": _insights, "payments": _payments}
    return handler[args.team_command](app, args)


RECORD_COMMANDS = frozenset({"push", "share", "insights", "payments"})


def _push(app: Any, args: argparse.Namespace) -> int:
    from msldesk.team.push import push_pending

    report = push_pending(app.team, app.meetings)
    if args.json:
        print_json(push_json(report))
    else:
        print_push(report)
    return EXIT_SOME_FAILED if report.problem else EXIT_OK


def push_json(report: Any) -> dict[str, Any]:
    return {"meetings": list(report.meetings), "payments": report.payments,
            "amendments": report.amendments, "additions": report.additions,
            "problem": report.problem}  # fmt: skip


def print_push(report: Any) -> None:
    """What a push sent, in words (`team push` and `team sync`)."""
    from msldesk.team.words import pushed_words

    if report.nothing and not report.problem:
        print("Nothing to push: every finalized meeting is on the team hub.")
    else:
        print(pushed_words(report))
        for title in report.meetings:
            print(f"  {title}")
    if report.problem:
        print_error(f"{report.problem} The next push sends the rest.")


def _share(app: Any, args: argparse.Namespace) -> int:
    from msldesk.team.push import set_shared

    set_shared(app.team, args.event_id, not args.private)
    if args.json:
        print_json({"event_id": args.event_id, "shared": not args.private})
    elif args.private:
        print(f"Event {args.event_id} will be pushed for you and the reviewers only.")
    else:
        print(f"Event {args.event_id} will be pushed shared with the other MSLs.")
    return EXIT_OK


def _insights(app: Any, args: argparse.Namespace) -> int:
    from msldesk.team.insights import find_insights

    if args.limit < 1:
        raise InvalidInputError("--limit must be 1 or more.")
    found = find_insights(app.team, args.query, args.theme, args.since, args.limit)
    if args.json:
        print_json([insight.__dict__ for insight in found])
        return EXIT_OK
    print(f"{plural(len(found), 'entry', 'entries')} found.")
    for insight in found:
        day = f"{insight.recorded_at.astimezone():%Y-%m-%d}"
        themes = f" [{', '.join(insight.themes)}]" if insight.themes else ""
        amended = " (amended)" if insight.amended else ""
        print(f"{day}  {insight.owner}  {insight.event_title}  {insight.kind}{themes}{amended}")
        print(f"    {insight.text}")
    return EXIT_OK


def _payments(app: Any, args: argparse.Namespace) -> int:
    from msldesk.boards.outputs.registry import KINDS
    from msldesk.core.fileio import check_output_file
    from msldesk.hub.connect import hub_errors
    from msldesk.team.insights import export_payments, open_team_hub

    # A .csv that may be written there (an existing one only with --overwrite): refused otherwise
    # before the hub is asked.
    out = check_output_file(KINDS["open-payments"].checked_path(args.out), overwrite=args.overwrite)
    connection = open_team_hub(app.team)
    try:
        with hub_errors("read the team's transfers of value"):
            rows, found = export_payments(connection, args.year, out)
    finally:
        connection.close()
    if args.json:
        print_json({"path": str(out), "rows": rows, "msls": list(found.owners), "everyone": found.everyone})
        return EXIT_OK
    print(f"Wrote {plural(rows, 'payment')} of {args.year} from {plural(len(found.owners), 'MSL')} to {out}.")
    if not found.everyone:
        print("Only your own transfers of value are in it: the hub shows every MSL's to reviewers.")
    return EXIT_OK
