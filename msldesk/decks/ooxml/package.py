"""Read a PowerPoint package (transitional or Strict OOXML) into plain slide records, without python-pptx.

python-pptx parses every part up front and refuses templates, slideshows and Strict files, so one
malformed layout loses the whole deck. Here only the parts that carry slide content are parsed,
namespaces are matched by local name (Strict and transitional alike), and a broken part costs
only what it holds.
"""

from __future__ import annotations

import hashlib
import posixpath
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from msldesk.core.errors import DamagedDeckError, NotAPresentationError, PasswordProtectedError, TooLargeError
from msldesk.core.text_safety import clean_text
from msldesk.decks.ooxml.names import CONTENT_TYPES, PACKAGE_RELS, SAFE_PARSER, STRICT_MARK, rels_part_name


@dataclass(frozen=True)
class PackageLimits:
    """Refuse zip bombs and absurd files before decompressing anything."""

    max_file_bytes: int = 2 * 1024**3
    max_uncompressed_bytes: int = 4 * 1024**3
    max_entries: int = 20_000
    max_ratio: int = 200  # uncompressed / compressed, checked for entries over ratio_floor_bytes
    ratio_floor_bytes: int = 16 * 1024**2
    max_xml_part_bytes: int = 64 * 1024**2
    # A 71 KB file can list one slide 15,000 times: only the first max_slides are read and indexed,
    # and only as many as hold max_text_chars of text and notes together (one slide of highly
    # compressible text, listed again and again, would otherwise fill the database).
    max_slides: int = 2000
    max_text_chars: int = 64_000_000


DEFAULT_LIMITS = PackageLimits()

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
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


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag.rpartition("}")[2]


@dataclass(frozen=True)
class Relationship:
    rel_id: str
    rel_type: str
    target: str  # absolute part name, or the URL of an external target
    external: bool


class _Package:
    """A zip-based OPC package with case-insensitive part names and bounded reads."""

    def __init__(self, path: Path, limits: PackageLimits) -> None:
        self.limits = limits
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError) as exc:
            # A damaged central directory is not always BadZipFile: bit rot also shows up as an
            # unsupported "version needed" (NotImplementedError) or undecodable names (ValueError).
            raise DamagedDeckError(
                f"The file is damaged: it is not a readable zip package, it may be truncated "
                f"or corrupt ({exc}).",
                str(exc),
            ) from exc
        infos = self.zip.infolist()
        if len(infos) > limits.max_entries:
            raise TooLargeError(
                f"The file is too large to import safely: {len(infos):,} parts "
                f"(limit {limits.max_entries:,}).",
            )
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
                info.compress_size, 1
            ):
                raise TooLargeError(
                    "The file is too large to import safely: part "
                    f"{info.filename} expands {info.file_size // max(info.compress_size, 1)}×.",
                )
        if total > limits.max_uncompressed_bytes:
            raise TooLargeError(
                f"The file is too large to import safely: {total / 1024**3:.1f} GB uncompressed "
                f"(limit {limits.max_uncompressed_bytes / 1024**3:.0f} GB).",
            )
        self.names = {info.filename.lstrip("/").lower(): info for info in infos}
        self._rels_cache: dict[str, dict[str, tuple[str, str]]] = {}

    def close(self) -> None:
        self.zip.close()

    def has(self, part: str) -> bool:
        return part.lstrip("/").lower() in self.names

    def read(self, part: str) -> bytes:
        info = self.names.get(part.lstrip("/").lower())
        if info is None:
            raise KeyError(part)
        if info.file_size > self.limits.max_xml_part_bytes:
            raise TooLargeError(f"The part {part} is too large to read ({info.file_size:,} bytes).")
        # A damaged part fails in many ways: bad deflate data (zlib.error), a bogus compression method
        # (NotImplementedError) or a zip-encryption flag, never valid in OOXML (RuntimeError).
        try:
            with self.zip.open(info) as handle:
                data = handle.read(self.limits.max_xml_part_bytes + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
            raise DamagedDeckError(f"The part {part} is damaged and cannot be read.", str(exc)) from exc
        if len(data) > self.limits.max_xml_part_bytes:
            raise TooLargeError(f"The part {part} is too large to read.")
        return data

    def xml(self, part: str) -> etree._Element:
        data = self.read(part)
        try:
            return etree.fromstring(data, SAFE_PARSER)
        except etree.XMLSyntaxError as exc:
            raise DamagedDeckError(f"The part {part} is not well-formed XML: {exc}", str(exc)) from exc

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationships of `part`: id -> (type, absolute target part name); external ones skipped."""
        cached = self._rels_cache.get(part)
        if cached is not None:
            return cached
        folder = posixpath.dirname(part.lstrip("/"))
        rels_part = rels_part_name(part.lstrip("/"))
        result: dict[str, tuple[str, str]] = {}
        if self.has(rels_part):
            for rel in self.xml(rels_part):
                if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target") or ""
                if target.startswith("/"):
                    resolved = target.lstrip("/")
                else:
                    resolved = posixpath.normpath(posixpath.join(folder, target))
                result[rel.get("Id") or ""] = (rel.get("Type") or "", resolved)
        self._rels_cache[part] = result
        return result

    def read_binary(self, part: str) -> bytes:
        """A part's bytes whatever its size (media); the package-wide limits were checked on open."""
        info = self.names.get(part.lstrip("/").lower())
        if info is None:
            raise KeyError(part)
        try:
            with self.zip.open(info) as handle:
                return handle.read()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
            raise DamagedDeckError(f"The part {part} is damaged and cannot be read.", str(exc)) from exc

    def part_name(self, part: str) -> str:
        """The name as stored in the zip (part names are case-insensitive in OPC)."""
        info = self.names.get(part.lstrip("/").lower())
        return info.filename.lstrip("/") if info is not None else part.lstrip("/")

    def relationships(self, part: str) -> list[Relationship]:
        """Every relationship of `part`, external ones included, in file order."""
        folder = posixpath.dirname(part.lstrip("/"))
        rels_part = rels_part_name(part.lstrip("/"))
        if not self.has(rels_part):
            return []
        result = []
        for rel in self.xml(rels_part):
            if _local(rel.tag) != "Relationship":
                continue
            target = rel.get("Target") or ""
            external = rel.get("TargetMode") == "External"
            if external:
                resolved = target
            elif target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            result.append(Relationship(rel.get("Id") or "", rel.get("Type") or "", resolved, external))
        return result

    def first_rel(self, part: str, type_suffix: str) -> str | None:
        for rel_type, target in self.rels(part).values():
            if rel_type.endswith(type_suffix):
                return target
        return None


OpcPackage = _Package  # the reader, for modules that copy parts (compose)


def open_package(path: Path, limits: PackageLimits = DEFAULT_LIMITS) -> _Package:
    """Open a deck file for reading parts, with the same refusals as import (encrypted, damaged...)."""
    _check_not_ole(Path(path))
    return _Package(Path(path), limits)


def content_types(package: _Package) -> tuple[dict[str, str], dict[str, str]]:
    """([Content_Types] overrides by lower-case part name, defaults by lower-case extension)."""
    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}
    for item in package.xml(CONTENT_TYPES):
        name = _local(item.tag)
        if name == "Override":
            overrides[(item.get("PartName") or "").lstrip("/").lower()] = item.get("ContentType") or ""
        elif name == "Default":
            defaults[(item.get("Extension") or "").lower()] = item.get("ContentType") or ""
    return overrides, defaults


def _check_not_ole(path: Path) -> None:
    with open(path, "rb") as handle:
        head = handle.read(8)
        if head != OLE2_MAGIC:
            return
        # Encrypted OOXML is an OLE2 file holding an "EncryptedPackage" stream; scan for its name.
        needle = "EncryptedPackage".encode("utf-16-le")
        handle.seek(0)
        tail = b""
        while chunk := handle.read(1024 * 1024):
            if needle in tail + chunk:
                raise PasswordProtectedError(
                    "The file is password-protected. Remove the password in PowerPoint "
                    "(File › Info › Protect Presentation) and import it again."
                )
            tail = chunk[-len(needle) :]
    raise NotAPresentationError(
        "The file is a legacy binary Office file (.ppt or similar), not a PowerPoint .pptx "
        "package. Save it as .pptx in PowerPoint and import it again."
    )


def _main_part(package: _Package) -> tuple[str, str]:
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


