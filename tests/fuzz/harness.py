"""Fuzzing the importers and exporters: mutate real corpus files (their bytes, names and kinds),
import them, push fuzzed people, notes and titles through every exporter, and check what a user
would see.

Shared by the hypothesis tests (tests/fuzz) and bench/fuzz.py. A mutation is driven by a Chooser, so
the same code runs from hypothesis draws (which shrink a failure to a small example) or from a
seeded random generator (the long run). Every input is checked for: no crash (only MsldeskError, or
a clean per-file failure outcome), no hang (each input under a time limit, enforced with SIGALRM), no
partial rows (a failed import leaves the row counts as they were; a successful one adds exactly what
it reports) and a clear message (non-empty, no traceback, no repr). An export must write a whole
file that its own kind of reader opens, with no unescaped formula and no control character, or
refuse with a clear message and leave no file behind.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import random
import re
import shutil
import signal
import time
import traceback
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import text

T = TypeVar("T")
TIME_LIMIT_SECONDS = 5.0
# Bytes that parsers treat specially: quotes, separators, line ends, BOMs, NUL, high bytes, markers.
TOKENS: tuple[bytes, ...] = (
    b"\x00", b"\xff", b"\xfe", b'"', b"'", b",", b";", b"\t", b"\n", b"\r", b"\r\n", b"\xef\xbb\xbf",
    b"\xff\xfe", b"=", b":", b"\\", b"<", b">", b"&", b"&amp;", b"]]>", b"<!--", b"\xc3", b"\xe2\x80",
    b"BEGIN:VCARD\r\n", b"END:VCARD\r\n", b"BEGIN:VEVENT\r\n", b"END:VCALENDAR", b"ATTENDEE;CN=",
    b"EMAIL:", b"mailto:", b"{", b"}", b"[", b"]", b'"npi":', b"9" * 40, b"-1", b"1e999", b"NaN",
    b"=cmd|' /C calc'!A0", b"\xe4\xb8\xad", b"%s%n", b"A" * 1000,
)  # fmt: skip
XML_TOKENS: tuple[bytes, ...] = (
    b"<a:t>", b"</a:t>", b"<p:sp>", b"</p:sp>", b'r:id="rId999"', b'r:embed="rId1"', b"<p:sldId/>",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>', b"&b;",
    b"<x>" * 200, b'Target="../../../../etc/passwd"', b'Target="http://example.com/x"',
    b'TargetMode="External"', b'<Override PartName="/ppt/slides/slide1.xml" ContentType="x"/>',
)  # fmt: skip


class Chooser(Protocol):
    def integer(self, low: int, high: int) -> int: ...

    def choice(self, options: Sequence[T]) -> T: ...

    def blob(self, max_size: int) -> bytes: ...


class RandomChooser:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def choice(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def blob(self, max_size: int) -> bytes:
        return self.rng.randbytes(self.rng.randint(0, max_size))


class HypothesisChooser:
    def __init__(self, data: Any) -> None:  # hypothesis.strategies.DataObject
        from hypothesis import strategies as st

        self.data, self.st = data, st

    def integer(self, low: int, high: int) -> int:
        return int(self.data.draw(self.st.integers(low, high)))

    def choice(self, options: Sequence[T]) -> T:
        return options[self.integer(0, len(options) - 1)]

    def blob(self, max_size: int) -> bytes:
        return bytes(self.data.draw(self.st.binary(max_size=max_size)))


# ------------------------------------------------------------------------------------------ mutations


def mutate_bytes(data: bytes, c: Chooser, log: list[str], tokens: Sequence[bytes] = TOKENS) -> bytes:
    """One byte-level change: flip, truncate, insert, delete, duplicate or overwrite."""
    if not data:
        return c.choice(tokens)
    op = c.choice(("flip", "truncate", "insert", "delete", "duplicate", "overwrite", "token"))
    at = c.integer(0, len(data) - 1)
    if op == "flip":
        count = c.integer(1, 8)
        buffer = bytearray(data)
        for _ in range(count):
            buffer[c.integer(0, len(buffer) - 1)] ^= c.integer(1, 255)
        log.append(f"flip {count} bytes")
        return bytes(buffer)
    if op == "truncate":
        log.append(f"truncate at {at}/{len(data)}")
        return data[:at]
    if op == "insert":
        extra = c.blob(64)
        log.append(f"insert {len(extra)} random bytes at {at}")
        return data[:at] + extra + data[at:]
    span = c.integer(1, max(1, min(len(data) - at, 4096)))
    if op == "delete":
        log.append(f"delete {span} bytes at {at}")
        return data[:at] + data[at + span :]
    if op == "duplicate":
        copies = c.integer(1, 50)
        log.append(f"repeat {span} bytes at {at} x{copies}")
        return data[: at + span] + data[at : at + span] * copies + data[at + span :]
    token = c.choice(tokens)
    if op == "overwrite":
        log.append(f"overwrite at {at} with {token[:20]!r}")
        return data[:at] + token + data[at + len(token) :]
    log.append(f"insert {token[:20]!r} at {at}")
    return data[:at] + token + data[at:]


def mutate_lines(data: bytes, c: Chooser, log: list[str]) -> bytes:
    """A line-level change to a text file: delete, repeat, swap or re-encode."""
    lines = data.splitlines(keepends=True)
    op = c.choice(("delete", "repeat", "swap", "encode", "shuffle-fields"))
    if op == "encode":
        try:
            decoded = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            decoded = data.decode("latin-1")
        codec = c.choice(("utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1", "utf-8-sig"))
        log.append(f"re-encode as {codec}")
        return decoded.encode(codec, "replace")
    if len(lines) < 2:
        return mutate_bytes(data, c, log)
    i, j = c.integer(0, len(lines) - 1), c.integer(0, len(lines) - 1)
    if op == "delete":
        log.append(f"delete line {i}")
        del lines[i]
    elif op == "repeat":
        copies = c.integer(1, 200)
        log.append(f"repeat line {i} x{copies}")
        lines[i:i] = [lines[i]] * copies
    elif op == "swap":
        log.append(f"swap lines {i} and {j}")
        lines[i], lines[j] = lines[j], lines[i]
    else:
        fields = re.split(rb"([,;\t:])", lines[i])
        if len(fields) > 2:
            a, b = c.integer(0, len(fields) - 1), c.integer(0, len(fields) - 1)
            fields[a], fields[b] = fields[b], fields[a]
        log.append(f"shuffle fields of line {i}")
        lines[i] = b"".join(fields)
    return b"".join(lines)


def mutate_text_file(data: bytes, c: Chooser, log: list[str]) -> bytes:
    for _ in range(c.integer(1, 3)):
        data = mutate_lines(data, c, log) if c.integer(0, 2) == 0 else mutate_bytes(data, c, log)
    return data


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [(info, archive.read(info)) for info in archive.infolist()]
    except Exception:  # noqa: BLE001 - an unreadable seed is simply mutated as bytes
        return None


def _rezip(members: list[tuple[zipfile.ZipInfo, bytes]], stored: bool) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate member names are one of the mutations
        with zipfile.ZipFile(buffer, "w", method) as out:
            for info, payload in members:
                out.writestr(zipfile.ZipInfo(info.filename, info.date_time), payload, method)
    return buffer.getvalue()


def mutate_package(data: bytes, c: Chooser, log: list[str]) -> bytes:
    """A change inside a zip package (PPTX, XLSX): a member's bytes, a member swapped, dropped or
    renamed, XML trouble inserted; or, sometimes, damage to the container itself."""
    members = _members(data)
    if members is None or not members or c.integer(0, 5) == 0:
        for _ in range(c.integer(1, 3)):
            data = mutate_bytes(data, c, log)
        return data
    for _ in range(c.integer(1, 3)):
        op = c.choice(
            ("member-bytes", "member-xml", "swap", "drop", "rename", "member-truncate", "duplicate")
        )
        i = c.integer(0, len(members) - 1)
        info, payload = members[i]
        if op == "member-bytes":
            log.append(f"{info.filename}:")
            members[i] = (info, mutate_bytes(payload, c, log))
        elif op == "member-xml":
            log.append(f"{info.filename}:")
            members[i] = (info, mutate_bytes(payload, c, log, XML_TOKENS + TOKENS))
        elif op == "member-truncate":
            cut = c.integer(0, max(0, len(payload) - 1))
            log.append(f"truncate {info.filename} at {cut}")
            members[i] = (info, payload[:cut])
        elif op == "swap":
            j = c.integer(0, len(members) - 1)
            log.append(f"swap {info.filename} <-> {members[j][0].filename}")
            members[i], members[j] = (info, members[j][1]), (members[j][0], payload)
        elif op == "drop" and len(members) > 1:
            log.append(f"drop {info.filename}")
            del members[i]
        elif op == "rename":
            other = c.choice([m[0].filename for m in members])
            log.append(f"rename {info.filename} -> {other}")
            members[i] = (zipfile.ZipInfo(other, info.date_time), payload)
        else:
            log.append(f"duplicate {info.filename}")
            members.append((info, payload))
    stored = c.integer(0, 3) == 0
    return _rezip(members, stored)


# ------------------------------------------------------------------------------------------ seeds


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes
    suffix: str


def deck_seeds(corpus: Path, max_bytes: int | None = None) -> list[Seed]:
    folder = corpus / "pptx"
    return [
        Seed(p.name, p.read_bytes(), p.suffix.lower())
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != "MANIFEST.tsv" and (max_bytes is None or p.stat().st_size <= max_bytes)
    ]


PEOPLE_SUFFIXES = (".csv", ".tsv", ".vcf", ".ics", ".json")


def people_seeds(corpus: Path, xlsx_from: int = 3) -> list[Seed]:
    """The people corpus (CSV, TSV, vCard, iCalendar, NPPES JSON), plus XLSX workbooks made from
    its first CSV files (the corpus has no workbook of its own)."""
    folder = corpus / "people"
    seeds = [
        Seed(p.name, p.read_bytes(), p.suffix.lower())
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix.lower() in PEOPLE_SUFFIXES
    ]
    for seed in [s for s in seeds if s.suffix == ".csv"][:xlsx_from]:
        seeds.append(Seed(Path(seed.name).stem + ".xlsx", _as_xlsx(seed), ".xlsx"))
    return seeds


def _as_xlsx(seed: Seed) -> bytes:
    import openpyxl

    from msldesk.boards.intake.sources import read_source_bytes

    table = read_source_bytes(seed.data, seed.name)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(table.headers))
    for _row, cells in table.rows:
        sheet.append(list(cells))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def mutate_seed(seed: Seed, c: Chooser) -> tuple[bytes, str]:
    """Mutated bytes of a seed and a one-line description of what was done."""
    log: list[str] = []
    if seed.suffix in (".xlsx", ".pptx", ".pptm", ".potx", ".potm", ".ppsx", ".ppsm", ".thmx"):
        data = mutate_package(seed.data, c, log)
    else:
        data = mutate_text_file(seed.data, c, log)
    return data, f"{seed.name}: " + "; ".join(log)


# -------------------------------------------------------------------------------- names, kinds, text

# Pieces of file names people (and attackers) give files: spaces, dashes, dots, accents (composed and
# not), right-to-left overrides, zero-width and control characters, shell and format syntax, an
# undecodable byte (Python hands it over as a lone surrogate) and very long runs.
NAME_PIECES: tuple[str, ...] = (
    "report", "Attendees 2027", " ", "  ", "-", "--rm", ".", "..", "Müller", "Mu\u0308ller", "山田",
    "\u202egpj", "\u200b", "\t", "\x01", "\x1b[31m", "\n", "\udcff", "con", "a" * 120, "'", '"', "$(x)",
    "%s", "#", "~", ";", "&", "*", "?", "<>", "|", ":",
)  # fmt: skip
DECK_KINDS: tuple[str, ...] = (".pptx", ".pptm", ".potx", ".ppsx", ".ppt", ".pdf", ".zip", ".csv", ".txt")
PEOPLE_KINDS: tuple[str, ...] = (".csv", ".tsv", ".txt", ".vcf", ".ics", ".json", ".xlsx", ".xls", ".pptx")


def fuzz_file_name(c: Chooser, suffix: str, kinds: Sequence[str]) -> tuple[str, str]:
    """A file name for `suffix` files and a note for the label: sometimes plain, sometimes odd,
    sometimes claiming another kind (a CSV named .vcf, a deck named .pdf), upper-case or no suffix."""
    how = c.choice(("plain", "odd", "odd", "kind", "upper", "none", "double"))
    stem = "input" if how == "plain" else "".join(c.choice(NAME_PIECES) for _ in range(c.integer(1, 4)))
    ending = {
        "kind": c.choice(kinds) if kinds else suffix,
        "upper": suffix.upper(),
        "none": "",
        "double": suffix + (c.choice(kinds) if kinds else suffix),
    }.get(how, suffix)
    stem = stem.replace("/", "_") or "x"
    while len(os.fsencode(stem + ending)) > 230:  # file systems allow 255 bytes; the runner adds a prefix
        stem = stem[: len(stem) // 2]
    name = stem + ending
    return name, f"named {name!r}" if how != "plain" else ""


# What fuzzed people, notes and titles are made of: letters of many scripts, formulas, markup,
# control characters, noncharacters, lone surrogates and line breaks.
TEXT_PIECES: tuple[str, ...] = (
    "Müller", "Łukasz", "山田 太郎", "Ελληνικά", "مرحبا", "\u202e", "👩\u200d⚕️", "=cmd|'/c calc'!A1", "+1",
    "-1-1", "@SUM(1)", "\t=1", "\r=1", "<b>", "&amp;", "]]>", "<font name='x'>", "\x00", "\x01", "\x0b",
    "\x0c", "\x1b", "\x7f", "\x85", "\x9f", "\ufffe", "\uffff", "\ud800", "\udfff", "\n", "\r\n", " ",
    "#theme", "@Someone", "%s", "{0}", "\\", '"', "'", ",", ";", "Dr. med.", "Charité – Berlin",
)  # fmt: skip
# Characters no export may carry: XML-illegal ones, C1 controls, lone surrogates, noncharacters.
JUNK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def fuzz_text(c: Chooser, long: bool = True) -> str:
    """A fuzzed value; with `long`, now and then a run of 300 to 30,000 characters (one word or many)."""
    parts = [c.choice(TEXT_PIECES) for _ in range(c.integer(0, 10))]
    if long and c.integer(0, 4) == 0:
        parts.append(c.choice(("W", "word ", "=", "Ä")) * c.integer(300, 30_000))
    return "".join(parts)


# ------------------------------------------------------------------------------------------ checks

_REPR = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+| object at 0x[0-9a-f]+"
    r"|\b[A-Z]\w*(?:Error|Exception|Warning)\(|^\s*$"
)


def message_problem(message: str) -> str:
    """Why a message shown to the user is not a clear one ('' when it is)."""
    if not isinstance(message, str) or not message.strip():
        return "empty message"
    found = _REPR.search(message)
    if found:
        return f"message shows program internals ({found.group(0)!r})"
    return ""


class Hang(BaseException):  # BaseException so no importer `except Exception` swallows it
    """Raised by the alarm when one input takes longer than the limit."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def on_alarm(_signum: int, _frame: object) -> None:
        raise Hang(f"over {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Finding:
    kind: str  # crash | hang | partial | unclear | unsafe (an export with a live formula or junk)
    label: str
    detail: str
    saved_as: str = ""


@dataclass
class FuzzStats:
    tried: int = 0
    imported: int = 0  # or written, for exports
    refused: int = 0  # clean, per-file failures
    unclassified: int = 0  # failures caught by an importer's last-resort handler
    findings: list[Finding] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")
    total_seconds: float = 0.0
    done: str = "imported"  # what `imported` counts, for the report

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)

    def report(self, title: str) -> str:
        lines = [
            f"{title}: {self.tried} inputs tried in {self.total_seconds:.1f} s — "
            f"{self.imported} {self.done}, "
            f"{self.refused} refused with a message ({self.unclassified} by a last-resort handler)",
            f"  crashes {self.count('crash')}, hangs {self.count('hang')}, partial writes "
            f"{self.count('partial')}, unclear messages {self.count('unclear')}, unsafe text "
            f"{self.count('unsafe')}",
            f"  slowest input {self.slowest[0]:.2f} s: {self.slowest[1][:160]}",
        ]
        for finding in self.findings[:20]:
            saved = f" (saved as {finding.saved_as})" if finding.saved_as else ""
            lines.append(f"  {finding.kind.upper()}: {finding.label[:160]}: {finding.detail[:300]}{saved}")
        return "\n".join(lines)


