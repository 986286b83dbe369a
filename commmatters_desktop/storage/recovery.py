"""Putting a vault back: ``restore`` a backup in place, or ``salvage`` what a damaged one still holds.

Neither ever deletes anything: the damaged database is moved aside under a dated name, and salvage
reads the damaged vault without writing to it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlcipher3

from commmatters_desktop import APP_NAME
from commmatters_desktop.core import changes
from commmatters_desktop.core.audit import HEAD_META_KEY, derive_key, reseal
from commmatters_desktop.core.clock import Clock, SystemClock
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.storage.engine import NotADatabase, connect_raw
from commmatters_desktop.storage.keystore import KeyStore
from commmatters_desktop.storage.vault import (
    BACKUP_FOLDER,
    DB_FILE,
    VAULT_FILE,
    NotAVault,
    Vault,
    VaultInfo,
    _lock,
    backups_of,
)

#: Sync bookkeeping a salvaged vault starts afresh, so the shared folder fills in what damage lost.
_SYNC_RESET = ("sync_exported_log_seq", "sync_next_file_seq", "sync_last", changes.DEVICE_META_KEY)


@dataclass
class RestoreResult:
    backup: Path
    #: Where the database that was replaced now is (None when there was none to keep).
    kept_aside: Path | None
    vault_file_restored: bool


def _healthy(path: Path, key: bytes) -> bool:
    try:
        connection = connect_raw(path, key, read_only=True)
    except NotADatabase:
        return False
    try:
        bad = [r[0] for r in connection.execute("PRAGMA cipher_integrity_check")]
        bad += [r[0] for r in connection.execute("PRAGMA quick_check") if r[0] != "ok"]
    except sqlcipher3.DatabaseError:
        return False
    finally:
        connection.close()
    return not bad


def _info(folder: Path) -> tuple[VaultInfo, bool]:
    """vault.json, put back from the copy in backups/ when it is missing or damaged."""
    try:
        return VaultInfo.read(folder), False
    except NotAVault:
        copy = folder / BACKUP_FOLDER / VAULT_FILE
        if not copy.is_file():
            raise
        info = VaultInfo.read_file(copy, folder)
        info.write(folder)
        return info, True


def restore(
    folder: Path,
    *,
    keystore: KeyStore,
    passphrase: str | None = None,
    backup: Path | None = None,
    clock: Clock | None = None,
) -> RestoreResult:
    """Put back a backup (the newest of the vault's own, or ``backup``) after checking it opens with
    this vault's key and passes the integrity checks. The replaced database is kept aside."""
    folder = folder.expanduser().resolve()
    info, vault_file_restored = _info(folder)
    lock = _lock(folder)
    try:
        key, _source = Vault._find_key(info, keystore, passphrase)
        candidates = [backup.expanduser().resolve()] if backup is not None else backups_of(folder)[::-1]
        if not candidates:
            raise UserError(
                f"There is no backup in {folder / BACKUP_FOLDER}. Give one with 'restore FILE', or run "
                f"'{APP_NAME} salvage NEW_FOLDER' to copy what is still readable into a new vault."
            )
        chosen = next((c for c in candidates if c.is_file() and _healthy(c, key)), None)
        if chosen is None:
            raise UserError(
                (
                    f"{candidates[0]} does not open with this vault's key or fails the integrity check"
                    if backup is not None
                    else f"None of the backups in {folder / BACKUP_FOLDER} opens with this vault's key and "
                    "passes the integrity check"
                )
                + f"; nothing was changed. Try another backup, or run '{APP_NAME} salvage NEW_FOLDER'."
            )
        stamp = (clock or SystemClock()).now().strftime("%Y%m%d-%H%M%S")
        database = folder / DB_FILE
        kept: Path | None = None
        if database.exists():
            kept = folder / f"{DB_FILE}.replaced-{stamp}"
            os.replace(database, kept)
            for suffix in ("-wal", "-shm"):
                side = folder / (DB_FILE + suffix)
                if side.exists():
                    os.replace(side, folder / f"{DB_FILE}{suffix}.replaced-{stamp}")
        temporary = folder / f".{DB_FILE}.restoring"
        shutil.copyfile(chosen, temporary)
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, database)
        return RestoreResult(chosen, kept, vault_file_restored)
    except OSError as exc:
        raise UserError(f"The restore failed: {exc.strerror}. Nothing was deleted.") from None
    finally:
        lock.release()


# --- salvage ------------------------------------------------------------------------------------------------


@dataclass
class SalvageResult:
    folder: Path
    #: Rows copied per table.
    copied: dict[str, int] = field(default_factory=dict)
    #: Tables where some pages could not be read (so some rows may be missing).
    damaged: list[str] = field(default_factory=list)