def _content_type(package: _Package, part: str) -> str:
    if not package.has(CONTENT_TYPES):
        raise DamagedDeckError("The package has no [Content_Types].xml part.")
    types = package.xml(CONTENT_TYPES)
    wanted = "/" + part.lstrip("/").lower()
    extension = part.rpartition(".")[2].lower()
    default = ""
    for item in types:
        name = _local(item.tag)
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
            if _local(run.tag) == "br":
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
        if _local(child.tag).startswith("nv"):
            for nv in child:
                if _local(nv.tag) == "nvPr":
                    for ph in nv:
                        if _local(ph.tag) == "ph":
                            return ph.get("type") or "body"
    return None


def _shape_tree(root: etree._Element) -> etree._Element | None:
    for child in root:
        if _local(child.tag) == "cSld":
            for sub in child:
                if _local(sub.tag) == "spTree":
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
        local = _local(node.tag)
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
    if _local(element.tag) != "grpSp":
        return [] if element.get("_seen") else _paragraph_texts(element)
    lines: list[str] = []
    for child in element:
        if not child.get("_seen"):
            lines.extend(_text_outside_seen(child))
    return lines


def _notes_text(package: _Package, notes_part: str) -> str:
    root = package.xml(notes_part)
    tree = _shape_tree(root)
    if tree is None:
        return ""
    lines: list[str] = []
    for node in tree.iter("{*}sp"):
        if _placeholder_type(node) == "body":
            lines.extend(_paragraph_texts(node))
    return "\n".join(lines)


def _diagram_text(package: _Package, slide_part: str) -> list[str]:
    """SmartArt text lives in diagram data parts, not in the slide itself."""
    lines: list[str] = []
    for rel_type, target in package.rels(slide_part).values():
        if rel_type.endswith("/diagramData") and package.has(target):
            lines.extend(_paragraph_texts(package.xml(target)))
    return lines


def _core_title(package: _Package) -> str:
    core = package.first_rel("", "/core-properties") or package.first_rel("", "/metadata/core-properties")
    if not core or not package.has(core):
        return ""
    try:
        root = package.xml(core)
    except DamagedDeckError:
        return ""
    for child in root:
        if _local(child.tag) == "title" and child.text:
            return child.text.strip()
    return ""


def _slide_list(
    root: etree._Element, rels: dict[str, tuple[str, str]]
) -> Iterator[tuple[etree._Element, str]]:
    """Each entry of the presentation's slide list that names a slide part, with that part."""
    for child in root:
        if _local(child.tag) != "sldIdLst":
            continue
        for sld_id in child:
            # sldId carries a numeric id and r:id; the relationship id is the namespaced one.
            rel_id = next((v for k, v in sld_id.attrib.items() if k.endswith("}id")), None)
            if rel_id and rel_id in rels:
                yield sld_id, rels[rel_id][1]


def _slide_parts(package: _Package, main: str) -> list[str]:
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
            raise DamagedDeckError(f"A part of the deck is damaged and cannot be copied: {exc}") from exc
        return len(entries)
    finally:
        package.close()


def file_too_large(limit: int) -> TooLargeError:
    return TooLargeError(f"The file is too large to import: it is over the limit of {_size_words(limit)}.")


def _size_words(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.0f} GB"
    if size >= 1024**2:
        return f"{size / 1024**2:.0f} MB"
    return f"{size:,} bytes"


def read_deck(path: Path, limits: PackageLimits = DEFAULT_LIMITS, file_name: str = "") -> DeckContent:
    """Read every slide's title, text, notes, layout and content flags; raise a DeckImportError."""
    path = Path(path)
    if path.stat().st_size > limits.max_file_bytes:
        raise file_too_large(limits.max_file_bytes)
    _check_not_ole(path)
    package = _Package(path, limits)
    try:
        return _read_package(package, file_name or path.name)
    except (KeyError, IndexError, ValueError) as exc:
        raise DamagedDeckError(f"The package structure is damaged: {exc}", repr(exc)) from exc
    finally:
        package.close()


def _read_package(package: _Package, file_name: str) -> DeckContent:
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
    package: _Package, part: str, number: int, layout_names: dict[str, str], warnings: list[str]
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


def _layout_name(package: _Package, part: str, cache: dict[str, str], warnings: list[str]) -> str:
    if part in cache:
        return cache[part]
    name = ""
    try:
        root = package.xml(part)
        for child in root:
            if _local(child.tag) == "cSld":
                name = child.get("name") or ""
                break
    except (DamagedDeckError, KeyError) as exc:
        warnings.append(f"The slide layout {part} is damaged; its slides were kept: {exc}")
    cache[part] = name
    return name
