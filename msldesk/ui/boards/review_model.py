"""NotesTreeModel: a meeting's entries grouped by theme or by agenda item, for the review tab, with the
snapshot (entries, themes, agenda, summary, finalization) it is built from, read in one db-lane job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from msldesk.boards.records import AgendaItem, EntryKind, NoteEntry
from msldesk.core import clock
from msldesk.ui.theme import colour, palette

if TYPE_CHECKING:  # the service modules load SQLAlchemy; the GUI starts without it
    from msldesk.boards.events.service import EventService
    from msldesk.boards.meeting.service import MeetingService

EntryRole = Qt.ItemDataRole.UserRole + 1
GroupTitleRole = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex

BY_THEME, BY_AGENDA = "theme", "agenda"
NO_THEME = "No theme"
NOT_ON_AGENDA = "Not filed under an agenda item"
STAR = "★"


class Column:
    TIME, KEY, KIND, SPEAKER, TEXT, THEMES, REVIEW = range(7)


HEADERS = ("Time", STAR, "Kind", "Speaker", "Entry", "Themes", "Review")


@dataclass(frozen=True)
class ReviewData:
    """What the review tab shows of one meeting, read together so it is consistent."""

    event_id: int
    timezone: str
    entries: tuple[NoteEntry, ...]
    themes: tuple[str, ...]  # the event's taxonomy, in its order
    agenda: tuple[AgendaItem, ...]
    executive_summary: str
    finalized_at: dt.datetime | None

    @property
    def needing_review(self) -> tuple[NoteEntry, ...]:
        return tuple(e for e in self.entries if e.needs_review)


def load_review(meetings: MeetingService, events: EventService, event_id: int) -> ReviewData:
    """db lane: one snapshot of the meeting's notes."""
    return ReviewData(
        event_id=event_id,
        timezone=events.get(event_id).fields.timezone,
        entries=tuple(meetings.entries(event_id)),
        themes=tuple(meetings.themes(event_id)),
        agenda=tuple(events.agenda(event_id)),
        executive_summary=meetings.executive_summary(event_id),
        finalized_at=meetings.finalized_at(event_id),
    )


@dataclass(frozen=True)
class Group:
    title: str
    entries: tuple[NoteEntry, ...]


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def group_entries(
    entries: Sequence[NoteEntry],
    by: str,
    themes: Sequence[str] = (),
    agenda: Sequence[AgendaItem] = (),
) -> list[Group]:
    """Entries under each theme (taxonomy order, then themes typed on the fly, then "No theme"; an
    entry with two themes is under both) or under each agenda item (agenda order, then the rest).
    Groups without entries are left out; entries keep the order they were typed in."""
    buckets: dict[str, list[NoteEntry]] = {}
    titles: dict[str, str] = {}
    rest: list[NoteEntry] = []
    if by == BY_AGENDA:
        for item in sorted(agenda, key=lambda i: i.position):
            key = str(item.item_id)
            titles[key] = item.fields.title
            buckets[key] = []
        for entry in entries:
            key = str(entry.fields.agenda_item_id)
            if entry.fields.agenda_item_id is None or key not in buckets:
                rest.append(entry)
            else:
                buckets[key].append(entry)
        rest_title = NOT_ON_AGENDA
    else:
        for theme in themes:
            titles.setdefault(_fold(theme), theme)
            buckets.setdefault(_fold(theme), [])
        for entry in entries:
            if not entry.fields.themes:
                rest.append(entry)
            for key in dict.fromkeys(_fold(t) for t in entry.fields.themes):
                titles.setdefault(key, next(t for t in entry.fields.themes if _fold(t) == key))
                buckets.setdefault(key, []).append(entry)
        rest_title = NO_THEME
    groups = [Group(titles[key], tuple(found)) for key, found in buckets.items() if found]
    if rest:
        groups.append(Group(rest_title, tuple(rest)))
    return groups


def local_time(moment: dt.datetime, timezone: str) -> dt.datetime:
    """A recorded moment on the event's clock (core/clock decides what an unknown zone does)."""
    return moment.astimezone(clock.zone(timezone))


