"""Charts copied from Office 2007 decks keep their look: the flags Office 2007 left unstated, written out.

Office 2007 read a chart flag it did not state (an omitted val, or the element left out) as false;
later writers state their flags, and the specification, third-party writers and LibreOffice for any
file not from Office 2007 take such a flag as true. LibreOffice decides once per file, from
docProps/app.xml, and the new deck is not from Office 2007: a chart copied from a 2007 deck would
show every data label (value, category, series name...), smooth its lines and turn its 3-D axes. So
such charts get those flags written out as Office 2007 read them. The flags are the ones
LibreOffice's oox chart import defaults with !isMSO2007Document().
"""

from __future__ import annotations

from lxml import etree

from msldesk.decks.ooxml.names import NS_CHART, SAFE_PARSER, xml_bytes

_C = f"{{{NS_CHART}}}"
_CHART_BOOLEANS = frozenset(
    {
        "date1904", "roundedCorners", "autoTitleDeleted", "plotVisOnly", "showDLblsOverMax", "rAngAx",
        "varyColors", "wireframe", "smooth", "invertIfNegative", "bubble3D", "showNegBubbles", "delete",
        "showLegendKey", "showVal", "showCatName", "showSerName", "showPercent", "showBubbleSize",
        "showLeaderLines", "dispRSqr", "dispEq", "noEndCap", "auto", "noMultiLvlLbl", "overlay",
        "showHorzBorder", "showVertBorder", "showOutline", "showKeys", "applyToFront", "applyToSides",
        "applyToEnd", "chartObject", "data", "formatting", "selection", "userInterface", "autoUpdate",
    }
)  # fmt: skip
_CHART_ORDER = (
    "title", "autoTitleDeleted", "pivotFmts", "view3D", "floor", "sideWall", "backWall", "plotArea",
    "legend", "plotVisOnly", "dispBlanksAs", "showDLblsOverMax", "extLst",
)  # fmt: skip
_VIEW3D_ORDER = ("rotX", "hPercent", "rotY", "depthPercent", "rAngAx", "perspective", "extLst")
# Children of each chart type, in schema order (CT_BarChart, CT_LineChart, ...).
_GROUP_ORDER = {
    "barChart": (
        "barDir", "grouping", "varyColors", "ser", "dLbls", "gapWidth", "overlap", "serLines", "axId",
    ),
    "bar3DChart": (
        "barDir", "grouping", "varyColors", "ser", "dLbls", "gapWidth", "gapDepth", "shape", "axId",
    ),
    "areaChart": ("grouping", "varyColors", "ser", "dLbls", "dropLines", "axId"),
    "area3DChart": ("grouping", "varyColors", "ser", "dLbls", "dropLines", "gapDepth", "axId"),
    "lineChart": (
        "grouping", "varyColors", "ser", "dLbls", "dropLines", "hiLowLines", "upDownBars", "marker", "smooth",
        "axId",
    ),
    "line3DChart": ("grouping", "varyColors", "ser", "dLbls", "dropLines", "gapDepth", "axId"),
    "pieChart": ("varyColors", "ser", "dLbls", "firstSliceAng"),
    "pie3DChart": ("varyColors", "ser", "dLbls"),
    "doughnutChart": ("varyColors", "ser", "dLbls", "firstSliceAng", "holeSize"),
    "ofPieChart": (
        "ofPieType", "varyColors", "ser", "dLbls", "gapWidth", "splitType", "splitPos", "custSplit",
        "secondPieSize", "serLines",
    ),
    "radarChart": ("radarStyle", "varyColors", "ser", "dLbls", "axId"),
    "scatterChart": ("scatterStyle", "varyColors", "ser", "dLbls", "axId"),
    "bubbleChart": (
        "varyColors", "ser", "dLbls", "bubble3D", "bubbleScale", "showNegBubbles", "sizeRepresents", "axId",
    ),
    "surfaceChart": ("wireframe", "ser", "bandFmts", "axId"),
    "surface3DChart": ("wireframe", "ser", "bandFmts", "axId"),
}  # fmt: skip
_GROUPED = ("barChart", "bar3DChart", "areaChart", "area3DChart")  # chart types with a grouping
_GROUP_FLAGS = ("varyColors", "marker", "smooth", "bubble3D", "showNegBubbles", "wireframe")
_LABEL_FLAGS = ("showLegendKey", "showVal", "showCatName", "showSerName", "showPercent", "showBubbleSize")
_LABELS_ORDER = (
    "dLbl", "delete", "numFmt", "spPr", "txPr", "dLblPos", *_LABEL_FLAGS, "separator", "showLeaderLines",
    "leaderLines", "extLst",
)  # fmt: skip
_LABEL_ORDER = (
    "idx", "delete", "layout", "tx", "numFmt", "spPr", "txPr", "dLblPos", *_LABEL_FLAGS, "separator",
    "extLst",
)  # fmt: skip
_TRENDLINE_ORDER = (
    "name", "spPr", "trendlineType", "order", "period", "forward", "backward", "intercept", "dispRSqr",
    "dispEq", "trendlineLbl", "extLst",
)  # fmt: skip


