"""The new deck's parts: copied from the source decks under fresh names, with their relationships remapped.

Every copied part gets a fresh name (the recipes in circulation reuse names and so silently replace
the target's pictures and charts), relationships are rewritten to those names (their ids are kept,
so the XML needs few edits), pictures and media are stored once per content (embedded workbooks and
objects once per copy, since they are edited in place), and each source deck's masters, used
layouts and themes are carried once.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from msldesk.decks.ooxml.comments import CommentAuthors
from msldesk.decks.ooxml.names import (
    CT_CHART,
    CT_LEGACY_COMMENTS,
    CT_MODERN_COMMENTS,
    NOTES_SLIDE,
    NS_P,
    NS_R,
    SAFE_PARSER,
    xml_bytes,
)
from msldesk.decks.ooxml.office2007_charts import explicit_office2007_chart
from msldesk.decks.ooxml.opc import Relationship
from msldesk.decks.ooxml.slide_size import Fit, refit
from msldesk.decks.ooxml.source_deck import FITTED_PARTS, SourceDeck
from msldesk.decks.ooxml.text_defaults import apply_text_defaults

PartKey = tuple[Path, str]  # (source deck, lower-case part name)


@dataclass
class OutPart:
    """One part of the new deck."""

    name: str
    content_type: str
    data: bytes
    rels: list[Relationship] = field(default_factory=list)


class PartNamer:
    """Fresh part names: ppt/slides/slide7.xml, ppt/media/image12.png, unique case-insensitively."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.counters: dict[tuple[str, str, str], int] = defaultdict(int)

    def reserve(self, name: str) -> str:
        self.used.add(name.lower())
        return name

    def fresh(self, like: str) -> str:
        """`like` itself when still free (familiar names), else the next free number."""
        if like.lower() not in self.used and not like.lower().startswith("ppt/slides/slide"):
            return self.reserve(like)
        folder, base = posixpath.split(like)
        stem, dot, ext = base.rpartition(".")
        if not dot:
            stem, ext = base, ""
        stem = re.sub(r"\d+$", "", stem) or "part"
        key = (folder, stem, ext)
        while True:
            self.counters[key] += 1
            name = posixpath.join(folder, f"{stem}{self.counters[key]}{dot}{ext}")
            if name.lower() not in self.used:
                return self.reserve(name)


