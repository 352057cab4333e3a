"""PeopleTableModel: the directory as a table, loaded a page at a time on the db lane as the user scrolls."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from msldesk.boards.records import Person, PersonFields
from msldesk.ui.ops import Op, Work

if TYPE_CHECKING:
    from msldesk.boards.people.service import PeopleService
    from msldesk.ui.context import AppContext

PAGE_SIZE = 200
PersonRole = Qt.ItemDataRole.UserRole + 1
PersonIdRole = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


def name_cell(p: PersonFields) -> str:
    """'Last, First' because the directory is ordered by last name; a contact known only by its
    e-mail address is shown by it, marked for completion."""
    if p.last_name and p.first_name:
        return f"{p.last_name}, {p.first_name}"
    if p.name_missing:
        return f"{p.email} (name missing)" if p.email else "(name missing)"
    return p.last_name or p.first_name


def place_cell(p: PersonFields) -> str:
    return ", ".join(part for part in (p.city, p.state, p.country) if part)


def consent_cell(p: PersonFields) -> str:
    return {True: "Yes", False: "No", None: ""}[p.consent_to_contact]


# (header, cell text). Column 0 is also the server's order: last name, first name, id.
COLUMNS: tuple[tuple[str, Callable[[PersonFields], str]], ...] = (
    ("Name", name_cell),
    ("Credentials", lambda p: p.credentials),
    ("Specialty", lambda p: p.specialty),
    ("Institution", lambda p: p.institution),
    ("City / state / country", place_cell),
    ("Email", lambda p: p.email),
    ("NPI", lambda p: p.npi),
    ("Tier", lambda p: p.tier),
    ("Consent", consent_cell),
)
NAME_COLUMN = 0
INSTITUTION_COLUMN = 3


def _server_key(person: Person) -> tuple[str, str, int]:
    # SQLite's default collation is binary: keep the same order when re-sorting locally.
    return (person.fields.last_name, person.fields.first_name, person.person_id)


class PeopleTableModel(QAbstractTableModel):
    """Rows come from PeopleService.search(query, limit, offset); stale answers are dropped."""

    loaded = Signal(int)  # total matching people, when the first page of a query has arrived
    sort_refused = Signal(str)  # why a column cannot be sorted right now

    def __init__(self, context: AppContext, service: Callable[[], PeopleService], parent: Any = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = service
        self.query = ""
        self.total = 0
        self.loading = False
        self._people: list[Person] = []
        self._generation = 0
        self._fetching = False
        self._sort: tuple[int, Qt.SortOrder] = (NAME_COLUMN, Qt.SortOrder.AscendingOrder)

    # ---- loading ------------------------------------------------------------------------------

    def set_query(self, query: str) -> None:
        """Ask for the first page of a new search; the answer of an older search is ignored."""
        self.query = query
        self._load(PAGE_SIZE)

    def reload(self) -> None:
        """Load the same search again (after a change), keeping as many rows as were shown."""
        self._load(max(PAGE_SIZE, len(self._people)))

    def _load(self, limit: int) -> None:
        self._generation += 1
        generation, query, service = self._generation, self.query, self.service()
        self.loading = True
        self._fetching = False

        def job(_work: Work) -> tuple[int, list[Person]]:
            return service.count(query), service.search(query, limit, 0)

        Op(self, job).success(lambda result: self._on_loaded(generation, result)).failure(
            self._on_failed(generation)
        ).run()

    def _on_loaded(self, generation: int, result: tuple[int, list[Person]]) -> None:
        if generation != self._generation:
            return
        total, people = result
        self.loading = False
        self.beginResetModel()
        self.total = max(total, len(people))
        self._people = people
        self._apply_sort()
        self.endResetModel()
        self.loaded.emit(self.total)

    def _on_failed(self, generation: int) -> Callable[[BaseException, str], None]:
        def failed(_error: BaseException, _details: str) -> None:
            if generation == self._generation:
                self.loading = self._fetching = False  # and the op shows the error

        return failed

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self.loading or self._fetching:
            return False
        return len(self._people) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation, query, offset, service = self._generation, self.query, len(self._people), self.service()
        fetch = Op(self, lambda _work: service.search(query, PAGE_SIZE, offset))
        fetch.success(lambda people: self._on_fetched(generation, offset, people))
        fetch.failure(self._on_failed(generation)).run()

    def _on_fetched(self, generation: int, offset: int, people: list[Person]) -> None:
        if generation != self._generation or offset != len(self._people):
            return
        self._fetching = False
        known = {p.person_id for p in self._people}
        # A change between pages can shift rows by one: never show a person twice.
        people = [p for p in people if p.person_id not in known]
        if not people:
            self.total = len(self._people)  # the directory shrank while scrolling
            return
        first = len(self._people)
        self.beginInsertRows(QModelIndex(), first, first + len(people) - 1)
        self._people.extend(people)
        self.endInsertRows()

    # ---- access -------------------------------------------------------------------------------

    @property
    def complete(self) -> bool:
        return not self.loading and len(self._people) >= self.total

    def person(self, row: int) -> Person | None:
        return self._people[row] if 0 <= row < len(self._people) else None

    def row_of(self, person_id: int | None) -> int:
        for row, person in enumerate(self._people):
            if person.person_id == person_id:
                return row
        return -1

    # ---- sorting ------------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The server order (name, ascending) always; any column once every match is loaded."""
        default = column == NAME_COLUMN and order == Qt.SortOrder.AscendingOrder
        if not default and not self.complete:
            self.sort_refused.emit(
                f"Showing {len(self._people):,} of {self.total:,} people in name order. Narrow the "
                "search to sort by another column."
            )
            return
        if (column, order) == self._sort:
            return
        self.layoutAboutToBeChanged.emit()
        old = [self.index(r, c) for r in range(len(self._people)) for c in range(len(COLUMNS))]
        ids = [p.person_id for p in self._people]
        self._sort = (column, order)
        self._apply_sort()
        position = {p.person_id: r for r, p in enumerate(self._people)}
        self.changePersistentIndexList(old, [self.index(position[ids[i.row()]], i.column()) for i in old])
        self.layoutChanged.emit()

    @property
    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        return self._sort

    def _apply_sort(self) -> None:
        column, order = self._sort
        if not self.complete:
            self._sort = (NAME_COLUMN, Qt.SortOrder.AscendingOrder)  # pages arrive in server order
            return
        reverse = order == Qt.SortOrder.DescendingOrder
        if column == NAME_COLUMN:
            self._people.sort(key=_server_key, reverse=reverse)
        else:
            cell = COLUMNS[column][1]
            self._people.sort(key=lambda p: (cell(p.fields).casefold(), _server_key(p)), reverse=reverse)

    # ---- Qt model -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._people)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][0]
            if role == Qt.ItemDataRole.ToolTipRole and section == NAME_COLUMN:
                return "Ordered by last name, then first name"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._people):
            return None
        if not 0 <= index.column() < len(COLUMNS):
            return None
        person = self._people[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[index.column()][1](person.fields)
        if role == Qt.ItemDataRole.ToolTipRole:
            f = person.fields
            lines = [" ".join(x for x in (f.display_name, f.credentials) if x)]
            lines += [x for x in (f.specialty, f.institution, place_cell(f), f.email, f.phone) if x]
            if f.npi:
                lines.append(f"NPI {f.npi}")
            return "\n".join(lines)
        if role == PersonRole:
            return person
        if role == PersonIdRole:
            return person.person_id
        return None
