"""Read a PowerPoint package (transitional or Strict OOXML) into plain slide records, without python-pptx.

python-pptx parses every part up front and refuses templates, slideshows and Strict files, so one
malformed layout loses the whole deck. Here only the parts that carry slide content are parsed,
namespaces are matched by local name (Strict and transitional alike), and a broken part costs
only what it holds.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from msldesk.core.errors import DamagedDeckError, NotAPresentationError
from msldesk.core.text_safety import clean_text
from msldesk.decks.ooxml.names import CONTENT_TYPES, PACKAGE_RELS, SAFE_PARSER, STRICT_MARK, local_name
from msldesk.decks.ooxml.opc import (
    DEFAULT_LIMITS,
    OpcPackage,
    PackageLimits,
    check_not_ole,
    file_too_large,
    open_package,
)

PRESENTATION_KINDS = {
    "presentationml.presentation.main+xml": ("presentation", False),
    "presentation.macroenabled.main+xml": ("presentation", True),
    "presentationml.slideshow.main+xml": ("slideshow", False),
    "slideshow.macroenabled.main+xml": ("slideshow", True),
    "presentationml.template.main+xml": ("template", False),
    "template.macroenabled.main+xml": ("template", True),
}
TITLE_TYPES = {"title", "ctrTitle"}
SKIPPED_PLACEHOLDERS = {"sldNum", "dt"}
MEDIA_RELS = ("/video", "/audio", "/media")
MEDIA_TAGS = ("videoFile", "audioFile", "media", "quickTimeFile")
# The only elements _read_slide_text looks at, in any namespace.
_SLIDE_TAGS = tuple(f"{{*}}{name}" for name in ("sp", "tbl", "pic", "graphicData", *MEDIA_TAGS))


@dataclass(frozen=True)
class SlideContent:
    number: int
    title: str
    text: str
    notes: str
    layout: str
    hidden: bool
    has_chart: bool
    has_table: bool
    has_picture: bool
    has_media: bool
    content_hash: str
    warning: str = ""


@dataclass(frozen=True)
class DeckContent:
    title: str
    kind: str  # presentation | slideshow | template
    macro_enabled: bool
    strict: bool
    slides: tuple[SlideContent, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _main_part(package: OpcPackage) -> tuple[str, str]:
    """The presentation part name and its content type, or a clear refusal."""
    if not package.has(PACKAGE_RELS):
        if not package.names:
            raise NotAPresentationError("The file is an empty zip archive, not a presentation.")
        raise NotAPresentationError(
            "The file is a zip archive but not an Office document (it has no package relationships)."
        )
    main = package.first_rel("", "/officeDocument")
    if main is None:
        raise NotAPresentationError("The file is an Office package without a main document.")
    content_type = _content_type(package, main)
    if not any(content_type.endswith(suffix) for suffix in PRESENTATION_KINDS):
        what = content_type.rpartition("/")[2] or "unknown content"
        if "theme" in content_type:
            what = "a theme (.thmx)"
        elif "wordprocessingml" in content_type:
            what = "a Word document"
        elif "spreadsheetml" in content_type:
            what = "an Excel workbook"
        raise NotAPresentationError(f"The file is {what}, not a presentation.")
    if not package.has(main):
        raise DamagedDeckError(f"The presentation part {main} is missing from the package.")
    return main, content_type


def _content_type(package: OpcPackage, part: str) -> str:
    if not package.has(CONTENT_TYPES):
        raise DamagedDeckError("The package has no [Content_Types].xml part.")
    types = package.xml(CONTENT_TYPES)
    wanted = "/" + part.lstrip("/").lower()
    extension = part.rpartition(".")[2].lower()
    default = ""
    for item in types:
        name = local_name(item.tag)
        if name == "Override" and (item.get("PartName") or "").lower() == wanted:
            return (item.get("ContentType") or "").lower()
        if name == "Default" and (item.get("Extension") or "").lower() == extension:
            default = (item.get("ContentType") or "").lower()
    return default


def _paragraph_texts(element: etree._Element) -> list[str]:
    """Text of each a:p under `element`, in document order (covers shapes, groups, tables)."""
    # lxml's iter() filters by tag in C ("{*}" = any namespace); far cheaper than visiting every
    # node in Python, and it still yields document order.
    lines = []
    for node in element.iter("{*}p"):
        if "drawingml" not in node.tag:
            continue
        parts = []
        for run in node.iter("{*}t", "{*}br"):
            if local_name(run.tag) == "br":
                parts.append("\n")
            elif run.text:
                parts.append(run.text)
        line = "".join(parts).strip()
        if line:
            lines.append(line)
    return lines


def _placeholder_type(shape: etree._Element) -> str | None:
    """The ph@type of a p:sp ("body" when a placeholder has no type), None if not a placeholder."""
    for child in shape:
        if local_name(child.tag).startswith("nv"):
            for nv in child:
                if local_name(nv.tag) == "nvPr":
                    for ph in nv:
                        if local_name(ph.tag) == "ph":
                            return ph.get("type") or "body"
    return None


def _shape_tree(root: etree._Element) -> etree._Element | None:
    for child in root:
        if local_name(child.tag) == "cSld":
            for sub in child:
                if local_name(sub.tag) == "spTree":
                    return sub
    return None


def _read_slide_text(root: etree._Element) -> tuple[str, list[str], dict[str, bool]]:
    tree = _shape_tree(root)
    title = ""
    body: list[str] = []
    flags = {"chart": False, "table": False, "picture": False, "media": False}
    if tree is None:
        return title, body, flags
    for node in tree.iter(*_SLIDE_TAGS):
        local = local_name(node.tag)
        if local == "sp":
            ph = _placeholder_type(node)
            if ph in TITLE_TYPES and not title:
                title = " ".join(_paragraph_texts(node))
                node.set("_seen", "1")
            elif ph in SKIPPED_PLACEHOLDERS:
                node.set("_seen", "1")
        elif local == "tbl":
            flags["table"] = True
        elif local == "pic":
            flags["picture"] = True
        elif local in MEDIA_TAGS:
            flags["media"] = True
        elif local == "graphicData":
            uri = node.get("uri") or ""
            if uri.endswith("/chart") or uri.endswith("/chartex"):
                flags["chart"] = True
    for shape in tree:
        if shape.get("_seen"):
            continue
        body.extend(_text_outside_seen(shape))
    return title, body, flags


def _text_outside_seen(element: etree._Element) -> list[str]:
    """Paragraph text of a top-level shape, skipping nested shapes already used (title, numbers)."""
    if local_name(element.tag) != "grpSp":
        return [] if element.get("_seen") else _paragraph_texts(element)
    lines: list[str] = []
    for child in element:
        if not child.get("_seen"):
            lines.extend(_text_outside_seen(child))
    return lines


def _notes_text(package: OpcPackage, notes_part: str) -> str:
    root = package.xml(notes_part)
    tree = _shape_tree(root)
    if tree is None:
        return ""
    lines: list[str] = []
    for node in tree.iter("{*}sp"):
        if _placeholder_type(node) == "body":
            lines.extend(_paragraph_texts(node))
    return "\n".join(lines)


def _diagram_text(package: OpcPackage, slide_part: str) -> list[str]:
    """SmartArt text lives in diagram data parts, not in the slide itself."""
    lines: list[str] = []
    for rel_type, target in package.rels(slide_part).values():
        if rel_type.endswith("/diagramData") and package.has(target):
            lines.extend(_paragraph_texts(package.xml(target)))
    return lines


def _core_title(package: OpcPackage) -> str:
    core = package.first_rel("", "/core-properties") or package.first_rel("", "/metadata/core-properties")
    if not core or not package.has(core):
        return ""
    try:
        root = package.xml(core)
    except DamagedDeckError:
        return ""
    for child in root:
        if local_name(child.tag) == "title" and child.text:
            return child.text.strip()
    return ""


def _slide_list(
    root: etree._Element, rels: dict[str, tuple[str, str]]
) -> Iterator[tuple[etree._Element, str]]:
    """Each entry of the presentation's slide list that names a slide part, with that part."""
    for child in root:
        if local_name(child.tag) != "sldIdLst":
            continue
        for sld_id in child:
            # sldId carries a numeric id and r:id; the relationship id is the namespaced one.
            rel_id = next((v for k, v in sld_id.attrib.items() if k.endswith("}id")), None)
            if rel_id and rel_id in rels:
                yield sld_id, rels[rel_id][1]


