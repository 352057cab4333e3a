"""Reference readings for deck-assembly checks, without msldesk: stdlib zip and ElementTree only.

Used by the compose tests and by bench/compose_speed.py, so the engine is never measured by itself.
"""

from __future__ import annotations

import hashlib
import posixpath
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

# Relationships the assembled deck rebuilds or leaves out instead of copying: slide-to-slide links
# and notes back-links (remapped), per-deck notes masters (one for the new deck), comment authors
# (regenerated), handout masters (dropped).
NOT_FOLLOWED = ("/slide", "/notesMaster", "/commentAuthors", "/authors", "/handoutMaster")
# Presentation-level relationships of the first deck that the new deck does not copy as they are.
PRESENTATION_REBUILT = (
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
ZIP_LOCAL_HEADER = 30
ZIP_CENTRAL_HEADER = 46


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class Package:
    """A zip package with case-insensitive part names and resolved relationships."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.zip = zipfile.ZipFile(path)
        self.infos = {info.filename.lstrip("/").lower(): info for info in self.zip.infolist()}

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def info(self, part: str) -> zipfile.ZipInfo | None:
        return self.infos.get(part.lstrip("/").lower())

    def read(self, part: str) -> bytes:
        info = self.info(part)
        if info is None:
            raise KeyError(part)
        return self.zip.read(info)

    def rels(self, part: str) -> list[tuple[str, str, str]]:
        """(id, type, absolute target) of the internal relationships of `part` ("" = package)."""
        name = rels_name(part)
        if self.info(name) is None:
            return []
        out = []
        for rel in ElementTree.fromstring(self.read(name)):
            if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target") or ""
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(part), target))
            out.append((rel.get("Id") or "", rel.get("Type") or "", resolved))
        return out

    def main(self) -> str:
        return next(t for _, kind, t in self.rels("") if kind.endswith("/officeDocument"))

    def slides(self) -> list[str]:
        """Slide part names in presentation order (sldIdLst), Strict or transitional."""
        main = self.main()
        by_id = {rel_id: target for rel_id, _, target in self.rels(main)}
        slides = []
        for child in ElementTree.fromstring(self.read(main)):
            if _local(child.tag) != "sldIdLst":
                continue  # (sections in an extLst have sldId lists too, without relationships)
            for element in child:
                rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id" and "}" in k), "")
                slides.append(by_id[rel_id])
        return slides


def rels_name(part: str) -> str:
    if not part:
        return "_rels/.rels"
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def slide_pictures(path: Path) -> list[frozenset[str]]:
    """Per slide, the SHA-256 of every picture part its relationships reference."""
    with Package(path) as package:
        result = []
        for slide in package.slides():
            digests = set()
            for _, kind, target in package.rels(slide):
                if kind.endswith("/image") and package.info(target) is not None:
                    digests.add(hashlib.sha256(package.read(target)).hexdigest())
            result.append(frozenset(digests))
        return result


@dataclass(frozen=True)
class PartsUsed:
    parts: int  # distinct by content
    compressed: int  # sum of the parts' compressed sizes in their source zips
    stored: int  # the same plus each entry's zip headers (local and central directory)


def distinct_parts_used(picks: Iterable[tuple[Path, int]]) -> PartsUsed:
    """The source parts a deck assembled from `picks` (deck, 1-based slide number) needs, counted
    once per content: each picked slide and everything it links to (layout, master, theme, notes,
    charts, workbooks, pictures, media...), with the relationship parts of all of them, plus the
    first deck's presentation part, its presentation-level parts, notes master, content types and
    package relationships."""
    picks = list(picks)
    packages: dict[Path, Package] = {}
    wanted: set[tuple[Path, str]] = set()
    try:

        def walk(package: Package, start: str) -> None:
            stack = [start]
            while stack:
                part = stack.pop()
                key = (package.path, part.lower())
                if key in wanted or package.info(part) is None:
                    continue
                wanted.add(key)
                from_master = part.lower().startswith("ppt/slidemasters/")
                for _, kind, target in package.rels(part):
                    if kind.endswith(NOT_FOLLOWED):
                        continue
                    if from_master and kind.endswith("/slideLayout"):
                        continue  # only the layouts picked slides use (reached from the slides)
                    stack.append(target)

        for path, number in picks:
            package = packages.setdefault(Path(path), Package(Path(path)))
            walk(package, package.slides()[number - 1])
        first = packages[Path(picks[0][0])]
        main = first.main()
        wanted.update(
            {(first.path, "[content_types].xml"), (first.path, "_rels/.rels"), (first.path, main.lower())}
        )
        for _, kind, target in first.rels(main):
            if kind.endswith("/notesMaster") or not kind.endswith(PRESENTATION_REBUILT):
                walk(first, target)
        digests: set[str] = set()
        compressed = stored = 0
        for path, part in sorted(wanted):
            package = packages[path]
            for name in (part, rels_name(part)) if "_rels/" not in part else (part,):
                info = package.info(name)
                if info is None:
                    continue
                digest = hashlib.sha256(package.zip.read(info)).hexdigest()
                if digest in digests:
                    continue
                digests.add(digest)
                compressed += info.compress_size
                stored += info.compress_size + ZIP_LOCAL_HEADER + ZIP_CENTRAL_HEADER
                stored += 2 * len(info.filename.encode()) + len(info.extra) + len(info.comment)
        return PartsUsed(len(digests), compressed, stored)
    finally:
        for package in packages.values():
            package.zip.close()
