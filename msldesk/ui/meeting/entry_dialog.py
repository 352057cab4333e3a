"""EntryDialog: edit one entry (text, kind, agenda item, speaker, themes, owner, due), or, once the
meeting is finalized, write an amendment that is kept beside the original."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from msldesk.boards.records import AgendaItem, EntryFields, EntryKind, NoteEntry
from msldesk.ui.actions import KIND_ORDER
from msldesk.ui.meeting.state import local_clock
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.fields import DateEdit


@dataclass(frozen=True)
class EntryEdit:
    """What the dialog asks for: new fields (before finalization) or an amendment (after)."""

    entry_id: int
    fields: EntryFields | None = None
    amendment: str = ""
    reason: str = ""


class EntryDialog(QDialog):
    def __init__(
        self,
        entry: NoteEntry,
        agenda: Sequence[AgendaItem],
        people: Sequence[tuple[int, str]],
        finalized: bool,
        zone: dt.tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.entry = entry
        self.finalized = finalized
        self.people = list(people)
        self.setWindowTitle("Amend entry" if finalized else "Edit entry")
        self.setMinimumWidth(520)
        f = entry.fields

        self.text = QPlainTextEdit(entry.text)
        self.text.setTabChangesFocus(True)
        self._build_choices(agenda)
        self.has_due = QCheckBox("Due")
        self.due = DateEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("d MMM yyyy")
        self.has_due.setChecked(f.due is not None)
        due = f.due or dt.date.today()
        self.due.setDate(QDate(due.year, due.month, due.day))
        self.due.setEnabled(f.due is not None)
        self.has_due.toggled.connect(self.due.setEnabled)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why the correction (optional), e.g. “misheard the dose”")

        due_row = QHBoxLayout()
        due_row.addWidget(self.has_due)
        due_row.addWidget(self.due, 1)
        form = QFormLayout()
        form.addRow("Text", self.text)
        if finalized:
            form.addRow("Reason", self.reason)
        form.addRow("Kind", self.kind)
        form.addRow("Agenda item", self.item)
        form.addRow("Speaker", self.speaker)
        form.addRow("Themes", self.themes)
        form.addRow("Owner", self.owner)
        form.addRow("", due_row)

        self.history = QLabel(self._history(zone))
        self.history.setWordWrap(True)
        set_role(self.history, "hint")
        self.error = QLabel()
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add amendment" if finalized else "Save")
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        if finalized:
            self._show_finalized(layout)
        layout.addLayout(form)
        layout.addWidget(self.history)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.text.setFocus()

    def _build_choices(self, agenda: Sequence[AgendaItem]) -> None:
        """Kind, agenda item, speaker, themes and owner, set to the entry's (a speaker no longer
        in the attendee list is still offered under their name)."""
        entry = self.entry
        f = entry.fields
        self.kind = QComboBox()
        for kind in KIND_ORDER:
            self.kind.addItem(kind.label, kind)
        self.kind.setCurrentIndex(KIND_ORDER.index(f.kind))
        self.item = QComboBox()
        self.item.addItem("(no agenda item)", None)
        for item in agenda:
            self.item.addItem(f"{item.position + 1}. {item.fields.title}", item.item_id)
        self.item.setCurrentIndex(max(0, self.item.findData(f.agenda_item_id)) if f.agenda_item_id else 0)
        self.speaker = QComboBox()
        self.speaker.addItem("(nobody named)", None)
        for person_id, name in self.people:
            self.speaker.addItem(name, person_id)
        if f.speaker_id is not None and self.speaker.findData(f.speaker_id) < 0:
            self.speaker.addItem(entry.speaker_name or f"Person {f.speaker_id}", f.speaker_id)
        self.speaker.setCurrentIndex(max(0, self.speaker.findData(f.speaker_id)) if f.speaker_id else 0)
        self.themes = QLineEdit(", ".join(f.themes))
        self.themes.setPlaceholderText("Themes, separated by commas")
        self.owner = QComboBox()
        self.owner.setEditable(True)
        self.owner.addItem("")
        for _person_id, name in self.people:
            self.owner.addItem(name)
        self.owner.setCurrentText(entry.owner_name or f.owner)

    def _show_finalized(self, layout: QVBoxLayout) -> None:
        """A finalized meeting takes corrections of the text only, kept as amendments."""
        notice = QLabel(
            "This meeting's notes are finalized. Your correction is kept as an amendment beside "
            "the original, with the time it was made; the other details can no longer change."
        )
        notice.setWordWrap(True)
        set_role(notice, "notice-warning")
        layout.addWidget(notice)
        for widget in (
            self.kind,
            self.item,
            self.speaker,
            self.themes,
            self.owner,
            self.has_due,
            self.due,
        ):
            widget.setEnabled(False)

    def _history(self, zone: dt.tzinfo) -> str:
        e = self.entry
        lines = [f"Typed at {local_clock(e.created_at, zone)}"]
        if e.agenda_title:
            lines[0] += f" during “{e.agenda_title}”" + (
                " (since removed from the agenda)" if e.item_removed else ""
            )
        if e.edited_at is not None:
            lines.append(f"edited {local_clock(e.edited_at, zone)}")
        for a in e.amendments:
            lines.append(
                f"amended {local_clock(a.created_at, zone)}" + (f" ({a.reason})" if a.reason else "")
            )
        if e.amendments:
            lines.append(f"original text: “{e.fields.text}”")
        if e.flag_terms:
            lines.append("restricted terms: " + ", ".join(e.flag_terms))
        return " · ".join(lines)

    def _on_buttons_accepted(self) -> None:
        if not self.text.toPlainText().strip():
            self.error.setText("An entry needs some text.")
            self.error.show()
            return
        self.accept()

    def edit(self) -> EntryEdit:
        """The dialog's answer, read after it was accepted."""
        text = self.text.toPlainText().strip()
        if self.finalized:
            return EntryEdit(self.entry.entry_id, amendment=text, reason=self.reason.text().strip())
        owner_text = " ".join(self.owner.currentText().split())
        owner_id = next((pid for pid, name in self.people if name == owner_text), None)
        themes = tuple(t.strip().lstrip("#").strip() for t in self.themes.text().split(","))
        due = self.due.python_date() if self.has_due.isChecked() else None
        kind: EntryKind = self.kind.currentData()
        fields = EntryFields(
            text=text,
            kind=kind,
            agenda_item_id=self.item.currentData(),
            speaker_id=self.speaker.currentData(),
            themes=tuple(t for t in themes if t),
            owner_id=owner_id,
            owner=owner_text,
            due=due,
            key=self.entry.fields.key,
        )
        return EntryEdit(self.entry.entry_id, fields=fields)


def ask_entry_edit(
    entry: NoteEntry,
    agenda: Sequence[AgendaItem],
    people: Sequence[tuple[int, str]],
    finalized: bool,
    zone: dt.tzinfo,
    parent: QWidget | None = None,
) -> EntryEdit | None:
    dialog = EntryDialog(entry, agenda, people, finalized, zone, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    return dialog.edit() if dialog.exec() == QDialog.DialogCode.Accepted else None
