"""Assemble one PowerPoint deck from slides of several source decks, faithfully, at the package level.

python-pptx cannot copy a slide between presentations, and the recipes in circulation write
duplicate part names that silently replace the target's pictures and charts. Here every copied part
gets a fresh name, relationships are rewritten to those names (their ids are kept, so slide XML
needs few edits), pictures and media are stored once per content (embedded workbooks and objects
once per copy, since they are edited in place), and each source deck's masters, used layouts and
themes are carried once. What a slide takes from its deck's presentation part travels with it: the
table styles its tables name, and its deck's default text style where that differs from the new
deck's. Strict OOXML sources are translated to transitional on the way. The output is written
atomically.
"""

from __future__ import annotations

import copy
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

from msldesk.core.errors import InvalidInputError, MsldeskError
from msldesk.core.fileio import atomic_writer
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress
from msldesk.core.text_safety import core_title
from msldesk.decks.ooxml.package import OpcPackage, Relationship, content_types, open_package
from msldesk.decks.ooxml.slide_size import Fit, fit_within, parse_size, refit, size_label
from msldesk.decks.ooxml.validate import has_doctype

NS_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
CT_PRESENTATION = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_APP = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_NOTES_MASTER = "application/vnd.openxmlformats-officedocument.presentationml.notesMaster+xml"
CT_TABLE_STYLES = "application/vnd.openxmlformats-officedocument.presentationml.tableStyles+xml"
# Parts scaled with the slides of a deck of another size (the slide itself, its master and the
# master's theme are scaled where they are copied). Notes keep their own page size.
_FITTED_PARTS = (
    "presentationml.slideLayout+xml",
    "drawingml.chart+xml",
    "drawingml.chartshapes+xml",
    "drawingml.diagramDrawing+xml",
)
_EDITED_WHEN_FITTED = (*_FITTED_PARTS, "presentationml.slide+xml", "slideMaster+xml", "theme+xml")
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
DEFAULT_TABLE_STYLE = "{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}"
_TABLE_STYLE_ID = re.compile(rb"tableStyleId>\s*(\{[0-9A-Fa-f-]+\})\s*<")
_TABLE_STYLE_USERS = ("presentationml.slide+xml", "slideLayout+xml", "slideMaster+xml")
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
# Strict writes percentages as "50%". Transitional DrawingML and PresentationML want thousandths of a
# percent ("50000"); chart gap, overlap and size attributes want whole percents ("150"). Only
# attributes of those types change: text that merely looks like a percentage (a chart's "0%" number
# format, a shape named "50%", a tag's value) is kept as written.
_PERCENT_VALUE = re.compile(r"-?\d+(?:\.\d+)?%")
_TRANSITIONAL_ML = (
    "http://schemas.openxmlformats.org/drawingml/",
    "http://schemas.openxmlformats.org/presentationml/",
)
_CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_TEXT_ATTRIBUTES = frozenset(
    {
        "name", "descr", "title", "formatCode", "typeface", "panose", "tooltip", "action", "tgtFrame",
        "invalidUrl", "uri", "id", "modelId", "initials", "styleId", "styleName", "phldrT", "presName",
        "presStyleLbl", "type",
    }
)  # fmt: skip


def _strict_namespaces(data: bytes) -> bytes:
    def namespace(match: re.Match[bytes]) -> bytes:
        area, name, rest = match.group(1), match.group(2), match.group(3) or b""
        if area == b"officeDocument" and name == b"relationships" and rest:
            rest = b"/" + _STRICT_RENAMES.get(rest[1:], rest[1:])
        return (
            b"http://schemas.openxmlformats.org/" + area + b"/2006/" + _STRICT_RENAMES.get(name, name) + rest
        )

    return _STRICT_NS.sub(namespace, data)