class PartGraph:
    """The parts of the new deck by name, and what was copied from where."""

    def __init__(self, warn: Callable[[str], None]) -> None:
        self.warn = warn
        self.namer = PartNamer()
        self.parts: dict[str, OutPart] = {}
        self.comments = CommentAuthors()
        self.shared_memo: dict[PartKey, str] = {}  # masters, layouts, themes: carried once
        self.binary_by_hash: dict[tuple[str, str], str] = {}
        self.fitted_themes: set[str] = set()
        self.slide_of: dict[PartKey, str] = {}  # first copy of each source slide
        self.used_layouts: dict[PartKey, set[str]] = defaultdict(set)  # master -> layouts
        self.masters: list[str] = []  # output master names, in order
        self.notes_master: str | None = None

    def add_fresh(
        self, like: str, content_type: str, data: bytes, rels: list[Relationship] | None = None
    ) -> str:
        """Add a part made here (not copied) under a fresh name like `like`; its name."""
        name = self.namer.fresh(like)
        self.parts[name] = OutPart(name, content_type, data, rels or [])
        return name

    def reserve_slide(self, src: SourceDeck, part: str, number: int) -> str:
        """Name the new deck's slide `number` (1-based), to be copied from `part`, before any slide
        is copied: links between picked slides, and the layouts a master carries, need them all."""
        name = self.namer.reserve(f"ppt/slides/slide{number}.xml")
        self.slide_of.setdefault((src.path, part.lower()), name)
        layout = src.first(part, "/slideLayout")
        if layout:
            master = src.first(layout, "/slideMaster")
            if master:
                self.used_layouts[(src.path, master.lower())].add(layout.lower())
        return name

    def copy_slide(self, src: SourceDeck, part: str, name: str) -> None:
        """Copy the slide `part` of `src` as `name`, with everything it links to."""
        memo: dict[PartKey, str] = {(src.path, part.lower()): name}
        self.parts[name] = OutPart(name, src.content_type(part), src.data(part))
        self.parts[name].rels, data = self._copy_rels(src, part, name, memo, slide_part=True)
        if data is not None:
            self.parts[name].data = data
        if src.restyle is not None or src.fit is not None:
            root = src.tree(self.parts[name].data)
            if src.restyle is not None:
                apply_text_defaults(root, src.restyle)
            if src.fit is not None:
                refit(root, src.fit)
            self.parts[name].data = xml_bytes(root)

    def copy_shared(self, src: SourceDeck, part: str) -> str | None:
        """Copy a part that all of `src`'s slides share (a layout, a theme...) once."""
        return self.copy_part(src, part, self.shared_memo)

    def copy_notes_master(self, src: SourceDeck, part: str) -> str | None:
        """The new deck's one notes master: the first one copied."""
        if self.notes_master is None:
            self.notes_master = self.copy_shared(src, part)
        return self.notes_master

    def _copy_rels(
        self,
        src: SourceDeck,
        part: str,
        new_name: str,
        memo: dict[PartKey, str],
        slide_part: bool = False,
        owner_slide: str | None = None,
    ) -> tuple[list[Relationship], bytes | None]:
        """The copied relationships of `part` (targets copied as needed), and new XML if edited."""
        out: list[Relationship] = []
        dropped: list[str] = []
        for rel in src.relationships(part):
            if rel.external:
                out.append(rel)
                continue
            bookmark = posixpath.basename(rel.target)
            if bookmark.startswith("#"):  # "#_ftn1": a place in the part itself, not another part
                folder = posixpath.dirname(new_name)
                out.append(Relationship(rel.rel_id, rel.rel_type, posixpath.join(folder, bookmark), False))
                continue
            target = self._target(src, part, rel, memo, slide_part, owner_slide or new_name)
            if target is None:
                dropped.append(rel.rel_id)
                continue
            out.append(Relationship(rel.rel_id, rel.rel_type, target, False))
        data = None
        if dropped:
            data = _strip_references(
                self.parts[new_name].data if new_name in self.parts else src.data(part), dropped
            )
        return out, data

    def _target(
        self,
        src: SourceDeck,
        part: str,
        rel: Relationship,
        memo: dict[PartKey, str],
        slide_part: bool,
        owner_slide: str,
    ) -> str | None:
        """The new deck's name for `rel`'s target (copied if need be), or None to leave the link out."""
        kind = rel.rel_type.rsplit("/", 1)[-1]
        target = rel.target
        if not src.package.has(target):
            self.warn(f"{src.name}: {part} points to a missing part {target}; link left out.")
            return None
        if kind == "slide":
            return self._slide_target(src, part, target, owner_slide)
        if kind == "slideLayout" and slide_part:
            return self._copy_layout_chain(src, target)
        if kind == "slideMaster":
            return self._copy_master(src, target)
        if kind == "slideLayout":
            return self.copy_shared(src, target)
        if kind == "notesMaster":
            return self.copy_notes_master(src, target)
        if kind in ("commentAuthors", "authors", "handoutMaster"):
            return None
        return self.copy_part(src, target, memo, owner_slide=owner_slide)

    def _slide_target(self, src: SourceDeck, part: str, target: str, owner_slide: str) -> str | None:
        if src.content_type(part).endswith(NOTES_SLIDE):
            return owner_slide  # a notes slide's link back to its slide
        mapped = self.slide_of.get((src.path, target.lower()))
        if mapped is None:
            self.warn(
                f"{src.name}: a link on {posixpath.basename(part)} goes to a slide that is not "
                "in the new deck; the link was removed."
            )
        return mapped

    def copy_part(
        self,
        src: SourceDeck,
        part: str,
        memo: dict[PartKey, str],
        owner_slide: str | None = None,
    ) -> str | None:
        """The output name of `part` (copied with what it links to), or None when it is left out."""
        key = (src.path, part.lower())
        if key in memo:
            return memo[key]
        content_type = src.content_type(part)
        rels = src.relationships(part)
        data = src.data(part)
        if part.lower() in src.unreadable:
            return None
        if not rels and _shareable(content_type, part):
            name = self._stored_once(src, part, content_type, data)
            memo[key] = name
            return name
        data = self._edited_for_new_deck(src, content_type, data)
        name = self.namer.fresh(src.package.part_name(part))
        memo[key] = name
        self.parts[name] = OutPart(name, content_type, data)
        new_rels, edited = self._copy_rels(src, part, name, memo, owner_slide=owner_slide)
        self.parts[name].rels = new_rels
        if edited is not None:
            self.parts[name].data = edited
        return name

    def _stored_once(self, src: SourceDeck, part: str, content_type: str, data: bytes) -> str:
        """Pictures and media: one copy per content in the whole deck. Embedded workbooks and OLE
        objects are not shared (see _shareable)."""
        digest = (hashlib.sha256(data).hexdigest(), content_type)
        existing = self.binary_by_hash.get(digest)
        if existing is not None:
            return existing
        name = self.namer.fresh(src.package.part_name(part))
        self.binary_by_hash[digest] = name
        self.parts[name] = OutPart(name, content_type, data)
        return name

    def _edited_for_new_deck(self, src: SourceDeck, content_type: str, data: bytes) -> bytes:
        """What a copied part needs to look and work as it did: Office 2007 charts' flags written
        out, the deck's scale applied, comment authors renumbered."""
        if content_type == CT_CHART and src.office2007:
            data = explicit_office2007_chart(data)
        if src.fit is not None and content_type.endswith(FITTED_PARTS):
            fit = src.fit.without_offset() if content_type.endswith("diagramDrawing+xml") else src.fit
            data = _refitted(src.tree(data), fit)  # a SmartArt drawing lies inside its frame
        if content_type == CT_LEGACY_COMMENTS:
            data = self.comments.remap_legacy_comments(src, data)
        elif content_type == CT_MODERN_COMMENTS:
            self.comments.collect_modern_authors(src, data)
        return data

    def _copy_layout_chain(self, src: SourceDeck, layout: str) -> str | None:
        master = src.first(layout, "/slideMaster")
        if master is not None:
            self._copy_master(src, master)
        return self.copy_shared(src, layout)

    def _copy_master(self, src: SourceDeck, master: str) -> str:
        """Copy a slide master once, with its theme and only the layouts the picked slides use."""
        key = (src.path, master.lower())
        if key in self.shared_memo:
            return self.shared_memo[key]
        name = self.namer.fresh("ppt/slideMasters/slideMaster1.xml")
        self.shared_memo[key] = name
        self.masters.append(name)
        root = src.xml(master)
        self.parts[name] = OutPart(name, src.content_type(master), b"")
        rels, dropped = self._copy_master_rels(src, master, self.used_layouts.get(key, set()))
        kept_ids = {rel.rel_id for rel in rels if not rel.external}
        for layout_list in root.iter(f"{{{NS_P}}}sldLayoutIdLst"):
            for entry in list(layout_list):
                if entry.get(f"{{{NS_R}}}id") not in kept_ids:
                    layout_list.remove(entry)
        if dropped:  # e.g. a picture on the master that is missing from the source
            root = etree.fromstring(_strip_references(xml_bytes(root), dropped), SAFE_PARSER)
        if src.fit is not None:
            refit(root, src.fit)
        self.parts[name].data = xml_bytes(root)
        self.parts[name].rels = rels
        return name

    def _copy_master_rels(
        self, src: SourceDeck, master: str, used_layouts: set[str]
    ) -> tuple[list[Relationship], list[str]]:
        """A master's relationships with their targets copied, and the ids of those left out because
        their targets are missing or unreadable (unused layouts are left out silently)."""
        rels: list[Relationship] = []
        dropped: list[str] = []
        for rel in src.relationships(master):
            if rel.external:
                rels.append(rel)
                continue
            if rel.rel_type.endswith("/slideLayout") and rel.target.lower() not in used_layouts:
                continue  # unused layouts of a carried master stay behind
            target = self.copy_shared(src, rel.target) if src.package.has(rel.target) else None
            if target is None:
                dropped.append(rel.rel_id)
                continue
            if src.fit is not None and rel.rel_type.endswith("/theme") and target not in self.fitted_themes:
                self.fitted_themes.add(target)  # its line widths (a notes master's theme stays)
                self.parts[target].data = _refitted(src.tree(self.parts[target].data), src.fit)
            rels.append(Relationship(rel.rel_id, rel.rel_type, target, False))
        return rels, dropped


def _shareable(content_type: str, part: str) -> bool:
    """Parts that may be stored once and used by several slides: pictures and media are only ever
    read. An embedded workbook or OLE object is edited in place (PowerPoint's "Edit Data",
    python-pptx's chart.replace_data()), so a shared copy would silently change another chart."""
    content_type = content_type.lower()
    if content_type.startswith(("image/", "video/", "audio/")):
        return True
    return "/media/" in f"/{part.lower()}" and not content_type.endswith("xml")


def _strip_references(data: bytes, rel_ids: list[str]) -> bytes:
    """Remove the elements (hyperlinks, mostly) that refer to relationships left out."""
    root = etree.fromstring(data, SAFE_PARSER)
    gone = set(rel_ids)
    for element in list(root.iter()):
        if any(k.startswith("{") and "relationships" in k and v in gone for k, v in element.attrib.items()):
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
    return xml_bytes(root)


def _refitted(root: etree._Element, fit: Fit) -> bytes:
    refit(root, fit)
    return xml_bytes(root)
