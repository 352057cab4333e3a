"""Text longer than its field takes, found in the database (edited by another program): the forms
show it cut, at once, and keep it whole unless the user edits it. Qt lays out a long unbroken line in
quadratic time; a 1 MB note froze the desktop app and took every gigabyte of the machine."""

from __future__ import annotations

import time
from pathlib import Path

from msldesk.boards.records import EventFields, PersonFields
from msldesk.core.text_safety import LIMITS
from msldesk.ui.boards.overview import EventForm
from msldesk.ui.people.person_editor import PersonEditor
from msldesk.ui.widgets.fields import LABEL_MOST, field_text, label_text
from tests.library_db import connect

LONG = "N" * 200_000  # no break anywhere: the worst case for Qt's line layout


def _forged(app, sql: str) -> None:  # type: ignore[no-untyped-def]
    connection = connect(Path(app.paths.database))
    connection.execute(sql, (LONG,))
    connection.commit()
    connection.close()


def test_a_person_with_notes_longer_than_the_field_shows_at_once_and_keeps_them(app, qtbot) -> None:  # type: ignore[no-untyped-def]
    person, _ = app.people.add(PersonFields("Ada", "Lovelace"))
    _forged(app, "update people set notes = ?1, last_name = ?1")
    stored = app.people.get(person.person_id)
    assert stored.fields.notes == LONG
    editor = PersonEditor()
    qtbot.addWidget(editor)
    editor.show()
    began = time.perf_counter()
    editor.show_person(stored)
    qtbot.wait(50)
    assert len(editor.heading.text()) <= LABEL_MOST
    assert time.perf_counter() - began < 3  # 200,000 characters took ~10 s, 1,000,000 minutes
    shown = editor.notes.toPlainText()
    assert len(shown) <= LIMITS["text"]
    assert shown.endswith("…")
    assert f"{len(LONG):,} characters" in editor.notes.toolTip()
    assert editor.current_fields().notes == LONG  # kept whole: saving another field loses nothing
    assert editor.current_fields().last_name == LONG  # a line field cut at 32,767 characters before
    assert not editor.dirty
    editor.notes.setPlainText("Prefers email")  # the user replaces it: that is what is saved
    assert editor.current_fields().notes == "Prefers email"
    assert field_text(editor.notes) == "Prefers email"


def test_an_event_with_long_objectives_and_venue_shows_at_once_and_keeps_them(app, qtbot) -> None:  # type: ignore[no-untyped-def]
    event, _ = app.events.create(EventFields(title="Board"))
    _forged(app, "update events set objectives = ?1, key_questions = ?1, venue = ?1, title = ?1")
    stored = app.events.get(event.event_id)
    form = EventForm()
    qtbot.addWidget(form)
    form.show()
    began = time.perf_counter()
    form.show_event(stored)
    qtbot.wait(50)
    assert time.perf_counter() - began < 3
    assert len(form.objectives.toPlainText()) <= LIMITS["text"]
    assert form.fields().objectives == LONG
    assert form.fields().key_questions == LONG
    assert form.fields().title == LONG
    assert form.fields().venue == LONG
    assert not form.is_dirty()
    assert len(label_text(stored.fields.venue)) == LABEL_MOST


def test_a_deck_title_longer_than_its_field_is_kept_when_another_detail_is_saved(
    app, qtbot, deck_factory
) -> None:  # type: ignore[no-untyped-def]
    """The deck details showed the long title cut and read the cut text back: saving only the
    approval code would have saved the title cut too."""
    from msldesk.ui.library.deck_editor import DeckEditor

    path = deck_factory.pptx("long.pptx", [("One slide", "body", "")])
    (outcome,) = list(app.decks.import_paths([path]))
    _forged(app, "update decks set title = ?1")
    deck = app.decks.deck(outcome.deck_id)
    assert deck.title == LONG
    editor = DeckEditor()
    qtbot.addWidget(editor)
    editor.show_deck(deck)
    assert len(editor.title.text()) < len(LONG)  # shown cut
    editor.approval_code.setText("MED-2027-001")
    update = editor.current_update()
    assert update.title == LONG
    assert update.approval_code == "MED-2027-001"