def _transitional_percentages(data: bytes) -> bytes:
    """Percent-typed attributes of an (already namespace-translated) Strict part, as transitional."""
    if b'%"' not in data and b"%'" not in data:
        return data
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return data
    changed = False
    for element in root.iter("{*}*"):
        namespace = etree.QName(element).namespace or ""
        if not namespace.startswith(_TRANSITIONAL_ML) or etree.QName(element).localname == "tag":
            continue  # foreign XML (custom XML, properties) and p:tag values are free text
        for key, value in element.attrib.items():
            if key in _TEXT_ATTRIBUTES or not _PERCENT_VALUE.fullmatch(value):
                continue
            number = float(value[:-1])
            element.set(key, str(round(number if namespace == _CHART_NS else number * 1000)))
            changed = True
    return _xml(root) if changed else data


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
        self.name = path.name  # how messages name the deck; the caller's label when it gives one
        self.package: OpcPackage = open_package(path)
        self.repairs: list[str] = []
        self.unreadable: dict[str, str] = {}  # XML parts beyond repair, left out: lower-case -> name
        self.fit: Fit | None = None  # set when its slides are scaled to the new deck's size
        # Parts parsed by the well-formedness check and parsed again to be edited (scaled): the
        # check's tree, by the identity of the bytes it was parsed from, taken once.
        self.checked: dict[int, tuple[bytes, etree._Element]] = {}
        self.overrides, self.defaults = content_types(self.package)
        main = self.package.first_rel("", "/officeDocument")
        if main is None:
            raise InvalidInputError(f"{path.name} has no presentation part.")
        self.main = main
        self.strict = any(
            r.rel_type.startswith("http://purl.oclc.org") for r in self.package.relationships("")
        )
        self.office2007 = self._written_by_office2007()
        root = self.xml(main)
        rels = {r.rel_id: r for r in self.package.relationships(main)}
        self.slides: list[str] = []
        self.slide_size: tuple[str, str] | None = None
        self.default_text_style: etree._Element | None = None
        self.restyle: _TextDefaults | None = None  # set when its text boxes need its own text defaults
        for child in root:
            local = etree.QName(child).localname
            if local == "sldIdLst":
                for sld_id in child:
                    rel_id = next((v for k, v in sld_id.attrib.items() if k.endswith("}id")), None)
                    if rel_id in rels:
                        self.slides.append(rels[rel_id].target)
            elif local == "sldSz":
                self.slide_size = (child.get("cx") or "", child.get("cy") or "")
            elif local == "defaultTextStyle":
                self.default_text_style = child

    def close(self) -> None:
        self.package.close()

    def _written_by_office2007(self) -> bool:
        """LibreOffice's test (oox XmlFilterBase::checkDocumentProperties): docProps/app.xml names a
        Microsoft application and an AppVersion of 12.x."""
        app = next(
            (
                r.target
                for r in self.relationships("")
                if r.rel_type.endswith("/extended-properties") and not r.external
            ),
            None,
        )
        if app is None or not self.package.has(app):
            return False
        try:
            root = etree.fromstring(self.package.read(app), _PARSER)
        except (etree.XMLSyntaxError, MsldeskError):
            return False
        fields = {etree.QName(child).localname: (child.text or "").strip() for child in root}
        return fields.get("Application", "").lower().startswith("microsoft") and fields.get(
            "AppVersion", ""
        ).startswith("12.")

    def content_type(self, part: str) -> str:
        return self.overrides.get(part.lower()) or self.defaults.get(part.rpartition(".")[2].lower(), "")

    def data(self, part: str) -> bytes:
        data = self.package.read_binary(part)
        if _is_xml(self.content_type(part), part):
            if self.strict:
                data = _strict_namespaces(data)
            data = self._well_formed(part, data)
            if self.strict:
                data = _transitional_percentages(data)
        return data

    def _well_formed(self, part: str, data: bytes) -> bytes:
        """XML as is if it parses; otherwise lxml's repair, or for a slide or layout a blank one (the
        layout keeps its name), with a warning: one malformed part must not make the whole deck
        unreadable. Any other part beyond repair is marked unreadable, and left out by the copy."""
        try:
            root = etree.fromstring(data, _PARSER)
            if has_doctype(root):
                return _without_doctype(root)
            if self.fit is not None and self.content_type(part).endswith(_EDITED_WHEN_FITTED):
                self.checked[id(data)] = (data, root)
            return data
        except etree.XMLSyntaxError as exc:
            problem = str(exc)
        repaired = _recover(data)
        if repaired is not None:
            self.repairs.append(f"{self.name}: the malformed part {part} was repaired ({problem}).")
            return repaired
        if self.content_type(part).endswith("slideLayout+xml"):
            name = re.search(rb'<p:cSld[^>]*\bname="([^"]*)"', data)
            self.repairs.append(
                f"{self.name}: the malformed layout {part} was replaced by a blank layout ({problem})."
            )
            return _BLANK_LAYOUT.replace(b"{name}", name.group(1) if name else b"Blank")
        if self.content_type(part).endswith("presentationml.slide+xml"):
            self.repairs.append(
                f"{self.name}: the malformed slide {part} was replaced by a blank slide ({problem})."
            )
            return _BLANK_SLIDE
        # Copying it would make the new deck invalid too (seen: custom XML parts holding plain text).
        self.unreadable[part.lower()] = self.package.part_name(part)
        return data

    def unreadable_warning(self) -> str | None:
        """One warning for all the parts left out, not one per part (a deck had 90 of them)."""
        if not self.unreadable:
            return None
        names = sorted(self.unreadable.values())
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        return (
            f"{self.name}: {len(names)} part(s) that are not well-formed XML and could not be "
            f"repaired were left out ({shown})."
        )

    def xml(self, part: str) -> etree._Element:
        return self.tree(self.data(part))

    def tree(self, data: bytes) -> etree._Element:
        """`data` parsed: the well-formedness check's tree when it kept one for these very bytes."""
        kept = self.checked.pop(id(data), None)
        if kept is not None and kept[0] is data:
            return kept[1]
        return etree.fromstring(data, _PARSER)

    def relationships(self, part: str) -> list[Relationship]:
        rels = self.package.relationships(part)
        if not self.strict:
            return rels
        return [
            Relationship(r.rel_id, _strict_namespaces(r.rel_type.encode()).decode(), r.target, r.external)
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


_BLANK_SLIDE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<p:sld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    b'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">'
    b'<p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/>'
    b"</p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr>"
    b"</p:sld>"
)


