"""The deck builder's tray on disk: the slide ids in their order, written atomically on every change
so that a restart or a crash gives the tray back (the slides themselves stay in the library)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

from msldesk.core.fileio import atomic_write_bytes
from msldesk.core.user_files import parse_json, read_small_file

log = logging.getLogger(__name__)

FORMAT = "msldesk-tray"
VERSION = 1
MAX_SLIDES = 10_000  # far more than any deck; a forged file cannot make the restore read millions


def tray_text(slide_ids: Sequence[int]) -> str:
    return json.dumps({"format": FORMAT, "version": VERSION, "slide_ids": [int(i) for i in slide_ids]})


def write_tray(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def read_tray(path: Path) -> list[int]:
    """The saved slide ids; none when there is no file or it is not one of ours (logged, not raised:
    a tray that cannot be read is started empty, and the next change writes a good file)."""
    try:
        data = parse_json(read_small_file(path, 1 << 20))  # no pipe or device planted under its name
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        log.warning("The saved deck builder tray %s could not be read: %s", path, error)
        return []
    ids = data.get("slide_ids") if isinstance(data, dict) and data.get("format") == FORMAT else None
    if not isinstance(ids, list):
        log.warning("The saved deck builder tray %s is not a tray file; it is ignored", path)
        return []
    return [i for i in ids[:MAX_SLIDES] if isinstance(i, int) and not isinstance(i, bool) and i > 0]
