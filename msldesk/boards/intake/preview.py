"""The import wizard's background work (no Qt): preview with sample values, attendance match estimate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from msldesk.boards.records import ImportPreview, PersonFields
from msldesk.core.progress import CancelToken, ProgressCallback
from msldesk.core.user_files import display_name

if TYPE_CHECKING:
    from msldesk.boards.events.service import EventService
    from msldesk.boards.intake.service import PeopleImporter

SAMPLE_ROWS = 200


@dataclass(frozen=True)
class PreviewResult:
    preview: ImportPreview
    samples: dict[str, str] | None  # header -> first non-blank value; None when not read again


def load_preview(
    importer: PeopleImporter,
    path: Path,
    mapping: Mapping[str, str] | None,
    with_samples: bool,
    cancel: CancelToken,
    progress: ProgressCallback,
) -> PreviewResult:
    """PeopleImporter.preview, plus an example value per column the first time a file is read.

    ImportPreview carries mapped rows only, and the user needs to see what an unmapped column holds
    to map it; so the first read also reads the table itself (the source reader is cheap next to
    matching against the directory).
    """
    samples = None
    if with_samples:
        from msldesk.boards.intake.sources import read_source

        progress(0, 0, f"Reading {display_name(path.name)}")
        samples = sample_values(read_source(path, cancel))
    cancel.raise_if_cancelled()
    preview = importer.preview(path, mapping, cancel, progress)
    return PreviewResult(preview, samples)


def sample_values(table: object) -> dict[str, str]:
    headers: tuple[str, ...] = getattr(table, "headers", ())
    rows = getattr(table, "rows", ())
    samples: dict[str, str] = {}
    for _number, cells in rows[:SAMPLE_ROWS]:
        for header, cell in zip(headers, cells, strict=False):
            if header not in samples and cell.strip():
                samples[header] = cell.strip()
        if len(samples) == len(headers):
            break
    return samples


def event_people(events: EventService, event_id: int) -> list[PersonFields]:
    return [a.person.fields for a in events.attendees(event_id)]
