"""Command-line verbs that look after the library itself: the audit trail (and, later, backups)."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

EXIT_OK, EXIT_SOME_FAILED, EXIT_ERROR = 0, 1, 2


def add_admin_commands(commands: Any) -> None:
    p = commands.add_parser("audit", help="the audit trail: verify it, show an item's history")
    audit_commands = p.add_subparsers(dest="audit_command", required=True)
    c = audit_commands.add_parser("verify", help="check that no record was altered, removed or reordered")
    c.add_argument("--json", action="store_true")
    c = audit_commands.add_parser("history", help="the recorded changes of one item, oldest first")
    c.add_argument("entity", help="event, attendance, note, deck, person or payments")
    c.add_argument("entity_id")
    c.add_argument("--json", action="store_true")
    c = audit_commands.add_parser("log", help="the newest records")
    c.add_argument("--limit", type=int, default=50)
    c.add_argument("--json", action="store_true")


def _print_json(value: Any) -> None:
    from msldesk.cli import _print_json as print_json

    print_json(value)


def cmd_audit(app: Any, args: argparse.Namespace) -> int:
    if args.audit_command == "verify":
        report = app.audit.verify()
        if args.json:
            _print_json({"ok": report.ok, "checked": report.checked, "problems": list(report.problems),
                         "notes": list(report.notes)})  # fmt: skip
        else:
            print(f"{'OK' if report.ok else 'TAMPERED'}: {report.checked} audit records checked")
            for problem in report.problems:
                print(f"  problem: {problem}")
            for note in report.notes:
                print(f"  note: {note}")
        return EXIT_OK if report.ok else EXIT_SOME_FAILED
    records = (
        app.audit.history(args.entity, args.entity_id)
        if args.audit_command == "history"
        else app.audit.recent(args.limit)
    )
    if args.json:
        _print_json([asdict(r) for r in records])
        return EXIT_OK
    for r in records:
        print(
            f"{r.record_id:6}  {r.at:%Y-%m-%d %H:%M:%S}Z  {r.actor:12} {r.action:20} {r.entity} {r.entity_id}"
        )
        if r.before or r.after:
            print(f"        before: {r.before}\n        after:  {r.after}")
    return EXIT_OK


ADMIN_COMMANDS = {"audit": cmd_audit}
