"""LibraryView: decks on the left, the slide grid with search in the middle, preview and details right."""

from __future__ import annotations

import html
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QUndoCommand
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QSlider,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from msldesk.app.history import Subject
from msldesk.core.changes import Changes
from msldesk.core.wording import plural
from msldesk.decks.records import (
    DeckInfo,
    DeckRemoval,
    DeckRemovalPlan,
    DeckStatus,
    DeckUpdate,
    SearchFilters,
    SearchHit,
    SlideInfo,
)
from msldesk.ui.actions import pressed
from msldesk.ui.builder.tray import DeckBuilder
from msldesk.ui.context import AppContext
from msldesk.ui.library.deck_editor import DeckEditor
from msldesk.ui.library.deck_list_model import DeckListModel, DeckRole
from msldesk.ui.library.delegates import MAX_THUMB_W, MIN_THUMB_W, DeckRowDelegate, thumb_size
from msldesk.ui.library.grid import ZOOM_STEP, SlideGrid
from msldesk.ui.library.preview import SlidePreview
from msldesk.ui.library.slide_grid_model import CardRole, SlideGridModel
from msldesk.ui.library.thumbnail_images import ThumbnailImages
from msldesk.ui.ops import DbOp, Work
from msldesk.ui.protect.history import HistoryDialog, open_history
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.confirm import confirm_destructive
from msldesk.ui.widgets.geometry import VerticalScroll

if TYPE_CHECKING:
    from msldesk.app.light_reader import FirstSlides

SEARCH_DELAY_MS = 120
HIDDEN_COUNT_LIMIT = 1000
INCLUDE_EXPIRED_LINK = "include-expired"
ANY = "(any)"


def removal_details(plan: DeckRemovalPlan, most: int = 8) -> str:
    """The removal question's details (rich text): the deck, then the event agendas and saved
    collections its slides leave, by name, and what is kept."""
    deck = plan.deck
    parts = [f"{html.escape(deck.file_name)} · version {deck.version} · {plural(deck.slide_count, 'slide')}"]
    if plan.in_use:
        rows = "".join(f"<li>{html.escape(use.describe())}</li>" for use in plan.in_use[:most])
        more = len(plan.in_use) - most
        if more > 0:
            rows += f"<li>and {plural(more, 'more event')}</li>"
        parts.append(
            f"<b>Its slides are on the agenda of {plural(len(plan.in_use), 'event')}:</b><ul>{rows}</ul>"
            "Those agenda items lose the slides and keep a note saying so."
        )
    if plan.collections:
        names = ", ".join(f"“{html.escape(name)}”" for name in plan.collections)
        parts.append(
            f"Its slides leave {plural(len(plan.collections), 'saved collection')} ({names}), "
            "which keep a note of it."
        )
    parts.append(
        "Its slides leave search; its thumbnails and stored file are deleted. Decks already built keep "
        "their bill of materials, and the audit trail keeps a record of the removal."
    )
    return "<br><br>".join(parts)


class _UpdateDeckCommand(QUndoCommand):
    """Undoable metadata edit: redo applies the new values, undo the old ones."""

    def __init__(self, view: LibraryView, deck_id: int, new: DeckUpdate, old: DeckUpdate) -> None:
        super().__init__(f"Edit deck {new.title or deck_id}")
        self.view, self.deck_id, self.new, self.old = view, deck_id, new, old

    def redo(self) -> None:
        self.view.apply_deck_update(self.deck_id, self.new)

    def undo(self) -> None:
        self.view.apply_deck_update(self.deck_id, self.old)


