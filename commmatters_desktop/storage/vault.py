"""The vault: a folder holding one encrypted database and the recovery copy of its key.

Layout of a vault folder::

    vault.json        vault id, format, and the database key wrapped by the recovery passphrase
    commmatters.db    the SQLCipher database (plus -wal and -shm while open; both encrypted)
    backups/          encrypted copies: one a day on opening (the newest seven kept), one before every
                      migration, and a copy of vault.json
    .lock             held while an app instance has the vault open

Opening asks the key store (the OS keyring) for the key silently and falls back to the recovery
passphrase when the keyring is missing, locked, or has lost the entry; a key recovered that way
is put back in the keyring when it works again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import getpass
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from commmatters_desktop import APP_NAME, __version__
from commmatters_desktop.core import changes, privacy
from commmatters_desktop.core.clock import Clock, SystemClock
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.hlc import HybridClock
from commmatters_desktop.core.models import VaultMeta
from commmatters_desktop.storage import integrity, migrate
from commmatters_desktop.storage.engine import NotADatabase, connect_raw, create_vault_engine
from commmatters_desktop.storage.keystore import (
    KEY_BYTES,
    KeyStore,
    RecoveryCopy,
    WrongPassphrase,
    check_new_passphrase,
    dumps,
    key_check_value,
)
from commmatters_desktop.storage.lock import FolderLock

VAULT_FILE = "vault.json"
DB_FILE = "commmatters.db"
BACKUP_FOLDER = "backups"
LOCK_FILE = ".lock"
FORMAT = 1
DEMO_META_KEY = "demo_built_on"
#: When a crash left the database without its -wal file (so its last commits were lost): sync takes
#: back what the shared folder holds and reports it, and ``check`` says so until then.
WAL_LOST_META = "wal_lost"
AUTO_BACKUP_PREFIX = "auto-"
AUTO_BACKUP_EVERY = dt.timedelta(days=1)
AUTO_BACKUP_REFRESH = dt.timedelta(hours=1)
KEEP_AUTO_BACKUPS = 7


class NotAVault(UserError):
    pass


class PassphraseNeeded(UserError):
    """The key store could not supply the key; ``reason`` says why, for the unlock prompt."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The recovery passphrase is needed to open this vault because {reason}. "
            "Type it when asked, or set COMMMATTERS_PASSPHRASE (or --passphrase-file) for headless use."
        )
        self.reason = reason


class DiskFull(UserError):
    def __init__(self) -> None:
        super().__init__(
            "The disk is full, so that change was not saved (nothing already saved was lost). "
            "Free some space and try again."
        )


#: Pages of write-ahead log (4 KiB each) between copies into the file while :meth:`Vault.building`.
BUILD_CHECKPOINT_PAGES = 65536


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    return "disk is full" in str(exc).lower()


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some service accounts
        return "unknown user"