def _count(app: Any, tables: Sequence[str]) -> dict[str, int]:
    with app.engine.connect() as connection:
        return {t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}


DECK_TABLES = ("decks", "deck_versions", "slides", "slide_fts")
PEOPLE_TABLES = ("people", "attendances", "people_fts", "audit_log")
LAST_RESORT = re.compile(r"could not be read \((\w+)\)\.$")


class FuzzRunner:
    """Feeds inputs to one app's importers and records what went wrong, if anything."""

    def __init__(self, app: Any, work: Path, keep: Path | None = None, limit: float = TIME_LIMIT_SECONDS):
        self.app, self.work, self.keep, self.limit = app, Path(work), keep, limit
        self.work.mkdir(parents=True, exist_ok=True)
        self.decks = FuzzStats()
        self.people = FuzzStats()
        self.exports = FuzzStats(done="written")
        self._n = 0
        self.event_id: int | None = None

    def _file(self, data: bytes, suffix: str, name: str = "") -> Path:
        self._n += 1  # a fresh name each time: the deck importer skips a path it has seen unchanged
        path = self.work / (f"{self._n:06d} {name}" if name else f"input-{self._n:06d}{suffix}")
        path.write_bytes(data)
        return path

    def _finding(
        self, stats: FuzzStats, kind: str, label: str, detail: str, data: bytes, suffix: str
    ) -> None:
        saved = ""
        if self.keep is not None:
            self.keep.mkdir(parents=True, exist_ok=True)
            target = self.keep / f"{kind}-{len(stats.findings) + 1:03d}{suffix}"
            target.write_bytes(data)
            saved = str(target)
        stats.findings.append(Finding(kind, label, detail, saved))

    @staticmethod
    def _timed(stats: FuzzStats, started: float, label: str) -> None:
        elapsed = time.perf_counter() - started
        stats.tried += 1
        stats.total_seconds += elapsed
        if elapsed > stats.slowest[0]:
            stats.slowest = (elapsed, label)

    def _store_files(self) -> set[str]:
        root = self.app.paths.store
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()

    # -- decks -----------------------------------------------------------------------------------

    def deck(self, data: bytes, suffix: str, label: str, name: str = "") -> list[Finding]:
        stats, before_findings = self.decks, len(self.decks.findings)
        path = self._file(data, suffix, name)
        before, store_before = _count(self.app, DECK_TABLES), self._store_files()
        started = time.perf_counter()
        try:
            with time_limit(self.limit):
                outcomes = list(self.app.decks.import_paths([path]))
        except Hang as exc:
            self._timed(stats, started, label)
            self._finding(stats, "hang", label, str(exc), data, suffix)
            return stats.findings[before_findings:]
        except BaseException as exc:  # noqa: BLE001 - anything escaping import_paths is a crash
            self._timed(stats, started, label)
            self._finding(stats, "crash", label, _short_traceback(exc), data, suffix)
            return stats.findings[before_findings:]
        finally:
            path.unlink(missing_ok=True)
        self._timed(stats, started, label)
        after, store_after = _count(self.app, DECK_TABLES), self._store_files()
        if len(outcomes) != 1:
            self._finding(stats, "crash", label, f"{len(outcomes)} outcomes for one file", data, suffix)
            return stats.findings[before_findings:]
        outcome = outcomes[0]
        grown = {t: after[t] - before[t] for t in DECK_TABLES}
        stray = sorted(n for n in store_after - store_before if n.endswith(".tmp"))
        if outcome.status == "failed":
            stats.refused += 1
            if LAST_RESORT.search(outcome.message):
                stats.unclassified += 1
            problem = message_problem(outcome.message) or ("no error kind" if not outcome.error_kind else "")
            if problem:
                self._finding(stats, "unclear", label, f"{problem}: {outcome.message!r}", data, suffix)
            if any(grown.values()) or store_after != store_before:
                detail = f"failed import left rows {grown} / files {sorted(store_after - store_before)}"
                self._finding(stats, "partial", label, detail, data, suffix)
        elif outcome.status == "imported":
            stats.imported += 1
            expected = {"decks": 1, "deck_versions": 1, "slides": outcome.slides, "slide_fts": outcome.slides}
            if grown != expected or len(store_after - store_before) != 1 or stray:
                detail = f"reported {outcome.slides} slides, rows grew by {grown}, new files {stray or ''}"
                self._finding(stats, "partial", label, detail, data, suffix)
        elif outcome.status == "unchanged":
            if any(grown.values()) or store_after != store_before:
                self._finding(stats, "partial", label, f"unchanged deck changed rows {grown}", data, suffix)
        else:
            self._finding(stats, "crash", label, f"unexpected status {outcome.status!r}", data, suffix)
        return stats.findings[before_findings:]

    # -- people ----------------------------------------------------------------------------------

    def person_file(
        self, data: bytes, suffix: str, label: str, to_event: bool = False, name: str = ""
    ) -> list[Finding]:
        from msldesk.core.errors import MsldeskError

        stats, before_findings = self.people, len(self.people.findings)
        event_id = self._event() if to_event else None
        path = self._file(data, suffix, name)
        before = _count(self.app, PEOPLE_TABLES)
        started = time.perf_counter()
        result = None
        try:
            with time_limit(self.limit):
                result = self.app.people_import.import_file(path, event_id=event_id)
        except Hang as exc:
            self._finding(stats, "hang", label, str(exc), data, suffix)
        except MsldeskError as exc:
            stats.refused += 1
            problem = message_problem(exc.user_message)
            if problem:
                self._finding(stats, "unclear", label, f"{problem}: {exc.user_message!r}", data, suffix)
        except BaseException as exc:  # noqa: BLE001 - anything else is a crash
            self._finding(stats, "crash", label, _short_traceback(exc), data, suffix)
        finally:
            path.unlink(missing_ok=True)
            self._timed(stats, started, label)
        after = _count(self.app, PEOPLE_TABLES)
        grown = {t: after[t] - before[t] for t in PEOPLE_TABLES}
        if result is None:
            if any(grown.values()):
                self._finding(stats, "partial", label, f"failed import left rows {grown}", data, suffix)
            return stats.findings[before_findings:]
        stats.imported += 1
        for error in result.errors:
            problem = message_problem(error.message)
            if problem:
                self._finding(
                    stats, "unclear", label, f"row {error.row}: {problem}: {error.message!r}", data, suffix
                )
        expected_attendance = result.attendees_added if event_id is not None else 0
        if (
            grown["people"] != result.imported
            or grown["attendances"] != expected_attendance
            or after["people_fts"] != after["people"]
        ):
            detail = f"reported {result.imported} new / {expected_attendance} added, rows grew by {grown}"
            self._finding(stats, "partial", label, detail, data, suffix)
        return stats.findings[before_findings:]

    def _event(self) -> int:
        if self.event_id is None:
            import datetime as dt

            from msldesk.boards.records import EventFields

            start = dt.datetime(2027, 3, 2, 9, tzinfo=dt.UTC)
            event, _ = self.app.events.create(
                EventFields(title="Fuzz board", starts_at=start, ends_at=start + dt.timedelta(hours=3))
            )
            self.event_id = event.event_id
        return self.event_id


