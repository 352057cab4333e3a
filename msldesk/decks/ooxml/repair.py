"""Malformed or DOCTYPE-carrying XML parts made well-formed, or replaced by blank slides and layouts."""

from __future__ import annotations

import re

from lxml import etree

from msldesk.decks.ooxml.names import PML_DECLARATIONS, RECOVERING_PARSER, SAFE_PARSER, xml_bytes

_EMPTY_PREFIX_ELEMENT = re.compile(rb"<:(\w+)\b[^>]*?(?:/>|>.*?</:\1>)", re.S)
_LAYOUT_NAME = re.compile(rb'<p:cSld[^>]*\bname="([^"]*)"')

_BLANK_LAYOUT = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b"<p:sldLayout " + PML_DECLARATIONS + b' preserve="1">'
    b'<p:cSld name="{name}"><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/>'
    b"</p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr>"
    b"</p:sldLayout>"
)

BLANK_SLIDE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b"<p:sld " + PML_DECLARATIONS + b">"
    b'<p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/>'
    b"</p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr>"
    b"</p:sld>"
)


def blank_layout_like(data: bytes) -> bytes:
    """An empty layout named as the (malformed) layout `data` was, so slides still find it by name."""
    name = _LAYOUT_NAME.search(data)
    return _BLANK_LAYOUT.replace(b"{name}", name.group(1) if name else b"Blank")


def without_doctype(root: etree._Element) -> bytes:
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
    return xml_bytes(root)


def recovered(data: bytes) -> bytes | None:
    """A repaired copy that is well-formed XML, or None. Writers have been seen emitting elements
    with an empty prefix (`<:scene3d>`): those are dropped (they are optional effects); anything
    else is left to lxml's recovering parser."""
    data = _EMPTY_PREFIX_ELEMENT.sub(b"", data)
    try:
        etree.fromstring(data, SAFE_PARSER)
        return data
    except etree.XMLSyntaxError:
        pass
    try:
        root = etree.fromstring(data, RECOVERING_PARSER)
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    text = without_doctype(root)
    try:
        etree.fromstring(text, SAFE_PARSER)
    except etree.XMLSyntaxError:
        return None
    return text
