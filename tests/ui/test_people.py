"""The People section as a user meets it: search, paging, the editor with undo, delete, merge, import."""

from __future__ import annotations

import csv
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWizard

from msldesk.boards.records import AgendaItemFields, EventFields, PersonFields
from msldesk.ui.ops import DbOp
from msldesk.ui.people.duplicates import SELECTED_REASON
from msldesk.ui.people.import_wizard import PEOPLE_ONLY, attendance_text
from msldesk.ui.people.mapping_model import TARGET_COLUMN, TargetRole
from msldesk.ui.people.people_model import COLUMNS, PAGE_SIZE, name_cell
from msldesk.ui.theme import palette

pytestmark = pytest.mark.usefixtures("no_libreoffice")

FIRST = (  # noqa: SIM905 - a word list reads best as one string
    "Amara Bruno Chiara Dmitri Elif Farid Greta Hiroshi Ines Jonas Kavya Lars Mireille Nikolai Olga Pavel "
    "Quentin Rosa Soren Tomasz Ulla Viktor Wanda Xavier Yusuf Zofia Anouk Bjorn Carmen Dario Esther Filip "
    "Gianna Hugo Isolde Jarek Kenji Leila Matteo Noor"
).split()
LAST = (  # noqa: SIM905 - a word list reads best as one string
    "Okafor Lindqvist Moreau Tanaka Castellano Whitfield Nakamura Brennan Haddad Petrov Schreiber Oyelaran "
    "Vasquez Kowalczyk Ferreira Abernathy Mbeki Rasmussen Delacroix Quispe Thorvaldsen Iwasaki Gallagher "
    "Zielinski Beaumont"
).split()
VALID_NPI = "1234567893"
EVENT_TITLE = "Lupus nephritis advisory board"


# ---- the library the tests start from (built once, headless; each test gets a copy) ---------------