# ------------------------------------------------------------------------------------------ exports

EXPORT_TIME_LIMIT_SECONDS = 10.0  # a summary PDF of a long meeting is a bigger job than one import
EXPORTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("summary", (".pdf",)), ("sign_in_sheet", (".pdf",)), ("briefing", (".pptx",)), ("readout", (".pptx",)),
    ("insights", (".csv", ".xlsx")), ("attendees", (".csv", ".xlsx")), ("calendar", (".ics",)),
    ("payments", (".csv",)),
)  # fmt: skip
EXPORT_KINDS = (".pdf", ".pptx", ".csv", ".xlsx", ".ics", ".txt")
FUZZ_YEAR = 2027


def _no_surrogates(text: str) -> str:
    return "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF)  # SQLite cannot hold them


def exported_file_problem(path: Path) -> tuple[str, str]:
    """(kind, detail) of what is wrong with a written export, ('', '') when it is sound: it opens
    with a reader of its own kind, and holds no junk character and no formula a spreadsheet runs."""
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if not data:
        return "partial", "empty file"
    if suffix == ".pdf":
        if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
            return "partial", "not a complete PDF"
        return "", ""
    if suffix == ".pptx":
        return _pptx_problem(path)
    if suffix == ".xlsx":
        return _xlsx_problem(path)
    return _text_problem(data, suffix)


