"""The "Notes & review" tab as a user meets it after the meeting: grouping, key insights, merges, flag
review, themes, executive summary, finalization and amendments, the meeting's exports, restricted terms."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from msldesk.boards.meeting.guard import DEFAULT_TERMS
from msldesk.boards.outputs import registry
from msldesk.boards.records import (
    AgendaItemFields,
    AttendanceFields,
    AttendeeRole,
    Audience,
    EntryKind,
    EventFields,
    EventKind,
    Invitation,
    PersonFields,
)
from msldesk.ui.boards.event_editor import EventEditor
from msldesk.ui.boards.notes_terms import RestrictedTermsDialog
from msldesk.ui.boards.review_model import Column as C
from msldesk.ui.boards.review_model import GroupTitleRole, NotesTreeModel
from msldesk.ui.widgets import export_banner

pytestmark = pytest.mark.usefixtures("no_libreoffice")

BERLIN = ZoneInfo("Europe/Berlin")
WAIT_MS = 15_000
EXPORT_MS = 60_000


# ---- a meeting with notes, made through the services -----------------------------------------------


class Meeting:
    """Ids of what the seeded meeting holds."""

    def __init__(self, context, title: str = "Lung cancer advisory board") -> None:  # type: ignore[no-untyped-def]
        app = context.app
        day = dt.date.today() + dt.timedelta(days=10)
        event, _ = app.events.create(
            EventFields(
                kind=EventKind.ADVISORY_BOARD,
                title=title,
                starts_at=dt.datetime.combine(day, dt.time(9), BERLIN),
                ends_at=dt.datetime.combine(day, dt.time(12), BERLIN),
                timezone="Europe/Berlin",
                venue="Berlin",
            )
        )
        self.event_id = eid = event.event_id
        self.ada, _ = app.people.add(PersonFields("Ada", "Lovelace", "MD", "Oncology", email="ada@x.org"))
        self.alan, _ = app.people.add(PersonFields("Alan", "Turing", "MD", "Oncology", email="alan@x.org"))
        for person in (self.ada, self.alan):
            app.events.add_attendee(
                eid, person.person_id, AttendanceFields(AttendeeRole.ADVISOR, Invitation.ACCEPTED)
            )
        self.welcome, _ = app.events.add_agenda_item(eid, AgendaItemFields("Welcome", 15))
        self.data, _ = app.events.add_agenda_item(eid, AgendaItemFields("Data review", 45))
        app.meetings.set_themes(eid, ["Access", "Safety"])
        self.start = start = dt.datetime.combine(day, dt.time(9, 5), BERLIN)

        def add(text: str, minutes: int, **kwargs):  # type: ignore[no-untyped-def]
            entry, _ = app.meetings.add_entry(eid, text, when=start + dt.timedelta(minutes=minutes), **kwargs)
            return entry.entry_id

        self.insight = add(
            "Payers ask for real-world data first",
            0,
            kind=EntryKind.INSIGHT,
            agenda_item_id=self.welcome.item_id,
            speaker_id=self.ada.person_id,
            themes=["Access"],
        )
        self.quote = add(
            "We need real-world data before we switch",
            5,
            kind=EntryKind.QUOTE,
            agenda_item_id=self.data.item_id,
            speaker_id=self.alan.person_id,
            themes=["Safety", "Access"],
        )
        self.note = add("Room was cold", 10, kind=EntryKind.NOTE, agenda_item_id=None)
        self.question = add(
            "What dose for the elderly?",
            15,
            kind=EntryKind.QUESTION,
            agenda_item_id=self.data.item_id,
            themes=["Dosing"],
        )
        self.flagged = add(
            "Said it could cure most patients", 20, kind=EntryKind.INSIGHT, agenda_item_id=self.data.item_id
        )
        context.changed.emit(_all_changes())


def _all_changes():  # type: ignore[no-untyped-def]
    from msldesk.core.changes import Changes

    return Changes(events=True, people=True, notes=True)


def _settle(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    view = window.boards
    review = view.editor.review
    qtbot.waitUntil(
        lambda: (
            window.context.runner.active == 0
            and not view._reload_timer.isActive()
            and not review._reload_timer.isActive()
            and not review._summary_timer.isActive()
            and view.writer.pending == 0
        ),
        timeout=WAIT_MS,
    )


def _open_review(make_window, qtbot):  # type: ignore[no-untyped-def]
    """A window with the seeded meeting open on the Notes & review tab."""
    window, context = make_window(seed_demo=False)
    meeting = Meeting(context)
    view = window.boards
    window.show_section(view)
    qtbot.waitUntil(lambda: view.model.row_of(meeting.event_id) >= 0, timeout=WAIT_MS)
    assert view.select_event(meeting.event_id)
    editor = view.editor
    qtbot.waitUntil(
        lambda: editor.review.data is not None and editor.review.data.event_id == meeting.event_id,
        timeout=WAIT_MS,
    )
    editor.tabs.setCurrentIndex(EventEditor.NOTES)
    _settle(qtbot, window)
    return window, context, meeting, editor.review


def _groups(model: NotesTreeModel) -> list[tuple[str, list[int]]]:
    return [(g.title, [e.entry_id for e in g.entries]) for g in model.groups()]


def _select(review, *entry_ids: int) -> None:  # type: ignore[no-untyped-def]
    review._select(list(entry_ids))
    assert [e.entry_id for e in review.selected_entries()] == sorted(entry_ids)


def _cell(review, entry_id: int, column: int) -> str:  # type: ignore[no-untyped-def]
    index = review.model.entry_indexes(entry_id)[0]
    return index.siblingAtColumn(column).data()


# ---- grouping --------------------------------------------------------------------------------------


def test_entries_are_grouped_by_theme_or_by_agenda_item(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, m, review = _open_review(make_window, qtbot)
    assert review.grouping() == "theme"
    # Taxonomy order, then the theme typed on the fly, then entries without a theme; the quote has two
    # themes and is under both.
    assert _groups(review.model) == [
        ("Access", [m.insight, m.quote]),
        ("Safety", [m.quote]),
        ("Dosing", [m.question]),
        ("No theme", [m.note, m.flagged]),
    ]
    group = review.model.index(0, 0)
    assert group.data(GroupTitleRole) == "Access"
    assert "2 entries" in group.data()
    assert review.tree.isFirstColumnSpanned(0, group.parent())
    assert review.tree.isExpanded(group)
    assert _cell(review, m.insight, C.KIND) == "Insight"
    assert _cell(review, m.insight, C.SPEAKER) == "Ada Lovelace"
    assert _cell(review, m.insight, C.TIME) == "09:05", "the time in the event's zone"
    assert _cell(review, m.quote, C.THEMES) == "Access, Safety"
    assert _cell(review, m.flagged, C.REVIEW) == "Needs review: cure"

    review.by_agenda.click()
    assert review.grouping() == "agenda"
    assert _groups(review.model) == [
        ("Welcome", [m.insight]),
        ("Data review", [m.quote, m.question, m.flagged]),
        ("Not filed under an agenda item", [m.note]),
    ]
    # One kind only.
    review.kind.setCurrentIndex(review.kind.findData(EntryKind.INSIGHT.value))
    assert _groups(review.model) == [("Welcome", [m.insight]), ("Data review", [m.flagged])]
    review.kind.setCurrentIndex(0)

    # A collapsed group stays collapsed across a reload.
    review.tree.setExpanded(review.model.index(1, 0), False)
    context.app.meetings.add_entry(
        m.event_id, "Late note", agenda_item_id=m.welcome.item_id, when=m.start + dt.timedelta(minutes=30)
    )
    context.changed.emit(_all_changes())
    qtbot.waitUntil(lambda: len(review.model.groups()[0].entries) == 2, timeout=WAIT_MS)
    _settle(qtbot, window)
    assert not review.tree.isExpanded(review.model.index(1, 0))
    assert review.tree.isExpanded(review.model.index(0, 0))


def test_the_details_pane_shows_the_whole_entry(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, _context, m, review = _open_review(make_window, qtbot)
    _select(review, m.quote)
    text = review.details.toPlainText()
    assert "We need real-world data before we switch" in text
    assert "said by Alan Turing (advisor)" in text
    assert "“Data review”" in text
    assert "#Access" in text
    assert "#Safety" in text
    _select(review, m.insight, m.quote)
    assert review.details.toPlainText() == "2 entries selected."


# ---- key insights, merge, flag review -----------------------------------------------------------------


def test_space_marks_and_unmarks_key_insights(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, m, review = _open_review(make_window, qtbot)
    meetings = context.app.meetings
    _select(review, m.insight, m.question)
    review.tree.setFocus()
    QTest.keyClick(review.tree, Qt.Key.Key_Space)
    _settle(qtbot, window)
    assert meetings.entry(m.insight).fields.key
    assert meetings.entry(m.question).fields.key
    assert _cell(review, m.insight, C.KEY) == "★"
    assert [e.entry_id for e in review.selected_entries()] == [m.insight, m.question], "selection kept"

    QTest.keyClick(review.tree, Qt.Key.Key_Space)  # all of them are key: unmark
    _settle(qtbot, window)
    assert not meetings.entry(m.insight).fields.key
    assert not meetings.entry(m.question).fields.key
    assert _cell(review, m.insight, C.KEY) == ""

    _select(review, m.note)
    review.key_button.click()
    _settle(qtbot, window)
    assert meetings.entry(m.note).fields.key


def test_merge_keeps_the_first_selected_after_asking(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, m, review = _open_review(make_window, qtbot)
    meetings = context.app.meetings
    asked: list[tuple[int, list[int], list[str]]] = []
    answers = [False, True]
    review.ask_confirm_merge = lambda keep, others, differences: (  # type: ignore[method-assign]
        asked.append((keep.entry_id, [o.entry_id for o in others], differences)) or answers.pop(0)
    )
    _select(review, m.quote, m.insight)
    assert review.merge_button.isEnabled()
    review.tree.setFocus()
    QTest.keyClick(
        review.tree, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    _settle(qtbot, window)
    # Different people's words of different kinds: the question says so before anything is merged.
    differences = ["different speakers: Ada Lovelace, Alan Turing", "different kinds: insight, quote"]
    assert asked == [(m.insight, [m.quote], differences)], "the first typed is kept"
    assert len(meetings.entries(m.event_id)) == 5, "refused: nothing merged"

    QTest.keyClick(
        review.tree, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    _settle(qtbot, window)
    assert [e.entry_id for e in meetings.entries(m.event_id)] == [m.insight, m.note, m.question, m.flagged]
    kept = meetings.entry(m.insight)
    assert kept.merged_ids == (m.quote,)
    assert set(kept.fields.themes) == {"Access", "Safety"}
    assert _groups(review.model)[:2] == [("Access", [m.insight]), ("Safety", [m.insight])]
    assert [e.entry_id for e in review.selected_entries()] == [m.insight]
    assert "1 duplicate merged" in review.details.toPlainText()
    assert "Alan Turing" in review.details.toPlainText(), "the merged speaker stays credited"
    assert kept.speakers == (("Ada Lovelace", "advisor"), ("Alan Turing", "advisor"))

    _select(review, m.note)
    assert not review.merge_button.isEnabled(), "one entry cannot be merged"


def test_flagged_entries_are_shown_and_reviewed(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, m, review = _open_review(make_window, qtbot)
    meetings = context.app.meetings
    other, changes = meetings.add_entry(
        m.event_id, "Called it a miracle", agenda_item_id=None, when=m.start + dt.timedelta(minutes=30)
    )
    context.changed.emit(changes)
    qtbot.waitUntil(lambda: review.data is not None and len(review.data.needing_review) == 2, timeout=WAIT_MS)
    _settle(qtbot, window)
    assert review.review_banner.isVisible()
    assert review.review_count.text() == "⚑ 2 flagged entries need review"

    review.review_only.click()
    assert _groups(review.model) == [("No theme", [m.flagged, other.entry_id])]
    _select(review, m.flagged)
    assert review.accept_button.isEnabled()
    assert review.keep_button.isEnabled()
    review.accept_button.click()
    _settle(qtbot, window)
    entry = meetings.entry(m.flagged)
    assert entry.flag_reviewed
    assert entry.flag_cleared
    assert not entry.flagged
    assert review.review_count.text() == "⚑ 1 flagged entry needs review"
    assert _groups(review.model) == [("No theme", [other.entry_id])], "the filter shows what is left"
    assert [e.entry_id for e in review.selected_entries()] == [other.entry_id], "on to the next one"

    review.keep_button.click()
    _settle(qtbot, window)
    entry = meetings.entry(other.entry_id)
    assert entry.flag_reviewed
    assert not entry.flag_cleared
    assert entry.flagged
    assert not review.review_banner.isVisible()
    assert not review.review_only.isChecked()
    assert _cell(review, other.entry_id, C.REVIEW) == "Kept flagged: miracle"
    assert _cell(review, m.flagged, C.REVIEW) == "Cleared: cure"
    _select(review, other.entry_id)
    assert f"(by {entry.flag_reviewed_by}, " in review.details.toPlainText()  # who decided, and when

    _select(review, m.note)
    assert not review.accept_button.isEnabled(), "only flagged entries are reviewed"


def test_the_theme_taxonomy_is_edited_and_orders_the_groups(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, m, review = _open_review(make_window, qtbot)
    asked: list[list[str]] = []
    review.ask_themes = lambda themes: asked.append(list(themes)) or ["Safety", "Dosing", "Access", "Cost"]  # type: ignore[method-assign]
    review.themes_button.click()
    _settle(qtbot, window)
    assert asked == [["Access", "Safety"]]
    assert context.app.meetings.themes(m.event_id) == ["Safety", "Dosing", "Access", "Cost"]
    assert [title for title, _ in _groups(review.model)] == ["Safety", "Dosing", "Access", "No theme"]


# ---- editing, the executive summary, finalization -----------------------------------------------------


def test_the_executive_summary_is_saved_as_it_is_typed_and_when_leaving(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, m, review = _open_review(make_window, qtbot)
    meetings = context.app.meetings
    review.summary.setFocus()
    QTest.keyClicks(review.summary, "Experts want real-world data.")
    assert review.summary_state.text() == "Not saved yet…"
    qtbot.waitUntil(
        lambda: meetings.executive_summary(m.event_id) == "Experts want real-world data.", timeout=WAIT_MS
    )
    _settle(qtbot, window)
    assert review.summary_state.text() == "Saved"

    # Typing, then going straight to another event: the edit is saved for the first one.
    other = Meeting(context, title="Second board")
    qtbot.waitUntil(lambda: window.boards.model.row_of(other.event_id) >= 0, timeout=WAIT_MS)
    QTest.keyClicks(review.summary, " Next: a registry.")
    assert review._summary_timer.isActive()
    window.boards.select_event(other.event_id)
    qtbot.waitUntil(
        lambda: review.data is not None and review.data.event_id == other.event_id, timeout=WAIT_MS
    )
    _settle(qtbot, window)
    assert meetings.executive_summary(m.event_id) == "Experts want real-world data. Next: a registry."
    assert review.summary.toPlainText() == "", "the second board has no summary yet"
    assert meetings.executive_summary(other.event_id) == ""


def test_entries_are_edited_before_finalizing_and_amended_after(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    window, context, m, review = _open_review(make_window, qtbot)
    meetings = context.app.meetings
    review.ask_entry_fields = lambda e: replace(e.fields, text="Room was too cold", kind=EntryKind.NOTE)  # type: ignore[method-assign]
    _select(review, m.note)
    review.tree.setFocus()
    QTest.keyClick(review.tree, Qt.Key.Key_Return)
    _settle(qtbot, window)
    entry = meetings.entry(m.note)
    assert entry.fields.text == "Room was too cold"
    assert entry.edited_at is not None
    assert not entry.amendments

    asked: list[int] = []
    answers = [False, True]
    review.ask_confirm_finalize = lambda waiting: asked.append(waiting) or answers.pop(0)  # type: ignore[method-assign]
    review.finalize_button.click()
    _settle(qtbot, window)
    assert asked == [1], "the unreviewed flagged entry is mentioned"
    assert meetings.finalized_at(m.event_id) is None
    assert review.finalized_label.isHidden()
    review.finalize_button.click()
    _settle(qtbot, window)
    assert meetings.finalized_at(m.event_id) is not None
    assert review.finalized_label.isVisible()
    assert review.finalized_label.text().startswith("✔ Finalized on ")
    assert review.finalize_button.isHidden()
    assert review.edit_button.text() == "Amend…"

    # After finalizing, an edit is an amendment: the original stays.
    review.ask_entry_fields = lambda e: pytest.fail("a finalized entry is not edited")  # type: ignore[method-assign]
    review.ask_amendment = lambda e: ("Room was far too cold", "checked with the venue")  # type: ignore[method-assign]
    _select(review, m.note)
    review.edit_button.click()
    _settle(qtbot, window)
    entry = meetings.entry(m.note)
    assert entry.fields.text == "Room was too cold"
    assert [(a.text, a.reason) for a in entry.amendments] == [
        ("Room was far too cold", "checked with the venue")
    ]
    assert _cell(review, m.note, C.TEXT) == "✎ Room was far too cold"
    details = review.details.toPlainText()
    assert "Amendments" in details
    assert "Room was too cold" in details
    assert "checked with the venue" in details

    # Merging is over; key insights and review are still open.
    _select(review, m.insight, m.quote)
    assert not review.merge_button.isEnabled()
    QTest.keyClick(review.tree, Qt.Key.Key_Space)
    _settle(qtbot, window)
    assert meetings.entry(m.insight).fields.key


# ---- exports ------------------------------------------------------------------------------------------


def _reviewed(context, m) -> None:  # type: ignore[no-untyped-def]
    for entry in context.app.meetings.entries(m.event_id):
        if entry.needs_review:
            context.app.meetings.review_flag(entry.entry_id, False)
    context.changed.emit(_all_changes())


def test_meeting_outputs_are_written_and_shown_with_open_folder(
    make_window, qtbot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    window, context, m, review = _open_review(make_window, qtbot)
    _reviewed(context, m)
    _settle(qtbot, window)
    editor = window.boards.editor
    out = tmp_path / "out"
    out.mkdir()
    asked: list[str] = []

    def ask_save_path(kind, suggested):  # type: ignore[no-untyped-def]
        asked.append(suggested)
        return out / (
            "insights.csv" if kind.name == "insights" and len(asked) > 4 else f"{kind.name}-{len(asked)}"
        )

    editor.ask_save_path = ask_save_path  # type: ignore[method-assign]
    editor.ask_unreviewed = lambda n, kind: pytest.fail("every flag was reviewed")  # type: ignore[method-assign]
    opened: list[Path] = []
    monkeypatch.setattr(export_banner, "open_url", lambda url: opened.append(Path(url.toLocalFile())) or True)
    written: dict[str, Path] = {}
    for key in (
        "summary-pdf-commercial",
        "readout-medical",
        "briefing",
        "insights-medical",
        "insights-compliance",
    ):
        with qtbot.waitSignal(editor.exported, timeout=EXPORT_MS) as signal:
            editor.export_actions[key].trigger()
        written[key] = signal.args[1]
        _settle(qtbot, window)
    assert written == {
        "summary-pdf-commercial": out / "summary-pdf-1.pdf",
        "readout-medical": out / "readout-2.pptx",
        "briefing": out / "briefing-3.pptx",
        "insights-medical": out / "insights-4.xlsx",
        "insights-compliance": out / "insights.csv",
    }
    day = f"{context.app.events.get(m.event_id).fields.starts_at:%Y-%m-%d}"
    assert asked[0] == f"Lung cancer advisory board - {day} - insight summary (commercial).pdf"
    assert asked[2] == f"Lung cancer advisory board - {day} - briefing deck.pptx"
    assert written["summary-pdf-commercial"].read_bytes().startswith(b"%PDF")
    for key in ("readout-medical", "briefing", "insights-medical"):
        assert written[key].read_bytes().startswith(b"PK"), key
    assert "Payers ask for real-world data first" in written["insights-compliance"].read_text(
        encoding="utf-8-sig"
    )

    # Each export is in the audit trail: what, for whom, where, and the file's digest.
    exports = [r for r in context.app.audit.history("event", m.event_id) if r.action.startswith("export.")]
    assert [(r.action, r.after.get("audience"), Path(r.after["file"]).name) for r in exports] == [
        ("export.summary", "commercial", "summary-pdf-1.pdf"),
        ("export.readout", "medical", "readout-2.pptx"),
        ("export.briefing", None, "briefing-3.pptx"),
        ("export.insights", "medical", "insights-4.xlsx"),
        ("export.insights", "compliance", "insights.csv"),
    ]
    assert len(exports[0].after["sha256"]) == 64

    status = editor.export_status
    assert status.isVisible()
    assert status.open_button.isVisible()
    assert status.cancel_button.isHidden()
    assert str(out / "insights.csv") in status.message.text()
    status.open_button.click()
    status.reveal_button.click()
    assert opened == [out / "insights.csv", out]

    # The share menu of the review tab offers the same outputs.
    labels = [a.text() for a in review.share_button.menu().actions()]
    assert labels == [
        "Insight summary PDF",
        "Briefing deck (PPTX)…",
        "Insight readout deck (PPTX)",
        "Insights and actions (CSV/XLSX)",
    ]


def test_the_commercial_summary_has_no_expert_names_and_no_flagged_entry(
    make_window, qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    window, _context, _m, _review = _open_review(make_window, qtbot)
    editor = window.boards.editor
    editor.ask_unreviewed = lambda n, kind: "export"  # type: ignore[method-assign]
    editor.ask_save_path = lambda kind, suggested: tmp_path / "commercial.pdf"  # type: ignore[method-assign]
    with qtbot.waitSignal(editor.exported, timeout=EXPORT_MS):
        editor.export("summary-pdf", Audience.COMMERCIAL)
    _settle(qtbot, window)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "commercial.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Payers ask for real-world data first" in text
    assert "Lovelace" not in text
    assert "Turing" not in text
    assert "cure most patients" not in text


def test_the_review_column_is_wide_enough_for_its_bold_words(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """ "Needs review: …" is drawn in bold; the column was measured in the normal weight and cut
    "Needs review: superior to" off."""
    from PySide6.QtGui import QFontMetrics

    from msldesk.ui.widgets.table_fit import CELL_PADDING

    _window, _context, m, review = _open_review(make_window, qtbot)
    index = review.model.entry_indexes(m.flagged)[0].siblingAtColumn(C.REVIEW)
    font = index.data(Qt.ItemDataRole.FontRole)
    assert font is not None
    assert font.bold()
    drawn = QFontMetrics(font).horizontalAdvance("Needs review: superior to")
    assert review.tree.columnWidth(C.REVIEW) >= drawn + CELL_PADDING


def test_the_unreviewed_question_reads_right_for_one_entry_and_for_several(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """It said "1 flagged entry has not been reviewed yet. Review them ..."."""
    window, _context = make_window(seed_demo=False)
    editor = window.boards.editor
    seen: list[str] = []

    def read_and_cancel() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Cancel).click()

    for count in (1, 3):
        QTimer.singleShot(0, read_and_cancel)
        assert editor.ask_unreviewed(count, "insight summary (medical)") == "cancel"
    assert seen == [
        "1 flagged entry has not been reviewed yet. Review it before sharing the insight summary (medical)?",
        "3 flagged entries have not been reviewed yet. Review them before sharing the insight summary "
        "(medical)?",
    ]


def test_exporting_with_unreviewed_flags_asks_first(make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, _context, m, review = _open_review(make_window, qtbot)
    editor = window.boards.editor
    editor.tabs.setCurrentIndex(EventEditor.OVERVIEW)
    asked: list[tuple[int, str]] = []
    answers = ["cancel", "review", "export"]
    editor.ask_unreviewed = lambda n, noun: asked.append((n, noun)) or answers.pop(0)  # type: ignore[method-assign]
    paths: list[str] = []
    editor.ask_save_path = lambda kind, suggested: paths.append(suggested) or tmp_path / "summary.pdf"  # type: ignore[method-assign]

    editor.export_actions["summary-pdf-medical"].trigger()
    _settle(qtbot, window)
    assert asked == [(1, "insight summary (medical)")], "cancelled before choosing a file"
    assert paths == [], "cancelled before choosing a file"

    editor.export_actions["summary-pdf-medical"].trigger()
    _settle(qtbot, window)
    assert paths == []
    assert not (tmp_path / "summary.pdf").exists()
    assert editor.tabs.currentIndex() == EventEditor.NOTES, "review first: the notes are shown"
    assert review.review_only.isChecked()
    assert _groups(review.model) == [("No theme", [m.flagged])]

    with qtbot.waitSignal(editor.exported, timeout=EXPORT_MS):
        editor.export_actions["summary-pdf-medical"].trigger()
    _settle(qtbot, window)
    assert (tmp_path / "summary.pdf").read_bytes().startswith(b"%PDF")

    # The briefing deck is for before the meeting: no notes in it, no question.
    asked.clear()
    editor.ask_save_path = lambda kind, suggested: tmp_path / "briefing.pptx"  # type: ignore[method-assign]
    with qtbot.waitSignal(editor.exported, timeout=EXPORT_MS):
        editor.export_actions["briefing"].trigger()
    assert asked == []


def test_an_export_can_be_cancelled_and_a_failed_one_is_reported(
    make_window, qtbot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    window, context, m, _review = _open_review(make_window, qtbot)
    _reviewed(context, m)
    _settle(qtbot, window)
    editor = window.boards.editor
    started: list[bool] = []

    def slow(data, path, progress, cancel):  # type: ignore[no-untyped-def]
        started.append(True)
        progress(1, 10, "Writing")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            cancel.raise_if_cancelled()
            time.sleep(0.01)
        raise AssertionError("never cancelled")

    # The editor asks the registry for the kind when the export starts: a slow summary, then.
    monkeypatch.setitem(registry.KINDS, "summary-pdf", replace(registry.KINDS["summary-pdf"], render=slow))
    editor.ask_save_path = lambda kind, suggested: tmp_path / "s.pdf"  # type: ignore[method-assign]
    messages: list[str] = []
    editor.status_message.connect(messages.append)
    editor.export("summary-pdf")
    qtbot.waitUntil(lambda: bool(started) and editor.export_status.progress.maximum() == 10, timeout=WAIT_MS)
    assert editor.export_status.cancel_button.isVisible()
    editor.export("readout")  # one at a time
    assert messages[-1].startswith("An export is under way")
    editor.export_status.cancel_button.click()
    assert editor.export_status.message.text() == "Export cancelled; nothing was written."
    assert editor.export_status.cancel_button.isHidden()
    assert editor.export_status.open_button.isHidden()
    _settle(qtbot, window)
    assert not (tmp_path / "s.pdf").exists()

    reported: list[str] = []
    monkeypatch.setattr("msldesk.ui.errors.report_error", lambda e, d="", p=None: reported.append(str(e)))

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(registry.KINDS, "insights", replace(registry.KINDS["insights"], render=broken))
    editor.export("insights")
    qtbot.waitUntil(lambda: bool(reported), timeout=WAIT_MS)
    assert "No space left" in reported[0]
    assert editor.export_status.message.text() == "The insights and actions (medical) was not written."


# ---- restricted terms ---------------------------------------------------------------------------------


def test_restricted_terms_dialog_edits_the_list_and_restores_the_defaults(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = RestrictedTermsDialog(["cure", "off-label"])
    qtbot.addWidget(dialog)
    assert dialog.values() == ["cure", "off-label"]
    dialog.add_value()
    dialog.list.currentItem().setText("  synergy   claims ")
    assert dialog.values() == ["cure", "off-label", "synergy claims"]
    dialog.list.setCurrentRow(0)
    dialog.list.item(0).setSelected(True)
    dialog.remove_button.click()
    assert dialog.values() == ["off-label", "synergy claims"]
    dialog.list.item(0).setText("OFF-LABEL")
    dialog.add_value()
    dialog.list.currentItem().setText("off-label")  # the same term in other letters: kept once
    dialog.add_value()  # left empty: ignored
    assert dialog.values() == ["OFF-LABEL", "synergy claims"]
    assert dialog.count.text() == "2 terms"
    dialog.restore_button.click()
    assert dialog.values() == list(DEFAULT_TERMS)


def test_restricted_terms_are_saved_and_the_notes_are_checked_again(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, m, review = _open_review(make_window, qtbot)
    asked: list[tuple[str, ...]] = []
    review.ask_restricted_terms = lambda terms: asked.append(tuple(terms)) or ["real-world data"]  # type: ignore[method-assign]
    review.terms_button.click()
    _settle(qtbot, window)
    assert asked == [DEFAULT_TERMS]
    assert context.app.meetings.restricted_terms().terms == ("real-world data",)
    assert {e.entry_id for e in review.data.needing_review} == {m.insight, m.quote}
    assert review.review_count.text() == "⚑ 2 flagged entries need review"
    assert _cell(review, m.flagged, C.REVIEW) == "", "'cure' is no longer restricted"

    # Cancelling the dialog changes nothing.
    review.ask_restricted_terms = lambda terms: None  # type: ignore[method-assign]
    review.terms_button.click()
    _settle(qtbot, window)
    assert context.app.meetings.restricted_terms().terms == ("real-world data",)


# ---- the model ------------------------------------------------------------------------------------------


def test_notes_tree_model_passes_the_qt_model_tester(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from pytestqt.modeltest import ModelTester

    _window, _context, _m, review = _open_review(make_window, qtbot)
    tester = ModelTester(None)
    tester.check(review.model, force_py=True)
    review.by_agenda.click()
    review.review_only.click()
    review.by_theme.click()
    assert review.model.rowCount() == 1


def test_entry_and_amendment_dialogs_read_back_what_was_typed(qtbot) -> None:  # type: ignore[no-untyped-def]
    from msldesk.boards.records import AgendaItem, EntryFields, NoteEntry
    from msldesk.ui.boards.notes_entry_dialog import AmendmentDialog, EntryDialog

    entry = NoteEntry(
        7,
        1,
        EntryFields(
            "send the deck", EntryKind.ACTION, 2, None, ("Access",), 5, "Lena Vogel", dt.date(2026, 5, 1)
        ),
        dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC),
        owner_name="Lena Vogel",
    )
    agenda = [
        AgendaItem(1, 1, 0, AgendaItemFields("Welcome", 15)),
        AgendaItem(2, 1, 1, AgendaItemFields("Data", 45)),
    ]
    dialog = EntryDialog(entry, agenda, [("Ada Lovelace", 3)], ["Access", "Safety"])
    qtbot.addWidget(dialog)
    assert dialog.fields() == entry.fields, "unchanged when nothing is typed"
    assert dialog.owner.isVisibleTo(dialog)
    dialog.text.setPlainText("  send the revised deck ")
    dialog.themes.setText("Access; #Safety, ")
    dialog.speaker.setCurrentIndex(dialog.speaker.findData(3))
    dialog.agenda_item.setCurrentIndex(dialog.agenda_item.findData(1))
    dialog.owner.setText("Max Mustermann")
    dialog.has_due.setChecked(False)
    fields = dialog.fields()
    assert (fields.text, fields.themes, fields.speaker_id, fields.agenda_item_id) == (
        "send the revised deck",
        ("Access", "Safety"),
        3,
        1,
    )
    assert (fields.owner_id, fields.owner, fields.due) == (None, "Max Mustermann", None), (
        "a new owner by name"
    )
    dialog.kind.setCurrentIndex(dialog.kind.findData(EntryKind.NOTE.value))
    assert not dialog.owner.isVisibleTo(dialog), "owner and due are for actions"
    dialog.text.setPlainText("   ")
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()

    amend = AmendmentDialog(entry)
    qtbot.addWidget(amend)
    amend.text.setPlainText(" send the deck by Friday ")
    amend.reason.setText(" date agreed ")
    assert amend.amendment() == ("send the deck by Friday", "date agreed")
    amend.text.clear()
    assert not amend.buttons.button(amend.buttons.StandardButton.Ok).isEnabled()
