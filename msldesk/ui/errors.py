"""One path for errors in the UI: plain words for the user, details to copy, a log for the rest."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from msldesk.core.errors import MsldeskError

log = logging.getLogger(__name__)
_open_boxes: list[QMessageBox] = []  # keep non-modal boxes alive until closed


def user_message(error: BaseException) -> str:
    """What the box says, escapes shown (a name echoed in it may hold control characters)."""
    from msldesk.core.user_files import display_message

    return display_message(_plain_words(error))


def _plain_words(error: BaseException) -> str:
    if isinstance(error, MsldeskError):
        return error.user_message
    from msldesk.protect.library_guard import is_damage, unreadable_value

    if unreadable_value(error):  # a value changed outside msldesk: a date that is no date, year 9999…
        return (
            f"The library's database holds a value msldesk cannot read ({error}): it was changed by "
            "another program or is damaged. Restore it from a backup (File › Restore; the automatic "
            "backups are in the library's backups folder)."
        )
    if is_damage(error):  # a page found unreadable after the start's check: never a raw SQLite message
        return (
            "The library's database is damaged — restore from a backup (File › Restore; the automatic "
            "backups are in the library's backups folder)."
        )
    if isinstance(error, OSError):
        return f"A file could not be read or written: {error.strerror or error}."
    return f"Something went wrong: {error}"


def report_error(error: BaseException, details: str = "", parent: QWidget | None = None) -> QMessageBox:
    """Show an error without blocking. A plain-words refusal (an MsldeskError: a missing title, no
    team hub yet) is all the user needs: its traceback goes to the log, not behind Show Details. Any
    other error keeps its details one click away, to copy for whoever helps."""
    parent = parent or QApplication.activeWindow()
    box = QMessageBox(QMessageBox.Icon.Warning, "msldesk", user_message(error), parent=parent)
    if isinstance(error, MsldeskError):
        log.info("%s\n%s", error.user_message, details)
        details = error.details
    else:
        details = details or getattr(error, "details", "") or repr(error)
    if details:
        box.setDetailedText(details)
        copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
        copy.clicked.disconnect()  # keep the box open after copying
        copy.clicked.connect(
            lambda: QApplication.clipboard().setText(f"{user_message(error)}\n\n{box.detailedText()}")
        )
    box.addButton(QMessageBox.StandardButton.Close)
    box.setModal(False)
    box.finished.connect(lambda _result: _open_boxes.remove(box) if box in _open_boxes else None)
    _open_boxes.append(box)
    box.show()
    return box


def install_excepthook() -> None:
    """Uncaught exceptions on the GUI thread are logged and shown instead of killing the app."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, error, tb))
        log.error("Uncaught exception:\n%s", details)
        if QApplication.instance() is not None:
            report_error(error, details)

    sys.excepthook = hook