def _pptx_problem(path: Path) -> tuple[str, str]:
    from msldesk.decks.ooxml.validate import validate_package

    report = validate_package(path)
    if not report.ok:
        return "partial", report.explain()[:300]
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".xml") and JUNK.search(archive.read(name).decode("utf-8", "replace")):
                return "unsafe", f"{name} holds a control character"
    return "", ""


def _xlsx_problem(path: Path) -> tuple[str, str]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path)
    except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
        return "partial", f"openpyxl cannot open it: {exc!r}"[:300]
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str):
                    continue
                if JUNK.search(value):
                    return "unsafe", f"cell {cell.coordinate} holds a control character"
                if value.startswith(FORMULA_STARTS) and not (cell.data_type == "s" and cell.quotePrefix):
                    return "unsafe", f"cell {cell.coordinate} would run as a formula: {value[:40]!r}"
    return "", ""


def _text_problem(data: bytes, suffix: str) -> tuple[str, str]:
    """CSV, ICS and the other text exports."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return "partial", f"not UTF-8: {exc}"
    if JUNK.search(text):
        return "unsafe", "holds a control character"
    if suffix == ".csv":
        # A forged row can make a cell longer than csv's default 128 KB field limit: read it all.
        csv.field_size_limit(max(csv.field_size_limit(), len(text)))
        for row in csv.reader(io.StringIO(text, newline="")):
            for value in row:
                if value.startswith(FORMULA_STARTS):
                    return "unsafe", f"a cell would run as a formula: {value[:40]!r}"
    elif suffix == ".ics":
        from icalendar import Calendar

        try:
            Calendar.from_ical(data)
        except Exception as exc:  # noqa: BLE001 - any failure to parse is the finding
            return "partial", f"icalendar cannot read it: {exc!r}"[:300]
    return "", ""


class ExportFuzzing:
    """A fuzzed board (event, agenda, people, notes, summary; some rows then forged past the input
    checks, as an old or hand-edited library could hold them) pushed through every exporter."""

    def __init__(self, runner: FuzzRunner) -> None:
        self.runner, self.app = runner, runner.app
        self._people = 0

    def round(self, c: Chooser, label: str = "") -> list[Finding]:
        stats = self.runner.exports
        before = len(stats.findings)
        log: list[str] = []
        event_id = self._board(c, log)
        for kind, suffixes in EXPORTS:
            self._export(kind, event_id, c, c.choice(suffixes), " ".join([label, *log]).strip())
        return stats.findings[before:]

    @staticmethod
    def _attempt(call: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """A service call with fuzzed input: refusing it is input checking, not an export problem."""
        from msldesk.core.errors import MsldeskError

        try:
            return call(*args, **kwargs)
        except MsldeskError:
            return None

    def _board(self, c: Chooser, log: list[str]) -> int:
        from msldesk.boards.records import (
            AgendaItemFields,
            AttendanceFields,
            AttendeeRole,
            EntryKind,
            EventFields,
            Invitation,
            PersonFields,
        )

        app, attempt = self.app, self._attempt
        start = dt.datetime(FUZZ_YEAR, 3, 2, 9, tzinfo=dt.UTC)
        times = dict(starts_at=start, ends_at=start + dt.timedelta(hours=c.integer(1, 30)))
        zone = c.choice(("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"))
        fields = EventFields(title=fuzz_text(c) or "x", objectives=fuzz_text(c), venue=fuzz_text(c),
                             virtual_link=fuzz_text(c, long=False), timezone=zone, **times)  # type: ignore[arg-type]  # fmt: skip
        made = attempt(app.events.create, fields) or app.events.create(
            EventFields(title="Fuzz board", **times)
        )  # type: ignore[arg-type]
        event_id: int = made[0].event_id
        for _ in range(c.integer(0, 3)):
            attempt(
                app.events.add_agenda_item,
                event_id,
                AgendaItemFields(fuzz_text(c) or "Item", c.integer(0, 90)),
            )
        for _ in range(c.integer(0, 4)):
            self._people += 1
            person = attempt(app.people.add, PersonFields(
                first_name=fuzz_text(c, long=False), last_name=fuzz_text(c, long=False) or "Fuzz",
                credentials=fuzz_text(c, long=False), institution=fuzz_text(c), city=fuzz_text(c, long=False),
                phone=c.choice(("", "+49 30 1234567", "-1-1", "=1+1")), notes=fuzz_text(c),
                email=c.choice(("", f"fuzz{self._people}@example.org")),
            ))  # fmt: skip
            if person is not None:
                attendance = AttendanceFields(
                    role=c.choice(list(AttendeeRole)), invitation=c.choice(list(Invitation)),
                    honorarium_amount=Decimal(c.choice((0, 100, 1500))), currency="USD",
                )  # fmt: skip
                attempt(app.events.add_attendee, event_id, person[0].person_id, attendance)
        for _ in range(c.integer(0, 5)):
            attempt(app.meetings.add_entry, event_id, fuzz_text(c) or "note", kind=c.choice(list(EntryKind)),
                    themes=(fuzz_text(c, long=False),))  # fmt: skip
        attempt(app.meetings.set_executive_summary, event_id, fuzz_text(c))
        if c.integer(0, 1):
            self._forge(event_id, c)
            log.append("(rows forged past the input checks)")
        return event_id

    def _forge(self, event_id: int, c: Chooser) -> None:
        from sqlalchemy import select, update

        from msldesk.boards.orm import AttendanceRow, EventRow, NoteEntryRow, PersonRow

        def raw() -> str:
            return _no_surrogates(fuzz_text(c))

        attending = select(AttendanceRow.person_id).where(AttendanceRow.event_id == event_id)
        with self.app.sessions.begin() as session:
            session.execute(
                update(EventRow)
                .where(EventRow.id == event_id)
                .values(title=raw(), objectives=raw(), venue=raw())
            )
            session.execute(
                update(PersonRow).where(PersonRow.id.in_(attending))
                .values(first_name=raw(), last_name=raw(), institution=raw() + "I" * c.integer(0, 3000))
            )  # fmt: skip
            session.execute(update(NoteEntryRow).where(NoteEntryRow.event_id == event_id).values(text=raw()))

    def _export(self, kind: str, event_id: int, c: Chooser, suffix: str, label: str) -> None:
        from msldesk.boards.records import Audience
        from msldesk.core.errors import MsldeskError

        runner, stats = self.runner, self.runner.exports
        runner._n += 1
        folder = runner.work / f"export-{runner._n:06d}"
        folder.mkdir(parents=True)
        name, note = fuzz_file_name(c, suffix, EXPORT_KINDS)
        out = folder / name
        label = f"{kind} {note or name} {label}".strip()
        outputs, audience = self.app.outputs, c.choice(list(Audience))
        calls: dict[str, Callable[[], Any]] = {
            "summary": lambda: outputs.summary(event_id, audience, out),
            "sign_in_sheet": lambda: outputs.sign_in_sheet(event_id, out),
            "briefing": lambda: outputs.briefing(event_id, out),
            "readout": lambda: outputs.readout(event_id, audience, out),
            "insights": lambda: outputs.insights(event_id, audience, out),
            "attendees": lambda: outputs.attendees(event_id, out),
            "calendar": lambda: outputs.calendar(event_id, out),
            "payments": lambda: outputs.payments(FUZZ_YEAR, out),
        }
        started = time.perf_counter()
        data = f"{kind} of event {event_id}".encode()
        try:
            with time_limit(max(runner.limit, EXPORT_TIME_LIMIT_SECONDS)):
                calls[kind]()
        except Hang as exc:
            runner._finding(stats, "hang", label, str(exc), data, ".txt")
        except MsldeskError as exc:
            stats.refused += 1
            problem = message_problem(exc.user_message)
            if problem:
                runner._finding(stats, "unclear", label, f"{problem}: {exc.user_message!r}", data, ".txt")
            left = sorted(p.name for p in folder.iterdir())
            if left:
                runner._finding(stats, "partial", label, f"a refused export left {left}", data, ".txt")
        except BaseException as exc:  # noqa: BLE001 - anything else is a crash
            runner._finding(stats, "crash", label, _short_traceback(exc), data, ".txt")
        else:
            stats.imported += 1
            left = sorted(p.name for p in folder.iterdir())
            if left != [out.name]:
                runner._finding(
                    stats, "partial", label, f"the folder holds {left}, not just the export", data, ".txt"
                )
            found, detail = exported_file_problem(out) if out.exists() else ("partial", "no file written")
            if found:
                runner._finding(
                    stats, found, label, detail, out.read_bytes() if out.exists() else data, suffix
                )
        finally:
            runner._timed(stats, started, label)
            shutil.rmtree(folder, ignore_errors=True)


def _short_traceback(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames))
    return f"{type(exc).__name__}: {str(exc)[:200]} at {where}"


def run_random(
    runner: FuzzRunner,
    seeds: Sequence[Seed],
    feed: Callable[[bytes, str, str, str], Any],
    count: int,
    seed: int,
    kinds: Sequence[str] = (),
) -> None:
    """`count` random mutations of `seeds`, under fuzzed names claiming one of `kinds` now and then,
    fed to `feed(data, suffix, label, name)` (the long run)."""
    rng = random.Random(seed)
    chooser = RandomChooser(rng)
    for _ in range(count):
        source = seeds[rng.randrange(len(seeds))]
        data, label = mutate_seed(source, chooser)
        name, note = fuzz_file_name(chooser, source.suffix, kinds)
        feed(data, source.suffix, f"{label}; {note}" if note else label, name)


def sweep(
    seeds: Sequence[Seed], feed: Callable[[bytes, str, str, str], Any], per_seed: int, seed: int,
    kinds: Sequence[str] = (),
) -> None:  # fmt: skip
    """`per_seed` random mutations of every seed in turn: each corpus file is tried at least once."""
    chooser = RandomChooser(random.Random(seed))
    for source in seeds:
        for _ in range(per_seed):
            data, label = mutate_seed(source, chooser)
            name, note = fuzz_file_name(chooser, source.suffix, kinds)
            feed(data, source.suffix, f"{label}; {note}" if note else label, name)
