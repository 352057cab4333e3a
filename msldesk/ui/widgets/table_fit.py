"""Row heights and column widths that fit their content: rows tall enough for an in-place editor and
easy to hit, columns as wide as a typical value, measured with the view's own font (so they follow the
font size and the scale factor instead of fixed pixels)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QAbstractItemView, QDoubleSpinBox, QTableView, QTreeView

CELL_PADDING = 24  # the cell's margins, a sort arrow or a check box's spacing


def comfortable_row_height(view: QAbstractItemView) -> int:
    """Tall enough for a spin box or combo box opened in the cell, and never cramped text."""
    probe = QDoubleSpinBox()
    probe.setFont(view.font())
    return max(probe.sizeHint().height() + 2, view.fontMetrics().height() + 12)


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


def fit_columns(view: QTableView, samples: Mapping[int, str]) -> None:
    """Each listed column as wide as its sample value or its header, whichever is wider."""
    metrics = view.fontMetrics()
    model = view.model()
    for column, sample in samples.items():
        header = str(model.headerData(column, view.horizontalHeader().orientation()) or "") if model else ""
        width = max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(header)) + CELL_PADDING
        view.setColumnWidth(column, width)
