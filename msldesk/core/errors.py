"""Typed errors that carry a plain-language message for the user and details for the log."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path


def error_chain(error: BaseException) -> Iterator[BaseException]:
    """`error`, then what it wraps (SQLAlchemy's `.orig`) or was raised from or during, once each."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__


class MsldeskError(Exception):
    """Base error: `user_message` is shown to the user, `details` goes to logs and 'Copy details'."""

    kind = "error"

    def __init__(self, user_message: str, details: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.details = details

    def __str__(self) -> str:
        return self.user_message


class DeckImportError(MsldeskError):
    """A file could not be imported as a deck; `kind` says why in one word."""

    kind = "damaged"


class PasswordProtectedError(DeckImportError):
    kind = "password-protected"


class DamagedDeckError(DeckImportError):
    kind = "damaged"


class NotAPresentationError(DeckImportError):
    kind = "not-a-presentation"


class TooLargeError(DeckImportError):
    kind = "too-large"


class NotFoundError(MsldeskError):
    kind = "not-found"


class InvalidInputError(MsldeskError):
    kind = "invalid-input"


class DatabaseTooNewError(MsldeskError):
    kind = "database-too-new"


class DiskFullError(MsldeskError, OSError):
    """No room left on the disk (or in the quota) for a file; nothing partial was left behind.

    Also an OSError, so code that already handles failed writes keeps handling this one."""

    kind = "disk-full"

    def __init__(self, user_message: str, details: str = "") -> None:
        MsldeskError.__init__(self, user_message, details)
        self.errno = errno.ENOSPC


class NotWritableError(MsldeskError, OSError):
    """A folder msldesk may not write in (read-only disk, no permission); nothing was written there.
    Also an OSError with the original errno, like DiskFullError."""

    kind = "not-writable"

    def __init__(self, user_message: str, details: str = "", code: int = errno.EACCES) -> None:
        MsldeskError.__init__(self, user_message, details)
        self.errno = code


class OutputRefusedError(InvalidInputError):
    """A file the user named to write is refused before anything is written: a folder, a pipe, a
    link, a missing folder, a name no disk takes."""

    kind = "output-refused"


class OutputExistsError(OutputRefusedError):
    """The file the user named already exists and replacing it was not asked for."""

    kind = "exists"


class CancelledError(MsldeskError):
    kind = "cancelled"

    def __init__(self, user_message: str = "Cancelled.", details: str = "") -> None:
        super().__init__(user_message, details)


class DateMismatchError(MsldeskError):
    """A meeting report is from another day than the event it is being imported onto."""

    kind = "date-mismatch"


class FileRefusedError(MsldeskError):
    """A people/attendee file that cannot be imported at all; the message says why."""

    kind = "refused"


class NotARegularFileError(MsldeskError):
    """A path the user chose leads to a folder, device, FIFO, socket or link loop instead of a file."""

    kind = "not-a-file"


class LibraryUnavailableError(MsldeskError):
    """A library existed in this folder, but its database is missing, empty, unreadable or damaged.
    Never answered by making a new library: `newest_backup` is what to restore (None: no backup)."""

    kind = "library-unavailable"

    def __init__(
        self,
        user_message: str,
        details: str = "",
        *,
        library: Path | None = None,
        database: Path | None = None,
        newest_backup: Path | None = None,
    ) -> None:
        super().__init__(user_message, details)
        self.library = library
        self.database = database
        self.newest_backup = newest_backup


class LibraryNotOpenError(MsldeskError):
    """Asked for a service before the library finished opening (or after it closed)."""

    kind = "not-open"

    def __init__(self) -> None:
        super().__init__("The library is not open yet. Wait until its slides are shown, then try again.")


class LibraryMissingError(LibraryUnavailableError):
    kind = "library-missing"


class LibraryDamagedError(LibraryUnavailableError):
    """The key is right (or there is none) but the database cannot be read: restore a backup."""

    kind = "library-damaged"


class ReadOnlyLibraryError(MsldeskError):
    """The library folder (or its database) cannot be written: reading works, changing does not."""

    kind = "read-only"

    @classmethod
    def for_folder(cls, root: object, what: str = "change it", can_read: bool = True) -> ReadOnlyLibraryError:
        then = (
            "You can still look at decks, search, check the audit trail and make a backup to another "
            "disk; to change anything, make the folder writable again (or copy it to a disk you can "
            "write to)."
            if can_read
            else "Choose a folder you can write to, or make this one writable."
        )
        return cls(f"The library folder {root} is read-only, so msldesk cannot {what}. {then}", str(root))


class KeptRecordsError(InvalidInputError):
    """The delete would take records that must be kept (reported payments, finalized notes)."""

    kind = "kept"
