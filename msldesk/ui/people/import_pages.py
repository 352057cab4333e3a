"""The import wizard's pages (file, mapping, check, summary) and their parts: typed path, outcome lists."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import unquote, urlparse

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from msldesk.boards.records import ImportPreview, ImportRow, RowError, RowOutcome
from msldesk.ui.people.mapping_model import TARGET_COLUMN, TargetDelegate
from msldesk.ui.theme import set_role

if TYPE_CHECKING:
    from msldesk.ui.people.import_wizard import ImportWizard

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
    _SKIP_REASONS: ClassVar[dict[RowOutcome, str]] = {
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
        items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
        return [": ".join(item.text(c) for c in range(3)) for item in items if item is not None]


def _error(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    set_role(label, "notice-error")
    label.hide()
    return label


def _busy() -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, 0)
    bar.hide()
    return bar


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Choose a file")
        self.setSubTitle(
            "A list of people: CSV or Excel, contacts (vCard), calendar invitations, a Teams or Zoom "
            "attendance report, NPPES or Open Payments data. Nothing is saved until you import."
        )
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Type or paste the file's path (then Enter), or choose it")
        self.path_edit.setClearButtonEnabled(True)
        self.path_edit.returnPressed.connect(wizard.load_typed_path)
        self.path_edit.editingFinished.connect(wizard.load_typed_path)
        self.choose_button = QPushButton("Choose file…")
        self.choose_button.clicked.connect(wizard.choose_file)
        self.progress = _busy()
        self.progress_label = QLabel()
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.refusal = _error("")
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.refusal)
        layout.addWidget(self.info)
        layout.addStretch(1)

    def isComplete(self) -> bool:
        return self.w.preview is not None and not self.w.loading


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Match the columns")
        self.setSubTitle(
            "Each column of the file and the person field it fills. Change a field where the guess is "
            "wrong; choose (ignore) to leave a column out."
        )
        self.view = QTableView()
        self.view.setModel(wizard.mapping_model)
        self.view.setItemDelegateForColumn(TARGET_COLUMN, TargetDelegate(self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.verticalHeader().hide()
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.setColumnWidth(TARGET_COLUMN, 280)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.progress = _busy()
        self.problem = _error("")
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        wizard.mapping_model.modelReset.connect(self._open_editors)

    def _open_editors(self) -> None:
        # Always-open combo boxes: the mapping is the whole point of this page.
        for row in range(self.w.mapping_model.rowCount()):
            self.view.openPersistentEditor(self.w.mapping_model.index(row, TARGET_COLUMN))

    def isComplete(self) -> bool:
        return self.w.preview is not None and not self.w.loading


class CheckPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Check and import")
        self.setSubTitle("What importing this file will do. Rows with errors are left out.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Import")
        self.counts = QLabel()
        set_role(self.counts, "title")
        self.event_combo = QComboBox()
        self.event_combo.addItem("No event: add to the directory only", None)
        self.event_combo.setToolTip("Also put everyone in this file on an event's attendee list")
        self.event_combo.currentIndexChanged.connect(wizard._on_event_combo_changed)
        self.attendance = QLabel()
        self.attendance.setWordWrap(True)
        self.attendance.hide()
        self.errors = QTreeWidget()
        self.errors.setHeaderLabels(["Row", "Problem"])
        self.errors.setRootIsDecorated(False)
        self.errors.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.errors.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.copy_button = QPushButton("Copy errors")
        self.copy_button.setToolTip("Copy every row error as text, to fix the file")
        self.copy_button.clicked.connect(wizard.copy_errors)
        self.errors_label = QLabel("Rows that will not be imported")
        self.outcomes = RowOutcomeTabs(self.errors)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.hide()
        self.progress = QProgressBar()
        self.progress.hide()
        self.progress_label = QLabel()
        event_row = QHBoxLayout()
        event_row.addWidget(QLabel("Add to event"))
        event_row.addWidget(self.event_combo, 1)
        errors_row = QHBoxLayout()
        errors_row.addWidget(self.errors_label, 1)
        errors_row.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.warnings)
        layout.addLayout(event_row)
        layout.addWidget(self.attendance)
        layout.addWidget(self.outcomes, 1)
        layout.addLayout(errors_row)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress)

    def initializePage(self) -> None:
        self.w._show_check()

    def isComplete(self) -> bool:
        p = self.w.preview
        return p is not None and bool(p.rows) and not self.w.loading and not self.w.importing

    def validatePage(self) -> bool:
        # "Import" starts the work; the wizard moves on by itself when it is done.
        if self.w.import_result is not None:
            return True
        self.w.start_import()
        return False


class SummaryPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Imported")
        self.setSubTitle("What the import did, in a few lines.")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_role(self.text, "lead")
        self.next_steps = QLabel(
            "The people are in the directory now (People section; Ctrl+F searches it). Importing the "
            "same file again updates them instead of adding them twice."
        )
        self.next_steps.setWordWrap(True)
        set_role(self.next_steps, "hint")
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addSpacing(12)
        layout.addWidget(self.next_steps)
        layout.addStretch(1)
