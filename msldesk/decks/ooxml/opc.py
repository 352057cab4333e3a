"""A PowerPoint file opened as a zip-based OPC package, for reading: limits checked before anything
is decompressed, case-insensitive part names, bounded reads, relationships and content types, and
the refusals that come before (password-protected, legacy binary, too large)."""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from msldesk.core.errors import DamagedDeckError, NotAPresentationError, PasswordProtectedError, TooLargeError
from msldesk.decks.ooxml.names import CONTENT_TYPES, SAFE_PARSER, local_name, rels_part_name


@dataclass(frozen=True)
class PackageLimits:
    """Refuse zip bombs and absurd files before decompressing anything."""

    max_file_bytes: int = 2 * 1024**3
    max_uncompressed_bytes: int = 4 * 1024**3
    max_entries: int = 20_000
    max_ratio: int = 200  # uncompressed / compressed, checked for entries over ratio_floor_bytes
    ratio_floor_bytes: int = 16 * 1024**2
    max_xml_part_bytes: int = 64 * 1024**2
    # A 71 KB file can list one slide 15,000 times: only the first max_slides are read and indexed,
    # and only as many as hold max_text_chars of text and notes together (one slide of highly
    # compressible text, listed again and again, would otherwise fill the database).
    max_slides: int = 2000
    max_text_chars: int = 64_000_000


DEFAULT_LIMITS = PackageLimits()

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Relationship:
    rel_id: str
    rel_type: str
    target: str  # absolute part name, or the URL of an external target
    external: bool


