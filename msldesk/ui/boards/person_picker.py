"""PersonPicker: a small search-as-you-type dialog to pick people from the directory."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from msldesk.boards.records import Person
from msldesk.ui.context import AppContext
from msldesk.ui.errors import report_error
from msldesk.ui.ops import DbOp
from msldesk.ui.theme import set_role

SEARCH_DELAY_MS = 150
LIMIT = 100


def person_line(person: Person) -> str:
    p = person.fields
    name = f"{person.display_name}, {p.credentials}" if p.credentials else person.display_name
    where = ", ".join(x for x in (p.institution, p.city) if x)
    extra = " · ".join(x for x in (p.specialty, where) if x)
    return f"{name} — {extra}" if extra else name


class PersonPicker(QDialog):
    def __init__(
        self, context: AppContext, exclude: Iterable[int] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add people to the event")
        self.resize(520, 420)
        self.context = context
        self.exclude = set(exclude)
        self._generation = 0
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the directory: name, institution, specialty, NPI…")
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.hint = QLabel("Searching…")
        set_role(self.hint, "hint")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton("Add", QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self.results.itemSelectionChanged.connect(self._on_results_selection_changed)
        self.results.itemDoubleClicked.connect(lambda _i: self.accept())
        self._run_search()

    def _run_search(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation, query = self._generation, self.search.text()

        def done(found: list[Person]) -> None:
            if generation == self._generation:  # drop answers to older keystrokes
                self._show(found)

        def failed(error: BaseException, details: str) -> bool:
            if generation == self._generation:
                report_error(error, details, self)
            return True

        DbOp(self, lambda work: work.app.people.search(query, limit=LIMIT)).success(done).failure(
            failed
        ).run()

    def _on_search_return_pressed(self) -> None:
        if self.results.selectedItems():
            self.accept()
        elif self.results.count() == 1 and self.results.item(0).flags() & Qt.ItemFlag.ItemIsEnabled:
            self.results.setCurrentRow(0)
            self.accept()

    def _show(self, people: list[Person]) -> None:
        self.results.clear()
        for person in people:
            item = QListWidgetItem(person_line(person))
            item.setData(Qt.ItemDataRole.UserRole, person.person_id)
            if person.person_id in self.exclude:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsSelectable)
                item.setText(item.text() + "  (already on the list)")
            self.results.addItem(item)
        if not people:
            self.hint.setText("Nobody matches. Add people in the People section or import a file.")
        elif len(people) >= LIMIT:
            self.hint.setText(f"The first {LIMIT} matches; type more to narrow them down.")
        else:
            self.hint.setText(f"{len(people)} match{'es' if len(people) != 1 else ''}")

    def _on_results_selection_changed(self) -> None:
        self.add_button.setEnabled(bool(self.results.selectedItems()))

    def person_ids(self) -> list[int]:
        return [int(i.data(Qt.ItemDataRole.UserRole)) for i in self.results.selectedItems()]

    def done(self, result: Any) -> None:
        self._generation += 1  # a search still running must not fill a closed dialog
        super().done(result)
