"""Dialogs for one meeting entry after the meeting: edit it (before the notes are finalized) or add an
amendment (after: the finalized text stays, the correction is kept beside it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import QDate
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
    QWidget,
)

from msldesk.boards.records import AgendaItem, EntryFields, EntryKind, NoteEntry
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.fields import DateEdit

NOBODY = 0  # combo value for "no speaker" / "no agenda item"; ids start at 1


def split_themes(text: str) -> tuple[str, ...]:
    """ "Access, #Safety; dosing" -> ("Access", "Safety", "dosing")."""
    parts = [p.strip().lstrip("#").strip() for p in text.replace(";", ",").split(",")]
    return tuple(p for p in parts if p)


def _ok_needs_text(buttons: QDialogButtonBox, edit: QPlainTextEdit) -> None:
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setEnabled(bool(edit.toPlainText().strip()))


class EntryDialog(QDialog):
    def __init__(
        self,
        entry: NoteEntry,
        agenda: Sequence[AgendaItem],
        speakers: Sequence[tuple[str, int]],
        themes: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit entry")
        self.entry = entry
        f = entry.fields
        self.text = QPlainTextEdit(f.text)
        self.text.setTabChangesFocus(True)
        self.kind = QComboBox()
        for kind in EntryKind:
            self.kind.addItem(kind.label, kind.value)
        self.kind.setCurrentIndex(max(self.kind.findData(f.kind.value), 0))
        self.agenda_item = QComboBox()
        self.agenda_item.addItem("(none)", NOBODY)
        for item in agenda:
            self.agenda_item.addItem(f"{item.position + 1}. {item.fields.title}", item.item_id)
        self.agenda_item.setCurrentIndex(max(self.agenda_item.findData(f.agenda_item_id or NOBODY), 0))
        self.speaker = QComboBox()
        self.speaker.addItem("(nobody)", NOBODY)
        for name, person_id in speakers:
            self.speaker.addItem(name, person_id)
        if f.speaker_id and self.speaker.findData(f.speaker_id) < 0:
            self.speaker.addItem(entry.speaker_name or f"Person {f.speaker_id}", f.speaker_id)
        self.speaker.setCurrentIndex(max(self.speaker.findData(f.speaker_id or NOBODY), 0))
        self.themes = QLineEdit(", ".join(f.themes))
        self.themes.setPlaceholderText("Comma-separated, e.g. " + (", ".join(themes[:3]) or "Access, Safety"))
        if themes:
            self.themes.setToolTip("This meeting's themes: " + ", ".join(themes))
        self.owner = QLineEdit(entry.owner_name)
        self.owner.setPlaceholderText("Who does it")
        self.has_due = QCheckBox("Set")
        self.due = DateEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("d MMM yyyy")
        when = f.due or dt.date.today() + dt.timedelta(days=14)
        self.due.setDate(QDate(when.year, when.month, when.day))
        self.has_due.setChecked(f.due is not None)
        self.due.setEnabled(f.due is not None)
        self.has_due.toggled.connect(self.due.setEnabled)
        due_row = QHBoxLayout()
        due_row.addWidget(self.has_due)
        due_row.addWidget(self.due)
        due_row.addStretch(1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Text", self.text)
        form.addRow("Kind", self.kind)
        form.addRow("Agenda item", self.agenda_item)
        form.addRow("Speaker", self.speaker)
        form.addRow("Themes", self.themes)
        self.action_rows = (QLabel("Owner"), QLabel("Due"))
        form.addRow(self.action_rows[0], self.owner)
        form.addRow(self.action_rows[1], due_row)
        form.addRow(self.buttons)
        self.text.textChanged.connect(lambda: _ok_needs_text(self.buttons, self.text))
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self._on_kind_changed()
        self.resize(520, 360)

    def _on_kind_changed(self, *_args: object) -> None:
        is_action = self.kind.currentData() == EntryKind.ACTION.value
        for widget in (*self.action_rows, self.owner, self.has_due, self.due):
            widget.setVisible(is_action)

    def fields(self) -> EntryFields:
        f = self.entry.fields
        owner = " ".join(self.owner.text().split())
        same_owner = owner == self.entry.owner_name
        due = self.due.date()
        return replace(
            f,
            text=self.text.toPlainText().strip(),
            kind=EntryKind(self.kind.currentData()),
            agenda_item_id=int(self.agenda_item.currentData() or 0) or None,
            speaker_id=int(self.speaker.currentData() or 0) or None,
            themes=split_themes(self.themes.text()),
            owner_id=f.owner_id if same_owner else None,
            owner=f.owner if same_owner else owner,
            due=dt.date(due.year(), due.month(), due.day()) if self.has_due.isChecked() else None,
        )


class AmendmentDialog(QDialog):
    def __init__(self, entry: NoteEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Amend entry")
        original = QLabel(f"As finalized: “{entry.fields.text}”")
        original.setWordWrap(True)
        set_role(original, "hint")
        hint = QLabel(
            "The notes are finalized: the original stays as it was, and this correction is kept beside "
            "it with today's date. Summaries show the corrected text."
        )
        hint.setWordWrap(True)
        self.text = QPlainTextEdit(entry.text)
        self.text.setTabChangesFocus(True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why, e.g. “speaker corrected the figure”")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add amendment")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(hint)
        form.addRow(original)
        form.addRow("Corrected text", self.text)
        form.addRow("Reason", self.reason)
        form.addRow(self.buttons)
        self.text.textChanged.connect(lambda: _ok_needs_text(self.buttons, self.text))
        self.resize(520, 300)

    def amendment(self) -> tuple[str, str]:
        return self.text.toPlainText().strip(), self.reason.text().strip()
