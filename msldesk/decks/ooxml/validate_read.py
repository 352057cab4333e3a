"""The validator's own reading of a package: every zip entry once, the content types, the parsed XML
and the relationships, with whatever cannot be read noted as a Problem instead of raised."""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote

from lxml import etree

from msldesk.decks.ooxml.names import CONTENT_TYPES, SAFE_PARSER, local_name

_READ_CHUNK = 1024 * 1024
# A damaged entry fails in many ways: bad deflate data, a bad CRC, an unknown compression method,
# or a zip-encryption flag (never valid in OOXML).
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    ValueError,
    NotImplementedError,
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the package."""

    code: str  # short stable id, e.g. "missing-target"
    part: str  # the part concerned, as named in the zip ("" for the package as a whole)
    message: str  # what is wrong, in plain words, naming the part


@dataclass(frozen=True)
class Rel:
    rel_id: str
    rel_type: str
    target: str  # resolved part name (no leading "/"), or the raw target when external
    external: bool


@dataclass
class PackageParts:
    """What the checks need: the parts, their content types, their parsed XML and relationships."""

    names: dict[str, str] = field(default_factory=dict)  # lower-case part name -> part name
    content_types: dict[str, str] = field(default_factory=dict)  # part name -> content type ("")
    xml: dict[str, etree._Element] = field(default_factory=dict)  # part name -> root (parsed only)
    rels: dict[str, list[Rel]] = field(default_factory=dict)  # source part ("" package) -> rels

    def find(self, name: str) -> str | None:
        """The real part name for `name`; part names compare case-insensitively (OPC)."""
        lower = name.lower()
        return self.names.get(lower) or self.names.get(unquote(lower))

    def parts_typed(self, suffix: str) -> list[str]:
        return [name for name, ct in self.content_types.items() if ct.endswith(suffix.lower())]

    def rels_typed(self, source: str, suffix: str) -> list[Rel]:
        return [rel for rel in self.rels.get(source, ()) if rel.rel_type.endswith(suffix)]

    def rel_by_id(self, source: str, rel_id: str) -> Rel | None:
        return next((rel for rel in self.rels.get(source, ()) if rel.rel_id == rel_id), None)


def load_parts(archive: zipfile.ZipFile, problems: list[Problem]) -> PackageParts | None:
    """Read every entry once; None when there are no content types to judge the parts by."""
    infos = _unique_entries(archive.infolist(), problems)
    package = PackageParts(names={name.lower(): name for name in infos})
    types_name = package.find(CONTENT_TYPES)
    if types_name is None:
        problems.append(Problem("missing-content-types", "", f"The package has no {CONTENT_TYPES} part."))
        return None
    types_root = _parse(types_name, _read(archive, infos[types_name], problems), problems)
    if types_root is None:
        return None
    overrides, defaults = _content_type_tables(types_root)
    for name, info in infos.items():
        if name != types_name:
            package.content_types[name] = _content_type(name, overrides, defaults)
            _load_part(archive, info, package, problems)
    for name, root in package.xml.items():
        if is_rels_part(name):
            package.rels[_source_of(name)] = list(_relationships(name, root))
    return package


def _unique_entries(infos: Iterable[zipfile.ZipInfo], problems: list[Problem]) -> dict[str, zipfile.ZipInfo]:
    """Part name -> first zip entry; a later entry with the same name (any case) is a problem."""
    seen: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if name.endswith("/"):
            continue  # a folder entry, not a part
        first = seen.get(name.lower())
        if first is not None:
            problems.append(
                Problem(
                    "duplicate-part",
                    name,
                    f"{name}: the zip holds this part more than once (also as {first.filename}); "
                    "readers keep only one of the copies.",
                )
            )
            continue
        seen[name.lower()] = info
    return {info.filename: info for info in seen.values()}


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, problems: list[Problem]) -> bytes | None:
    try:
        with archive.open(info) as handle:
            return handle.read()
    except _READ_ERRORS as exc:
        problems.append(_unreadable(info.filename, exc))
        return None


def _drain(archive: zipfile.ZipFile, info: zipfile.ZipInfo, problems: list[Problem]) -> None:
    """Decompress a binary part to check its CRC without keeping it in memory."""
    try:
        with archive.open(info) as handle:
            while handle.read(_READ_CHUNK):
                pass
    except _READ_ERRORS as exc:
        problems.append(_unreadable(info.filename, exc))


def _unreadable(name: str, exc: BaseException) -> Problem:
    return Problem("unreadable-part", name, f"{name}: the zip entry cannot be read, it is damaged ({exc}).")


def _parse(name: str, data: bytes | None, problems: list[Problem]) -> etree._Element | None:
    if data is None:
        return None
    try:
        root = etree.fromstring(data, SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        problems.append(Problem("bad-xml", name, f"{name}: the part is not well-formed XML ({exc})."))
        return None
    if has_doctype(root):
        # ECMA-376 Part 2 forbids DTDs in a package; Office refuses the file, and entity tricks
        # ("billion laughs") hide in them.
        problems.append(Problem("doctype", name, f"{name}: the part declares a DOCTYPE; packages may not."))
    return root


def has_doctype(root: etree._Element) -> bool:
    """True when the document `root` was parsed from declares a DOCTYPE (with or without a subset)."""
    info = root.getroottree().docinfo
    return bool(info.doctype) or info.internalDTD is not None


def _load_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, package: PackageParts, problems: list[Problem]
) -> None:
    name = info.filename
    if not _is_xml(name, package.content_types[name]):
        _drain(archive, info, problems)
        return
    root = _parse(name, _read(archive, info, problems), problems)
    if root is not None:
        package.xml[name] = root


def _is_xml(name: str, content_type: str) -> bool:
    if content_type:
        return content_type.endswith("+xml") or content_type in ("application/xml", "text/xml")
    return name.lower().endswith((".xml", ".rels"))


def is_rels_part(name: str) -> bool:
    folder, base = posixpath.split(name.lower())
    return base.endswith(".rels") and posixpath.basename(folder) == "_rels"


def _source_of(rels_part: str) -> str:
    """'ppt/slides/_rels/slide1.xml.rels' -> 'ppt/slides/slide1.xml'; '_rels/.rels' -> ''."""
    folder, base = posixpath.split(rels_part)
    return posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])


def _content_type_tables(root: etree._Element) -> tuple[dict[str, str], dict[str, str]]:
    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}
    for item in root:
        tag = local_name(item.tag)
        content_type = (item.get("ContentType") or "").strip().lower()
        if tag == "Override":
            overrides[unquote(item.get("PartName") or "").lstrip("/").lower()] = content_type
        elif tag == "Default":
            defaults[(item.get("Extension") or "").lower()] = content_type
    return overrides, defaults


def _content_type(name: str, overrides: dict[str, str], defaults: dict[str, str]) -> str:
    lower = unquote(name).lower()
    if lower in overrides:
        return overrides[lower]
    base = posixpath.basename(lower)
    return defaults.get(base.rpartition(".")[2], "") if "." in base else ""


def _relationships(rels_part: str, root: etree._Element) -> Iterator[Rel]:
    source = _source_of(rels_part)
    for element in root:
        if local_name(element.tag) != "Relationship":
            continue
        external = (element.get("TargetMode") or "") == "External"
        target = element.get("Target") or ""
        yield Rel(
            rel_id=element.get("Id") or "",
            rel_type=element.get("Type") or "",
            target=target if external else _resolve(source, target),
            external=external,
        )


def _resolve(source: str, target: str) -> str:
    """The part name an internal target points to ("" if none), relative to the source's folder.

    A bare fragment ("#_ftn1", a bookmark) is a same-document reference: it names the source itself.
    """
    path, hash_mark, _ = target.strip().partition("#")
    if not path:
        return source if hash_mark else ""
    joined = path if path.startswith("/") else posixpath.join("/", posixpath.dirname(source), path)
    return posixpath.normpath(joined).lstrip("/")
