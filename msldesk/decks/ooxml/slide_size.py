"""Slide geometry across slide sizes: fitting a slide, its layout and master into a deck of another size.

A `Fit` maps one slide size onto another. `fit_within` is PowerPoint's "ensure fit" when a slide is
reused in a deck of another size: one scale for everything (so pictures keep their aspect ratio and
text its proportions) and the result centred. `stretch` fills the new size axis by axis; the house
template uses it to lay its layouts out for a deck's size. `refit` applies a Fit to a part's XML in
place: positions and sizes of the shapes at the top of a shape tree (a group's own frame only: its
child offsets stay, so its children follow), table grids, and every length that does not follow its
frame (font sizes, spacing, indents, tab stops, insets, cell margins, line widths, shadow and glow
distances). Proportions (autofit font scale, crops, adjust values) stay as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from msldesk.core.errors import InvalidInputError
from msldesk.decks.ooxml.names import NS_A, NS_DSP, NS_MC, NS_P, SAFE_PARSER, local_name

if TYPE_CHECKING:
    from pptx.presentation import Presentation

EMU_PER_CM = 360000
_A, _P, _DSP, _MC = (f"{{{namespace}}}" for namespace in (NS_A, NS_P, NS_DSP, NS_MC))

# PowerPoint's font size limits (ST_TextFontSize, hundredths of a point).
_MIN_FONT, _MAX_FONT = 100, 400000
# Lengths that keep their size when their shape is resized, by element: EMU or hundredths of a point.
_LENGTHS = {
    "ln": ("w",),
    "lnL": ("w",),
    "lnR": ("w",),
    "lnT": ("w",),
    "lnB": ("w",),
    "lnTlToBr": ("w",),
    "lnBlToTr": ("w",),
    "bodyPr": ("lIns", "tIns", "rIns", "bIns"),
    "tcPr": ("marL", "marR", "marT", "marB"),
    "pPr": ("marL", "indent", "defTabSz"),
    "defPPr": ("marL", "indent", "defTabSz"),
    **{f"lvl{n}pPr": ("marL", "indent", "defTabSz") for n in range(1, 10)},
    "tab": ("pos",),
    "spcPts": ("val",),
    "buSzPts": ("val",),
    "rPr": ("sz", "spc", "kern"),
    "defRPr": ("sz", "spc", "kern"),
    "endParaRPr": ("sz", "spc", "kern"),
    "outerShdw": ("blurRad", "dist"),
    "innerShdw": ("blurRad", "dist"),
    "prstShdw": ("dist",),
    "glow": ("rad",),
    "softEdge": ("rad",),
    "reflection": ("blurRad", "dist"),
}
_LENGTHS_BY_TAG = {_A + local: names for local, names in _LENGTHS.items()}
_LENGTH_TAGS = tuple(_LENGTHS_BY_TAG)
_GRID_TAGS = (_A + "gridCol", _A + "tr")
_SHAPE_TREES = (_P + "spTree", _DSP + "spTree")
_ALTERNATIVES = (_MC + "Choice", _MC + "Fallback")
# What a shape tree holds besides its own properties (nvGrpSpPr, grpSpPr: the tree's frame stays).
_SHAPES = frozenset({"sp", "grpSp", "graphicFrame", "cxnSp", "pic", "contentPart"})
_FRAME_NAMES = frozenset({"xfrm", "txXfrm"})
_UNIVERSAL = re.compile(r"(-?\d+(?:\.\d+)?)(mm|cm|in|pt|pc|pi)")
_EMU_PER_UNIT = {"mm": 36000, "cm": 360000, "in": 914400, "pt": 12700, "pc": 152400, "pi": 152400}

Size = tuple[int, int]


@dataclass(frozen=True)
class Fit:
    """x' = x*sx + dx and y' = y*sy + dy for positions; widths by sx, heights by sy; other lengths
    (fonts, lines, insets) by `lengths`."""

    sx: float
    sy: float
    lengths: float
    dx: float = 0.0
    dy: float = 0.0

    @property
    def uniform(self) -> bool:
        return self.sx == self.sy

    def without_offset(self) -> Fit:
        """The same scaling about the origin: for drawings positioned inside their own frame."""
        return Fit(self.sx, self.sy, self.lengths)


def fit_within(source: Size, target: Size) -> Fit:
    """One scale that fits `source` inside `target`, centred (PowerPoint's "ensure fit")."""
    scale = min(target[0] / source[0], target[1] / source[1])
    return Fit(scale, scale, scale, (target[0] - source[0] * scale) / 2, (target[1] - source[1] * scale) / 2)


def stretch(source: Size, target: Size, lengths: float) -> Fit:
    """Each axis scaled to fill `target`; other lengths (fonts...) by `lengths`."""
    return Fit(target[0] / source[0], target[1] / source[1], lengths)


def parse_size(size: tuple[str, str] | None) -> Size | None:
    """(cx, cy) of a presentation's sldSz as positive integers, or None when it is not usable."""
    if size is None:
        return None
    try:
        width, height = int(size[0]), int(size[1])
    except ValueError:
        return None
    return (width, height) if width > 0 and height > 0 else None


def size_label(size: tuple[str, str] | Size) -> str:
    """ "4:3, 25.4 × 19.1 cm": the shape alone does not tell two 4:3 sizes apart."""
    parsed = parse_size((str(size[0]), str(size[1])))
    if parsed is None:
        return "unknown"
    width, height = parsed
    ratio = width / height
    known = {"16:9": 16 / 9, "4:3": 4 / 3, "16:10": 16 / 10}
    shape = next((name for name, value in known.items() if abs(ratio - value) < 0.02), f"{ratio:.2f}:1")
    return f"{shape}, {width / EMU_PER_CM:.1f} × {height / EMU_PER_CM:.1f} cm"


def deck_slide_size(path: Path) -> Size | None:
    """The slide size a deck file declares in its presentation part, or None if it cannot tell."""
    from msldesk.core.errors import MsldeskError
    from msldesk.decks.ooxml.opc import open_package

    try:
        package = open_package(Path(path))
    except (MsldeskError, OSError):
        return None
    try:
        main = package.first_rel("", "/officeDocument")
        if main is None:
            return None
        root = etree.fromstring(package.read(main), SAFE_PARSER)
        size = next((c for c in root if isinstance(c.tag, str) and etree.QName(c).localname == "sldSz"), None)
        return None if size is None else parse_size((size.get("cx") or "", size.get("cy") or ""))
    except (MsldeskError, OSError, etree.XMLSyntaxError):
        return None
    finally:
        package.close()


# ------------------------------------------------------------------------------------- the transform


def _number(value: str) -> float | None:
    if value.isdigit():
        return float(value)
    try:
        return float(int(value))
    except ValueError:
        pass
    match = _UNIVERSAL.fullmatch(value.strip())
    return float(match.group(1)) * _EMU_PER_UNIT[match.group(2)] if match else None


def _scale_attribute(element: etree._Element, name: str, factor: float, offset: float = 0.0) -> None:
    value = element.get(name)
    if value is None:
        return
    number = _number(value)
    if number is None:
        return  # not a length we can read: left as written
    scaled = round(number * factor + offset)
    if name == "sz":
        scaled = min(max(scaled, _MIN_FONT), _MAX_FONT)
    element.set(name, str(scaled))


def _top_level_shapes(root: etree._Element) -> list[etree._Element]:
    """Shapes directly in a shape tree, including those wrapped in markup-compatibility choices."""
    shapes: list[etree._Element] = []
    for tree in root.iter(*_SHAPE_TREES):
        for child in tree:
            if child.tag == _MC + "AlternateContent":
                shapes.extend(shape for branch in child if branch.tag in _ALTERNATIVES for shape in branch)
            else:
                shapes.append(child)
    return [shape for shape in shapes if local_name(shape.tag) in _SHAPES]


def _frames(shape: etree._Element) -> list[etree._Element]:
    """The shape's own frame(s): xfrm in its properties (spPr, grpSpPr) or as a child (graphic frames,
    SmartArt text frames), and the picture an OLE object shows in its place."""
    frames = []
    for child in shape:
        local = local_name(child.tag)
        if local in _FRAME_NAMES:
            frames.append(child)
        elif local.endswith("Pr") and not local.startswith("nv"):
            frames.extend(child.iterchildren(_A + "xfrm"))
    if shape.tag == _P + "graphicFrame":
        frames.extend(shape.iterfind(f".//{_P}oleObj//{_P}pic/{_P}spPr/{_A}xfrm"))
    return frames


def _refit_frame(frame: etree._Element, fit: Fit, keep_aspect: bool) -> None:
    offset = frame.find(_A + "off")
    extent = frame.find(_A + "ext")
    sx, sy = fit.sx, fit.sy
    if keep_aspect and not fit.uniform and offset is not None and extent is not None:
        # A picture scaled by the smaller factor, centred where the stretched one would be.
        box = [_number(offset.get("x", "")), _number(offset.get("y", ""))]
        box += [_number(extent.get("cx", "")), _number(extent.get("cy", ""))]
        numbers = [number for number in box if number is not None]
        if len(numbers) == 4:
            left, top, width, height = numbers
            scale = min(sx, sy)
            offset.set("x", str(round((left + width / 2) * sx + fit.dx - width * scale / 2)))
            offset.set("y", str(round((top + height / 2) * sy + fit.dy - height * scale / 2)))
            extent.set("cx", str(round(width * scale)))
            extent.set("cy", str(round(height * scale)))
            return
    if offset is not None:
        _scale_attribute(offset, "x", sx, fit.dx)
        _scale_attribute(offset, "y", sy, fit.dy)
    if extent is not None:
        _scale_attribute(extent, "cx", sx)
        _scale_attribute(extent, "cy", sy)


def refit(root: etree._Element, fit: Fit) -> None:
    """Apply `fit` to a part's XML in place (a slide, layout, master, SmartArt drawing, chart, theme:
    parts without a shape tree get only their lengths scaled)."""
    for shape in _top_level_shapes(root):
        keep_aspect = etree.QName(shape).localname == "pic"
        for frame in _frames(shape):
            _refit_frame(frame, fit, keep_aspect)
    for element in root.iter(*_GRID_TAGS):
        if element.tag == _A + "gridCol":
            _scale_attribute(element, "w", fit.sx)
        else:
            _scale_attribute(element, "h", fit.sy)
    factor = fit.lengths
    for element in root.iter(*_LENGTH_TAGS):
        attributes = element.attrib
        for name in _LENGTHS_BY_TAG[element.tag]:
            value = attributes.get(name)
            if value is None:
                continue
            if value.isdigit():  # the usual case, without the general path's checks
                scaled = round(int(value) * factor)
                if name == "sz":
                    scaled = min(max(scaled, _MIN_FONT), _MAX_FONT)
                attributes[name] = str(scaled)
            else:
                _scale_attribute(element, name, factor)


def fit_template(prs: Presentation, slide_size: tuple[int, int]) -> float:
    """Lay the template's masters and layouts out for `slide_size`; return the scale of its text.

    Positions and sizes stretch to fill the new size axis by axis. Text follows the slide's height
    (the house sizes suit a slide 7.5 in high whether 4:3 or 16:9, as PowerPoint's own templates use
    the same sizes for both), and shrinks further only on a slide narrower than 4:3.
    """
    width, height = slide_size
    if width <= 0 or height <= 0:
        raise InvalidInputError("A deck's slides need a positive width and height.", details=str(slide_size))
    own = (int(prs.slide_width or 0), int(prs.slide_height or 0))
    if own == (width, height) or min(own) <= 0:
        return 1.0
    text_scale = min(height / own[1], width / own[1] * 3 / 4)
    fit = stretch(own, (width, height), text_scale)
    for master in prs.slide_masters:
        refit(master._element, fit)
        for layout in master.slide_layouts:
            refit(layout._element, fit)
    prs.slide_width, prs.slide_height = width, height  # type: ignore[assignment]
    return text_scale
