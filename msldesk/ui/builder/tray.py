"""DeckBuilder: the tray under the library where slides are gathered, ordered and exported as a deck."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from msldesk.boards.outputs.registry import DECK
from msldesk.core.changes import Changes
from msldesk.core.user_files import display_name
from msldesk.core.wording import plural
from msldesk.decks.records import CollectionReplacement, SlideInfo
from msldesk.decks.tray_file import read_tray, tray_text, write_tray
from msldesk.ui.actions import bind
from msldesk.ui.builder.tray_model import TrayModel
from msldesk.ui.builder.tray_undo import TrayChange
from msldesk.ui.context import AppContext
from msldesk.ui.exports import ExportJob, mark_export
from msldesk.ui.library.delegates import (
    MIN_THUMB_W,
    THUMB_W,
    SlideCardDelegate,
    card_size,
    thumb_size,
)
from msldesk.ui.library.slide_grid_model import SlideCard
from msldesk.ui.library.thumbnail_images import ThumbnailImages
from msldesk.ui.meeting.autosave import DraftAutosaver
from msldesk.ui.ops import DbOp, Work
from msldesk.ui.theme import palette, set_role
from msldesk.ui.widgets.confirm import confirm_destructive
from msldesk.ui.widgets.export_banner import ExportBanner
from msldesk.ui.widgets.file_dialogs import ask_save_path, safe_file_name
from msldesk.ui.widgets.required_text import ask_required_text

NO_COLLECTION = "Open a collection…"
TRAY_CHROME = 28  # the tray's frame, its scroll bar and the space around a card, in pixels


class TrayView(QListView):
    """The tray's one row of cards. It may be as short as a card at the grid's smallest zoom (a short
    window: a small screen, a scale factor of 2) and as tall as one at the usual size; the cards'
    thumbnails follow its height, so a card is never cut off."""

    def __init__(self, images: ThumbnailImages, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards = SlideCardDelegate(images, self)
        self.setItemDelegate(self.cards)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMinimumHeight(card_size(thumb_size(MIN_THUMB_W)).height() + TRAY_CHROME)
        self.setMaximumHeight(card_size(thumb_size(THUMB_W)).height() + TRAY_CHROME)
        self._fit()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.maximumHeight())

    def _fit(self) -> None:
        room = self.height() - TRAY_CHROME - card_size(QSize(0, 0)).height()  # the thumbnail's height
        self.cards.set_thumb_width(max(MIN_THUMB_W, min(THUMB_W, room * 16 // 9)))
        card = card_size(self.cards.thumb)
        self.setGridSize(QSize(card.width() + 4, card.height() + 4))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()


class DeckBuilder(QWidget):
    exported = Signal(object)  # AssemblyResult, once recorded
    status_message = Signal(str)

    def __init__(self, context: AppContext, images: ThumbnailImages, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.model = TrayModel(self)
        self.deck_title = ""  # the collection last opened, if any: the export's suggested name
        self.banner = ExportBanner()
        # The tray is written to the library folder on every change (coalesced, off the GUI
        # thread), and read back when a library opens, so a restart or a crash keeps it.
        self.tray_saver = DraftAutosaver(context, self._write_tray, self)
        self.tray_saver.failed.connect(
            lambda message: self.status_message.emit(f"The deck builder's tray is not saved yet: {message}")
        )
        self._tray_file: Path | None = None
        self._plan_generation = 0
        self.blocked: list[Any] = []

        self.view = TrayView(images)
        self.view.setMovement(QListView.Movement.Snap)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setModel(self.model)

        self.summary = QLabel("Drag slides here from the library, or select them and press Ctrl+B.")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.collection_note = QLabel()
        self.collection_note.setWordWrap(True)
        set_role(self.collection_note, "notice-warning")
        self.collection_note.hide()
        self.title = QLabel()
        self.bom_slide = QCheckBox("Bill of materials slide")
        self.bom_slide.setChecked(True)
        self.collections = QComboBox()
        self.collections.addItem(NO_COLLECTION)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected slides from the tray (Delete)")
        self.left_button = QPushButton("◀")
        self.left_button.setToolTip("Move the selected slide earlier (Ctrl+Left)")
        self.right_button = QPushButton("▶")
        self.right_button.setToolTip("Move the selected slide later (Ctrl+Right)")
        self.clear_button = QPushButton("Clear")
        self.save_button = QPushButton("Save as collection…")
        self.export_button = QPushButton(DECK.label)
        self.export_button.setToolTip("Build a .pptx from the tray (Ctrl+E)")
        mark_export(self.export_button, DECK)
        self.export_job = ExportJob(context, self.banner, self)

        self._lay_out()
        self._connect_signals()
        context.on_ready(self.reload_collections)
        context.on_ready(self.restore_tray)
        context.changed.connect(self._on_context_changed)
        self._on_model_changed()

    def _lay_out(self) -> None:
        """The tools over the summary, the export's banner and the tray itself."""
        for arrow in (self.left_button, self.right_button):
            arrow.setFixedWidth(32)
        # Tools in two rows, so that the library keeps a narrow minimum width (a small screen, or a
        # scale factor of 2): arranging and exporting above, collections below; the summary of the
        # tray has a line of its own (squeezed beside the tools it wrapped into a tall column).
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("<b>Deck builder</b>"))
        buttons.addStretch(1)
        for tool in (self.left_button, self.right_button, self.remove_button, self.clear_button):
            buttons.addWidget(tool)
        buttons.addWidget(self.export_button)
        details = QHBoxLayout()
        for widget in (self.collections, self.save_button, self.bom_slide):
            details.addWidget(widget)
        details.addStretch(1)
        self.collections.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.collections.setMinimumContentsLength(12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(buttons)
        layout.addLayout(details)
        layout.addWidget(self.collection_note)
        layout.addWidget(self.summary)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        layout.addStretch(0)  # a tall pane: room below the tray, not between its tools

    def _connect_signals(self) -> None:
        """The buttons, the collections, the export and the tray's own shortcuts."""
        self.remove_button.clicked.connect(self.remove_selected)
        self.left_button.clicked.connect(lambda: self.move_selected(-1))
        self.right_button.clicked.connect(lambda: self.move_selected(1))
        self.clear_button.clicked.connect(self.clear)
        self.save_button.clicked.connect(self.save_collection)
        self.export_button.clicked.connect(self.export)
        self.export_job.running_changed.connect(self._on_export_job_running_changed)
        self.export_job.written.connect(self._on_export_job_written)
        self.export_job.status_message.connect(self.status_message)
        self.collections.activated.connect(self._on_collections_activated)
        self.model.changed.connect(self._on_model_changed)
        self.model.slides_dropped.connect(self._on_model_slides_dropped)
        # Only while the tray has the focus: window-wide, Delete would clash with the deck list's
        # and Ctrl+Left/Right would take word-by-word moves from the search field.
        bind(self.view, "tray.remove", self.remove_selected)
        bind(self.view, "tray.earlier", lambda: self.move_selected(-1))
        bind(self.view, "tray.later", lambda: self.move_selected(1))

    # ---- adding and arranging -----------------------------------------------------------------

    def add_slides(self, slide_ids: list[int], row: int = -1) -> None:
        """Append (or insert at `row`) library slides; their details are read on the db lane."""
        if not slide_ids:
            return

        def done(slides: list[SlideInfo]) -> None:
            self._undoable(
                "Add slides to the deck builder",
                lambda: self.model.insert_cards(row, [_card(s) for s in slides]),
            )

        DbOp(self, lambda work: work.app.decks.slides_by_id(slide_ids)).success(done).run()

    def _on_model_slides_dropped(self, slide_ids: list[int], row: int) -> None:
        self.add_slides(slide_ids, row)

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.view.selectionModel().selectedIndexes()})

    def _undoable(self, text: str, change: Callable[[], object]) -> None:
        """Make a change the user asked for and put it on the undo stack (Edit › Undo, Ctrl+Z)."""
        before = self.model.cards()
        change()
        after = self.model.cards()
        if after != before:
            restored = partial(self._on_context_changed, Changes(slides=True))
            self.context.undo_stack.push(TrayChange(self.model, text, before, after, restored))

    def clear(self) -> None:
        self._undoable("Clear the deck builder", self.model.clear)

    def remove_selected(self) -> None:
        self._undoable(
            "Remove slides from the deck builder", lambda: self.model.remove_rows(self.selected_rows())
        )

    def move_selected(self, step: int) -> None:
        rows = self.selected_rows()
        if len(rows) != 1:
            return
        moved: list[bool] = []
        self._undoable(
            "Move a slide in the deck builder",
            lambda: moved.append(self.model.move_row(rows[0], rows[0] + step)),
        )
        if moved[0]:
            # Selected, not only current (setCurrentIndex() with Ctrl held does not select), so the
            # next Ctrl+Left/Right or Delete acts on the same slide.
            self.view.selectionModel().setCurrentIndex(
                self.model.index(rows[0] + step), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def _on_context_changed(self, changes: Changes) -> None:
        """Thumbnails rendered or metadata edited since the cards were added: refresh them. Slides
        no longer in the library (a removed deck) leave the tray, which says so."""
        if (
            not self.context.is_open
            or not self.model.rowCount()
            or not (changes.thumbnails or changes.metadata or changes.slides)
        ):
            return
        ids = self.model.slide_ids()

        def done(slides: list[SlideInfo]) -> None:
            found = {s.slide_id: _card(s) for s in slides}
            self.model.refresh_cards(found)
            gone = set(ids) - set(found)  # of the cards asked about: those added since are not known
            rows = [row for row, slide_id in enumerate(self.model.slide_ids()) if slide_id in gone]
            if rows:
                self.model.remove_rows(rows)  # announces the change: the summary and the saved tray follow
                self._say_left_out(len(rows))
            elif changes.metadata:
                self._on_model_changed()

        DbOp(self, lambda work: work.app.decks.slides_by_id(ids)).success(done).run()

    # ---- compliance summary -------------------------------------------------------------------

    def _on_model_changed(self) -> None:
        if self._tray_file is not None:
            self.tray_saver.text_changed(tray_text(self.model.slide_ids()), None)
        count = self.model.rowCount()
        self.export_button.setEnabled(count > 0 and not self.export_job.running)
        self.save_button.setEnabled(count > 0)
        if not count:
            self.summary.setText("Drag slides here from the library, or select them and press Ctrl+B.")
            self.blocked = []
            return
        if not self.context.is_open:
            return
        self._plan_generation += 1
        generation, ids = self._plan_generation, self.model.slide_ids()

        def done(plan: Any) -> None:
            if generation != self._plan_generation:
                return
            self.blocked = list(plan.blocked)
            self.model.update_statuses({i.slide_id: i.status for i in plan.items})
            companions = sum(1 for i in plan.items if i.companion_of is not None)
            parts = [plural(len(plan.items), "slide")]
            if companions:
                parts.append(f"{plural(companions, 'companion slide')} added")
            text = " · ".join(parts)
            red, amber = palette().error, palette().warning
            if self.blocked:
                text += (
                    f' · <span style="color:{red}"><b>{len(self.blocked)} expired or withdrawn</b></span>'
                    " (needs a reason to export)"
                )
            if plan.warnings:
                text += f' · <span style="color:{amber}">{html.escape(plan.warnings[0])}</span>'
                if len(plan.warnings) > 1:
                    text += f" (+{len(plan.warnings) - 1} more)"
            self.summary.setText(text)
            self.summary.setToolTip("\n".join(plan.warnings))

        DbOp(self, lambda work: work.app.assembly.plan(ids)).success(done).run()

    # ---- kept across restarts ------------------------------------------------------------------

    def _write_tray(self, text: str, _unused: int | None) -> None:
        """Worker: the tray as it was when the change was made (a snapshot, not the model)."""
        if self._tray_file is not None:
            write_tray(self._tray_file, text)

    def restore_tray(self) -> None:
        """A library opened: show the tray it had; slides removed from it meanwhile are left out."""
        app = self.context.app
        if app is None:
            return
        path, service = app.paths.tray, app.decks
        self._tray_file = None  # no saving until the saved tray is back (it would be overwritten)
        self.model.clear()

        def job(_work: Work) -> tuple[list[int], list[SlideInfo]]:
            saved = read_tray(path)
            return saved, service.slides_by_id(saved)

        def done(result: tuple[list[int], list[SlideInfo]]) -> None:
            saved, slides = result
            self.model.insert_cards(0, [_card(s) for s in slides])
            self._tray_file = path
            self.tray_saver.mark_stored(tray_text(saved))
            self._on_model_changed()  # saves the tray without the missing slides, if any
            missing = len(saved) - len(slides)
            if missing:
                self._say_left_out(missing)

        def failed(error: BaseException, details: str) -> bool:
            from msldesk.ui.errors import report_error

            self._tray_file = path  # start afresh: the next change writes a good file
            report_error(error, details, self)
            return True

        DbOp(self, job).success(done).failure(failed).run()

    def _say_left_out(self, missing: int) -> None:
        note = (
            f"{missing} slide{'s' if missing != 1 else ''} of the deck builder "
            f"{'are' if missing != 1 else 'is'} no longer in the library: left out of the tray."
        )
        self.banner.stopped(note)  # stays until closed: a status-bar message is easily missed
        self.status_message.emit(note)

    def save_tray_now(self) -> bool:
        """Closing: write the newest tray now. True while a write is on its way."""
        self.tray_saver.flush()
        return self.tray_saver.pending

    # ---- collections --------------------------------------------------------------------------

    def reload_collections(self) -> None:
        def done(collections: list[Any]) -> None:
            self.collections.clear()
            self.collections.addItem(NO_COLLECTION)
            for collection in collections:
                self.collections.addItem(f"{collection.name} ({len(collection.slide_ids)})", collection.name)

        DbOp(self, lambda work: work.app.assembly.collections()).success(done).run()

    def ask_collection_name(self) -> str | None:
        return ask_required_text(self, "Save collection", "Name of the collection:")

    def ask_replace_collection(self, plan: CollectionReplacement) -> bool:
        """Saving under the name of a collection that holds other slides replaces them: asked first,
        naming the event agendas that link it (they would show the tray's slides)."""
        events = len(plan.in_use)
        linked = f" (linked by {plural(events, 'event agenda')})" if events else ""
        details = html.escape(plan.change())
        if events:
            rows = "".join(f"<li>{html.escape(use.linked())}</li>" for use in plan.in_use[:8])
            if events > 8:
                rows += f"<li>and {plural(events - 8, 'more event')}</li>"
            details += (
                f"<br><br><b>On the agenda of:</b><ul>{rows}</ul>Those agenda items show the new slides "
                "and keep a note saying so; briefing decks built from now on have them."
            )
        return confirm_destructive(
            self,
            "Replace collection",
            f"Replace the collection “{html.escape(plan.name)}”{linked}?",
            details + "<br><br>To keep it as it is, cancel and save the tray under another name.",
            "Replace",
            warning=bool(events),
        )

    def save_collection(self) -> None:
        """Deck builder › Save as collection…: a new name is saved at once; the name of a collection
        holding other slides asks first (read on the db lane), and Cancel changes nothing."""
        name = self.ask_collection_name()
        if name is None:
            return
        ids = self.model.slide_ids()

        def planned(plan: CollectionReplacement | None) -> None:
            replace = plan is not None and not plan.unchanged

            def save(work: Work) -> Changes:
                changes = work.app.assembly.save_collection(name, ids, replace=replace)
                # The tray reloads the collections itself; only agendas linking it (a note) are news.
                return Changes(events=changes.events)

            if plan is not None and replace and not self.ask_replace_collection(plan):
                self.status_message.emit(f"Nothing was saved: the collection “{name}” is as it was")
                return
            DbOp(self, save).success(done).run()

        def done(_changes: Changes) -> None:
            self.status_message.emit(f"Saved the collection “{name}”")
            self.collection_note.hide()  # saving again clears the collection's note
            self.reload_collections()

        DbOp(self, lambda work: work.app.assembly.replacement_plan(name, ids)).success(planned).run()

    def show_collection_note(self, name: str, note: str) -> None:
        """What happened to the collection since it was saved (slides of a removed deck), shown
        without blocking; it stays until the collection is saved again."""
        self.collection_note.setText(f"<b>Collection “{html.escape(name)}”:</b> {html.escape(note)}")
        self.collection_note.setToolTip(note)
        self.collection_note.show()

    def _on_collections_activated(self, index: int) -> None:
        name = self.collections.itemData(index)
        if name:
            self.open_collection(str(name))
        self.collections.setCurrentIndex(0)

    def open_collection(self, name: str) -> None:
        def job(work: Work) -> tuple[list[SlideInfo], str]:
            collection = work.app.assembly.collection(name)
            return work.app.decks.slides_by_id(list(collection.slide_ids)), collection.note

        def done(result: tuple[list[SlideInfo], str]) -> None:
            slides, note = result
            self.collection_note.hide()
            self._undoable(
                f"Open the collection “{name}”", lambda: self.model.set_cards([_card(s) for s in slides])
            )
            self.deck_title = name
            self.status_message.emit(f"Opened the collection “{name}”")
            if note:
                self.show_collection_note(name, note)

        DbOp(self, job).success(done).run()

    # ---- export -------------------------------------------------------------------------------

    def suggested_file_name(self) -> str:
        """The collection's name (or "Briefing") and today's date: "Oncology update - 2026-12-04.pptx"."""
        today = dt.date.today().isoformat()
        return safe_file_name(self.deck_title or "Briefing", today, suffix=".pptx")

    def ask_output_path(self) -> Path | None:
        return ask_save_path(
            self,
            self.context.settings,
            "deck_exports",
            "Export deck",
            self.suggested_file_name(),
            "PowerPoint deck (*.pptx)",
            (".pptx",),
        )

    def ask_override_reason(self, description: str) -> str | None:
        return ask_required_text(
            self,
            "Expired or withdrawn slide",
            f"{description}\n\nWhy must it be used anyway? (recorded in the bill of materials)",
            "e.g. Requested by the chair for historical context",
        )

    def export(self) -> None:
        """Ask where and, for each expired or withdrawn slide, why it is used anyway; then the deck
        is planned (db lane), built (export lane, with progress and Cancel) and recorded (db lane)."""
        if not self.context.is_open or not self.model.rowCount() or self.export_job.running:
            return
        out = self.ask_output_path()
        if out is None:
            return
        overrides: dict[int, str] = {}
        for item in self.blocked:
            reason = self.ask_override_reason(
                f"“{item.display_title}” from {item.deck_title} is {item.status.label.lower()}."
            )
            if reason is None:
                self.status_message.emit("Export cancelled: an expired or withdrawn slide has no reason.")
                return
            overrides[item.slide_id] = reason
        from msldesk.decks.assembly import DeckRequest

        title = display_name(out.stem).replace("-", " ").replace("_", " ")
        request = DeckRequest(tuple(self.model.slide_ids()), title, overrides, self.bom_slide.isChecked())
        self.export_job.start(DECK, request, lambda _snapshot: out)

    def _on_export_job_running_changed(self, running: bool) -> None:
        self.export_button.setEnabled(not running and self.model.rowCount() > 0)

    def _on_export_job_written(self, _name: str, result: Any) -> None:
        self.exported.emit(result)


def _card(slide: SlideInfo) -> SlideCard:
    return SlideCard.from_slide(slide)
