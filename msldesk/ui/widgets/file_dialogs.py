"""One way to ask for a file or folder: it opens in the folder last used for that kind of file (then
Documents, never the process's working folder) with a file name suggested from the content."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from msldesk.core.user_files import display_name

# The Qt dialogs, looked up at call time so tests can replace them (and see what they were given).
save_dialog = QFileDialog.getSaveFileName
open_dialog = QFileDialog.getOpenFileName
open_many_dialog = QFileDialog.getOpenFileNames
folder_dialog = QFileDialog.getExistingDirectory


def _replace_question(parent: QWidget | None, path: Path) -> bool:
    answer = QMessageBox.question(
        parent,
        "Replace the file?",
        f"{display_name(path.name)} already exists in {display_name(str(path.parent))}. Replace it?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


# Asked when the dialog's answer gets an ending it did not have and a file of that name exists (the
# dialog only asked about the name typed); replaced by tests.
replace_question = _replace_question

SETTINGS_GROUP = "last_folder"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
# Names Windows refuses whatever their extension ("CON.pptx" cannot be created there).
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
)
MAX_PART = 80  # a long title is cut, so that what follows it (date, kind) stays in the name
MAX_STEM = 150


def safe_file_name(*parts: str, suffix: str = "", fallback: str = "untitled") -> str:
    """ "Oncology board – 2025-10-14.pdf" from content: the parts joined by " - ", characters no file
    system accepts replaced, kept short, never empty or a reserved device name."""
    words = [" ".join(_UNSAFE.sub(" ", p).split())[:MAX_PART].strip(" .") for p in parts if p]
    stem = " - ".join(w for w in words if w)[:MAX_STEM].strip(" .") or fallback
    if stem.casefold() in _RESERVED:
        stem = f"{stem} file"
    return stem + suffix


def documents_folder() -> Path:
    """The user's Documents folder (their home folder when there is none)."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(location) if location else Path.home()
    return folder if folder.is_dir() else Path.home()


def start_folder(settings: QSettings | None, kind: str) -> Path:
    """Where a dialog for `kind` opens: the folder last used for it if it still exists, else Documents."""
    if settings is not None:
        value = settings.value(f"{SETTINGS_GROUP}/{kind}")
        if isinstance(value, str) and value and Path(value).is_absolute() and Path(value).is_dir():
            return Path(value)
    return documents_folder()


def remember_folder(settings: QSettings | None, kind: str, folder: Path) -> None:
    if settings is not None:
        settings.setValue(f"{SETTINGS_GROUP}/{kind}", str(folder))


def ask_save_path(
    parent: QWidget | None,
    settings: QSettings | None,
    kind: str,
    title: str,
    suggested: str,
    file_filter: str,
    suffixes: Iterable[str] = (),
) -> Path | None:
    """Ask where to save; the answer gets the first of `suffixes` unless it already ends in one. The
    dialog asks before an existing file is replaced; a name that only exists with the ending added
    is asked about here (None when the user keeps it). The caller may then replace the file."""
    name, _ = save_dialog(parent, title, str(start_folder(settings, kind) / suggested), file_filter)
    if not name:
        return None
    path = Path(name)
    wanted = [s.lower() for s in suffixes]
    if wanted and path.suffix.lower() not in wanted:
        path = path.with_name(path.name + wanted[0])
        if os.path.lexists(path) and not replace_question(parent, path):
            return None
    remember_folder(settings, kind, path.parent)
    return path


def ask_open_path(
    parent: QWidget | None, settings: QSettings | None, kind: str, title: str, file_filter: str
) -> Path | None:
    name, _ = open_dialog(parent, title, str(start_folder(settings, kind)), file_filter)
    if not name:
        return None
    remember_folder(settings, kind, Path(name).parent)
    return Path(name)


def ask_open_paths(
    parent: QWidget | None, settings: QSettings | None, kind: str, title: str, file_filter: str
) -> list[Path]:
    names, _ = open_many_dialog(parent, title, str(start_folder(settings, kind)), file_filter)
    paths = [Path(n) for n in names if n]
    if paths:
        remember_folder(settings, kind, paths[0].parent)
    return paths


def ask_folder(parent: QWidget | None, settings: QSettings | None, kind: str, title: str) -> Path | None:
    name = folder_dialog(parent, title, str(start_folder(settings, kind)))
    if not name:
        return None
    remember_folder(settings, kind, Path(name))
    return Path(name)
