"""ReviewPanel: the "Notes & review" tab: a meeting's entries grouped by theme or agenda item, with key
insights, merges, the review of flagged entries, the theme taxonomy, the executive summary (saved as it
is typed) and finalization; every read and write runs on the db lane."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from msldesk.boards.records import EntryFields, EntryKind, NoteEntry, merge_differences
from msldesk.core.changes import Changes
from msldesk.core.clock import short_date
from msldesk.core.wording import plural
from msldesk.ui.actions import bind
from msldesk.ui.boards.bundle import EventBundle
from msldesk.ui.boards.notes_entry_dialog import AmendmentDialog, EntryDialog
from msldesk.ui.boards.notes_lists import ThemesDialog
from msldesk.ui.boards.notes_terms import RestrictedTermsDialog
from msldesk.ui.boards.review_confirm import confirm_finalize, confirm_merge
from msldesk.ui.boards.review_model import (
    BY_AGENDA,
    BY_THEME,
    GroupTitleRole,
    NotesTreeModel,
    ReviewData,
    entry_html,
    group_entries,
    load_review,
    local_time,
)
from msldesk.ui.boards.review_summary import ExecutiveSummaryEditor
from msldesk.ui.boards.review_tree import NotesTree
from msldesk.ui.boards.writer import BoardsWriter
from msldesk.ui.context import AppContext
from msldesk.ui.ops import DbOp
from msldesk.ui.theme import set_role
from msldesk.ui.widgets.flow_layout import FlowLayout
from msldesk.ui.widgets.menu_button import make_menu_button

RELOAD_DELAY_MS = 30  # several changes in a row cause one reload
ALL_KINDS = ""


class ReviewPanel(QWidget):
    status_message = Signal(str)
    loaded = Signal(int)  # event id whose notes are on screen (tests wait for it)

    def __init__(self, context: AppContext, writer: BoardsWriter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.writer = writer
        self.event_id: int | None = None
        self.data: ReviewData | None = None
        self.speakers: list[tuple[str, int]] = []
        self._generation = 0
        self._select_after_load: list[int] = []

        self._build_filters()
        self._build_entries()

        # -- the executive summary -----------------------------------------------------------------
        self.summary_editor = ExecutiveSummaryEditor(writer, self._meetings)
        self.summary = self.summary_editor.text  # the summary's parts, as the tests reach them
        self.summary_state = self.summary_editor.state
        self._summary_timer = self.summary_editor.timer
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)

        self._lay_out()
        self._connect_signals()
        context.changed.connect(self._on_context_changed)
        self._show_state()

    def _build_filters(self) -> None:
        """What is shown: grouping, kind, the review filter; the finalize button."""
        self.group_buttons = QButtonGroup(self)
        self.by_theme = QToolButton()
        self.by_theme.setText("By theme")
        self.by_agenda = QToolButton()
        self.by_agenda.setText("By agenda item")
        for button, key in ((self.by_theme, BY_THEME), (self.by_agenda, BY_AGENDA)):
            button.setCheckable(True)
            button.setProperty("grouping", key)
            self.group_buttons.addButton(button)
        self.by_theme.setChecked(True)
        self.kind = QComboBox()
        self.kind.addItem("All kinds", ALL_KINDS)
        for kind in EntryKind:
            self.kind.addItem(f"{kind.label}s", kind.value)
        self.kind.setToolTip("Show one kind of entry only")
        self.review_banner = QFrame()
        self.review_banner.setObjectName("reviewBanner")  # the theme's look of an error banner
        self.review_count = QLabel()
        set_role(self.review_count, "alert")
        self.review_only = QToolButton()
        self.review_only.setText("Show only these")
        self.review_only.setCheckable(True)
        self.review_only.setToolTip("Show only the flagged entries that still need review")
        banner = QHBoxLayout(self.review_banner)
        banner.setContentsMargins(8, 2, 4, 2)
        banner.addWidget(self.review_count)
        banner.addWidget(self.review_only)
        self.finalized_label = QLabel()
        set_role(self.finalized_label, "done")
        self.finalize_button = QPushButton("Finalize notes…")
        self.finalize_button.setToolTip(
            "Make the notes read-only; later corrections are kept as amendments beside the original"
        )

    def _build_entries(self) -> None:
        """The entries, the selected entry in full, and the buttons that act on the selection."""
        self.model = NotesTreeModel(self)
        self.tree = NotesTree(self.model)
        self.empty_hint = QLabel()
        self.empty_hint.setWordWrap(True)
        set_role(self.empty_hint, "faint")
        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.details.setPlaceholderText("Select an entry to read it in full.")  # one line: it does not wrap

        self.key_button = QPushButton("★ Key insight")
        self.key_button.setToolTip("Mark or unmark the selected entries as key insights (Space)")
        self.merge_button = QPushButton("Merge…")
        self.merge_button.setToolTip(
            "Merge the selected duplicates into the first of them (Ctrl+Shift+M); nothing typed is lost"
        )
        self.accept_button = QPushButton("Acceptable")
        self.accept_button.setToolTip("The flagged wording is acceptable: clear the flag")
        self.keep_button = QPushButton("Keep flagged")
        self.keep_button.setToolTip("Keep the flag: the entry is left out of the commercial summary")
        self.edit_button = QPushButton("Edit…")
        self.themes_button = QPushButton("Themes…")
        self.themes_button.setToolTip("Edit this meeting's themes and their order")
        self.terms_button = QPushButton("Restricted terms…")
        self.terms_button.setToolTip("The words and phrases that flag an entry for review (all meetings)")
        self.share_button = QToolButton()
        self.share_button.setText("Share…")
        self.share_button.setToolTip("Summary PDF, readout deck and insight exports")
        make_menu_button(self.share_button)

    def _lay_out(self) -> None:
        """Filters on top; the entries with their buttons over the selected entry and the summary."""
        # Rows that wrap when the window is narrow (a small screen, a scale factor of 2) instead
        # of making the whole window wider than the screen.
        top = FlowLayout()
        grouping_box = QWidget()
        grouping = QHBoxLayout(grouping_box)
        grouping.setContentsMargins(0, 0, 0, 0)
        grouping.setSpacing(0)
        grouping.addWidget(self.by_theme)
        grouping.addWidget(self.by_agenda)
        for widget in (
            grouping_box,
            self.kind,
            self.review_banner,
            self.finalized_label,
            self.finalize_button,
        ):
            top.addWidget(widget)
        actions = FlowLayout()
        for tool in (
            self.key_button,
            self.merge_button,
            self.edit_button,
            self.accept_button,
            self.keep_button,
            self.themes_button,
            self.terms_button,
            self.share_button,
        ):
            actions.addWidget(tool)
        entries = QWidget()
        entries_layout = QVBoxLayout(entries)
        entries_layout.setContentsMargins(0, 0, 0, 0)
        entries_layout.addLayout(actions)
        entries_layout.addWidget(self.empty_hint)
        entries_layout.addWidget(self.tree, 1)
        # The entries get the whole width (their text matters most); the selected entry in full and
        # the executive summary share the space below.
        details_box = QWidget()
        details_layout = QVBoxLayout(details_box)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_title = QLabel("Selected entry")
        set_role(details_title, "heading")
        details_layout.addWidget(details_title)
        details_layout.addWidget(self.details, 1)
        below = QSplitter(Qt.Orientation.Horizontal)
        below.addWidget(details_box)
        below.addWidget(self.summary_editor)
        below.setSizes([520, 520])
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(entries)
        self.splitter.addWidget(below)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([520, 190])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

    def _connect_signals(self) -> None:
        """Filters rebuild the tree; the tree, the buttons and Ctrl+Shift+M act on the selection."""
        self.group_buttons.buttonClicked.connect(lambda _b: self._rebuild())
        self.kind.currentIndexChanged.connect(lambda _i: self._rebuild())
        self.review_only.toggled.connect(lambda _on: self._rebuild())
        self.tree.selectionModel().selectionChanged.connect(self._on_tree_selection_changed)
        self.tree.key_pressed.connect(self.toggle_key)
        self.tree.edit_requested.connect(self.edit_entry)
        self.tree.doubleClicked.connect(self._on_tree_double_clicked)
        self.key_button.clicked.connect(self.toggle_key)
        self.merge_button.clicked.connect(self.merge_selected)
        self.accept_button.clicked.connect(lambda: self.review_selected(True))
        self.keep_button.clicked.connect(lambda: self.review_selected(False))
        self.edit_button.clicked.connect(self.edit_entry)
        self.themes_button.clicked.connect(self.edit_themes)
        self.terms_button.clicked.connect(self.edit_restricted_terms)
        self.finalize_button.clicked.connect(self.finalize)
        self._reload_timer.timeout.connect(self.reload)
        bind(self, "review.merge", self.merge_selected)

    # ---- which event --------------------------------------------------------------------------

    def show_bundle(self, bundle: EventBundle) -> None:
        """The editor shows `bundle`: follow it (a new event, or a refresh of this one)."""
        speakers: dict[int, str] = {a.person.person_id: a.person.display_name for a in bundle.attendees}
        for item in bundle.agenda:
            if item.fields.presenter_id and item.presenter_name:
                speakers.setdefault(item.fields.presenter_id, item.presenter_name)
        self.speakers = sorted(((name, pid) for pid, name in speakers.items()), key=lambda s: s[0].casefold())
        if bundle.event_id != self.event_id:
            self.leave_event()
            self.event_id = bundle.event_id
        self.reload()

    def leave_event(self) -> None:
        """Save what is typed in the summary for the event on screen, then show nothing."""
        self.flush_summary()
        self._generation += 1
        self.event_id = None
        self.data = None
        self.summary_editor.clear()
        self.review_only.setChecked(False)
        self.model.set_groups([], "UTC")
        self._show_state()

    def reload(self) -> None:
        if self.event_id is None:
            return
        self._generation += 1
        generation, event_id = self._generation, self.event_id

        def done(data: ReviewData) -> None:
            if generation == self._generation and event_id == self.event_id:
                self.show_data(data)

        def failed(error: BaseException, _details: str) -> bool:
            from msldesk.core.errors import NotFoundError

            # An answer to an older load, or a deleted event (the editor handles it): nothing to say.
            return not (generation == self._generation and event_id == self.event_id) or isinstance(
                error, NotFoundError
            )

        DbOp(self, lambda work: load_review(work.app.meetings, work.app.events, event_id)).success(
            done
        ).failure(failed).run()

    def _on_context_changed(self, changes: Changes) -> None:
        if self.event_id is not None and (changes.notes or changes.events or changes.people):
            self._reload_timer.start()

    # ---- showing ------------------------------------------------------------------------------

    def show_data(self, data: ReviewData) -> None:
        keep = self._select_after_load or [e.entry_id for e in self.selected_entries()]
        self._select_after_load = []
        self.data = data
        self.summary_editor.show_stored(data.event_id, data.executive_summary)
        if not data.needing_review:
            self.review_only.setChecked(False)
        self._rebuild(keep)
        self.loaded.emit(data.event_id)

    def grouping(self) -> str:
        return BY_AGENDA if self.by_agenda.isChecked() else BY_THEME

    def set_grouping(self, grouping: str) -> None:
        (self.by_agenda if grouping == BY_AGENDA else self.by_theme).setChecked(True)
        self._rebuild()

    def show_needing_review(self) -> None:
        """Show only the entries that still need review (the export prompt's "Review first")."""
        if self.data is not None and self.data.needing_review:
            self.kind.setCurrentIndex(0)
            self.review_only.setChecked(True)
            self.tree.setFocus()

    def _rebuild(self, keep: Sequence[int] | None = None) -> None:
        if keep is None:
            keep = [e.entry_id for e in self.selected_entries()]
        collapsed = {
            self.model.index(row, 0).data(GroupTitleRole)
            for row in range(self.model.rowCount())
            if not self.tree.isExpanded(self.model.index(row, 0))
        }
        data = self.data
        entries: Sequence[NoteEntry] = ()
        if data is not None:
            entries = data.needing_review if self.review_only.isChecked() else data.entries
            kind = self.kind.currentData()
            if kind:
                entries = [e for e in entries if e.kind.value == kind]
        groups = group_entries(
            entries, self.grouping(), data.themes if data else (), data.agenda if data else ()
        )
        self.model.set_groups(groups, data.timezone if data else "UTC")
        root = QModelIndex()
        for row, group in enumerate(groups):
            self.tree.setFirstColumnSpanned(row, root, True)
            self.tree.setExpanded(self.model.index(row, 0), group.title not in collapsed)
        self._select(keep)
        self._show_state()

    def _select(self, entry_ids: Sequence[int]) -> None:
        selection = QItemSelection()
        first: QModelIndex | None = None
        for entry_id in entry_ids:
            for index in self.model.entry_indexes(entry_id)[:1]:
                last = index.siblingAtColumn(self.model.columnCount() - 1)
                selection.select(index, last)
                first = first or index
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.tree.selectionModel().select(selection, flags)
        if first is not None:
            self.tree.selectionModel().setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.tree.scrollTo(first)
        self._on_tree_selection_changed()

    def _show_state(self) -> None:
        data = self.data
        finalized = data is not None and data.finalized_at is not None
        waiting = len(data.needing_review) if data else 0
        self.review_banner.setVisible(waiting > 0)
        verb = "needs" if waiting == 1 else "need"
        self.review_count.setText(f"⚑ {plural(waiting, 'flagged entry', 'flagged entries')} {verb} review")
        if data is not None and data.finalized_at is not None:
            when = local_time(data.finalized_at, data.timezone)
            self.finalized_label.setText(f"✔ Finalized on {short_date(when, weekday=True)}, {when:%H:%M}")
            self.finalized_label.setToolTip(
                "The notes are read-only; corrections are kept as amendments beside the original. "
                "Key insights, flag reviews, themes and the executive summary stay editable."
            )
        self.finalized_label.setVisible(finalized)
        self.finalize_button.setVisible(data is not None and not finalized)
        self.finalize_button.setEnabled(bool(data and data.entries))
        self.edit_button.setText("Amend…" if finalized else "Edit…")
        self.edit_button.setToolTip(
            "Add a correction beside the finalized text (Return)" if finalized else "Edit the entry (Return)"
        )
        if data is None:
            self.empty_hint.setText("Loading notes…" if self.event_id is not None else "")
        elif not data.entries:
            self.empty_hint.setText(
                "No notes yet. Notes taken during the meeting appear here, grouped by theme or agenda item."
            )
        elif not self.model.rowCount():
            self.empty_hint.setText("No entries match what is chosen above.")
        self.empty_hint.setVisible(bool(self.empty_hint.text()) and not self.model.rowCount())
        self._update_buttons()

    def _update_buttons(self) -> None:
        selected = self.selected_entries()
        finalized = self.data is not None and self.data.finalized_at is not None
        self.key_button.setEnabled(bool(selected))
        self.merge_button.setEnabled(len(selected) >= 2 and not finalized)
        self.merge_button.setToolTip(
            "Finalized notes cannot be merged"
            if finalized
            else "Merge the selected duplicates into the first of them (Ctrl+Shift+M); nothing typed is lost"
        )
        flagged = any(e.flag_terms for e in selected)
        self.accept_button.setEnabled(flagged)
        self.keep_button.setEnabled(flagged)
        self.edit_button.setEnabled(len(selected) == 1)
        self.themes_button.setEnabled(self.data is not None)
        self.summary.setEnabled(self.data is not None)

    def _on_tree_selection_changed(self, *_args: Any) -> None:
        selected = self.selected_entries()
        if len(selected) == 1 and self.data is not None:
            self.details.setHtml(entry_html(selected[0], self.data.timezone))
        elif selected:
            self.details.setHtml(f"{plural(len(selected), 'entry', 'entries')} selected.")
        else:
            self.details.clear()
        self._update_buttons()

    def _on_tree_double_clicked(self, index: QModelIndex) -> None:
        if self.model.entry(index) is not None:
            self.edit_entry()

    def selected_entries(self) -> list[NoteEntry]:
        """The selected entries, each once (an entry can sit under two themes), in typing order."""
        found: dict[int, NoteEntry] = {}
        for index in self.tree.selectionModel().selectedRows(0):
            entry = self.model.entry(index)
            if entry is not None:
                found[entry.entry_id] = entry
        return sorted(found.values(), key=lambda e: (e.created_at, e.entry_id))

    # ---- dialogs (tests replace these) --------------------------------------------------------

    def ask_confirm_merge(self, keep: NoteEntry, others: list[NoteEntry], differences: list[str]) -> bool:
        return confirm_merge(self, keep, others, differences)

    def ask_confirm_finalize(self, needing_review: int) -> bool:
        return confirm_finalize(self, needing_review)

    def ask_entry_fields(self, entry: NoteEntry) -> EntryFields | None:
        data = self.data
        dialog = EntryDialog(
            entry, data.agenda if data else (), self.speakers, data.themes if data else (), self
        )
        return dialog.fields() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_amendment(self, entry: NoteEntry) -> tuple[str, str] | None:
        dialog = AmendmentDialog(entry, self)
        return dialog.amendment() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_themes(self, themes: Sequence[str]) -> list[str] | None:
        dialog = ThemesDialog(themes, self)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_restricted_terms(self, terms: Sequence[str]) -> list[str] | None:
        dialog = RestrictedTermsDialog(terms, self)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None

    # ---- commands -----------------------------------------------------------------------------

    def _meetings(self) -> Any:
        return self.context.meetings if self.context.is_open else None

    def toggle_key(self) -> None:
        """Mark the selected entries as key insights, or unmark them if they all are."""
        meetings, selected = self._meetings(), self.selected_entries()
        if meetings is None or not selected:
            return
        key = not all(e.fields.key for e in selected)
        ids = [e.entry_id for e in selected]

        def job() -> Changes:
            for entry_id in ids:
                meetings.set_key(entry_id, key)
            return Changes(notes=True)

        self._select_after_load = ids
        word = "marked as key" if key else "no longer key"
        self.writer.write(
            job, lambda _r: self.status_message.emit(f"{plural(len(ids), 'entry', 'entries')} {word}")
        )

    def merge_selected(self) -> None:
        meetings, selected = self._meetings(), self.selected_entries()
        if meetings is None or len(selected) < 2 or not self.merge_button.isEnabled():
            return
        keep, others = selected[0], selected[1:]
        if not self.ask_confirm_merge(keep, others, merge_differences(selected)):
            return
        other_ids = [e.entry_id for e in others]
        self._select_after_load = [keep.entry_id]

        def done(_result: Any) -> None:
            self.status_message.emit(f"Merged {plural(len(other_ids), 'duplicate')} into one entry")

        self.writer.write(lambda: meetings.merge_entries(keep.entry_id, other_ids, confirmed=True), done)

    def review_selected(self, acceptable: bool) -> None:
        meetings, data = self._meetings(), self.data
        flagged = [e for e in self.selected_entries() if e.flag_terms]
        if meetings is None or data is None or not flagged:
            return
        ids = [e.entry_id for e in flagged]
        # Move on to the next entry waiting for review, as a reviewer works down the list.
        waiting = [e.entry_id for e in data.needing_review if e.entry_id not in ids]
        later = [i for i in waiting if i > max(ids)]
        self._select_after_load = (later or waiting or ids)[:1]

        def job() -> Changes:
            for entry_id in ids:
                meetings.review_flag(entry_id, acceptable)
            return Changes(notes=True)

        verdict = "acceptable" if acceptable else "kept flagged"
        self.writer.write(
            job, lambda _r: self.status_message.emit(f"{plural(len(ids), 'entry', 'entries')} {verdict}")
        )

    def edit_entry(self) -> None:
        meetings, selected, data = self._meetings(), self.selected_entries(), self.data
        if meetings is None or data is None or len(selected) != 1:
            return
        entry = selected[0]
        self._select_after_load = [entry.entry_id]
        if data.finalized_at is not None:
            amendment = self.ask_amendment(entry)
            if amendment is None:
                return
            text, reason = amendment
            self.writer.write(
                lambda: meetings.amend_entry(entry.entry_id, text, reason),
                lambda _r: self.status_message.emit("Amendment added; the finalized text is kept beside it"),
            )
            return
        fields = self.ask_entry_fields(entry)
        if fields is None or fields == entry.fields:
            return
        self.writer.write(
            lambda: meetings.update_entry(entry.entry_id, fields),
            lambda _r: self.status_message.emit("Entry saved"),
        )

    def edit_themes(self) -> None:
        meetings, data = self._meetings(), self.data
        if meetings is None or data is None:
            return
        themes = self.ask_themes(data.themes)
        if themes is None or list(themes) == list(data.themes):
            return
        event_id = data.event_id

        def done(result: Any) -> None:
            self.status_message.emit(f"Saved {plural(len(result[0]), 'theme')}")

        self.writer.write(lambda: meetings.set_themes(event_id, themes), done)

    def edit_restricted_terms(self) -> None:
        meetings = self._meetings()
        if meetings is None:
            return

        def got(terms: tuple[str, ...]) -> None:
            chosen = self.ask_restricted_terms(terms)
            if chosen is None or list(chosen) == list(terms):
                return

            def done(result: Any) -> None:
                saved = result[0].terms
                self.status_message.emit(
                    f"Saved {plural(len(saved), 'restricted term')}; notes not yet finalized were re-checked"
                )

            self.writer.write(lambda: meetings.save_restricted_terms(chosen), done)

        DbOp(self, lambda _work: meetings.restricted_terms().terms).success(got).run()

    def finalize(self) -> None:
        meetings, data = self._meetings(), self.data
        if meetings is None or data is None or data.finalized_at is not None:
            return
        if not self.ask_confirm_finalize(len(data.needing_review)):
            return
        self.flush_summary()
        event_id = data.event_id
        self.writer.write(
            lambda: meetings.finalize(event_id),
            lambda _r: self.status_message.emit("Notes finalized: corrections are now kept as amendments"),
        )

    def flush_summary(self) -> None:
        """Save a summary edit now rather than after the pause (leaving the event, exporting)."""
        self.summary_editor.flush()
