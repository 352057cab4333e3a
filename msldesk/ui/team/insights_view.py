"""Team › Team insights…: the team's pushed meeting notes, searched with PostgreSQL full text on the hub
(`msldesk.team.insights.find_insights`, as `msldesk team insights` does). The hub decides what a login
sees (reviewers: everyone's; an MSL: their own and the shared meetings). Each search is an op on the io
lane: typing never waits for the hub, and a hub that cannot be reached is said in words."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from msldesk.core.wording import plural
from msldesk.ui.errors import user_message
from msldesk.ui.ops import Lane, Op, Work
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.rows_model import RowsTableModel
from msldesk.ui.widgets.table_fit import comfortable_rows

if TYPE_CHECKING:
    from msldesk.team.insights import TeamInsight
    from msldesk.ui.context import AppContext

HEADERS = ("Date", "Owner", "Event", "Kind", "Theme", "Text")
DATE, OWNER, EVENT, KIND, THEME, TEXT = range(len(HEADERS))
ALL_THEMES = "All themes"
_Index = QModelIndex | QPersistentModelIndex


class InsightsModel(RowsTableModel["TeamInsight"]):
    headers = HEADERS

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            text = f"{row.text} (amended)" if row.amended else row.text
            day = f"{row.recorded_at.astimezone():%Y-%m-%d}"
            return (day, row.owner, row.event_title, row.kind, ", ".join(row.themes), text)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (EVENT, TEXT):
            shared = "shared with the team" if row.shared else "for its MSL and the reviewers"
            return f"{row.event_title} ({shared})\n\n{row.text}"
        return None


class InsightsDialog(QDialog):
    """Non-modal: the search field, a theme, a first day, and what the hub found."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Team insights")
        self.resize(960, 560)
        self.query = QLineEdit()
        self.query.setPlaceholderText('Search the team\'s notes: words, "a phrase", -word, or')
        self.query.setClearButtonEnabled(True)
        self.query.returnPressed.connect(self.search)
        self.theme = QComboBox()
        self.theme.setEditable(True)
        self.theme.addItem(ALL_THEMES)
        self.theme.setMinimumContentsLength(14)
        self.theme.activated.connect(lambda _i: self.search())
        self.use_since = QCheckBox("Since")
        self.since = QDateEdit(QDate.currentDate().addMonths(-3))
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("yyyy-MM-dd")
        self.since.setEnabled(False)
        self.use_since.toggled.connect(self.since.setEnabled)
        self.find_button = QPushButton("Search")
        self.find_button.setDefault(True)
        self.find_button.clicked.connect(self.search)
        bar = QHBoxLayout()
        bar.addWidget(self.query, 1)
        bar.addWidget(self.theme)
        bar.addWidget(self.use_since)
        bar.addWidget(self.since)
        bar.addWidget(self.find_button)
        self.model = InsightsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in (DATE, OWNER, KIND, THEME):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(EVENT, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        comfortable_rows(self.table)
        self.summary = QLabel("Type words to search, or search with nothing to see the newest entries.")
        set_role(self.summary, "hint")
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.searching: Op[list[TeamInsight]] | None = None

    def criteria(self) -> tuple[str, str, dt.date | None]:
        theme = self.theme.currentText().strip()
        since = self.since.date().toPython() if self.use_since.isChecked() else None
        return self.query.text().strip(), "" if theme == ALL_THEMES else theme, since  # type: ignore[return-value]

    def search(self) -> bool:
        """Ask the hub (an op on the io lane; an earlier search still running is dropped)."""
        if not self.context.is_open:
            return False
        if self.searching is not None:
            self.searching.cancel()
        query, theme, since = self.criteria()

        def job(work: Work) -> list[TeamInsight]:
            from msldesk.team.insights import find_insights

            return find_insights(work.app.team, query, theme, since)

        op: Op[list[TeamInsight]] = Op(self, job, Lane.IO)
        op.success(lambda found: self._on_found(op, found)).failure(lambda e, _d: self._on_failed(op, e))
        self.searching = op
        set_role(self.summary, "hint")
        self.summary.setText("Searching the team hub…")
        return op.run()

    def _on_found(self, op: Op[list[TeamInsight]], found: list[TeamInsight]) -> None:
        if op is not self.searching:
            return  # a newer search is on its way
        self.searching = None
        self.model.set_rows(found)
        self.table.resizeRowsToContents()
        self._offer_themes(found)
        set_role(self.summary, "hint")
        amended = sum(1 for f in found if f.amended)
        note = (
            f"; {plural(amended, 'entry', 'entries')} amended since (the latest text shown)"
            if amended
            else ""
        )
        self.summary.setText(f"{plural(len(found), 'entry', 'entries')} found{note}.")

    def _on_failed(self, op: Op[list[TeamInsight]], error: BaseException) -> bool:
        if op is self.searching:
            self.searching = None
            self.model.set_rows([])
            set_role(self.summary, "error")
            self.summary.setText(user_message(error))
        return True  # said here, in words: never a box over the search

    def _offer_themes(self, found: list[TeamInsight]) -> None:
        """The themes seen so far become choices (any theme can still be typed)."""
        known = {self.theme.itemText(i) for i in range(self.theme.count())}
        for theme in sorted({t for f in found for t in f.themes} - known):
            self.theme.addItem(theme)
