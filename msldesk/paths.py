"""Where things live: the user's data folder and bundled resources (source checkout or frozen)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "msldesk"
DATA_DIR_ENV = "MSLDESK_DATA_DIR"


def resource_path(*parts: str) -> Path:
    """A file under resources/, from a source checkout, an installed package or a PyInstaller bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    candidates = []
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    here = Path(__file__).resolve().parent
    candidates.append(here / "resources")  # installed wheel (package data)
    candidates.append(here.parent / "resources")  # source checkout
    for root in candidates:
        if root.is_dir():
            return root.joinpath(*parts)
    return candidates[-1].joinpath(*parts)


def default_data_dir() -> Path:
    """The library folder: $MSLDESK_DATA_DIR, else the platform's user data folder."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir  # small, but only needed here

    return Path(user_data_dir(APP_NAME, appauthor=False))


class LibraryPaths:
    """Every path inside one library folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def database(self) -> Path:
        return self.root / "library.sqlite3"

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def previews(self) -> Path:
        return self.root / "previews"

    @property
    def thumbnails(self) -> Path:
        return self.root / "thumbnails"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    def ensure(self) -> None:
        for folder in (self.root, self.store, self.previews, self.thumbnails, self.cache):
            folder.mkdir(parents=True, exist_ok=True)