class LibraryView(QWidget):
    slide_selected = Signal(object)  # SlideInfo | None
    status_message = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        # Images are kept at the largest zoom and scaled down while painting smaller cards.
        self.images = ThumbnailImages(context, thumb_size(MAX_THUMB_W), self)
        self.deck_model = DeckListModel(self)
        self.grid_model = SlideGridModel(context, lambda: context.decks, self)
        self._decks_by_id: dict[int, DeckInfo] = {}
        self._search_generation = 0
        self._selected_deck: int | None = None
        self.history_dialog: HistoryDialog | None = None

        self._build_filters()
        self._build_deck_list_and_grid()
        self._lay_out()
        self._connect_signals()
        self.setEnabled(False)
        self.result_label.setText("Opening the library…")
        self._follow(context)

    def _build_filters(self) -> None:
        """The search box, the filters, the result count and the banner."""
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search slides: titles, text, notes, decks, tags…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.tag_filter = QComboBox()
        self.tag_filter.setToolTip("Only slides with this tag (on the slide or its deck)")
        self.area_filter = QComboBox()
        self.area_filter.setToolTip("Only decks of this therapeutic area")
        self.status_filter = QComboBox()
        self.status_filter.setToolTip("Only decks with this status")
        self.status_filter.addItem(ANY, None)
        for status in DeckStatus:
            self.status_filter.addItem(status.label, status.value)
        self.include_expired = QCheckBox("Include expired && withdrawn")
        self.include_expired.setToolTip("In search results (browsing shows every slide, each marked)")
        # Narrow minimum widths, so that the library fits a small screen or a scale factor of 2.
        for combo in (self.tag_filter, self.area_filter, self.status_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(3)
        self.search.setMinimumWidth(120)
        self.result_label = QLabel()
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.setWordWrap(True)  # the empty-search offer must not widen the window
        self.result_label.linkActivated.connect(self._on_result_label_link_activated)
        self._hidden_hits = 0  # matches in expired or withdrawn decks when a search found nothing
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        set_role(self.banner, "notice-warning")
        self.banner.hide()

    def _build_deck_list_and_grid(self) -> None:
        """The deck list, the slide grid and its zoom slider."""
        self.deck_list = QListView()
        self.deck_list.setModel(self.deck_model)
        self.deck_list.setItemDelegate(DeckRowDelegate(self.deck_list))
        self.deck_list.setUniformItemSizes(True)
        self.deck_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.grid = SlideGrid(self.grid_model, self.images)
        self.card_delegate = self.grid.cards
        self.zoom = QSlider(Qt.Orientation.Horizontal)
        self.zoom.setRange(MIN_THUMB_W, MAX_THUMB_W)
        self.zoom.setSingleStep(ZOOM_STEP)
        self.zoom.setPageStep(ZOOM_STEP * 2)
        self.zoom.setValue(self.grid.thumb_width)
        self.zoom.setMinimumWidth(80)
        self.zoom.setMaximumWidth(160)
        self.zoom.setToolTip("Thumbnail size (Ctrl+mouse wheel over the slides)")
        self.zoom.valueChanged.connect(self.grid.set_thumb_width)
        self.grid.zoomed.connect(self.zoom.setValue)

    def _lay_out(self) -> None:
        """Three columns: the deck list; filters over the grid and the deck builder; the details."""
        self.preview = SlidePreview(self.context)
        self.editor = DeckEditor()
        side = QTabWidget()
        side.addTab(self.preview, "Slide")
        side.addTab(self.editor, "Deck details")
        self.side_tabs = side

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(QLabel("Tag"))
        filters.addWidget(self.tag_filter, 1)
        filters.addWidget(QLabel("Area"))
        filters.addWidget(self.area_filter, 1)
        filters.addWidget(QLabel("Status"))
        filters.addWidget(self.status_filter, 1)  # room to read "Expiring soon" when there is room
        # The check box sits on the count's line: one filter row fits a small screen (or scale 2).
        counts = QHBoxLayout()
        counts.addWidget(self.result_label, 1)
        counts.addWidget(self.include_expired)
        counts.addWidget(QLabel("Size"))
        counts.addWidget(self.zoom)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addLayout(filters)
        middle_layout.addWidget(self.banner)
        middle_layout.addLayout(counts)
        self.builder = DeckBuilder(self.context, self.images)
        self.tray_splitter = self._split_slides_and_tray()
        middle_layout.addWidget(self.tray_splitter, 1)
        self.builder.status_message.connect(self.status_message)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.deck_list)
        splitter.addWidget(middle)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([260, 760, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        self.splitter = splitter

    def _connect_signals(self) -> None:
        """Typing searches after a short pause, a filter at once; a selection shows its slide or deck."""
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_timer_timeout)
        self.search.installEventFilter(self)  # Down goes on to the slides found
        self.tag_filter.activated.connect(self._on_filter_changed)
        self.area_filter.activated.connect(self._on_filter_changed)
        self.status_filter.activated.connect(self._on_filter_changed)
        self.include_expired.toggled.connect(self._on_filter_changed)
        self.deck_list.selectionModel().currentChanged.connect(self._on_deck_list_current_changed)
        self.grid.selectionModel().currentChanged.connect(self._on_grid_current_changed)
        self.grid_model.loaded.connect(self._on_grid_model_loaded)
        self.images.ready.connect(self._on_images_ready)
        self.editor.save_requested.connect(self._on_editor_save_requested)
        self.editor.history_requested.connect(self.show_deck_history)
        self.preview.tags_edited.connect(self._on_preview_tags_edited)
        self.preview.companions_edited.connect(self._on_preview_companions_edited)

    def _split_slides_and_tray(self) -> QSplitter:
        """The grid and the deck builder share the height as the user drags; a short window (a small
        screen, a scale factor of 2) shrinks the tray's cards, and then scrolls the deck builder (an
        export's banner makes it taller), before it takes the grid's last row."""
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.grid)
        splitter.addWidget(VerticalScroll(self.builder))
        splitter.setStretchFactor(0, 1)
        splitter.setChildrenCollapsible(False)
        self._builder_height = self.builder.sizeHint().height()
        self.builder.installEventFilter(self)  # its banner and notes come and go
        return splitter

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.builder and event.type() == QEvent.Type.LayoutRequest:
            self._follow_builder_height()
        elif (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and pressed(event, "library.to_results")
            and self.grid_model.rowCount()
        ):
            self.grid.setFocus()  # from the search field to what it found, as in a mail search
            current = self.grid.currentIndex()
            index = current if current.isValid() else self.grid_model.index(0)
            flag = QItemSelectionModel.SelectionFlag.ClearAndSelect  # selected: Ctrl+B takes it
            self.grid.selectionModel().setCurrentIndex(index, flag)
            return True
        return super().eventFilter(watched, event)

    def _follow_builder_height(self) -> None:
        """A banner or note shown in the deck builder takes its height from the grid, as far as the
        grid keeps a row of cards, and gives it back when it closes; the user's own split stays."""
        wanted = self.builder.sizeHint().height()
        grown, self._builder_height = wanted - self._builder_height, wanted
        grid, tray = self.tray_splitter.sizes()
        if grown and grid + tray:
            step = min(grown, max(0, grid - self.grid.minimumHeight()))
            self.tray_splitter.setSizes([grid - step, tray + step])

    # ---- state from the service ---------------------------------------------------------------

    def _follow(self, context: AppContext) -> None:
        """Follow the library's opening and its changes. Built once the window is up, or on first use,
        the view may find the library open, or its first slides read, already."""
        context.first_slides.connect(self._on_context_first_slides)
        context.ready.connect(self._on_context_ready)
        context.changed.connect(self._on_context_changed)
        if context.is_open:
            self._on_context_ready()
            self._on_context_changed(Changes(decks=True, slides=True))
        elif context.first_page is not None:
            self._on_context_first_slides(context.first_page)

    def _on_context_first_slides(self, first: FirstSlides) -> None:
        """Slides on screen while the library is still opening (the view stays disabled till ready)."""
        self.deck_model.set_total(first.total)
        self.grid_model.show_first_page(first.total, first.slides or [])

    def _on_context_ready(self) -> None:
        self.setEnabled(True)
        if not self.context.decks.can_render_thumbnails:
            from msldesk.decks.thumbnails import INSTALL_HINT

            self.banner.setText(f"<b>No slide thumbnails:</b> LibreOffice was not found. {INSTALL_HINT}")
            self.banner.show()
            self.card_delegate.placeholder_hint = "Install LibreOffice for thumbnails"

    def _on_context_changed(self, changes: Changes) -> None:
        if not self.context.is_open:
            return
        if changes.decks or changes.metadata or changes.slides:
            self.reload_decks()
        if changes.slides or changes.metadata:
            self.refresh_slides()
        elif changes.thumbnails:
            self.images.forget()
            self._refresh_thumbnails()

    def reload_decks(self) -> None:
        def job(work: Work) -> tuple[list[DeckInfo], list[str], list[str]]:
            service = work.app.decks
            return service.list_decks(), service.all_tags(), service.therapeutic_areas()

        DbOp(self, job).success(self._on_decks_loaded).run()

    def _on_decks_loaded(self, result: tuple[list[DeckInfo], list[str], list[str]]) -> None:
        decks, tags, areas = result
        self._decks_by_id = {d.deck_id: d for d in decks}
        self.deck_model.set_decks(decks)
        row = self.deck_model.row_of(self._selected_deck)
        if row < 0:
            self._selected_deck, row = None, 0
        self.deck_list.selectionModel().setCurrentIndex(
            self.deck_model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.editor.show_deck(self._decks_by_id.get(self._selected_deck or -1))
        self._fill_combo(self.tag_filter, tags)
        self._fill_combo(self.area_filter, areas)

    @staticmethod
    def _fill_combo(combo: QComboBox, values: list[str]) -> None:
        current = combo.currentText()
        combo.clear()
        combo.addItems([ANY, *values])
        index = combo.findText(current)
        combo.setCurrentIndex(max(index, 0))

    def refresh_slides(self) -> None:
        if self.search.text().strip():
            self._run_search()
        else:
            self.browse()

    def _refresh_thumbnails(self) -> None:
        """Pick up thumbnails rendered since the cards were loaded, without resetting the grid."""
        if not self.search.text().strip():
            loaded = self.grid_model.rowCount()
            if loaded and any(self.grid_model.card(r).thumbnail is None for r in range(loaded)):  # type: ignore[union-attr]
                ids = [self.grid_model.card(r).slide_id for r in range(loaded)]  # type: ignore[union-attr]
                DbOp(self, lambda work: work.app.decks.slides_by_id(ids)).success(
                    self._on_thumbnail_paths_loaded
                ).run()
        self.grid.viewport().update()

    def _on_thumbnail_paths_loaded(self, slides: list[SlideInfo]) -> None:
        self.grid_model.update_thumbnails({s.slide_id: s.thumbnail for s in slides})

    # ---- deck list ----------------------------------------------------------------------------

    def _on_deck_list_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        deck: DeckInfo | None = current.data(DeckRole) if current.isValid() else None
        deck_id = deck.deck_id if deck else None
        self.editor.show_deck(deck)
        if deck_id == self._selected_deck and self.grid_model.rowCount():
            return
        self._selected_deck = deck_id
        if not self.search.text().strip():
            self.browse()
        else:
            self._run_search()

    def selected_deck(self) -> DeckInfo | None:
        index = self.deck_list.currentIndex()
        return index.data(DeckRole) if index.isValid() else None

    def ask_confirm_remove(self, plan: DeckRemovalPlan) -> bool:
        deck = plan.deck
        return confirm_destructive(
            self,
            "Remove deck",
            f"Remove “{html.escape(deck.title)}” from the library?",
            removal_details(plan),
            "Remove",
            warning=bool(plan.in_use),
        )

    def remove_selected_deck(self) -> None:
        """Deck › Remove from library… (Delete in the deck list): finds on the db lane what the removal
        would take from agendas and collections, asks naming them, then removes on the db lane."""
        deck = self.selected_deck()
        if deck is None:
            self.status_message.emit("Select a deck in the deck list to remove it")
            return

        def planned(plan: DeckRemovalPlan) -> None:
            if not self.ask_confirm_remove(plan):
                self.status_message.emit("Nothing was removed")
                return
            DbOp(self, lambda work: work.app.decks.remove_deck(deck.deck_id)).success(done).run()

        def done(removal: DeckRemoval) -> None:
            left = [plural(len(removal.collections), "collection")] if removal.collections else []
            if removal.in_use:
                left.append(f"the agendas of {plural(len(removal.in_use), 'event')}")
            moved = f"; its slides left {' and '.join(left)}" if left else ""
            self.status_message.emit(f"Removed “{removal.title}” from the library{moved}")

        DbOp(self, lambda work: work.app.decks.removal_plan(deck.deck_id)).success(planned).run()

    def select_deck(self, deck_id: int | None) -> None:
        row = self.deck_model.row_of(deck_id)
        if row >= 0:
            self.deck_list.setCurrentIndex(self.deck_model.index(row))

    # ---- search -------------------------------------------------------------------------------

    def _on_search_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_filter_changed(self, *_args: Any) -> None:
        self._run_search() if self.search.text().strip() else self.browse()

    def _on_search_timer_timeout(self) -> None:
        self._search_timer.stop()
        if self.search.text().strip():
            self._run_search()
        else:
            self.browse()

    def browse(self) -> None:
        """No search text: the deck's (or the library's) slides, with the Tag, Area and Status filters
        applied as a search applies them. Browsing shows expired and withdrawn slides, each marked."""
        narrow = self.filters()
        narrowed = narrow.tag or narrow.therapeutic_area or narrow.status is not None
        self.grid_model.browse(self._selected_deck, narrow if narrowed else None)

    def filters(self) -> SearchFilters:
        tag = self.tag_filter.currentText()
        area = self.area_filter.currentText()
        return SearchFilters(
            include_expired=self.include_expired.isChecked(),
            tag="" if tag in ("", ANY) else tag,
            therapeutic_area="" if area in ("", ANY) else area,
            status=DeckStatus(status) if (status := self.status_filter.currentData()) else None,
            deck_id=self._selected_deck,
        )

    def _run_search(self) -> None:
        if not self.context.is_open:
            return
        self._search_generation += 1
        generation, query, filters = self._search_generation, self.search.text(), self.filters()

        def job(work: Work) -> tuple[list[SearchHit], int]:
            service = work.app.decks
            hits = service.search(query, filters, limit=200)
            hidden = 0
            if not hits and not filters.include_expired and filters.status is None:
                # Nothing current: say whether expired or withdrawn decks have it (they were left out).
                hidden = len(
                    service.search(query, replace(filters, include_expired=True), limit=HIDDEN_COUNT_LIMIT)
                )
            return hits, hidden

        def done(result: tuple[list[SearchHit], int]) -> None:
            if generation == self._search_generation:  # drop answers to older keystrokes
                self._hidden_hits = result[1]
                self.grid_model.show_results(result[0])

        DbOp(self, job).success(done).run()

    # ---- grid and preview ---------------------------------------------------------------------

    def _on_grid_model_loaded(self) -> None:
        if self.context.is_open:  # a running render takes these decks next
            self.context.decks.render_first(self.grid_model.deck_ids())
        shown, total = self.grid_model.rowCount(), self.grid_model.total
        searching = bool(self.search.text().strip())
        self.grid.set_snippets(searching)
        if searching:
            scope = "" if self._selected_deck is None else " in this deck"
            if shown:
                hidden = "" if self.include_expired.isChecked() else " (expired and withdrawn left out)"
                self.result_label.setText(f"{plural(shown, 'matching slide')}{scope}{hidden}")
            else:
                text = f"No slides match “{html.escape(self.search.text().strip())}”{scope}."
                if self._hidden_hits:
                    many = "More than " if self._hidden_hits >= HIDDEN_COUNT_LIMIT else ""
                    text += (
                        f" {many}{plural(self._hidden_hits, 'match', 'matches')} in expired or withdrawn "
                        f'decks: <a href="{INCLUDE_EXPIRED_LINK}">include them</a>'
                    )
                self.result_label.setText(text)
        else:
            self.result_label.setText(plural(total, "slide"))
        # The preview shows a slide the grid shows, or none (not one from an earlier search).
        shown_slide = self.preview.slide
        if shown_slide is not None and self.grid_model.row_of(shown_slide.slide_id) < 0:
            self.preview.show_slide(None, None)

    def _on_result_label_link_activated(self, link: str) -> None:
        if link == INCLUDE_EXPIRED_LINK:
            self.include_expired.setChecked(True)  # searches again, expired and withdrawn included

    def _on_images_ready(self, path: str) -> None:
        for row in self.grid_model.rows_with_thumbnail(path):
            index = self.grid_model.index(row)
            self.grid_model.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def _on_grid_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        card = current.data(CardRole) if current.isValid() else None
        if card is None:
            self.preview.show_slide(None, None)
            return
        slide_id = card.slide_id

        def done(slide: SlideInfo) -> None:
            still = self.grid.currentIndex().data(CardRole)
            if still is not None and still.slide_id == slide.slide_id:
                deck = self._decks_by_id.get(slide.deck_id)
                self.preview.show_slide(slide, deck)
                self._load_companions(slide)
                if self._selected_deck is None:
                    self.editor.show_deck(deck)  # browsing all slides: edit the slide's deck
                self.slide_selected.emit(slide)

        DbOp(self, lambda work: work.app.decks.slide(slide_id)).success(done).run()

    def selected_slide_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.grid.selectionModel().selectedIndexes())
        return [c.slide_id for r in rows if (c := self.grid_model.card(r)) is not None]

    # ---- edits --------------------------------------------------------------------------------

    def show_deck_history(self, deck_id: int, title: str) -> HistoryDialog | None:
        """The deck's audit trail (approval code and dates), without blocking."""
        subject = Subject("deck", deck_id, f"Deck: {title}")
        self.history_dialog = open_history(self.context, subject, self.window())
        return self.history_dialog

    def _on_editor_save_requested(self, deck_id: int, new: DeckUpdate, old: DeckUpdate) -> None:
        self.context.undo_stack.push(_UpdateDeckCommand(self, deck_id, new, old))

    def apply_deck_update(self, deck_id: int, update: DeckUpdate) -> None:
        DbOp(self, lambda work: work.app.decks.update_deck(deck_id, update)).success(
            lambda _changes: self.status_message.emit("Deck details saved")
        ).run()

    def _load_companions(self, slide: SlideInfo) -> None:
        def done(companions: dict[int, list[int]]) -> None:
            if self.preview.slide is not None and self.preview.slide.slide_id == slide.slide_id:
                self.preview.show_companions(companions.get(slide.number, []))

        DbOp(self, lambda work: work.app.assembly.companions(slide.deck_id)).success(done).run()

    def _on_preview_companions_edited(self, deck_id: int, number: int, companions: list[int]) -> None:
        def done(_changes: Changes) -> None:
            followers = ", ".join(map(str, companions)) or "no slides"
            self.status_message.emit(f"Slide {number} is now always followed by {followers}")

        DbOp(self, lambda work: work.app.assembly.set_companions(deck_id, number, companions)).success(
            done
        ).run()

    def _on_preview_tags_edited(self, slide_id: int, tags: list[str]) -> None:
        DbOp(self, lambda work: work.app.decks.set_slide_tags(slide_id, tags)).run()

    def add_selection_to_builder(self) -> None:
        self.builder.add_slides(self.selected_slide_ids())

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def clear_search(self) -> None:
        self.search.clear()
