"""Check that a PowerPoint file is a sound OPC package: parts, content types, relationships, slide links.

Used by the tests and after every deck export. It reports what is wrong in plain words instead of
raising, reads every entry once and parses only XML (`validate_read`). Relationship types are matched
by suffix and elements by local name, so transitional and Strict (ISO 29500) packages are checked
alike.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from msldesk.decks.ooxml.names import (
    CONTENT_TYPES,
    NOTES_SLIDE,
    NS_R,
    NS_R_STRICT,
    PACKAGE_RELS,
    SLIDE,
    SLIDE_LAYOUT,
    SLIDE_MASTER,
    local_name,
    rels_part_name,
)
from msldesk.decks.ooxml.validate_read import PackageParts, Problem, Rel, is_rels_part, load_parts

_R_ID_KEYS = tuple(f"{{{ns}}}id" for ns in (NS_R, NS_R_STRICT))
PRESENTATION_MAIN = re.compile(
    r"^application/vnd\.(openxmlformats-officedocument\.presentationml|ms-powerpoint)"
    r"\.(presentation|slideshow|template)(\.macroenabled)?\.main\+xml$"
)
MIN_SLIDE_ID = 256
MAX_SLIDE_ID = 2**31  # exclusive


@dataclass(frozen=True)
class ValidationReport:
    """Everything wrong with one package, in the order found; no problems means the package is sound."""

    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def explain(self) -> str:
        """One line per problem, for logs, test failures and error details."""
        if self.ok:
            return "The package is valid."
        return "\n".join(problem.message for problem in self.problems)


class _Link(NamedTuple):
    """A kind of link between parts: how to recognise it and what to call it when it is wrong."""

    code: str  # the Problem.code for a broken link of this kind
    rel_suffix: str  # relationship type suffix
    content_type: str  # content type suffix of the target part, in lower case as content_types
    noun: str


_SLIDE = _Link("slide-list", "/slide", SLIDE.lower(), "slide")
_MASTER = _Link("master-link", "/slideMaster", SLIDE_MASTER.lower(), "slide master")
_LAYOUT = _Link("layout-link", "/slideLayout", SLIDE_LAYOUT.lower(), "slide layout")
_NOTES = _Link("notes-link", "/notesSlide", NOTES_SLIDE.lower(), "notes slide")


# ---- public entry point ---------------------------------------------------------------------------


def validate_package(path: Path) -> ValidationReport:
    """Every problem found in the package at `path` (OSError if the file cannot be read at all)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError) as exc:
        return ValidationReport(
            (Problem("not-a-zip", "", f"{Path(path).name} is not a readable zip archive ({exc})."),)
        )
    problems: list[Problem] = []
    with archive:
        package = load_parts(archive, problems)
    if package is not None:
        for check in _CHECKS:
            problems.extend(check(package))
    return ValidationReport(tuple(problems))


def _r_id(element: etree._Element) -> str:
    return next((element.get(key) or "" for key in _R_ID_KEYS if key in element.attrib), "")


def _list_entries(root: etree._Element, list_name: str, entry_name: str) -> list[etree._Element]:
    """The entries of a top-level id list; extensions (p14 sections) hold look-alike elements."""
    found = root.find(f"{{*}}{list_name}")
    return [] if found is None else list(found.iterchildren(f"{{*}}{entry_name}"))


# ---- package checks -------------------------------------------------------------------------------


def _check_content_types(package: PackageParts) -> Iterator[Problem]:
    for name, content_type in package.content_types.items():
        if not content_type and not is_rels_part(name):
            yield Problem(
                "no-content-type",
                name,
                f"{name}: the part has no content type ({CONTENT_TYPES} has neither an Override "
                "for it nor a Default for its extension).",
            )


def _check_relationships(package: PackageParts) -> Iterator[Problem]:
    for source, rels in package.rels.items():
        yield from _check_rel_ids(source, rels)
        for rel in rels:
            if not rel.external and package.find(rel.target) is None:
                yield _missing_target(source, rel)


def _check_rel_ids(source: str, rels: list[Rel]) -> Iterator[Problem]:
    rels_part = rels_part_name(source)
    for rel_id, count in Counter(rel.rel_id for rel in rels).items():
        if count > 1:
            yield Problem(
                "duplicate-rel-id",
                rels_part,
                f"{rels_part}: relationship id {rel_id!r} is used {count} times; ids must be unique.",
            )


