"""ImportWizard: choose a people file, map its columns, check what would change, then import it."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QMessageBox,
    QTreeWidgetItem,
    QWidget,
    QWizard,
)

from msldesk.boards.events.days import ReportDay, check_report_day, day_text
from msldesk.boards.records import AttendeeRole, Event, ImportPreview, ImportResult
from msldesk.core.changes import Changes
from msldesk.core.errors import MsldeskError
from msldesk.core.progress import CancelToken
from msldesk.core.user_files import display_name
from msldesk.core.wording import plural
from msldesk.ui.context import AppContext
from msldesk.ui.errors import report_error, user_message
from msldesk.ui.ops import DbOp, Work
from msldesk.ui.people.import_pages import (
    CheckPage,
    FilePage,
    MappingPage,
    SummaryPage,
    path_from_text,
    row_problem,
)
from msldesk.ui.people.mapping_model import TARGET_COLUMN, MappingModel
from msldesk.ui.widgets.dialog_jobs import DialogOps
from msldesk.ui.widgets.file_dialogs import ask_open_path
from msldesk.ui.widgets.geometry import fit_size

REMAP_DELAY_MS = 250
PEOPLE_FILTER = "People files (*.csv *.tsv *.txt *.xlsx *.xlsm *.vcf *.vcard *.ics *.json);;All files (*)"
_NAME_TARGETS = {"first_name", "last_name", "full_name"}
_KIND_LABELS = {
    "csv": "a table (CSV/TSV)",
    "xlsx": "an Excel workbook",
    "vcard": "contacts (vCard)",
    "nppes-json": "NPPES NPI registry data",
    "ics": "a calendar invitation (attendees)",
    "teams-report": "a Microsoft Teams attendance report",
    "zoom-report": "a Zoom participants report",
    "open-payments": "a CMS Open Payments file",
}
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
PEOPLE_ONLY = "people-only"  # ask_report_day: import the report's people, without attendance


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def attendance_text(matched: int, total: int) -> str:
    """What importing a meeting report records, in counts that add up."""
    if total and matched == total:
        return f"Meeting report: attendance will be recorded for all {_n(total, 'participant')}."
    if not matched:
        return (
            f"Meeting report: none of its {_n(total, 'participant')} match anyone on the event's list; "
            "no attendance will be recorded."
        )
    missing = total - matched
    return (
        f"Meeting report: attendance will be recorded for {matched:,} of {_n(total, 'participant')}; "
        f"{missing:,} {'does' if missing == 1 else 'do'} not match anyone on the event's list."
    )


def kind_label(kind: str) -> str:
    return _KIND_LABELS.get(kind, kind)


class ImportWizard(QWizard):
    """Open with open() or show(). Cancel at any step writes nothing."""

    imported = Signal(object)  # ImportResult
    status_message = Signal(str)

    def __init__(
        self,
        context: AppContext,
        event_id: int | None = None,
        parent: QWidget | None = None,
        path: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.event_id = event_id
        self.path: Path | None = None
        self.preview: ImportPreview | None = None
        self.samples: dict[str, str] = {}
        self.refusal = ""  # why the chosen file cannot be imported
        self._shown_path = ""  # the file field's text for self.path (typing something else loads that)
        self.loading = False
        self.importing = False
        self.cancelling = False
        self.import_result: ImportResult | None = None
        self.matched_attendance: int | None = None
        self._generation = 0
        self._attendance_generation = 0
        self._preview_token = CancelToken()
        self._import_token = CancelToken()
        self._events: list[Event] = []
        self.ops = DialogOps(self)
        self.setWindowTitle("Import people")
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        fit_size(self, 860, 620)

        self.mapping_model = MappingModel(self)
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.check_page = CheckPage(self)
        self.summary_page = SummaryPage()
        for page in (self.file_page, self.mapping_page, self.check_page, self.summary_page):
            self.addPage(page)
        self.mapping_view = self.mapping_page.view

        self._remap_timer = QTimer(self)
        self._remap_timer.setSingleShot(True)
        self._remap_timer.setInterval(REMAP_DELAY_MS)
        self._remap_timer.timeout.connect(self.remap)
        self.mapping_model.mapping_changed.connect(self._on_mapping_model_mapping_changed)
        self._load_events()
        if path is not None:
            self.load(Path(path))

    # ---- step 1: the file ---------------------------------------------------------------------

    def ask_open_path(self) -> Path | None:
        return ask_open_path(self, self.context.settings, "people_imports", "Import people", PEOPLE_FILTER)

    def choose_file(self) -> None:
        path = self.ask_open_path()
        if path is not None:
            self.load(path)

    def load_typed_path(self) -> None:
        """The path typed or pasted into the file field (Enter, or leaving the field)."""
        text = self.file_page.path_edit.text()
        if text == self._shown_path:
            return  # what load() put there, or nothing new
        path = path_from_text(text)
        if path is not None:
            self.load(path)

    def load(self, path: Path) -> None:
        """Read and check a file in a worker; nothing is written."""
        self.path = Path(path)
        self.preview = None
        self.refusal = ""
        self.samples = {}
        page = self.file_page
        self._shown_path = display_name(str(self.path))  # the real path stays in self.path
        page.path_edit.setText(self._shown_path)
        page.info.clear()
        page.refusal.hide()
        self._start_preview(None)

    def remap(self) -> None:
        """Check the rows again with the mapping chosen on the mapping page."""
        self._remap_timer.stop()
        if self.path is not None:
            self._start_preview(self.mapping_model.mapping())

    def _start_preview(self, mapping: dict[str, str] | None) -> None:
        if not self.context.is_open or self.path is None:
            return
        self._preview_token.cancel()  # an older preview's answer is no longer wanted
        self._preview_token = token = CancelToken()
        self._generation += 1
        generation, path = self._generation, self.path
        with_samples = mapping is None
        self._set_loading(True, "Reading the file…" if with_samples else "Checking the rows…")

        def job(work: Work) -> ImportPreview:
            return work.app.people_import.preview(path, mapping, token, work.progress)

        DbOp(self, job).in_group(self.ops).success(
            lambda result: self._on_preview_loaded(generation, result, with_samples)
        ).failure(lambda error, details: self._on_preview_failed(generation, error, details)).with_progress(
            lambda done, total, message: self._on_preview_progress(generation, done, total, message)
        ).run()  # cancelled: superseded by a newer preview, which answers

    def _on_preview_progress(self, generation: int, done: int, total: int, message: str) -> None:
        if generation != self._generation:
            return
        for bar in (self.file_page.progress, self.mapping_page.progress):
            bar.setRange(0, total)
            bar.setValue(done)
        self.file_page.progress_label.setText(message)

    def _on_preview_loaded(self, generation: int, result: ImportPreview | object, with_samples: bool) -> None:
        if generation != self._generation or not isinstance(result, ImportPreview):
            return  # superseded, or cancelled
        self.preview = result
        if with_samples:  # a new file: its columns and their example values
            self.samples = result.samples
            self.mapping_model.set_mapping(result.headers, result.mapping, self.samples)
        self._set_loading(False)
        self._show_file_info()
        self._show_mapping_status()
        if self.currentPage() is self.check_page:
            self._show_check()
        self._update_attendance()

    def _on_preview_failed(self, generation: int, error: BaseException, details: str) -> bool:
        """Said on the file or mapping page; only a bug also gets the error box."""
        if generation != self._generation:
            return True
        self._set_loading(False)
        message = user_message(error)
        if self.currentPage() is self.mapping_page and self.preview is not None:
            # The file was fine a moment ago: keep the last good check, say what went wrong.
            self.mapping_page.problem.setText(message)
            self.mapping_page.problem.show()
            return True
        self.preview = None
        self.refusal = message
        self.file_page.refusal.setText(f"This file cannot be imported. {message}")
        self.file_page.refusal.show()
        self.file_page.info.clear()
        self.file_page.completeChanged.emit()
        return isinstance(error, MsldeskError | OSError)  # a bug, not a file problem: keep the details

    def _set_loading(self, loading: bool, message: str = "") -> None:
        self.loading = loading
        for bar in (self.file_page.progress, self.mapping_page.progress):
            bar.setRange(0, 0)
            bar.setVisible(loading)
        self.file_page.progress_label.setText(message if loading else "")
        if loading:
            self.mapping_page.status.setText(message)
        for page in (self.file_page, self.mapping_page, self.check_page):
            page.completeChanged.emit()

    def _show_file_info(self) -> None:
        p = self.preview
        if p is None:
            return
        parts = [f"<b>{html.escape(p.source_name)}</b>: {kind_label(p.source_kind)}"]
        if p.encoding:
            parts.append(f"encoding {p.encoding}")
        if p.delimiter:
            parts.append(f"{_DELIMITERS.get(p.delimiter, repr(p.delimiter))}-separated")
        rows = len(p.rows) + len(p.errors)
        text = ", ".join(parts) + f".<br>{_n(rows, 'row')}, {_n(len(p.headers), 'column')}."
        if p.attendance:
            held = f" of {day_text(p.meeting_start.date())}" if p.meeting_start else ""
            lines = plural(len(p.attendance), "participant line")
            text += f"<br>Meeting report{held}: {lines} with times attended."
        if p.warnings:
            text += "<br><br>" + "<br>".join(f"⚠ {html.escape(w)}" for w in p.warnings)
        self.file_page.info.setText(text)

    # ---- step 2: the mapping ------------------------------------------------------------------

    def combo_for(self, header: str) -> QComboBox:
        """The field chooser of one column (for keyboard users' tests and scripts)."""
        row = self.mapping_model.row_of(header)
        widget = self.mapping_view.indexWidget(self.mapping_model.index(row, TARGET_COLUMN))
        assert isinstance(widget, QComboBox), f"no combo for {header!r}"
        return widget

    def _on_mapping_model_mapping_changed(self) -> None:
        self.mapping_page.problem.hide()
        self._set_loading(True, "Checking the rows…")
        self._remap_timer.start()

    def _show_mapping_status(self) -> None:
        p = self.preview
        if p is None:
            return
        mapped = {t for t in self.mapping_model.mapping().values() if t}
        ignored = sum(1 for t in self.mapping_model.mapping().values() if not t)
        text = (
            f"{plural(len(p.rows), 'row')} ready, {len(p.errors):,} with errors, "
            f"{plural(ignored, 'column')} ignored."
        )
        if not mapped & _NAME_TARGETS:
            text += " No column gives a name yet: choose the first, last or full name column."
        self.mapping_page.status.setText(text)

    # ---- step 3: the check --------------------------------------------------------------------

    def counts_text(self) -> str:
        p = self.preview
        if p is None:
            return ""
        return (
            f"{p.new_count:,} new, {_n(p.update_count, 'update')}, {p.unchanged_count:,} unchanged, "
            f"{_n(p.duplicate_count, 'repeated row')}, {_n(len(p.errors), 'row')} with errors"
        )

    def error_text(self) -> str:
        p = self.preview
        return "\n".join(f"{e.row}\t{row_problem(e)}" for e in p.errors) if p else ""

    def copy_errors(self) -> None:
        QApplication.clipboard().setText(self.error_text())
        self.status_message.emit("Row errors copied.")

    def _show_check(self) -> None:
        p = self.preview
        page = self.check_page
        if p is None:
            return
        page.counts.setText(self.counts_text() if p.rows or p.errors else "Nothing to import in this file.")
        page.errors.clear()
        page.errors.addTopLevelItems([QTreeWidgetItem([str(e.row), row_problem(e)]) for e in p.errors])
        page.errors_label.setText(
            f"{plural(len(p.errors), 'row')} will not be imported" if p.errors else "No rows with errors."
        )
        page.copy_button.setEnabled(bool(p.errors))
        page.outcomes.show_preview(p)
        page.warnings.setText("\n".join(f"⚠ {w}" for w in p.warnings))
        page.warnings.setVisible(bool(p.warnings))
        self._update_attendance()

    def _load_events(self) -> None:
        read = DbOp(self, lambda work: work.app.events.list_events("all")).in_group(self.ops)
        read.success(self._on_events_loaded).run()

    def _on_events_loaded(self, events: list[Event]) -> None:
        self._events = events
        combo = self.check_page.event_combo
        combo.blockSignals(True)
        for event in events:
            start = event.fields.starts_at
            when = f" ({start:%Y-%m-%d})" if start else ""
            combo.addItem(f"{event.title}{when}", event.event_id)
        index = combo.findData(self.event_id) if self.event_id is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        self._update_attendance()

    @property
    def chosen_event_id(self) -> int | None:
        if not self._events:  # the list is still loading: the event the wizard was opened for
            return self.event_id
        value = self.check_page.event_combo.currentData()
        return int(value) if value is not None else None

    def _on_event_combo_changed(self, _index: int) -> None:
        self._update_attendance()

    def report_day(self) -> ReportDay | None:
        """The meeting report's day against the chosen event's (None: no report, event or date)."""
        p, event_id = self.preview, self.chosen_event_id
        event = next((e for e in self._events if e.event_id == event_id), None)
        if p is None or not p.attendance or event is None:
            return None
        return check_report_day(p.meeting_start, event.fields)

    def roles_text(self) -> str:
        """The attendee roles the import gives the people it adds to the event (those already on its
        list keep theirs)."""
        p = self.preview
        if p is None or not p.rows:
            return ""
        counts: dict[AttendeeRole, int] = {}
        for row in p.rows:
            role = AttendeeRole(row.role) if row.role else AttendeeRole.ADVISOR
            counts[role] = counts.get(role, 0) + 1
        parts = [f"{n:,} as {role.label.lower()}" for role, n in sorted(counts.items(), key=lambda c: -c[1])]
        return "Roles for people added to the event: " + ", ".join(parts) + "."

    def _update_attendance(self) -> None:
        """Meeting reports: how many participant lines will find their person on the event."""
        p = self.preview
        label = self.check_page.attendance
        self._attendance_generation += 1
        if p is None or not p.attendance:
            label.setVisible(p is not None and self.chosen_event_id is not None and bool(p.rows))
            label.setText(self.roles_text())
            self.matched_attendance = None
            return
        label.show()
        event_id = self.chosen_event_id
        day = self.report_day()
        if day is not None and not day.matches:
            label.setText(
                f"⚠ {day.message} Nothing is written until you decide: import will offer to cancel or "
                "to import the people only, without attendance."
            )
            self.matched_attendance = 0
            return
        if event_id is None:
            label.setText(
                f"This is a meeting report with {plural(len(p.attendance), 'participant line')}. "
                "Choose an event to record who attended and for how long."
            )
            self.matched_attendance = None
            return
        if not self.context.is_open:
            return
        label.setText("Matching participants with the event's attendee list…")
        self.matched_attendance = None
        self._attendance_generation += 1
        generation = self._attendance_generation

        def job(work: Work) -> int:
            return work.app.people_import.attendance_estimate(p, event_id)  # the rule apply() follows

        DbOp(self, job).in_group(self.ops).success(
            lambda matched: self._on_attendance_matched(generation, p, matched)
        ).run()

    def _on_attendance_matched(self, generation: int, preview: ImportPreview, matched: int) -> None:
        if generation != self._attendance_generation:
            return  # the event or the mapping changed since
        self.matched_attendance = matched
        self.check_page.attendance.setText(
            attendance_text(matched, len(preview.attendance)) + " " + self.roles_text()
        )

    # ---- import -------------------------------------------------------------------------------

    def ask_report_day(self, day: ReportDay) -> str:
        """PEOPLE_ONLY, or "" to cancel: a meeting report of another day than the event."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Import people", day.message, parent=self)
        box.setInformativeText(
            "Its attendance would describe another meeting. Import the people only, without attendance?"
        )
        people = box.addButton("Import people only", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return PEOPLE_ONLY if box.clickedButton() is people else ""

    def start_import(self) -> None:
        p = self.preview
        if p is None or self.importing or self.loading or not self.context.is_open:
            return
        event_id = self.chosen_event_id
        day = self.report_day()
        people_only = False
        if day is not None and not day.matches:
            if self.ask_report_day(day) != PEOPLE_ONLY:
                self.check_page.progress_label.setText("Not imported: nothing was written.")
                return
            people_only = True
        self._import_token = token = CancelToken()
        self.importing = True
        self.cancelling = False
        page = self.check_page
        page.progress.setRange(0, 0)
        page.progress.show()
        page.progress_label.setText("Importing…")
        page.event_combo.setEnabled(False)
        self.button(QWizard.WizardButton.BackButton).setEnabled(False)
        page.completeChanged.emit()

        def job(work: Work) -> tuple[ImportResult, Changes]:
            # Our own token: Cancel asks apply() to roll back, which raises CancelledError.
            result = work.app.people_import.apply(p, event_id, token, work.progress, people_only=people_only)
            return result, Changes(people=True, events=True)

        DbOp(self, job).in_group(self.ops).success(self._on_imported).failure(
            self._on_import_failed
        ).with_progress(self._on_import_progress).when_cancelled(self._on_import_cancelled).run()

    def _on_import_progress(self, done: int, total: int, message: str) -> None:
        self.check_page.progress.setRange(0, max(total, 1))
        self.check_page.progress.setValue(done)
        self.check_page.progress_label.setText(message)

    def _on_import_cancelled(self) -> None:
        """apply() rolled back: nothing was written."""
        self.importing = False
        self.check_page.progress.hide()
        self.check_page.progress_label.setText("Import cancelled: nothing was written.")
        self.status_message.emit("People import cancelled: nothing was written.")
        super().reject()

    def _on_imported(self, done: tuple[ImportResult, Changes]) -> None:
        result = done[0]  # the op announces the Changes right after: the views show the new people
        self.importing = False
        self.check_page.progress.hide()
        self.import_result = result
        self.check_page.progress_label.clear()
        self.summary_page.text.setText(self.summary_text())
        self.imported.emit(result)
        self.status_message.emit(self.summary_text().split("\n")[0])
        self.next()

    def _on_import_failed(self, error: BaseException, details: str) -> bool:
        self.importing = self.cancelling = False
        self.check_page.progress.hide()
        self.check_page.progress_label.setText(f"Nothing was imported. {user_message(error)}")
        self.check_page.event_combo.setEnabled(True)
        self.check_page.completeChanged.emit()
        report_error(error, details, self)
        return True

    def summary_text(self) -> str:
        r, p = self.import_result, self.preview
        if r is None or p is None:
            return ""
        lines = [
            f"{p.source_name}: {r.imported:,} new people, {r.updated:,} updated, {r.unchanged:,} unchanged."
        ]
        if r.duplicates:
            were = "was" if r.duplicates == 1 else "were"
            lines.append(f"{plural(r.duplicates, 'repeated row')} {were} merged into one person each.")
        if r.errors:
            were = "was" if len(r.errors) == 1 else "were"
            lines.append(f"{plural(len(r.errors), 'row')} with errors {were} left out.")
        if p.nameless_count:
            lines.append(
                f"{plural(p.nameless_count, 'contact')} with only an e-mail address "
                f'{"is" if p.nameless_count == 1 else "are"} marked "name missing".'
            )
        event_id = self.chosen_event_id
        if r.people_only:
            lines.append(
                "The report is from another day than the event: people only, no attendance recorded."
            )
        elif event_id is not None:
            title = next((e.title for e in self._events if e.event_id == event_id), f"event {event_id}")
            lines.append(f"{r.attendees_added:,} added to the attendee list of {title}.")
            if p.attendance:
                lines.append(f"Attendance recorded for {plural(r.attendance_marked, 'participant')}.")
        return "\n".join(lines)

    # ---- closing ------------------------------------------------------------------------------

    def reject(self) -> None:
        """Cancel: stop reading; an import in progress is rolled back before the window closes."""
        self._remap_timer.stop()
        self._preview_token.cancel()
        self._generation += 1  # late previews are ignored
        if self.importing:
            self.cancelling = True
            self._import_token.cancel()
            self.check_page.progress_label.setText("Cancelling…")
            return
        super().reject()
