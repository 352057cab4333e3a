"""The box that lists the files an import left out stays on the screen however many failed."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from msldesk.decks.records import ImportOutcome

pytestmark = pytest.mark.usefixtures("no_libreoffice")

PROTECTED = (
    "The file is password-protected. Remove the password in PowerPoint (File › Info › Protect "
    "Presentation) and import it again."
)
DAMAGED = "The file is damaged: it is not a readable zip package, it may be truncated or corrupt."


def _failed(name: str, kind: str, message: str) -> ImportOutcome:
    return ImportOutcome(path=f"/decks/{name}", status="failed", error_kind=kind, message=message)


def _shown(make_window, qtbot, failures: list[ImportOutcome]) -> QMessageBox:  # type: ignore[no-untyped-def]
    """The box the main window shows when an import ends with these failures."""
    window, _context = make_window(seed_demo=False)
    window.jobs.import_failures.emit(failures)
    box: QMessageBox = window.failure_box
    qtbot.waitExposed(box)
    screen = box.screen().availableGeometry()
    size = box.frameGeometry().size()
    assert size.height() <= screen.height(), f"{size} on a screen of {screen.size()}: its buttons are off it"
    assert size.width() <= screen.width(), f"{size} on a screen of {screen.size()}"
    return box


def test_many_failed_files_fit_the_screen_grouped_by_reason(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    failures = [_failed(f"locked{n}.pptx", "password-protected", PROTECTED) for n in range(12)]
    failures += [_failed(f"broken{n}.pptx", "damaged", DAMAGED) for n in range(3)]
    box = _shown(make_window, qtbot, failures)
    text = box.text()
    assert "15 files could not be imported" in text
    assert text.count("Remove the password") == 1, "one paragraph per reason, not one per file"
    assert "password-protected</b> (12)" in text
    assert "locked0.pptx" in text
    assert "8 more files" in text  # 4 named, the rest counted
    assert "broken2.pptx" in text
    details = box.detailedText()
    assert all(f"/decks/locked{n}.pptx" in details for n in range(12)), "every file is in the details"
    box.close()


def test_many_different_reasons_fit_the_screen_too(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    failures = [_failed(f"deck{n}.pptx", "damaged", f"{DAMAGED} (reason {n})") for n in range(40)]
    box = _shown(make_window, qtbot, failures)
    assert "And 34 other reasons: Show Details lists every file." in box.text()
    assert "deck39.pptx" in box.detailedText()
    box.close()
