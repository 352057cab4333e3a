"""The library window as a user meets it: demo content, import, search, grid, metadata, badges."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from msldesk.decks.records import DeckStatus
from msldesk.ui.library.deck_list_model import DeckRole
from msldesk.ui.library.slide_grid_model import CardRole

from .helpers import drop_files, make_deck

pytestmark = pytest.mark.usefixtures("no_libreoffice")


def _deck_rows(window) -> list:  # type: ignore[no-untyped-def]
    model = window.library.deck_model
    return [model.index(r).data(DeckRole) for r in range(1, model.rowCount())]


def test_first_run_shows_demo_decks_with_status_badges(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window()
    qtbot.waitUntil(lambda: window.library.deck_model.rowCount() == 4, timeout=10_000)
    statuses = {deck.status for deck in _deck_rows(window)}
    assert {DeckStatus.APPROVED, DeckStatus.EXPIRING, DeckStatus.EXPIRED} <= statuses
    grid = window.library.grid_model
    qtbot.waitUntil(lambda: grid.rowCount() == 10, timeout=10_000)
    expired_cards = [grid.index(r).data(CardRole) for r in range(grid.rowCount())]
    assert any(card.status.blocked for card in expired_cards), "expired slides are marked in the grid"
    tooltip = next(
        grid.index(r).data(Qt.ItemDataRole.ToolTipRole)
        for r in range(grid.rowCount())
        if grid.index(r).data(CardRole).status.blocked
    )
    assert "Expired" in tooltip


def test_no_libreoffice_shows_placeholder_and_how_to_get_thumbnails(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window()
    banner = window.library.banner
    assert banner.isVisible()
    assert "LibreOffice" in banner.text()
    assert "install" in banner.text().lower()
    assert window.library.card_delegate.placeholder_hint.startswith("Install LibreOffice")


def test_import_shows_progress_reports_failures_and_keeps_the_rest(
    make_window, qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window(seed_demo=False)
    folder = tmp_path / "incoming"
    folder.mkdir()
    for n in range(3):
        make_deck(folder / f"deck{n}.pptx", [f"Deck {n} slide {i}" for i in range(1, 4)])
    (folder / "broken.pptx").write_bytes(b"PK\x03\x04 this is not really a zip")
    progress: list[tuple[int, int]] = []
    window.jobs.progressed.connect(lambda name, done, total, _m: progress.append((done, total)))
    with qtbot.waitSignal(window.jobs.job_finished, timeout=30_000) as finished:
        window.import_paths([folder])
    assert finished.args[0] == "import"
    assert "3 imported" in finished.args[1]
    assert "1 failed" in finished.args[1]
    assert progress
    assert progress[-1][0] == progress[-1][1] == 4
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    qtbot.waitUntil(lambda: window.library.deck_model.rowCount() == 4, timeout=10_000)
    box = window.failure_box
    assert "broken.pptx" in box.text()
    assert "damaged" in box.text()
    assert window.progress.isHidden() or window.progress.maximum() == 4


def test_import_can_be_cancelled(make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window(seed_demo=False)
    folder = tmp_path / "many"
    folder.mkdir()
    make_deck(folder / "a.pptx", ["One"])
    for n in range(40):
        (folder / f"copy{n}.pptx").write_bytes((folder / "a.pptx").read_bytes() + bytes([n]))
    window.jobs.progressed.connect(lambda name, done, total, _m: window.jobs.cancel() if done >= 2 else None)
    with qtbot.waitSignal(window.jobs.job_finished, timeout=30_000) as finished:
        window.import_paths([folder])
    assert "cancelled" in finished.args[1]
    decks = context.decks.list_decks()
    assert 1 <= len(decks) < 41


def test_drag_and_drop_imports(make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window(seed_demo=False)
    deck = make_deck(tmp_path / "dropped.pptx", ["Dropped slide"])
    with qtbot.waitSignal(window.jobs.job_finished, timeout=30_000):
        drop_files(window, [deck])
    qtbot.waitUntil(lambda: window.library.deck_model.rowCount() == 2, timeout=10_000)


def test_search_as_you_type_shows_snippets_and_hides_expired(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window()
    view = window.library
    grid = view.grid_model
    qtbot.keyClicks(view.search, "pasi")
    qtbot.waitUntil(lambda: grid.rowCount() > 0 and grid.card(0).snippet != "", timeout=10_000)
    cards = [grid.card(r) for r in range(grid.rowCount())]
    assert all("<b>" in c.snippet for c in cards)
    assert any("PASI" in c.title for c in cards)
    # A phrase only in the expired demo deck, in Japanese: hidden until expired content is included.
    view.search.setText("疾病負担")
    qtbot.waitUntil(lambda: view.result_label.text().startswith("No slides match"), timeout=10_000)
    view.include_expired.setChecked(True)
    qtbot.waitUntil(lambda: grid.rowCount() == 1, timeout=10_000)
    assert grid.card(0).status is DeckStatus.EXPIRED
    assert "<b>疾病負担</b>" in grid.card(0).snippet


def test_selecting_a_slide_shows_preview_with_notes(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window()
    view = window.library
    qtbot.waitUntil(lambda: view.grid_model.rowCount() == 10, timeout=10_000)
    row = next(r for r in range(10) if view.grid_model.card(r).title.startswith("Study design"))
    view.grid.setCurrentIndex(view.grid_model.index(row))
    qtbot.waitUntil(lambda: view.preview.slide is not None, timeout=10_000)
    assert "pooled analyses" in view.preview.notes.toPlainText()
    assert "Study design" in view.preview.heading.text()


def test_metadata_edit_changes_status_and_can_be_undone(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, context = make_window()
    view = window.library
    qtbot.waitUntil(lambda: view.deck_model.rowCount() == 4, timeout=10_000)
    row = next(
        r for r in range(1, 4) if view.deck_model.index(r).data(DeckRole).status is DeckStatus.APPROVED
    )
    deck = view.deck_model.index(row).data(DeckRole)
    view.deck_list.setCurrentIndex(view.deck_model.index(row))
    assert view.editor.deck is not None
    assert view.editor.deck.deck_id == deck.deck_id
    view.editor.withdrawn.setChecked(True)
    view.editor.approval_code.setText("MED-NEW-42")
    view.editor.tags.setText("efficacy, key deck")
    window.actions_by_key["save_deck"].trigger()
    qtbot.waitUntil(lambda: context.decks.deck(deck.deck_id).status is DeckStatus.WITHDRAWN, timeout=10_000)
    qtbot.waitUntil(
        lambda: any(
            d.deck_id == deck.deck_id and d.status is DeckStatus.WITHDRAWN for d in _deck_rows(window)
        ),
        timeout=10_000,
    )
    saved = context.decks.deck(deck.deck_id)
    assert saved.approval_code == "MED-NEW-42"
    assert "key deck" in saved.tags
    window.actions_by_key["undo"].trigger()
    qtbot.waitUntil(lambda: context.decks.deck(deck.deck_id).status is DeckStatus.APPROVED, timeout=10_000)
    assert context.decks.deck(deck.deck_id).approval_code == deck.approval_code


def test_invalid_dates_are_refused_with_a_clear_message(make_window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    shown: list[str] = []
    monkeypatch.setattr(
        "msldesk.ui.errors.report_error", lambda error, details="", parent=None: shown.append(str(error))
    )
    window, context = make_window()
    view = window.library
    qtbot.waitUntil(lambda: view.deck_model.rowCount() == 4, timeout=10_000)
    view.deck_list.setCurrentIndex(view.deck_model.index(1))
    view.editor.approved_on.set_value(dt.date(2026, 6, 1))
    view.editor.expires_on.set_value(dt.date(2026, 1, 1))
    view.editor.save()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert "before the approval date" in shown[0]
    deck = view.deck_model.index(1).data(DeckRole)
    saved = context.decks.deck(deck.deck_id)
    assert (saved.approved_on, saved.expires_on) == (deck.approved_on, deck.expires_on), "nothing was saved"


def test_status_and_tag_filters_narrow_the_search(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _ = make_window()
    view = window.library
    grid = view.grid_model
    qtbot.waitUntil(lambda: view.tag_filter.count() > 1, timeout=10_000)
    view.search.setText("demo")
    qtbot.waitUntil(lambda: grid.rowCount() >= 3 and grid.card(0).snippet != "", timeout=10_000)
    unfiltered = grid.rowCount()
    view.status_filter.setCurrentIndex(view.status_filter.findData(DeckStatus.EXPIRING.value))
    view.status_filter.activated.emit(view.status_filter.currentIndex())
    qtbot.waitUntil(lambda: 0 < grid.rowCount() < unfiltered, timeout=10_000)
    assert {grid.card(r).status for r in range(grid.rowCount())} == {DeckStatus.EXPIRING}
    view.status_filter.setCurrentIndex(0)
    view.tag_filter.setCurrentIndex(view.tag_filter.findText("efficacy"))
    view.tag_filter.activated.emit(view.tag_filter.currentIndex())
    qtbot.waitUntil(lambda: grid.rowCount() == 5, timeout=10_000)
    assert {grid.card(r).deck_title for r in range(5)} == {
        "Demoximab in moderate-to-severe plaque psoriasis: Phase III efficacy (DEMO)"
    }


def test_the_filters_narrow_the_slides_while_browsing_too(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """No search text yet: choosing Status › Expiring soon or a tag narrows the slides shown. (They
    changed nothing until something was typed: the grid still said "10 slides".)"""
    window, _ = make_window()
    view = window.library
    grid = view.grid_model
    qtbot.waitUntil(lambda: view.tag_filter.count() > 1 and grid.rowCount() == 10, timeout=10_000)
    view.status_filter.setCurrentIndex(view.status_filter.findData(DeckStatus.EXPIRING.value))
    view.status_filter.activated.emit(view.status_filter.currentIndex())
    qtbot.waitUntil(lambda: grid.rowCount() == 3, timeout=10_000)
    assert {grid.card(r).status for r in range(3)} == {DeckStatus.EXPIRING}
    assert view.result_label.text() == "3 slides"
    view.status_filter.setCurrentIndex(0)
    view.tag_filter.setCurrentIndex(view.tag_filter.findText("efficacy"))
    view.tag_filter.activated.emit(view.tag_filter.currentIndex())
    qtbot.waitUntil(lambda: grid.rowCount() == 5, timeout=10_000)
    assert {grid.card(r).deck_title for r in range(5)} == {
        "Demoximab in moderate-to-severe plaque psoriasis: Phase III efficacy (DEMO)"
    }
    view.tag_filter.setCurrentIndex(0)
    view.tag_filter.activated.emit(0)
    qtbot.waitUntil(lambda: grid.rowCount() == 10, timeout=10_000)
    assert view.result_label.text() == "10 slides"


def _deck_past_the_limits(imported: str, rendered: str):  # type: ignore[no-untyped-def]
    import datetime as dt

    from msldesk.decks.records import DeckInfo

    return DeckInfo(
        deck_id=1, title="Hostile", approval_code="", approved_on=None, expires_on=None,
        withdrawn=False, status=DeckStatus.DRAFT, therapeutic_area="", product="", audience="",
        tags=(), version=1, version_id=1, sha256="a" * 64, file_name="hostile.pptx",
        kind="presentation", strict=False, slide_count=2000, slides_added=0, slides_changed=0,
        slides_removed=0, imported_at=dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.UTC), thumbnail_state="done",
        thumbnail_error="", warnings=(imported,), preview_pdf="/no/such/preview.pdf",
        thumbnail_note=rendered,
    )  # fmt: skip


def test_deck_details_say_which_slides_were_left_out(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A deck past the import or render limit says so where the deck's details are shown."""
    from msldesk.ui.library.deck_editor import DeckEditor

    editor = DeckEditor()
    qtbot.addWidget(editor)
    imported = "This deck lists 5,000 slides; only the first 2,000 were imported."
    rendered = "Only the first 500 of 5,000 slides were rendered; the others show their titles."
    editor.show_deck(_deck_past_the_limits(imported, rendered))
    assert f"Thumbnails: {rendered}" in editor.info.text()
    assert imported in editor.info.text()