@pytest.fixture(scope="module")
def people_library(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from msldesk.app.services import App

    root = tmp_path_factory.mktemp("people-library")
    folder = root / "library"
    app = App(folder)
    try:
        source = root / "directory.csv"
        with source.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(["First name", "Last name", "Email", "Specialty"])
            for last in LAST:
                for first in FIRST:
                    out.writerow([first, last, f"{first}.{last}@example.org".lower(), "Nephrology"])
        result = app.people_import.import_file(source)
        assert result.imported == len(FIRST) * len(LAST) == 1000
        assert not result.errors
        event, _ = app.events.create(EventFields(title=EVENT_TITLE))
        on_event, _ = app.people.add(
            PersonFields(first_name="Grace", last_name="Onlist", email="grace@x.org")
        )
        app.events.add_attendee(event.event_id, on_event.person_id)
        keep, _ = app.people.add(
            PersonFields(
                first_name="Harriet",
                last_name="Dupont",
                institution="St Mary Hospital",
                npi=VALID_NPI,
                email="h.dupont@stmary.org",
            )
        )
        other, _ = app.people.add(
            PersonFields(first_name="Harriet", last_name="Dupont", npi=VALID_NPI, phone="+1 555 0100")
        )
        app.events.add_attendee(event.event_id, other.person_id)
        ids = {"on_event": on_event.person_id, "keep": keep.person_id, "other": other.person_id}
        return {"folder": folder, "event_id": event.event_id, "total": 1003, **ids}
    finally:
        app.close()


@pytest.fixture
def people(make_window, people_library, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The main window on a copy of the people library, with the first page loaded."""
    folder = tmp_path / "copy"
    shutil.copytree(people_library["folder"], folder)
    window, context = make_window(seed_demo=False, data_dir=folder)
    view = window.people
    window.show_section(view)
    return window, context, view


def wait_idle(qtbot, context) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: context.runner.active == 0, timeout=20_000)


def run_db(qtbot, context, fn: Callable[[Any], Any]) -> Any:  # type: ignore[no-untyped-def]
    """Run fn(app) on the db lane (never on the GUI thread) and return its result."""
    box: list[Any] = []
    DbOp(context, lambda work: fn(work.app)).success(box.append).run()
    qtbot.waitUntil(lambda: bool(box), timeout=20_000)
    return box[0]


def loaded(view) -> bool:  # type: ignore[no-untyped-def]
    return not view.model.loading and view.model.rowCount() > 0


def select_rows(view, rows: list[int]) -> None:  # type: ignore[no-untyped-def]
    selection = view.table.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(
            view.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    selection.setCurrentIndex(view.model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)


def find_and_select(qtbot, view, query: str) -> None:  # type: ignore[no-untyped-def]
    view.search.setText(query)
    qtbot.waitUntil(lambda: view.model.query == query and loaded(view), timeout=10_000)
    select_rows(view, list(range(view.model.rowCount())))


# ---- directory ----------------------------------------------------------------------------------


def test_search_as_you_type_is_debounced_and_ignores_stale_answers(people, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, view = people
    qtbot.waitUntil(lambda: loaded(view), timeout=10_000)
    assert view.model.total == 1003
    calls: list[str] = []
    service = context.app.people
    original = service.search
    service.search = lambda query="", *a, **k: (calls.append(query), original(query, *a, **k))[1]
    qtbot.keyClicks(view.search, "okaf")
    qtbot.waitUntil(lambda: view.model.query == "okaf" and loaded(view), timeout=10_000)
    wait_idle(qtbot, context)
    assert calls == ["okaf"], "one search after typing stops, not one per key"
    names = {view.model.person(r).fields.last_name for r in range(view.model.rowCount())}
    assert names == {"Okafor"}
    assert view.model.total == len(FIRST) == view.model.rowCount()
    assert "40 matching" in view.result_label.text()

    # Two searches in flight: the first one's answer is dropped, never shown, even for a moment.
    model = view.model
    shown: list[set[str]] = []
    model.modelReset.connect(
        lambda: shown.append({model.person(r).fields.last_name for r in range(model.rowCount())})
    )
    model.set_query("tanaka")
    model.set_query("brennan")
    wait_idle(qtbot, context)
    assert shown == [{"Brennan"}]
    view.search.setText("zzzznobody")
    qtbot.waitUntil(lambda: view.model.query == "zzzznobody" and not view.model.loading, timeout=10_000)
    assert view.model.rowCount() == 0
    assert "Nobody matches" in view.result_label.text()


def test_directory_pages_as_the_user_scrolls(people, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, _context, view = people
    qtbot.waitUntil(lambda: loaded(view), timeout=10_000)
    model = view.model
    assert model.rowCount() == PAGE_SIZE
    assert model.canFetchMore()
    assert "showing 200" in view.result_label.text()
    view.table.scrollToBottom()  # the view asks for more itself
    qtbot.waitUntil(lambda: model.rowCount() > PAGE_SIZE, timeout=10_000)
    while model.canFetchMore() or model._fetching:
        if model.canFetchMore():
            model.fetchMore()
        qtbot.waitUntil(lambda: not model._fetching, timeout=10_000)
    assert model.rowCount() == model.total == 1003
    people_rows = [model.person(r) for r in range(model.rowCount())]
    assert len({p.person_id for p in people_rows}) == 1003
    keys = [(p.fields.last_name, p.fields.first_name, p.person_id) for p in people_rows]
    assert keys == sorted(keys), "pages arrive in the server's order"
    # Everything is loaded: any column sorts now, and the name column goes back to the server order.
    model.sort(5, Qt.SortOrder.DescendingOrder)
    emails = [model.person(r).fields.email for r in range(model.rowCount())]
    assert emails == sorted(emails, key=str.casefold, reverse=True)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.person(r).person_id for r in range(model.rowCount())] == [k[2] for k in keys]


def test_sorting_another_column_waits_for_every_row(people, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, _context, view = people
    qtbot.waitUntil(lambda: loaded(view), timeout=10_000)
    messages: list[str] = []
    view.status_message.connect(messages.append)
    before = [view.model.person(r).person_id for r in range(view.model.rowCount())]
    view.table.sortByColumn(5, Qt.SortOrder.AscendingOrder)
    assert messages
    assert "Narrow the search" in messages[-1]
    assert [view.model.person(r).person_id for r in range(view.model.rowCount())] == before
    assert view.table.horizontalHeader().sortIndicatorSection() == 0


def test_adding_someone_with_an_invalid_npi_says_why_and_saves_nothing(people, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, view = people
    qtbot.waitUntil(lambda: loaded(view), timeout=10_000)
    window.activateWindow()
    view.search.setFocus()
    qtbot.keyClick(view.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Ctrl+N
    editor = view.editor
    assert editor.adding
    qtbot.keyClicks(editor.inputs["first_name"], "Nadia")
    qtbot.keyClicks(editor.inputs["last_name"], "Invalidnpi")
    qtbot.keyClicks(editor.inputs["npi"], "1234567890")
    editor.save_button.click()
    qtbot.waitUntil(lambda: editor.error.isVisible(), timeout=10_000)
    assert "NPI 1234567890 fails its check digit" in editor.error.text()
    assert editor.inputs["first_name"].text() == "Nadia", "what was typed stays, to be fixed"
    wait_idle(qtbot, context)
    assert run_db(qtbot, context, lambda app: app.people.count("Invalidnpi")) == 0
    assert not context.undo_stack.canUndo()

    # Fixed: saved, listed, and undoable.
    editor.inputs["npi"].setText(VALID_NPI)
    editor.save_button.click()
    qtbot.waitUntil(lambda: editor.person is not None, timeout=10_000)
    assert not editor.error.isVisible()
    assert run_db(qtbot, context, lambda app: app.people.count("Invalidnpi")) == 1
    context.undo_stack.undo()
    wait_idle(qtbot, context)
    assert run_db(qtbot, context, lambda app: app.people.count("Invalidnpi")) == 0
    context.undo_stack.redo()
    wait_idle(qtbot, context)
    assert run_db(qtbot, context, lambda app: app.people.count("Invalidnpi")) == 1


def test_edit_then_undo_and_redo(people, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, view = people
    find_and_select(qtbot, view, "mireille moreau")
    person = view.editor.person
    assert person is not None
    assert person.fields.last_name == "Moreau"
    view.editor.inputs["institution"].setText("  Hôpital Necker  ")
    view.editor.inputs["tier"].setText("2")
    view.editor.save()
    qtbot.waitUntil(lambda: view.editor.person.fields.institution == "Hôpital Necker", timeout=10_000)
    get = lambda app: app.people.get(person.person_id).fields  # noqa: E731
    assert run_db(qtbot, context, get).institution == "Hôpital Necker"
    qtbot.waitUntil(lambda: view.model.person(0).fields.tier == "2", timeout=10_000)
    context.undo_stack.undo()
    wait_idle(qtbot, context)
    assert run_db(qtbot, context, get) == person.fields
    qtbot.waitUntil(lambda: view.editor.person.fields.institution == "", timeout=10_000)
    context.undo_stack.redo()
    wait_idle(qtbot, context)
    assert run_db(qtbot, context, get).tier == "2"


def test_delete_asks_first_and_is_refused_for_someone_on_an_event(people, people_library, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, view = people
    find_and_select(qtbot, view, "grace onlist")
    asked: list[list] = []
    view.ask_confirm_delete = lambda chosen: asked.append(chosen) or True
    window.activateWindow()
    view.table.setFocus()
    qtbot.waitUntil(lambda: view.table.hasFocus(), timeout=5_000)
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)  # the Delete key, in the table
    qtbot.waitUntil(lambda: bool(asked), timeout=5_000)
    wait_idle(qtbot, context)
    assert [p.display_name for p in asked[0]] == ["Grace Onlist"]
    assert "attendee list" in view.last_error
    assert "Grace Onlist" in view.last_error
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert any("attendee list" in box.text() for box in boxes), "the refusal is shown, not only logged"
    assert run_db(qtbot, context, lambda app: app.people.count("onlist")) == 1

    # Someone on no list goes; saying no to the question deletes nobody.
    find_and_select(qtbot, view, "amara okafor")
    view.ask_confirm_delete = lambda chosen: False
    view.delete_selected()
    wait_idle(qtbot, context)
    assert run_db(qtbot, context, lambda app: app.people.count("amara okafor")) == 1
    view.ask_confirm_delete = lambda chosen: True
    view.delete_selected()
    qtbot.waitUntil(lambda: view.model.query == "amara okafor" and view.model.total == 0, timeout=10_000)
    assert run_db(qtbot, context, lambda app: app.people.count()) == 1002


def test_delete_is_refused_for_a_presenter_naming_the_agenda_item(people, people_library, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Not on the attendee list, but presenting an agenda item: deleting would clear that quietly."""
    _window, context, view = people

    def present(app: Any) -> None:
        person, _ = app.people.add(PersonFields(first_name="Pia", last_name="Presenter"))
        fields = AgendaItemFields("Renal outcomes", 20, presenter_id=person.person_id)
        app.events.add_agenda_item(people_library["event_id"], fields)

    run_db(qtbot, context, present)
    find_and_select(qtbot, view, "pia presenter")
    view.ask_confirm_delete = lambda chosen: True
    view.delete_selected()
    wait_idle(qtbot, context)
    assert f"presents “Renal outcomes” at “{EVENT_TITLE}”" in view.last_error
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert any("Renal outcomes" in box.text() for box in boxes), "the refusal is shown, not only logged"
    assert run_db(qtbot, context, lambda app: app.people.count("pia presenter")) == 1


def test_duplicates_are_found_and_merged_moving_attendance(people, people_library, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, view = people
    keep, other, event_id = people_library["keep"], people_library["other"], people_library["event_id"]
    dialog = view.find_duplicates()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=20_000)
    groups = [dialog.groups_model.group(r) for r in range(dialog.groups_model.rowCount())]
    group = next(g for g, _ in groups if set(g.person_ids) == {keep, other})
    assert group.reason == "same NPI"
    row = [g for g, _ in groups].index(group)
    dialog.group_list.setCurrentIndex(dialog.groups_model.index(row))
    assert {p.person_id for p in dialog.comparison.people()} == {keep, other}
    dialog.select_keep(keep)
    assert dialog.comparison.headerData(
        [p.person_id for p in dialog.comparison.people()].index(keep), Qt.Orientation.Horizontal
    ).startswith("✓ keep")
    # The result column shows what the merge leaves: the kept record, blanks filled from the other.
    result_column = dialog.comparison.columnCount() - 1
    values = [dialog.comparison.index(r, result_column).data() for r in range(dialog.comparison.rowCount())]
    assert "St Mary Hospital" in values
    assert "+1 555 0100" in values
    # The kept record and the result are tinted (accent and success), the other record is not.
    ids = [p.person_id for p in dialog.comparison.people()]
    tint = Qt.ItemDataRole.BackgroundRole
    tints = [dialog.comparison.index(0, c).data(tint) for c in range(result_column + 1)]
    assert tints[ids.index(keep)] == QColor(palette().accent_bg)
    assert tints[ids.index(other)] is None
    assert tints[result_column] == QColor(palette().success_bg)

    dialog.ask_confirm_merge = lambda k, others: False
    dialog.merge_current()
    wait_idle(qtbot, context)
    assert len(run_db(qtbot, context, lambda app: app.people.get_many([keep, other]))) == 2

    asked: list = []
    dialog.ask_confirm_merge = lambda k, others: (
        asked.append((k.person_id, [o.person_id for o in others])) or True
    )
    dialog.merge_current()
    wait_idle(qtbot, context)
    assert asked == [(keep, [other])]
    remaining = run_db(qtbot, context, lambda app: app.people.get_many([keep, other]))
    assert [p.person_id for p in remaining] == [keep]
    assert remaining[0].fields.phone == "+1 555 0100"
    attendees = run_db(qtbot, context, lambda app: app.events.attendees(event_id))
    assert keep in {a.person.person_id for a in attendees}, "the other record's event place moved over"
    assert all(
        g.person_ids != group.person_ids
        for g in (dialog.groups_model.group(r)[0] for r in range(dialog.groups_model.rowCount()))
    )


def test_merge_two_people_selected_in_the_directory(people, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, context, view = people
    find_and_select(qtbot, view, "okafor")
    select_rows(view, [0, 1])
    chosen = view.selected_people()
    assert len(chosen) == 2
    assert view.merge_button.isEnabled()
    dialog = view.merge_selected()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=10_000)
    assert dialog.groups_model.group(0)[0].reason == SELECTED_REASON
    dialog.select_keep(chosen[1].person_id)
    dialog.ask_confirm_merge = lambda k, others: True
    dialog.merge_current()
    wait_idle(qtbot, context)
    ids = [p.person_id for p in chosen]
    assert [p.person_id for p in run_db(qtbot, context, lambda app: app.people.get_many(ids))] == [ids[1]]
    qtbot.waitUntil(lambda: view.model.total == len(FIRST) - 1, timeout=10_000)


def test_qt_models_pass_the_model_tester(people, qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    _window, context, view = people
    qtbot.waitUntil(lambda: loaded(view), timeout=10_000)
    qtmodeltester.check(view.model)
    dialog = view.find_duplicates()
    qtbot.waitUntil(lambda: not dialog.loading and dialog.comparison.rowCount() > 0, timeout=20_000)
    qtmodeltester.check(dialog.groups_model)
    qtmodeltester.check(dialog.comparison)
    wait_idle(qtbot, context)


# ---- import wizard ------------------------------------------------------------------------------


def open_wizard(qtbot, view, path: Path, event_id: int | None = None):  # type: ignore[no-untyped-def]
    wizard = view.open_import_wizard(path, event_id)
    assert wizard.isVisible()
    qtbot.waitUntil(
        lambda: not wizard.loading and (wizard.preview is not None or bool(wizard.refusal)), timeout=20_000
    )
    return wizard


def wait_checked(qtbot, wizard) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not wizard.loading and not wizard._remap_timer.isActive(), timeout=20_000)


def test_import_a_corpus_file_end_to_end(people, corpus_dir: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    source = corpus_dir / "people" / "openslides-e2e__participants.csv"
    if not source.is_file():
        pytest.skip("corpus file missing")
    _window, context, view = people
    wizard = open_wizard(qtbot, view, source)
    preview = wizard.preview
    assert preview is not None
    assert preview.rows
    assert not wizard.refusal
    info = wizard.file_page.info.text()
    assert preview.source_name in info
    assert preview.encoding in info
    assert wizard.file_page.isComplete()
    wizard.next()
    assert wizard.currentPage() is wizard.mapping_page
    model = wizard.mapping_model
    assert model.headers() == list(preview.headers)
    for row, header in enumerate(model.headers()):
        assert model.index(row, TARGET_COLUMN).data(TargetRole) == preview.mapping.get(header, "")
        assert wizard.combo_for(header).currentData() == preview.mapping.get(header, "")
    wizard.next()
    assert wizard.currentPage() is wizard.check_page
    assert wizard.check_page.counts.text().startswith(f"{preview.new_count:,} new, ")
    before = run_db(qtbot, context, lambda app: app.people.count())
    wizard.next()  # "Import"
    qtbot.waitUntil(lambda: wizard.import_result is not None, timeout=20_000)
    assert wizard.currentPage() is wizard.summary_page
    assert f"{preview.new_count} new people" in wizard.summary_page.text.text()
    after = run_db(qtbot, context, lambda app: app.people.count())
    assert after == before + preview.new_count > before
    qtbot.waitUntil(lambda: view.model.total == after, timeout=10_000)
    wizard.accept()
    wait_idle(qtbot, context)

    again = open_wizard(qtbot, view, source)
    assert again.preview.new_count == 0, "the same file again finds everyone already there"
    again.reject()
    wait_idle(qtbot, context)


def test_a_meeting_report_says_how_many_attendance_lines_will_match(
    people, people_library, corpus_dir: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    reports = [p for p in (corpus_dir / "people").glob("*") if p.suffix == ".csv"]
    _window, context, view = people
    for source in reports:
        wizard = open_wizard(qtbot, view, source, people_library["event_id"])
        if wizard.preview is None or not wizard.preview.attendance:
            wizard.reject()
            wait_idle(qtbot, context)
            continue
        wizard.next()
        wizard.next()
        qtbot.waitUntil(lambda w=wizard: w.matched_attendance is not None, timeout=20_000)
        label = wizard.check_page.attendance.text()
        assert attendance_text(wizard.matched_attendance, len(wizard.preview.attendance)) in label
        assert wizard.matched_attendance > 0, "people imported onto the event match their own lines"
        wizard.check_page.event_combo.setCurrentIndex(0)
        assert "Choose an event" in wizard.check_page.attendance.text()
        wizard.reject()
        wait_idle(qtbot, context)
        return
    pytest.skip("no meeting report in the corpus")


def dated_event(qtbot, context, start: str) -> int:  # type: ignore[no-untyped-def]
    import datetime as dt
    from zoneinfo import ZoneInfo

    starts = dt.datetime.fromisoformat(start).replace(tzinfo=ZoneInfo("Europe/Brussels"))
    fields = EventFields(title=f"Board {start}", starts_at=starts, ends_at=starts + dt.timedelta(hours=2),
                         timezone="Europe/Brussels")  # fmt: skip
    return run_db(qtbot, context, lambda app: app.events.create(fields)[0].event_id)


def on_the_check_page(qtbot, view, source: Path, event_id: int):  # type: ignore[no-untyped-def]
    wizard = open_wizard(qtbot, view, source, event_id)
    qtbot.waitUntil(lambda: bool(wizard._events), timeout=20_000)
    wizard.next()
    wizard.next()
    assert wizard.currentPage() is wizard.check_page
    return wizard


def test_a_report_of_another_day_asks_and_writes_nothing_or_people_only(
    people, corpus_dir: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    source = corpus_dir / "people" / "dvaneynde__IDL-14-11-22.csv"  # a Teams report of 14 Nov 2022
    if not source.is_file():
        pytest.skip("corpus file missing")
    _window, context, view = people
    event_id = dated_event(qtbot, context, "2027-01-18T09:00")
    people_before = run_db(qtbot, context, lambda app: app.people.count())
    wizard = on_the_check_page(qtbot, view, source, event_id)
    assert "Meeting report of 14 Nov 2022: 7 participant lines" in wizard.file_page.info.text()
    said = "This report is from 14 Nov 2022; the event is on 18 Jan 2027."
    assert said in wizard.check_page.attendance.text()
    asked: list[str] = []

    def cancel(day: Any) -> str:
        asked.append(day.message)
        return ""

    wizard.ask_report_day = cancel
    wizard.next()  # Import
    assert asked == [said]
    assert wizard.currentPage() is wizard.check_page
    assert not wizard.importing
    assert "nothing was written" in wizard.check_page.progress_label.text()
    wait_idle(qtbot, context)
    assert run_db(qtbot, context, lambda app: app.people.count()) == people_before

    wizard.ask_report_day = lambda day: asked.append(day.message) or PEOPLE_ONLY
    wizard.next()
    qtbot.waitUntil(lambda: wizard.import_result is not None, timeout=20_000)
    assert wizard.import_result.people_only
    assert wizard.import_result.attendance_marked == 0
    summary = wizard.summary_page.text.text()
    assert "people only, no attendance recorded" in summary
    assert "7 new people" in summary
    wizard.accept()
    wait_idle(qtbot, context)
    assert run_db(qtbot, context, lambda app: app.people.count()) == people_before + 7
    assert run_db(qtbot, context, lambda app: app.events.attendees(event_id)) == []


def test_a_report_of_the_event_day_shows_its_roles_and_counts_that_add_up(
    people, corpus_dir: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    source = corpus_dir / "people" / "dvaneynde__IDL-14-11-22.csv"
    if not source.is_file():
        pytest.skip("corpus file missing")
    _window, context, view = people
    event_id = dated_event(qtbot, context, "2022-11-14T09:30")
    wizard = on_the_check_page(qtbot, view, source, event_id)
    qtbot.waitUntil(lambda: wizard.matched_attendance is not None, timeout=20_000)
    label = wizard.check_page.attendance.text()
    assert "attendance will be recorded for all 7 participants." in label
    assert "the others" not in label
    assert (
        "Roles for people added to the event: 6 as faculty, 1 as internal." in label
    )  # presenters, the organizer
    wizard.ask_report_day = lambda day: pytest.fail("the report is from the event's day")
    wizard.next()
    qtbot.waitUntil(lambda: wizard.import_result is not None, timeout=20_000)
    assert "Attendance recorded for 7 participants." in wizard.summary_page.text.text()
    wizard.accept()
    wait_idle(qtbot, context)
    roles = run_db(
        qtbot, context, lambda app: sorted(a.fields.role.value for a in app.events.attendees(event_id))
    )
    assert roles == ["faculty"] * 6 + ["internal"]


def test_attendance_text_never_says_the_others_when_there_are_none() -> None:
    assert attendance_text(7, 7) == "Meeting report: attendance will be recorded for all 7 participants."
    assert attendance_text(5, 7).endswith("5 of 7 participants; 2 do not match anyone on the event's list.")
    assert attendance_text(0, 1).startswith("Meeting report: none of its 1 participant match")


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


CLINIC_ROWS = [
    ["First name", "Last name", "Reachable at", "Clinic"],
    ["Anneliese", "Quarterman", "a.quarterman@north.example.org", "North Clinic"],
    ["Benedikt", "Ravensworth", "not-an-email", "South Clinic"],
    ["Cordelia", "Sternberg", "c.sternberg@east.example.org", "East Clinic"],
    ["", "", "nobody@example.org", "West Clinic"],
]


def test_mapping_an_unknown_column_by_hand_then_cancel_writes_nothing(people, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _window, context, view = people
    source = write_csv(tmp_path / "clinic list.csv", CLINIC_ROWS)
    before = run_db(qtbot, context, lambda app: app.people.count())
    wizard = open_wizard(qtbot, view, source)
    assert wizard.preview.mapping["Reachable at"] == "", "a header nobody could guess starts ignored"
    wizard.next()
    model = wizard.mapping_model
    row = model.row_of("Reachable at")
    assert model.index(row, 2).data() == "a.quarterman@north.example.org", "an example shows what it holds"
    assert len(wizard.preview.errors) == 1  # only the row without a name (its e-mail is not mapped yet)
    combo = wizard.combo_for("Reachable at")
    combo.setCurrentIndex(combo.findData("email"))
    assert model.mapping()["Reachable at"] == "email"
    assert not wizard.mapping_page.isComplete(), "Next waits for the new check"
    wait_checked(qtbot, wizard)
    assert wizard.preview.mapping["Reachable at"] == "email"
    assert {e.row for e in wizard.preview.errors} == {3}  # row 5 now has an e-mail: "name missing"
    status = wizard.mapping_page.status.text()
    assert status == "3 rows ready, 1 with errors, 0 columns ignored.", "counted in plain words, not 'row(s)'"
    wizard.next()
    assert wizard.check_page.errors_label.text() == "1 row will not be imported"
    counts = wizard.check_page.counts.text()
    assert counts == "3 new, 0 updates, 0 unchanged, 0 repeated rows, 1 row with errors"
    assert 'only an e-mail address: imported under it and marked "name missing"' in (
        wizard.check_page.warnings.text()
    )
    errors = wizard.check_page.errors
    assert errors.topLevelItemCount() == 1
    assert "not-an-email" in errors.topLevelItem(0).text(1)
    assert errors.topLevelItem(0).text(0) == "3"
    wizard.check_page.copy_button.click()
    assert "not-an-email" in QApplication.clipboard().text()
    wizard.reject()
    assert not wizard.isVisible()
    wait_idle(qtbot, context)
    assert run_db(qtbot, context, lambda app: app.people.count()) == before


def test_import_writes_and_importing_again_updates_instead_of_duplicating(
    people, qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _window, context, view = people
    source = write_csv(tmp_path / "clinic list.csv", CLINIC_ROWS)
    before = run_db(qtbot, context, lambda app: app.people.count())
    summaries: list[str] = []  # the wizard's last page, one per import

    def import_with_email_mapped() -> Any:
        wizard = open_wizard(qtbot, view, source)
        wizard.next()
        combo = wizard.combo_for("Reachable at")
        combo.setCurrentIndex(combo.findData("email"))
        wait_checked(qtbot, wizard)
        wizard.next()
        counts = wizard.check_page.counts.text()
        wizard.next()
        qtbot.waitUntil(lambda: wizard.import_result is not None, timeout=20_000)
        summaries.append(wizard.summary_page.text.text())
        wizard.accept()
        wait_idle(qtbot, context)
        return counts, wizard.import_result

    counts, result = import_with_email_mapped()
    assert counts.startswith("3 new, 0 updates")
    assert result.imported == 3
    assert run_db(qtbot, context, lambda app: app.people.count()) == before + 3
    found = run_db(qtbot, context, lambda app: app.people.search("quarterman"))
    assert [p.fields.email for p in found] == ["a.quarterman@north.example.org"]
    (nameless,) = run_db(qtbot, context, lambda app: app.people.search("nobody"))
    assert name_cell(nameless.fields) == "nobody@example.org (name missing)"

    CLINIC_ROWS_MOVED = [list(r) for r in CLINIC_ROWS]
    CLINIC_ROWS_MOVED[1][3] = "North Clinic, new building"
    write_csv(source, CLINIC_ROWS_MOVED)
    counts, result = import_with_email_mapped()
    assert counts.startswith("0 new, 1 update, 2 unchanged,")
    assert (result.imported, result.updated) == (0, 1)
    assert result.unchanged == 2
    # The last page accounts for every row: 0 new + 1 updated + 2 unchanged + 1 error = 4 rows.
    assert summaries[-1].startswith("clinic list.csv: 0 new people, 1 updated, 2 unchanged.")
    assert "1 row with errors was left out." in summaries[-1]
    assert run_db(qtbot, context, lambda app: app.people.count()) == before + 3
    found = run_db(qtbot, context, lambda app: app.people.search("quarterman"))
    assert [p.fields.institution for p in found] == ["North Clinic, new building"]


def test_cancel_while_importing_rolls_back(people, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _window, context, view = people
    source = write_csv(tmp_path / "clinic list.csv", CLINIC_ROWS)
    before = run_db(qtbot, context, lambda app: app.people.count())
    wizard = open_wizard(qtbot, view, source)
    wizard.next()
    wizard.next()
    gate = threading.Event()
    DbOp(context, lambda _work: gate.wait(10)).run()  # hold the db lane so Cancel comes first
    wizard.next()  # Import: queued behind the gate
    assert wizard.importing
    wizard.reject()
    assert wizard.isVisible(), "the window stays until the import has stopped"
    assert wizard.cancelling, "the window stays until the import has stopped"
    gate.set()
    qtbot.waitUntil(lambda: wizard.ops.closed, timeout=20_000)
    assert wizard.import_result is None
    assert run_db(qtbot, context, lambda app: app.people.count()) == before


def test_a_file_that_cannot_be_imported_says_why(people, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _window, context, view = people
    empty = tmp_path / "attendees.csv"
    empty.write_bytes(b"")
    wizard = open_wizard(qtbot, view, empty)
    assert wizard.preview is None
    assert "empty" in wizard.refusal
    assert wizard.file_page.refusal.isVisible()
    assert "cannot be imported" in wizard.file_page.refusal.text()
    assert not wizard.file_page.isComplete()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    # Choosing another file from the same step goes on from there.
    good = write_csv(tmp_path / "good.csv", CLINIC_ROWS[:2])
    wizard.ask_open_path = lambda: good
    wizard.file_page.choose_button.click()
    qtbot.waitUntil(lambda: wizard.preview is not None and not wizard.loading, timeout=20_000)
    assert not wizard.file_page.refusal.isVisible()
    assert wizard.file_page.isComplete()
    wizard.reject()
    wait_idle(qtbot, context)


def test_mapping_model_passes_the_model_tester(people, qtbot, qtmodeltester, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _window, context, view = people
    wizard = open_wizard(qtbot, view, write_csv(tmp_path / "c.csv", CLINIC_ROWS))
    qtmodeltester.check(wizard.mapping_model)
    wizard.reject()
    wait_idle(qtbot, context)


def test_shortcuts_open_the_wizard_and_focus_the_people_search(people, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context, view = people
    window.activateWindow()
    window.actions_by_key["find"].trigger()
    qtbot.waitUntil(lambda: view.search.hasFocus(), timeout=5_000)
    assert window.actions_by_key["import_people"].shortcut().toString() == "Ctrl+Shift+I"
    window.actions_by_key["import_people"].trigger()
    assert view.wizard is not None
    assert view.wizard.isVisible()
    view.wizard.reject()
    wait_idle(qtbot, context)


def test_wizard_takes_a_typed_path_lists_added_updated_and_skipped_and_sums_up(
    people, qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _window, context, view = people
    source = write_csv(
        tmp_path / "board list.csv",
        [
            ["First name", "Last name", "Email", "Institution", "Phone"],
            ["Zelda", "Newcomer", "zelda@new.example.org", "Uni", ""],  # added
            ["Grace", "Onlist", "grace@x.org", "Onlist Institute", ""],  # updated: a new institution
            ["Harriet", "Dupont", "h.dupont@stmary.org", "St Mary Hospital", ""],  # skipped: nothing new
            ["Zelda", "Newcomer", "zelda@new.example.org", "", "+1 555 0199"],  # skipped: repeats row 2
            ["", "", "not-an-email", "", ""],  # an error
        ],
    )
    wizard = view.open_import_wizard()
    assert not wizard.file_page.path_edit.isReadOnly()
    wizard.file_page.path_edit.setText(f'  "{source}"  ')  # pasted from "Copy as path", quotes and all
    wizard.load_typed_path()
    qtbot.waitUntil(lambda: not wizard.loading and wizard.preview is not None, timeout=20_000)
    assert wizard.path == source
    wizard.next()
    wait_checked(qtbot, wizard)
    wizard.next()
    tabs = wizard.check_page.outcomes
    assert [tabs.tabText(i) for i in range(4)] == ["Added (1)", "Updated (1)", "Skipped (2)", "Errors (1)"]
    assert tabs.texts(tabs.ADDED) == ["2: Zelda Newcomer: zelda@new.example.org"]
    assert tabs.texts(tabs.UPDATED) == ["3: Grace Onlist: grace@x.org"]
    skipped = tabs.texts(tabs.SKIPPED)
    assert skipped[0].startswith("4: Harriet Dupont: Already in the directory")
    assert skipped[1].startswith("5: Zelda Newcomer: Same person as an earlier row")

    wizard.next()  # Import
    qtbot.waitUntil(lambda: wizard.import_result is not None, timeout=20_000)
    page = wizard.summary_page
    assert wizard.currentPage() is page
    assert page.text.isVisible()
    assert page.next_steps.isVisible()
    lines = page.text.text().splitlines()
    assert 2 <= len(lines) <= 6
    assert "1 new people, 1 updated, 1 unchanged" in lines[0]
    wizard.accept()
    wait_idle(qtbot, context)


def test_an_empty_duplicates_search_says_so_instead_of_two_empty_panes(people, qtbot) -> None:  # type: ignore[no-untyped-def]
    from msldesk.ui.people.duplicates import DuplicatesDialog

    _window, context, view = people
    dialog = DuplicatesDialog(context, [], view)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=20_000)
    shown = [label.text() for label in dialog.findChildren(QLabel) if label.isVisible()]
    assert any("No duplicates found" in text for text in shown), shown
    assert not dialog.group_list.isVisible()
    assert not dialog.table.isVisible()


def test_directory_columns_fit_their_content_and_rows_are_comfortable(people, qtbot) -> None:  # type: ignore[no-untyped-def]
    from msldesk.ui.meeting.attendees import CheckInPanel

    window, _context, view = people
    window.resize(1400, 800)
    qtbot.waitUntil(lambda: loaded(view), timeout=20_000)
    table, metrics = view.table, view.table.fontMetrics()
    names = [name for name, _cell in COLUMNS]
    email, consent = names.index("Email"), names.index("Consent")
    assert table.columnWidth(email) >= metrics.horizontalAdvance("a.lovelace-byron@charite-berlin.de")
    assert table.columnWidth(consent) <= metrics.horizontalAdvance("Consent") + 40, "Consent stays narrow"
    assert table.rowHeight(0) >= metrics.height() + 10, "room around the text"

    import datetime as dt

    from msldesk.boards.records import Attendance, AttendanceFields, Person

    stamp = dt.datetime(2026, 1, 1)
    ada = Person(1, PersonFields(first_name="Ada", last_name="Lovelace"), stamp, stamp)
    panel = CheckInPanel()  # the meeting window's attendee list
    qtbot.addWidget(panel)
    panel.set_attendees((Attendance(1, 1, ada, AttendanceFields()),))
    assert panel.list.sizeHintForRow(0) >= panel.list.fontMetrics().height() + 10
