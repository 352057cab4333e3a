"""Write a meeting's PDF insight summary for the audience its report was cut for: the document (page
size, metadata, footer, bookmarks, progress and cancel) around the sections of summary_sections.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from msldesk.boards.outputs.pdf_fonts import text_fonts
from msldesk.boards.outputs.pdf_pages import footer, page_count_canvas
from msldesk.boards.outputs.summary_sections import Summary, section_titles
from msldesk.boards.records import MeetingReport
from msldesk.core.errors import MsldeskError
from msldesk.core.fileio import atomic_writer
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.core.text_safety import core_title, shorten


def write_summary_pdf(
    report: MeetingReport,
    out: Path,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Path:
    """Write the summary of `report` (already cut to its audience) to `out`, atomically; return `out`.

    Nothing is redacted here: the report shows what its audience may see, and this shows all of it.
    Cancelling, or any failure, leaves no file behind (an existing file at `out` is kept as it was).
    """
    from reportlab.platypus import SimpleDocTemplate
    from reportlab.platypus.doctemplate import LayoutError

    out = Path(out)
    fonts = text_fonts()  # registers the bundled font on first use in this process
    builder = Summary(report, fonts)
    titles = section_titles(report.audience)
    total = len(titles) + 2  # cover, sections, layout
    story: list[Any] = []
    for done, (title, make) in enumerate([("Cover", builder.cover), *builder.sections()]):
        _check(cancel)
        progress(done, total, f"Summary: {title.lower()}")
        story.extend(make())
    progress(total - 1, total, "Summary: laying out pages")

    f = report.event.fields
    page_size = builder.page_size
    audience = report.audience.label
    footer_text = f"Confidential · {audience} audience · {shorten(f.title or 'Untitled event', 90)}"
    on_page = footer(footer_text, fonts, builder.margin)

    class Doc(SimpleDocTemplate):
        def afterFlowable(self, flowable: Any) -> None:  # reportlab's name
            _check(cancel)  # between flowables: a long layout stops within a paragraph's time

    def first_page(canvas: Any, doc: Any) -> None:
        canvas.showOutline()  # viewers open with the bookmarks panel
        builder.cover_band(canvas, doc)
        on_page(canvas, doc)

    try:
        with atomic_writer(out) as handle:
            doc = Doc(
                handle,
                pagesize=page_size,
                leftMargin=builder.margin,
                rightMargin=builder.margin,
                topMargin=builder.margin,
                bottomMargin=builder.margin * 1.3,
                title=core_title(
                    f"Meeting insight summary: {f.title or 'Untitled event'} ({audience} audience)"
                ),
                subject=f"Confidential meeting insight summary for the {audience.lower()} audience",
                author="msldesk",
                creator="msldesk",
                initialFontName=fonts.regular,  # else every page names Helvetica, which is never embedded
            )
            doc.build(story, onFirstPage=first_page, onLaterPages=on_page, canvasmaker=page_count_canvas())
    except MsldeskError:
        raise  # already says why, in plain words (a full disk, a read-only folder)
    except OSError as exc:
        raise MsldeskError(
            f"The summary could not be saved as {out}: {exc.strerror or exc}. "
            "Choose a folder you can write to.",
            details=repr(exc),
        ) from exc
    except LayoutError as exc:
        raise MsldeskError("The summary could not be laid out on the page.", details=str(exc)) from exc
    progress(total, total, "Summary written")
    return out


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()
