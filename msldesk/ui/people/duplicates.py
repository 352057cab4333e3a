"""DuplicatesDialog: groups of people who look like one person, side by side; keep one record, merge."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from msldesk.boards.records import DuplicateGroup, Person
from msldesk.core.changes import Changes
from msldesk.core.wording import plural
from msldesk.ui.context import AppContext
from msldesk.ui.errors import report_error, user_message
from msldesk.ui.ops import DbOp, Work
from msldesk.ui.people.duplicate_models import ComparisonModel, DuplicateGroupsModel
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.dialog_jobs import DialogOps
from msldesk.ui.widgets.geometry import fit_size

SELECTED_REASON = "selected in the directory"


class DuplicatesDialog(QDialog):
    """Non-modal. With `groups` it shows them; without, it asks the service to find duplicates."""

    merged = Signal(int)  # the kept person's id
    status_message = Signal(str)

    def __init__(
        self, context: AppContext, groups: list[DuplicateGroup] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.ops = DialogOps(self)
        self.setWindowTitle("Merge people" if groups is not None else "Find duplicates")
        fit_size(self, 1000, 560)
        self.loading = False
        self.merging = False
        self.last_error = ""
        self.groups_model = DuplicateGroupsModel(self)
        self.comparison = ComparisonModel(self)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(10)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.group_list = QListView()
        self.group_list.setModel(self.groups_model)
        self.group_list.setWordWrap(True)
        self.table = QTableView()
        self.table.setModel(self.comparison)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._on_header_section_clicked)
        self.keep_combo = QComboBox()
        self.keep_combo.setToolTip("The record that stays; the others are folded into it and removed")
        self.keep_combo.activated.connect(self._on_keep_combo_activated)
        self.merge_button = QPushButton("Merge into the kept record…")
        self.merge_button.clicked.connect(self.merge_current)
        self.hint = QLabel(
            "Blanks in the kept record are filled from the others; their event places and agenda slots "
            "move to the kept record. Bold rows differ."
        )
        self.hint.setWordWrap(True)
        set_role(self.hint, "faint")

        keep_row = QHBoxLayout()
        keep_row.addWidget(QLabel("Keep the record of"))
        keep_row.addWidget(self.keep_combo, 1)
        keep_row.addWidget(self.merge_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(self.hint)
        right_layout.addLayout(keep_row)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.group_list)
        splitter.addWidget(right)
        splitter.setSizes([300, 700])
        self.panes = splitter
        self.nothing_found = QLabel(
            "No duplicates found.\n\nNobody in the directory looks like someone else."
        )
        self.nothing_found.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.nothing_found.setWordWrap(True)
        set_role(self.nothing_found, "empty")
        self.nothing_found.hide()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.busy)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.nothing_found, 1)
        layout.addWidget(close)

        self.group_list.selectionModel().currentChanged.connect(self._on_group_list_current_changed)
        self._set_controls_enabled(False)
        self._load(groups)

    # ---- loading ------------------------------------------------------------------------------

    def _load(self, groups: list[DuplicateGroup] | None) -> None:
        if not self.context.is_open:
            return
        self.loading = True
        self.busy.show()
        self.summary.setText("Looking for people who look like the same person…" if groups is None else "")

        def job(work: Work) -> list[tuple[DuplicateGroup, tuple[Person, ...]]]:
            service = work.app.people
            found = service.find_duplicates() if groups is None else groups
            people = {p.person_id: p for p in service.get_many(i for g in found for i in g.person_ids)}
            return [(g, tuple(people[i] for i in g.person_ids if i in people)) for g in found]

        DbOp(self, job).in_group(self.ops).success(self._on_loaded).failure(self._on_failed).run()

    def _on_loaded(self, groups: list[tuple[DuplicateGroup, tuple[Person, ...]]]) -> None:
        self.loading = False
        self.busy.hide()
        self.groups_model.set_groups(groups)
        self._update_summary()
        if self.groups_model.rowCount():
            self.group_list.selectionModel().setCurrentIndex(
                self.groups_model.index(0), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def _on_failed(self, error: BaseException, details: str) -> bool:
        self.loading = self.merging = False
        self.busy.hide()
        self.last_error = user_message(error)
        self.summary.setText(self.last_error)
        self._set_controls_enabled(self.comparison.keep_id is not None)
        report_error(error, details, self)
        return True

    def _update_summary(self) -> None:
        count = self.groups_model.rowCount()
        # An empty search shows one sentence, not two empty panes.
        self.nothing_found.setVisible(count == 0)
        self.panes.setVisible(count > 0)
        self.summary.setVisible(count > 0)
        if count == 0:
            self.summary.setText("No duplicates found.")
            self.resize(520, 240)
        else:
            self.summary.setText(
                f"{plural(count, 'group')} of records that look like the same person. Pick the record "
                "to keep (click its column), check the result, then merge."
            )

    # ---- choosing -----------------------------------------------------------------------------

    def current_group(self) -> tuple[DuplicateGroup, tuple[Person, ...]] | None:
        return self.groups_model.group(self.group_list.currentIndex().row())

    def _on_group_list_current_changed(self, current: Any, _previous: Any) -> None:
        entry = self.groups_model.group(current.row())
        people = list(entry[1]) if entry else []
        # The record changed most recently is the best default to keep.
        keep = max(people, key=lambda p: (p.updated_at, -p.person_id)).person_id if people else None
        self.comparison.set_people(people, keep)
        self.keep_combo.clear()
        for person in people:
            self.keep_combo.addItem(f"#{person.person_id} {person.display_name}", person.person_id)
        self._sync_combo()
        self._set_controls_enabled(bool(people))

    def select_keep(self, person_id: int) -> None:
        self.comparison.set_keep(person_id)
        self._sync_combo()

    def _sync_combo(self) -> None:
        index = self.keep_combo.findData(self.comparison.keep_id)
        if index >= 0:
            self.keep_combo.setCurrentIndex(index)

    def _on_keep_combo_activated(self, index: int) -> None:
        person_id = self.keep_combo.itemData(index)
        if person_id is not None:
            self.select_keep(int(person_id))

    def _on_header_section_clicked(self, section: int) -> None:
        people = self.comparison.people()
        if 0 <= section < len(people):
            self.select_keep(people[section].person_id)

    def _set_controls_enabled(self, enabled: bool) -> None:
        for widget in (self.keep_combo, self.merge_button):
            widget.setEnabled(enabled and not self.merging)

    # ---- merging ------------------------------------------------------------------------------

    def ask_confirm_merge(self, keep: Person, others: list[Person]) -> bool:
        names = "\n".join(f"  • #{p.person_id} {p.display_name}" for p in others)
        answer = QMessageBox.question(
            self,
            "Merge people",
            f"Keep #{keep.person_id} {keep.display_name} and fold these records into it?\n\n{names}\n\n"
            "Their event places move over and the folded records are deleted. This cannot be undone.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def merge_current(self) -> None:
        keep_id, people = self.comparison.keep_id, self.comparison.people()
        keep = next((p for p in people if p.person_id == keep_id), None)
        others = self.comparison.others()
        if keep is None or not others or self.merging or not self.context.is_open:
            return
        if not self.ask_confirm_merge(keep, others):
            return
        other_ids = [p.person_id for p in others]
        row = self.group_list.currentIndex().row()
        self.merging = True
        self._set_controls_enabled(False)
        self.busy.show()
        merge = DbOp(self, lambda work: work.app.people.merge(keep.person_id, other_ids)).in_group(self.ops)
        merge.success(lambda result: self._on_merged(row, len(other_ids), result)).failure(
            self._on_failed
        ).run()

    def _on_merged(self, row: int, folded: int, result: tuple[Person, Changes]) -> None:
        person, _changes = result  # the op announces them once this has run
        self.merging = False
        self.busy.hide()
        self.groups_model.remove_group(row)
        message = f"Merged {folded + 1} records into #{person.person_id} {person.display_name}."
        self.status_message.emit(message)
        self.merged.emit(person.person_id)
        if self.groups_model.rowCount() == 0:
            self.comparison.set_people([])
            self.keep_combo.clear()
            self._set_controls_enabled(False)
            self.summary.setText(message + " No more duplicates to review.")
            return
        self._update_summary()
        next_row = min(row, self.groups_model.rowCount() - 1)
        self.group_list.selectionModel().setCurrentIndex(
            self.groups_model.index(next_row), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
