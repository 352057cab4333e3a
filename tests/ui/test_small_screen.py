"""A small screen, or a scale factor of 2 (a 1920x1200 screen is 960x600 at QT_SCALE_FACTOR=2): every
section, tab and dialog fits it, and the slide grid keeps room for its cards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QDialog, QTableView

from msldesk.boards.records import AttendanceFields, EventFields, Invitation, PersonFields
from msldesk.ui.library.delegates import THUMB_W, card_size, thumb_size
from msldesk.ui.widgets.geometry import fit_size
from msldesk.ui.widgets.table_fit import sample_width, stretch_column

pytestmark = pytest.mark.usefixtures("no_libreoffice")

WAIT_MS = 20_000
# 960x600 less a window frame: the most a window may ask for on that screen.
SMALL = QSize(950, 560)


def _fits(window, where: str) -> None:  # type: ignore[no-untyped-def]
    least = window.minimumSizeHint()
    assert least.width() <= SMALL.width(), f"{where}: {least}"
    assert least.height() <= SMALL.height(), f"{where}: {least}"


def _demo_window(make_window, qtbot):  # type: ignore[no-untyped-def]
    window, context = make_window()
    qtbot.waitUntil(lambda: window.library.grid_model.rowCount() == 10, timeout=WAIT_MS)
    return window, context


def test_every_section_tab_and_draft_fits_a_small_screen(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _context = _demo_window(make_window, qtbot)
    _fits(window, "library")
    window.library.side_tabs.setCurrentIndex(1)
    _fits(window, "deck details")

    boards = window.boards
    window.show_section(boards)
    qtbot.waitUntil(lambda: boards.proxy.rowCount() > 0, timeout=WAIT_MS)
    boards.list.setCurrentIndex(boards.proxy.index(0, 0))
    qtbot.waitUntil(lambda: boards.editor.bundle is not None, timeout=WAIT_MS)
    for tab in range(boards.editor.tabs.count()):
        boards.editor.tabs.setCurrentIndex(tab)
        qtbot.wait(50)
        _fits(window, f"boards, {boards.editor.tabs.tabText(tab)}")
    boards.new_event()  # the draft's hint is a long line under the heading
    _fits(window, "new event draft")
    boards.editor.ask_discard_draft = lambda _title: "discard"  # type: ignore[method-assign]
    assert boards.editor.close_draft()

    people = window.people
    window.show_section(people)
    qtbot.waitUntil(lambda: people.model.rowCount() > 0, timeout=WAIT_MS)
    assert people.select_person(people.model.person(0).person_id)
    _fits(window, "people, a person shown")


def test_the_status_bar_is_whole_in_a_small_window_while_a_job_runs(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _ = _demo_window(make_window, qtbot)
    window._on_jobs_job_started("import")
    name = "Oncology congress highlights, the long version for the regional team meeting " * 3
    window._on_jobs_progressed("import", 3, 12, f"Importing {name}.pptx")
    _fits(window, "a long file name in the status bar")
    window.resize(SMALL)
    qtbot.waitUntil(lambda: window.size() == SMALL, timeout=WAIT_MS)  # it was 604 px tall at least
    bar = window.statusBar()
    assert bar.geometry().bottom() == window.height() - 1
    for widget in (window.progress_label, window.progress, window.cancel_button):
        assert widget.isVisible()
        assert bar.rect().contains(widget.geometry()), (widget, widget.geometry(), bar.rect())
        assert widget.height() >= widget.minimumSizeHint().height(), widget
    window._on_jobs_job_finished("import", "Imported 12 decks")


def test_the_grid_keeps_two_columns_and_a_row_of_cards_above_the_tray(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _ = _demo_window(make_window, qtbot)
    view, builder = window.library, window.library.builder
    view.builder.add_slides([view.grid_model.card(row).slide_id for row in (0, 3, 9)])
    qtbot.waitUntil(lambda: builder.model.rowCount() == 3, timeout=WAIT_MS)
    row = card_size(thumb_size(THUMB_W)).height()
    view.banner.hide()  # "LibreOffice was not found" (these tests have none): a user with it sees no banner

    window.resize(SMALL)
    qtbot.waitUntil(lambda: window.size() == SMALL, timeout=WAIT_MS)
    assert view.grid.thumb_width == THUMB_W
    assert view.grid.columns() >= 2
    assert view.grid.viewport().height() >= row, "less than one row of slides above the deck builder"
    tray = builder.view
    assert tray.gridSize().height() <= tray.viewport().height(), "the tray's cards are cut off"
    pane = view.tray_splitter.widget(1)
    assert pane.verticalScrollBar().maximum() == 0, "the deck builder scrolls while its tray could shrink"

    window.resize(1400, 860)  # room enough: the tray's cards are the usual size again
    qtbot.waitUntil(lambda: window.height() == 860, timeout=WAIT_MS)
    assert tray.cards.thumb.width() == THUMB_W
    assert tray.gridSize().height() <= tray.viewport().height()


def test_an_export_banner_takes_room_from_the_grid(make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, _ = _demo_window(make_window, qtbot)
    view, builder = window.library, window.library.builder
    window.resize(1400, 860)
    qtbot.waitUntil(lambda: window.height() == 860, timeout=WAIT_MS)
    grid_before, tray_before = view.tray_splitter.sizes()
    warnings = [f"“Slide {n}” is expired; used anyway: requested by the chair" for n in range(3)]
    text = "Exported 4 slides, with its bill of materials"
    builder.banner.succeeded(tmp_path / "Briefing.pptx", text, warnings)
    qtbot.waitUntil(lambda: view.tray_splitter.sizes()[1] > tray_before, timeout=WAIT_MS)
    grid_after, _ = view.tray_splitter.sizes()
    assert grid_after < grid_before
    assert view.grid.height() >= view.grid.minimumHeight()
    _fits(window, "library with an export banner")  # a short window scrolls the deck builder instead
    builder.banner.close_button.click()
    qtbot.waitUntil(lambda: view.tray_splitter.sizes() == [grid_before, tray_before], timeout=WAIT_MS)


def test_a_table_scrolls_sideways_before_its_main_column_is_squeezed(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = QStandardItemModel(3, 6)
    model.setHorizontalHeaderLabels(["Time", "Title", "Kind", "Presenter", "Minutes", "Slides"])
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    for column in (0, 2, 3, 4, 5):
        table.setColumnWidth(column, 120)
    sample = "Case discussion: re-challenge"
    stretch_column(table, 1, sample)
    least = sample_width(table, 1, sample)
    table.resize(500, 300)
    table.show()
    qtbot.waitUntil(lambda: table.columnWidth(1) == least, timeout=WAIT_MS)
    assert table.horizontalScrollBar().maximum() > 0  # the rest is a scroll away
    table.resize(1400, 300)  # room enough: the column takes what the others leave
    qtbot.waitUntil(lambda: table.columnWidth(1) > least, timeout=WAIT_MS)
    assert table.horizontalHeader().length() == table.viewport().width()


def test_a_dialog_opens_no_larger_than_its_screen(qtbot) -> None:  # type: ignore[no-untyped-def]
    screen = QApplication.primaryScreen().availableGeometry()
    dialog = QDialog()
    qtbot.addWidget(dialog)
    fit_size(dialog, screen.width() + 300, screen.height() + 300)
    dialog.show()
    assert screen.contains(dialog.frameGeometry()), (dialog.frameGeometry(), screen)
    fit_size(dialog, 400, 300)  # smaller than the screen: just that
    assert dialog.size() == QSize(400, 300)


def test_the_import_wizard_fits_the_screen(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window(seed_demo=False)
    wizard = window.people.open_import_wizard()
    qtbot.waitUntil(wizard.isVisible, timeout=WAIT_MS)
    screen = wizard.screen().availableGeometry()
    assert wizard.width() <= screen.width(), (wizard.size(), screen)
    assert wizard.height() <= screen.height(), (wizard.size(), screen)
    wizard.reject()


def test_many_fair_market_value_warnings_do_not_make_the_attendees_tab_taller(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    app, start = context.app, dt.datetime(2027, 3, 4, 9, tzinfo=dt.UTC)
    end = start + dt.timedelta(hours=4)
    event, _ = app.events.create(EventFields(title="Board", starts_at=start, ends_at=end))
    for n in range(12):
        person, _ = app.people.add(PersonFields(f"Advisor{n}", "Example", email=f"a{n}@example.org"))
        in_euros = AttendanceFields(
            invitation=Invitation.ACCEPTED, honorarium_amount=Decimal("2000"), currency="EUR"
        )
        _, changes = app.events.add_attendee(event.event_id, person.person_id, in_euros)
    context.changed.emit(changes)
    boards = window.boards
    window.show_section(boards)
    qtbot.waitUntil(lambda: boards.select_event(event.event_id), timeout=WAIT_MS)
    panel = boards.editor.attendees
    qtbot.waitUntil(lambda: panel.model.rowCount() == 12, timeout=WAIT_MS)
    boards.editor.tabs.setCurrentWidget(panel)
    assert "12 fair market value warnings" in panel.fmv_label.text()
    assert "and 9 more" in panel.fmv_label.text()
    assert "Advisor11" not in panel.fmv_label.text()
    assert panel.fmv_label.toolTip().count("\n") == 11, "every warning is a hover away"
    _fits(window, "attendees with twelve warnings")
