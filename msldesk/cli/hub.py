"""`msldesk hub ...`: what an administrator runs against the team hub (no library is opened)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msldesk.cli.ask import secret_from_stdin, typed_twice
from msldesk.cli.output import EXIT_ERROR, EXIT_OK, EXIT_SOME_FAILED, print_error, print_json
from msldesk.core.errors import InvalidInputError, MsldeskError

if TYPE_CHECKING:
    from msldesk.hub.audit import AnchorCheck

HUB_ROLES = ("publisher", "msl", "reviewer")
_DSN_HELP = (
    "the hub database, as a PostgreSQL connection string or URI (sslmode=verify-full unless the server "
    "is on this computer); its password from ~/.pgpass or $PGPASSWORD"
)


def add_hub_commands(commands: Any) -> None:
    p = commands.add_parser("hub", help="set up the team hub (PostgreSQL): schema, roles, users")
    hub_commands = p.add_subparsers(dest="hub_command", required=True)
    c = hub_commands.add_parser(
        "init",
        help="create or upgrade the hub's schema, groups and permissions (run by the database's owner)",
    )
    c.add_argument("dsn", metavar="DSN", help=_DSN_HELP)
    c.add_argument("--json", action="store_true")
    c = hub_commands.add_parser(
        "add-user",
        help="create a hub user in a group (an existing one: password set, role changed, or brought back)",
        description="The password is asked for twice at the terminal, or read from the first line of "
        "standard input with --password-stdin; it is sent to the server only as a SCRAM-SHA-256 verifier.",
    )
    c.add_argument("dsn", metavar="DSN", help=_DSN_HELP)
    c.add_argument("name", metavar="NAME", help="the user's login name")
    c.add_argument("--role", choices=HUB_ROLES, required=True)
    c.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    c.add_argument("--json", action="store_true")
    c = hub_commands.add_parser(
        "remove-user",
        help="a user leaves the team: out of every hub group, login disabled (their records stay)",
        description="The user's role is kept, unable to log in, so what they pushed keeps its owner and "
        "reviewers still read it. `add-user` brings them back. Recorded in the hub's audit trail.",
    )
    c.add_argument("dsn", metavar="DSN", help=_DSN_HELP)
    c.add_argument("name", metavar="NAME", help="the user's login name")
    c.add_argument("--json", action="store_true")
    c = hub_commands.add_parser(
        "verify",
        help="check the hub's audit chain (exit 1: tampered)",
        description="With --anchor FILE, the newest record seen by the last check (kept in FILE) must still "
        "be in the chain, unchanged: cutting off the newest records is found too. FILE then names the new "
        "newest record; a missing FILE is created. Keep it where the database's owner cannot write.",
    )
    c.add_argument("dsn", metavar="DSN", help=_DSN_HELP)
    c.add_argument("--anchor", metavar="FILE", type=Path, help="the head of the trail as last seen (JSON)")
    c.add_argument("--json", action="store_true")


def run_hub(args: argparse.Namespace) -> int:
    """Run a `hub` command; every failure is one plain sentence on standard error."""
    try:
        return _HUB_COMMANDS[args.hub_command](args)
    except MsldeskError as exc:
        print_error(exc.user_message)
        return EXIT_ERROR


def _cmd_init(args: argparse.Namespace) -> int:
    from msldesk.hub.schema import init_hub

    result = init_hub(args.dsn)
    if args.json:
        print_json({"before": result.before, "after": result.after, "changed": result.changed})
    elif not result.changed:
        print(f"The hub is up to date (schema {result.after}).")
    elif result.before is None:
        print(f"Hub created (schema {result.after}). Next: msldesk hub add-user DSN NAME --role ROLE")
    else:
        print(f"Hub upgraded from schema {result.before} to {result.after}.")
    return EXIT_OK


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = secret_from_stdin()
    elif sys.stdin.isatty():
        password = typed_twice(f"Password for {args.name}: ", "passwords") or ""
    else:
        raise InvalidInputError(
            "No terminal to ask for the password: pass it on standard input with --password-stdin."
        )
    if not password:
        raise InvalidInputError("The password is empty; nothing was done.")
    return password


def _cmd_add_user(args: argparse.Namespace) -> int:
    from msldesk.hub.users import add_user, check_name

    check_name(args.name)  # before asking for a password
    added = add_user(args.dsn, args.name, args.role, _password(args))
    if args.json:
        print_json(
            {"name": added.name, "role": added.role, "created": added.created, "change": added.change,
             "previous_role": added.previous_role, "removed_at": added.removed_at}
        )  # fmt: skip
    elif added.change == "added":
        print(f"Added {added.name} to the hub as {added.role}.")
    elif added.change == "restored":
        print(f"{added.name} is back on the hub as {added.role} (removed {_day(added.removed_at)}).")
    elif added.change == "role":
        print(f"{added.name} is now {added.role} on the hub (was {added.previous_role}); password set.")
    else:
        print(f"{added.name} was already a hub user as {added.role}: password set.")
    return EXIT_OK


def _cmd_remove_user(args: argparse.Namespace) -> int:
    from msldesk.hub.users import remove_user

    removed = remove_user(args.dsn, args.name)
    if args.json:
        print_json(
            {"name": removed.name, "roles": list(removed.roles), "already": removed.already,
             "removed_at": removed.removed_at}
        )  # fmt: skip
    elif removed.already:
        print(
            f"{removed.name} was already removed from the hub ({_day(removed.removed_at)}); nothing changed."
        )
    else:
        print(
            f"Removed {removed.name} from the hub (was {', '.join(removed.roles)}): they can no longer log "
            "in; what they pushed stays, under their name."
        )
    return EXIT_OK


def _day(when: dt.datetime | None) -> str:
    return f"on {when:%Y-%m-%d}" if when is not None else "earlier"


def _cmd_verify(args: argparse.Namespace) -> int:
    from msldesk.core import clock
    from msldesk.hub.audit import compare_anchor, load_anchor, verify_chain, write_anchor
    from msldesk.hub.connect import connect, hub_errors

    anchor = load_anchor(args.anchor) if args.anchor else None  # an unusable file: before connecting
    with connect(args.dsn) as connection, hub_errors("read the hub's audit trail"):
        report = verify_chain(connection, keep=anchor.id if anchor else 0)
    check = compare_anchor(report, anchor, args.anchor) if args.anchor else None
    problems = [*report.problems, *([check.problem] if check and check.problem else [])]
    written = bool(check and not problems)
    if written:
        write_anchor(args.anchor, report, clock.utc_now())
    if args.json:
        out: dict[str, Any] = {"ok": not problems, "checked": report.checked, "problems": problems}
        if check is not None:
            before = check.previous.id if check.previous else None
            out["anchor"] = {"state": check.state, "before": before, "head": report.head, "written": written}
        print_json(out)
        return EXIT_OK if not problems else EXIT_SOME_FAILED
    print(f"{'OK' if not problems else 'TAMPERED'}: {report.checked} hub audit records checked")
    for problem in problems:
        print(f"  problem: {problem}")
    if check is not None:
        print(_anchor_words(check, report.head, written, args.anchor))
    return EXIT_OK if not problems else EXIT_SOME_FAILED


def _anchor_words(check: AnchorCheck, head: int, written: bool, path: Path) -> str:
    from msldesk.core.user_files import display_name

    shown = display_name(str(path))
    if not written and check.previous is not None:
        return f"The anchor {shown} was left as it is: it still names record {check.previous.id}."
    if not written:
        return f"No anchor was written to {shown}."
    if check.previous is None:
        return f"First anchor: {shown} now names record {head}; later checks compare with it."
    if check.previous.id == head:
        return f"Anchor {shown} confirmed: record {head} is still the newest."
    return f"Anchor {shown} confirmed record {check.previous.id} and now names record {head}."


_HUB_COMMANDS = {
    "init": _cmd_init,
    "add-user": _cmd_add_user,
    "remove-user": _cmd_remove_user,
    "verify": _cmd_verify,
}
