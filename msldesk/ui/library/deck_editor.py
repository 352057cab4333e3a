"""The deck metadata editor: title, approval code and dates, status, area, product, audience, tags."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from msldesk.core import clock
from msldesk.core.wording import plural
from msldesk.decks.records import DeckInfo, DeckUpdate
from msldesk.ui.library.badges import badge_html
from msldesk.ui.widgets.fields import DateEdit, field_text, show_text


class _OptionalDate(QWidget):
    """A date that may be unset: a check box enables the date field, which is blank while off."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox()
        self.date = DateEdit("no date")
        self.date.setToolTip("Type a date such as 2027-01-15 or 15/01/2027, or pick one from the calendar")
        self.date.setEnabled(False)
        self.enabled.toggled.connect(self.date.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addWidget(self.date, 1)

    def value(self) -> dt.date | None:
        if not self.enabled.isChecked():
            return None
        q = self.date.date()
        return dt.date(q.year(), q.month(), q.day())

    def set_value(self, value: dt.date | None) -> None:
        self.date.setDate(QDate(value.year, value.month, value.day) if value else QDate.currentDate())
        self.enabled.setChecked(value is not None)


class DeckEditor(QWidget):
    save_requested = Signal(int, object, object)  # deck id, DeckUpdate (new), DeckUpdate (old)
    history_requested = Signal(int, str)  # deck id, title

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.deck: DeckInfo | None = None
        self.status = QLabel()
        self.status.setWordWrap(True)  # "Select a deck to edit its details." must not widen the panel
        self.title = QLineEdit()
        self.approval_code = QLineEdit()
        self.approval_code.setPlaceholderText("e.g. MED-US-0123")
        self.approved_on = _OptionalDate()
        self.expires_on = _OptionalDate()
        self.withdrawn = QCheckBox("Withdrawn from use")
        self.therapeutic_area = QLineEdit()
        self.product = QLineEdit()
        self.audience = QLineEdit()
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("comma-separated")
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.save_button = QPushButton("Save deck details")
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.history_button = QPushButton("History…")
        self.history_button.setToolTip("Who changed this deck's approval details, and when")
        self.history_button.clicked.connect(self._on_history_button_clicked)
        form = QFormLayout()
        form.addRow("Status", self.status)
        form.addRow("Title", self.title)
        form.addRow("Approval code", self.approval_code)
        form.addRow("Approved on", self.approved_on)
        form.addRow("Expires on", self.expires_on)
        form.addRow("", self.withdrawn)
        form.addRow("Therapeutic area", self.therapeutic_area)
        form.addRow("Product", self.product)
        form.addRow("Audience", self.audience)
        form.addRow("Tags", self.tags)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.info)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button, 1)
        buttons.addWidget(self.history_button)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.show_deck(None)

    def show_deck(self, deck: DeckInfo | None) -> None:
        self.deck = deck
        self.setEnabled(deck is not None)
        if deck is None:
            self.status.setText("Select a deck to edit its details.")
            for field in (
                self.title,
                self.approval_code,
                self.therapeutic_area,
                self.product,
                self.audience,
                self.tags,
            ):
                field.clear()
            # Nothing of the deck shown before stays in the disabled form.
            self.approved_on.set_value(None)
            self.expires_on.set_value(None)
            self.withdrawn.setChecked(False)
            self.info.clear()
            return
        self.status.setText(badge_html(deck.status, team=deck.is_team))
        self.setEnabled(not deck.is_team)  # the organisation's: it changes only through the team hub
        show_text(self.title, deck.title)
        show_text(self.approval_code, deck.approval_code)
        self.approved_on.set_value(deck.approved_on)
        self.expires_on.set_value(deck.expires_on)
        self.withdrawn.setChecked(deck.withdrawn)
        show_text(self.therapeutic_area, deck.therapeutic_area)
        show_text(self.product, deck.product)
        show_text(self.audience, deck.audience)
        show_text(self.tags, ", ".join(deck.tags))
        lines = [
            f"{deck.file_name} · {deck.kind}{' (Strict OOXML)' if deck.strict else ''} · "
            f"version {deck.version}, imported {clock.local(deck.imported_at):%Y-%m-%d %H:%M}",
        ]
        if deck.is_team:
            lines.append("Team deck: published by your organisation through the team hub; read-only here.")
        if deck.version > 1:
            lines.append(
                f"Changes in this version: {plural(deck.slides_added, 'new slide')}, "
                f"{deck.slides_changed} changed, {deck.slides_removed} removed"
            )
        if deck.thumbnail_state == "failed":
            lines.append(f"No thumbnails: {deck.thumbnail_error}")
        elif deck.thumbnail_note:
            lines.append(f"Thumbnails: {deck.thumbnail_note}")
        lines.extend(f"⚠ {w}" for w in deck.warnings[:3])
        self.info.setText("\n".join(lines))

    def current_update(self) -> DeckUpdate:
        approved, expires = self.approved_on.value(), self.expires_on.value()
        return DeckUpdate(
            title=field_text(self.title),
            approval_code=field_text(self.approval_code),
            approved_on=approved,
            clear_approved_on=approved is None,
            expires_on=expires,
            clear_expires_on=expires is None,
            withdrawn=self.withdrawn.isChecked(),
            therapeutic_area=field_text(self.therapeutic_area),
            product=field_text(self.product),
            audience=field_text(self.audience),
            tags=tuple(t.strip() for t in field_text(self.tags).split(",") if t.strip()),
        )

    def _on_history_button_clicked(self) -> None:
        if self.deck is not None:
            self.history_requested.emit(self.deck.deck_id, self.deck.title or self.deck.file_name)

    def save(self) -> None:
        if self.deck is None:
            return
        d = self.deck
        old = DeckUpdate(
            title=d.title,
            approval_code=d.approval_code,
            approved_on=d.approved_on,
            clear_approved_on=d.approved_on is None,
            expires_on=d.expires_on,
            clear_expires_on=d.expires_on is None,
            withdrawn=d.withdrawn,
            therapeutic_area=d.therapeutic_area,
            product=d.product,
            audience=d.audience,
            tags=d.tags,
        )
        self.save_requested.emit(d.deck_id, self.current_update(), old)
