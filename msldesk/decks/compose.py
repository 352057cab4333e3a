"""Assemble one PowerPoint deck from slides of several source decks, faithfully, at the package level.

python-pptx cannot copy a slide between presentations, and the recipes in circulation write
duplicate part names that silently replace the target's pictures and charts. Here every copied part
gets a fresh name, relationships are rewritten to those names (their ids are kept, so slide XML
needs no edits), binary parts (pictures, media, embedded files) are stored once per content, and
each source deck's masters, used layouts and themes are carried once. Strict OOXML sources are
translated to transitional on the way. The output is written atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

from msldesk.decks.package import OpcPackage, Relationship, content_types, open_package
from msldesk.errors import InvalidInputError
from msldesk.fileio import atomic_writer
from msldesk.progress import CancelToken, ProgressCallback, no_progress

NS_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
CT_PRESENTATION = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_APP = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
FIRST_SLIDE_ID = 256
FIRST_MASTER_ID = 2147483648
# Presentation-level relationships rebuilt here rather than copied from the first deck.
REBUILT_PRESENTATION_RELS = (
    "/slide",
    "/slideMaster",
    "/notesMaster",
    "/handoutMaster",
    "/theme",
    "/vbaProject",
    "/customXml",
    "/tags",
    "/commentAuthors",
    "/authors",
)
SECTION_EXT_URI = "{521415D9-36F7-43E2-AB2F-B90AF26B5E84}"
CT_LEGACY_COMMENTS = "application/vnd.openxmlformats-officedocument.presentationml.comments+xml"
CT_COMMENT_AUTHORS = "application/vnd.openxmlformats-officedocument.presentationml.commentAuthors+xml"
CT_MODERN_COMMENTS = "application/vnd.ms-powerpoint.comments+xml"
CT_MODERN_AUTHORS = "application/vnd.ms-powerpoint.authors+xml"
REL_MODERN_AUTHORS = "http://schemas.microsoft.com/office/2018/10/relationships/authors"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
_RECOVER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)

# Strict OOXML (ISO 29500 strict) -> transitional: namespaces, relationship types, percentages.
_STRICT_NS = re.compile(
    rb"http://purl\.oclc\.org/ooxml/(officeDocument|drawingml|presentationml)/(\w+)(/\w+)?"
)
_STRICT_RENAMES = {
    b"extendedProperties": b"extended-properties",
    b"customProperties": b"custom-properties",
}
_PERCENT_ATTR = re.compile(rb'="(-?\d+(?:\.\d+)?)%"')


def _strict_to_transitional(data: bytes) -> bytes:
    def namespace(match: re.Match[bytes]) -> bytes:
        area, name, rest = match.group(1), match.group(2), match.group(3) or b""
        if area == b"officeDocument" and name == b"relationships" and rest:
            rest = b"/" + _STRICT_RENAMES.get(rest[1:], rest[1:])
        return (
            b"http://schemas.openxmlformats.org/" + area + b"/2006/" + _STRICT_RENAMES.get(name, name) + rest
        )

    data = _STRICT_NS.sub(namespace, data)
    # Strict writes percentages as "50%"; transitional as thousandths of a percent ("50000").
    return _PERCENT_ATTR.sub(lambda m: b'="%d"' % round(float(m.group(1)) * 1000), data)


@dataclass(frozen=True)
class SourceSlide:
    """Slide `number` (1-based, as in the deck's slide list) of the deck file `package`."""

    package: Path
    number: int
    label: str = ""  # how to name it in messages, e.g. "Deck title, slide 3"


@dataclass(frozen=True)
class ComposeResult:
    path: Path
    slides: int
    parts: int
    warnings: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class _OutPart:
    name: str
    content_type: str
    data: bytes
    rels: list[Relationship] = field(default_factory=list)


class _Source:
    """One source deck: its reader, content types, slide list and layout/master structure."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.package: OpcPackage = open_package(path)
        self.repairs: list[str] = []
        self.overrides, self.defaults = content_types(self.package)
        main = self.package.first_rel("", "/officeDocument")
        if main is None:
            raise InvalidInputError(f"{path.name} has no presentation part.")
        self.main = main
        self.strict = any(
            r.rel_type.startswith("http://purl.oclc.org") for r in self.package.relationships("")
        )
        root = self.xml(main)
        rels = {r.rel_id: r for r in self.package.relationships(main)}
        self.slides: list[str] = []
        self.slide_size: tuple[str, str] | None = None
        for child in root:
            local = etree.QName(child).localname
            if local == "sldIdLst":
                for sld_id in child:
                    rel_id = next((v for k, v in sld_id.attrib.items() if k.endswith("}id")), None)
                    if rel_id in rels:
                        self.slides.append(rels[rel_id].target)
            elif local == "sldSz":
                self.slide_size = (child.get("cx") or "", child.get("cy") or "")

    def close(self) -> None:
        self.package.close()

    def content_type(self, part: str) -> str:
        return self.overrides.get(part.lower()) or self.defaults.get(part.rpartition(".")[2].lower(), "")

    def data(self, part: str) -> bytes:
        data = self.package.read_binary(part)
        if _is_xml(self.content_type(part), part):
            if self.strict:
                data = _strict_to_transitional(data)
            data = self._well_formed(part, data)
        return data

    def _well_formed(self, part: str, data: bytes) -> bytes:
        """XML as is if it parses; otherwise lxml's repair, or for a layout a plain blank layout of
        the same name, with a warning: one malformed part must not make the whole deck unreadable."""
        try:
            etree.fromstring(data, _PARSER)
            return data
        except etree.XMLSyntaxError as exc:
            problem = str(exc)
        repaired = _recover(data)
        if repaired is not None:
            self.repairs.append(f"{self.path.name}: the malformed part {part} was repaired ({problem}).")
            return repaired
        if self.content_type(part).endswith("slideLayout+xml"):
            name = re.search(rb'<p:cSld[^>]*\bname="([^"]*)"', data)
            self.repairs.append(
                f"{self.path.name}: the malformed layout {part} was replaced by a blank layout ({problem})."
            )
            return _BLANK_LAYOUT.replace(b"{name}", name.group(1) if name else b"Blank")
        self.repairs.append(f"{self.path.name}: the part {part} is not well-formed XML; copied unchanged.")
        return data

    def xml(self, part: str) -> etree._Element:
        return etree.fromstring(self.data(part), _PARSER)

    def relationships(self, part: str) -> list[Relationship]:
        rels = self.package.relationships(part)
        if not self.strict:
            return rels
        return [
            Relationship(
                r.rel_id, _strict_to_transitional(r.rel_type.encode()).decode(), r.target, r.external
            )
            for r in rels
        ]

    def first(self, part: str, suffix: str) -> str | None:
        return next(
            (r.target for r in self.relationships(part) if not r.external and r.rel_type.endswith(suffix)),
            None,
        )


_BLANK_LAYOUT = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<p:sldLayout xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    b'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" preserve="1">'
    b'<p:cSld name="{name}"><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/>'
    b"</p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr>"
    b"</p:sldLayout>"
)


_EMPTY_PREFIX_ELEMENT = re.compile(rb"<:(\w+)\b[^>]*?(?:/>|>.*?</:\1>)", re.S)


def _recover(data: bytes) -> bytes | None:
    """A repaired copy that is well-formed XML, or None. Writers have been seen emitting elements
    with an empty prefix (`<:scene3d>`): those are dropped (they are optional effects); anything
    else is left to lxml's recovering parser."""
    data = _EMPTY_PREFIX_ELEMENT.sub(b"", data)
    try:
        etree.fromstring(data, _PARSER)
        return data
    except etree.XMLSyntaxError:
        pass
    try:
        root = etree.fromstring(data, _RECOVER)
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    text = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    try:
        etree.fromstring(text, _PARSER)
    except etree.XMLSyntaxError:
        return None
    return text


def _is_xml(content_type: str, part: str) -> bool:
    return content_type.endswith("xml") or part.lower().endswith((".xml", ".rels", ".vml"))


class _Namer:
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


class _Composer:
    def __init__(self, slides: Sequence[SourceSlide], title: str) -> None:
        self.picks = list(slides)
        self.title = title
        self.sources: dict[Path, _Source] = {}
        self.namer = _Namer()
        self.parts: dict[str, _OutPart] = {}
        self.global_memo: dict[tuple[Path, str], str] = {}
        self.binary_by_hash: dict[tuple[str, str], str] = {}
        self.warnings: list[str] = []
        self.slide_names: list[str] = []
        self.slide_of: dict[tuple[Path, str], str] = {}  # first copy of each source slide
        self.used_layouts: dict[tuple[Path, str], set[str]] = defaultdict(set)  # master -> layouts
        self.masters: list[str] = []  # output master names, in order
        self.notes_master: str | None = None
        self.main_out = self.namer.reserve("ppt/presentation.xml")
        # Comment authors live at presentation level; comments are carried with their slides.
        self.comment_authors: dict[tuple[str, str], etree._Element] = {}  # (name, initials) -> cmAuthor
        self.author_ids: dict[tuple[Path, str], str] = {}  # (source, old id) -> new id
        self.last_comment_index: dict[str, int] = defaultdict(int)
        self.modern_authors: dict[str, etree._Element] = {}  # author GUID -> p188:author
        self.modern_author_list: etree._Element | None = None

    # ---- planning -----------------------------------------------------------------------------

    def source(self, path: Path) -> _Source:
        path = Path(path)
        if path not in self.sources:
            self.sources[path] = _Source(path)
        return self.sources[path]

    def plan(self) -> None:
        for index, pick in enumerate(self.picks):
            src = self.source(pick.package)
            if not 1 <= pick.number <= len(src.slides):
                raise InvalidInputError(
                    f"{pick.label or pick.package.name}: the deck has no slide {pick.number} "
                    f"(it has {len(src.slides)})."
                )
            part = src.slides[pick.number - 1]
            name = self.namer.reserve(f"ppt/slides/slide{index + 1}.xml")
            self.slide_names.append(name)
            self.slide_of.setdefault((src.path, part.lower()), name)
            layout = src.first(part, "/slideLayout")
            if layout:
                master = src.first(layout, "/slideMaster")
                if master:
                    self.used_layouts[(src.path, master.lower())].add(layout.lower())
        first = self.source(self.picks[0].package)
        for path, src in self.sources.items():
            if src.slide_size and first.slide_size and src.slide_size != first.slide_size:
                self.warnings.append(
                    f"{path.name} has a different slide size ({_size_label(src.slide_size)}) from the "
                    f"first slide's deck ({_size_label(first.slide_size)}); its slides keep their "
                    "layout but are not rescaled."
                )

    # ---- copying ------------------------------------------------------------------------------

    def copy_slide(self, index: int) -> None:
        pick = self.picks[index]
        src = self.source(pick.package)
        part = src.slides[pick.number - 1]
        name = self.slide_names[index]
        memo: dict[tuple[Path, str], str] = {(src.path, part.lower()): name}
        self.parts[name] = _OutPart(name, src.content_type(part), src.data(part))
        self.parts[name].rels, data = self._copy_rels(src, part, name, memo, slide_part=True)
        if data is not None:
            self.parts[name].data = data

    def _copy_rels(
        self,
        src: _Source,
        part: str,
        new_name: str,
        memo: dict[tuple[Path, str], str],
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
        src: _Source,
        part: str,
        rel: Relationship,
        memo: dict[tuple[Path, str], str],
        slide_part: bool,
        owner_slide: str,
    ) -> str | None:
        kind = rel.rel_type.rsplit("/", 1)[-1]
        target = rel.target
        if not src.package.has(target):
            self.warnings.append(f"{src.path.name}: {part} points to a missing part {target}; link left out.")
            return None
        if kind == "slide":
            if src.content_type(part).endswith("notesSlide+xml"):
                return owner_slide  # a notes slide's link back to its slide
            mapped = self.slide_of.get((src.path, target.lower()))
            if mapped is None:
                self.warnings.append(
                    f"{src.path.name}: a link on {posixpath.basename(part)} goes to a slide that is not "
                    "in the new deck; the link was removed."
                )
            return mapped
        if kind == "slideLayout" and slide_part:
            return self._copy_layout_chain(src, target)
        if kind == "slideMaster":
            return self._copy_master(src, target)
        if kind == "slideLayout":
            return self._copy_global(src, target)
        if kind == "notesMaster":
            return self._notes_master(src, target)
        if kind == "notesSlide":
            return self._copy_part(src, target, memo, owner_slide=owner_slide)
        if kind in ("commentAuthors", "authors", "handoutMaster"):
            return None
        return self._copy_part(src, target, memo, owner_slide=owner_slide)

    def _copy_part(
        self,
        src: _Source,
        part: str,
        memo: dict[tuple[Path, str], str],
        owner_slide: str | None = None,
    ) -> str:
        key = (src.path, part.lower())
        if key in memo:
            return memo[key]
        content_type = src.content_type(part)
        rels = src.relationships(part)
        data = src.data(part)
        if not rels and not _is_xml(content_type, part):
            # Pictures, media, embedded files: one copy per content in the whole deck.
            digest = (hashlib.sha256(data).hexdigest(), content_type)
            existing = self.binary_by_hash.get(digest)
            if existing is not None:
                memo[key] = existing
                return existing
            name = self.namer.fresh(src.package.part_name(part))
            self.binary_by_hash[digest] = name
            memo[key] = name
            self.parts[name] = _OutPart(name, content_type, data)
            return name
        if content_type == CT_LEGACY_COMMENTS:
            data = self._remap_legacy_comments(src, data)
        elif content_type == CT_MODERN_COMMENTS:
            self._collect_modern_authors(src, data)
        name = self.namer.fresh(src.package.part_name(part))
        memo[key] = name
        self.parts[name] = _OutPart(name, content_type, data)
        new_rels, edited = self._copy_rels(src, part, name, memo, owner_slide=owner_slide)
        self.parts[name].rels = new_rels
        if edited is not None:
            self.parts[name].data = edited
        return name

    def _copy_global(self, src: _Source, part: str) -> str:
        return self._copy_part(src, part, self.global_memo)

    def _copy_layout_chain(self, src: _Source, layout: str) -> str:
        master = src.first(layout, "/slideMaster")
        if master is not None:
            self._copy_master(src, master)
        return self._copy_global(src, layout)

    def _copy_master(self, src: _Source, master: str) -> str:
        key = (src.path, master.lower())
        if key in self.global_memo:
            return self.global_memo[key]
        used = self.used_layouts.get(key, set())
        name = self.namer.fresh("ppt/slideMasters/slideMaster1.xml")
        self.global_memo[key] = name
        self.masters.append(name)
        root = src.xml(master)
        self.parts[name] = _OutPart(name, src.content_type(master), b"")
        rels: list[Relationship] = []
        kept_ids: set[str] = set()
        for rel in src.relationships(master):
            if rel.external:
                rels.append(rel)
            elif rel.rel_type.endswith("/slideLayout"):
                if rel.target.lower() in used:  # unused layouts of a carried master stay behind
                    rels.append(
                        Relationship(rel.rel_id, rel.rel_type, self._copy_global(src, rel.target), False)
                    )
                    kept_ids.add(rel.rel_id)
            elif src.package.has(rel.target):
                rels.append(Relationship(rel.rel_id, rel.rel_type, self._copy_global(src, rel.target), False))
        for layout_list in root.iter(f"{{{NS_P}}}sldLayoutIdLst"):
            for entry in list(layout_list):
                if entry.get(f"{{{NS_R}}}id") not in kept_ids:
                    layout_list.remove(entry)
        self.parts[name].data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        self.parts[name].rels = rels
        return name

    def _notes_master(self, src: _Source, part: str) -> str:
        if self.notes_master is None:
            self.notes_master = self._copy_global(src, part)
        return self.notes_master

    # ---- comments -----------------------------------------------------------------------------

    def _source_comment_authors(self, src: _Source) -> dict[str, etree._Element]:
        part = src.first(src.main, "/commentAuthors")
        if part is None:
            return {}
        return {a.get("id") or "": a for a in src.xml(part) if etree.QName(a).localname == "cmAuthor"}

    def _remap_legacy_comments(self, src: _Source, data: bytes) -> bytes:
        """Comments name their author by a number that is only valid in their own deck: give each
        author one number in the new deck and renumber the comments' indexes per author."""
        authors = self._source_comment_authors(src)
        root = etree.fromstring(data, _PARSER)
        for comment in root:
            old_id = comment.get("authorId") or ""
            key = (src.path, old_id)
            if key not in self.author_ids:
                author = authors.get(old_id)
                identity = (
                    (author.get("name") or "", author.get("initials") or "")
                    if author is not None
                    else ("Unknown", "")
                )
                if identity not in self.comment_authors:
                    element = etree.Element(f"{{{NS_P}}}cmAuthor")
                    element.set("id", str(len(self.comment_authors)))
                    element.set("name", identity[0])
                    element.set("initials", identity[1])
                    element.set("clrIdx", str(len(self.comment_authors) % 8))
                    self.comment_authors[identity] = element
                self.author_ids[key] = self.comment_authors[identity].get("id") or "0"
            new_id = self.author_ids[key]
            comment.set("authorId", new_id)
            self.last_comment_index[new_id] += 1
            comment.set("idx", str(self.last_comment_index[new_id]))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _collect_modern_authors(self, src: _Source, data: bytes) -> None:
        used = {e.get("authorId") for e in etree.fromstring(data, _PARSER).iter() if e.get("authorId")}
        part = src.first(src.main, "/authors")
        if part is None:
            return
        authors = src.xml(part)
        if self.modern_author_list is None:
            self.modern_author_list = etree.Element(authors.tag, nsmap=authors.nsmap)
        for author in authors:
            if author.get("id") in used:
                self.modern_authors.setdefault(author.get("id") or "", author)

    def _comment_author_parts(self, new_rel: Callable[[str, str], str]) -> None:
        if self.comment_authors:
            root = etree.Element(f"{{{NS_P}}}cmAuthorLst", nsmap={"p": NS_P})
            for element in self.comment_authors.values():
                element.set("lastIdx", str(self.last_comment_index[element.get("id") or ""]))
                root.append(element)
            name = self.namer.fresh("ppt/commentAuthors.xml")
            self.parts[name] = _OutPart(name, CT_COMMENT_AUTHORS, _xml(root))
            new_rel(REL + "commentAuthors", name)
        if self.modern_authors and self.modern_author_list is not None:
            root = self.modern_author_list
            for author in self.modern_authors.values():
                root.append(author)
            name = self.namer.fresh("ppt/authors.xml")
            self.parts[name] = _OutPart(name, CT_MODERN_AUTHORS, _xml(root))
            new_rel(REL_MODERN_AUTHORS, name)

    # ---- presentation part --------------------------------------------------------------------

    def build_presentation(self) -> None:
        base = self.source(self.picks[0].package)
        if self.notes_master is None:
            notes = base.first(base.main, "/notesMaster")
            if notes:
                self._notes_master(base, notes)
        root = base.xml(base.main)
        rels: list[Relationship] = []
        for rel in base.relationships(base.main):
            if rel.external or rel.rel_type.endswith(REBUILT_PRESENTATION_RELS):
                continue
            if base.package.has(rel.target):
                rels.append(
                    Relationship(rel.rel_id, rel.rel_type, self._copy_global(base, rel.target), False)
                )
        used_ids = {r.rel_id for r in rels}
        counter = iter(range(1, 1_000_000))

        def new_rel(rel_type: str, target: str) -> str:
            while (rel_id := f"rId{next(counter)}") in used_ids:
                pass
            used_ids.add(rel_id)
            rels.append(Relationship(rel_id, rel_type, target, False))
            return rel_id

        master_ids = [new_rel(REL + "slideMaster", m) for m in self.masters]
        notes_id = new_rel(REL + "notesMaster", self.notes_master) if self.notes_master else None
        slide_ids = [new_rel(REL + "slide", s) for s in self.slide_names]
        self._comment_author_parts(new_rel)
        if self.masters:
            theme = next(
                (r.target for r in self.parts[self.masters[0]].rels if r.rel_type.endswith("/theme")), None
            )
            if theme:
                new_rel(REL + "theme", theme)
        self._renumber_layout_ids()
        _rebuild_lists(root, master_ids, notes_id, slide_ids)
        self.parts[self.main_out] = _OutPart(
            self.main_out,
            CT_PRESENTATION,
            etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True),
            rels,
        )

    def _renumber_layout_ids(self) -> None:
        """Master and layout ids share one number space across the presentation: make them unique."""
        next_id = FIRST_MASTER_ID + len(self.masters)
        for master in self.masters:
            root = etree.fromstring(self.parts[master].data, _PARSER)
            for entry in root.iter(f"{{{NS_P}}}sldLayoutId"):
                entry.set("id", str(next_id))
                next_id += 1
            self.parts[master].data = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )

    # ---- writing ------------------------------------------------------------------------------

    def write(self, out: Path) -> int:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        core = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(self.title)}</dc:title><dc:creator>msldesk</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
            "</cp:coreProperties>"
        ).encode()
        app = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            f"<Application>msldesk</Application><Slides>{len(self.slide_names)}</Slides></Properties>"
        ).encode()
        self.parts["docProps/core.xml"] = _OutPart("docProps/core.xml", CT_CORE, core)
        self.parts["docProps/app.xml"] = _OutPart("docProps/app.xml", CT_APP, app)
        package_rels = [
            Relationship("rId1", REL + "officeDocument", self.main_out, False),
            Relationship(
                "rId2",
                "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
                "docProps/core.xml",
                False,
            ),
            Relationship("rId3", REL + "extended-properties", "docProps/app.xml", False),
        ]
        with atomic_writer(out) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", self._content_types())
            archive.writestr("_rels/.rels", _rels_xml("", package_rels))
            for part in self.parts.values():
                archive.writestr(part.name, part.data)
                if part.rels:
                    folder, name = posixpath.split(part.name)
                    archive.writestr(
                        posixpath.join(folder, "_rels", name + ".rels"), _rels_xml(part.name, part.rels)
                    )
        return len(self.parts)

    def _content_types(self) -> bytes:
        items = [
            f'<Default Extension="rels" ContentType="{CT_RELS}"/>',
            '<Default Extension="xml" ContentType="application/xml"/>',
        ]
        for part in sorted(self.parts.values(), key=lambda p: p.name):
            content_type = part.content_type or "application/octet-stream"
            items.append(f'<Override PartName="/{escape(part.name)}" ContentType="{escape(content_type)}"/>')
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Types xmlns="{NS_CT}">{"".join(items)}</Types>'
        ).encode()

    def close(self) -> None:
        for src in self.sources.values():
            src.close()


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _size_label(size: tuple[str, str]) -> str:
    try:
        ratio = int(size[0]) / int(size[1])
    except (ValueError, ZeroDivisionError):
        return "unknown"
    return "16:9" if abs(ratio - 16 / 9) < 0.02 else "4:3" if abs(ratio - 4 / 3) < 0.02 else f"{ratio:.2f}:1"


