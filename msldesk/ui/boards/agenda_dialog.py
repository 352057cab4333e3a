"""AgendaItemDialog: add or edit one agenda item (title, kind, minutes, presenter, questions, and the
saved collection of library slides it presents: the briefing deck shows them under the item)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from msldesk.boards.records import AgendaItemFields, AgendaKind
from msldesk.core.wording import plural
from msldesk.ui.boards.agenda_model import NO_PRESENTER
from msldesk.ui.boards.formatting import linked_text

NO_SLIDES = "none"
AS_LINKED = "as-linked"  # links the dialog cannot show as one collection (several, or single slides)


class AgendaItemDialog(QDialog):
    def __init__(
        self,
        initial: AgendaItemFields | None,
        presenters: Sequence[tuple[str, int]],
        parent: QWidget | None = None,
        collections: Sequence[tuple[str, int, int]] = (),
    ) -> None:
        """`collections`: the saved collections as (name, collection id, number of slides)."""
        super().__init__(parent)
        self.setWindowTitle("Edit agenda item" if initial else "Add agenda item")
        self.initial = initial or AgendaItemFields(title="", minutes=30)
        self.title = QLineEdit(self.initial.title)
        self.title.setPlaceholderText("e.g. Unmet needs in second-line therapy")
        self.kind = QComboBox()
        for kind in AgendaKind:
            self.kind.addItem(kind.label, kind.value)
        self.kind.setCurrentIndex(max(self.kind.findData(self.initial.kind.value), 0))
        self.minutes = QSpinBox()
        self.minutes.setRange(0, 24 * 60)
        self.minutes.setSingleStep(5)
        self.minutes.setSuffix(" min")
        self.minutes.setValue(self.initial.minutes)
        self.presenter = QComboBox()
        self.presenter.addItem("(nobody)", NO_PRESENTER)
        for name, person_id in presenters:
            self.presenter.addItem(name, person_id)
        current = self.initial.presenter_id or NO_PRESENTER
        if self.presenter.findData(current) < 0:
            self.presenter.addItem(f"Person {current}", current)
        self.presenter.setCurrentIndex(self.presenter.findData(current))
        self.questions = QPlainTextEdit(self.initial.questions)
        self.questions.setPlaceholderText("Questions for the advisors in this part of the meeting")
        self.questions.setTabChangesFocus(True)
        self.slides = self._slides_choice(collections)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Title", self.title)
        form.addRow("Kind", self.kind)
        form.addRow("Length", self.minutes)
        form.addRow("Presenter", self.presenter)
        form.addRow("Questions", self.questions)
        form.addRow("Slides", self.slides)
        form.addRow(self.buttons)
        self.title.textChanged.connect(self._on_title_text_changed)
        self._on_title_text_changed(self.title.text())

    def _slides_choice(self, collections: Sequence[tuple[str, int, int]]) -> QComboBox:
        """No slides, or one saved collection (Deck builder › Save as collection…); links made
        elsewhere that are not one collection stay as they are unless another choice is made."""
        combo = QComboBox()
        combo.setToolTip("Library slides presented in this item: the briefing deck shows them under it")
        combo.addItem("(no slides)", NO_SLIDES)
        linked = self.initial.collection_ids
        if self.initial.slide_ids or len(linked) > 1:
            combo.addItem(
                f"As linked now: {linked_text(len(self.initial.slide_ids), len(linked))}", AS_LINKED
            )
        for name, collection_id, count in collections:
            combo.addItem(f"Collection “{name}” ({plural(count, 'slide')})", collection_id)
        if linked and not self.initial.slide_ids and len(linked) == 1 and combo.findData(linked[0]) < 0:
            combo.addItem(f"Collection {linked[0]}", linked[0])  # not in the list read a moment ago
        if self.initial.slide_ids or len(linked) > 1:
            combo.setCurrentIndex(combo.findData(AS_LINKED))
        elif linked:
            combo.setCurrentIndex(combo.findData(linked[0]))
        return combo

    def _on_title_text_changed(self, text: str) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(text.strip()))

    def fields(self) -> AgendaItemFields:
        return replace(
            self.initial,
            title=self.title.text().strip(),
            kind=AgendaKind(self.kind.currentData()),
            minutes=self.minutes.value(),
            presenter_id=int(self.presenter.currentData() or 0) or None,
            questions=self.questions.toPlainText().strip(),
            **self._links(),
        )

    def _links(self) -> dict[str, tuple[int, ...]]:
        chosen = self.slides.currentData()
        if chosen == AS_LINKED:
            return {"slide_ids": self.initial.slide_ids, "collection_ids": self.initial.collection_ids}
        if chosen == NO_SLIDES:
            return {"slide_ids": (), "collection_ids": ()}
        return {"slide_ids": (), "collection_ids": (int(chosen),)}
