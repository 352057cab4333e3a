"""Asking at the terminal: before a command takes something others use or that cannot be undone (deck
remove, collection delete, event delete) the yes/no question, the refusal in a script, and the JSON of who
used it; and a new passphrase or password, typed twice."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from msldesk.core.errors import InvalidInputError


def asked(args: argparse.Namespace, refusal: str, lines: list[str], question: str, nothing: str) -> bool:
    """Whether to go ahead: --yes, or yes typed on a terminal after `lines` and the question. Without a
    terminal (a script) it refuses with `refusal` rather than guess."""
    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise InvalidInputError(refusal)
    out = sys.stderr if args.json else sys.stdout  # --json keeps standard output for the JSON
    for line in lines:
        print(line, file=out)
    print(question, end="", file=out, flush=True)
    if input().strip().lower() in ("y", "yes"):
        return True
    print(nothing, file=out)
    return False


def event_use_json(use: Any) -> dict[str, Any]:
    return {"event_id": use.ref_id, "title": use.title, "date": use.date, "slides": use.slides,
            "agenda_items": list(use.parts)}  # fmt: skip


def typed_twice(prompt: str, what: str = "passphrases") -> str | None:
    """A new secret typed at the terminal, then again to catch a typo (None: nothing typed)."""
    first = getpass.getpass(prompt)
    if not first:
        return None
    if getpass.getpass("Type it again: ") != first:
        raise InvalidInputError(f"The two {what} differ; nothing was done.")
    return first
