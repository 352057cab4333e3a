"""The new deck's presentation part: its slide, master and notes lists, and what slides take from it.

It starts from the first deck's presentation part. What a slide takes from its own deck's
presentation part travels with it: the table styles its tables name, and its comments' authors;
every notes slide gets a notes master.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from msldesk.decks.ooxml.names import (
    CT_NOTES_MASTER,
    CT_PRESENTATION,
    CT_TABLE_STYLES,
    NOTES_SLIDE,
    NS_A,
    NS_P,
    NS_R,
    PML_DECLARATIONS,
    REL_TYPE,
    SAFE_PARSER,
    SLIDE,
    SLIDE_LAYOUT,
    SLIDE_MASTER,
    xml_bytes,
)
from msldesk.decks.ooxml.opc import Relationship
from msldesk.decks.ooxml.part_graph import OutPart, PartGraph
from msldesk.decks.ooxml.source_deck import SourceDeck

PRESENTATION_PART = "ppt/presentation.xml"
FIRST_SLIDE_ID = 256
FIRST_MASTER_ID = 2147483648
# Presentation-level relationships rebuilt here rather than copied from the first deck.
REBUILT_PRESENTATION_RELS = (
    "/slide",
    "/slideMaster",
    "/notesMaster",
    "/handoutMaster",
    "/theme",
    "/vbaProject",
    "/customXml",
    "/tags",
    "/commentAuthors",
    "/authors",
)
SECTION_EXT_URI = "{521415D9-36F7-43E2-AB2F-B90AF26B5E84}"
DEFAULT_TABLE_STYLE = "{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}"  # PowerPoint's Medium Style 2 - Accent 1
_TABLE_STYLE_ID = re.compile(rb"tableStyleId>\s*(\{[0-9A-Fa-f-]+\})\s*<")
_TABLE_STYLE_USERS = (SLIDE, SLIDE_LAYOUT, SLIDE_MASTER)
_PLAIN_NOTES_MASTER = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b"<p:notesMaster " + PML_DECLARATIONS + b">"
    b'<p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/>'
    b"</p:nvGrpSpPr><p:grpSpPr/></p:spTree></p:cSld>"
    b'<p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" '
    b'accent3="accent3" accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" '
    b'folHlink="folHlink"/></p:notesMaster>'
)


class _PresentationRels:
    """The presentation part's relationships; each one added gets the lowest free rId."""

    def __init__(self, kept: list[Relationship]) -> None:
        self.rels = kept
        self.used_ids = {r.rel_id for r in kept}
        self.counter = iter(range(1, 1_000_000))

    def add(self, rel_type: str, target: str) -> str:
        while (rel_id := f"rId{next(self.counter)}") in self.used_ids:
            pass
        self.used_ids.add(rel_id)
        self.rels.append(Relationship(rel_id, rel_type, target, False))
        return rel_id

    def target(self, type_suffix: str) -> str | None:
        return next((r.target for r in self.rels if r.rel_type.endswith(type_suffix)), None)


def build_presentation(
    graph: PartGraph, base: SourceDeck, sources: Sequence[SourceDeck], slides: list[str]
) -> None:
    """Add the presentation part (from `base`, the first slide's deck) listing `slides` in order."""
    if graph.notes_master is None:
        notes = base.first(base.main, "/notesMaster")
        if notes:
            graph.copy_notes_master(base, notes)
    _link_orphan_notes(graph, sources)
    root = base.xml(base.main)
    kept: list[Relationship] = []
    for rel in base.relationships(base.main):
        if rel.external or rel.rel_type.endswith(REBUILT_PRESENTATION_RELS):
            continue
        target = graph.copy_shared(base, rel.target) if base.package.has(rel.target) else None
        if target is not None:
            kept.append(Relationship(rel.rel_id, rel.rel_type, target, False))
    rels = _PresentationRels(kept)
    _merge_table_styles(graph, sources, rels)
    master_ids = [rels.add(REL_TYPE + "slideMaster", m) for m in graph.masters]
    notes_id = rels.add(REL_TYPE + "notesMaster", graph.notes_master) if graph.notes_master else None
    slide_ids = [rels.add(REL_TYPE + "slide", s) for s in slides]
    for authors in graph.comments.parts():
        rels.add(authors.rel_type, graph.add_fresh(authors.name, authors.content_type, authors.data))
    if graph.masters:
        theme = next(
            (r.target for r in graph.parts[graph.masters[0]].rels if r.rel_type.endswith("/theme")), None
        )
        if theme:
            rels.add(REL_TYPE + "theme", theme)
    _renumber_layout_ids(graph)
    _rebuild_lists(root, master_ids, notes_id, slide_ids)
    graph.parts[PRESENTATION_PART] = OutPart(PRESENTATION_PART, CT_PRESENTATION, xml_bytes(root), rels.rels)