def salvage(
    source: Path,
    target: Path,
    *,
    keystore: KeyStore,
    passphrase: str,
    clock: Clock | None = None,
) -> SalvageResult:
    """Every row still readable in a damaged vault, copied into a new vault at ``target``.

    SQLCipher authenticates each page, so a damaged page is unreadable but its neighbours are not:
    each table is read in rowid order and, where a page fails, reading resumes past it. The new
    vault starts its sync as a new device and re-reads the shared folder, which fills in what the
    damage lost from what the other laptops hold.
    """
    source = source.expanduser().resolve()
    info, _restored = _info(source)
    lock = _lock(source)
    try:
        key, _source = Vault._find_key(info, keystore, passphrase)
        try:
            reader = _Reader(source / DB_FILE, key)
        except NotADatabase:
            raise UserError(
                f"Nothing in {source / DB_FILE} can be read (its first page is damaged). Restore a backup instead."
            ) from None
    finally:
        lock.release()
    result = SalvageResult(target.expanduser().resolve())
    with Vault.create(target, passphrase=passphrase, keystore=keystore, clock=clock, demo=info.demo) as new:
        new_db, new_key = new.db_path, new._key
    writer = connect_raw(new_db, new_key)
    try:
        writer.execute("PRAGMA foreign_keys = OFF")
        writer.execute("BEGIN")
        tables = [
            r[0]
            for r in writer.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name != 'alembic_version'"
            )
        ]
        audit_head: tuple[str, int, int] = ("", 0, 0)
        for table in tables:
            wanted = [r[1] for r in writer.execute(f'PRAGMA table_info("{table}")')]
            try:
                present = {r[1] for r in reader.execute(f'PRAGMA table_info("{table}")')}
            except sqlcipher3.DatabaseError:
                reader.reset()
                result.damaged.append(table)
                continue
            columns = [c for c in wanted if c in present]
            if not columns:
                continue
            rows, complete = _readable_rows(reader, table, columns)
            if not complete:
                result.damaged.append(table)
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            if table == "vault_meta":
                writer.execute("DELETE FROM vault_meta")  # the damaged vault's own facts, not the new one's
            if table == "audit_event" and "mac" in columns:
                rows, audit_head = _resealed(rows, columns, key, new_key)
                if audit_head[2]:
                    result.damaged.append(f"audit_event ({audit_head[2]} events did not follow the chain)")
            writer.executemany(f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({marks})', rows)
            result.copied[table] = len(rows)
        for key_name in _SYNC_RESET:
            writer.execute("DELETE FROM vault_meta WHERE key = ?", (key_name,))
        if audit_head[1]:
            writer.execute(
                "INSERT OR REPLACE INTO vault_meta (key, value) VALUES (?, ?)",
                (HEAD_META_KEY, f"{audit_head[0]}:{audit_head[1]}"),
            )
        writer.execute("DELETE FROM sync_ledger")  # take in everything the shared folder holds again
        writer.execute("DELETE FROM sync_problem")
        writer.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(Exception):
            writer.execute("ROLLBACK")
        raise
    finally:
        writer.close()
        reader.close()
    # Opening gives the new vault its own device id and proves it healthy.
    Vault.open(result.folder, keystore=keystore, passphrase=passphrase, clock=clock).close()
    return result


def _resealed(
    rows: list[tuple[Any, ...]], columns: list[str], old_key: bytes, new_key: bytes
) -> tuple[list[tuple[Any, ...]], tuple[str, int, int]]:
    """The audit trail re-sealed under the new vault's key (checked under the old one first)."""
    ordered = sorted(rows, key=lambda r: r[columns.index("id")]) if "id" in columns else rows
    dicts = [dict(zip(columns, row, strict=True)) for row in ordered]
    macs, broken = reseal(dicts, derive_key(old_key), derive_key(new_key))
    at = columns.index("mac")
    out = [(*row[:at], mac, *row[at + 1 :]) for row, mac in zip(ordered, macs, strict=True)]
    if "id" in columns:  # events lost with damaged pages are reported by the salvage, not left as gaps
        ident = columns.index("id")
        out = [(*row[:ident], number, *row[ident + 1 :]) for number, row in enumerate(out, 1)]
    return out, (macs[-1] if macs else "", len(macs), broken)


def _readable_rows(reader: Any, table: str, columns: list[str]) -> tuple[list[tuple[Any, ...]], bool]:
    """(rows, complete): reads past damaged pages by jumping ahead in rowid (on a fresh connection
    each time: SQLCipher leaves a connection unusable once a page fails its check)."""
    names = ", ".join(f'"{c}"' for c in columns)
    rows: list[tuple[Any, ...]] = []
    after, complete = -(2**63), True
    query = f'SELECT rowid, {names} FROM "{table}" WHERE rowid > ? ORDER BY rowid'
    while True:
        start = after
        try:
            for row in reader.execute(query, (after,)):
                rows.append(tuple(row[1:]))
                after = row[0]
            return rows, complete
        except sqlcipher3.DatabaseError:
            complete = False
            reader.reset()
            resume = _next_readable(reader, table, max(after, 0) + (after == start))
            if resume is None:
                return rows, complete
            after = max(resume, after)


def _next_readable(reader: Any, table: str, after: int) -> int | None:
    """The last rowid before a readable stretch beyond ``after``, or None when nothing further reads."""
    jump = 1
    while jump <= 2**40:
        try:
            row = reader.execute(
                f'SELECT rowid FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT 1', (after + jump,)
            ).fetchone()
        except sqlcipher3.DatabaseError:
            reader.reset()
            jump *= 2
            continue
        return None if row is None else int(row[0]) - 1
    return None


class _Reader:
    """A read-only connection to a damaged database, reopened after each failed page."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path, self.key = path, key
        self.connection = connect_raw(path, key, read_only=True)

    def execute(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        return self.connection.execute(sql, parameters)

    def reset(self) -> None:
        with contextlib.suppress(Exception):
            self.connection.close()
        self.connection = connect_raw(self.path, self.key, read_only=True)

    def close(self) -> None:
        self.connection.close()