_PLAIN_NOTES_MASTER = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<p:notesMaster xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    b'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">'
    b'<p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/>'
    b"</p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld>"
    b'<p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" '
    b'accent3="accent3" accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" '
    b'folHlink="folHlink"/></p:notesMaster>'
)


_EMPTY_PREFIX_ELEMENT = re.compile(rb"<:(\w+)\b[^>]*?(?:/>|>.*?</:\1>)", re.S)


def _without_doctype(root: etree._Element) -> bytes:
    """The part re-written without its DOCTYPE: packages may not carry one (Office refuses them).
    References to the entities it declared go too, since nothing would define them any more."""
    for entity in list(root.iter(etree.Entity)):
        parent = entity.getparent()
        if parent is not None:
            if entity.tail:
                previous = entity.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + entity.tail
                else:
                    parent.text = (parent.text or "") + entity.tail
            parent.remove(entity)
    return _xml(root)


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
    text = _without_doctype(root)
    try:
        etree.fromstring(text, _PARSER)
    except etree.XMLSyntaxError:
        return None
    return text


def _shareable(content_type: str, part: str) -> bool:
    """Parts that may be stored once and used by several slides: pictures and media are only ever
    read. An embedded workbook or OLE object is edited in place (PowerPoint's "Edit Data",
    python-pptx's chart.replace_data()), so a shared copy would silently change another chart."""
    content_type = content_type.lower()
    if content_type.startswith(("image/", "video/", "audio/")):
        return True
    return "/media/" in f"/{part.lower()}" and not content_type.endswith("xml")


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
    def __init__(self, slides: Sequence[SourceSlide], title: str, fit_sizes: bool = True) -> None:
        self.picks = list(slides)
        self.title = title
        self.fit_sizes = fit_sizes
        self.fitted_themes: set[str] = set()
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
            if pick.label and src.name == src.path.name:
                src.name = pick.label.rsplit(", slide ", 1)[0]  # "Deck title, slide 3" -> "Deck title"
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
        for src in self.sources.values():
            theirs = src.default_text_style
            if theirs is not None and _style_key(theirs) != _style_key(first.default_text_style):
                src.restyle = _TextDefaults(theirs)
        for src in self.sources.values():
            if src.slide_size and first.slide_size and src.slide_size != first.slide_size:
                self.warnings.append(self._fit(src, first))

    def _fit(self, src: _Source, first: _Source) -> str:
        """Scale `src`'s slides to the first deck's size (when both sizes are readable); the warning
        that says so."""
        assert src.slide_size is not None and first.slide_size is not None
        theirs, ours = parse_size(src.slide_size), parse_size(first.slide_size)
        different = (
            f"{src.name} has a different slide size ({size_label(src.slide_size)}) from the "
            f"first slide's deck ({size_label(first.slide_size)})"
        )
        if theirs is None or ours is None or not self.fit_sizes:
            return f"{different}; its slides keep their layout but are not rescaled."
        src.fit = fit_within(theirs, ours)
        if src.restyle is None and src.default_text_style is not None:
            # Its text boxes' inherited sizes must be written down to be scaled with the rest; the
            # rest of its text defaults are the new deck's already.
            src.restyle = _TextDefaults(_sizes_only(src.default_text_style))
        done = "centred" if src.fit.sx == 1 else f"scaled to {src.fit.sx:.0%} and centred to fit"
        return f"{different}; its slides were {done}, as PowerPoint does when it reuses a slide."

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
        if src.restyle is not None or src.fit is not None:
            root = src.tree(self.parts[name].data)
            if src.restyle is not None:
                _apply_text_defaults(root, src.restyle)
            if src.fit is not None:
                refit(root, src.fit)
            self.parts[name].data = _xml(root)

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
            self.warnings.append(f"{src.name}: {part} points to a missing part {target}; link left out.")
            return None
        if kind == "slide":
            if src.content_type(part).endswith("notesSlide+xml"):
                return owner_slide  # a notes slide's link back to its slide
            mapped = self.slide_of.get((src.path, target.lower()))
            if mapped is None:
                self.warnings.append(
                    f"{src.name}: a link on {posixpath.basename(part)} goes to a slide that is not "
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
            # Pictures and media: one copy per content in the whole deck. Embedded workbooks and OLE
            # objects are not shared (see _shareable).
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
        if content_type == CT_CHART and src.office2007:
            data = _explicit_office2007_chart(data)
        if src.fit is not None and content_type.endswith(_FITTED_PARTS):
            fit = src.fit.without_offset() if content_type.endswith("diagramDrawing+xml") else src.fit
            data = _refitted(src.tree(data), fit)  # a SmartArt drawing lies inside its frame
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

    def _copy_global(self, src: _Source, part: str) -> str | None:
        return self._copy_part(src, part, self.global_memo)

    def _copy_layout_chain(self, src: _Source, layout: str) -> str | None:
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
        dropped: list[str] = []  # missing or unreadable targets
        for rel in src.relationships(master):
            if rel.external:
                rels.append(rel)
                continue
            if rel.rel_type.endswith("/slideLayout") and rel.target.lower() not in used:
                continue  # unused layouts of a carried master stay behind
            target = self._copy_global(src, rel.target) if src.package.has(rel.target) else None
            if target is not None and src.fit is not None and rel.rel_type.endswith("/theme"):
                if target not in self.fitted_themes:  # its line widths (a notes master's stays)
                    self.fitted_themes.add(target)
                    self.parts[target].data = _refitted(src.tree(self.parts[target].data), src.fit)
            if target is not None:
                rels.append(Relationship(rel.rel_id, rel.rel_type, target, False))
                kept_ids.add(rel.rel_id)
            else:
                dropped.append(rel.rel_id)
        for layout_list in root.iter(f"{{{NS_P}}}sldLayoutIdLst"):
            for entry in list(layout_list):
                if entry.get(f"{{{NS_R}}}id") not in kept_ids:
                    layout_list.remove(entry)
        if dropped:  # e.g. a picture on the master that is missing from the source
            root = etree.fromstring(_strip_references(_xml(root), dropped), _PARSER)
        if src.fit is not None:
            refit(root, src.fit)
        self.parts[name].data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        self.parts[name].rels = rels
        return name

    def _notes_master(self, src: _Source, part: str) -> str | None:
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
        self._link_orphan_notes()
        root = base.xml(base.main)
        rels: list[Relationship] = []
        for rel in base.relationships(base.main):
            if rel.external or rel.rel_type.endswith(REBUILT_PRESENTATION_RELS):
                continue
            target = self._copy_global(base, rel.target) if base.package.has(rel.target) else None
            if target is not None:
                rels.append(Relationship(rel.rel_id, rel.rel_type, target, False))
        used_ids = {r.rel_id for r in rels}
        counter = iter(range(1, 1_000_000))

        def new_rel(rel_type: str, target: str) -> str:
            while (rel_id := f"rId{next(counter)}") in used_ids:
                pass
            used_ids.add(rel_id)
            rels.append(Relationship(rel_id, rel_type, target, False))
            return rel_id

        self._merge_table_styles(rels, new_rel)
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

    def _link_orphan_notes(self) -> None:
        """Every notes slide needs a notes master. Notes from a deck that has none (seen in the
        corpus) get the new deck's, taken from another picked deck or made plain."""
        orphans = [
            part
            for part in self.parts.values()
            if part.content_type.endswith("notesSlide+xml")
            and not any(r.rel_type.endswith("/notesMaster") for r in part.rels)
        ]
        if not orphans:
            return
        for src in self.sources.values():
            notes = src.first(src.main, "/notesMaster")
            if self.notes_master is None and notes and src.package.has(notes):
                self._notes_master(src, notes)
        if self.notes_master is None:
            self.notes_master = self._plain_notes_master()
        for part in orphans:
            used = {r.rel_id for r in part.rels}
            rel_id = next(f"rId{n}" for n in range(1, len(used) + 2) if f"rId{n}" not in used)
            part.rels.append(Relationship(rel_id, REL + "notesMaster", self.notes_master, False))

    def _plain_notes_master(self) -> str:
        """An empty notes master with its own copy of the first slide master's theme."""
        name = self.namer.fresh("ppt/notesMasters/notesMaster1.xml")
        rels: list[Relationship] = []
        theme = next(
            (r.target for m in self.masters[:1] for r in self.parts[m].rels if r.rel_type.endswith("/theme")),
            None,
        )
        if theme is not None:
            own_theme = self.namer.fresh(theme)
            self.parts[own_theme] = _OutPart(
                own_theme, self.parts[theme].content_type, self.parts[theme].data
            )
            rels.append(Relationship("rId1", REL + "theme", own_theme, False))
        self.parts[name] = _OutPart(name, CT_NOTES_MASTER, _PLAIN_NOTES_MASTER, rels)
        return name

    def _merge_table_styles(self, rels: list[Relationship], new_rel: Callable[[str, str], str]) -> None:
        """Tables name their style by GUID, defined in the presentation's tableStyles part, which
        only the first deck supplies: add the styles copied slides use from their own decks."""
        wanted: set[bytes] = set()
        for part in self.parts.values():
            if part.content_type.endswith(_TABLE_STYLE_USERS) and b"tableStyleId" in part.data:
                wanted.update(_TABLE_STYLE_ID.findall(part.data))
        if not wanted:
            return
        current = next((r.target for r in rels if r.rel_type.endswith("/tableStyles")), None)
        if current is not None:
            root = etree.fromstring(self.parts[current].data, _PARSER)
        else:  # def is required: PowerPoint's own default, Medium Style 2 - Accent 1
            root = etree.Element(f"{{{NS_A}}}tblStyleLst", {"def": DEFAULT_TABLE_STYLE}, nsmap={"a": NS_A})
        missing = {w.decode() for w in wanted} - {style.get("styleId") for style in root}
        added = False
        for src in self.sources.values():
            styles = src.first(src.main, "/tableStyles")
            if not missing or styles is None or not src.package.has(styles):
                continue
            for style in src.xml(styles):
                if style.get("styleId") in missing:
                    missing.discard(style.get("styleId") or "")
                    root.append(style)
                    added = True
        if not added:
            return
        if current is not None:
            self.parts[current].data = _xml(root)
        else:
            name = self.namer.fresh("ppt/tableStyles.xml")
            self.parts[name] = _OutPart(name, CT_TABLE_STYLES, _xml(root))
            new_rel(REL + "tableStyles", name)

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
            "<cp:coreProperties "
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(core_title(self.title))}</dc:title><dc:creator>msldesk</dc:creator>"
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


