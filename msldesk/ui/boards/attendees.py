"""AttendeesPanel: who is invited to the event, edited in place (role, invitation, contract, COI,
honorarium, travel, expenses), with fair-market-value warnings, people added from the directory or
imported."""

from __future__ import annotations

import html
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from msldesk.boards.events.counts import count_attendance, counts_summary
from msldesk.core import clock
from msldesk.core.changes import Changes
from msldesk.ui.boards.attendee_model import AttendeeModel, Column
from msldesk.ui.boards.bundle import EventBundle
from msldesk.ui.boards.delegates import BoardsDelegate
from msldesk.ui.boards.removal_questions import say_kept
from msldesk.ui.boards.writer import BoardsWriter
from msldesk.ui.context import AppContext
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.export_banner import MAX_WARNINGS_SHOWN
from msldesk.ui.widgets.table_fit import comfortable_rows, fit_columns


class AttendeesPanel(QWidget):
    status_message = Signal(str)

    def __init__(self, context: AppContext, writer: BoardsWriter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.writer = writer
        self.event_id: int | None = None
        self.model = AttendeeModel(self)
        self._wizard: QWidget | None = None

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(BoardsDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)  # Attended: the room left, if any; the table scrolls otherwise
        comfortable_rows(self.table)
        # Typical values, measured in the table's font; "28 Sep 2022 23:59" is a check-in another year.
        samples = {
            Column.NAME: "Sofia Marchetti, PharmD  ",
            Column.INSTITUTION: "Policlinico Gemelli",
            Column.ROLE: "Moderator ▾",
            Column.INVITATION: "Waitlisted ▾",
            Column.CONTRACT: "☐",
            Column.COI: "☐",
            Column.HOURS: "10.25",
            Column.HONORARIUM: "USD 12,500.00",
            Column.TRAVEL: "USD 1,250.00",
            Column.EXPENSES: "USD 1,250.00",
            Column.CHECKED_IN: "28 Sep 2022 23:59",
            Column.ATTENDED: "480 min",
        }
        fit_columns(self.table, samples)

        self.add_button = QPushButton("Add from directory…")
        self.add_button.setToolTip("Search the people directory and add them to this event")
        self.import_button = QPushButton("Import attendees…")
        self.import_button.setToolTip("Read a spreadsheet, vCard or meeting report into this event")
        self.remove_button = QPushButton("Remove")
        self.check_in_button = QPushButton("Check in")
        self.check_in_button.setToolTip("Record that the selected people arrived (now)")
        self.summary = QLabel()
        self.fmv_label = QLabel()
        self.fmv_label.setWordWrap(True)
        self.fmv_label.setTextFormat(Qt.TextFormat.RichText)
        set_role(self.fmv_label, "notice-warning")
        self.fmv_label.hide()

        buttons = QHBoxLayout()
        for button in (self.add_button, self.import_button, self.remove_button, self.check_in_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.fmv_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

        self.add_button.clicked.connect(self.add_people)
        self.import_button.clicked.connect(self.import_attendees)
        self.remove_button.clicked.connect(self.remove_selected)
        self.check_in_button.clicked.connect(self.check_in_selected)
        self.model.attendance_edited.connect(self._on_model_attendance_edited)
        self.model.modelReset.connect(self._update_summary)
        self.model.dataChanged.connect(self._update_summary)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    # ---- contents -----------------------------------------------------------------------------

    def show_bundle(self, bundle: EventBundle) -> None:
        self.event_id = bundle.event_id
        start, zone = bundle.event.fields.starts_at, clock.zone(bundle.event.fields.timezone)
        self.model.set_attendees(bundle.attendees, start.date() if start else None, zone)
        self._update_summary()
        self._update_buttons()

    def _update_summary(self, *_args: Any) -> None:
        rows = self.model.attendees()
        self.summary.setText(
            counts_summary(count_attendance(a.fields for a in rows))
            if rows
            else "Nobody is on the list yet. Add people from the directory or import a file."
        )
        warnings = self.model.warnings()
        if warnings:
            noun = "warning" if len(warnings) == 1 else "warnings"
            # A few in full; a long list would make the tab taller than a small screen (the rows in
            # the table carry the mark, and the tooltip has them all).
            shown, more = warnings[:MAX_WARNINGS_SHOWN], len(warnings) - MAX_WARNINGS_SHOWN
            items = "".join(f"<li><b>{html.escape(n)}</b>: {html.escape(w)}</li>" for n, w in shown)
            if more > 0:
                items += f"<li>… and {more} more (the ⚠ rows; hover here to see all)</li>"
            self.fmv_label.setText(f"⚠ {len(warnings)} fair market value {noun}:<ul>{items}</ul>")
            self.fmv_label.setToolTip("\n".join(f"{n}: {w}" for n, w in warnings))
        self.fmv_label.setVisible(bool(warnings))

    def _update_buttons(self, *_args: Any) -> None:
        selected = bool(self.selected_ids())
        self.add_button.setEnabled(self.event_id is not None)
        self.import_button.setEnabled(self.event_id is not None)
        self.remove_button.setEnabled(selected)
        self.check_in_button.setEnabled(selected)

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [a.attendance_id for r in rows if (a := self.model.attendance(r)) is not None]

    # ---- dialogs (replaced in tests) ----------------------------------------------------------

    def ask_person(self) -> list[int]:
        """Ids of the people picked in the directory (empty: cancelled)."""
        from msldesk.ui.boards.person_picker import PersonPicker

        on_list = [a.person.person_id for a in self.model.attendees()]
        picker = PersonPicker(self.context, on_list, self)
        return picker.person_ids() if picker.exec() else []

    def ask_confirm_remove(self, names: list[str]) -> bool:
        who = names[0] if len(names) == 1 else f"{len(names)} people"
        answer = QMessageBox.question(
            self,
            "Remove from the event",
            f"Remove {who} from this event? Their invitation, contract and honorarium details on this "
            "event are removed too; they stay in the directory.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def open_import_wizard(self, event_id: int) -> QWidget | None:
        """Open the people import wizard for this event; None if it is not part of this build."""
        try:
            from msldesk.ui.people.import_wizard import ImportWizard
        except ImportError:  # built by the People section; a build without it still edits events
            return None
        wizard = self._wizard
        if wizard is not None and shiboken6.isValid(wizard) and wizard.isVisible():
            wizard.raise_()  # one at a time; the wizard deletes itself once closed and idle
            wizard.activateWindow()
            return wizard
        wizard = ImportWizard(self.context, event_id=event_id, parent=self.window())
        wizard.status_message.connect(self.status_message)
        wizard.show()  # not modal: the event stays editable while a file is read
        return wizard

    # ---- edits --------------------------------------------------------------------------------

    def _events(self) -> Any:
        return self.context.events

    def add_people(self) -> None:
        if self.event_id is None:
            return
        person_ids = self.ask_person()
        if not person_ids:
            return
        event_id, events = self.event_id, self._events()

        def job() -> Changes:
            changes = Changes()
            for person_id in person_ids:
                changes |= events.add_attendee(event_id, person_id)[1]
            return changes

        count = len(person_ids)
        self.writer.write(
            job,
            lambda _c: self.status_message.emit(f"Added {count} {'person' if count == 1 else 'people'}"),
        )

    def import_attendees(self) -> None:
        if self.event_id is None:
            return
        self._wizard = self.open_import_wizard(self.event_id)
        if self._wizard is None:
            self.status_message.emit("Importing attendees is not available in this build yet.")

    def say_kept(self, refusal: str) -> None:
        say_kept(refusal, self)

    def remove_selected(self) -> None:
        """Asks first; none goes when one of them stays (a payment the Open Payments export reports),
        and the refusal says what to do instead."""
        ids = self.selected_ids()
        if not ids:
            return
        by_id = {a.attendance_id: a for a in self.model.attendees()}
        events = self._events()

        def checked(kept: list[str]) -> None:
            if kept:
                self.say_kept("\n\n".join(kept))
            elif self.ask_confirm_remove([by_id[i].person.display_name for i in ids]):
                self.writer.write(
                    job, lambda _c: self.status_message.emit(f"Removed {len(ids)} from the event")
                )

        def job() -> Changes:
            changes = Changes()
            for attendance_id in ids:
                changes |= events.remove_attendee(attendance_id)
            return changes

        self.writer.write(lambda: events.kept_attendees(ids), checked)

    def check_in_selected(self) -> None:
        ids, events = self.selected_ids(), self._events()
        if not ids:
            return

        def job() -> Changes:
            changes = Changes()
            for attendance_id in ids:
                changes |= events.check_in(attendance_id)[1]
            return changes

        self.writer.write(job, lambda _c: self.status_message.emit(f"Checked in {len(ids)}"))

    def _on_model_attendance_edited(self, attendance_id: int, fields: Any) -> None:
        events = self._events()
        self.writer.write(lambda: events.update_attendance(attendance_id, fields))
