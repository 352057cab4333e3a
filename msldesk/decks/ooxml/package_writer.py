"""Write a new deck's parts as a zip package, atomically: content types, relationships, properties."""

from __future__ import annotations

import datetime as dt
import posixpath
import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from msldesk.core.fileio import atomic_writer
from msldesk.core.text_safety import core_title
from msldesk.decks.ooxml.names import (
    CONTENT_TYPES,
    CT_APP,
    CT_CORE,
    CT_RELS,
    NS_CORE_PROPERTIES,
    NS_CT,
    NS_EXTENDED_PROPERTIES,
    NS_RELS,
    PACKAGE_RELS,
    REL_CORE_PROPERTIES,
    REL_TYPE,
    rels_part_name,
)
from msldesk.decks.ooxml.opc import Relationship
from msldesk.decks.ooxml.part_graph import OutPart

CORE_PART = "docProps/core.xml"
APP_PART = "docProps/app.xml"


def write_package(out: Path, parts: dict[str, OutPart], main_part: str, title: str, slides: int) -> int:
    """Write `parts` (and the document properties: `title`, `slides`, msldesk as author) to `out`
    with `main_part` as the main document; the number of parts written."""
    parts[CORE_PART] = OutPart(CORE_PART, CT_CORE, _core_properties(title))
    parts[APP_PART] = OutPart(APP_PART, CT_APP, _app_properties(slides))
    package_rels = [
        Relationship("rId1", REL_TYPE + "officeDocument", main_part, False),
        Relationship("rId2", REL_CORE_PROPERTIES, CORE_PART, False),
        Relationship("rId3", REL_TYPE + "extended-properties", APP_PART, False),
    ]
    with atomic_writer(out) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(CONTENT_TYPES, _content_types(parts.values()))
        archive.writestr(PACKAGE_RELS, _rels_xml("", package_rels))
        for part in parts.values():
            archive.writestr(part.name, part.data)
            if part.rels:
                archive.writestr(rels_part_name(part.name), _rels_xml(part.name, part.rels))
    return len(parts)


def _core_properties(title: str) -> bytes:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        "<cp:coreProperties "
        f'xmlns:cp="{NS_CORE_PROPERTIES}" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(core_title(title))}</dc:title><dc:creator>msldesk</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()


def _app_properties(slides: int) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{NS_EXTENDED_PROPERTIES}">'
        f"<Application>msldesk</Application><Slides>{slides}</Slides></Properties>"
    ).encode()


def _content_types(parts: Iterable[OutPart]) -> bytes:
    items = [
        f'<Default Extension="rels" ContentType="{CT_RELS}"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
    ]
    for part in sorted(parts, key=lambda p: p.name):
        content_type = part.content_type or "application/octet-stream"
        items.append(f'<Override PartName="/{escape(part.name)}" ContentType="{escape(content_type)}"/>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Types xmlns="{NS_CT}">{"".join(items)}</Types>'
    ).encode()


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