def test_deck_details_show_the_import_time_on_this_computers_clock(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Stored in UTC (20:00 on 4 December), shown as the computer's wall time: 07:00 the next day in
    Sydney (UTC+11 in summer)."""
    import time

    from msldesk.ui.library.deck_editor import DeckEditor

    monkeypatch.setenv("TZ", "Australia/Sydney")
    time.tzset()
    try:
        editor = DeckEditor()
        qtbot.addWidget(editor)
        editor.show_deck(_deck_past_the_limits("", ""))
        shown = editor.info.text()
    finally:
        monkeypatch.undo()
        time.tzset()
    assert "imported 2026-12-05 07:00" in shown, shown


def test_a_slide_past_the_render_limit_says_why_it_has_no_picture(qtbot) -> None:  # type: ignore[no-untyped-def]
    from msldesk.decks.records import SlideInfo
    from msldesk.ui.library.preview import SlidePreview

    preview = SlidePreview(context=None)  # type: ignore[arg-type]  # nothing is loaded for this slide
    qtbot.addWidget(preview)
    slide = SlideInfo(
        slide_id=501, deck_id=1, deck_title="Hostile", version=1, number=501, title="", text="",
        notes="", layout="", hidden=False, has_chart=False, has_table=False, has_picture=False,
        has_media=False, change="", status=DeckStatus.DRAFT, tags=(), thumbnail=None,
    )  # fmt: skip
    preview.show_slide(slide, _deck_past_the_limits("", "Only the first 500 slides were rendered."))
    assert "render limit" in preview.image.text()