def _slide_parts(package: OpcPackage, main: str) -> list[str]:
    return [part for _entry, part in _slide_list(package.xml(main), package.rels(main))]


def write_first_slides(source: Path, target: Path, keep: int) -> int:
    """How many slides `source` lists. When that is more than `keep`, also write `target`: a copy
    whose slide list ends after the first `keep` slides (every part is copied as it is), so that
    LibreOffice is never handed the thousands of slides a small hostile file can list."""
    package = open_package(source)
    try:
        main, _content = _main_part(package)
        root = package.xml(main)
        entries = list(_slide_list(root, package.rels(main)))
        if len(entries) <= keep:
            return len(entries)
        for entry, _part in entries[keep:]:
            parent = entry.getparent()
            if parent is not None:
                parent.remove(entry)
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        main_name = package.part_name(main)
        try:
            with open(target, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as out:
                for info in package.zip.infolist():
                    copy = zipfile.ZipInfo(info.filename, info.date_time)
                    copy.compress_type, copy.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
                    if info.filename.lstrip("/") == main_name:
                        out.writestr(copy, data)
                        continue
                    copy.file_size = info.file_size  # so a large part gets its zip64 header
                    with package.zip.open(info) as part, out.open(copy, "w") as written:
                        shutil.copyfileobj(part, written, 1024 * 1024)
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, ValueError) as exc:
            raise DamagedDeckError("A part of the deck is damaged and cannot be copied.", str(exc)) from exc
        return len(entries)
    finally:
        package.close()


