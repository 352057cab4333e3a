"""CheckInPanel: the event's attendees with a box to tick as each one arrives, and who is in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListView, QPushButton, QVBoxLayout, QWidget

from msldesk.boards.events.days import checkin_text
from msldesk.boards.records import Attendance, Invitation
from msldesk.ui.theme import colour, palette, set_role
from msldesk.ui.widgets.table_fit import comfortable_rows

Index = QModelIndex | QPersistentModelIndex
AttendanceIdRole = Qt.ItemDataRole.UserRole + 1


class CheckInModel(QAbstractListModel):
    """One row per attendee; ticking the box asks for a check-in (there is no un-check-in)."""

    check_in_requested = Signal(int)  # attendance id

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Attendance] = []
        self._pending: set[int] = set()  # ticked, the service has not answered yet
        self._zone: dt.tzinfo | None = None
        self._event_day: dt.date | None = None

    def set_attendees(
        self,
        attendees: tuple[Attendance, ...] | list[Attendance],
        zone: dt.tzinfo | None = None,
        event_day: dt.date | None = None,
    ) -> None:
        self._zone, self._event_day = zone, event_day
        # Declined people are listed last: someone may still turn up.
        rows = sorted(attendees, key=lambda a: a.fields.invitation is Invitation.DECLINED)
        self._pending -= {a.attendance_id for a in rows if a.fields.checked_in_at is not None}
        if [a.attendance_id for a in rows] == [a.attendance_id for a in self._rows] and rows:
            self._rows = rows
            self.dataChanged.emit(self.index(0), self.index(len(rows) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def attendees(self) -> list[Attendance]:
        return list(self._rows)

    def attendance(self, row: int) -> Attendance | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, attendance_id: int) -> int:
        return next((r for r, a in enumerate(self._rows) if a.attendance_id == attendance_id), -1)

    def checked_in(self, attendance: Attendance) -> bool:
        return attendance.fields.checked_in_at is not None or attendance.attendance_id in self._pending

    def forget_pending(self, attendance_id: int) -> None:
        """The check-in failed: untick the box again."""
        self._pending.discard(attendance_id)
        row = self.row_of(attendance_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row), self.index(row))

    def clock(self, moment: dt.datetime | None) -> str:
        """ "09:03" in the event's zone (check-ins are UTC instants), with the date on another day."""
        return checkin_text(moment, self._event_day, self._zone)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        attendance = self.attendance(index.row()) if index.isValid() else None
        if attendance is not None and not self.checked_in(attendance):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        attendance = self.attendance(index.row()) if index.isValid() else None
        if attendance is None:
            return None
        f = attendance.fields
        if role == Qt.ItemDataRole.DisplayRole:
            when = self.clock(f.checked_in_at)
            state = f"in {when}" if when else ("…" if attendance.attendance_id in self._pending else "")
            extra = f" — {state}" if state else ""
            return f"{attendance.person.display_name} ({f.role.label.lower()}){extra}"
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if self.checked_in(attendance) else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole and f.invitation is Invitation.DECLINED:
            return colour(palette().faint)
        if role == Qt.ItemDataRole.ToolTipRole:
            person = attendance.person.fields
            place = ", ".join(p for p in (person.institution, person.city) if p)
            return f"{attendance.person.display_name}\n{place}\nInvitation: {f.invitation.label}"
        if role == AttendanceIdRole:
            return attendance.attendance_id
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        attendance = self.attendance(index.row()) if index.isValid() else None
        if role != Qt.ItemDataRole.CheckStateRole or attendance is None or self.checked_in(attendance):
            return False
        if Qt.CheckState(value) != Qt.CheckState.Checked:
            return False
        self._pending.add(attendance.attendance_id)
        self.dataChanged.emit(index, index)
        self.check_in_requested.emit(attendance.attendance_id)
        return True


class CheckInPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CheckInModel(self)
        self.heading = QLabel("Attendees")
        set_role(self.heading, "heading")
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setToolTip("Tick a box (or select and press Space) when the person arrives")
        comfortable_rows(self.list)
        self.check_in_button = QPushButton("Check in")
        self.check_in_button.setToolTip("Record that the selected person arrived (now)")
        self.check_in_button.clicked.connect(self.check_in_selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.check_in_button)
        self.model.modelReset.connect(self._update)
        self.model.dataChanged.connect(self._update)
        self.list.selectionModel().currentChanged.connect(self._update)
        self._update()

    def set_attendees(
        self,
        attendees: tuple[Attendance, ...],
        zone: dt.tzinfo | None = None,
        event_day: dt.date | None = None,
    ) -> None:
        self.model.set_attendees(attendees, zone, event_day)

    def check_in_selected(self) -> None:
        index = self.list.currentIndex()
        if index.isValid():
            self.model.setData(index, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)

    def _update(self, *_args: Any) -> None:
        rows = self.model.attendees()
        expected = [a for a in rows if a.fields.invitation is not Invitation.DECLINED]
        inside = sum(1 for a in rows if self.model.checked_in(a))
        self.heading.setText(
            f"Attendees · {inside} of {len(expected)} checked in" if rows else "No attendees"
        )
        current = self.model.attendance(self.list.currentIndex().row())
        self.check_in_button.setEnabled(current is not None and not self.model.checked_in(current))