@dataclass(frozen=True)
class VaultInfo:
    """What ``vault.json`` says about a vault."""

    vault_id: str
    demo: bool
    recovery: RecoveryCopy
    created: str
    key_check: str

    @classmethod
    def read(cls, folder: Path) -> VaultInfo:
        path = folder / VAULT_FILE
        if not folder.is_dir():
            raise NotAVault(
                f"There is no vault in {folder}: the folder does not exist. Run 'init' to create one."
            )
        if not path.is_file():
            if (folder / DB_FILE).exists():
                raise NotAVault(
                    f"The vault in {folder} has lost {VAULT_FILE} (the recovery copy of its key), so it cannot "
                    f"be opened; nothing was changed. {_vault_file_advice(folder)} Do not run 'init' there."
                )
            raise NotAVault(
                f"{folder} is not a Community Matters vault (it has no {VAULT_FILE}). "
                "Check --data-dir, or run 'init' to create a vault there."
            )
        return cls.read_file(path, folder)

    @classmethod
    def read_file(cls, path: Path, folder: Path) -> VaultInfo:
        """``path`` is vault.json or its copy; ``folder`` is the vault it belongs to (for advice)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("app") != APP_NAME:
                raise ValueError("not ours")
            if "checksum" in data and data["checksum"] != _checksum(data):
                raise ValueError("its checksum does not match")
            if int(data["format"]) > FORMAT:
                raise NotAVault(
                    f"The vault in {folder} was made by a newer version of Community Matters Desktop. "
                    "Install the newer version to open it."
                )
            return cls(
                vault_id=str(uuid.UUID(data["vault_id"])),
                demo=bool(data.get("demo", False)),
                recovery=RecoveryCopy.from_json(data["recovery"]),
                created=str(data.get("created", "")),
                key_check=str(data["key_check"]),
            )
        except NotAVault:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise NotAVault(
                f"{path} is damaged or is not a Community Matters vault file ({exc}). The database was not "
                f"touched. {_vault_file_advice(folder)}"
            ) from None

    def write(self, folder: Path) -> None:
        data = {
            "app": APP_NAME,
            "format": FORMAT,
            "vault_id": self.vault_id,
            "demo": self.demo,
            "created": self.created,
            "key_check": self.key_check,
            "recovery": self.recovery.to_json(),
        }
        data["checksum"] = _checksum(data)  # damage that is still valid JSON is told from a wrong passphrase
        atomic_write(folder / VAULT_FILE, dumps(data).encode())
        # A second copy, so a deleted or damaged vault.json is put back by 'restore', never lost.
        (folder / BACKUP_FOLDER).mkdir(exist_ok=True)
        atomic_write(folder / BACKUP_FOLDER / VAULT_FILE, dumps(data).encode())


def _checksum(data: dict[str, Any]) -> str:
    body = {k: v for k, v in data.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]


def _vault_file_advice(folder: Path) -> str:
    copy = folder / BACKUP_FOLDER / VAULT_FILE
    if copy.is_file():
        return f"Run '{APP_NAME} restore' to put back the copy kept in {copy.parent}."
    return f"Put back {VAULT_FILE} from a backup (each backup has a .vault.json file beside it)."


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary name, flush to disk, then rename: a crash leaves the old file or the new."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        if _is_disk_full(exc):
            raise DiskFull() from None
        raise


class Vault:
    """An open vault. Use :meth:`create` or :meth:`open`; close it (or use ``with``) when done."""

    def __init__(
        self,
        folder: Path,
        info: VaultInfo,
        key: bytes,
        *,
        clock: Clock,
        key_source: str,
        lock: FolderLock,
        full_check_limit: int | None = None,
    ) -> None:
        self.folder = folder
        self.info = info
        self.clock = clock
        #: "keyring" or "passphrase": how this session got the key (shown in the status bar).
        self.key_source = key_source
        self._key = key
        self._lock = lock
        self.last_backup: Path | None = None
        #: Why today's automatic backup could not be taken ("" when it was, or was not due).
        self.backup_problem = ""
        #: Something was committed since opening (closing then refreshes today's backup).
        self._changed = False
        #: The full page checks running in the background (a large vault), or None (checked on opening).
        self.background_check: integrity.BackgroundCheck | None = None
        #: Checks asked for while open (:meth:`check_in_background`): closing cancels those still running.
        self._checks_asked: list[integrity.BackgroundCheck] = []
        self._damage_listeners: list[Callable[[str], None]] = []
        self._damage_lock = threading.Lock()
        wal_lost = _wal_lost(self.db_path)
        limit = integrity.FULL_CHECK_AT_OPEN_BYTES if full_check_limit is None else full_check_limit
        #: Every page was checked on opening (small vaults); otherwise the full checks run in the background.
        self.checked_at_open = not self.db_path.exists() or self.db_path.stat().st_size <= limit
        try:
            # Before anything is written, a damaged or truncated file is refused here with advice, not
            # discovered later by a random query: every page's HMAC and b-tree for a small vault; for a
            # large one the checks whose cost does not grow with it, the full ones in the background.
            if self.checked_at_open:
                problems = self._check_pages()
            else:
                problems = integrity.bounded_check(self.db_path, key)
            if problems:
                raise _damaged(folder, problems[0])
            self.engine: Engine = create_vault_engine(self.db_path, key)
            self.last_backup = migrate.upgrade(self.engine, backup=self._migration_backup)
            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
            changes.install(self._sessions)
            self.device_id = self._device_id()
            with self._sessions() as session:
                self._hlc = HybridClock(clock, self.device_id, changes.last_stamp(session, self.device_id))
            if wal_lost:
                self.set_meta(WAL_LOST_META, clock.now().strftime("%d %b %Y %H:%M"))
            if not self.checked_at_open:
                self.background_check = integrity.BackgroundCheck(self.db_path, key, self._checked).start()
            elif not info.demo:
                self._automatic_backup()
        except (DatabaseError, NotADatabase, sqlcipher3.DatabaseError) as exc:
            self.close()
            raise _damaged(folder, exc) from None
        except BaseException:
            self.close()
            raise

    # --- creating and opening ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        folder: Path,
        *,
        passphrase: str,
        keystore: KeyStore,
        clock: Clock | None = None,
        demo: bool = False,
    ) -> Vault:
        """A new, empty vault in ``folder`` (which may exist but must not hold a vault)."""
        check_new_passphrase(passphrase)
        folder = folder.expanduser().resolve()
        if (folder / VAULT_FILE).exists() or (folder / DB_FILE).exists():
            raise UserError(f"There is already a vault in {folder}; nothing was changed.")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o700)  # only this user may even list the vault's files
        except OSError as exc:
            raise UserError(f"Cannot create the vault folder {folder}: {exc.strerror}.") from None
        lock = _lock(folder)
        vault_id = str(uuid.uuid4())
        key = secrets.token_bytes(KEY_BYTES)
        info = VaultInfo(
            vault_id=vault_id,
            demo=demo,
            recovery=RecoveryCopy.wrap(key, passphrase, vault_id),
            created=(clock or SystemClock()).now().isoformat(timespec="seconds"),
            key_check=key_check_value(key),
        )
        info.write(folder)  # the recovery copy exists before the first byte of data does
        saved = keystore.save(vault_id, key)
        return cls(
            folder,
            info,
            key,
            clock=clock or SystemClock(),
            key_source="keyring" if saved else "passphrase",
            lock=lock,
        )

    @classmethod
    def open(
        cls,
        folder: Path,
        *,
        keystore: KeyStore,
        passphrase: str | None = None,
        clock: Clock | None = None,
        full_check_limit: int | None = None,
    ) -> Vault:
        """Open with the keyring's key, or the recovery passphrase when the keyring cannot help.

        Raises :class:`PassphraseNeeded` when neither is available, so a caller can ask and retry.
        ``full_check_limit``: the size up to which every page is checked on opening (larger vaults are
        checked in the background); by default :data:`integrity.FULL_CHECK_AT_OPEN_BYTES`.
        """
        folder = folder.expanduser().resolve()
        info = VaultInfo.read(folder)
        db_path = folder / DB_FILE
        if not db_path.is_file() or db_path.stat().st_size == 0:
            # Never start an empty database here: it would pass for a healthy vault with nothing in it.
            state = "lost its database file" if not db_path.is_file() else "an empty (0-byte) database file"
            raise NotAVault(
                f"The vault in {folder} has {state} ({DB_FILE}); nothing was changed. {_restore_advice(folder)}"
            )
        lock = _lock(folder)
        try:
            key, source = cls._find_key(info, keystore, passphrase)
            return cls(
                folder,
                info,
                key,
                clock=clock or SystemClock(),
                key_source=source,
                lock=lock,
                full_check_limit=full_check_limit,
            )
        except BaseException:
            lock.release()
            raise

    @staticmethod
    def _find_key(info: VaultInfo, keystore: KeyStore, passphrase: str | None) -> tuple[bytes, str]:
        """The key, checked against the vault's key check value, so a damaged file is never mistaken
        for a wrong key (the integrity check at open then reports the damage)."""
        stored = keystore.load(info.vault_id)
        if stored is not None and hmac.compare_digest(key_check_value(stored), info.key_check):
            return stored, "keyring"
        reason = keystore.problem or "the key in the system keyring does not open this vault"
        if passphrase is None:
            raise PassphraseNeeded(reason)
        key = info.recovery.unwrap(passphrase, info.vault_id)  # WrongPassphrase if it does not
        keystore.save(info.vault_id, key)  # heal the keyring for next time, if it works now
        return key, "passphrase"

    # --- using it ------------------------------------------------------------------------------------------

    @property
    def db_path(self) -> Path:
        return self.folder / DB_FILE

    @functools.cached_property
    def audit_key(self) -> bytes:
        """The audit chain's key, derived from the vault key (so only this vault's holder can seal)."""
        from commmatters_desktop.core.audit import derive_key

        return derive_key(self._key)

    @property
    def is_demo(self) -> bool:
        return self.info.demo

    @contextlib.contextmanager
    def unit_of_work(self, actor: str | None = None) -> Iterator[Session]:
        """One transaction for one user event: commits when the block ends, rolls back on error."""
        session = changes.bind(
            self._sessions(),
            changes.UnitContext(
                actor=actor or default_actor(), clock=self.clock, hlc=self._hlc, audit_key=self.audit_key
            ),
        )
        saved_clock = self._hlc.last
        try:
            with session.begin():
                yield session
            self._changed = True
        except (OperationalError, OSError) as exc:
            self._hlc.last = saved_clock
            if _is_disk_full(exc):
                raise DiskFull() from None
            raise
        except BaseException:
            self._hlc.last = saved_clock
            raise
        finally:
            session.close()

    @contextlib.contextmanager
    def building(self, cache_mib: int = 1024) -> Iterator[None]:
        """Many bulk units one after another (the force-scale generator): settings for
        throughput while the block runs, back to the usual ones when it ends. Nothing about what is
        written changes (every row, field clock and sealed audit event is the same).

        - The connection keeps a page cache of up to ``cache_mib`` across units, where each bulk unit
          alone gives its cache back when it ends: with SQLCipher every page the cache lacks is read
          and decrypted again, and a build writes into the same indexes unit after unit. The cache
          grows only as pages are used.
        - The write-ahead log is copied into the file every 256 MiB instead of every 4 MiB (SQLite's
          default), so an index page written by unit after unit is copied once, not every few units.
        - Commits do not wait for the disk (``synchronous = NORMAL``; with a write-ahead log the vault
          stays consistent, and only the last units can be lost if the machine loses power, which
          for a generator means building again). The usual ``FULL`` returns when the block ends.
        """
        building = {
            "cache_size": -cache_mib * 1024,
            "synchronous": 1,
            "wal_autocheckpoint": BUILD_CHECKPOINT_PAGES,
        }
        usual = self._pragmas({name: None for name in building})

        def on_checkout(connection: Any, _record: Any, _proxy: Any) -> None:
            for name, value in building.items():
                connection.execute(f"PRAGMA {name} = {value}")

        event.listen(self.engine, "checkout", on_checkout)
        try:
            yield
        finally:
            event.remove(self.engine, "checkout", on_checkout)
            self._pragmas(usual)

    def _pragmas(self, values: dict[str, int | None]) -> dict[str, int | None]:
        """Set (or, given None, read) settings of the pooled connection, outside any transaction."""
        connection = self.engine.raw_connection()
        try:
            driver: Any = connection.driver_connection
            found: dict[str, int | None] = {}
            for name, value in values.items():
                if value is None:
                    found[name] = int(driver.execute(f"PRAGMA {name}").fetchone()[0])
                else:
                    driver.execute(f"PRAGMA {name} = {int(value)}")
            return found
        finally:
            connection.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for queries only: closed (and so rolled back) at the end without expiring what it
        loaded, so the records it returned stay readable, detached, for display."""
        session = changes.bind(
            self._sessions(),
            changes.UnitContext(
                actor=default_actor(), clock=self.clock, hlc=self._hlc, audit_key=self.audit_key
            ),
        )
        try:
            yield session
        finally:
            session.close()

    def verify_passphrase(self, passphrase: str) -> bool:
        """Is this the vault's recovery passphrase? (Unlocking after auto-lock asks for it.)"""
        try:
            key = self.info.recovery.unwrap(passphrase, self.info.vault_id)
        except WrongPassphrase:
            return False
        return hmac.compare_digest(key, self._key)

    def meta(self, key: str) -> str | None:
        with self.reading() as session:
            row = session.get(VaultMeta, key)
            return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.unit_of_work() as session:
            session.merge(VaultMeta(key=key, value=value))

    def _device_id(self) -> str:
        """This laptop's id in change stamps: made once, when the vault is first opened here."""
        with self._sessions.begin() as session:
            existing = session.get(VaultMeta, changes.DEVICE_META_KEY)
            if existing is not None:
                return existing.value
            device = uuid.uuid4().hex[:12]
            session.add(VaultMeta(key=changes.DEVICE_META_KEY, value=device))
            return device

    def renew_device_id(self) -> str:
        """Continue as a new device (after a restore, or leaving a team): this vault's next files go in a
        folder of their own, so they never collide with files an older copy of it wrote."""
        device = uuid.uuid4().hex[:12]
        self.set_meta(changes.DEVICE_META_KEY, device)
        self.device_id = device
        self._hlc.device = device
        self._hlc.last = type(self._hlc.last)(self._hlc.last.wall_ms, self._hlc.last.counter, device)
        return device

    def warnings(self) -> list[str]:
        """Things ``check`` must report that the page checks cannot see."""
        lost = self.meta(WAL_LOST_META)
        if lost is None:
            return []
        return [
            f"the changes saved just before a crash (found on {lost}) were lost: the database's -wal file was "
            "deleted. Sync now to take back what the shared folder still holds"
        ]

    def _automatic_backup(self, every: dt.timedelta = AUTO_BACKUP_EVERY) -> None:
        """One encrypted copy a day, taken just after an integrity check passed: on opening, and on
        closing after changes (at most hourly, replacing that day's earlier copy). The newest days kept."""
        folder = self.folder / BACKUP_FOLDER
        now = self.clock.now()
        if not self._backup_due(every):
            return
        try:
            folder.mkdir(exist_ok=True)
            self.last_backup = self.backup(folder / f"{AUTO_BACKUP_PREFIX}{now:%Y%m%d-%H%M%S}.db")
        except (UserError, OSError) as exc:
            self.backup_problem = getattr(exc, "message", str(exc))
            return
        kept = _auto_backups(folder)
        same_day = [
            p
            for p in kept[:-1]
            if p.name[: len(AUTO_BACKUP_PREFIX) + 8] == kept[-1].name[: len(AUTO_BACKUP_PREFIX) + 8]
        ]
        for old in same_day + [p for p in kept if p not in same_day][:-KEEP_AUTO_BACKUPS]:
            old.unlink(missing_ok=True)
            old.with_name(old.name + ".vault.json").unlink(missing_ok=True)

    def _backup_due(self, every: dt.timedelta) -> bool:
        newest = max(_auto_backups(self.folder / BACKUP_FOLDER), default=None)
        if newest is None:
            return True
        taken = dt.datetime.strptime(newest.stem[len(AUTO_BACKUP_PREFIX) :], "%Y%m%d-%H%M%S")
        return self.clock.now().replace(tzinfo=None) - taken >= every

    def check(self) -> list[str]:
        """SQLCipher's page-by-page HMAC check, SQLite's own, and the audit trail's hash chain; an empty
        list means healthy."""
        running = self.background_check
        waited = running.wait() if running is not None and not running.finished.is_set() else None
        problems = list(waited) if waited is not None else self._check_pages()  # the ones running, or anew
        return problems or self._check_audit()

    def check_in_background(self, on_done: Callable[[list[str]], None]) -> integrity.BackgroundCheck:
        """:meth:`check` on a thread of its own (seconds to minutes on a force's vault), so the window
        stays usable; ``on_done`` gets the problems on that thread. Closing the vault cancels it."""
        check = integrity.BackgroundCheck(self.db_path, self._key, on_done, then=self._check_audit)
        self._checks_asked.append(check)
        return check.start()

    def _check_audit(self) -> list[str]:
        from commmatters_desktop.core import audit

        # A raw read-only connection: a check may run while a session is open, or on another thread.
        connection = connect_raw(self.db_path, self._key, read_only=True)
        try:
            head = connection.execute(
                "SELECT value FROM vault_meta WHERE key = ?", (audit.HEAD_META_KEY,)
            ).fetchone()
            columns = ", ".join(audit.COLUMNS)
            # Read as the check goes, not held whole: a force's trail is 900,000 events (hundreds of MiB).
            rows = connection.execute(f"SELECT {columns} FROM audit_event ORDER BY id")
            found = audit.verify_rows(rows, head[0] if head else None, self.audit_key)
        finally:
            connection.close()
        return [f"audit trail: {p.message}" for p in found]

    def _check_pages(self) -> list[str]:
        """The checks that need no schema: run when opening (small vaults), before any migration."""
        return integrity.full_check(self.db_path, self._key)

    def watch_integrity(self, listener: Callable[[str], None]) -> None:
        """``listener`` gets one sentence (what was found, what to do) if the background check finds
        damage; called on the check's thread, or at once if it already has. The window shows it as a
        modal warning, the command line prints it."""
        with self._damage_lock:
            found = self.background_check.problems if self.background_check is not None else None
            if not found:
                self._damage_listeners.append(listener)
                return
        listener(damage_found_later(self.folder, found[0]))

    def _checked(self, problems: list[str]) -> None:
        if not problems:
            return
        with self._damage_lock:
            listeners = list(self._damage_listeners)
        for listener in listeners:
            listener(damage_found_later(self.folder, problems[0]))

    def backup(self, target: Path) -> Path:
        """An encrypted copy (same key) plus its recovery file, so it can be restored anywhere."""
        target = target.expanduser().resolve()
        if target.is_dir():
            stamp = self.clock.now().strftime("%Y%m%d-%H%M%S")
            target = target / f"commmatters-backup-{stamp}.db"
        if target.exists():
            raise UserError(f"{target} already exists; choose a new name so no backup is overwritten.")
        if target.parent == self.folder:
            raise UserError("Put backups outside the vault folder (or use its backups/ folder).")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"Cannot create {target.parent}: {exc.strerror}.") from None
        temporary = target.with_name(f".{target.name}.partial")
        temporary.unlink(missing_ok=True)
        try:
            connection = connect_raw(self.db_path, self._key)
            try:
                # VACUUM INTO keeps SQLCipher's encryption and key: the copy is never plain text.
                connection.execute("VACUUM INTO ?", (str(temporary),))
            finally:
                connection.close()
            if not _key_opens(temporary, self._key):
                raise UserError(f"The backup at {target} could not be verified; try again.")
            os.replace(temporary, target)
            atomic_write(
                target.with_name(target.name + ".vault.json"), (self.folder / VAULT_FILE).read_bytes()
            )
        except sqlcipher3.DatabaseError as exc:
            temporary.unlink(missing_ok=True)
            if _is_disk_full(exc):
                raise DiskFull() from None
            raise UserError(f"The backup failed: {exc}. The vault itself is unchanged.") from None
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            if _is_disk_full(exc):
                raise DiskFull() from None
            raise UserError(f"The backup failed: {exc.strerror}. The vault itself is unchanged.") from None
        return target

    def _migration_backup(self, revision: str) -> Path:
        folder = self.folder / BACKUP_FOLDER
        folder.mkdir(exist_ok=True)
        stamp = self.clock.now().strftime("%Y%m%d-%H%M%S")
        return self.backup(folder / f"before-upgrade-from-{revision}-{stamp}.db")

    def close(self) -> None:
        background = self.__dict__.get("background_check")
        for running in [background, *self.__dict__.get("_checks_asked", [])]:
            if running is not None:
                running.cancel()  # interrupted if still running: it reports nothing
        if "engine" in self.__dict__ and not self.info.demo:
            # The day's work goes into the day's backup too, if the vault is still healthy. A large
            # vault's backup waits for its background check to pass (then daily, or hourly after changes).
            with contextlib.suppress(Exception):
                # The full check only when a backup is due: on a vault that grew large in this session
                # (a generator's build, a big import) it reads every page, minutes for a force's.
                due = self.checked_at_open and self._changed and self._backup_due(AUTO_BACKUP_REFRESH)
                if due and not self.check():
                    self._automatic_backup(every=AUTO_BACKUP_REFRESH)
                elif background is not None and background.problems == []:
                    self._automatic_backup(every=AUTO_BACKUP_REFRESH if self._changed else AUTO_BACKUP_EVERY)
        engine: Engine | None = self.__dict__.pop("engine", None)  # a closed vault has no engine
        if engine is not None:
            privacy.forget_built(engine)
            with contextlib.suppress(Exception):
                with engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
        self._lock.release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def describe(self) -> dict[str, Any]:
        with self.reading() as session:
            counts = {
                table: session.execute(text(f"SELECT count(*) FROM {table} WHERE deleted = 0")).scalar_one()
                for table in ("ward", "priority", "action", "nomination", "agency")
            }
        return {
            "folder": str(self.folder),
            "vault_id": self.info.vault_id,
            "device_id": self.device_id,
            "demo": self.is_demo,
            "key_source": self.key_source,
            "schema": migrate.current_revision(self.engine),
            "app_version": __version__,
            "created": self.info.created,
            "counts": counts,
        }