def _missing_target(source: str, rel: Rel) -> Problem:
    where = source or PACKAGE_RELS
    target = rel.target or "nothing (the target is empty)"
    suffix = "" if not rel.target else ", which is not in the package"
    return Problem(
        "missing-target",
        where,
        f"{where}: relationship {rel.rel_id} ({_short_type(rel.rel_type)}) points to {target}{suffix}.",
    )


def _short_type(rel_type: str) -> str:
    return rel_type.rpartition("/")[2] or "no type"


def _main_part(package: PackageParts) -> str | None:
    """The presentation part the package relationships name, if it is one."""
    mains = package.rels_typed("", "/officeDocument")
    if len(mains) != 1:
        return None
    name = package.find(mains[0].target)
    if name is None or not PRESENTATION_MAIN.match(package.content_types.get(name, "")):
        return None
    return name


def _check_main_part(package: PackageParts) -> Iterator[Problem]:
    if "" not in package.rels:
        yield Problem("main-part", "", f"The package has no readable {PACKAGE_RELS}, so no main part.")
        return
    mains = package.rels_typed("", "/officeDocument")
    if len(mains) != 1:
        yield Problem(
            "main-part",
            PACKAGE_RELS,
            f"{PACKAGE_RELS}: expected one officeDocument relationship, found {len(mains)}.",
        )
        return
    name = package.find(mains[0].target)
    if name is None:
        return  # reported as missing-target
    content_type = package.content_types.get(name, "")
    if not PRESENTATION_MAIN.match(content_type):
        yield Problem(
            "main-part",
            name,
            f"{name}: the main part is not a presentation (content type {content_type or 'none'}).",
        )


# ---- presentation checks --------------------------------------------------------------------------


def _check_presentation(package: PackageParts) -> Iterator[Problem]:
    main = _main_part(package)
    root = package.xml.get(main) if main else None
    if main is None or root is None:
        return
    ids: Counter[str] = Counter()
    for element in _list_entries(root, "sldIdLst", "sldId"):
        ids[element.get("id") or ""] += 1
        yield from _check_list_entry(package, main, element, _SLIDE)
        yield from _check_slide_id_range(main, element.get("id") or "")
    for slide_id, count in ids.items():
        if count > 1:
            yield Problem(
                "duplicate-slide-id",
                main,
                f"{main}: slide id {slide_id} is used by {count} slides; slide ids must be unique.",
            )
    for element in _list_entries(root, "sldMasterIdLst", "sldMasterId"):
        yield from _check_list_entry(package, main, element, _MASTER)


def _check_list_entry(
    package: PackageParts, main: str, element: etree._Element, link: _Link
) -> Iterator[Problem]:
    """A <sldId>/<sldMasterId> must name a relationship of the right type to a part of the right type."""
    rel_id = _r_id(element)
    rel = package.rel_by_id(main, rel_id)
    entry = f"<{local_name(element.tag)} id={element.get('id')!r} r:id={rel_id!r}>"
    if rel is None:
        yield Problem(link.code, main, f"{main}: {entry} names no relationship of the presentation.")
    elif rel.external or not rel.rel_type.endswith(link.rel_suffix):
        yield Problem(
            link.code,
            main,
            f"{main}: {entry} names a {_short_type(rel.rel_type)} relationship, not a {link.noun}.",
        )
    else:
        yield from _check_target_type(package, main, rel, link)


def _check_target_type(package: PackageParts, source: str, rel: Rel, link: _Link) -> Iterator[Problem]:
    target = package.find(rel.target)
    actual = package.content_types.get(target, "") if target else ""
    # An absent target or content type is reported once, as missing-target or no-content-type.
    if target and actual and not actual.endswith(link.content_type):
        yield Problem(
            link.code,
            source,
            f"{source}: relationship {rel.rel_id} points to {target}, whose content type "
            f"{actual} is not a {link.noun}.",
        )


def _check_slide_id_range(main: str, slide_id: str) -> Iterator[Problem]:
    if not slide_id.isdigit() or not MIN_SLIDE_ID <= int(slide_id) < MAX_SLIDE_ID:
        yield Problem(
            "slide-id-range",
            main,
            f"{main}: slide id {slide_id!r} is outside the valid range {MIN_SLIDE_ID}..{MAX_SLIDE_ID - 1}.",
        )


