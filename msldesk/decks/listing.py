"""The library's decks and slides as plain SQL over any DB-API connection: one listing for the deck
service and for the light read path (the command line's `decks`, the desktop's first slides), which runs
without SQLAlchemy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from msldesk.core import clock
from msldesk.decks.records import DeckInfo, DeckStatus, SearchFilters, SlideInfo, derive_status

# Runs one SQL statement with qmark parameters and returns its rows as tuples.
RunSql = Callable[[str, Sequence[Any]], Iterable[Sequence[Any]]]
# A slide's thumbnail file from its deck version's sha256, render state and slide number (None: none).
ThumbnailPath = Callable[[str, str, int], str | None]

_DECKS = (
    "SELECT d.id, d.title, d.approval_code, d.approved_on, d.expires_on, d.withdrawn, d.therapeutic_area, "
    "d.product, d.audience, v.number, v.id, v.sha256, v.file_name, v.kind, v.strict, v.slide_count, "
    "v.slides_added, v.slides_changed, v.slides_removed, v.imported_at, v.thumbnail_state, "
    "v.thumbnail_error, v.warnings, d.origin "
    "FROM decks d JOIN deck_versions v ON v.deck_id = d.id AND v.is_current = 1{where} "
    "ORDER BY lower(d.title), d.id"
)
_TAGS = "SELECT deck_id, tag FROM deck_tags{where} ORDER BY tag"


_SLIDES = (
    "SELECT s.id, s.deck_id, d.title, v.number, s.number, s.title, s.text, s.notes, s.layout, s.hidden, "
    "s.has_chart, s.has_table, s.has_picture, s.has_media, s.change, v.sha256, v.thumbnail_state, "
    "({status}), (SELECT group_concat(tag, '\x1f') FROM slide_tags t WHERE t.slide_id = s.id) "
    "FROM slides s JOIN deck_versions v ON v.id = s.version_id JOIN decks d ON d.id = s.deck_id "
    "WHERE v.is_current AND {where} {order} LIMIT ? OFFSET ?"
)
_COUNT_SLIDES = (
    "SELECT count(*) FROM slides s JOIN deck_versions v ON v.id = s.version_id AND v.is_current "
    "JOIN decks d ON d.id = s.deck_id WHERE {where}"
)
_LIBRARY_ORDER = "ORDER BY lower(d.title), d.id, s.number"


def preview_pdf_path(previews: Path, sha256: str) -> Path:
    """Where a deck version's rendered PDF lives in the thumbnail cache."""
    return previews / sha256[:2] / f"{sha256}.pdf"


def slide_png_path(thumbnails: Path, sha256: str, number: int) -> Path:
    """Where a slide's thumbnail lives in the thumbnail cache."""
    return thumbnails / sha256[:2] / sha256 / f"{number}.png"


def slide_thumbnail(thumbnails: Path, max_slides: int) -> ThumbnailPath:
    """The thumbnail a slide listing shows: rendered decks only, and slides past the render limit show
    their titles."""

    max_slides = max(1, max_slides)  # as the renderer counts it

    def path(sha256: str, state: str, number: int) -> str | None:
        if state != "done" or number > max_slides:
            return None
        return str(slide_png_path(thumbnails, sha256, number))

    return path


def status_sql(today: dt.date, expiring_days: int) -> str:
    """SQL CASE computing DeckStatus from a `d` (decks) row; mirrors records.derive_status."""
    soon = today + dt.timedelta(days=expiring_days)
    return (
        "CASE WHEN d.withdrawn THEN 'withdrawn' "
        f"WHEN d.expires_on IS NOT NULL AND d.expires_on < '{today.isoformat()}' THEN 'expired' "
        "WHEN d.approval_code = '' OR d.approved_on IS NULL "
        f"OR d.approved_on > '{today.isoformat()}' THEN 'draft' "
        f"WHEN d.expires_on IS NOT NULL AND d.expires_on <= '{soon.isoformat()}' THEN 'expiring' "
        "ELSE 'approved' END"
    )


