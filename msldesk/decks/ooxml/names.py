"""The OOXML names the package modules share: namespaces, relationship and content types, the safe parser."""

from __future__ import annotations

import posixpath

from lxml import etree

# ---- namespaces (transitional) -------------------------------------------------------------------

NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS_DSP = "http://schemas.microsoft.com/office/drawing/2008/diagram"  # SmartArt's drawn shapes
NS_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
NS_EXTENDED_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
# The declarations a slide, layout or master part's root element carries, for parts written here.
PML_DECLARATIONS = f'xmlns:a="{NS_A}" xmlns:r="{NS_R}" xmlns:p="{NS_P}"'.encode()
# Strict OOXML (ISO 29500 strict) namespaces and relationship types all start under this.
STRICT_MARK = "purl.oclc.org/ooxml"
NS_R_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"

# ---- relationship types ------------------------------------------------------------------------

REL_TYPE = NS_R + "/"  # + "slide", "slideMaster", "theme", ...
REL_CORE_PROPERTIES = NS_RELS + "/metadata/core-properties"
REL_MODERN_AUTHORS = "http://schemas.microsoft.com/office/2018/10/relationships/authors"

# ---- content types -----------------------------------------------------------------------------

CT_PRESENTATION = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_APP = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_NOTES_MASTER = "application/vnd.openxmlformats-officedocument.presentationml.notesMaster+xml"
CT_TABLE_STYLES = "application/vnd.openxmlformats-officedocument.presentationml.tableStyles+xml"
CT_LEGACY_COMMENTS = "application/vnd.openxmlformats-officedocument.presentationml.comments+xml"
CT_COMMENT_AUTHORS = "application/vnd.openxmlformats-officedocument.presentationml.commentAuthors+xml"
CT_MODERN_COMMENTS = "application/vnd.ms-powerpoint.comments+xml"
CT_MODERN_AUTHORS = "application/vnd.ms-powerpoint.authors+xml"
# Parts are matched by the end of their content type (macro-enabled and template packages differ
# before it).
SLIDE = "presentationml.slide+xml"
SLIDE_LAYOUT = "presentationml.slideLayout+xml"
SLIDE_MASTER = "presentationml.slideMaster+xml"
NOTES_SLIDE = "presentationml.notesSlide+xml"

# ---- part names --------------------------------------------------------------------------------

CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_RELS = "_rels/.rels"


def rels_part_name(part: str) -> str:
    """The part holding `part`'s relationships: ppt/slides/slide1.xml -> ppt/slides/_rels/slide1.xml.rels."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


# ---- parsing and writing -----------------------------------------------------------------------


def local_name(tag: object) -> str:
    """An element's name without its namespace, so Strict and transitional parts read alike ("" for
    comments and processing instructions, whose tag is not a text)."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


# Package XML comes from untrusted files: no entity expansion, no network, no huge trees.
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
RECOVERING_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)


def xml_bytes(root: etree._Element) -> bytes:
    """A part's XML as stored in a package: UTF-8 with a standalone declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
