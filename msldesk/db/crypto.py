"""Encryption at rest: the library's key (keyring or passphrase, its key file) and SQLCipher
connections. Moving a plain library into an encrypted file is `encrypting`'s job."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets as random_source
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from msldesk.core.errors import InvalidInputError, LibraryDamagedError, MsldeskError
from msldesk.core.fileio import atomic_write_bytes
from msldesk.core.paths import LibraryPaths
from msldesk.core.secrets import KeyringUnavailableError, SecretStore
from msldesk.core.user_files import parse_json, read_small_file

PASSPHRASE_ENV = "MSLDESK_PASSPHRASE"
ENCRYPTION_ENV = "MSLDESK_ENCRYPTION"  # "off": new libraries stay plain SQLite (tests, benchmarks)
KEY_BYTES = 32
SALT_BYTES = 16  # SQLCipher's own salt size too: a backup keeps its KDF salt in the file's first bytes
MIN_PASSPHRASE = 8
PASSPHRASE_ATTEMPTS = 5
SQLITE_HEADER = b"SQLite format 3\x00"
# scrypt at OWASP's recommended cost (N=2^17, r=8, p=1): ~0.3 s and 128 MiB, once per opening.
SCRYPT = {"n": 2**17, "r": 8, "p": 1}
_SCRYPT_MAXMEM = 256 * 1024 * 1024
_KEYRING_NAME = "library-key-{id}"
_CHECK_LABEL = b"msldesk key check value 1"
CHECK_BYTES = 16
# HKDF-Expand's info for the audit chain's HMAC key (one block of SHA-256: info || 0x01).
AUDIT_KEY_LABEL = b"msldesk audit chain v1\x01"

State = Literal["missing", "plain", "encrypted"]


class LibraryLockedError(MsldeskError):
    """The library's key is not at hand: no keyring entry, no passphrase given, no usable keyring."""

    kind = "locked"


class WrongPassphraseError(LibraryLockedError):
    kind = "wrong-passphrase"


@dataclass(frozen=True)
class PassphraseRequest:
    """What a passphrase prompt should say. `new`: the user chooses one (ask twice, say it cannot be
    recovered); otherwise they type the one they chose. `retry`: the previous attempt was wrong."""

    library: Path
    new: bool
    retry: bool = False
    reason: str = ""  # why there is no keyring, for the prompt's small print


# Returns the passphrase, or None when the user cancels.
PassphraseProvider = Callable[[PassphraseRequest], str | None]


@dataclass(frozen=True)
class LibraryKey:
    """How this library is locked. `key` None: a plain SQLite library (encryption switched off)."""

    key: bytes | None = field(repr=False)
    source: Literal["keyring", "passphrase", "none"]
    passphrase: str | None = field(default=None, repr=False)  # kept to lock backups the same way

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    @property
    def audit_key(self) -> bytes:
        return derive_audit_key(self.key)


def derive_audit_key(library_key: bytes | None) -> bytes:
    """The audit chain's HMAC key: HKDF-Expand of the library key with a fixed label, so whoever can
    open the library can extend the chain and nobody else can recompute it. A plain library has no
    secret: its key is derived from nothing, and its chain is tamper-evident only against someone who
    does not know how msldesk computes it (see the README)."""
    return hmac.new(library_key or b"", AUDIT_KEY_LABEL, hashlib.sha256).digest()


def key_check_value(key: bytes) -> bytes:
    """A value derived from the key that tells a right key from a wrong one without the database, so a
    damaged database is never mistaken for a wrong passphrase. Reveals nothing usable about the key."""
    return hmac.new(key, _CHECK_LABEL, hashlib.sha256).digest()[:CHECK_BYTES]


