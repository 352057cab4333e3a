"""The library's decks as plain SQL over any DB-API connection: one listing for the deck service and for
the command line's light read path (which runs without SQLAlchemy)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from msldesk.core import clock
from msldesk.decks.records import DeckInfo, derive_status

# Runs one SQL statement with qmark parameters and returns its rows as tuples.
RunSql = Callable[[str, Sequence[Any]], Iterable[Sequence[Any]]]

_DECKS = (
    "SELECT d.id, d.title, d.approval_code, d.approved_on, d.expires_on, d.withdrawn, d.therapeutic_area, "
    "d.product, d.audience, v.number, v.id, v.sha256, v.file_name, v.kind, v.strict, v.slide_count, "
    "v.slides_added, v.slides_changed, v.slides_removed, v.imported_at, v.thumbnail_state, "
    "v.thumbnail_error, v.warnings "
    "FROM decks d JOIN deck_versions v ON v.deck_id = d.id AND v.is_current = 1{where} "
    "ORDER BY lower(d.title), d.id"
)
_TAGS = "SELECT deck_id, tag FROM deck_tags{where} ORDER BY tag"


def preview_pdf_path(previews: Path, sha256: str) -> Path:
    """Where a deck version's rendered PDF lives in the thumbnail cache."""
    return previews / sha256[:2] / f"{sha256}.pdf"


def deck_infos(
    run: RunSql,
    previews: Path,
    today: dt.date,
    expiring_within_days: int,
    deck_id: int | None = None,
) -> list[DeckInfo]:
    """The current version of every deck (or of `deck_id` only), ordered by title."""
    params: tuple[int, ...] = () if deck_id is None else (deck_id,)
    tags: dict[int, list[str]] = {}
    for tag_deck, tag in run(_TAGS.format(where="" if deck_id is None else " WHERE deck_id = ?"), params):
        tags.setdefault(tag_deck, []).append(tag)
    result = []
    for row in run(_DECKS.format(where="" if deck_id is None else " WHERE d.id = ?"), params):
        (
            deck, title, approval_code, approved_on, expires_on, withdrawn, area, product, audience,
            number, version_id, sha256, file_name, kind, strict, slide_count, added, changed, removed,
            imported_at, thumbnail_state, thumbnail_error, warnings,
        ) = row  # fmt: skip
        approved, expires, withdrawn = _date(approved_on), _date(expires_on), bool(withdrawn)
        status = derive_status(approval_code, approved, expires, withdrawn, today, expiring_within_days)
        rendered = thumbnail_state == "done"
        result.append(
            DeckInfo(
                deck_id=deck,
                title=title,
                approval_code=approval_code,
                approved_on=approved,
                expires_on=expires,
                withdrawn=withdrawn,
                status=status,
                therapeutic_area=area,
                product=product,
                audience=audience,
                tags=tuple(tags.get(deck, ())),
                version=number,
                version_id=version_id,
                sha256=sha256,
                file_name=file_name,
                kind=kind,
                strict=bool(strict),
                slide_count=slide_count,
                slides_added=added,
                slides_changed=changed,
                slides_removed=removed,
                imported_at=_datetime(imported_at),
                thumbnail_state=thumbnail_state,
                # The column holds the failure, or for rendered decks a note (slides left out).
                thumbnail_error="" if rendered else thumbnail_error,
                thumbnail_note=thumbnail_error if rendered else "",
                warnings=tuple(w for w in warnings.split("\n") if w),
                preview_pdf=str(preview_pdf_path(previews, sha256)) if rendered else None,
            )
        )
    return result


def _date(value: str | dt.date | None) -> dt.date | None:
    """SQLite keeps dates as ISO text (the ORM's DATE type writes them so)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _datetime(value: str | dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time, as text over a bare connection, as records carry it (aware)."""
    return clock.stored(value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value))
