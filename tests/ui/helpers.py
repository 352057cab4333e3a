"""Small helpers shared by the UI tests."""

from __future__ import annotations

from pathlib import Path


def make_deck(path: Path, titles: list[str], notes: str = "") -> Path:
    """A real .pptx with one title-and-content slide per title (body text: 'Body of <title>')."""
    from pptx import Presentation

    prs = Presentation()
    for title in titles:
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = f"Body of {title}"
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    prs.save(str(path))
    return path


def drop_files(widget: object, paths: list[Path]) -> None:
    """Drop local files on a widget, as from a file manager."""
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    widget.dropEvent(event)  # type: ignore[attr-defined]


def status_messages(window) -> list[str]:  # type: ignore[no-untyped-def]
    """Every message the window's status bar shows from now on, in order. Assert on these rather
    than on the one showing last: background news (the daily backup saved) may replace a message
    a moment after it appeared, as it does for the user."""
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)
    return shown
