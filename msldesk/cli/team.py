"""`msldesk team ...`: this library's link to the team hub (connect, status, disconnect). The hub's
password is read from a prompt or standard input, kept out of the connection string, never printed."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any

from msldesk.cli.ask import secret_from_stdin
from msldesk.cli.output import EXIT_OK, EXIT_SOME_FAILED, print_error, print_json
from msldesk.cli.team_decks import add_deck_flow_commands, cmd_deck_flow
from msldesk.cli.team_records import RECORD_COMMANDS, add_record_commands, cmd_team_records
from msldesk.core.errors import InvalidInputError

if TYPE_CHECKING:
    from msldesk.team.push import PendingRecords
    from msldesk.team.records import TeamStatus

_PASSWORD_IN = {
    "keyring": "The password is kept in the system keyring.",
    "library": "There is no usable keyring, so the password is kept in this encrypted library.",
    "none": "No password is kept: PostgreSQL's own ways find it (~/.pgpass, $PGPASSWORD).",
}


def add_team_commands(commands: Any) -> None:
    p = commands.add_parser("team", help="this library's team hub: connect, status, disconnect")
    team_commands = p.add_subparsers(dest="team_command", required=True)
    c = team_commands.add_parser(
        "connect",
        help="remember the team hub for this library after checking that it answers",
        description="DSN: the hub database as a PostgreSQL connection string or URI (sslmode=verify-full "
        "unless the server is on this computer). The password is asked for on a terminal, read from the "
        "first line of standard input with --password-stdin, or taken out of the DSN; it is kept in the "
        "system keyring (or, without one, in the encrypted library), never in the stored DSN.",
    )
    c.add_argument("dsn", metavar="DSN")
    c.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    c.add_argument("--json", action="store_true")
    c = team_commands.add_parser(
        "status", help="who you are on the hub, your role, the last sync and what waits to be pushed"
    )
    c.add_argument("--json", action="store_true")
    c = team_commands.add_parser("disconnect", help="forget the team hub and its password")
    c.add_argument("--json", action="store_true")
    add_deck_flow_commands(team_commands)
    add_record_commands(team_commands)


def cmd_team(app: Any, args: argparse.Namespace) -> int:
    if args.team_command == "connect":
        return _connect(app, args)
    if args.team_command == "status":
        return _status(app, args)
    if args.team_command in ("publish", "withdraw", "sync"):
        return cmd_deck_flow(app, args)
    if args.team_command in RECORD_COMMANDS:
        return cmd_team_records(app, args)
    was, warning = app.team.disconnect()
    if args.json:
        print_json({"disconnected": was, "warning": warning})
    else:
        print("Disconnected this library from the team hub." if was else "This library had no team hub.")
    if warning:
        print_error(warning)
    return EXIT_OK


def _password(args: argparse.Namespace) -> str | None:
    """From standard input (--password-stdin), else asked on a terminal unless the DSN holds one;
    None: PostgreSQL's own ways (~/.pgpass, $PGPASSWORD)."""
    from msldesk.team.hub_link import split_dsn

    if args.password_stdin:
        password = secret_from_stdin()
        if not password:
            raise InvalidInputError("No password on standard input; nothing was done.")
        return password
    _clean, in_dsn, user = split_dsn(args.dsn)
    if in_dsn is None and sys.stdin.isatty():
        return getpass.getpass(f"Hub password for {user} (empty: from ~/.pgpass): ") or None
    return None


def _connect(app: Any, args: argparse.Namespace) -> int:
    link, identity = app.team.connect(args.dsn, _password(args))
    if args.json:
        print_json({"hub": link.dsn, "user": link.user_name, "role": identity.role,
                    "roles": list(identity.roles), "password_in": link.password_in})  # fmt: skip
        return EXIT_OK
    print(f"Connected this library to the team hub ({link.dsn}) as {link.user_name}, role: {identity.role}.")
    print(_PASSWORD_IN[link.password_in])
    if not identity.roles:
        print(
            "This user is in no msldesk group on the hub yet: ask its administrator (msldesk hub add-user)."
        )
    return EXIT_OK


def _status_json(status: TeamStatus, later: PendingRecords) -> dict[str, Any]:
    link, identity = status.link, status.identity
    return {
        "connected": link is not None,
        "hub": link.dsn if link else None,
        "user": (identity.user_name if identity else link.user_name) if link else None,
        "role": identity.role if identity else None,
        "roles": list(identity.roles) if identity else None,
        "reachable": None if link is None else identity is not None,
        "problem": status.problem,
        "last_sync": link.last_sync if link else None,
        "pending": [
            {"event_id": p.event_id, "title": p.title, "finalized_at": p.finalized_at} for p in status.pending
        ],
        "pushed_events": status.pushed_events,
        "pending_payments": later.payments,
        "pending_amendments": later.amendments,
        "pending_additions": later.additions,
    }


def _status(app: Any, args: argparse.Namespace) -> int:
    """Exit 1 when the hub is remembered but could not be asked (the rest is still said)."""
    from msldesk.team.push import pending_records
    from msldesk.team.words import status_lines

    status = app.team.status()
    later = pending_records(app.team, app.meetings)
    code = EXIT_SOME_FAILED if status.problem else EXIT_OK
    if args.json:
        print_json(_status_json(status, later))
        return code
    for line in status_lines(status, later):
        print(line)
    return code


TEAM_COMMANDS = {"team": cmd_team}