def _lock(folder: Path) -> FolderLock:
    lock = FolderLock(folder / LOCK_FILE)
    lock.acquire()
    return lock


def _key_opens(path: Path, key: bytes) -> bool:
    try:
        connect_raw(path, key, read_only=True).close()
    except NotADatabase:
        return False
    return True


def damage_found_later(folder: Path, problem: str) -> str:
    """What the background check found, and what to do: as plain as the refusal on opening."""
    return (
        f"The vault database in {folder} is damaged ({problem}): the integrity check running since it was "
        f"opened found it. Stop editing and close Community Matters; what you saved is still in the vault. "
        f"{_restore_advice(folder)} Changes already sent to the shared folder come back at the next sync."
    )


def _damaged(folder: Path, cause: BaseException | str | None) -> UserError:
    detail = f" ({cause})" if cause else ""
    return UserError(
        f"The vault database in {folder} is damaged or truncated and cannot be read{detail}. "
        f"Nothing was changed. {_restore_advice(folder)}"
    )


def backups_of(folder: Path) -> list[Path]:
    """The vault's own backups, oldest first (automatic ones and those taken before upgrades)."""
    directory = folder / BACKUP_FOLDER
    if not directory.is_dir():
        return []
    return sorted(
        (p for p in directory.glob("*.db") if p.is_file()), key=lambda p: (p.stat().st_mtime, p.name)
    )