def _refitted(root: etree._Element, fit: Fit) -> bytes:
    refit(root, fit)
    return _xml(root)


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


# Text boxes and shapes take what they do not set from the presentation's defaultTextStyle,
# and the new deck has only the first deck's. Slides from a deck whose defaults differ get them
# written into each such text body's own list style, which comes first in the inheritance; what the
# list style already sets wins. Children of a properties element follow the schema order, and only
# one member of each choice group may appear (solidFill or gradFill, buChar or buNone, ...).
_PPR_GROUPS = (
    ("lnSpc",), ("spcBef",), ("spcAft",), ("buClrTx", "buClr"), ("buSzTx", "buSzPct", "buSzPts"),
    ("buFontTx", "buFont"), ("buNone", "buAutoNum", "buChar", "buBlip"), ("tabLst",), ("defRPr",),
    ("extLst",),
)  # fmt: skip
_RPR_GROUPS = (
    ("ln",), ("noFill", "solidFill", "gradFill", "blipFill", "pattFill", "grpFill"),
    ("effectLst", "effectDag"), ("highlight",), ("uLnTx", "uLn"), ("uFillTx", "uFill"), ("latin",),
    ("ea",), ("cs",), ("sym",), ("hlinkClick",), ("hlinkMouseOver",), ("rtl",), ("extLst",),
)  # fmt: skip
_LIST_LEVELS = ("defPPr", *(f"lvl{n}pPr" for n in range(1, 10)))
_PRESENTATION_LINKED = {"hlinkClick", "hlinkMouseOver", "buBlip", "blipFill"}  # r:ids of another part


