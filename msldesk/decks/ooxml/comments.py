"""Comments travel with their slides: their authors, listed per deck, are merged into the new deck's lists."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from msldesk.decks.ooxml.names import (
    CT_COMMENT_AUTHORS,
    CT_MODERN_AUTHORS,
    NS_P,
    REL_MODERN_AUTHORS,
    REL_TYPE,
    SAFE_PARSER,
    xml_bytes,
)
from msldesk.decks.ooxml.source_deck import SourceDeck


@dataclass(frozen=True)
class AuthorsPart:
    """A presentation-level authors part to add: how to link it, its usual name, its content."""

    rel_type: str
    name: str
    content_type: str
    data: bytes


class CommentAuthors:
    """The new deck's comment authors: legacy ones (numbered per deck, renumbered here) and modern
    ones (named by GUID, kept as they are)."""

    def __init__(self) -> None:
        self.legacy: dict[tuple[str, str], etree._Element] = {}  # (name, initials) -> cmAuthor
        self.legacy_ids: dict[tuple[Path, str], str] = {}  # (source, old id) -> new id
        self.last_comment_index: dict[str, int] = defaultdict(int)
        self.modern: dict[str, etree._Element] = {}  # author GUID -> p188:author
        self.modern_list: etree._Element | None = None

    def remap_legacy_comments(self, src: SourceDeck, data: bytes) -> bytes:
        """Comments name their author by a number that is only valid in their own deck: give each
        author one number in the new deck and renumber the comments' indexes per author."""
        authors = _legacy_authors_of(src)
        root = etree.fromstring(data, SAFE_PARSER)
        for comment in root:
            old_id = comment.get("authorId") or ""
            key = (src.path, old_id)
            if key not in self.legacy_ids:
                self.legacy_ids[key] = self._legacy_id(authors.get(old_id))
            new_id = self.legacy_ids[key]
            comment.set("authorId", new_id)
            self.last_comment_index[new_id] += 1
            comment.set("idx", str(self.last_comment_index[new_id]))
        return xml_bytes(root)

    def _legacy_id(self, author: etree._Element | None) -> str:
        """The new deck's id for `author` (one per name and initials), added on first use."""
        identity = (
            (author.get("name") or "", author.get("initials") or "")
            if author is not None
            else ("Unknown", "")
        )
        if identity not in self.legacy:
            element = etree.Element(f"{{{NS_P}}}cmAuthor")
            element.set("id", str(len(self.legacy)))
            element.set("name", identity[0])
            element.set("initials", identity[1])
            element.set("clrIdx", str(len(self.legacy) % 8))
            self.legacy[identity] = element
        return self.legacy[identity].get("id") or "0"

    def collect_modern_authors(self, src: SourceDeck, data: bytes) -> None:
        """Keep the authors of the modern comments part `data` from `src`'s authors list."""
        used = {e.get("authorId") for e in etree.fromstring(data, SAFE_PARSER).iter() if e.get("authorId")}
        part = src.first(src.main, "/authors")
        if part is None:
            return
        authors = src.xml(part)
        if self.modern_list is None:
            self.modern_list = etree.Element(authors.tag, nsmap=authors.nsmap)
        for author in authors:
            if author.get("id") in used:
                self.modern.setdefault(author.get("id") or "", author)

    def parts(self) -> list[AuthorsPart]:
        """The authors parts the new deck's presentation part links to (none without comments)."""
        parts = []
        if self.legacy:
            root = etree.Element(f"{{{NS_P}}}cmAuthorLst", nsmap={"p": NS_P})
            for element in self.legacy.values():
                element.set("lastIdx", str(self.last_comment_index[element.get("id") or ""]))
                root.append(element)
            parts.append(
                AuthorsPart(
                    REL_TYPE + "commentAuthors", "ppt/commentAuthors.xml", CT_COMMENT_AUTHORS, xml_bytes(root)
                )
            )
        if self.modern and self.modern_list is not None:
            root = self.modern_list
            for author in self.modern.values():
                root.append(author)
            parts.append(
                AuthorsPart(REL_MODERN_AUTHORS, "ppt/authors.xml", CT_MODERN_AUTHORS, xml_bytes(root))
            )
        return parts


def _legacy_authors_of(src: SourceDeck) -> dict[str, etree._Element]:
    part = src.first(src.main, "/commentAuthors")
    if part is None:
        return {}
    return {a.get("id") or "": a for a in src.xml(part) if etree.QName(a).localname == "cmAuthor"}
