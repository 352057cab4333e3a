"""Build msldesk/resources/templates/msldesk-briefing.pptx from python-pptx's default template.

Run from the repository root: `.venv/bin/python scripts/make_template.py`. The output is byte-for-byte
reproducible for a given python-pptx version (fixed zip timestamps and document dates), so a rebuild
that changes nothing shows no diff in git.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import zipfile
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.packuri import PackURI
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationDoc
from pptx.slide import SlideLayout, SlideMaster
from pptx.util import Emu, Inches

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "msldesk" / "resources" / "templates" / "msldesk-briefing.pptx"

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
NSMAP = {"a": A, "p": P}

# Palette: calm navy and teal on white, light grey for section slides.
NAVY = "1F3A5F"
TEAL = "2A9D8F"
INK = "222B36"  # body text: near-black slate, softer than pure black
LIGHT_GREY = "F2F4F7"
RULE_GREY = "D5DBE3"
MUTED = "5B6B7C"  # secondary text on white and grey
PALE_ON_NAVY = "D5E0EA"  # subtitles on the navy title slide
SOFT_ON_NAVY = "9FB8CF"
FONT = "Calibri"  # LibreOffice on Linux substitutes the metric-compatible Carlito

SLIDE_W = Emu(12192000)  # 13.333 in: PowerPoint's own 16:9 size
SLIDE_H = Inches(7.5)
MARGIN = Inches(0.6)
CONTENT_W = SLIDE_W - 2 * MARGIN

# Geometry shared by the master and the content layouts (generated.py reads the body box back).
TITLE_BOX = (MARGIN, Inches(0.35), CONTENT_W, Inches(0.95))
BODY_BOX = (MARGIN, Inches(1.55), CONTENT_W, Inches(5.0))
FOOTER_Y, FOOTER_H = Inches(6.92), Inches(0.36)
FOOTER_BOX = (MARGIN, FOOTER_Y, Inches(7.4), FOOTER_H)
DATE_BOX = (Inches(8.2), FOOTER_Y, Inches(2.8), FOOTER_H)
NUMBER_BOX = (SLIDE_W - MARGIN - Inches(1.6), FOOTER_Y, Inches(1.6), FOOTER_H)

# Layouts kept, in this order, and their new names (index into the default template's layouts).
KEPT_LAYOUTS = [
    (0, "Title"),
    (2, "Section"),
    (1, "Title and Content"),
    (5, "Title Only"),
    (6, "Blank"),
]
FIXED_DATE = dt.datetime(2026, 1, 1, 0, 0, 0)
ZIP_DATE = (2026, 1, 1, 0, 0, 0)
DATE_LINE_IDX = 13  # extra body placeholder on the Title layout


def el(xml: str) -> etree._Element:
    """Parse an XML fragment written with the a: and p: prefixes."""
    ns = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NSMAP.items())
    wrapper = etree.fromstring(f"<wrap {ns}>{xml}</wrap>")
    return wrapper[0]


def solid(color: str) -> str:
    return f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'


def scheme(name: str) -> str:
    return f'<a:solidFill><a:schemeClr val="{name}"/></a:solidFill>'


def font_tags() -> str:
    return '<a:latin typeface="+mn-lt"/><a:ea typeface="+mn-ea"/><a:cs typeface="+mn-cs"/>'


# --------------------------------------------------------------------------------------------- theme


def restyle_theme(master: SlideMaster) -> None:
    theme_part = master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme_part.blob)
    root.set("name", "msldesk Briefing")
    colors = root.find(f"{{{A}}}themeElements/{{{A}}}clrScheme")
    assert colors is not None
    colors.set("name", "msldesk Briefing")
    scheme_colors = {
        "dk1": INK,
        "lt1": "FFFFFF",
        "dk2": NAVY,
        "lt2": LIGHT_GREY,
        "accent1": TEAL,
        "accent2": NAVY,
        "accent3": "6C8EAD",  # slate blue
        "accent4": "E9C46A",  # muted gold
        "accent5": "8AB17D",  # sage
        "accent6": "E76F51",  # terracotta, for the rare warning
        "hlink": "2A6F97",
        "folHlink": "6B5B95",
    }
    for slot, value in scheme_colors.items():
        node = colors.find(f"{{{A}}}{slot}")
        assert node is not None
        for child in list(node):
            node.remove(child)
        etree.SubElement(node, f"{{{A}}}srgbClr", val=value)
    fonts = root.find(f"{{{A}}}themeElements/{{{A}}}fontScheme")
    assert fonts is not None
    fonts.set("name", "msldesk Briefing")
    for kind in ("majorFont", "minorFont"):
        group = fonts.find(f"{{{A}}}{kind}")
        assert group is not None
        latin = group.find(f"{{{A}}}latin")
        assert latin is not None
        latin.set("typeface", FONT)
    theme_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# -------------------------------------------------------------------------------------------- master


def place(shape_el: etree._Element, box: tuple[int, int, int, int]) -> None:
    """Give a shape element an explicit position, creating <a:xfrm> if the shape inherits one."""
    sp_pr = shape_el.find(qn("p:spPr"))
    assert sp_pr is not None
    xfrm = sp_pr.find(qn("a:xfrm"))
    if xfrm is None:
        xfrm = etree.Element(qn("a:xfrm"))
        sp_pr.insert(0, xfrm)
    for child in list(xfrm):
        xfrm.remove(child)
    x, y, w, h = (int(v) for v in box)
    etree.SubElement(xfrm, qn("a:off"), x=str(x), y=str(y))
    etree.SubElement(xfrm, qn("a:ext"), cx=str(w), cy=str(h))


def rect(shape_id: int, name: str, box: tuple[int, int, int, int], color: str) -> etree._Element:
    """A plain filled rectangle without outline, drawn by the template (not a placeholder)."""
    x, y, w, h = (int(v) for v in box)
    return el(
        f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="{name}"/><p:cNvSpPr/>'
        f'<p:nvPr userDrawn="1"/></p:nvSpPr><p:spPr><a:xfrm><a:off x="{x}" y="{y}"/>'
        f'<a:ext cx="{w}" cy="{h}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        f"{solid(color)}<a:ln><a:noFill/></a:ln></p:spPr>"
        f'<p:txBody><a:bodyPr rtlCol="0" anchor="ctr"/><a:lstStyle/><a:p><a:endParaRPr lang="en-US"/>'
        f"</a:p></p:txBody></p:sp>"
    )


def set_bg(c_sld: etree._Element, color_xml: str) -> None:
    old = c_sld.find(qn("p:bg"))
    if old is not None:
        c_sld.remove(old)
    c_sld.insert(0, el(f"<p:bg><p:bgPr>{color_xml}<a:effectLst/></p:bgPr></p:bg>"))


def insert_decoration(sp_tree: etree._Element, shape: etree._Element) -> None:
    """Decorations go right after the group properties: behind every placeholder."""
    grp_sp_pr = sp_tree.find(qn("p:grpSpPr"))
    assert grp_sp_pr is not None
    grp_sp_pr.addnext(shape)


def ph_of(shape_el: etree._Element) -> tuple[str, str]:
    ph = shape_el.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}")
    if ph is None:
        return "", ""
    return ph.get("type", "obj"), ph.get("idx", "0")


def set_body_pr(shape_el: etree._Element, anchor: str | None = None, autofit: bool = False) -> None:
    tx_body = shape_el.find(qn("p:txBody"))
    assert tx_body is not None
    body_pr = tx_body.find(qn("a:bodyPr"))
    assert body_pr is not None
    for child in list(body_pr):
        body_pr.remove(child)
    body_pr.set("wrap", "square")
    body_pr.set("lIns", "0")
    body_pr.set("rIns", "0")
    if anchor:
        body_pr.set("anchor", anchor)
    # No shrink-on-overflow: generated.py paginates instead, and shrinking renders differently in
    # PowerPoint and LibreOffice.
    etree.SubElement(body_pr, qn("a:normAutofit" if autofit else "a:noAutofit"))


def set_lst_style(shape_el: etree._Element, lvl1_ppr_xml: str) -> None:
    tx_body = shape_el.find(qn("p:txBody"))
    assert tx_body is not None
    lst = tx_body.find(qn("a:lstStyle"))
    assert lst is not None
    for child in list(lst):
        lst.remove(child)
    lst.append(el(lvl1_ppr_xml))


def footer_style(align: str, color: str) -> str:
    return f'<a:lvl1pPr algn="{align}"><a:defRPr sz="1000">{solid(color)}{font_tags()}</a:defRPr></a:lvl1pPr>'


def restyle_master(master: SlideMaster) -> None:
    root = master._element
    c_sld = root.find(qn("p:cSld"))
    assert c_sld is not None
    set_bg(c_sld, scheme("bg1"))
    sp_tree = c_sld.find(qn("p:spTree"))
    assert sp_tree is not None
    for shape_el in sp_tree.findall(qn("p:sp")):
        kind, _idx = ph_of(shape_el)
        if kind == "title":
            place(shape_el, TITLE_BOX)
            set_body_pr(shape_el, anchor="b")
        elif kind == "body":
            place(shape_el, BODY_BOX)
            set_body_pr(shape_el, anchor="t")
        elif kind == "ftr":
            place(shape_el, FOOTER_BOX)
            set_lst_style(shape_el, footer_style("l", MUTED))
        elif kind == "dt":
            place(shape_el, DATE_BOX)
            set_lst_style(shape_el, footer_style("ctr", MUTED))
        elif kind == "sldNum":
            place(shape_el, NUMBER_BOX)
            set_lst_style(shape_el, footer_style("r", MUTED))
    # Thin teal bar along the top edge, and a hairline that separates the footer area.
    insert_decoration(
        sp_tree, rect(20, "Footer Rule", (MARGIN, Inches(6.86), CONTENT_W, Emu(9525)), RULE_GREY)
    )
    insert_decoration(sp_tree, rect(21, "Accent Bar", (0, 0, SLIDE_W, Inches(0.08)), TEAL))

    tx_styles = root.find(qn("p:txStyles"))
    assert tx_styles is not None
    for child in list(tx_styles):
        tx_styles.remove(child)
    tx_styles.append(
        el(
            '<p:titleStyle><a:lvl1pPr algn="l" defTabSz="457200" rtl="0" eaLnBrk="1" latinLnBrk="0" '
            'hangingPunct="1"><a:lnSpc><a:spcPct val="90000"/></a:lnSpc><a:spcBef><a:spcPct val="0"/>'
            f'</a:spcBef><a:buNone/><a:defRPr sz="3000" b="1" kern="1200">{scheme("tx2")}'
            '<a:latin typeface="+mj-lt"/><a:ea typeface="+mj-ea"/><a:cs typeface="+mj-cs"/></a:defRPr>'
            "</a:lvl1pPr></p:titleStyle>"
        )
    )
    levels = [
        # (left margin in, hanging indent in, size pt, bullet, bullet colour)
        (0.30, 0.30, 20, "•", "accent1"),
        (0.70, 0.28, 18, "–", "accent1"),
        (1.05, 0.25, 16, "•", "tx1"),
        (1.40, 0.25, 14, "–", "tx1"),
        (1.75, 0.25, 14, "•", "tx1"),
    ]
    body = ["<p:bodyStyle>"]
    for number in range(1, 10):
        left, hang, size, char, bullet_color = levels[min(number, len(levels)) - 1]
        body.append(
            f'<a:lvl{number}pPr marL="{int(Inches(left))}" indent="-{int(Inches(hang))}" algn="l" '
            'defTabSz="457200" rtl="0" eaLnBrk="1" latinLnBrk="0" hangingPunct="1">'
            '<a:lnSpc><a:spcPct val="100000"/></a:lnSpc>'
            f'<a:spcBef><a:spcPts val="{900 if number == 1 else 400}"/></a:spcBef>'
            f'<a:buClr><a:schemeClr val="{bullet_color}"/></a:buClr><a:buFont typeface="Arial"/>'
            f'<a:buChar char="{char}"/><a:defRPr sz="{size * 100}" kern="1200">{scheme("tx1")}'
            f"{font_tags()}</a:defRPr></a:lvl{number}pPr>"
        )
    body.append("</p:bodyStyle>")
    tx_styles.append(el("".join(body)))
    other = ["<p:otherStyle>"]
    for number in range(1, 10):
        other.append(
            f'<a:lvl{number}pPr marL="{457200 * (number - 1)}" algn="l" defTabSz="457200" rtl="0" '
            f'eaLnBrk="1" latinLnBrk="0" hangingPunct="1"><a:defRPr sz="1800" kern="1200">'
            f"{scheme('tx1')}{font_tags()}</a:defRPr></a:lvl{number}pPr>"
        )
    other.append("</p:otherStyle>")
    tx_styles.append(el("".join(other)))


# ------------------------------------------------------------------------------------------- layouts


def layout_shapes(layout: SlideLayout) -> tuple[etree._Element, etree._Element]:
    c_sld = layout._element.find(qn("p:cSld"))
    assert c_sld is not None
    sp_tree = c_sld.find(qn("p:spTree"))
    assert sp_tree is not None
    return c_sld, sp_tree


def place_footers(sp_tree: etree._Element, color: str | None = None) -> None:
    for shape_el in sp_tree.findall(qn("p:sp")):
        kind, _idx = ph_of(shape_el)
        box = {"ftr": FOOTER_BOX, "dt": DATE_BOX, "sldNum": NUMBER_BOX}.get(kind)
        if box is None:
            continue
        place(shape_el, box)
        if color:
            align = {"ftr": "l", "dt": "ctr", "sldNum": "r"}[kind]
            set_lst_style(shape_el, footer_style(align, color))


def clear_overrides(shape_el: etree._Element) -> None:
    """Drop a layout placeholder's own text styling so it inherits the master's."""
    tx_body = shape_el.find(qn("p:txBody"))
    if tx_body is None:
        return
    lst = tx_body.find(qn("a:lstStyle"))
    if lst is not None:
        for child in list(lst):
            lst.remove(child)
    body_pr = tx_body.find(qn("a:bodyPr"))
    if body_pr is not None:
        for child in list(body_pr):
            body_pr.remove(child)
        for attr in list(body_pr.attrib):
            del body_pr.attrib[attr]


def restyle_title_layout(layout: SlideLayout) -> None:
    root = layout._element
    root.set("showMasterSp", "0")
    c_sld, sp_tree = layout_shapes(layout)
    set_bg(c_sld, scheme("tx2"))
    box_x, box_w = Inches(0.9), Inches(11.5)
    for shape_el in sp_tree.findall(qn("p:sp")):
        kind, _idx = ph_of(shape_el)
        if kind == "ctrTitle":
            place(shape_el, (box_x, Inches(1.55), box_w, Inches(2.35)))
            set_body_pr(shape_el, anchor="b")
            set_lst_style(
                shape_el,
                f'<a:lvl1pPr algn="l"><a:lnSpc><a:spcPct val="90000"/></a:lnSpc>'
                f'<a:defRPr sz="4000" b="1">{scheme("bg1")}</a:defRPr></a:lvl1pPr>',
            )
        elif kind == "subTitle":
            place(shape_el, (box_x, Inches(4.3), box_w, Inches(1.15)))
            set_body_pr(shape_el, anchor="t")
            set_lst_style(
                shape_el,
                f'<a:lvl1pPr marL="0" indent="0" algn="l"><a:spcBef><a:spcPts val="0"/></a:spcBef>'
                f'<a:buNone/><a:defRPr sz="2200">{solid(PALE_ON_NAVY)}</a:defRPr></a:lvl1pPr>',
            )
    place_footers(sp_tree, SOFT_ON_NAVY)
    # The date line ("Regional advisory board · 12 March 2026"): an extra body placeholder.
    date_line = el(
        f'<p:sp><p:nvSpPr><p:cNvPr id="30" name="Date Line Placeholder"/><p:cNvSpPr><a:spLocks noGrp="1"/>'
        f'</p:cNvSpPr><p:nvPr><p:ph type="body" sz="quarter" idx="{DATE_LINE_IDX}"/></p:nvPr></p:nvSpPr>'
        f'<p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:rPr lang="en-US"/>'
        f"<a:t>Date and place</a:t></a:r></a:p></p:txBody></p:sp>"
    )
    sp_tree.append(date_line)
    place(date_line, (box_x, Inches(5.55), box_w, Inches(0.6)))
    set_body_pr(date_line, anchor="t")
    set_lst_style(
        date_line,
        f'<a:lvl1pPr marL="0" indent="0" algn="l"><a:spcBef><a:spcPts val="0"/></a:spcBef><a:buNone/>'
        f'<a:defRPr sz="1600">{solid(SOFT_ON_NAVY)}</a:defRPr></a:lvl1pPr>',
    )
    insert_decoration(sp_tree, rect(31, "Accent Bar", (box_x, Inches(4.08), Inches(1.6), Inches(0.07)), TEAL))


def restyle_section_layout(layout: SlideLayout) -> None:
    root = layout._element
    root.set("showMasterSp", "0")
    c_sld, sp_tree = layout_shapes(layout)
    set_bg(c_sld, scheme("bg2"))
    text_x, text_w = Inches(1.3), Inches(10.8)
    for shape_el in sp_tree.findall(qn("p:sp")):
        kind, _idx = ph_of(shape_el)
        if kind == "title":
            place(shape_el, (text_x, Inches(1.9), text_w, Inches(1.85)))
            set_body_pr(shape_el, anchor="b")
            set_lst_style(
                shape_el,
                '<a:lvl1pPr algn="l"><a:lnSpc><a:spcPct val="90000"/></a:lnSpc><a:defRPr sz="3600" b="1"/>'
                "</a:lvl1pPr>",
            )
        elif kind == "body":
            place(shape_el, (text_x, Inches(3.95), text_w, Inches(1.3)))
            set_body_pr(shape_el, anchor="t")
            set_lst_style(
                shape_el,
                f'<a:lvl1pPr marL="0" indent="0"><a:spcBef><a:spcPts val="0"/></a:spcBef><a:buNone/>'
                f'<a:defRPr sz="2000">{solid(MUTED)}</a:defRPr></a:lvl1pPr>',
            )
    place_footers(sp_tree)
    insert_decoration(
        sp_tree, rect(31, "Accent Bar", (Inches(0.9), Inches(2.1), Inches(0.1), Inches(3.0)), TEAL)
    )


def restyle_content_layout(layout: SlideLayout) -> None:
    """Title and Content, Title Only, Blank: the master's geometry and styles, nothing of their own."""
    c_sld, sp_tree = layout_shapes(layout)
    bg = c_sld.find(qn("p:bg"))
    if bg is not None:
        c_sld.remove(bg)
    for shape_el in sp_tree.findall(qn("p:sp")):
        kind, _idx = ph_of(shape_el)
        if kind == "title":
            clear_overrides(shape_el)
            place(shape_el, TITLE_BOX)
        elif kind in ("obj", "body"):
            clear_overrides(shape_el)
            place(shape_el, BODY_BOX)
    place_footers(sp_tree)