@dataclass(frozen=True)
class KeyFile:
    """encryption.json beside the database: how to find the key, and a check value for it. Holds no
    secret. Written once: never replaced, except to add the check value an older file lacks."""

    library_id: str
    source: Literal["keyring", "passphrase"]
    salt: bytes = b""
    scrypt: dict[str, int] = field(default_factory=dict)
    check: bytes = b""  # key_check_value(key); empty in files written before it existed

    @classmethod
    def load(cls, path: Path) -> KeyFile | None:
        try:
            data = parse_json(read_small_file(path))
            return cls(
                str(data["library_id"]),
                data["source"],
                bytes.fromhex(data.get("salt", "")),
                {k: int(v) for k, v in data.get("scrypt", {}).items()},
                bytes.fromhex(data.get("key_check", "")),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise LibraryLockedError(
                "The library's key file (encryption.json) is damaged, so the library cannot be unlocked.",
                f"{path}: {exc}",
            ) from exc

    def _bytes(self) -> bytes:
        data: dict[str, Any] = {"format": 1, "library_id": self.library_id, "source": self.source}
        if self.source == "passphrase":
            data.update(kdf="scrypt", salt=self.salt.hex(), scrypt=self.scrypt)
        if self.check:
            data["key_check"] = self.check.hex()
        return json.dumps(data, indent=2).encode("utf-8")

    def create(self, path: Path) -> None:
        """Write a new key file; one already there is never replaced (its salt may be all that opens
        the library and its backups)."""
        try:
            atomic_write_bytes(Path(path), self._bytes(), replace=False)
        except FileExistsError as exc:
            raise LibraryLockedError(
                "This folder already has a key file (encryption.json) from another library, so msldesk "
                "will not make a new library here.",
                str(path),
            ) from exc

    def matches(self, key: bytes) -> bool | None:
        """True/False when the check value says whether `key` is this library's; None without one."""
        if not self.check:
            return None
        return hmac.compare_digest(self.check, key_check_value(key))

    def add_check(self, path: Path, key: bytes) -> KeyFile:
        """Give an older key file its check value: same id, salt and settings, replaced atomically, and
        only while the file on disk is still the one this was read from."""
        if self.check:
            return self
        updated = KeyFile(self.library_id, self.source, self.salt, dict(self.scrypt), key_check_value(key))
        if KeyFile.load(path) == self:
            atomic_write_bytes(Path(path), updated._bytes())
        return updated


# ---- SQLCipher ------------------------------------------------------------------------------------


def database_state(database: Path) -> State:
    """Plain SQLite files start with a fixed header; SQLCipher files are random from byte 0."""
    try:
        with open(database, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return "missing"
    if not head:
        return "missing"  # SQLite treats an empty file as a new database
    return "plain" if head == SQLITE_HEADER else "encrypted"


def key_pragma_value(key: bytes, salt: bytes = b"") -> str:
    """SQLCipher's raw-key syntax: used as is, no key derivation on every opening. With a salt the file
    takes that salt (stored in its first 16 bytes) instead of a random one."""
    return f"x'{key.hex()}{salt.hex()}'"


def read_only_uri(database: Path | str) -> str:
    """A URI that opens the database without writing anything, even in a folder nobody may write to.

    SQLite cannot read a WAL database read-only when it cannot create the -shm file beside it, unless
    it is told the file is immutable; that is safe when no -wal holds changes (a closed library). A
    library left with a -wal (its writer was killed) is opened mode=ro so those changes show."""
    wal = Path(f"{database}-wal")
    has_wal = wal.exists() and wal.stat().st_size > 0
    shm_possible = has_wal or os.access(Path(database).parent, os.W_OK)
    return f"{Path(database).resolve().as_uri()}?{'mode=ro' if shm_possible else 'immutable=1'}"


def connect(
    database: Path | str, key: bytes | None, salt: bytes = b"", *, read_only: bool = False, **kwargs: Any
) -> Any:
    """A sqlcipher3 DB-API connection, keyed (or plain with key None). Nothing is read yet, so a wrong
    key shows only at the first query: use check_key() to turn that into a clear error. `read_only`:
    a connection that never writes (a library in a read-only folder)."""
    import sqlcipher3.dbapi2 as sqlcipher

    kwargs.setdefault("check_same_thread", False)  # the engine's pool hands connections to any thread
    if read_only:
        database, kwargs["uri"] = read_only_uri(database), True
    connection = sqlcipher.connect(str(database), **kwargs)
    # SQLCipher logs a failed HMAC check to stderr; we report a wrong key ourselves.
    connection.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        connection.execute(f'PRAGMA key = "{key_pragma_value(key, salt)}"')
    # Sorts and indexes built in temp files would be plain text on disk: keep them in memory.
    connection.execute("PRAGMA temp_store = MEMORY")
    return connection


def opens_with(database: Path, key: bytes | None, salt: bytes = b"", read_only: bool = False) -> bool:
    """True when `key` opens the file (SQLCipher says "file is not a database" otherwise)."""
    import sqlcipher3.dbapi2 as sqlcipher

    connection = connect(database, key, salt, read_only=read_only)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher.DatabaseError as exc:
        if "not a database" in str(exc):
            return False
        raise
    finally:
        connection.close()


def derive_key(passphrase: str, salt: bytes, params: dict[str, int] | None = None) -> bytes:
    p = params or SCRYPT
    return hashlib.scrypt(
        passphrase.encode("utf-8"), salt=salt, n=p["n"], r=p["r"], p=p["p"], maxmem=_SCRYPT_MAXMEM,
        dklen=KEY_BYTES,
    )  # fmt: skip


def check_new_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInputError(f"A passphrase needs at least {MIN_PASSPHRASE} characters.")
    return passphrase


# ---- finding or making the key ----------------------------------------------------------------------


def encryption_wanted() -> bool:
    return os.environ.get(ENCRYPTION_ENV, "").strip().lower() not in {"off", "0", "no", "false"}


def unlock(
    paths: LibraryPaths,
    secrets: SecretStore,
    provider: PassphraseProvider | None = None,
    encrypt: bool = True,
    witness: Path | None = None,
    read_only: bool = False,
) -> LibraryKey:
    """The key for the library in `paths`, made on first run (or when a plain library is to be
    encrypted). Raises LibraryLockedError / WrongPassphraseError with a message for the user.
    `witness`: a backup locked with the library's own key or passphrase (an automatic one), asked
    when an older key file has no check value and the database does not open.
    `read_only`: the folder cannot be written, so the key is only checked, never made."""
    state = database_state(paths.database)
    keyfile = KeyFile.load(paths.key_file)
    if state == "encrypted":
        if keyfile is None:
            raise LibraryLockedError(
                "This library is encrypted, but its key file (encryption.json) is missing from the "
                "library folder, so msldesk cannot tell where its key is.",
                str(paths.key_file),
            )
        return _existing_key(
            paths, keyfile, secrets, provider, check=True, witness=witness, read_only=read_only
        )
    if not encrypt or read_only:
        return LibraryKey(None, "none")
    return key_without_database(paths, secrets, provider)


def key_without_database(
    paths: LibraryPaths, secrets: SecretStore, provider: PassphraseProvider | None = None
) -> LibraryKey:
    """The library's key when its database cannot tell (a plain library being encrypted, a restore
    into a missing or damaged one): the key file's key, checked by its check value, else a new key."""
    keyfile = KeyFile.load(paths.key_file)
    if keyfile is None:
        return _new_key(paths, secrets, provider)
    # A key was made before: use it again, never a new one, so backups locked with it still open.
    return _existing_key(paths, keyfile, secrets, provider, check=False)


def _key_is_right(
    keyfile: KeyFile,
    database: Path,
    key: bytes,
    check: bool,
    witness: Path | None = None,
    passphrase: str | None = None,
    read_only: bool = False,
) -> bool:
    """The check value decides; an older key file without one falls back on trying the database, and
    when that fails, on the witness backup: a key that opens it is right, so the database is damaged.
    `read_only`: both are opened without writing (a library in a read-only folder)."""
    verdict = keyfile.matches(key)
    if verdict is not None:
        return verdict
    if not check:
        return True  # nothing to check against (see key_without_database)
    import sqlcipher3.dbapi2 as sqlcipher

    try:
        if opens_with(database, key, read_only=read_only):
            return True
    except sqlcipher.DatabaseError as exc:
        # Not "not a database": the first page decrypted, so the key is right and the file is damaged.
        raise LibraryDamagedError("The library's database is damaged.", f"{database}: {exc}") from exc
    if witness is not None and _opens_backup(witness, key, passphrase, read_only):
        raise LibraryDamagedError(
            "The library's database is damaged.", f"{database} does not open; its key opens {witness}"
        )
    return False


def _opens_backup(backup: Path, key: bytes, passphrase: str | None, read_only: bool = False) -> bool:
    """True when an automatic backup opens with the library's passphrase (scrypt with the backup's own
    salt, its first bytes) or, lacking one, with the library's key."""
    import sqlcipher3.dbapi2 as sqlcipher

    try:
        if passphrase is None:
            return opens_with(backup, key, read_only=read_only)
        with open(backup, "rb") as handle:
            salt = handle.read(SALT_BYTES)
        return opens_with(backup, derive_key(passphrase, salt), salt, read_only)
    except (OSError, sqlcipher.DatabaseError):
        return False


def _existing_key(
    paths: LibraryPaths,
    keyfile: KeyFile,
    secrets: SecretStore,
    provider: PassphraseProvider | None,
    check: bool,
    witness: Path | None = None,
    read_only: bool = False,
) -> LibraryKey:
    """The key named by `keyfile`. With `check`, a key the check value (or, lacking one, the database)
    refuses is an error; a right key opens nothing here: a damaged database is told apart later.
    `read_only`: the key is checked against the database without writing, and an older key file is
    not given its check value (the folder cannot be written)."""
    database = paths.database
    proved = check and not read_only  # a key that opened the database may become the check value
    if keyfile.source == "keyring":
        try:
            stored = secrets.get(_KEYRING_NAME.format(id=keyfile.library_id))
        except KeyringUnavailableError as exc:
            raise LibraryLockedError(
                "This library's key is kept in the system keyring, which cannot be used now. "
                + exc.user_message,
                exc.details,
            ) from exc
        if not stored:
            raise LibraryLockedError(
                "This library's key is not in this computer's keyring, so the library cannot be "
                "opened here. Restore a backup made with a passphrase instead.",
                f"no keyring entry {_KEYRING_NAME.format(id=keyfile.library_id)!r} in {secrets.describe()}",
            )
        key = bytes.fromhex(stored)
        if not _key_is_right(keyfile, database, key, check, witness, read_only=read_only):
            raise LibraryLockedError(
                "The key in this computer's keyring does not open this library.", str(database)
            )
        return _with_check_value(paths, keyfile, LibraryKey(key, "keyring"), proved)

    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        key = derive_key(from_env, keyfile.salt, keyfile.scrypt)
        if not _key_is_right(keyfile, database, key, check, witness, from_env, read_only):
            raise WrongPassphraseError(
                f"The passphrase is wrong: it does not unlock this library (it came from {PASSPHRASE_ENV}).",
                str(database),
            )
        return _with_check_value(paths, keyfile, LibraryKey(key, "passphrase", from_env), proved)
    if provider is None:
        raise LibraryLockedError(
            f"This library is locked with a passphrase. Set {PASSPHRASE_ENV} to open it from the "
            "command line or a script.",
            str(database),
        )
    for attempt in range(PASSPHRASE_ATTEMPTS):
        given = provider(PassphraseRequest(paths.root, new=False, retry=attempt > 0))
        if given is None:
            raise LibraryLockedError("The library stays locked: no passphrase was given.")
        key = derive_key(given, keyfile.salt, keyfile.scrypt)
        if _key_is_right(keyfile, database, key, check, witness, given, read_only):
            return _with_check_value(paths, keyfile, LibraryKey(key, "passphrase", given), proved)
    raise WrongPassphraseError(
        f"The passphrase is wrong ({PASSPHRASE_ATTEMPTS} attempts): the library stays locked.", str(database)
    )


def _with_check_value(
    paths: LibraryPaths, keyfile: KeyFile, library_key: LibraryKey, proved: bool
) -> LibraryKey:
    """An older key file gets its check value once its key has opened the database (`proved`): an
    unchecked key (a typo, with no database to try it on) must never become the check value."""
    if proved and library_key.key is not None and not keyfile.check:
        keyfile.add_check(paths.key_file, library_key.key)
    return library_key


def _new_key(paths: LibraryPaths, secrets: SecretStore, provider: PassphraseProvider | None) -> LibraryKey:
    library_id = uuid.uuid4().hex
    key = random_source.token_bytes(KEY_BYTES)
    try:
        secrets.set(_KEYRING_NAME.format(id=library_id), key.hex())
    except KeyringUnavailableError as exc:
        # The prompt shows the plain sentence; the backend's class and priority go to the details.
        reason = exc.user_message
        details = f"{exc.user_message} ({exc.details})" if exc.details else exc.user_message
    else:
        KeyFile(library_id, "keyring", check=key_check_value(key)).create(paths.key_file)
        return LibraryKey(key, "keyring")

    passphrase = os.environ.get(PASSPHRASE_ENV)
    if not passphrase and provider is not None:
        passphrase = provider(PassphraseRequest(paths.root, new=True, reason=reason))
        if passphrase is None:
            raise LibraryLockedError("The library was not created: no passphrase was given.", details)
    if not passphrase:
        raise LibraryLockedError(
            "No system keyring is available to keep this library's key, so it needs a passphrase. "
            f"Set {PASSPHRASE_ENV} (at least {MIN_PASSPHRASE} characters) and try again.",
            details,
        )
    check_new_passphrase(passphrase)
    salt = random_source.token_bytes(SALT_BYTES)
    key = derive_key(passphrase, salt, SCRYPT)
    KeyFile(library_id, "passphrase", salt, dict(SCRYPT), key_check_value(key)).create(paths.key_file)
    return LibraryKey(key, "passphrase", passphrase)
