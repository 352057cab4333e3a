"""The preview pane: the selected slide large, its notes, where it comes from, and its tags."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QSizePolicy, QVBoxLayout, QWidget

from msldesk.decks.records import DeckInfo, SlideInfo
from msldesk.ui.context import AppContext
from msldesk.ui.library.badges import badge_html
from msldesk.ui.library.thumbnail_images import read_thumbnail
from msldesk.ui.ops import Lane, Op, Work
from msldesk.ui.theme import set_property
from msldesk.ui.widgets.fields import show_text

PREVIEW_WIDTH = 960


class SlidePreview(QWidget):
    tags_edited = Signal(int, list)  # slide id, tags
    companions_edited = Signal(int, int, list)  # deck id, slide number, companion slide numbers

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.slide: SlideInfo | None = None
        self._request = 0
        self.image = QLabel("Select a slide to preview it.")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumHeight(180)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.image.setObjectName("slidePreview")
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.notes = QPlainTextEdit()
        self.notes.setReadOnly(True)
        self.notes.setPlaceholderText("No speaker notes")
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("Slide tags, comma-separated (Enter to save)")
        self.tags.returnPressed.connect(self._on_tags_return_pressed)
        self.companions = QLineEdit()
        self.companions.setPlaceholderText(
            "Always followed by slide numbers of this deck, e.g. 12, 13 (safety, fair balance; Enter)"
        )
        self.companions.returnPressed.connect(self._on_companions_return_pressed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.image, 3)
        layout.addWidget(self.heading)
        layout.addWidget(QLabel("Speaker notes"))
        layout.addWidget(self.notes, 2)
        layout.addWidget(self.tags)
        layout.addWidget(self.companions)
        self._pixmap: QPixmap | None = None

    def show_slide(self, slide: SlideInfo | None, deck: DeckInfo | None) -> None:
        self.slide = slide
        self._request += 1
        if slide is None:
            self.image.setText("Select a slide to preview it.")
            self.image.setPixmap(QPixmap())
            self._pixmap = None
            self.heading.setText("")
            self.notes.setPlainText("")
            self.tags.setText("")
            self.companions.setText("")
            return
        contents = [
            name
            for name, flag in (
                ("chart", slide.has_chart),
                ("table", slide.has_table),
                ("picture", slide.has_picture),
                ("media", slide.has_media),
            )
            if flag
        ]
        details = [
            f"Slide {slide.number} of <i>{html.escape(slide.deck_title)}</i> (version {slide.version})"
        ]
        if slide.layout:
            details.append(f"Layout: {html.escape(slide.layout)}")
        if contents:
            details.append("Contains: " + ", ".join(contents))
        if slide.hidden:
            details.append("Hidden slide")
        if slide.change:
            details.append(f"Since the previous version: {slide.change}")
        if deck is not None and deck.approval_code:
            details.append(f"Approval code {html.escape(deck.approval_code)}")
        self.heading.setText(
            f"<b>{html.escape(slide.display_title)}</b> {badge_html(slide.status)}<br>" + " · ".join(details)
        )
        self.notes.setPlainText(slide.notes)
        show_text(self.tags, ", ".join(slide.tags))
        self._show_image(slide, deck)

    def _show_image(self, slide: SlideInfo, deck: DeckInfo | None) -> None:
        self._pixmap = None
        self.image.setPixmap(QPixmap())
        request, thumbnail = self._request, slide.thumbnail
        past_limit = deck is not None and deck.thumbnail_state == "done" and not thumbnail
        why = "past the deck's render limit: no thumbnail" if past_limit else "no thumbnail yet"
        self.image.setText(f"{slide.display_title}\n\n({why})")
        if past_limit or not thumbnail:
            return  # the preview PDF stops at the render limit too, and is made for rendered decks only
        page = slide.number - 1

        def small(_work: Work) -> QImage:
            return read_thumbnail(thumbnail)  # in a worker: no file is read on the GUI thread

        def sharp(work: Work) -> QImage:
            """The page rendered large from the deck's preview PDF (made first if the render
            wrote thumbnails only: LibreOffice takes a second or more)."""
            import pypdfium2 as pdfium

            from msldesk.decks.preview import render_page_png

            if work.library is None or deck is None or request != self._request:
                return QImage()  # (another slide chosen meanwhile: no LibreOffice run for this one)
            try:
                pdf = work.library.decks.preview_pdf(deck, work.cancel)
                return QImage.fromData(render_page_png(pdf, page, PREVIEW_WIDTH)) if pdf else QImage()
            except (OSError, IndexError, pdfium.PdfiumError):
                return QImage()  # a damaged preview, or LibreOffice failing: the thumbnail stays

        def show(image: QImage) -> None:
            if request == self._request and not image.isNull():
                self._pixmap = QPixmap.fromImage(image)
                self._rescale()

        def shown_small(image: QImage) -> None:
            show(image)
            if request == self._request and deck is not None:
                Op(self, sharp, Lane.IO).success(show).run()

        Op(self, small, Lane.IO).success(shown_small).run()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is not None and not self._pixmap.isNull():
            self.image.setPixmap(
                self._pixmap.scaled(
                    self.image.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )

    def show_companions(self, numbers: list[int]) -> None:
        show_text(self.companions, ", ".join(str(n) for n in numbers))

    def _on_companions_return_pressed(self) -> None:
        if self.slide is None:
            return
        parts = [p.strip() for p in self.companions.text().replace(";", ",").split(",") if p.strip()]
        if not all(p.isdigit() for p in parts):
            set_property(self.companions, "invalid", True)
            self.companions.setToolTip("Slide numbers only, separated by commas.")
            return
        set_property(self.companions, "invalid", False)
        self.companions_edited.emit(self.slide.deck_id, self.slide.number, [int(p) for p in parts])

    def _on_tags_return_pressed(self) -> None:
        if self.slide is not None:
            tags = [t.strip() for t in self.tags.text().split(",") if t.strip()]
            self.tags_edited.emit(self.slide.slide_id, tags)
