"""Build decks from library slides with the compliance rules: approved content only (or a recorded
reason), companion slides that travel with their slide, and a bill of materials for every deck. Saved
collections are the service's other part (decks/collections.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session, sessionmaker

from msldesk.core import clock
from msldesk.core.changes import Changes
from msldesk.core.user_files import display_name, storable_path
from msldesk.core.wording import plural
from msldesk.decks.collections import SavedCollections
from msldesk.decks.listing import stored_date
from msldesk.decks.ooxml.compose import SourceSlide, compose_deck
from msldesk.decks.ooxml.slide_size import deck_slide_size
from msldesk.decks.orm import AssemblyItemRow, AssemblyRow, CollectionRow, CompanionRow
from msldesk.decks.records import DeckStatus, derive_status
from msldesk.decks.removal import SlideLinks
from msldesk.decks.store import DeckStore

if TYPE_CHECKING:
    from msldesk.decks.slide_specs import GeneratedSlide
from msldesk.core import tables
from msldesk.core.errors import DiskFullError, InvalidInputError, MsldeskError, NotFoundError
from msldesk.core.fileio import atomic_write_bytes, disk_full_error, temp_prefix
from msldesk.core.progress import CancelToken, ProgressCallback, no_progress

BOM_HEADER = (
    "position", "slide_id", "source_deck", "deck_id", "version", "slide_number", "slide_title",
    "approval_code", "approved_on", "expires_on", "status", "override_reason",
)  # fmt: skip


BOM_LABEL = "Bill of materials"


class ComplianceError(MsldeskError):
    """Expired or withdrawn slides were picked without a reason to override."""

    kind = "compliance"


@dataclass(frozen=True)
class AssemblyItem:
    slide_id: int
    deck_id: int
    deck_title: str
    version: int
    number: int
    title: str
    approval_code: str
    approved_on: dt.date | None
    expires_on: dt.date | None
    status: DeckStatus
    store_path: str
    companion_of: int | None = None  # slide id this companion follows
    override_reason: str = ""

    @property
    def display_title(self) -> str:
        return self.title or f"Slide {self.number}"

    @property
    def blocked(self) -> bool:
        return self.status.blocked and not self.override_reason.strip()


@dataclass(frozen=True)
class AssemblyPlan:
    items: tuple[AssemblyItem, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def blocked(self) -> tuple[AssemblyItem, ...]:
        return tuple(i for i in self.items if i.blocked)


@dataclass(frozen=True)
class AssemblyResult:
    path: Path
    bill_of_materials: Path
    slides: int
    warnings: tuple[str, ...]
    items: tuple[AssemblyItem, ...]
    title: str = ""  # as recorded: the one asked for, else the file's name

    @property
    def detail(self) -> str:
        return f"{plural(self.slides, 'slide')}, with its bill of materials"


@dataclass(frozen=True)
class DeckRequest:
    """A deck to build from library slides: what the deck builder, `compose` and a briefing ask for."""

    slide_ids: tuple[int, ...]
    title: str = ""  # blank: the file's name
    overrides: Mapping[int, str] = field(default_factory=dict)  # slide id -> why it is used anyway
    bill_of_materials_slide: bool = True
    leading: tuple[GeneratedSlide, ...] = ()  # generated slides first (a cover, an agenda)


@dataclass(frozen=True)
class DeckSnapshot:
    """Everything building the deck needs, read on the database's lane: building it reads the
    library's store files only, never the database."""

    request: DeckRequest
    plan: AssemblyPlan
    work_dir: Path


