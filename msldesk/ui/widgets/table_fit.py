"""Row heights and column widths that fit their content: rows tall enough for an in-place editor and
easy to hit, columns as wide as a typical value, measured with the view's own font (so they follow the
font size and the scale factor instead of fixed pixels)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QDoubleSpinBox, QHeaderView, QTableView, QTreeView

CELL_PADDING = 24  # the cell's margins, a sort arrow or a check box's spacing


def comfortable_row_height(view: QAbstractItemView) -> int:
    """Tall enough for a spin box or combo box opened in the cell, and never cramped text."""
    probe = QDoubleSpinBox()
    probe.setFont(view.font())
    probe.ensurePolished()  # the theme's stylesheet gives spin boxes a minimum height when polished
    tall = max(probe.sizeHint().height(), probe.minimumHeight())
    return max(tall + 2, view.fontMetrics().height() + 12)


def comfortable_rows(view: QAbstractItemView) -> int:
    """Give the view's rows a comfortable height; returns it (tests compare editors with it)."""
    height = comfortable_row_height(view)
    if isinstance(view, QTableView):
        view.verticalHeader().setMinimumSectionSize(height)
        view.verticalHeader().setDefaultSectionSize(height)
    else:  # list and tree views take their row height from the items: pad them
        padding = max((height - view.fontMetrics().height()) // 2, 2)
        kind = "QTreeView" if isinstance(view, QTreeView) else "QListView"
        view.setStyleSheet(f"{kind}::item {{ padding-top: {padding}px; padding-bottom: {padding}px; }}")
    return height


def _header(view: QTableView | QTreeView) -> QHeaderView:
    return view.horizontalHeader() if isinstance(view, QTableView) else view.header()


def sample_width(view: QTableView | QTreeView, column: int, sample: str, bold: bool = False) -> int:
    """The width of `sample` (in bold: as the column draws it) or of the column's header, whichever
    is wider, with the cell's padding."""
    metrics = view.fontMetrics()
    if bold:
        font = view.font()
        font.setBold(True)
        sample_metrics = QFontMetrics(font)
    else:
        sample_metrics = metrics
    model = view.model()
    header = str(model.headerData(column, _header(view).orientation()) or "") if model else ""
    return max(sample_metrics.horizontalAdvance(sample), metrics.horizontalAdvance(header)) + CELL_PADDING


def fit_columns(view: QTableView | QTreeView, samples: Mapping[int, str], bold: Collection[int] = ()) -> None:
    """Each listed column as wide as its sample value or its header, whichever is wider; the
    `bold` columns' samples measured in bold, as those columns draw them."""
    for column, sample in samples.items():
        view.setColumnWidth(column, sample_width(view, column, sample, column in bold))


def stretch_column(view: QTableView | QTreeView, column: int, sample: str) -> None:
    """`column` takes the room the other columns leave, but never less than `sample`'s width: in a
    narrow window (a small screen, a scale factor of 2) the table scrolls sideways instead of
    squeezing the column that says what a row is down to "…"."""
    _ColumnFloor(view, column, sample_width(view, column, sample))


class _ColumnFloor(QObject):
    """Switches the column between stretching (room enough) and its least width (the table scrolls)."""

    def __init__(self, view: QTableView | QTreeView, column: int, least: int) -> None:
        super().__init__(view)
        self.view, self.column, self.least = view, column, least
        header = _header(view)
        header.setStretchLastSection(False)
        header.sectionResized.connect(self._on_header_section_resized)
        view.viewport().installEventFilter(self)
        self._fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._fit()
        return False

    def _on_header_section_resized(self, index: int, _old: int, _new: int) -> None:
        if index != self.column:  # another column dragged wider or narrower
            self._fit()

    def _fit(self) -> None:
        header = _header(self.view)
        others = sum(
            header.sectionSize(i)
            for i in range(header.count())
            if i != self.column and not header.isSectionHidden(i)
        )
        room = self.view.viewport().width() - others
        if room >= self.least:
            header.setSectionResizeMode(self.column, QHeaderView.ResizeMode.Stretch)
        else:
            header.setSectionResizeMode(self.column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(self.column, self.least)
