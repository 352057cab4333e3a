"""Strict OOXML (ISO 29500 strict) parts and relationship types translated to transitional ones."""

from __future__ import annotations

import re

from lxml import etree

from msldesk.decks.ooxml.names import NS_CHART, SAFE_PARSER, xml_bytes

_STRICT_NAMESPACE = re.compile(
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
_TEXT_ATTRIBUTES = frozenset(
    {
        "name", "descr", "title", "formatCode", "typeface", "panose", "tooltip", "action", "tgtFrame",
        "invalidUrl", "uri", "id", "modelId", "initials", "styleId", "styleName", "phldrT", "presName",
        "presStyleLbl", "type",
    }
)  # fmt: skip


def transitional_namespaces(data: bytes) -> bytes:
    """`data` (a part's XML or a relationship type) with Strict namespaces replaced by transitional."""

    def namespace(match: re.Match[bytes]) -> bytes:
        area, name, rest = match.group(1), match.group(2), match.group(3) or b""
        if area == b"officeDocument" and name == b"relationships" and rest:
            rest = b"/" + _STRICT_RENAMES.get(rest[1:], rest[1:])
        return (
            b"http://schemas.openxmlformats.org/" + area + b"/2006/" + _STRICT_RENAMES.get(name, name) + rest
        )

    return _STRICT_NAMESPACE.sub(namespace, data)


def transitional_percentages(data: bytes) -> bytes:
    """Percent-typed attributes of an (already namespace-translated) Strict part, as transitional."""
    if b'%"' not in data and b"%'" not in data:
        return data
    try:
        root = etree.fromstring(data, SAFE_PARSER)
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
            element.set(key, str(round(number if namespace == NS_CHART else number * 1000)))
            changed = True
    return xml_bytes(root) if changed else data
