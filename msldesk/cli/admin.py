"""Command-line verbs that look after the library itself: the audit trail, backups and restores."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from msldesk.cli.ask import typed_twice
from msldesk.cli.output import EXIT_ERROR, EXIT_OK, EXIT_SOME_FAILED, number_arg, print_error, print_json


def add_admin_commands(commands: Any) -> None:
    p = commands.add_parser("audit", help="the audit trail: verify it, show an item's history")
    audit_commands = p.add_subparsers(dest="audit_command", required=True)
    c = audit_commands.add_parser(
        "verify",
        help="check that no record was altered, removed or reordered (exit 1: tampered or incomplete)",
    )
    c.add_argument("--json", action="store_true")
    c = audit_commands.add_parser("history", help="the recorded changes of one item, oldest first")
    c.add_argument("entity", help="event, attendance, note, deck, person or payments")
    c.add_argument("entity_id")
    c.add_argument("--json", action="store_true")
    c = audit_commands.add_parser("log", help="the newest records")
    c.add_argument("--limit", type=number_arg, default=50)
    c.add_argument("--json", action="store_true")

    p = commands.add_parser(
        "backup",
        help="write an encrypted backup of the library (database, deck files, audit anchor)",
        description="Locked with $MSLDESK_BACKUP_PASSPHRASE (or the library's passphrase, or one typed "
        "at the prompt): that passphrase alone restores it on any computer.",
    )
    p.add_argument("file", type=Path, help="the backup file to write (must not exist)")
    p.add_argument(
        "--library-key",
        action="store_true",
        help="lock it with this library's key instead of a passphrase (restorable only on this computer)",
    )
    p.add_argument("--json", action="store_true")
    p = commands.add_parser(
        "restore",
        help="replace the library with a backup, after checking all of it",
        description="The backup is checked completely first; the library as it was is saved in its "
        "backups folder before it is replaced. Passphrase: $MSLDESK_BACKUP_PASSPHRASE or the prompt.",
    )
    p.add_argument("file", type=Path)
    p.add_argument("--check", action="store_true", help="only check the backup; change nothing")
    p.add_argument("--json", action="store_true")
    p = commands.add_parser(
        "check",
        help="check the library folder: deck store against the database, leftover files, file modes",
        description="Store files no deck names are removed when the library opens (unless another "
        "msldesk has it open); decks whose file is missing are only reported. Changes nothing.",
    )
    p.add_argument("--json", action="store_true")


def cmd_audit(app: Any, args: argparse.Namespace) -> int:
    if args.audit_command == "verify":
        report = app.audit.verify()
        verdict = "OK" if report.ok else "TAMPERED" if report.tampered else "INCOMPLETE"
        if args.json:
            print_json({"ok": report.ok, "verdict": verdict, "checked": report.checked,
                         "records": list(report.records), "anchor": report.anchor,
                         "problems": list(report.problems), "notes": list(report.notes)})  # fmt: skip
        else:
            print(f"{verdict}: {report.checked} audit records checked")
            if report.records:
                print(f"  records with problems: {', '.join(map(str, report.records))}")
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
        print_json([asdict(r) for r in records])
        return EXIT_OK
    for r in records:
        print(
            f"{r.record_id:6}  {r.at:%Y-%m-%d %H:%M:%S}Z  {r.actor:12} {r.action:20} {r.entity} {r.entity_id}"
        )
        if r.before or r.after:
            print(f"        before: {r.before}\n        after:  {r.after}")
    return EXIT_OK


def terminal_passphrase_provider() -> Callable[[Any], str | None] | None:
    """Ask at the terminal for the library's passphrase (when no keyring can keep its key and
    $MSLDESK_PASSPHRASE is not set); None when there is no terminal to ask at."""
    if not sys.stdin.isatty():
        return None

    def ask(request: Any) -> str | None:
        if request.retry:
            print("That passphrase does not unlock the library.", file=sys.stderr)
        if not request.new:
            return getpass.getpass(f"Passphrase for the library in {request.library}: ") or None
        print(
            "No system keyring can keep this library's key, so it is locked with a passphrase.\n"
            "Nobody can recover the library without it. (Scripts: set MSLDESK_PASSPHRASE.)",
            file=sys.stderr,
        )
        return typed_twice("Choose a passphrase for the library: ")

    return ask


def _info_json(info: Any) -> dict[str, Any]:
    data = asdict(info)
    data["path"] = str(info.path)
    return data


def cmd_backup(app: Any, args: argparse.Namespace) -> int:
    from msldesk.core.errors import InvalidInputError
    from msldesk.protect.backup_check import BACKUP_PASSPHRASE_ENV

    passphrase = os.environ.get(BACKUP_PASSPHRASE_ENV) or None
    if passphrase is None and not args.library_key and app.library_key.passphrase is None:
        if app.library_key.key is not None and not sys.stdin.isatty():
            raise InvalidInputError(
                f"Set {BACKUP_PASSPHRASE_ENV} to lock the backup with a passphrase (restorable on any "
                "computer), or pass --library-key (restorable only on this computer)."
            )
        if app.library_key.key is not None:
            passphrase = typed_twice("Choose a passphrase for the backup (needed to restore it): ")
            if passphrase is None:
                raise InvalidInputError("No passphrase given; no backup was made.")
    info = app.backups.create(args.file, passphrase)
    if args.json:
        print_json(_info_json(info))
    else:
        size = info.path.stat().st_size
        print(
            f"Backup written: {info.path} ({sum(info.tables.values())} rows, {info.files} deck files, "
            f"{size / 1e6:.1f} MB; locked with the {info.locked_with})"
        )
    return EXIT_OK


def cmd_restore(app: Any, args: argparse.Namespace) -> int:
    from msldesk.core.user_files import display_name
    from msldesk.protect.backup_check import BACKUP_PASSPHRASE_ENV, BackupLockedError

    passphrase = os.environ.get(BACKUP_PASSPHRASE_ENV) or None
    operation = app.backups.check if args.check else app.backups.restore
    try:
        outcome = operation(args.file, passphrase)
    except BackupLockedError:
        if passphrase is not None or not sys.stdin.isatty():
            raise
        typed = getpass.getpass(f"Passphrase of the backup {display_name(str(args.file))}: ")
        outcome = operation(args.file, typed)
    info = outcome if args.check else outcome.info
    if args.json:
        data = _info_json(info)
        if not args.check:
            data["safety_backup"] = str(outcome.safety_backup) if outcome.safety_backup else None
            data["erasures_reapplied"] = outcome.erasures_reapplied
        print_json(data)
        return EXIT_OK
    made = f"{info.created_at:%Y-%m-%d %H:%M} UTC by msldesk {info.app_version}"
    shown = display_name(str(args.file))
    if args.check:
        audit = f"; audit trail checked with {info.audit_check}" if info.audit_check else ""
        print(f"OK: {shown} is a complete backup made {made} ({info.files} deck files{audit})")
    else:
        print(f"Restored {shown} (made {made}).")
        if outcome.safety_backup is not None:
            print(f"The library as it was before is saved in {display_name(str(outcome.safety_backup))}")
        if outcome.erasure_note:
            print(outcome.erasure_note)
    return EXIT_OK


def restore_command_for(error: Any) -> str:
    """The `msldesk restore` line that brings back the newest backup of a missing or damaged library."""
    from msldesk.core.paths import LibraryPaths, default_data_dir
    from msldesk.protect.library_guard import restore_command

    return restore_command(LibraryPaths(error.library or default_data_dir()), error.newest_backup)


def restore_unavailable_library(args: argparse.Namespace) -> int:
    """`msldesk restore` when the library's database is missing or damaged: the backup is checked with
    the key from the key file, and the damaged file is kept aside, not read."""
    from msldesk.core.errors import MsldeskError
    from msldesk.core.paths import LibraryPaths, default_data_dir
    from msldesk.core.secrets import SecretStore
    from msldesk.protect.library_guard import backups_for_restore

    try:
        backups = backups_for_restore(
            LibraryPaths(default_data_dir()), SecretStore(), terminal_passphrase_provider()
        )
    except MsldeskError as exc:
        print_error(exc.user_message)
        return EXIT_ERROR
    try:
        code = cmd_restore(_Backups(backups), args)
        if code == EXIT_OK and not args.check:
            from msldesk.app.services import App

            # Opening it checks the restored library and makes erasures done since the backup again.
            App(passphrase_provider=terminal_passphrase_provider()).close()
        return code
    except MsldeskError as exc:
        print_error(exc.user_message)
        return EXIT_ERROR
    finally:
        backups.engine.dispose()


class _Backups:
    """What cmd_restore needs of an App: its backups."""

    def __init__(self, backups: Any) -> None:
        self.backups = backups


def cmd_check(app: Any, args: argparse.Namespace) -> int:
    from msldesk.protect.upkeep import check_library

    report = check_library(app.access, app.engine)
    if args.json:
        data = asdict(report)
        data["ok"] = report.ok
        print_json(data)
        return EXIT_OK if report.ok else EXIT_SOME_FAILED
    from msldesk.core.user_files import display_name

    store = report.store
    where = f"{display_name(str(app.paths.root))}{' (read-only)' if report.read_only else ''}"
    print(f"{'OK' if report.ok else 'PROBLEMS'}: {where}")
    print(f"  deck store: {store.referenced} deck file(s) in use", end="")
    print("; the store and the database agree" if store.ok else "")
    for name in store.missing:
        print(f"  missing: store/{name} is named by a deck but is not in the store (re-import that deck)")
    for name in store.orphans:
        shown = display_name(name)  # whatever was put in the folder
        print(f"  unused: store/{shown} belongs to no deck (removed when msldesk next opens it alone)")
    for name in report.leftovers:
        print(f"  leftover: {display_name(name)} (a temporary file from an interrupted run)")
    for name in report.not_private:
        print(f"  not private: {display_name(name)} can be read by other users of this computer")
    return EXIT_OK if report.ok else EXIT_SOME_FAILED


ADMIN_COMMANDS = {"audit": cmd_audit, "backup": cmd_backup, "restore": cmd_restore, "check": cmd_check}