def _style_key(element: etree._Element | None) -> bytes:
    return b"" if element is None else etree.tostring(element, method="c14n")


class _TextDefaults:
    """A deck's defaultTextStyle by level, as it is and without font and colour, each also merged
    into a list style level on its own. A shape with a style (p:style, e.g. white text on an
    accent fill) takes its font and colour from the style's fontRef, not from the deck defaults;
    in a list style they would override the fontRef, so such shapes get the second kind."""

    def __init__(self, default_text_style: etree._Element) -> None:
        self.levels = {etree.QName(c).localname: c for c in default_text_style if isinstance(c.tag, str)}
        self.styled_levels = {name: _without_font_and_colour(level) for name, level in self.levels.items()}
        self.plain = {
            name: _merge_properties(None, level, _PPR_GROUPS) for name, level in self.levels.items()
        }
        self.styled_plain = {
            name: _merge_properties(None, level, _PPR_GROUPS) for name, level in self.styled_levels.items()
        }


_FONT_AND_COLOUR = {
    "noFill", "solidFill", "gradFill", "blipFill", "pattFill", "grpFill", "latin", "ea", "cs", "sym",
}  # fmt: skip


_SIZE_ATTRIBUTES = ("marL", "indent", "defTabSz", "sz", "kern", "spc")