def _check_orphan_slides(package: PackageParts) -> Iterator[Problem]:
    main = _main_part(package)
    root = package.xml.get(main) if main else None
    if main is None or root is None:
        return  # without a readable presentation part there is no slide list to compare with
    listed = set()
    for element in _list_entries(root, "sldIdLst", "sldId"):
        rel = package.rel_by_id(main, _r_id(element))
        if rel is not None:
            listed.add(package.find(rel.target))
    for slide in package.parts_typed(SLIDE):
        if slide not in listed:
            yield Problem(
                "orphan-slide",
                slide,
                f"{slide}: the slide is in the package but not in the slide list of {main}.",
            )


# ---- slide, layout and master links ---------------------------------------------------------------


def _check_slide_layouts(package: PackageParts) -> Iterator[Problem]:
    for slide in package.parts_typed(SLIDE):
        layouts = package.rels_typed(slide, "/slideLayout")
        if len(layouts) != 1:
            yield Problem(
                "layout-link",
                slide,
                f"{slide}: a slide needs exactly one slideLayout relationship, it has {len(layouts)}.",
            )
        else:
            yield from _check_target_type(package, slide, layouts[0], _LAYOUT)


def _check_layout_masters(package: PackageParts) -> Iterator[Problem]:
    for layout in package.parts_typed(SLIDE_LAYOUT):
        masters = package.rels_typed(layout, "/slideMaster")
        if len(masters) != 1:
            yield Problem(
                "master-link",
                layout,
                f"{layout}: a layout needs exactly one slideMaster relationship, it has {len(masters)}.",
            )
            continue
        yield from _check_target_type(package, layout, masters[0], _MASTER)
        master = package.find(masters[0].target)
        if master is not None and not _master_lists(package, master, layout):
            yield Problem(
                "master-link",
                layout,
                f"{layout}: its master {master} does not list it in <sldLayoutIdLst>.",
            )


def _master_lists(package: PackageParts, master: str, layout: str) -> bool:
    root = package.xml.get(master)
    if root is None:
        return True  # unreadable master: reported as bad-xml
    listed = {_r_id(element) for element in _list_entries(root, "sldLayoutIdLst", "sldLayoutId")}
    return any(
        rel.rel_id in listed and package.find(rel.target) == layout
        for rel in package.rels_typed(master, "/slideLayout")
    )


def _check_notes(package: PackageParts) -> Iterator[Problem]:
    for slide in package.parts_typed(SLIDE):
        for rel in package.rels_typed(slide, "/notesSlide"):
            notes = package.find(rel.target)
            if notes is not None:
                yield from _check_target_type(package, slide, rel, _NOTES)
                yield from _check_notes_links(package, slide, notes)


def _check_notes_links(package: PackageParts, slide: str, notes: str) -> Iterator[Problem]:
    back = [package.find(rel.target) for rel in package.rels_typed(notes, "/slide")]
    if slide not in back:
        yield Problem(
            "notes-link",
            notes,
            f"{notes}: the notes of {slide} have no slide relationship back to that slide.",
        )
    if not package.rels_typed(notes, "/notesMaster"):
        yield Problem("notes-link", notes, f"{notes}: the notes slide has no notesMaster relationship.")


def _check_charts(package: PackageParts) -> Iterator[Problem]:
    for source in (*package.parts_typed(SLIDE), *package.parts_typed(SLIDE_LAYOUT)):
        root = package.xml.get(source)
        if root is not None:
            yield from _check_chart_refs(package, source, root)


def _check_chart_refs(package: PackageParts, source: str, root: etree._Element) -> Iterator[Problem]:
    for graphic_data in root.iter("{*}graphicData"):
        if not (graphic_data.get("uri") or "").endswith("chart"):
            continue
        for chart in graphic_data.iterchildren("{*}chart"):
            rel_id = _r_id(chart)
            rel = package.rel_by_id(source, rel_id)
            # A chart relationship whose part is absent is reported once, as missing-target.
            if rel is None or not rel.rel_type.endswith("/chart"):
                yield Problem(
                    "missing-chart",
                    source,
                    f"{source}: a chart graphic frame refers to {rel_id or 'no id'}, "
                    "which is not a chart relationship of the part.",
                )


_CHECKS = (
    _check_content_types,
    _check_relationships,
    _check_main_part,
    _check_presentation,
    _check_orphan_slides,
    _check_slide_layouts,
    _check_layout_masters,
    _check_notes,
    _check_charts,
)
