"""Where things live: the user's data folder and bundled resources (source checkout or frozen)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "msldesk"
DATA_DIR_ENV = "MSLDESK_DATA_DIR"


def resource_path(*parts: str) -> Path:
    """A file under resources/, from a source checkout, an installed package or a PyInstaller bundle.

    Bundled resources live in the package (msldesk/resources/), so a source checkout and an
    installed wheel find them in the same place; a PyInstaller bundle can put them there too
    (datas: msldesk/resources -> msldesk/resources) or at its root. The first folder holding the
    file wins; if none does, the answer is the package path (for a clear "missing" message).
    """
    here = Path(__file__).resolve().parent
    candidates = [here / "resources"]  # source checkout and installed wheel (package data)
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    candidates.append(here.parent / "resources")  # a source checkout's top-level resources/ folder
    for root in candidates:
        path = root.joinpath(*parts)
        if path.exists():
            return path
    return candidates[0].joinpath(*parts)


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

    @property
    def rate_card(self) -> Path:
        return self.root / "fmv-rate-card.json"

    @property
    def restricted_terms(self) -> Path:
        return self.root / "restricted-terms.json"

    @property
    def audit_anchor(self) -> Path:
        return self.root / "audit-anchor.json"

    @property
    def erasures(self) -> Path:
        """The erasures made (as digests, no names): outside the database, so a restore keeps it."""
        return self.root / "erasures.json"

    @property
    def tray(self) -> Path:
        """The deck builder's tray (slide ids in order), kept across a restart or a crash."""
        return self.root / "tray.json"

    @property
    def key_file(self) -> Path:
        """How the database is locked (keyring entry or passphrase salt); holds no secret."""
        return self.root / "encryption.json"

    @property
    def backups(self) -> Path:
        """Automatic backups: daily, before schema upgrades and before restores."""
        return self.root / "backups"

    def ensure(self) -> None:
        for folder in (self.root, self.store, self.previews, self.thumbnails, self.cache):
            folder.mkdir(parents=True, exist_ok=True)
