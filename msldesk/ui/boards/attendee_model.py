"""AttendeeModel: an event's attendees as an editable table (role, invitation, contract, COI,
honorarium, travel and other expenses), with the FMV warnings of each row as an icon and tooltip."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from msldesk.boards.events.days import checkin_text
from msldesk.boards.records import Attendance, AttendeeRole, Invitation
from msldesk.ui.boards.delegates import ChoicesRole, LimitsRole
from msldesk.ui.boards.formatting import money
from msldesk.ui.theme import colour, palette

AttendanceRole = Qt.ItemDataRole.UserRole + 1
CENT = Decimal("0.01")

Index = QModelIndex | QPersistentModelIndex


class Column:
    (NAME, INSTITUTION, ROLE, INVITATION, CONTRACT, COI, HOURS, HONORARIUM, TRAVEL, EXPENSES, CHECKED_IN,
     ATTENDED) = range(12)  # fmt: skip


HEADERS = ("Name", "Institution", "Role", "Invitation", "Contract", "COI", "Hours", "Honorarium", "Travel",
           "Expenses", "Checked in", "Attended")  # fmt: skip
TIPS = {
    Column.CONTRACT: "Contract signed",
    Column.COI: "Conflict of interest disclosed",
    Column.HOURS: "Hours paid; the honorarium follows from the FMV rate when one is set",
    Column.HONORARIUM: "Honorarium (fair market value caps are checked)",
    Column.TRAVEL: "Travel paid for this attendee (flights, trains, hotel); counted in the budget tab",
    Column.EXPENSES: "Other expenses paid for this attendee (meals, taxis); counted in the budget tab",
    Column.ATTENDED: "Minutes in the meeting, from a Teams or Zoom attendance report",
}
# Amounts typed in the table, by column (in the attendee's currency).
MONEY = {
    Column.HONORARIUM: "honorarium_amount",
    Column.TRAVEL: "travel_amount",
    Column.EXPENSES: "expenses_amount",
}
EDITABLE = {Column.ROLE, Column.INVITATION, Column.HOURS, *MONEY}
NUMERIC = {Column.HOURS, *MONEY, Column.ATTENDED}
CHECKABLE = {Column.CONTRACT: "contract_signed", Column.COI: "coi_disclosed"}  # column -> field


def _decimal(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(value) from exc
    if amount < 0:
        raise ValueError(value)
    return amount


class AttendeeModel(QAbstractTableModel):
    attendance_edited = Signal(int, object)  # attendance id, AttendanceFields (new)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Attendance] = []
        self._event_day: dt.date | None = None
        self._zone: dt.tzinfo | None = None
        self._warning_icon: QIcon | None = None

    def set_attendees(
        self, attendees: Sequence[Attendance], event_day: dt.date | None = None, zone: dt.tzinfo | None = None
    ) -> None:
        """Same people in the same order: rows are updated in place (an open editor survives)."""
        self._event_day, self._zone = event_day, zone
        if [a.attendance_id for a in attendees] == self.attendance_ids() and self._rows:
            self._rows = list(attendees)
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(HEADERS) - 1))
            return
        self.beginResetModel()
        self._rows = list(attendees)
        self.endResetModel()

    def attendees(self) -> list[Attendance]:
        return list(self._rows)

    def attendance(self, row: int) -> Attendance | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def attendance_ids(self) -> list[int]:
        return [a.attendance_id for a in self._rows]

    def row_of_person(self, person_id: int) -> int:
        return next((r for r, a in enumerate(self._rows) if a.person.person_id == person_id), -1)

    def warnings(self) -> list[tuple[str, str]]:
        """(name, warning) for every FMV warning on the list."""
        return [(a.person.display_name, w) for a in self._rows for w in a.warnings]

    def _icon(self) -> QIcon:
        if self._warning_icon is None:
            self._warning_icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._warning_icon

    # ---- table --------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return TIPS.get(section)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in EDITABLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        if index.column() in CHECKABLE:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        attendance, column = self._rows[index.row()], index.column()
        f = attendance.fields
        if role == AttendanceRole:
            return attendance
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(attendance, column)
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_value(attendance, column)
        if role == Qt.ItemDataRole.CheckStateRole and column in CHECKABLE:
            done = getattr(f, CHECKABLE[column])
            return Qt.CheckState.Checked if done else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole and column == Column.NAME and attendance.warnings:
            return self._icon()
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(attendance, column)
        if role == Qt.ItemDataRole.BackgroundRole and attendance.warnings:
            return colour(palette().warning_bg)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ChoicesRole:
            return _choices(column)
        if role == LimitsRole:
            return _limits(column)
        return None

    def _edit_value(self, attendance: Attendance, column: int) -> Any:
        """What an editor starts from: the enum's value, the number, else the shown text."""
        f = attendance.fields
        if column == Column.ROLE:
            return f.role.value
        if column == Column.INVITATION:
            return f.invitation.value
        if column == Column.HOURS:
            return float(f.honorarium_hours)
        if column in MONEY:
            return float(getattr(f, MONEY[column]))
        return self._display(attendance, column)

    def _display(self, attendance: Attendance, column: int) -> Any:
        f, p = attendance.fields, attendance.person
        if column == Column.NAME:
            creds = p.fields.credentials
            return f"{p.display_name}, {creds}" if creds else p.display_name
        if column == Column.INSTITUTION:
            return p.fields.institution
        if column == Column.ROLE:
            return f.role.label
        if column == Column.INVITATION:
            return f.invitation.label
        if column == Column.HOURS:
            return f"{f.honorarium_hours.normalize():f}" if f.honorarium_hours else ""
        if column in MONEY:
            amount = getattr(f, MONEY[column])
            return money(amount, f.currency) if amount else ""
        if column == Column.CHECKED_IN:
            return checkin_text(f.checked_in_at, self._event_day, self._zone)
        if column == Column.ATTENDED:
            return "" if f.attended_minutes is None else f"{f.attended_minutes} min"
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return False
        row, column = index.row(), index.column()
        attendance = self._rows[row]
        f = attendance.fields
        try:
            if role == Qt.ItemDataRole.CheckStateRole and column in CHECKABLE:
                checked = Qt.CheckState(value) == Qt.CheckState.Checked
                if column == Column.CONTRACT:
                    new = replace(f, contract_signed=checked)
                else:
                    new = replace(f, coi_disclosed=checked)
            elif role != Qt.ItemDataRole.EditRole or column not in EDITABLE:
                return False
            elif column == Column.ROLE:
                new = replace(f, role=AttendeeRole(value))
            elif column == Column.INVITATION:
                new = replace(f, invitation=Invitation(value))
            elif column == Column.HOURS:
                hours = _decimal(value)
                # With a known hourly rate, new hours mean a new honorarium: the service reprices a
                # zero amount as rate x hours. Without one, a typed amount is kept.
                amount = Decimal("0") if f.honorarium_rate > 0 else f.honorarium_amount
                new = replace(f, honorarium_hours=hours, honorarium_amount=amount)
            else:
                amount_field: dict[str, Any] = {MONEY[column]: _decimal(value)}
                new = replace(f, **amount_field)
        except (TypeError, ValueError):
            return False
        if new == f:
            return True
        self._rows[row] = replace(attendance, fields=new)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        self.attendance_edited.emit(attendance.attendance_id, new)
        return True


def _tooltip(attendance: Attendance, column: int) -> str | None:
    if attendance.warnings:
        return "\n".join(attendance.warnings)
    if column in (Column.NAME, Column.INSTITUTION):
        p = attendance.person.fields
        return "\n".join(x for x in (attendance.person.display_name, p.specialty, p.email) if x)
    return None


def _choices(column: int) -> list[tuple[str, str]] | None:
    """What the combo of a Role or Invitation cell offers, as (label, value)."""
    if column == Column.ROLE:
        return [(r.label, r.value) for r in AttendeeRole]
    if column == Column.INVITATION:
        return [(i.label, i.value) for i in Invitation]
    return None


def _limits(column: int) -> tuple[float, float, int] | None:
    """(lowest, highest, decimals) of a number cell's editor."""
    if column == Column.HOURS:
        return (0.0, 1000.0, 2)
    if column in MONEY:
        return (0.0, 10_000_000.0, 2)
    return None
