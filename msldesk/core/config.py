"""Typed core settings, stored as JSON in the library folder."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from msldesk.core.fileio import atomic_write_bytes
from msldesk.core.user_files import read_small_file


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
    # kept running, at about half the speed; False: LibreOffice writes each slide's PNG.
    exact_thumbnails: bool = False
    import_max_slides: int = 2000  # slides of one deck that are imported and indexed
    team_sync_minutes: int = 15  # the desktop syncs with the team hub this often while it runs; 0: never

    @classmethod
    def load(cls, path: Path) -> Settings:
        try:
            raw = json.loads(read_small_file(path))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError):
            return cls()  # a damaged settings file must not stop the app; defaults are safe
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, path: Path) -> None:
        atomic_write_bytes(Path(path), json.dumps(asdict(self), indent=2).encode("utf-8"))