def _link_orphan_notes(graph: PartGraph, sources: Sequence[SourceDeck]) -> None:
    """Every notes slide needs a notes master. Notes from a deck that has none (seen in the
    corpus) get the new deck's, taken from another picked deck or made plain."""
    orphans = [
        part
        for part in graph.parts.values()
        if part.content_type.endswith(NOTES_SLIDE)
        and not any(r.rel_type.endswith("/notesMaster") for r in part.rels)
    ]
    if not orphans:
        return
    for src in sources:
        notes = src.first(src.main, "/notesMaster")
        if graph.notes_master is None and notes and src.package.has(notes):
            graph.copy_notes_master(src, notes)
    if graph.notes_master is None:
        graph.notes_master = _plain_notes_master(graph)
    for part in orphans:
        used = {r.rel_id for r in part.rels}
        rel_id = next(f"rId{n}" for n in range(1, len(used) + 2) if f"rId{n}" not in used)
        part.rels.append(Relationship(rel_id, REL_TYPE + "notesMaster", graph.notes_master, False))


def _plain_notes_master(graph: PartGraph) -> str:
    """An empty notes master with its own copy of the first slide master's theme."""
    name = graph.namer.fresh("ppt/notesMasters/notesMaster1.xml")
    rels: list[Relationship] = []
    theme = next(
        (r.target for m in graph.masters[:1] for r in graph.parts[m].rels if r.rel_type.endswith("/theme")),
        None,
    )
    if theme is not None:
        own_theme = graph.add_fresh(theme, graph.parts[theme].content_type, graph.parts[theme].data)
        rels.append(Relationship("rId1", REL_TYPE + "theme", own_theme, False))
    graph.parts[name] = OutPart(name, CT_NOTES_MASTER, _PLAIN_NOTES_MASTER, rels)
    return name


def _merge_table_styles(graph: PartGraph, sources: Sequence[SourceDeck], rels: _PresentationRels) -> None:
    """Tables name their style by GUID, defined in the presentation's tableStyles part, which
    only the first deck supplies: add the styles copied slides use from their own decks."""
    wanted: set[bytes] = set()
    for part in graph.parts.values():
        if part.content_type.endswith(_TABLE_STYLE_USERS) and b"tableStyleId" in part.data:
            wanted.update(_TABLE_STYLE_ID.findall(part.data))
    if not wanted:
        return
    current = rels.target("/tableStyles")
    if current is not None:
        root = etree.fromstring(graph.parts[current].data, SAFE_PARSER)
    else:  # def is required: PowerPoint's own default
        root = etree.Element(f"{{{NS_A}}}tblStyleLst", {"def": DEFAULT_TABLE_STYLE}, nsmap={"a": NS_A})
    missing = {w.decode() for w in wanted} - {style.get("styleId") for style in root}
    added = False
    for src in sources:
        styles = src.first(src.main, "/tableStyles")
        if not missing or styles is None or not src.package.has(styles):
            continue
        for style in src.xml(styles):
            if style.get("styleId") in missing:
                missing.discard(style.get("styleId") or "")
                root.append(style)
                added = True
    if not added:
        return
    if current is not None:
        graph.parts[current].data = xml_bytes(root)
    else:
        rels.add(
            REL_TYPE + "tableStyles", graph.add_fresh("ppt/tableStyles.xml", CT_TABLE_STYLES, xml_bytes(root))
        )


def _renumber_layout_ids(graph: PartGraph) -> None:
    """Master and layout ids share one number space across the presentation: make them unique."""
    next_id = FIRST_MASTER_ID + len(graph.masters)
    for master in graph.masters:
        root = etree.fromstring(graph.parts[master].data, SAFE_PARSER)
        for entry in root.iter(f"{{{NS_P}}}sldLayoutId"):
            entry.set("id", str(next_id))
            next_id += 1
        graph.parts[master].data = xml_bytes(root)


def _rebuild_lists(
    root: etree._Element, master_ids: list[str], notes_id: str | None, slide_ids: list[str]
) -> None:
    """Rewrite presentation.xml's master, notes-master and slide lists; drop lists that pointed at
    the first deck's own parts (handout master, custom shows, sections, embedded tags)."""
    for local in (
        "sldMasterIdLst",
        "notesMasterIdLst",
        "handoutMasterIdLst",
        "sldIdLst",
        "custShowLst",
        "custDataLst",
    ):
        element = root.find(f"{{{NS_P}}}{local}")
        if element is not None:
            root.remove(element)
    ext_list = root.find(f"{{{NS_P}}}extLst")
    if ext_list is not None:
        for ext in list(ext_list):
            if ext.get("uri") == SECTION_EXT_URI:
                ext_list.remove(ext)
    lists = [_id_list("sldMasterId", master_ids, FIRST_MASTER_ID)]
    if notes_id:
        lists.append(_id_list("notesMasterId", [notes_id], None))
    lists.append(_id_list("sldId", slide_ids, FIRST_SLIDE_ID))
    for position, id_list in enumerate(lists):
        root.insert(position, id_list)


def _id_list(entry: str, rel_ids: list[str], first_id: int | None) -> etree._Element:
    """A p:<entry>Lst of entries linking `rel_ids`, numbered from `first_id` (unnumbered if None)."""
    id_list = etree.Element(f"{{{NS_P}}}{entry}Lst")
    for offset, rel_id in enumerate(rel_ids):
        attributes = {f"{{{NS_R}}}id": rel_id}
        if first_id is not None:
            attributes = {"id": str(first_id + offset), **attributes}
        etree.SubElement(id_list, f"{{{NS_P}}}{entry}", attributes)
    return id_list