def _sizes_only(default_text_style: etree._Element) -> etree._Element:
    """A copy of a defaultTextStyle with only its lengths: levels' margins and default run sizes."""
    style = etree.Element(default_text_style.tag)
    for level in default_text_style:
        if not isinstance(level.tag, str):
            continue
        kept = etree.SubElement(style, level.tag)
        kept.attrib.update({k: v for k, v in level.attrib.items() if k in _SIZE_ATTRIBUTES})
        run = level.find(f"{{{NS_A}}}defRPr")
        if run is not None:
            sizes = {k: v for k, v in run.attrib.items() if k in _SIZE_ATTRIBUTES}
            etree.SubElement(kept, run.tag, sizes)
    return style


def _without_font_and_colour(level: etree._Element) -> etree._Element:
    level = copy.deepcopy(level)
    for properties in level.iter(f"{{{NS_A}}}defRPr"):
        for child in list(properties):
            if etree.QName(child).localname in _FONT_AND_COLOUR:
                properties.remove(child)
    return level


def _apply_text_defaults(root: etree._Element, defaults: _TextDefaults) -> None:
    """Make a slide's text boxes and shapes carry their deck's text defaults. Placeholders follow
    their layout and master instead, and table cells their table style, so both are left alone."""
    for body in root.iter(f"{{{NS_P}}}txBody"):
        shape = body.getparent()
        if shape is None or shape.find(f"{{{NS_P}}}nvSpPr/{{{NS_P}}}nvPr/{{{NS_P}}}ph") is not None:
            continue
        if shape.find(f"{{{NS_P}}}style/{{{NS_A}}}fontRef") is not None:
            levels, plain = defaults.styled_levels, defaults.styled_plain
        else:
            levels, plain = defaults.levels, defaults.plain
        style = body.find(f"{{{NS_A}}}lstStyle")
        if style is None:
            style = etree.Element(f"{{{NS_A}}}lstStyle")
            body.insert(1 if body.find(f"{{{NS_A}}}bodyPr") is not None else 0, style)
        own = {etree.QName(c).localname: c for c in style if isinstance(c.tag, str)}
        merged = []
        for level in _LIST_LEVELS:
            mine, theirs = own.get(level), levels.get(level)
            if theirs is None:
                merged.append(mine)
            elif mine is None:
                merged.append(copy.deepcopy(plain[level]))
            else:
                merged.append(_merge_properties(mine, theirs, _PPR_GROUPS))
        merged.append(own.get("extLst"))
        style[:] = [element for element in merged if element is not None]


def _merge_properties(
    own: etree._Element | None, default: etree._Element, groups: tuple[tuple[str, ...], ...]
) -> etree._Element:
    """A copy of `default` overlaid with `own` (attributes and choice groups of `own` win)."""
    merged = etree.Element(default.tag if own is None else own.tag)
    merged.attrib.update(default.attrib)
    if own is not None:
        merged.attrib.update(own.attrib)
    mine_children = [] if own is None else [c for c in own if isinstance(c.tag, str)]
    theirs_children = [
        c for c in default if isinstance(c.tag, str) and etree.QName(c).localname not in _PRESENTATION_LINKED
    ]
    for group in groups:
        mine = [c for c in mine_children if etree.QName(c).localname in group]
        theirs = [c for c in theirs_children if etree.QName(c).localname in group]
        if group == ("defRPr",) and theirs:
            merged.append(_merge_properties(mine[0] if mine else None, theirs[0], _RPR_GROUPS))
        else:
            merged.extend(copy.deepcopy(c) for c in (mine or theirs))
    return merged


