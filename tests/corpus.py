"""Reference readings of corpus files that do not use msldesk: stdlib zip/XML and python-pptx."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMPORTS = "imported"
# Main-part content types PowerPoint opens: presentation, slideshow, template, each +/- macros.
POWERPOINT_MAIN = re.compile(
    r"^application/vnd\.(openxmlformats-officedocument\.presentationml|ms-powerpoint)"
    r"\.(presentation|slideshow|template)(\.macroenabled)?\.main\+xml$"
)
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"  # kana, Han, Hangul
CJK_CHAR = re.compile(f"[{CJK_CHARS}]")
CJK_RUN = re.compile(f"[{CJK_CHARS}]{{4,}}")


def expected_kind(path: Path) -> str:
    """What importing `path` should give: IMPORTS or the error kind its content deserves."""
    data = path.read_bytes()
    if data[:8] == OLE2_MAGIC:
        if "EncryptedPackage".encode("utf-16-le") in data:
            return "password-protected"
        return "not-a-presentation"  # legacy binary .ppt
    try:
        package = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        return "damaged"
    with package:
        names = {name.lower(): name for name in package.namelist()}
        if "_rels/.rels" not in names:
            return "not-a-presentation"  # empty zip or not an OPC package
        rels = ElementTree.fromstring(package.read(names["_rels/.rels"]))
        main = next(
            (r.get("Target", "") for r in rels if r.get("Type", "").endswith("/officeDocument")),
            None,
        )
        if main is None:
            return "not-a-presentation"
        types = ElementTree.fromstring(package.read(names["[content_types].xml"]))
        part = "/" + main.lstrip("/").lower()
        content_type = ""
        for item in types:
            tag = item.tag.rpartition("}")[2]
            if tag == "Override" and item.get("PartName", "").lower() == part:
                content_type = item.get("ContentType", "")
                break
            if tag == "Default" and item.get("Extension", "").lower() == part.rpartition(".")[2]:
                content_type = item.get("ContentType", "")
        if not POWERPOINT_MAIN.match(content_type.lower()):
            return "not-a-presentation"  # a theme, a Word document, ...
        return IMPORTS


def is_strict(path: Path) -> bool:
    with zipfile.ZipFile(path) as package:
        return b"purl.oclc.org/ooxml" in package.read("_rels/.rels")


def hidden_slide_numbers(path: Path) -> list[int]:
    """Slide numbers whose <p:sld show="0">, in presentation order (read with python-pptx's parts)."""
    import pptx

    presentation = pptx.Presentation(str(path))
    return [
        n
        for n, slide in enumerate(presentation.slides, start=1)
        if slide._element.get("show") in ("0", "false")
    ]


@dataclass(frozen=True)
class ReferenceSlide:
    title: str | None  # None: python-pptx finds no title placeholder
    lines: tuple[str, ...]  # text of every paragraph on the slide (shapes, groups, tables)
    notes: str


def _shape_lines(shapes) -> list[str]:  # type: ignore[no-untyped-def]
    from pptx.enum.shapes import PP_PLACEHOLDER
    from pptx.shapes.group import GroupShape

    # Slide numbers and dates say nothing about a slide: msldesk leaves them out on purpose.
    skipped = {PP_PLACEHOLDER.SLIDE_NUMBER, PP_PLACEHOLDER.DATE}
    lines: list[str] = []
    for shape in shapes:
        if isinstance(shape, GroupShape):
            lines += _shape_lines(shape.shapes)
            continue
        if shape.is_placeholder and shape.placeholder_format.type in skipped:
            continue
        if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            lines += [p.text for p in shape.text_frame.paragraphs]
        if getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                for cell in row.cells:
                    lines += [p.text for p in cell.text_frame.paragraphs]
    return [line for line in lines if line.strip()]


def read_with_python_pptx(path: Path) -> list[ReferenceSlide] | None:
    """The slides as python-pptx sees them, or None when python-pptx cannot open the file."""
    import pptx

    try:
        presentation = pptx.Presentation(str(path))
    except Exception:  # noqa: BLE001 - seven exception types come out of Presentation(); any means "cannot open"
        return None
    slides = []
    for slide in presentation.slides:
        title_shape = slide.shapes.title
        title = None
        if title_shape is not None:
            title = title_shape.text_frame.text if title_shape.has_text_frame else ""
        notes = ""
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            notes = frame.text if frame is not None else ""
        slides.append(ReferenceSlide(title, tuple(_shape_lines(slide.shapes)), notes))
    return slides


def squash(text: str) -> str:
    """Compare text modulo whitespace (python-pptx uses \\v for line breaks, msldesk \\n)."""
    return " ".join(text.split())


_STRICT_NS = re.compile(rb"http://purl\.oclc\.org/ooxml/(\w+)/([\w/]+)")
_STRICT_SPECIAL = {b"extendedProperties": b"extended-properties", b"customProperties": b"custom-properties"}
_MAIN_TYPES = re.compile(
    rb"application/vnd\.(openxmlformats-officedocument\.presentationml|ms-powerpoint)"
    rb"\.(slideshow|template)(\.macroEnabled)?\.main\+xml",
    re.IGNORECASE,
)


def python_pptx_readable_copy(path: Path, target: Path) -> Path:
    """A copy python-pptx can open: Strict namespaces mapped to transitional ones, and a template
    or slideshow main part relabelled as a presentation. Slide content is untouched."""

    def transitional(match: re.Match[bytes]) -> bytes:
        area, rest = match.group(1), match.group(2)
        return b"http://schemas.openxmlformats.org/" + area + b"/2006/" + _STRICT_SPECIAL.get(rest, rest)

    presentation = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith((".xml", ".rels")):
                data = _STRICT_NS.sub(transitional, data)
            if info.filename == "[Content_Types].xml":
                data = _MAIN_TYPES.sub(presentation, data)
            out.writestr(info, data)
    return target
