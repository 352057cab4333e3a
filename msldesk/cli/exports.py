"""The command line's export verbs, made from the export registry (msldesk.boards.outputs.registry):
each verb or flag names one kind (or, like --attendees, one per file ending), so the command line and
the desktop app cannot offer different exports."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from msldesk.boards.kinds import Audience
from msldesk.boards.outputs.registry import KINDS, ExportKind, kind_for_file, kinds_of_command
from msldesk.cli.output import number_arg


def add_kind_commands(commands: Any, *words: str) -> None:
    """One subcommand per kind reached by `words` + its name ("export" → summary, briefing, …), with
    the event id, --audience for a meeting output, and --out."""
    for kind in kinds_of_command(*words):
        c = commands.add_parser(kind.cli_words[len(words)], help=kind.command_help)
        c.set_defaults(export_kind=kind.name)
        c.add_argument("event_id", type=number_arg)
        if kind.by_audience:
            c.add_argument("--audience", choices=[a.value for a in Audience], default=Audience.MEDICAL.value)
        c.add_argument("--out", type=Path, required=True)
        add_overwrite_flag(c)


def add_overwrite_flag(parser: argparse.ArgumentParser) -> None:
    """--overwrite: without it a command refuses to replace a file that already exists."""
    parser.add_argument(
        "--overwrite", action="store_true", help="replace the file if it exists (without it: refused)"
    )


def add_kind_flags(parser: argparse.ArgumentParser, *words: str) -> None:
    """One FILE flag (of which exactly one is given) per flag of the kinds reached by `words`
    (`event export` → --ics, --attendees, --sign-in)."""
    parser.set_defaults(export_words=words)
    group = parser.add_mutually_exclusive_group(required=True)
    for flag, kinds in _flags(*words).items():
        group.add_argument(flag, type=Path, metavar="FILE", help=kinds[0].command_help)
    add_overwrite_flag(parser)


def _flags(*words: str) -> dict[str, tuple[ExportKind[Any, Any, Any], ...]]:
    flags: dict[str, tuple[ExportKind[Any, Any, Any], ...]] = {}
    for kind in kinds_of_command(*words):
        flag = kind.cli_words[len(words)]
        flags[flag] = (*flags.get(flag, ()), kind)
    return flags


def requested(args: argparse.Namespace) -> tuple[ExportKind[Any, Any, Any], Path]:
    """The kind a parsed export command asks for and the file it names: from its subcommand
    (`export summary`, `payments export`, `compose`) or from the flag given (`event export
    --attendees x.xlsx`: by the file's ending). A file whose ending the kind does not write is
    refused here, before the library is read."""
    name = getattr(args, "export_kind", None)
    if name is not None:
        kind = KINDS[name]
        return kind, kind.checked_path(args.out)
    for flag, kinds in _flags(*args.export_words).items():
        out = getattr(args, flag.lstrip("-").replace("-", "_"), None)
        if out is not None:
            return kind_for_file(kinds, out), Path(out)
    raise ValueError(f"{' '.join(args.export_words)}: no file named")  # argparse requires one
