"""What every command prints and returns: exit codes and JSON that is always valid UTF-8."""

from __future__ import annotations

import datetime as dt
import json
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
