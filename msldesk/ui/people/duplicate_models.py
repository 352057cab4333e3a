"""Models for merging: the list of duplicate groups, and one group's people side by side."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from msldesk.boards.records import DuplicateGroup, Person, PersonFields
from msldesk.ui.people.people_model import consent_cell
from msldesk.ui.theme import colour, palette

GroupRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class DuplicateGroupsModel(QAbstractListModel):
    """One row per group: the names and why they look like one person."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._groups: list[tuple[DuplicateGroup, tuple[Person, ...]]] = []

    def set_groups(self, groups: list[tuple[DuplicateGroup, tuple[Person, ...]]]) -> None:
        self.beginResetModel()
        self._groups = [(g, people) for g, people in groups if len(people) > 1]
        self.endResetModel()

    def group(self, row: int) -> tuple[DuplicateGroup, tuple[Person, ...]] | None:
        return self._groups[row] if 0 <= row < len(self._groups) else None

    def remove_group(self, row: int) -> None:
        if 0 <= row < len(self._groups):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._groups[row]
            self.endRemoveRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._groups)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._groups):
            return None
        group, people = self._groups[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            names = list(dict.fromkeys(p.display_name for p in people))
            return f"{' / '.join(names)} — {len(people)} records, {group.reason}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(
                f"#{p.person_id} {p.display_name} · {p.fields.institution or 'no institution'} · "
                f"{p.fields.email or 'no email'}"
                for p in people
            )
        if role == GroupRole:
            return group
        return None


# (row label, value of a person's fields)
_ROWS: tuple[tuple[str, Any], ...] = (
    ("First name", lambda f: f.first_name),
    ("Last name", lambda f: f.last_name),
    ("Credentials", lambda f: f.credentials),
    ("Specialty", lambda f: f.specialty),
    ("Institution", lambda f: f.institution),
    ("City", lambda f: f.city),
    ("State", lambda f: f.state),
    ("Country", lambda f: f.country),
    ("Email", lambda f: f.email),
    ("Phone", lambda f: f.phone),
    ("NPI", lambda f: f.npi),
    ("FMV tier", lambda f: f.tier),
    ("Consent", consent_cell),
    ("Notes", lambda f: f.notes.replace("\n", " · ")),
)


def merged_fields(keep: Person, others: list[Person]) -> PersonFields:
    """What PeopleService.merge keeps: the chosen record, its blanks filled from the others in order."""
    fields = keep.fields
    for other in others:
        fields = fields.merged_with(other.fields)
        if other.fields.notes and other.fields.notes not in fields.notes:
            fields = replace(fields, notes=f"{fields.notes}\n{other.fields.notes}".strip())
    return fields


class ComparisonModel(QAbstractTableModel):
    """Columns: each person of a group, then the record a merge would leave. Rows: their fields."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._people: list[Person] = []
        self._keep: int | None = None
        self._result = PersonFields()

    def set_people(self, people: list[Person], keep_id: int | None = None) -> None:
        self.beginResetModel()
        self._people = list(people)
        self._keep = keep_id if keep_id is not None else (people[0].person_id if people else None)
        self._update_result()
        self.endResetModel()

    def set_keep(self, person_id: int) -> None:
        if person_id == self._keep or all(p.person_id != person_id for p in self._people):
            return
        self._keep = person_id
        self._update_result()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(0, self.columnCount() - 1))
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    @property
    def keep_id(self) -> int | None:
        return self._keep

    def people(self) -> list[Person]:
        return list(self._people)

    def others(self) -> list[Person]:
        return [p for p in self._people if p.person_id != self._keep]

    def _update_result(self) -> None:
        keep = next((p for p in self._people if p.person_id == self._keep), None)
        self._result = merged_fields(keep, self.others()) if keep else PersonFields()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or not self._people else len(_ROWS)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or not self._people else len(self._people) + 1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
                return "Click a person to keep their record" if section < len(self._people) else None
            return None
        if orientation == Qt.Orientation.Vertical:
            return _ROWS[section][0] if 0 <= section < len(_ROWS) else None
        if 0 <= section < len(self._people):
            person = self._people[section]
            mark = "✓ keep" if person.person_id == self._keep else "merge in"
            return f"{mark}\n#{person.person_id} {person.display_name}"
        if section == len(self._people):
            return "After merging"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        if not 0 <= index.column() < self.columnCount():
            return None
        value_of = _ROWS[index.row()][1]
        is_result = index.column() == len(self._people)
        fields = self._result if is_result else self._people[index.column()].fields
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return value_of(fields)
        values = {value_of(p.fields) for p in self._people}
        if role == Qt.ItemDataRole.FontRole and len(values) > 1:
            font = QFont()
            font.setBold(True)  # the rows where the records disagree
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            if is_result:
                return colour(palette().success_bg)
            if self._people[index.column()].person_id == self._keep:
                return colour(palette().accent_bg)
        return None