def narrowing(filters: SearchFilters, status: str) -> tuple[list[str], list[Any]]:
    """The conditions (qmark) and values for the library's filters, the same for search and for
    browsing: the deck's status (`status`: status_sql() for today), a tag of the deck or of the
    slide, the therapeutic area."""
    where: list[str] = []
    params: list[Any] = []
    if filters.status is not None:
        where.append(f"({status}) = ?")
        params.append(filters.status.value)
    if filters.tag:
        where.append(
            "(EXISTS (SELECT 1 FROM deck_tags t WHERE t.deck_id = d.id AND t.tag = ?)"
            " OR EXISTS (SELECT 1 FROM slide_tags st WHERE st.slide_id = s.id AND st.tag = ?))"
        )
        params += [filters.tag, filters.tag]
    if filters.therapeutic_area:
        where.append("d.therapeutic_area = ?")
        params.append(filters.therapeutic_area)
    return where, params


def _listing_where(
    status: str, deck_id: int | None, include_expired: bool, narrow: SearchFilters | None = None
) -> tuple[str, list[Any]]:
    """`narrow`: its tag, therapeutic area and status, as the search applies them (browsing with the
    library's filters set); its deck and expired choices are the arguments'."""
    where, params = ["1=1"], list[Any]()
    if deck_id is not None:
        where.append("s.deck_id = ?")
        params.append(deck_id)
    if not include_expired:
        where.append(f"({status}) NOT IN ('expired', 'withdrawn')")
    if narrow is not None:
        narrowed, values = narrowing(narrow, status)
        where += narrowed
        params += values
    return " AND ".join(where), params


def count_slides(
    run: RunSql,
    status: str,
    deck_id: int | None = None,
    include_expired: bool = True,
    narrow: SearchFilters | None = None,
) -> int:
    """Current slides of one deck or of the whole library. `status`: status_sql() for today."""
    where, params = _listing_where(status, deck_id, include_expired, narrow)
    rows = list(run(_COUNT_SLIDES.format(where=where), params))
    return int(rows[0][0] or 0) if rows else 0


def list_slides(
    run: RunSql,
    status: str,
    thumbnail: ThumbnailPath,
    deck_id: int | None = None,
    offset: int = 0,
    limit: int | None = None,
    include_expired: bool = True,
    narrow: SearchFilters | None = None,
) -> list[SlideInfo]:
    """Current slides of one deck, or of the whole library (deck title order), a page at a time."""
    where, params = _listing_where(status, deck_id, include_expired, narrow)
    return slide_infos(run, status, thumbnail, where, params, _LIBRARY_ORDER, offset, limit)


def slide_infos(
    run: RunSql,
    status: str,
    thumbnail: ThumbnailPath,
    where: str,
    params: Sequence[Any] = (),
    order: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> list[SlideInfo]:
    """Current slides matching `where` (a condition on s, v and d with qmark `params`)."""
    sql = _SLIDES.format(status=status, where=where, order=order)
    result = []
    for row in run(sql, (*params, -1 if limit is None else limit, offset)):
        (
            slide_id, deck_id, deck_title, version, number, title, text, notes, layout, hidden,
            has_chart, has_table, has_picture, has_media, change, sha256, thumbnail_state, slide_status,
            tags,
        ) = row  # fmt: skip
        result.append(
            SlideInfo(
                slide_id=slide_id,
                deck_id=deck_id,
                deck_title=deck_title,
                version=version,
                number=number,
                title=title,
                text=text,
                notes=notes,
                layout=layout,
                hidden=bool(hidden),
                has_chart=bool(has_chart),
                has_table=bool(has_table),
                has_picture=bool(has_picture),
                has_media=bool(has_media),
                change=change,
                status=DeckStatus(str(slide_status)),
                tags=tuple(sorted(tags.split("\x1f"))) if tags else (),
                thumbnail=thumbnail(sha256, thumbnail_state, number),
            )
        )
    return result


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
            imported_at, thumbnail_state, thumbnail_error, warnings, origin,
        ) = row  # fmt: skip
        approved, expires, withdrawn = stored_date(approved_on), stored_date(expires_on), bool(withdrawn)
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
                origin=origin,
            )
        )
    return result


def stored_date(value: object) -> dt.date | None:
    """A deck's stored date (SQLite keeps dates as ISO text: the ORM's DATE type writes them so): the
    one reader of them, so a value changed outside msldesk is said in plain words (library_guard)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _datetime(value: str | dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time, as text over a bare connection, as records carry it (aware)."""
    return clock.stored(value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value))