# Office 2007 read a chart flag it did not state (an omitted val, or the element left out) as
# false; later writers state their flags, and the specification, third-party writers and
# LibreOffice for any file not from Office 2007 take such a flag as true. LibreOffice decides once
# per file, from docProps/app.xml, and the new deck is not from Office 2007: a chart copied from a
# 2007 deck would show every data label (value, category, series name...), smooth its lines and
# turn its 3-D axes. So such charts get those flags written out as Office 2007 read them. The
# flags are the ones LibreOffice's oox chart import defaults with !isMSO2007Document().
_C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
_CHART_BOOLEANS = frozenset(
    {
        "date1904", "roundedCorners", "autoTitleDeleted", "plotVisOnly", "showDLblsOverMax", "rAngAx",
        "varyColors", "wireframe", "smooth", "invertIfNegative", "bubble3D", "showNegBubbles", "delete",
        "showLegendKey", "showVal", "showCatName", "showSerName", "showPercent", "showBubbleSize",
        "showLeaderLines", "dispRSqr", "dispEq", "noEndCap", "auto", "noMultiLvlLbl", "overlay",
        "showHorzBorder", "showVertBorder", "showOutline", "showKeys", "applyToFront", "applyToSides",
        "applyToEnd", "chartObject", "data", "formatting", "selection", "userInterface", "autoUpdate",
    }
)  # fmt: skip
_CHART_ORDER = (
    "title", "autoTitleDeleted", "pivotFmts", "view3D", "floor", "sideWall", "backWall", "plotArea",
    "legend", "plotVisOnly", "dispBlanksAs", "showDLblsOverMax", "extLst",
)  # fmt: skip
_VIEW3D_ORDER = ("rotX", "hPercent", "rotY", "depthPercent", "rAngAx", "perspective", "extLst")
# Children of each chart type, in schema order (CT_BarChart, CT_LineChart, ...).
_GROUP_ORDER = {
    "barChart": (
        "barDir", "grouping", "varyColors", "ser", "dLbls", "gapWidth", "overlap", "serLines", "axId",
    ),
    "bar3DChart": (
        "barDir", "grouping", "varyColors", "ser", "dLbls", "gapWidth", "gapDepth", "shape", "axId",
    ),
    "areaChart": ("grouping", "varyColors", "ser", "dLbls", "dropLines", "axId"),
    "area3DChart": ("grouping", "varyColors", "ser", "dLbls", "dropLines", "gapDepth", "axId"),
    "lineChart": (
        "grouping", "varyColors", "ser", "dLbls", "dropLines", "hiLowLines", "upDownBars", "marker", "smooth",
        "axId",
    ),
    "line3DChart": ("grouping", "varyColors", "ser", "dLbls", "dropLines", "gapDepth", "axId"),
    "pieChart": ("varyColors", "ser", "dLbls", "firstSliceAng"),
    "pie3DChart": ("varyColors", "ser", "dLbls"),
    "doughnutChart": ("varyColors", "ser", "dLbls", "firstSliceAng", "holeSize"),
    "ofPieChart": (
        "ofPieType", "varyColors", "ser", "dLbls", "gapWidth", "splitType", "splitPos", "custSplit",
        "secondPieSize", "serLines",
    ),
    "radarChart": ("radarStyle", "varyColors", "ser", "dLbls", "axId"),
    "scatterChart": ("scatterStyle", "varyColors", "ser", "dLbls", "axId"),
    "bubbleChart": (
        "varyColors", "ser", "dLbls", "bubble3D", "bubbleScale", "showNegBubbles", "sizeRepresents", "axId",
    ),
    "surfaceChart": ("wireframe", "ser", "bandFmts", "axId"),
    "surface3DChart": ("wireframe", "ser", "bandFmts", "axId"),
}  # fmt: skip
_GROUP_FLAGS = ("varyColors", "marker", "smooth", "bubble3D", "showNegBubbles", "wireframe")
_LABEL_FLAGS = ("showLegendKey", "showVal", "showCatName", "showSerName", "showPercent", "showBubbleSize")
_LABELS_ORDER = (
    "dLbl", "delete", "numFmt", "spPr", "txPr", "dLblPos", *_LABEL_FLAGS, "separator", "showLeaderLines",
    "leaderLines", "extLst",
)  # fmt: skip
_LABEL_ORDER = (
    "idx", "delete", "layout", "tx", "numFmt", "spPr", "txPr", "dLblPos", *_LABEL_FLAGS, "separator",
    "extLst",
)  # fmt: skip
_TRENDLINE_ORDER = (
    "name", "spPr", "trendlineType", "order", "period", "forward", "backward", "intercept", "dispRSqr",
    "dispEq", "trendlineLbl", "extLst",
)  # fmt: skip


