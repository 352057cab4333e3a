"""The box that says which files an import left out: one paragraph per reason, naming a few files
each, so it stays on the screen however many failed; Show Details lists every file."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from PySide6 import QtCore
from PySide6.QtWidgets import QMessageBox, QWidget

from msldesk.core.wording import plural
from msldesk.decks.records import ImportOutcome

MOST_REASONS = 6  # paragraphs in the box; the rest are in Show Details
MOST_NAMES = 4  # file names shown under one reason


def failures_text(failures: Sequence[ImportOutcome]) -> str:
    """Rich text: what failed, grouped by the reason given (files with one reason share a paragraph)."""
    reasons: dict[tuple[str, str], list[str]] = {}
    for outcome in failures:
        reasons.setdefault((outcome.error_kind, outcome.message), []).append(Path(outcome.path).name)
    paragraphs = []
    for (kind, message), names in list(reasons.items())[:MOST_REASONS]:
        shown = ", ".join(html.escape(n) for n in names[:MOST_NAMES])
        if len(names) > MOST_NAMES:
            shown += f" and {plural(len(names) - MOST_NAMES, 'more file')}"
        heading = f"<b>{html.escape(kind)}</b> ({len(names):,}): {shown}"
        paragraphs.append(f"<p>{heading}<br>{html.escape(message)}</p>")
    if len(reasons) > MOST_REASONS:
        more = plural(len(reasons) - MOST_REASONS, "other reason")
        paragraphs.append(f"<p>And {more}: Show Details lists every file.</p>")
    head = f"{plural(len(failures), 'file')} could not be imported; everything else was."
    return f"<p>{head}</p>" + "".join(paragraphs)


def show_import_failures(parent: QWidget, failures: Sequence[ImportOutcome]) -> QMessageBox:
    """Shown without blocking; every file with its reason is one click away (and can be copied)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Some files were not imported")
    box.setTextFormat(QtCore.Qt.TextFormat.RichText)
    box.setText(failures_text(failures))
    box.setDetailedText("\n".join(f"{o.path}\t{o.error_kind}\t{o.message}" for o in failures))
    box.setModal(False)
    box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    box.show()
    return box
