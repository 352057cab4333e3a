"""Full-text slide search on SQLite FTS5, behind a small interface the rest of the code uses.

FTS5's unicode61 tokenizer folds case and accents but treats a run of Chinese, Japanese or Korean
characters as one token, so a phrase inside a CJK sentence could never match. Indexed text and
queries therefore put each CJK character in its own token; a CJK query becomes a phrase of
single characters, which matches it anywhere. Snippets have those extra spaces removed again.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import text
from sqlalchemy.orm import Session

from msldesk.decks.listing import narrowing, status_sql, stored_date
from msldesk.decks.records import DeckStatus, SearchFilters, derive_status

# Han, Hiragana, Katakana, Hangul (syllables and jamo), CJK symbols, full-width forms.
_CJK = (
    "\u2e80-\u2fff\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\uf900-\ufaff\uff66-\uff9f"
)
_CJK_CHAR = re.compile(f"([{_CJK}])")
_CJK_GAP = re.compile(f"(?<=[{_CJK}])(\x02|\x03)?[ ]+(\x02|\x03)?(?=[{_CJK}])")
_QUERY_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)
MARK_START, MARK_END = "\x02", "\x03"
# Column weights for bm25: title, body, notes, deck title, tags.
BM25_WEIGHTS = "10.0, 1.0, 0.5, 3.0, 5.0"
RANK_FUNCTION = f"bm25({BM25_WEIGHTS})"


def index_text(value: str) -> str:
    """Text as stored in the index: CJK characters become separate tokens."""
    return _CJK_CHAR.sub(r" \1 ", value) if value else ""


def _collapse_cjk_spaces(value: str) -> str:
    # Repeatedly, because adjacent gaps overlap in a single regex pass.
    previous = None
    while previous != value:
        previous = value
        value = _CJK_GAP.sub(lambda m: (m.group(1) or "") + (m.group(2) or ""), value)
    return value


def display_snippet(raw: str) -> str:
    """Index snippet -> HTML: CJK spacing undone, text escaped, matches in <b>…</b>."""
    value = _collapse_cjk_spaces(raw) if _CJK_CHAR.search(raw) else raw
    value = re.sub(r"\s+", " ", value).strip()
    escaped = html.escape(value, quote=False)
    return escaped.replace(MARK_START, "<b>").replace(MARK_END, "</b>")


def build_match_query(query: str) -> str:
    """User text -> FTS5 MATCH expression: every word required, words prefix-matched,
    "quoted phrases" kept as phrases, CJK runs matched as phrases. Empty if nothing searchable."""
    clauses: list[str] = []
    for match in _QUERY_TOKEN.finditer(query):
        phrase, word = match.group(1), match.group(2)
        source = phrase if phrase is not None else word
        tokens = _WORD.findall(index_text(source))
        if not tokens:
            continue
        # Split words that contain CJK into per-character tokens, as the index does.
        flat: list[str] = []
        for token in tokens:
            flat.extend(t for t in _CJK_CHAR.split(token) if t)
        # Tokens are \w+ runs, so they never contain a double quote. A multi-token string is a
        # phrase: quoted text, a CJK run, or a word split by punctuation ("anti-PD-1").
        quoted = '"' + " ".join(flat) + '"'
        is_cjk_only = all(_CJK_CHAR.fullmatch(t) for t in flat)
        if phrase is None and len(flat) == 1 and not is_cjk_only:
            clauses.append(quoted + "*")  # prefix match for a plain word
        else:
            clauses.append(quoted)
    return " AND ".join(clauses)


class IndexHit(NamedTuple):
    slide_id: int
    deck_id: int
    number: int
    title: str
    deck_title: str
    sha256: str
    thumbnail_state: str
    approval_code: str
    approved_on: str | None  # ISO dates as stored
    expires_on: str | None
    withdrawn: bool
    snippet: str | None

    def status(self, today: dt.date, expiring_days: int) -> DeckStatus:
        return derive_status(
            self.approval_code,
            stored_date(self.approved_on),
            stored_date(self.expires_on),
            bool(self.withdrawn),
            today,
            expiring_days,
        )


class SlideSearchIndex:
    """The FTS5 table `slide_fts` (rowid = slides.id), holding current slides only."""

    def add(self, session: Session, rows: Iterable[dict[str, object]]) -> None:
        payload = [
            {
                "rowid": row["slide_id"],
                "title": index_text(str(row["title"])),
                "body": index_text(str(row["text"])),
                "notes": index_text(str(row["notes"])),
                "deck_title": index_text(str(row["deck_title"])),
                "tags": index_text(" ".join(row.get("tags", ()) or ())),  # type: ignore[arg-type]
            }
            for row in rows
        ]
        if payload:
            session.execute(
                text(
                    "INSERT INTO slide_fts(rowid, title, body, notes, deck_title, tags) "
                    "VALUES (:rowid, :title, :body, :notes, :deck_title, :tags)"
                ),
                payload,
            )

    def remove(self, session: Session, slide_ids: Sequence[int]) -> None:
        if slide_ids:
            session.execute(
                text("DELETE FROM slide_fts WHERE rowid = :rowid"),
                [{"rowid": sid} for sid in slide_ids],
            )

    def reindex_deck(self, session: Session, deck_id: int) -> None:
        """Rewrite the index rows of a deck's current slides (after a title or tag change)."""
        rows = (
            session.execute(
                text(
                    "SELECT s.id AS slide_id, s.title, s.text, s.notes, d.title AS deck_title, "
                    "(SELECT group_concat(tag, ' ') FROM deck_tags WHERE deck_id = d.id) AS deck_tags, "
                    "(SELECT group_concat(tag, ' ') FROM slide_tags WHERE slide_id = s.id) AS slide_tags "
                    "FROM slides s JOIN decks d ON d.id = s.deck_id "
                    "JOIN deck_versions v ON v.id = s.version_id AND v.is_current "
                    "WHERE d.id = :deck_id"
                ),
                {"deck_id": deck_id},
            )
            .mappings()
            .all()
        )
        self.remove(session, [row["slide_id"] for row in rows])
        self.add(
            session,
            (
                {
                    **row,
                    "tags": [t for t in (row["deck_tags"] or "", row["slide_tags"] or "") if t],
                }
                for row in rows
            ),
        )

    def search(
        self,
        session: Session,
        query: str,
        filters: SearchFilters,
        limit: int,
        today: dt.date,
        expiring_days: int,
    ) -> list[IndexHit]:
        match = build_match_query(query)
        if not match:
            return []
        status = status_sql(today, expiring_days)
        # Ranking by FTS5's `rank` column (bm25 with our weights, set per query) rather than by a
        # bm25() expression lets FTS5 hand rows over already sorted: SQLite then needs no sorter,
        # and joins, filters and computes snippet() only for the rows it returns, not for every
        # match. Same scores and order; p95 over 200 queries on 100,000 slides fell from ~11 ms
        # to ~4.5 ms (bench/search_speed.py).
        where = ["slide_fts MATCH ?", "slide_fts.rank MATCH ?"]
        params: list[object] = [match, RANK_FUNCTION]
        if filters.status is None and not filters.include_expired:
            # Same rule as the CASE above (expired or withdrawn), in a form that is cheap per row.
            where.append("NOT d.withdrawn AND (d.expires_on IS NULL OR d.expires_on >= ?)")
            params.append(today.isoformat())
        narrowed, values = narrowing(filters, status)
        where += narrowed
        params += values
        if filters.deck_id is not None:
            where.append("d.id = ?")
            params.append(filters.deck_id)
        params.append(limit)
        sql = (
            "SELECT s.id AS slide_id, s.deck_id, s.number, s.title, d.title AS deck_title, "
            "v.sha256, v.thumbnail_state, d.approval_code, d.approved_on, d.expires_on, d.withdrawn, "
            f"snippet(slide_fts, -1, '{MARK_START}', '{MARK_END}', '…', 16) AS snippet "
            "FROM slide_fts JOIN slides s ON s.id = slide_fts.rowid "
            "JOIN decks d ON d.id = s.deck_id JOIN deck_versions v ON v.id = s.version_id "
            f"WHERE {' AND '.join(where)} "
            "ORDER BY slide_fts.rank LIMIT ?"
        )
        # Plain driver tuples: at ~50 rows a query, SQLAlchemy's row mappings cost more than SQLite.
        cursor = session.connection().exec_driver_sql(sql, tuple(params))
        return [IndexHit._make(row) for row in cursor.fetchall()]
