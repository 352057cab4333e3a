"""Parts of the import wizard's pages: a path typed or pasted into the file field, and the check page's
lists of who will be added, updated and skipped, row by row, beside the rows with errors."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTabWidget, QTreeWidget, QTreeWidgetItem

from msldesk.boards.records import ImportPreview, ImportRow, RowError, RowOutcome

MAX_LISTED = 2000  # rows per list; a 50,000-row file still opens its check page at once
_QUOTES = "\"'“”‘’"


def path_from_text(text: str) -> Path | None:
    """The file a user typed or pasted: quotes from "Copy as path" and file:// URLs are taken off."""
    text = text.strip().strip(_QUOTES).strip()
    if text.lower().startswith("file://"):
        text = unquote(urlparse(text).path)
    if not text:
        return None
    return Path(text).expanduser()


def row_problem(error: RowError) -> str:
    """The message without its 'Row N: ' prefix, which the Row column already says."""
    prefix = f"Row {error.row}: "
    return error.message[len(prefix) :] if error.message.startswith(prefix) else error.message


def _who(row: ImportRow) -> str:
    p = row.person
    return p.display_name or p.email or "(no name)"


def _tree(headers: list[str]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    return tree


class RowOutcomeTabs(QTabWidget):
    """Added, Updated and Skipped rows of the file, each a list with the row number and the person, and
    the rows with errors (the wizard fills that list)."""

    ADDED, UPDATED, SKIPPED, ERRORS = range(4)
    LABELS = ("Added", "Updated", "Skipped", "Errors")
    _SKIP_REASONS = {
        RowOutcome.UNCHANGED: "Already in the directory as the file has them",
        RowOutcome.REPEAT: "Same person as an earlier row: merged into it",
    }

    def __init__(self, errors: QTreeWidget) -> None:
        super().__init__()
        self.lists = [_tree(["Row", "Person", "Details"]) for _ in range(3)]
        for tree, label in zip(self.lists, self.LABELS, strict=False):
            self.addTab(tree, label)
        self.addTab(errors, "Errors")

    def show_preview(self, preview: ImportPreview) -> None:
        buckets: list[list[list[str]]] = [[], [], []]
        for row, outcome in zip(preview.rows, preview.outcomes, strict=False):
            if outcome is RowOutcome.ADD:
                buckets[self.ADDED].append([str(row.row), _who(row), row.person.email])
            elif outcome is RowOutcome.UPDATE:
                buckets[self.UPDATED].append([str(row.row), _who(row), row.person.email])
            else:
                buckets[self.SKIPPED].append([str(row.row), _who(row), self._SKIP_REASONS[outcome]])
        for index, (tree, rows) in enumerate(zip(self.lists, buckets, strict=True)):
            tree.clear()
            tree.addTopLevelItems([QTreeWidgetItem(cells) for cells in rows[:MAX_LISTED]])
            if len(rows) > MAX_LISTED:
                tree.addTopLevelItem(QTreeWidgetItem(["", f"… and {len(rows) - MAX_LISTED:,} more", ""]))
            self.setTabText(index, f"{self.LABELS[index]} ({len(rows):,})")
        self.setTabText(self.ERRORS, f"{self.LABELS[self.ERRORS]} ({len(preview.errors):,})")
        # Open on the first list with something in it.
        filled = [*(bool(rows) for rows in buckets), bool(preview.errors)]
        self.setCurrentIndex(filled.index(True) if any(filled) else self.ADDED)

    def texts(self, index: int) -> list[str]:
        """Each line of a list as "row: person: details" (tests and copying read them)."""
        tree = self.lists[index]
        return [
            ": ".join(tree.topLevelItem(i).text(c) for c in range(3)) for i in range(tree.topLevelItemCount())
        ]
