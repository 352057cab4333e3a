"""A deck that slides are copied from: its slide list and size, its parts as readable transitional XML."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from msldesk.core.errors import InvalidInputError, MsldeskError
from msldesk.decks.ooxml.names import SAFE_PARSER, SLIDE, SLIDE_LAYOUT, SLIDE_MASTER, STRICT_MARK
from msldesk.decks.ooxml.office2007_charts import written_by_office2007
from msldesk.decks.ooxml.opc import OpcPackage, Relationship, content_types, open_package
from msldesk.decks.ooxml.repair import BLANK_SLIDE, blank_layout_like, recovered, without_doctype
from msldesk.decks.ooxml.slide_size import Fit
from msldesk.decks.ooxml.strict import transitional_namespaces, transitional_percentages
from msldesk.decks.ooxml.text_defaults import TextDefaults
from msldesk.decks.ooxml.validate_read import has_doctype

# Parts scaled with the slides of a deck of another size (the slide itself, its master and the
# master's theme are scaled where they are copied). Notes keep their own page size.
FITTED_PARTS = (
    SLIDE_LAYOUT,
    "drawingml.chart+xml",
    "drawingml.chartshapes+xml",
    "drawingml.diagramDrawing+xml",
)
_EDITED_WHEN_FITTED = (*FITTED_PARTS, SLIDE, SLIDE_MASTER, "theme+xml")


class SourceDeck:
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
        self.strict = any(STRICT_MARK in r.rel_type for r in self.package.relationships(""))
        self.office2007 = self._written_by_office2007()
        self.slides: list[str] = []
        self.slide_size: tuple[str, str] | None = None
        self.default_text_style: etree._Element | None = None
        self.restyle: TextDefaults | None = None  # set when its text boxes need its own text defaults
        self._read_presentation()

    def _read_presentation(self) -> None:
        """The slide list, the slide size and the default text style of the presentation part."""
        rels = {r.rel_id: r for r in self.package.relationships(self.main)}
        for child in self.xml(self.main):
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
        app = self.first("", "/extended-properties")
        if app is None or not self.package.has(app):
            return False
        try:
            return written_by_office2007(self.package.read(app))
        except MsldeskError:
            return False

    def content_type(self, part: str) -> str:
        return self.overrides.get(part.lower()) or self.defaults.get(part.rpartition(".")[2].lower(), "")

    def data(self, part: str) -> bytes:
        """The part's bytes; XML translated from Strict and made well-formed."""
        data = self.package.read_binary(part)
        if _is_xml(self.content_type(part), part):
            if self.strict:
                data = transitional_namespaces(data)
            data = self._well_formed(part, data)
            if self.strict:
                data = transitional_percentages(data)
        return data

    def _well_formed(self, part: str, data: bytes) -> bytes:
        """XML as is if it parses; otherwise lxml's repair, or for a slide or layout a blank one (the
        layout keeps its name), with a warning: one malformed part must not make the whole deck
        unreadable. Any other part beyond repair is marked unreadable, and left out by the copy."""
        try:
            root = etree.fromstring(data, SAFE_PARSER)
            if has_doctype(root):
                return without_doctype(root)
            if self.fit is not None and self.content_type(part).endswith(_EDITED_WHEN_FITTED):
                self.checked[id(data)] = (data, root)
            return data
        except etree.XMLSyntaxError as exc:
            problem = str(exc)
        repaired = recovered(data)
        if repaired is not None:
            self.repairs.append(f"{self.name}: the malformed part {part} was repaired ({problem}).")
            return repaired
        if self.content_type(part).endswith(SLIDE_LAYOUT):
            self.repairs.append(
                f"{self.name}: the malformed layout {part} was replaced by a blank layout ({problem})."
            )
            return blank_layout_like(data)
        if self.content_type(part).endswith(SLIDE):
            self.repairs.append(
                f"{self.name}: the malformed slide {part} was replaced by a blank slide ({problem})."
            )
            return BLANK_SLIDE
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
        return etree.fromstring(data, SAFE_PARSER)

    def relationships(self, part: str) -> list[Relationship]:
        rels = self.package.relationships(part)
        if not self.strict:
            return rels
        return [
            Relationship(
                r.rel_id, transitional_namespaces(r.rel_type.encode()).decode(), r.target, r.external
            )
            for r in rels
        ]

    def first(self, part: str, suffix: str) -> str | None:
        """The target of `part`'s first internal relationship whose type ends with `suffix`."""
        return next(
            (r.target for r in self.relationships(part) if not r.external and r.rel_type.endswith(suffix)),
            None,
        )


def _is_xml(content_type: str, part: str) -> bool:
    return content_type.endswith("xml") or part.lower().endswith((".xml", ".rels", ".vml"))