def written_by_office2007(app_properties: bytes) -> bool:
    """LibreOffice's test (oox XmlFilterBase::checkDocumentProperties): docProps/app.xml names a
    Microsoft application and an AppVersion of 12.x."""
    try:
        root = etree.fromstring(app_properties, SAFE_PARSER)
    except etree.XMLSyntaxError:
        return False
    fields = {etree.QName(child).localname: (child.text or "").strip() for child in root}
    return fields.get("Application", "").lower().startswith("microsoft") and fields.get(
        "AppVersion", ""
    ).startswith("12.")


def explicit_office2007_chart(data: bytes) -> bytes:
    """A chart part from an Office 2007 deck with the flags it leaves unstated written out as false."""
    try:
        root = etree.fromstring(data, SAFE_PARSER)
    except etree.XMLSyntaxError:
        return data
    _state_omitted_values(root)
    chart = root.find(f"{_C}chart")
    if chart is None:
        return xml_bytes(root)
    _state_chart_flags(chart)
    _state_label_flags(root)
    for trendline in root.iter(f"{_C}trendline"):
        for flag in ("dispRSqr", "dispEq"):
            _ensure_child(trendline, flag, "0", _TRENDLINE_ORDER)
    return xml_bytes(root)


def _state_omitted_values(root: etree._Element) -> None:
    """Flags present without a val read as false; a grouping without one as standard."""
    for element in root.iter(f"{_C}*"):
        local = etree.QName(element).localname
        parent = element.getparent()
        parent_local = etree.QName(parent).localname if parent is not None else ""
        flag = local in _CHART_BOOLEANS or (local == "marker" and parent_local == "lineChart")
        if flag and element.get("val") is None and len(element) == 0:
            element.set("val", "0")
        elif local == "grouping" and element.get("val") is None:
            element.set("val", "standard")


def _state_chart_flags(chart: etree._Element) -> None:
    """The chart's own flags, its 3-D view's right-angle axes, and each chart type's flags."""
    for flag in ("autoTitleDeleted", "plotVisOnly", "showDLblsOverMax"):
        _ensure_child(chart, flag, "0", _CHART_ORDER)
    plot_area = chart.find(f"{_C}plotArea")
    groups = [] if plot_area is None else [g for g in plot_area if etree.QName(g).localname in _GROUP_ORDER]
    if any("3D" in etree.QName(g).localname for g in groups):
        view = _ensure_child(chart, "view3D", None, _CHART_ORDER)
        _ensure_child(view, "rAngAx", "0", _VIEW3D_ORDER)
    for group in groups:
        local = etree.QName(group).localname
        order = _GROUP_ORDER[local]
        if local in _GROUPED:
            _ensure_child(group, "grouping", "standard", order)
        for flag in _GROUP_FLAGS:
            if flag in order:
                _ensure_child(group, flag, "0", order)
        if local in ("lineChart", "scatterChart"):
            for series in group.iterfind(f"{_C}ser"):
                _ensure_child(series, "smooth", "0", ("smooth", "extLst"))


def _state_label_flags(root: etree._Element) -> None:
    """Data labels show nothing Office 2007 did not show: every unstated show-flag is false."""
    for labels in root.iter(f"{_C}dLbls"):
        if labels.find(f"{_C}delete") is None:
            for flag in (*_LABEL_FLAGS, "showLeaderLines"):
                _ensure_child(labels, flag, "0", _LABELS_ORDER)
    for label in root.iter(f"{_C}dLbl"):
        stated = any(label.find(f"{_C}{flag}") is not None for flag in _LABEL_FLAGS)
        if stated and label.find(f"{_C}delete") is None:
            for flag in _LABEL_FLAGS:
                _ensure_child(label, flag, "0", _LABEL_ORDER)


def _ensure_child(
    parent: etree._Element, local: str, value: str | None, order: tuple[str, ...]
) -> etree._Element:
    """`parent`'s child `local`, added (with val=`value`) where the schema order puts it if absent."""
    existing = parent.find(f"{_C}{local}")
    if existing is not None:
        return existing
    element = etree.Element(f"{_C}{local}")
    if value is not None:
        element.set("val", value)
    rank = order.index(local)
    for index, child in enumerate(parent):
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name in order and order.index(name) > rank:
            parent.insert(index, element)
            return element
    parent.append(element)
    return element