def _auto_backups(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.glob(f"{AUTO_BACKUP_PREFIX}*.db") if re.fullmatch(r"auto-\d{8}-\d{6}\.db", p.name)
    )


def _restore_advice(folder: Path) -> str:
    found = backups_of(folder)
    salvage = f"or '{APP_NAME} salvage NEW_FOLDER' to copy everything still readable into a new vault"
    if found:
        newest = found[-1]
        return f"Run '{APP_NAME} restore' to put back the newest backup ({newest.name} in {newest.parent}), {salvage}."
    return (
        f"There is no backup in {folder / BACKUP_FOLDER}: run '{APP_NAME} restore FILE' with your own backup, "
        f"{salvage}."
    )


def _wal_lost(db_path: Path) -> bool:
    """A crash leaves ``-wal`` and ``-shm`` beside the database; a clean close removes both (``-shm``
    first). A ``-shm`` whose index still counts frames not yet copied back, with no ``-wal``, means
    the last commits were deleted with the -wal file. The stale index is removed so SQLite rebuilds it."""
    shm = db_path.with_name(db_path.name + "-shm")
    wal = db_path.with_name(db_path.name + "-wal")
    if not shm.is_file() or wal.exists():
        return False
    try:
        header = shm.read_bytes()[:136]
        lost = len(header) >= 100 and int.from_bytes(header[16:20], sys.byteorder) > int.from_bytes(
            header[96:100], sys.byteorder
        )
        shm.unlink()
    except OSError:
        return False
    return lost


def vault_exists(folder: Path) -> bool:
    return (folder / VAULT_FILE).is_file()
