"""Fuzzing the importers: mutate real corpus files, import them, and check what a user would see.

Shared by the hypothesis tests (tests/fuzz) and bench/fuzz.py. A mutation is driven by a Chooser, so
the same code runs from hypothesis draws (which shrink a failure to a small example) or from a
seeded random generator (the long run). Every input is checked for: no crash (only MsldeskError, or
a clean per-file failure outcome), no hang (each input under a time limit, enforced with SIGALRM), no
partial rows (a failed import leaves the row counts as they were; a successful one adds exactly what
it reports) and a clear message (non-empty, no traceback, no repr).
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import signal
import time
import traceback
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
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

    from msldesk.boards.sources import read_source_bytes

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


class Hang(BaseException):  # noqa: N818 - BaseException so no importer `except Exception` swallows it
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
    kind: str  # crash | hang | partial | unclear
    label: str
    detail: str
    saved_as: str = ""


@dataclass
class FuzzStats:
    tried: int = 0
    imported: int = 0
    refused: int = 0  # clean, per-file failures
    unclassified: int = 0  # failures caught by an importer's last-resort handler
    findings: list[Finding] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")
    total_seconds: float = 0.0

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)

    def report(self, title: str) -> str:
        lines = [
            f"{title}: {self.tried} inputs tried in {self.total_seconds:.1f} s — {self.imported} imported, "
            f"{self.refused} refused with a message ({self.unclassified} by a last-resort handler)",
            f"  crashes {self.count('crash')}, hangs {self.count('hang')}, partial writes "
            f"{self.count('partial')}, unclear messages {self.count('unclear')}",
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
        self._n = 0
        self.event_id: int | None = None

    def _file(self, data: bytes, suffix: str) -> Path:
        self._n += 1  # a fresh name each time: the deck importer skips a path it has seen unchanged
        path = self.work / f"input-{self._n:06d}{suffix}"
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

    def deck(self, data: bytes, suffix: str, label: str) -> list[Finding]:
        stats, before_findings = self.decks, len(self.decks.findings)
        path = self._file(data, suffix)
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

    def person_file(self, data: bytes, suffix: str, label: str, to_event: bool = False) -> list[Finding]:
        from msldesk.errors import MsldeskError

        stats, before_findings = self.people, len(self.people.findings)
        event_id = self._event() if to_event else None
        path = self._file(data, suffix)
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


def _short_traceback(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames))
    return f"{type(exc).__name__}: {str(exc)[:200]} at {where}"


def run_random(
    runner: FuzzRunner, seeds: Sequence[Seed], feed: Callable[[bytes, str, str], Any], count: int, seed: int
) -> None:
    """`count` random mutations of `seeds` fed to `feed(data, suffix, label)` (the long run)."""
    rng = random.Random(seed)
    chooser = RandomChooser(rng)
    for _ in range(count):
        source = seeds[rng.randrange(len(seeds))]
        data, label = mutate_seed(source, chooser)
        feed(data, source.suffix, label)


def sweep(seeds: Sequence[Seed], feed: Callable[[bytes, str, str], Any], per_seed: int, seed: int) -> None:
    """`per_seed` random mutations of every seed in turn: each corpus file is tried at least once."""
    chooser = RandomChooser(random.Random(seed))
    for source in seeds:
        for _ in range(per_seed):
            data, label = mutate_seed(source, chooser)
            feed(data, source.suffix, label)