def _explicit_office2007_chart(data: bytes) -> bytes:
    """A chart part from an Office 2007 deck with the flags it leaves unstated written out as false."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return data
    for element in root.iter(f"{_C}*"):
        local = etree.QName(element).localname
        parent = element.getparent()
        parent_local = etree.QName(parent).localname if parent is not None else ""
        flag = local in _CHART_BOOLEANS or (local == "marker" and parent_local == "lineChart")
        if flag and element.get("val") is None and len(element) == 0:
            element.set("val", "0")
        elif local == "grouping" and element.get("val") is None:
            element.set("val", "standard")
    chart = root.find(f"{_C}chart")
    if chart is None:
        return _xml(root)
    for flag in ("autoTitleDeleted", "plotVisOnly", "showDLblsOverMax"):
        _ensure_child(chart, flag, "0", _CHART_ORDER)
    plot_area = chart.find(f"{_C}plotArea")
    groups = [] if plot_area is None else [g for g in plot_area if etree.QName(g).localname in _GROUP_ORDER]
    if any("3D" in etree.QName(g).localname for g in groups):
        view = chart.find(f"{_C}view3D")
        if view is None:
            view = _ensure_child(chart, "view3D", None, _CHART_ORDER)
        _ensure_child(view, "rAngAx", "0", _VIEW3D_ORDER)
    for group in groups:
        local = etree.QName(group).localname
        order = _GROUP_ORDER[local]
        if local in ("barChart", "bar3DChart", "areaChart", "area3DChart"):
            _ensure_child(group, "grouping", "standard", order)
        for flag in _GROUP_FLAGS:
            if flag in order:
                _ensure_child(group, flag, "0", order)
        if local in ("lineChart", "scatterChart"):
            for series in group.iterfind(f"{_C}ser"):
                _ensure_child(series, "smooth", "0", ("smooth", "extLst"))
    for labels in root.iter(f"{_C}dLbls"):
        if labels.find(f"{_C}delete") is None:
            for flag in (*_LABEL_FLAGS, "showLeaderLines"):
                _ensure_child(labels, flag, "0", _LABELS_ORDER)
    for label in root.iter(f"{_C}dLbl"):
        stated = any(label.find(f"{_C}{flag}") is not None for flag in _LABEL_FLAGS)
        if stated and label.find(f"{_C}delete") is None:
            for flag in _LABEL_FLAGS:
                _ensure_child(label, flag, "0", _LABEL_ORDER)
    for trendline in root.iter(f"{_C}trendline"):
        for flag in ("dispRSqr", "dispEq"):
            _ensure_child(trendline, flag, "0", _TRENDLINE_ORDER)
    return _xml(root)


def _ensure_child(
    parent: etree._Element, local: str, value: str | None, order: tuple[str, ...]
) -> etree._Element:
    """`parent`'s child `local`, added (with val=`value`) where the schema order puts it if absent."""
    existing = parent.find(f"{_C}{local}")
    if existing is not None:
        return existing
    element = etree.Element(f"{_C}{local}")
    if value is not None:
        element.set("val", value)
    rank = order.index(local)
    for index, child in enumerate(parent):
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name in order and order.index(name) > rank:
            parent.insert(index, element)
            return element
    parent.append(element)
    return element


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
    fit_sizes: bool = True,
) -> ComposeResult:
    """Write `out` with `slides` in order, at the first slide's deck's size: slides of another size
    are scaled to fit it, centred (`fit_sizes=False` leaves them as they are, for comparison).
    Nothing is written unless the whole deck is."""
    if not slides:
        raise InvalidInputError("Pick at least one slide to build a deck.")
    composer = _Composer(slides, title, fit_sizes)
    try:
        composer.plan()
        for index in range(len(slides)):
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(index, len(slides), f"Copying slide {index + 1} of {len(slides)}")
            composer.copy_slide(index)
        composer.build_presentation()
        if cancel is not None:
            cancel.raise_if_cancelled()
        progress(len(slides), len(slides), "Writing the deck")
        parts = composer.write(Path(out))
    finally:
        composer.close()
    repairs = [r for src in composer.sources.values() for r in src.repairs]
    repairs += [w for src in composer.sources.values() if (w := src.unreadable_warning())]
    return ComposeResult(Path(out), len(slides), parts, tuple(dict.fromkeys([*composer.warnings, *repairs])))