def review_state(entry: NoteEntry) -> str:
    """ "Needs review", "Kept flagged", "Cleared" or "" (not flagged)."""
    return entry.review_state


def speaker_text(entry: NoteEntry) -> str:
    if entry.kind is EntryKind.ACTION and entry.owner_name:
        due = f", {clock.short_date(entry.fields.due, year=False)}" if entry.fields.due else ""
        return f"→ {entry.owner_name}{due}"
    return "; ".join(name for name, _role in entry.speakers if name)  # merged entries' speakers too


def review_colour(state: str) -> str:
    """The colour of a review state: needs review red, kept flagged amber, cleared grey."""
    p = palette()
    return {"Needs review": p.error, "Kept flagged": p.warning}.get(state, p.muted)


def entry_html(entry: NoteEntry, timezone: str) -> str:
    """The whole entry for the details pane: text, who and when, flags, merges and amendments."""
    when = local_time(entry.created_at, timezone)
    facts = [f"<b>{escape(entry.kind.label)}</b>", f"{clock.short_date(when, weekday=True)}, {when:%H:%M:%S}"]
    if entry.speaker_name:
        role = f" ({escape(entry.speaker_role)})" if entry.speaker_role else ""
        facts.append(f"said by {escape(entry.speaker_name)}{role}")
    if entry.agenda_title:
        removed = ", since removed from the agenda" if entry.item_removed else ""
        facts.append(f"during “{escape(entry.agenda_title)}”{removed}")
    if entry.fields.key:
        facts.append(f"<span style='color:{palette().warning}'>{STAR} key insight</span>")
    lines = [" · ".join(facts)]
    if entry.kind is EntryKind.ACTION and (entry.owner_name or entry.fields.due):
        owner = escape(entry.owner_name) or "nobody yet"
        due = f", due {clock.short_date(entry.fields.due)}" if entry.fields.due else ""
        lines.append(f"Action for {owner}{due}")
    lines.append(f"<span style='font-size:14px'>{escape(entry.text)}</span>")
    if entry.fields.themes:
        lines.append("Themes: " + ", ".join(f"#{escape(t)}" for t in entry.fields.themes))
    state = review_state(entry)
    if state:
        terms = ", ".join(f"“{escape(t)}”" for t in entry.flag_terms)
        detail = {
            "Needs review": "restricted wording found; decide before sharing a summary",
            "Kept flagged": "left out of the commercial summary",
            "Cleared": "reviewed and judged acceptable",
        }[state]
        if entry.flag_reviewed_by and entry.flag_reviewed_at is not None:
            reviewed = local_time(entry.flag_reviewed_at, timezone)
            detail += f" (by {escape(entry.flag_reviewed_by)}, {clock.short_date(reviewed)} {reviewed:%H:%M})"
        lines.append(f"<span style='color:{review_colour(state)}'><b>{state}</b>: {terms} — {detail}</span>")
    if entry.merged_ids:
        n = len(entry.merged_ids)
        lines.append(f"{n} duplicate{'s' if n != 1 else ''} merged into this entry:")
        for part in entry.merged_parts:
            who = f" — {escape(part.speaker_name)}" if part.speaker_name else ""
            lines.append(f"• {escape(part.kind.label)}: “{escape(part.text)}”{who}")
    if entry.edited_at is not None:
        edited = local_time(entry.edited_at, timezone)
        lines.append(f"Edited {clock.short_date(edited)}, {edited:%H:%M}")
    if entry.amendments:
        lines.append(f"<b>Amendments</b> (the original, as finalized: “{escape(entry.fields.text)}”)")
        for amendment in entry.amendments:
            at = local_time(amendment.created_at, timezone)
            reason = f" — {escape(amendment.reason)}" if amendment.reason else ""
            lines.append(f"• {clock.short_date(at)}, {at:%H:%M}: “{escape(amendment.text)}”{reason}")
    return "<br>".join(lines)