class AssemblyService(SavedCollections):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        store: DeckStore,
        work_dir: Path,
        expiring_within_days: int = 30,
        today: dt.date | None = None,
    ) -> None:
        self.sessions = sessions
        self.store = store
        self.work_dir = Path(work_dir)
        self.expiring_within_days = expiring_within_days
        self._today = today
        # What links saved collections from above the library (event agendas): set by msldesk.app.services.
        self.slide_links: list[SlideLinks] = []

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # ---- planning -----------------------------------------------------------------------------

    def plan(self, slide_ids: Sequence[int], overrides: Mapping[int, str] | None = None) -> AssemblyPlan:
        """The slides in order, each followed by its companions, with status and warnings."""
        overrides = overrides or {}
        with self.sessions() as session:
            rows = self._slide_rows(session, slide_ids)
            companions = self._companion_rows(session, {r["deck_id"] for r in rows.values()})
            items: list[AssemblyItem] = []
            for slide_id in slide_ids:
                row = rows.get(slide_id)
                if row is None:
                    raise NotFoundError(f"There is no slide {slide_id} in the library.")
                items.append(self._item(row, overrides.get(slide_id, "")))
                for number in companions.get((row["deck_id"], row["number"]), []):
                    follower = self._slide_by_number(session, row["version_id"], number)
                    if follower is None:
                        continue
                    next_pick = slide_ids[len(items) : len(items) + 1]
                    if next_pick and next_pick[0] == follower["id"]:
                        continue  # the user already placed it right after
                    items.append(
                        self._item(follower, overrides.get(follower["id"], ""), companion_of=slide_id)
                    )
        warnings = []
        for item in items:
            if item.status is DeckStatus.EXPIRING and item.expires_on is not None:
                warnings.append(
                    f"“{item.display_title}” ({item.deck_title}) expires on {item.expires_on:%Y-%m-%d}."
                )
            if item.status.blocked and item.override_reason:
                warnings.append(
                    f"“{item.display_title}” is {item.status.value}; used anyway: {item.override_reason}"
                )
        return AssemblyPlan(tuple(items), tuple(dict.fromkeys(warnings)))

    def _slide_rows(self, session: Session, slide_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        if not slide_ids:
            return {}
        ids = ", ".join(str(int(i)) for i in set(slide_ids))
        return {
            r["id"]: dict(r) for r in session.execute(text(_SLIDE_SQL + f" WHERE s.id IN ({ids})")).mappings()
        }

    def _slide_by_number(self, session: Session, version_id: object, number: int) -> dict[str, Any] | None:
        row = (
            session.execute(
                text(_SLIDE_SQL + " WHERE s.version_id = :v AND s.number = :n"),
                {"v": version_id, "n": number},
            )
            .mappings()
            .first()
        )
        return dict(row) if row is not None else None

    @staticmethod
    def _companion_rows(session: Session, deck_ids: set[object]) -> dict[tuple[int, int], list[int]]:
        result: dict[tuple[int, int], list[int]] = {}
        if not deck_ids:
            return result
        query = (
            select(CompanionRow)
            .where(CompanionRow.deck_id.in_(deck_ids))
            .order_by(CompanionRow.companion_number)
        )
        for row in session.execute(query).scalars():
            result.setdefault((row.deck_id, row.slide_number), []).append(row.companion_number)
        return result

    def _item(self, row: Mapping[str, Any], reason: str, companion_of: int | None = None) -> AssemblyItem:
        approved = stored_date(row["approved_on"])
        expires = stored_date(row["expires_on"])
        status = derive_status(
            str(row["approval_code"]),
            approved,
            expires,
            bool(row["withdrawn"]),
            self.today,
            self.expiring_within_days,
        )
        return AssemblyItem(
            slide_id=int(row["id"]),
            deck_id=int(row["deck_id"]),
            deck_title=str(row["deck_title"]),
            version=int(row["version"]),
            number=int(row["number"]),
            title=str(row["title"]),
            approval_code=str(row["approval_code"]),
            approved_on=approved,
            expires_on=expires,
            status=status,
            store_path=str(self.store.path_for(str(row["sha256"]), str(row["file_ext"]))),
            companion_of=companion_of,
            override_reason=reason.strip(),
        )

    # ---- building: snapshot (database), build (files only), record (database) ----------------

    def snapshot(self, request: DeckRequest, plan: AssemblyPlan | None = None) -> DeckSnapshot:
        """Read what building the deck needs (on the database's lane): the checked plan. `plan`, when
        given, is one the caller made (and checked) already. Expired or withdrawn slides without a
        reason stop it with a ComplianceError that names them."""
        self.store.require_writable("build decks from it (it records each one it builds)")
        if plan is None:
            plan = self.plan(request.slide_ids, request.overrides)
        if not plan.items:
            raise InvalidInputError("Pick at least one slide to build a deck.")
        if plan.blocked:
            names = "; ".join(
                f"“{i.display_title}” ({i.deck_title}, {i.status.value})" for i in plan.blocked[:5]
            )
            raise ComplianceError(
                f"{plural(len(plan.blocked), 'slide')} {'comes' if len(plan.blocked) == 1 else 'come'} "
                f"from expired or withdrawn decks: {names}. "
                "Remove them, or give a reason to use them anyway (the reason is recorded)."
            )
        return DeckSnapshot(request, plan, self.work_dir)

    def record(self, snapshot: DeckSnapshot, result: AssemblyResult) -> None:
        """Record what went into a built deck (on the database's lane)."""
        plan = snapshot.plan
        with self.sessions.begin() as session:
            assembly = AssemblyRow(
                title=result.title[:500],
                output_path=storable_path(result.path),
                created_at=clock.utc_now(),
                slide_count=len(plan.items),
            )
            session.add(assembly)
            session.flush()
            session.add_all(
                AssemblyItemRow(
                    assembly_id=assembly.id,
                    position=position,
                    slide_id=item.slide_id,
                    deck_id=item.deck_id,
                    deck_title=item.deck_title[:500],
                    deck_version=item.version,
                    slide_number=item.number,
                    approval_code=item.approval_code,
                    expires_on=item.expires_on,
                    status=item.status.value,
                    override_reason=item.override_reason,
                )
                for position, item in enumerate(plan.items, start=1)
            )

    def compose(
        self,
        slide_ids: Sequence[int],
        out: Path,
        title: str = "",
        overrides: Mapping[int, str] | None = None,
        bill_of_materials_slide: bool = True,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
        leading: Sequence[GeneratedSlide] = (),
    ) -> AssemblyResult:
        """Write the deck (generated `leading` slides such as a cover or agenda first, then the
        library slides), its bill of materials CSV beside it, and record what went in: the three
        steps in one thread (the desktop app runs them on its lanes)."""
        request = DeckRequest(
            tuple(slide_ids), title, dict(overrides or {}), bill_of_materials_slide, tuple(leading)
        )
        snapshot = self.snapshot(request)
        result = build_deck(snapshot, out, progress, cancel)
        self.record(snapshot, result)
        return result

    # ---- companions ----------------------------------------------------------------------------

    def set_companions(self, deck_id: int, slide_number: int, companion_numbers: Sequence[int]) -> Changes:
        """Slides `companion_numbers` of the deck follow slide `slide_number` wherever it is used."""
        if slide_number in companion_numbers:
            raise InvalidInputError("A slide cannot be its own companion.")
        with self.sessions.begin() as session:
            session.execute(
                delete(CompanionRow).where(
                    CompanionRow.deck_id == deck_id, CompanionRow.slide_number == slide_number
                )
            )
            session.add_all(
                CompanionRow(deck_id=deck_id, slide_number=slide_number, companion_number=n)
                for n in dict.fromkeys(companion_numbers)
            )
        return Changes(metadata=True)

    def companions(self, deck_id: int) -> dict[int, list[int]]:
        with self.sessions() as session:
            return {
                number: followers
                for (_deck, number), followers in self._companion_rows(session, {deck_id}).items()
            }


def build_deck(
    snapshot: DeckSnapshot,
    out: Path,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> AssemblyResult:
    """Write the deck and its bill of materials CSV beside it (no database: the snapshot holds the
    plan). Both appear together or not at all."""
    out = Path(out)
    if out.suffix.lower() != ".pptx":
        raise InvalidInputError("The deck must be saved as a .pptx file.")
    request, plan = snapshot.request, snapshot.plan
    title = request.title.strip() or display_name(out.stem)  # a name's odd bytes are no title
    leading = request.leading
    sources = [
        SourceSlide(Path(i.store_path), i.number, f"{i.deck_title}, slide {i.number}") for i in plan.items
    ]
    _refuse_missing_store_files(plan)
    snapshot.work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=snapshot.work_dir) as tmp:
        # The deck takes its first slide's size: the template's when generated slides lead, else
        # the first library slide's deck's; the bill of materials is laid out for that size.
        size = None if leading else deck_slide_size(sources[0].package)
        if leading:
            sources[:0] = _generated_sources(leading, Path(tmp) / "briefing-slides.pptx", "Briefing slide")
        if request.bill_of_materials_slide:
            sources.extend(_bill_of_materials_slides(plan, Path(tmp), size))
        # The deck and its bill of materials are one output: the deck is written under a
        # hidden name beside `out` and only takes its name once the CSV is written too, so a
        # full disk (or a failed check) leaves both earlier files as they were and nothing new.
        pending = out.with_name(f"{temp_prefix(out.stem)}{secrets.token_hex(4)}.pending.pptx")
        try:
            result = compose_deck(sources, pending, title=title, progress=progress, cancel=cancel)
            from msldesk.decks.ooxml.validate import validate_package

            report = validate_package(pending)
            if not report.ok:
                raise MsldeskError(
                    "The new deck failed its package check and was not kept. Please report this.",
                    report.explain(),
                )
            bom = bill_of_materials_path(out)
            atomic_write_bytes(bom, _bom_csv(plan))
            os.replace(pending, out)
        except DiskFullError as exc:  # said of the deck the user named, not of its hidden draft
            raise disk_full_error(out, exc) from exc
        finally:
            # Asked first (unlinking on a read-only disk fails even when absent); a draft that cannot
            # be removed must not hide the reason the deck was not written.
            if os.path.lexists(pending):
                with contextlib.suppress(OSError):
                    pending.unlink()
    # The generated appendix is laid out for the deck's size: only the user's slides' sizes matter.
    warnings = [*plan.warnings, *(w for w in result.warnings if not w.startswith(BOM_LABEL))]
    return AssemblyResult(out, bom, result.slides, tuple(dict.fromkeys(warnings)), plan.items, title)


def _refuse_missing_store_files(plan: AssemblyPlan) -> None:
    """The library's own copies of the decks must be there: said in words before anything is written
    (a store file deleted or moved outside msldesk failed deep inside composing with a traceback)."""
    missing = dict.fromkeys(i.deck_title for i in plan.items if not Path(i.store_path).is_file())
    if missing:
        raise MsldeskError(
            f"The library's copy of {', '.join(f'“{t}”' for t in missing)} is missing from its deck store, "
            "so the deck was not built. Run `msldesk check` to see what is missing, then import the "
            "deck again or restore a backup.",
            details="\n".join(sorted({i.store_path for i in plan.items})),
        )


def bill_of_materials_path(deck: Path) -> Path:
    """The bill of materials CSV written beside a composed deck."""
    return deck.with_name(f"{deck.stem}-bill-of-materials.csv")


def _bill_of_materials_slides(
    plan: AssemblyPlan, folder: Path, slide_size: tuple[int, int] | None
) -> list[SourceSlide]:
    from msldesk.decks.slide_specs import TableSlide

    rows = tuple(
        (
            str(position),
            item.display_title,
            item.deck_title,
            f"v{item.version}",
            item.approval_code or "—",
            item.expires_on.isoformat() if item.expires_on else "—",
        )
        for position, item in enumerate(plan.items, start=1)
    )
    header = ("#", "Slide", "Source deck", "Version", "Approval code", "Expires")
    return _generated_sources(
        [TableSlide("Bill of materials", header, rows)],
        folder / "bill-of-materials.pptx",
        BOM_LABEL,
        slide_size,
    )


_SLIDE_SQL = (
    "SELECT s.id, s.deck_id, s.version_id, s.number, s.title, d.title AS deck_title, v.number AS version, "
    "v.sha256, v.file_ext, d.approval_code, d.approved_on, d.expires_on, d.withdrawn "
    "FROM slides s JOIN decks d ON d.id = s.deck_id JOIN deck_versions v ON v.id = s.version_id"
)


def erase_in_assembly_records(session: Session, erase: Callable[[str], str]) -> None:
    """Rewrite the free text of the decks built so far (their titles, the file names they were
    saved under, override reasons) and the names of saved collections through `erase`, in the
    caller's transaction: a person's erasure removes their name from these records too."""
    for assembly in session.scalars(select(AssemblyRow)):
        assembly.title = erase(assembly.title)
        assembly.output_path = erase(assembly.output_path)
    for item in session.scalars(select(AssemblyItemRow)):
        item.override_reason = erase(item.override_reason)
    names = set(session.scalars(select(CollectionRow.name)))
    for collection in session.scalars(select(CollectionRow).order_by(CollectionRow.id)):
        renamed = erase(collection.name)
        if renamed != collection.name:
            if renamed in names:  # names are unique: "[Erased person] slides" twice
                renamed = f"{renamed} ({collection.id})"
            names.discard(collection.name)
            names.add(renamed)
            collection.name = renamed


def _generated_sources(
    slides: Sequence[GeneratedSlide], path: Path, label: str, slide_size: tuple[int, int] | None = None
) -> list[SourceSlide]:
    """Build generated slides on the house template, laid out for `slide_size` (default: the
    template's); every slide of that deck (long tables and agendas continue on more slides) becomes
    a source slide."""
    from msldesk.decks.generated import build_generated_deck
    from msldesk.decks.ooxml.package import read_deck

    deck = build_generated_deck(slides, path, slide_size=slide_size)
    return [SourceSlide(deck, n, label) for n in range(1, len(read_deck(deck).slides) + 1)]


def _bom_csv(plan: AssemblyPlan) -> bytes:
    rows = [
        (
            position,
            item.slide_id,
            item.deck_title,
            item.deck_id,
            item.version,
            item.number,
            item.display_title,
            item.approval_code,
            item.approved_on.isoformat() if item.approved_on else "",
            item.expires_on.isoformat() if item.expires_on else "",
            item.status.value,
            item.override_reason,
        )
        for position, item in enumerate(plan.items, start=1)
    ]
    # Titles and override reasons are user text: tables makes a slide titled "=cmd|..." inert.
    return tables.csv_bytes(BOM_HEADER, rows)
