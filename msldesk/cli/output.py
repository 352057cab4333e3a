"""What every command prints and returns: exit codes and JSON that is always valid UTF-8."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

EXIT_OK, EXIT_SOME_FAILED, EXIT_ERROR = 0, 1, 2


def json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def print_json(value: Any) -> None:
    from msldesk.core.user_files import encodable

    # Valid UTF-8 whatever a value holds: a file name with bytes that are not UTF-8 shows U+FFFD.
    print(encodable(json.dumps(value, ensure_ascii=False, default=json_default)))


def print_error(message: str) -> None:
    """A refusal on standard error, as every command words it: "msldesk: …", escapes shown."""
    from msldesk.core.user_files import display_message

    print(f"msldesk: {display_message(message)}", file=sys.stderr)


def date_arg(value: str) -> dt.date:
    """An argparse type: a date typed as YYYY-MM-DD, or a plain usage error."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def datetime_arg(value: str) -> dt.datetime:
    """An argparse type: a date and time typed as YYYY-MM-DDTHH:MM, or a plain usage error."""
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date and time (YYYY-MM-DDTHH:MM): {value!r}") from exc


SQLITE_INTEGER_MOST = 2**63 - 1  # what SQLite stores as an integer


def number_arg(value: str) -> int:
    """An argparse type: a whole number SQLite can hold (an id, a count, a year), or a plain usage
    error. int() took 10**26, and SQLite refused it with a traceback when the command ran."""
    try:
        number = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from exc
    if abs(number) > SQLITE_INTEGER_MOST:
        raise argparse.ArgumentTypeError(f"too large a number: {value}")
    return number
