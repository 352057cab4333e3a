"""The People section: the directory of healthcare professionals and colleagues, search, merge, import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from msldesk.boards.records import DuplicateGroup, Person, PersonFields
from msldesk.core.changes import Changes
from msldesk.core.errors import InvalidInputError
from msldesk.core.wording import plural
from msldesk.ui.actions import bind
from msldesk.ui.context import AppContext
from msldesk.ui.errors import report_error, user_message
from msldesk.ui.ops import DbOp, Work
from msldesk.ui.people.commands import AddPersonCommand, EditPersonCommand
from msldesk.ui.people.duplicates import SELECTED_REASON, DuplicatesDialog
from msldesk.ui.people.import_wizard import ImportWizard
from msldesk.ui.people.people_model import INSTITUTION_COLUMN, NAME_COLUMN, PeopleTableModel
from msldesk.ui.people.person_editor import PersonEditor
from msldesk.ui.people.privacy import PersonPrivacy
from msldesk.ui.widgets.flow_layout import FlowLayout
from msldesk.ui.widgets.geometry import VerticalScroll
from msldesk.ui.widgets.table_fit import comfortable_rows, fit_columns, stretch_column

SEARCH_DELAY_MS = 150


class PeopleView(QWidget):
    status_message = Signal(str)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.model = PeopleTableModel(context, lambda: context.people, self)
        self.last_error = ""  # the last failure shown to the user, in plain words
        self.duplicates_dialog: DuplicatesDialog | None = None
        self.wizard: ImportWizard | None = None
        self._ids: dict[int, int] = {}  # id a command was given -> the id that person has now
        self._want_selected: int | None = None

        self._build_search_and_buttons()
        self._build_table()
        self._lay_out()
        self._connect_signals()
        context.changed.connect(self._on_context_changed)
        self.setEnabled(False)
        self._update_buttons()
        context.on_ready(self._on_context_ready)  # now too, when built after the library opened

    def _build_search_and_buttons(self) -> None:
        """The search box, the result count and the buttons over the table."""
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search people: name, institution, city, email, NPI…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.result_label = QLabel("Opening the library…")
        self.new_button = QPushButton("New person")
        self.new_button.setToolTip("Add a person to the directory (Ctrl+N)")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected people (Delete)")
        self.merge_button = QPushButton("Merge selected…")
        self.merge_button.setToolTip("Select two or more records of the same person and merge them")
        self.duplicates_button = QPushButton("Find duplicates…")
        self.duplicates_button.setToolTip("Find people who are in the directory more than once")
        self.import_button = QPushButton("Import people…")
        self.import_button.setToolTip("Import a list of people from a file (Ctrl+Shift+I)")

    def _build_table(self) -> None:
        """The people table, sorted by name, columns fitted to typical values; the person form."""
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        comfortable_rows(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)  # the last column is Consent: Yes or No, kept narrow
        header.setSortIndicator(NAME_COLUMN, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        # Typical values in the table's font: a long e-mail address stays readable, Consent stays narrow.
        samples = ("Lovelace-Byron, Augusta", "MD, PhD", "Medical Oncology", "University Hospital Berlin",
                   "Heidelberg, BW, Germany", "a.lovelace-byron@charite-berlin.de", "1234567893", "12",
                   "Yes")  # fmt: skip
        fit_columns(self.table, dict(enumerate(samples)))
        stretch_column(self.table, INSTITUTION_COLUMN, samples[INSTITUTION_COLUMN])  # takes the room left
        self.editor = PersonEditor()

    def _lay_out(self) -> None:
        """The table with its search and buttons, beside the person form."""
        buttons = QHBoxLayout()
        buttons.addWidget(self.search, 3)
        # The buttons wrap under each other when the window is narrow (a small screen, scale 2)
        # rather than squeezing the search box to nothing.
        self.search.setMinimumWidth(160)
        tools = FlowLayout()
        for button in (
            self.new_button,
            self.delete_button,
            self.merge_button,
            self.duplicates_button,
            self.import_button,
        ):
            tools.addWidget(button)
        buttons.addLayout(tools)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.result_label)
        left_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(VerticalScroll(self.editor))  # a short window scrolls the form
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([1120, 340])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        self._layout = layout

    def _connect_signals(self) -> None:
        """Shortcuts, buttons, the search pause, the table's selection and the privacy actions."""
        # Shortcuts that only mean something here: Ctrl+N anywhere in the section, Delete in the table
        # (not while typing in the form).
        self.new_action = bind(self, "people.new", self.new_person)
        self.delete_action = bind(self.table, "people.delete", self.delete_selected)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_timer_timeout)
        self.new_button.clicked.connect(self.new_person)
        self.delete_button.clicked.connect(self.delete_selected)
        self.merge_button.clicked.connect(self.merge_selected)
        self.duplicates_button.clicked.connect(self.find_duplicates)
        self.import_button.clicked.connect(lambda: self.open_import_wizard())
        self.model.loaded.connect(self._on_model_loaded)
        self.model.rowsInserted.connect(lambda *_: self._show_count())
        self.model.sort_refused.connect(self._on_model_sort_refused)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.editor.save_requested.connect(self._on_editor_save_requested)
        self.privacy = PersonPrivacy(self.context, self)
        self.privacy.status_message.connect(self.status_message)
        self._layout.insertWidget(0, self.privacy.banner)
        self.editor.history_requested.connect(self.privacy.show_history)
        self.editor.export_requested.connect(self.privacy.export)
        self.editor.erase_requested.connect(self.privacy.erase)

    # ---- loading ------------------------------------------------------------------------------

    def _on_context_ready(self) -> None:
        self.setEnabled(True)
        self.model.set_query(self.search.text().strip())

    def _on_context_changed(self, changes: Changes) -> None:
        if not self.context.is_open or not changes.people:
            return
        self.model.reload()
        shown = self.editor.person
        if shown is not None and not self.editor.dirty:
            person_id = shown.person_id
            DbOp(self, lambda work: work.app.people.get_many([person_id])).success(
                lambda people: self._on_shown_person_reloaded(person_id, people)
            ).run()

    def _on_shown_person_reloaded(self, person_id: int, people: list[Person]) -> None:
        shown = self.editor.person
        if shown is None or shown.person_id != person_id or self.editor.dirty:
            return
        self.editor.show_person(people[0] if people else None)  # None: merged away or deleted

    def _on_search_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_search_timer_timeout(self) -> None:
        self._search_timer.stop()
        if not self.context.is_open:
            return
        query = self.search.text().strip()
        if query != self.model.query:
            self.result_label.setText("Searching…")
            self.model.set_query(query)

    def _on_model_loaded(self, _total: int) -> None:
        self.table.horizontalHeader().setSortIndicator(*self.model.sort_column)
        self._show_count()
        row = self.model.row_of(
            self._want_selected if self._want_selected is not None else self._current_id()
        )
        if row >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._want_selected = None
        self._update_buttons()

    def _show_count(self) -> None:
        total, shown = self.model.total, self.model.rowCount()
        query = self.model.query
        if query:
            text = f"{total:,} matching “{query}”" if total else f"Nobody matches “{query}”"
        else:
            text = f"{total:,} people" if total else "No people yet: add one, or import a list (Ctrl+Shift+I)"
        if shown < total:
            text += f" · showing {shown:,}, scroll for more"
        self.result_label.setText(text)

    def _on_model_sort_refused(self, message: str) -> None:
        self.table.horizontalHeader().setSortIndicator(*self.model.sort_column)
        self.status_message.emit(message)

    def focus_search(self) -> None:
        """Put the keyboard in this section's main list or search field."""
        self.search.setFocus()
        self.search.selectAll()

    # ---- selection and the editor -------------------------------------------------------------

    def _current_id(self) -> int | None:
        person = self.model.person(self.table.currentIndex().row())
        return person.person_id if person else None

    def selected_people(self) -> list[Person]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [p for p in (self.model.person(r) for r in rows) if p is not None]

    def select_person(self, person_id: int) -> bool:
        row = self.model.row_of(person_id)
        if row >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        return row >= 0

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        person = self.model.person(current.row())
        if person is not None:
            self.editor.show_person(person)

    def _update_buttons(self) -> None:
        selected = len(self.table.selectionModel().selectedRows())
        self.delete_button.setEnabled(selected > 0)
        self.merge_button.setEnabled(selected > 1)

    def new_person(self) -> None:
        self.table.clearSelection()
        self.editor.new_person()

    def _on_editor_save_requested(self, person_id: int | None, new: PersonFields, old: Any) -> None:
        def job(work: Work) -> tuple[Person, Changes]:
            service = work.app.people
            return service.add(new) if person_id is None else service.update(person_id, new)

        if not self.context.is_open:
            return
        self.editor.save_button.setEnabled(False)
        save = DbOp(self, job).success(lambda result: self._on_person_saved(person_id, old, result))
        save.failure(self._on_save_failed).run()

    def _on_person_saved(
        self, person_id: int | None, old: PersonFields | None, result: tuple[Person, Changes]
    ) -> None:
        person, _changes = result  # announced by the op, after this
        self.editor.save_button.setEnabled(True)
        self.editor.show_person(person)
        self._want_selected = person.person_id
        if person_id is None:
            self.context.undo_stack.push(AddPersonCommand(self, person.person_id, person.fields))
            self.status_message.emit(f"Added {person.display_name}.")
        else:
            assert old is not None
            self.context.undo_stack.push(EditPersonCommand(self, person.person_id, old, person.fields))
            self.status_message.emit(f"Saved {person.display_name}.")

    def _on_save_failed(self, error: BaseException, details: str) -> bool:
        self.editor.save_button.setEnabled(True)
        self.last_error = user_message(error)
        # The form stays as typed, with the problems next to it: nothing was saved.
        self.editor.show_error(f"Not saved. {self.last_error}")
        self.status_message.emit("Not saved: see the problems under the form.")
        if not isinstance(error, InvalidInputError):  # not a typing mistake: keep the details at hand
            report_error(error, details, self)
        return True

    # ---- undo (called by the commands) --------------------------------------------------------

    def _resolve(self, person_id: int) -> int:
        return self._ids.get(person_id, person_id)

    def apply_update(self, person_id: int, fields: PersonFields) -> None:
        if not self.context.is_open:
            return
        target = self._resolve(person_id)
        self._want_selected = target
        DbOp(self, lambda work: work.app.people.update(target, fields)).failure(self._on_undo_failed).run()

    def apply_add(self, person_id: int, fields: PersonFields) -> None:
        previous = self._resolve(person_id)

        def done(result: tuple[Person, Changes]) -> None:
            new_id = result[0].person_id
            # Every command that knew this person by an older id now reaches the new record.
            for key, value in list(self._ids.items()):
                if value == previous:
                    self._ids[key] = new_id
            self._ids[person_id] = self._ids[previous] = new_id
            self._want_selected = new_id

        DbOp(self, lambda work: work.app.people.add(fields)).success(done).failure(self._on_undo_failed).run()

    def apply_delete(self, person_id: int) -> None:
        if not self.context.is_open:
            return
        target = self._resolve(person_id)
        if self.editor.person is not None and self.editor.person.person_id == target:
            self.editor.show_person(None)
        DbOp(self, lambda work: work.app.people.delete(target)).failure(self._on_undo_failed).run()

    def _on_undo_failed(self, error: BaseException, details: str) -> bool:
        self.last_error = user_message(error)
        report_error(error, details, self)
        return True

    # ---- delete -------------------------------------------------------------------------------

    def ask_confirm_delete(self, people: list[Person]) -> bool:
        names = ", ".join(p.display_name for p in people[:5]) + (" …" if len(people) > 5 else "")
        answer = QMessageBox.question(
            self,
            "Delete people",
            f"Delete {plural(len(people), 'person', 'people')} from the directory?\n\n{names}\n\n"
            "This cannot be undone.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def delete_selected(self) -> None:
        people = self.selected_people()
        if not people or not self.context.is_open or not self.ask_confirm_delete(people):
            return

        def job(work: Work) -> tuple[list[Person], list[str], Changes]:
            service, deleted, refused = work.app.people, [], []
            for person in people:  # one at a time: a refusal for one must not keep the others
                try:
                    service.delete(person.person_id)
                except InvalidInputError as error:
                    refused.append(error.user_message)
                else:
                    deleted.append(person)
            return deleted, refused, Changes(people=bool(deleted))

        DbOp(self, job).success(self._on_deleted).failure(self._on_undo_failed).run()

    def _on_deleted(self, result: tuple[list[Person], list[str], Changes]) -> None:
        deleted, refused, _changes = result
        gone = {p.person_id for p in deleted}
        if self.editor.person is not None and self.editor.person.person_id in gone:
            self.editor.show_person(None)
        if deleted:
            names = ", ".join(p.display_name for p in deleted[:3]) + (" …" if len(deleted) > 3 else "")
            self.status_message.emit(f"Deleted {len(deleted)}: {names}.")
        if refused:
            error = InvalidInputError(" ".join(refused))
            self.last_error = error.user_message
            report_error(error, "\n".join(refused), self)

    # ---- duplicates and merge -----------------------------------------------------------------

    def find_duplicates(self) -> DuplicatesDialog | None:
        return self._open_duplicates(None)

    def merge_selected(self) -> DuplicatesDialog | None:
        people = self.selected_people()
        if len(people) < 2:
            self.status_message.emit("Select two or more records of the same person to merge them.")
            return None
        return self._open_duplicates([DuplicateGroup(tuple(p.person_id for p in people), SELECTED_REASON)])

    def _open_duplicates(self, groups: list[DuplicateGroup] | None) -> DuplicatesDialog | None:
        if not self.context.is_open:
            return None
        if _alive(self.duplicates_dialog):
            self.duplicates_dialog.close()  # type: ignore[union-attr]  # it deletes itself when idle
        dialog = DuplicatesDialog(self.context, groups, self)
        dialog.status_message.connect(self.status_message)
        dialog.merged.connect(self._on_duplicates_merged)
        self.duplicates_dialog = dialog
        dialog.show()
        return dialog

    def _on_duplicates_merged(self, person_id: int) -> None:
        self._want_selected = person_id

    # ---- import -------------------------------------------------------------------------------

    def open_import_wizard(
        self, path: Path | None = None, event_id: int | None = None
    ) -> ImportWizard | None:
        """Open the import wizard without blocking; a wizard already open is brought to the front."""
        if not self.context.is_open:
            return None
        if _alive(self.wizard) and self.wizard.isVisible():  # type: ignore[union-attr]
            self.wizard.raise_()  # type: ignore[union-attr]
            self.wizard.activateWindow()  # type: ignore[union-attr]
            return self.wizard
        wizard = ImportWizard(self.context, event_id, self.window(), path=path)
        wizard.status_message.connect(self.status_message)
        self.wizard = wizard
        wizard.open()
        return wizard


def _alive(window: QWidget | None) -> bool:
    """Closed dialogs delete themselves (see DialogJobs): a reference may outlive the window."""
    return window is not None and shiboken6.isValid(window)
