"""A deck's default text style written into its copied slides' text boxes, so their text looks the same.

Text boxes and shapes take what they do not set from the presentation's defaultTextStyle, and the
new deck has only the first deck's. Slides from a deck whose defaults differ get them written into
each such text body's own list style, which comes first in the inheritance; what the list style
already sets wins. Children of a properties element follow the schema order, and only one member of
each choice group may appear (solidFill or gradFill, buChar or buNone, ...).
"""

from __future__ import annotations

import copy

from lxml import etree

from msldesk.decks.ooxml.names import NS_A, NS_P

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
_FONT_AND_COLOUR = {
    "noFill", "solidFill", "gradFill", "blipFill", "pattFill", "grpFill", "latin", "ea", "cs", "sym",
}  # fmt: skip
_SIZE_ATTRIBUTES = ("marL", "indent", "defTabSz", "sz", "kern", "spc")


def same_text_style(one: etree._Element | None, other: etree._Element | None) -> bool:
    """Whether two defaultTextStyle elements (or their absence) say the same thing."""
    return _canonical(one) == _canonical(other)


def _canonical(element: etree._Element | None) -> bytes:
    return b"" if element is None else etree.tostring(element, method="c14n")


class TextDefaults:
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


def sizes_only(default_text_style: etree._Element) -> etree._Element:
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


def apply_text_defaults(root: etree._Element, defaults: TextDefaults) -> None:
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