class OpcPackage:
    """A zip-based OPC package with case-insensitive part names and bounded reads."""

    def __init__(self, path: Path, limits: PackageLimits) -> None:
        self.limits = limits
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError) as exc:
            # A damaged central directory is not always BadZipFile: bit rot also shows up as an
            # unsupported "version needed" (NotImplementedError) or undecodable names (ValueError).
            raise DamagedDeckError(  # zipfile's own words ("Bad magic number ...") are the details
                "The file is damaged: it is not a readable zip package, it may be truncated or corrupt.",
                str(exc),
            ) from exc
        infos = self.zip.infolist()
        if len(infos) > limits.max_entries:
            raise TooLargeError(
                f"The file is too large to import safely: {len(infos):,} parts "
                f"(limit {limits.max_entries:,}).",
            )
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
                info.compress_size, 1
            ):
                raise TooLargeError(
                    "The file is too large to import safely: part "
                    f"{info.filename} expands {info.file_size // max(info.compress_size, 1)}×.",
                )
        if total > limits.max_uncompressed_bytes:
            raise TooLargeError(
                f"The file is too large to import safely: {total / 1024**3:.1f} GB uncompressed "
                f"(limit {limits.max_uncompressed_bytes / 1024**3:.0f} GB).",
            )
        self.names = {info.filename.lstrip("/").lower(): info for info in infos}
        self._rels_cache: dict[str, dict[str, tuple[str, str]]] = {}

    def close(self) -> None:
        self.zip.close()

    def has(self, part: str) -> bool:
        return part.lstrip("/").lower() in self.names

    def read(self, part: str) -> bytes:
        info = self.names.get(part.lstrip("/").lower())
        if info is None:
            raise KeyError(part)
        if info.file_size > self.limits.max_xml_part_bytes:
            raise TooLargeError(f"The part {part} is too large to read ({info.file_size:,} bytes).")
        # A damaged part fails in many ways: bad deflate data (zlib.error), a bogus compression method
        # (NotImplementedError) or a zip-encryption flag, never valid in OOXML (RuntimeError).
        try:
            with self.zip.open(info) as handle:
                data = handle.read(self.limits.max_xml_part_bytes + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
            raise DamagedDeckError(f"The part {part} is damaged and cannot be read.", str(exc)) from exc
        if len(data) > self.limits.max_xml_part_bytes:
            raise TooLargeError(f"The part {part} is too large to read.")
        return data

    def xml(self, part: str) -> etree._Element:
        data = self.read(part)
        try:
            return etree.fromstring(data, SAFE_PARSER)
        except etree.XMLSyntaxError as exc:
            raise DamagedDeckError(
                f"The part {part} is damaged: it is not well-formed XML.", str(exc)
            ) from exc

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationships of `part`: id -> (type, absolute target part name); external ones skipped."""
        cached = self._rels_cache.get(part)
        if cached is not None:
            return cached
        folder = posixpath.dirname(part.lstrip("/"))
        rels_part = rels_part_name(part.lstrip("/"))
        result: dict[str, tuple[str, str]] = {}
        if self.has(rels_part):
            for rel in self.xml(rels_part):
                if local_name(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target") or ""
                if target.startswith("/"):
                    resolved = target.lstrip("/")
                else:
                    resolved = posixpath.normpath(posixpath.join(folder, target))
                result[rel.get("Id") or ""] = (rel.get("Type") or "", resolved)
        self._rels_cache[part] = result
        return result

    def read_binary(self, part: str) -> bytes:
        """A part's bytes whatever its size (media); the package-wide limits were checked on open."""
        info = self.names.get(part.lstrip("/").lower())
        if info is None:
            raise KeyError(part)
        try:
            with self.zip.open(info) as handle:
                return handle.read()
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
            raise DamagedDeckError(f"The part {part} is damaged and cannot be read.", str(exc)) from exc

    def part_name(self, part: str) -> str:
        """The name as stored in the zip (part names are case-insensitive in OPC)."""
        info = self.names.get(part.lstrip("/").lower())
        return info.filename.lstrip("/") if info is not None else part.lstrip("/")

    def relationships(self, part: str) -> list[Relationship]:
        """Every relationship of `part`, external ones included, in file order."""
        folder = posixpath.dirname(part.lstrip("/"))
        rels_part = rels_part_name(part.lstrip("/"))
        if not self.has(rels_part):
            return []
        result = []
        for rel in self.xml(rels_part):
            if local_name(rel.tag) != "Relationship":
                continue
            target = rel.get("Target") or ""
            external = rel.get("TargetMode") == "External"
            if external:
                resolved = target
            elif target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            result.append(Relationship(rel.get("Id") or "", rel.get("Type") or "", resolved, external))
        return result

    def first_rel(self, part: str, type_suffix: str) -> str | None:
        for rel_type, target in self.rels(part).values():
            if rel_type.endswith(type_suffix):
                return target
        return None


def open_package(path: Path, limits: PackageLimits = DEFAULT_LIMITS) -> OpcPackage:
    """Open a deck file for reading parts, with the same refusals as import (encrypted, damaged...)."""
    check_not_ole(Path(path))
    return OpcPackage(Path(path), limits)


def content_types(package: OpcPackage) -> tuple[dict[str, str], dict[str, str]]:
    """([Content_Types] overrides by lower-case part name, defaults by lower-case extension)."""
    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}
    for item in package.xml(CONTENT_TYPES):
        name = local_name(item.tag)
        if name == "Override":
            overrides[(item.get("PartName") or "").lstrip("/").lower()] = item.get("ContentType") or ""
        elif name == "Default":
            defaults[(item.get("Extension") or "").lower()] = item.get("ContentType") or ""
    return overrides, defaults


def check_not_ole(path: Path) -> None:
    with open(path, "rb") as handle:
        head = handle.read(8)
        if head != OLE2_MAGIC:
            return
        # Encrypted OOXML is an OLE2 file holding an "EncryptedPackage" stream; scan for its name.
        needle = "EncryptedPackage".encode("utf-16-le")
        handle.seek(0)
        tail = b""
        while chunk := handle.read(1024 * 1024):
            if needle in tail + chunk:
                raise PasswordProtectedError(
                    "The file is password-protected. Remove the password in PowerPoint "
                    "(File › Info › Protect Presentation) and import it again."
                )
            tail = chunk[-len(needle) :]
    raise NotAPresentationError(
        "The file is a legacy binary Office file (.ppt or similar), not a PowerPoint .pptx "
        "package. Save it as .pptx in PowerPoint and import it again."
    )


def file_too_large(limit: int) -> TooLargeError:
    return TooLargeError(f"The file is too large to import: it is over the limit of {_size_words(limit)}.")


def _size_words(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.0f} GB"
    if size >= 1024**2:
        return f"{size / 1024**2:.0f} MB"
    return f"{size:,} bytes"
