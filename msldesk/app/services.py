"""Composition root: builds the services for one library folder. No Qt here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from msldesk.core.config import Settings
from msldesk.core.paths import LibraryPaths, default_data_dir

if TYPE_CHECKING:
    from msldesk.core.secrets import SecretStore
    from msldesk.db.crypto import LibraryKey, PassphraseProvider


class App:
    """Everything a front end (GUI, CLI, tests) needs, built from a library folder."""

    def __init__(
        self,
        data_dir: Path | None = None,
        today: dt.date | None = None,
        *,
        passphrase_provider: PassphraseProvider | None = None,
        secrets: SecretStore | None = None,
        encryption: bool | None = None,
        check_pages: bool = True,
        library_key: LibraryKey | None = None,
    ) -> None:
        """`passphrase_provider` is asked for a passphrase when no keyring can keep the database key
        (see msldesk.db.crypto.PassphraseRequest); `encryption` False (or MSLDESK_ENCRYPTION=off)
        keeps a new library plain SQLite. `check_pages` False skips reading every page at the start:
        the caller runs check_pages() later (the desktop app, once the first slides are shown).
        `library_key`: the key light_reader.first_slides unlocked (the desktop's first slides), so it
        is not asked for or derived again."""
        # Heavy libraries load here and in the steps below, not at program start (the GUI builds App
        # in a worker).
        from msldesk.protect.upkeep import open_library

        self.paths = LibraryPaths(data_dir or default_data_dir())
        self.access = open_library(self.paths)  # read-only or not; private modes; the folders
        try:
            self._open(secrets, passphrase_provider, encryption, check_pages, library_key, today)
        except BaseException:
            self.access.close()  # the open-lock too: a refused start leaves no handle behind
            raise

    def _open(
        self,
        secrets: SecretStore | None,
        passphrase_provider: PassphraseProvider | None,
        encryption: bool | None,
        check_pages: bool,
        library_key: LibraryKey | None,
        today: dt.date | None,
    ) -> None:
        """Everything after the hold on the folder: settings, restore recovery, the key, the database
        and the services."""
        from msldesk.core.secrets import SecretStore
        from msldesk.db.engine import make_engine
        from msldesk.protect.backup_restore import recover_interrupted_restore
        from msldesk.protect.library_guard import damage_behind, open_library_key
        from msldesk.protect.upkeep import remove_leftovers

        read_only = self.access.read_only
        self.settings = Settings.load(self.paths.settings)
        self.first_run = not self.paths.database.exists()
        if not read_only:
            recover_interrupted_restore(self.paths)
            remove_leftovers(self.access)  # after the restore recovery: it decides about its own files
        self.secrets = secrets or SecretStore()
        was_plain = _is_plain_library(self.paths.database)
        # A missing or damaged database is an error naming the newest backup, never a new library.
        self.library_key = open_library_key(
            self.paths,
            self.secrets,
            passphrase_provider,
            encryption,
            read_only=read_only,
            check_pages=check_pages,
            unlocked=library_key,
        )
        self.engine = make_engine(self.paths.database, self.library_key.key, read_only=read_only)
        try:
            self._open_database(was_plain)
            self._build_deck_services(today)
            self._build_board_services(today)
            self._build_team_service()
        except Exception as exc:
            # Without the full page check at the start (check_pages False), damage the start meets
            # is still told as a damaged library naming the newest backup, never as an SQL error.
            damaged = damage_behind(self.paths, exc)
            self.engine.dispose()
            if damaged is None:
                raise
            raise damaged from exc

    def _open_database(self, was_plain: bool) -> None:
        """Sessions, the audit trail and backups; then the schema brought up to date (a read-only
        library must already be), the audit chain re-keyed after that upgrade, orphans removed."""
        from msldesk.db.engine import make_session_factory
        from msldesk.db.migrate import refuse_upgrade_read_only, upgrade
        from msldesk.protect.audit import AuditService
        from msldesk.protect.backup import BackupService
        from msldesk.protect.upkeep import remove_orphans

        read_only = self.access.read_only
        self.sessions = make_session_factory(self.engine)
        self.audit = AuditService(self.sessions, self.paths.audit_anchor, self.library_key.audit_key)
        self.backups = BackupService(
            self.paths, self.engine, self.library_key, self.audit, read_only=read_only
        )
        if read_only:
            refuse_upgrade_read_only(self.engine, self.paths.root)
        else:
            revision_before = upgrade(self.engine, before_upgrade=self.backups.before_upgrade)
            self.audit.key_chain_after_upgrade(revision_before, was_plain and self.library_key.encrypted)
            remove_orphans(self.access, self.engine)

    def _build_deck_services(self, today: dt.date | None) -> None:
        """The deck library (thumbnails, store, import and search) and deck assembly, from the settings."""
        from msldesk.decks.assembly import AssemblyService
        from msldesk.decks.ooxml.opc import PackageLimits
        from msldesk.decks.service import DeckService
        from msldesk.decks.soffice import find_soffice
        from msldesk.decks.store import DeckStore
        from msldesk.decks.thumbnails import SlideRenderer, ThumbnailCache

        settings = self.settings
        cache = ThumbnailCache(self.paths.previews, self.paths.thumbnails)
        renderer = SlideRenderer(
            find_soffice(settings.soffice_path),
            cache,
            self.paths.cache,
            width=settings.thumbnail_width,
            timeout_seconds=settings.render_timeout_seconds,
            batch_size=settings.render_batch_size,
            processes=settings.render_processes,
            max_slides=settings.render_max_slides,
            memory_limit_bytes=max(0, settings.render_memory_limit_mb) * 1024**2,
            exact=settings.exact_thumbnails is True,
        )
        store = DeckStore(self.paths.store, read_only=self.access.read_only)
        self.decks = DeckService(
            self.sessions,
            store,
            cache,
            renderer,
            expiring_within_days=settings.expiring_within_days,
            today=today,
            package_limits=PackageLimits(max_slides=max(1, settings.import_max_slides)),
        )
        self.assembly = AssemblyService(
            self.sessions,
            store,
            self.paths.cache,
            expiring_within_days=settings.expiring_within_days,
            today=today,
        )

    def _build_board_services(self, today: dt.date | None) -> None:
        """People, events, meetings, their exports and privacy requests; then the erasures made again
        (see below)."""
        from msldesk.boards.erasures import ErasureLedger
        from msldesk.boards.events.agenda_links import AgendaSlideLinks
        from msldesk.boards.events.service import EventService
        from msldesk.boards.intake.service import PeopleImporter
        from msldesk.boards.meeting.service import MeetingService
        from msldesk.boards.outputs.service import OutputService
        from msldesk.boards.people.service import PeopleService
        from msldesk.boards.privacy.service import PrivacyService

        self.people = PeopleService(self.sessions)
        self.events = EventService(self.sessions, self.paths.rate_card, today=today)
        # Removing a deck or deleting a saved collection asks the agendas first and leaves a note on
        # the items that lose slides: one registry for both services.
        self.decks.slide_links.append(AgendaSlideLinks())
        self.assembly.slide_links = self.decks.slide_links
        self.people_import = PeopleImporter(self.sessions, self.people, self.events)
        self.meetings = MeetingService(self.sessions, self.events, self.paths.restricted_terms)
        self.outputs = OutputService(self.events, self.meetings, self.assembly, self.audit)
        self.privacy = PrivacyService(
            self.sessions, self.people, self.events, self.audit,
            ErasureLedger(self.paths.erasures, self.library_key.key),
        )  # fmt: skip
        # A backup made before an erasure must not bring the erased person back: erasures are made
        # again after a restore, and at start too (a restore cut short by a power cut, a database
        # file put back by hand). Nothing to do costs one small file read.
        self.backups.after_restore = self.privacy.reapply_erasures
        # Making them again writes: a read-only library is shown as it is (its restore is refused too).
        self.erasures_reapplied = 0 if self.access.read_only else self.privacy.reapply_erasures(False)

    def _build_team_service(self) -> None:
        """The library's team state (the hub it is connected to, what waits to be pushed)."""
        from msldesk.team.service import TeamService

        self.team = TeamService(self.sessions, self.secrets, encrypted=self.library_key.encrypted)

    def seed_demo_content(self) -> int:
        """On first run, fill an empty library with generated demo decks, people and events.
        Returns decks added."""
        from msldesk.boards.demo import seed_demo_boards, seed_demo_notes
        from msldesk.decks.demo import seed_demo_library

        added = seed_demo_library(self.decks, self.paths.cache)
        slide_ids = [s.slide_id for d in self.decks.list_decks() for s in self.decks.list_slides(d.deck_id)]
        if seed_demo_boards(self.people, self.events, slide_ids[:4]):
            seed_demo_notes(self.meetings, self.events)
        return added

    @property
    def read_only(self) -> bool:
        return self.access.read_only

    def check_pages(self) -> None:
        """Read every page of the database once; raises LibraryDamagedError (naming the newest backup)
        when one cannot be read. About a second per 100 MB."""
        from msldesk.protect.library_guard import check_database

        check_database(self.paths, self.library_key.key, self.read_only)

    def close(self) -> None:
        self.decks.renderer.close()  # LibreOffice is kept running between renders until here
        self.team.close()  # and the desktop's hub connection between its syncs
        self.engine.dispose()
        self.access.close()


def _is_plain_library(database: Path) -> bool:
    """Whether the database is plain SQLite before it is opened (it is encrypted in place then, and the
    audit chain re-keyed). Only a regular file is read: open_library_key says what is wrong otherwise."""
    from msldesk.db.crypto import database_state

    try:
        return database.is_file() and database_state(database) == "plain"
    except OSError:
        return False
