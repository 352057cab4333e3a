"""Typed core settings, stored as JSON in the library folder."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from msldesk.core.fileio import atomic_write_bytes
from msldesk.core.user_files import parse_json, read_small_file


@dataclass(frozen=True)
class Settings:
    soffice_path: str = ""  # empty: look on PATH and in the usual install folders
    thumbnail_width: int = 320
    expiring_within_days: int = 30
    render_timeout_seconds: int = 120  # per deck, plus a second a slide; a deck is tried once
    render_batch_size: int = 8
    render_processes: int = 2
    render_max_slides: int = 500  # slides of one deck that get thumbnails; the rest show titles
    render_memory_limit_mb: int = 4096  # LibreOffice's address space (Linux, macOS); 0: no limit
    # Thumbnails drawn from a PDF of each deck, pixel-identical to those before LibreOffice was
    # kept running, at about 40 % of the speed; False: LibreOffice writes each slide's PNG.
    exact_thumbnails: bool = False
    import_max_slides: int = 2000  # slides of one deck that are imported and indexed
    team_sync_minutes: int = 15  # the desktop syncs with the team hub this often while it runs; 0: never

    @classmethod
    def load(cls, path: Path) -> Settings:
        """The settings saved at `path`. A damaged file must not stop the app, and defaults are safe:
        no file, unreadable JSON or no object give the defaults; a value of the wrong type or out of
        its range (a text where a number goes, a sync every 10**9 minutes) gives that one's default."""
        try:
            raw = parse_json(read_small_file(path))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        return cls(
            **{f.name: raw[f.name] for f in fields(cls) if f.name in raw and _fits(f.name, raw[f.name])}
        )

    def save(self, path: Path) -> None:
        atomic_write_bytes(Path(path), json.dumps(asdict(self), indent=2).encode("utf-8"))


# The values each number may take; a timer takes milliseconds in 32 bits, so a sync interval stays
# under 35,791 minutes. Numbers not named here take 0 to _MOST.
_MOST = 1_000_000
_RANGES = {
    "thumbnail_width": (16, 4096),
    "render_timeout_seconds": (1, 86_400),
    "render_batch_size": (1, 1000),
    "render_processes": (1, 64),
    "team_sync_minutes": (0, 24 * 60 * 7),
}


def _fits(name: str, value: object) -> bool:
    default = getattr(Settings, name)
    if isinstance(default, str):
        return isinstance(value, str) and "\x00" not in value
    if isinstance(default, bool):
        return isinstance(value, bool)
    least, most = _RANGES.get(name, (0, _MOST))
    return isinstance(value, int) and not isinstance(value, bool) and least <= value <= most