def _rels_xml(source: str, rels: list[Relationship]) -> bytes:
    folder = posixpath.dirname(source)
    items = []
    for rel in rels:
        if rel.external:
            target, mode = rel.target, ' TargetMode="External"'
        else:
            target, mode = posixpath.relpath(rel.target, folder or "."), ""
        items.append(
            f'<Relationship Id="{escape(rel.rel_id)}" Type="{escape(rel.rel_type)}" '
            f'Target="{escape(target, {chr(34): "&quot;"})}"{mode}/>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{NS_RELS}">{"".join(items)}</Relationships>'
    ).encode()


def _strip_references(data: bytes, rel_ids: list[str]) -> bytes:
    """Remove the elements (hyperlinks, mostly) that refer to relationships left out."""
    root = etree.fromstring(data, _PARSER)
    gone = set(rel_ids)
    for element in list(root.iter()):
        if any(k.startswith("{") and "relationships" in k and v in gone for k, v in element.attrib.items()):
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rebuild_lists(
    root: etree._Element, master_ids: list[str], notes_id: str | None, slide_ids: list[str]
) -> None:
    """Rewrite presentation.xml's master, notes-master and slide lists; drop lists that pointed at
    the first deck's own parts (handout master, custom shows, sections, embedded tags)."""

    def child(local: str) -> etree._Element | None:
        return root.find(f"{{{NS_P}}}{local}")

    for local in (
        "sldMasterIdLst",
        "notesMasterIdLst",
        "handoutMasterIdLst",
        "sldIdLst",
        "custShowLst",
        "custDataLst",
    ):
        element = child(local)
        if element is not None:
            root.remove(element)
    ext_list = child("extLst")
    if ext_list is not None:
        for ext in list(ext_list):
            if ext.get("uri") == SECTION_EXT_URI:
                ext_list.remove(ext)
    masters = etree.Element(f"{{{NS_P}}}sldMasterIdLst")
    for offset, rel_id in enumerate(master_ids):
        etree.SubElement(
            masters, f"{{{NS_P}}}sldMasterId", {"id": str(FIRST_MASTER_ID + offset), f"{{{NS_R}}}id": rel_id}
        )
    insert_at = 0
    root.insert(insert_at, masters)
    insert_at += 1
    if notes_id:
        notes = etree.Element(f"{{{NS_P}}}notesMasterIdLst")
        etree.SubElement(notes, f"{{{NS_P}}}notesMasterId", {f"{{{NS_R}}}id": notes_id})
        root.insert(insert_at, notes)
        insert_at += 1
    slides = etree.Element(f"{{{NS_P}}}sldIdLst")
    for offset, rel_id in enumerate(slide_ids):
        etree.SubElement(
            slides, f"{{{NS_P}}}sldId", {"id": str(FIRST_SLIDE_ID + offset), f"{{{NS_R}}}id": rel_id}
        )
    root.insert(insert_at, slides)


def compose_deck(
    slides: Sequence[SourceSlide],
    out: Path,
    title: str = "Composed deck",
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> ComposeResult:
    """Write `out` with `slides` in order. Nothing is written unless the whole deck is."""
    if not slides:
        raise InvalidInputError("Pick at least one slide to build a deck.")
    composer = _Composer(slides, title)
    try:
        composer.plan()
        for index in range(len(slides)):
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(index, len(slides), f"Copying slide {index + 1} of {len(slides)}")
            composer.copy_slide(index)
        composer.build_presentation()
        progress(len(slides), len(slides), "Writing the deck")
        parts = composer.write(Path(out))
    finally:
        composer.close()
    repairs = [r for src in composer.sources.values() for r in src.repairs]
    return ComposeResult(Path(out), len(slides), parts, tuple(dict.fromkeys([*composer.warnings, *repairs])))