class NotesTreeModel(QAbstractItemModel):
    """Two levels: groups, then their entries. A group row's internal id is 0; an entry row's is its
    group's row + 1 (groups never hold their own entries twice)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: list[Group] = []
        self._timezone = "UTC"

    # ---- contents -----------------------------------------------------------------------------

    def set_groups(self, groups: Sequence[Group], timezone: str) -> None:
        self.beginResetModel()
        self._groups = list(groups)
        self._timezone = timezone
        self.endResetModel()

    def groups(self) -> list[Group]:
        return list(self._groups)

    def entry(self, index: Index) -> NoteEntry | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        return self._groups[index.internalId() - 1].entries[index.row()]

    def entry_indexes(self, entry_id: int) -> list[QModelIndex]:
        """Where an entry is shown (once per group it is in), column 0."""
        found = []
        for g, group in enumerate(self._groups):
            for row, entry in enumerate(group.entries):
                if entry.entry_id == entry_id:
                    found.append(self.index(row, 0, self.index(g, 0)))
        return found

    # ---- QAbstractItemModel -------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._groups[parent.row()].entries)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == Column.KEY:
                return "Key insight (Space marks or unmarks the selected entries)"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == 0:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self._group_data(self._groups[index.row()], index.column(), role)
        entry = self.entry(index)
        if entry is None:
            return None
        return self._entry_data(entry, index.column(), role)

    def _group_data(self, group: Group, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            n = len(group.entries)
            flagged = sum(1 for e in group.entries if e.needs_review)
            extra = f", {flagged} to review" if flagged else ""
            return f"{group.title}  ({n} entr{'ies' if n != 1 else 'y'}{extra})"
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            return colour(palette().surface_alt)
        if role == GroupTitleRole:
            return group.title
        return None

    def _entry_data(self, entry: NoteEntry, column: int, role: int) -> Any:
        if role == EntryRole:
            return entry
        state = review_state(entry)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._entry_text(entry, column, state)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _entry_tooltip(entry, column, state)
        if role == Qt.ItemDataRole.ForegroundRole:
            return _entry_foreground(column, state)
        if role == Qt.ItemDataRole.BackgroundRole and state == "Needs review":
            return colour(palette().error_bg)
        if role == Qt.ItemDataRole.FontRole and column == Column.REVIEW and state == "Needs review":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.KEY:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _entry_text(self, entry: NoteEntry, column: int, state: str) -> str | None:
        if column == Column.TIME:
            return f"{local_time(entry.created_at, self._timezone):%H:%M}"
        if column == Column.KEY:
            return STAR if entry.fields.key else ""
        if column == Column.KIND:
            return entry.kind.label
        if column == Column.SPEAKER:
            return speaker_text(entry)
        if column == Column.TEXT:
            text = " ".join(entry.text.split())
            return f"✎ {text}" if entry.amendments else text
        if column == Column.THEMES:
            return ", ".join(entry.fields.themes)
        if column == Column.REVIEW:
            return f"{state}: {', '.join(entry.flag_terms)}" if state else ""
        return None


def _entry_tooltip(entry: NoteEntry, column: int, state: str) -> str | None:
    if column == Column.TEXT and entry.amendments:
        return f"Amended; finalized text: {entry.fields.text}"
    if column == Column.TEXT:
        return entry.text if len(entry.text) > 80 else None
    if column == Column.KEY:
        return "Key insight" if entry.fields.key else "Not a key insight (Space to mark)"
    if column == Column.REVIEW and state:
        return {
            "Needs review": "Restricted wording: mark it acceptable or keep it flagged",
            "Kept flagged": "Kept flagged: left out of the commercial summary",
            "Cleared": "Reviewed and judged acceptable",
        }[state]
    return None


def _entry_foreground(column: int, state: str) -> QColor | None:
    if column == Column.KEY:
        return colour(palette().warning)
    if column == Column.REVIEW and state:
        return colour(review_colour(state))
    if column in (Column.TIME, Column.KIND):
        return colour(palette().muted)
    return None
