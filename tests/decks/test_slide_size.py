"""refit on hand-written XML: what moves with the slide, what a group keeps, pictures when stretched."""

from __future__ import annotations

from lxml import etree

from msldesk.decks.ooxml.slide_size import Fit, fit_within, refit, size_label, stretch

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS = {"a": A, "p": P, "mc": MC}


def slide(body: str) -> etree._Element:
    return etree.fromstring(
        f'<p:sld xmlns:a="{A}" xmlns:p="{P}" xmlns:mc="{MC}"><p:cSld><p:spTree>'
        '<p:nvGrpSpPr/><p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
        '<a:chOff x="0" y="0"/><a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>'
        f"{body}</p:spTree></p:cSld></p:sld>"
    )


def frame(root: etree._Element, path: str) -> tuple[int, ...]:
    xfrm = root.find(path, NS)
    assert xfrm is not None
    off, ext = xfrm.find("a:off", NS), xfrm.find("a:ext", NS)
    assert off is not None
    assert ext is not None
    return tuple(int(v) for v in (off.get("x"), off.get("y"), ext.get("cx"), ext.get("cy")))  # type: ignore[arg-type]


def test_fit_within_is_one_scale_centred() -> None:
    assert fit_within((12192000, 6858000), (9144000, 6858000)) == Fit(0.75, 0.75, 0.75, 0.0, 857250.0)
    assert fit_within((9144000, 6858000), (12192000, 6858000)) == Fit(1.0, 1.0, 1.0, 1524000.0, 0.0)
    assert size_label(("9144000", "5715000")).startswith("16:10")
    assert size_label(("x", "1")) == "unknown"


def test_top_level_frames_move_group_children_and_the_tree_frame_stay() -> None:
    root = slide(
        '<p:sp><p:nvSpPr/><p:spPr><a:xfrm><a:off x="100" y="200"/><a:ext cx="1000" cy="400"/></a:xfrm>'
        "</p:spPr>"
        '<p:txBody><a:bodyPr lIns="91440"/><a:p><a:pPr marL="342900" indent="-342900"><a:spcBef>'
        '<a:spcPts val="600"/>'
        '</a:spcBef><a:buSzPts val="1200"/></a:pPr><a:r><a:rPr sz="1800" spc="100"/><a:t>x</a:t></a:r>'
        '<a:endParaRPr sz="120"/></a:p></p:txBody></p:sp>'
        '<p:grpSp><p:nvGrpSpPr/><p:grpSpPr><a:xfrm><a:off x="1000" y="1000"/><a:ext cx="2000" cy="2000"/>'
        '<a:chOff x="5" y="5"/><a:chExt cx="10" cy="10"/></a:xfrm></p:grpSpPr>'
        '<p:sp><p:nvSpPr/><p:spPr><a:xfrm><a:off x="5" y="5"/><a:ext cx="10" cy="10"/></a:xfrm>'
        '<a:ln w="12700"/></p:spPr></p:sp></p:grpSp>'
        '<mc:AlternateContent><mc:Choice Requires="x"><p:graphicFrame><p:nvGraphicFramePr/>'
        '<p:xfrm><a:off x="0" y="0"/><a:ext cx="4000" cy="2000"/></p:xfrm><a:graphic><a:graphicData><a:tbl>'
        '<a:tblGrid><a:gridCol w="4000"/></a:tblGrid><a:tr h="2000"><a:tc><a:tcPr marL="91440"/></a:tc>'
        "</a:tr>"
        "</a:tbl></a:graphicData></a:graphic></p:graphicFrame></mc:Choice></mc:AlternateContent>"
        '<p:sp><p:nvSpPr/><p:spPr><a:xfrm><a:off x="1in" y="0"/><a:ext cx="bad" cy="10"/></a:xfrm>'
        "</p:spPr></p:sp>"
    )
    refit(root, Fit(0.5, 0.5, 0.5, 1000, 10))
    assert frame(root, "p:cSld/p:spTree/p:grpSpPr/a:xfrm") == (0, 0, 0, 0)
    assert frame(root, "p:cSld/p:spTree/p:sp/p:spPr/a:xfrm") == (1050, 110, 500, 200)
    assert frame(root, "p:cSld/p:spTree/p:grpSp/p:grpSpPr/a:xfrm") == (1500, 510, 1000, 1000)
    group = root.find("p:cSld/p:spTree/p:grpSp/p:grpSpPr/a:xfrm/a:chExt", NS)
    assert group is not None
    assert group.get("cx") == "10"  # the children follow the group's frame
    assert frame(root, "p:cSld/p:spTree/p:grpSp/p:sp/p:spPr/a:xfrm") == (5, 5, 10, 10)
    assert frame(root, ".//p:graphicFrame/p:xfrm") == (1000, 10, 2000, 1000)
    values = {
        path: root.xpath(path, namespaces=NS)[0]
        for path in (
            "//a:gridCol/@w", "//a:tr/@h", "//a:tcPr/@marL", "//a:bodyPr/@lIns", "//a:pPr/@marL",
            "//a:pPr/@indent", "//a:spcPts/@val", "//a:buSzPts/@val", "//a:rPr/@sz", "//a:rPr/@spc",
            "//a:endParaRPr/@sz", "//a:ln/@w",
        )
    }  # fmt: skip
    assert list(values.values()) == [
        "2000", "1000", "45720", "45720", "171450", "-171450", "300", "600", "900", "50", "100", "6350",
    ]  # fmt: skip
    odd = root.findall("p:cSld/p:spTree/p:sp", NS)[-1].find("p:spPr/a:xfrm", NS)
    assert odd is not None
    assert odd.find("a:off", NS).get("x") == str(round(914400 * 0.5 + 1000))  # type: ignore[union-attr]
    assert odd.find("a:ext", NS).get("cx") == "bad"  # type: ignore[union-attr]


def test_a_stretched_picture_keeps_its_aspect_ratio_and_centre() -> None:
    root = slide(
        '<p:pic><p:nvPicPr/><p:blipFill/><p:spPr><a:xfrm><a:off x="1000" y="1000"/>'
        '<a:ext cx="2000" cy="1000"/></a:xfrm></p:spPr></p:pic>'
        '<p:sp><p:nvSpPr/><p:spPr><a:xfrm><a:off x="1000" y="1000"/><a:ext cx="2000" cy="1000"/></a:xfrm>'
        "</p:spPr></p:sp>"
    )
    refit(root, stretch((12192000, 6858000), (9144000, 6858000), 1.0))
    left, top, width, height = frame(root, "p:cSld/p:spTree/p:pic/p:spPr/a:xfrm")
    assert (width, height) == (1500, 750)
    assert (left + width / 2, top + height / 2) == (1500, 1500)
    assert frame(root, "p:cSld/p:spTree/p:sp/p:spPr/a:xfrm") == (750, 1000, 1500, 1000)