# ---------------------------------------------------------------------------------------- packaging


def drop_extras(prs: PresentationDoc) -> None:
    """Remove the default template's thumbnail and printer settings: stale, and not ours."""
    package = prs.part.package
    for rel in list(package._rels.values()):
        if rel.reltype == RT.THUMBNAIL:
            package._rels.pop(rel.rId)
    for rel in list(prs.part.rels.values()):
        if rel.reltype == RT.PRINTER_SETTINGS:
            prs.part.drop_rel(rel.rId)
    # Extended properties still describe the 4:3 "Office Theme" original.
    for rel in package._rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            part = rel.target_part
            text = part.blob.decode("utf-8")
            text = text.replace("On-screen Show (4:3)", "Widescreen").replace(
                "Office Theme", "msldesk Briefing"
            )
            text = text.replace("<Application>Microsoft Macintosh PowerPoint</Application>", "")
            part._blob = text.encode("utf-8")


def reproducible_zip(data: bytes) -> bytes:
    """Same entries in the same order, with a fixed timestamp, so rebuilding changes no bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def build() -> bytes:
    prs = Presentation()
    prs.slide_width = SLIDE_W
    prs.slide_height = SLIDE_H
    master = prs.slide_master
    restyle_theme(master)
    restyle_master(master)

    layouts = list(prs.slide_layouts)
    kept = [layouts[index] for index, _name in KEPT_LAYOUTS]
    for layout in layouts:
        if layout not in kept:
            prs.slide_layouts.remove(layout)
    # Put the kept layouts in the documented order.
    id_list = master._element.get_or_add_sldLayoutIdLst()
    by_rid = {entry.rId: entry for entry in id_list.sldLayoutId_lst}
    for layout in kept:
        rid = master.part.relate_to(layout.part, RT.SLIDE_LAYOUT)
        entry = by_rid[rid]
        id_list.remove(entry)
        id_list.append(entry)
    for number, (layout, (_index, name)) in enumerate(zip(kept, KEPT_LAYOUTS, strict=True), start=1):
        layout._element.cSld.set("name", name)
        layout.part.partname = PackURI(f"/ppt/slideLayouts/slideLayout{number}.xml")

    title, section, content, title_only, blank = kept
    restyle_title_layout(title)
    restyle_section_layout(section)
    for layout in (content, title_only, blank):
        restyle_content_layout(layout)

    drop_extras(prs)
    props = prs.core_properties
    props.title = "msldesk briefing template"
    props.subject = "Slide master for decks generated by msldesk"
    props.author = "msldesk"
    props.last_modified_by = "msldesk"
    props.keywords = ""
    props.comments = "Derived from python-pptx's default template (MIT). See LICENSE.md."
    props.revision = 1
    props.created = FIXED_DATE
    props.modified = FIXED_DATE

    buffer = io.BytesIO()
    prs.save(buffer)
    return reproducible_zip(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    data = build()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"{args.out} ({len(data) / 1024:.1f} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