def read_deck(path: Path, limits: PackageLimits = DEFAULT_LIMITS, file_name: str = "") -> DeckContent:
    """Read every slide's title, text, notes, layout and content flags; raise a DeckImportError."""
    path = Path(path)
    if path.stat().st_size > limits.max_file_bytes:
        raise file_too_large(limits.max_file_bytes)
    check_not_ole(path)
    package = OpcPackage(path, limits)
    try:
        return _read_package(package, file_name or path.name)
    except (KeyError, IndexError, ValueError) as exc:
        raise DamagedDeckError(
            "The package structure is damaged: a part the slides need is missing or does not make sense.",
            repr(exc),
        ) from exc
    finally:
        package.close()


def _read_package(package: OpcPackage, file_name: str) -> DeckContent:
    main, content_type = _main_part(package)
    kind, macro = ("presentation", "macroenabled" in content_type)
    for suffix, (known_kind, known_macro) in PRESENTATION_KINDS.items():
        if content_type.endswith(suffix):
            kind, macro = known_kind, known_macro
    rel_types = " ".join(t for t, _ in package.rels("").values())
    strict = STRICT_MARK in rel_types
    warnings: list[str] = []
    layout_names: dict[str, str] = {}
    slides: list[SlideContent] = []
    parts = _slide_parts(package, main)
    listed, limit = len(parts), package.limits.max_slides
    if listed > limit:
        warnings.append(
            f"This deck lists {listed:,} slides; only the first {limit:,} were imported "
            f"(the library takes at most {limit:,} slides from one deck)."
        )
        parts = parts[:limit]
    text_chars = 0
    for number, part in enumerate(parts, start=1):
        slide = _read_slide(package, part, number, layout_names, warnings)
        text_chars += len(slide.text) + len(slide.notes)
        if text_chars > package.limits.max_text_chars and slides:
            warnings.insert(
                0,
                f"This deck's slides hold more than {package.limits.max_text_chars:,} characters of "
                f"text; only the first {len(slides):,} of its {listed:,} slides were imported.",
            )
            break
        slides.append(slide)
    title = _core_title(package) or next((s.title for s in slides if s.title), "")
    # A file name can carry control characters or undecodable bytes (lone surrogates) that SQLite
    # and every writer refuse; C1 controls and noncharacters can come from the XML itself.
    title = " ".join(clean_text(title or Path(file_name).stem, breaks=False).split()) or "Untitled deck"
    return DeckContent(
        title=title[:500],
        kind=kind,
        macro_enabled=macro,
        strict=strict,
        slides=tuple(slides),
        warnings=tuple(warnings),
    )


def _read_slide(
    package: OpcPackage, part: str, number: int, layout_names: dict[str, str], warnings: list[str]
) -> SlideContent:
    warning = ""
    title, hidden = "", False
    body: list[str] = []
    flags = {"chart": False, "table": False, "picture": False, "media": False}
    content_hash = hashlib.sha256()
    try:
        raw = package.read(part)
        content_hash.update(raw)
        root = etree.fromstring(raw, SAFE_PARSER)
        hidden = root.get("show") in ("0", "false")
        title, body, flags = _read_slide_text(root)
    except (DamagedDeckError, KeyError, etree.XMLSyntaxError) as exc:
        warning = f"Slide {number} could not be read ({part}): {exc}"
        warnings.append(warning)
    notes = ""
    layout = ""
    try:
        rels = package.rels(part)
        for rel_type, _target in rels.values():
            if rel_type.endswith("/chart"):
                flags["chart"] = True
            elif rel_type.endswith(MEDIA_RELS):
                flags["media"] = True
        body.extend(_diagram_text(package, part))
        notes_part = package.first_rel(part, "/notesSlide")
        if notes_part and package.has(notes_part):
            notes = _notes_text(package, notes_part)
        layout_part = package.first_rel(part, "/slideLayout")
        if layout_part:
            layout = _layout_name(package, layout_part, layout_names, warnings)
    except (DamagedDeckError, KeyError) as exc:
        message = f"Slide {number}: part of its content could not be read: {exc}"
        warnings.append(message)
        warning = warning or message
    content_hash.update(notes.encode("utf-8"))
    return SlideContent(
        number=number,
        title=clean_text(title),
        text=clean_text("\n".join(body)),
        notes=clean_text(notes),
        layout=layout,
        hidden=hidden,
        has_chart=flags["chart"],
        has_table=flags["table"],
        has_picture=flags["picture"],
        has_media=flags["media"],
        content_hash=content_hash.hexdigest(),
        warning=warning,
    )


def _layout_name(package: OpcPackage, part: str, cache: dict[str, str], warnings: list[str]) -> str:
    if part in cache:
        return cache[part]
    name = ""
    try:
        root = package.xml(part)
        for child in root:
            if local_name(child.tag) == "cSld":
                name = child.get("name") or ""
                break
    except (DamagedDeckError, KeyError) as exc:
        warnings.append(f"The slide layout {part} is damaged; its slides were kept: {exc}")
    cache[part] = name
    return name
