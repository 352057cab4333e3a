"""Asking at the terminal: before a command takes something others use or that cannot be undone (deck
remove, collection delete, event delete) the yes/no question, the refusal in a script, and the JSON of who
used it; a new passphrase or password, typed twice; and a password given on standard input."""

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


SECRET_LINE_MOST = 4096  # characters of a password given on standard input


def secret_from_stdin(what: str = "password") -> str:
    """The first line of standard input (--password-stdin), read up to a limit: readline waits for a
    newline, so /dev/zero or a large binary file redirected there was read until memory ran out.
    InvalidInputError when the line is longer than the limit or not UTF-8 text."""
    binary = getattr(sys.stdin, "buffer", None)
    if binary is None:  # a text stream put in standard input's place
        line = sys.stdin.readline(SECRET_LINE_MOST + 1)
    else:
        raw = binary.readline(SECRET_LINE_MOST * 4 + 1)  # UTF-8 takes up to 4 bytes a character
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInputError(
                f"The {what} on standard input is not text (UTF-8); nothing was done."
            ) from None
    if len(line.rstrip("\r\n")) > SECRET_LINE_MOST:
        raise InvalidInputError(
            f"The {what} on standard input is longer than {SECRET_LINE_MOST:,} characters (is a file "
            "redirected there?); nothing was done."
        )
    return line.rstrip("\r\n")
