"""HistoryDialog: the audit trail of one item (an event, a deck, a person) or of the whole library,
read on the db lane and shown as a readable list: when, who, what was done, what changed."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from msldesk.app.history import Subject, gather
from msldesk.protect.history_words import HistoryLine, as_text
from msldesk.ui.context import AppContext
from msldesk.ui.errors import report_error, user_message
from msldesk.ui.ops import DbOp
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.dialog_jobs import DialogOps
from msldesk.ui.widgets.geometry import fit_size
from msldesk.ui.widgets.rows_model import RowsTableModel

WHEN, WHO, ABOUT, WHAT, CHANGES = range(5)
HEADERS = ("When", "Who", "About", "What", "What changed")
_Index = QModelIndex | QPersistentModelIndex


class HistoryModel(RowsTableModel[HistoryLine]):
    """A thin adapter over the history lines; `rows` are the lines the filter lets through."""

    headers = HEADERS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: list[HistoryLine] = []
        self._filter = ""

    def set_lines(self, lines: list[HistoryLine]) -> None:
        self.lines = list(lines)
        self.set_rows(self._filtered())

    def set_filter(self, text: str) -> None:
        self._filter = text.strip().lower()
        self.set_rows(self._filtered())

    def _filtered(self) -> list[HistoryLine]:
        if not self._filter:
            return list(self.lines)
        words = self._filter.split()
        return [line for line in self.lines if all(w in _haystack(line) for w in words)]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        line = self.row_at(index)
        if line is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (line.when, line.who, line.about, line.what, "\n".join(line.changes))[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == WHEN:
                return f"{line.when_detail} · record {line.record_id}"
            if column == CHANGES and line.changes:
                return "\n".join(line.changes)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return None


def _haystack(line: HistoryLine) -> str:
    return " ".join((line.when, line.who, line.about, line.what, *line.changes)).lower()


class HistoryDialog(QDialog):
    """Non-modal; its read runs on the db lane and the dialog lives until the answer has come."""

    loaded = Signal(int)  # number of records shown (tests wait for it)

    def __init__(self, context: AppContext, subject: Subject, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"History — {subject.title}")
        self.context = context
        self.subject = subject
        self.ops = DialogOps(self)
        self.model = HistoryModel(self)

        self.heading = QLabel(subject.title)
        set_role(self.heading, "title")
        self.heading.setWordWrap(True)
        self.summary = QLabel("Reading the audit trail…")
        set_role(self.summary, "hint")
        self.summary.setWordWrap(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter: a name, a field, an action…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in ((WHEN, 125), (WHO, 90), (ABOUT, 200), (WHAT, 220)):
            self.table.setColumnWidth(column, width)
        self.copy_button = QPushButton("Copy all")
        self.copy_button.setToolTip("Copy the history shown as plain text (to paste into an email or report)")
        self.copy_button.clicked.connect(self.copy_all)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        # Enter closes, not Copy all (first in the tab order the button box lays out); set once the
        # buttons are in the dialog, whose default it is.
        buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)
        fit_size(self, 1000, 560)
        self.load()

    def load(self) -> None:
        subject = self.subject
        read = DbOp(self, lambda work: gather(work.app, subject)).in_group(self.ops)
        if not read.success(self._on_gathered).failure(self._on_failed).run():
            self.summary.setText("The library is not open.")

    def _on_gathered(self, lines: list[HistoryLine]) -> None:
        self.model.set_lines(lines)
        if not lines:
            self.summary.setText("Nothing has been recorded about this yet.")
        else:
            newest = "newest first" if self.subject.kind == "recent" else "oldest first"
            people = sorted({line.who for line in lines})
            self.summary.setText(
                f"{len(lines)} record{'s' if len(lines) != 1 else ''}, {newest}, by {', '.join(people)}. "
                "Times are this computer's local time; the audit trail cannot be changed from the app."
            )
            if self.subject.kind != "recent":
                self.table.scrollToBottom()
        self.loaded.emit(len(lines))

    def _on_failed(self, error: BaseException, details: str) -> bool:
        self.summary.setText(f"The history could not be read: {user_message(error)}")
        report_error(error, details, self)
        self.loaded.emit(-1)
        return True

    def _on_search_text_changed(self, text: str) -> None:
        self.model.set_filter(text)

    def text(self) -> str:
        return as_text(self.model.rows)

    def copy_all(self) -> None:
        QApplication.clipboard().setText(f"History — {self.subject.title}\n\n{self.text()}")


def open_history(
    context: AppContext, subject: Subject, parent: QWidget | None = None
) -> HistoryDialog | None:
    """Open a History dialog without blocking; None while the library is not open."""
    if not context.is_open:
        return None
    dialog = HistoryDialog(context, subject, parent)
    dialog.show()
    return dialog
