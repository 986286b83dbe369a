"""SQLAlchemy engines over SQLCipher, keyed with a raw 256-bit key (never a passphrase in a URL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event

from commmatters_desktop.core.errors import UserError


class NotADatabase(UserError):
    """The file is not readable with this key: a wrong key, or a damaged or foreign file."""


def key_pragma(key: bytes) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""


def _configure(connection: Any, key: bytes, read_only: bool) -> None:
    cursor = connection.cursor()
    try:
        # SQLCipher logs decryption failures to stderr; the app reports them in its own words.
        cursor.execute("PRAGMA cipher_log_level = NONE")
        cursor.execute(key_pragma(key))
        cursor.execute("SELECT count(*) FROM sqlite_master")  # the first read proves the key
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA temp_store = MEMORY")  # sorting spills stay in memory, never on disk
        cursor.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed: a purge leaves no trace
        cursor.execute("PRAGMA busy_timeout = 5000")
        # Up to 64 MiB of decrypted pages per connection (SQLite's default is 2 MiB): on a force's
        # 3 GB vault each view's first read otherwise evicts the pages the previous view read, and
        # every page read again is decrypted and authenticated again. Memory is taken only as pages are read.
        cursor.execute("PRAGMA cache_size = -65536")
        if read_only:
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("PRAGMA journal_mode = WAL")  # SQLCipher encrypts WAL pages too
            cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


def connect_raw(path: Path, key: bytes, *, read_only: bool = False) -> Any:
    """A keyed DB-API connection, or NotADatabase if the key does not open the file."""
    connection = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        _configure(connection, key, read_only)
    except sqlcipher3.DatabaseError as exc:
        connection.close()
        raise NotADatabase(str(exc)) from None
    return connection


def create_vault_engine(path: Path, key: bytes, *, read_only: bool = False) -> Engine:
    engine = create_engine(
        "sqlite+pysqlite://",
        creator=lambda: connect_raw(path, key, read_only=read_only),
        # The dialect must know its driver is sqlcipher3, or the driver's errors (disk full,
        # constraint failed) escape unwrapped instead of as SQLAlchemy's exceptions.
        module=sqlcipher3,
    )

    # The driver's own transaction handling defers BEGIN and breaks SAVEPOINT and transactional
    # DDL; SQLAlchemy's documented remedy is to turn it off and emit BEGIN ourselves.
    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine
