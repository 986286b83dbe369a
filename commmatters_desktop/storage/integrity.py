"""Page checks: a bounded one on opening, the full ones on demand or in the background.

SQLCipher's ``cipher_integrity_check`` (every page's HMAC) and SQLite's ``integrity_check`` (every
b-tree) read the whole file: 15 ms for the demo, 20 s for a force's five-year vault. So opening a
large vault runs only checks whose cost does not grow with it (the key opens page 1 and the schema,
the file is whole pages and as long as its header says, the first and last rows of every table and
index can be read), and the full checks run on a thread of their own, on a connection of their own,
while the window stays usable. Damage they find later is reported as loudly as at opening: the window
shows it in a modal warning, the command line prints it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3

from commmatters_desktop.storage.engine import NotADatabase, connect_raw

#: Vaults up to this size are fully checked on opening (under a second); larger ones in the background.
FULL_CHECK_AT_OPEN_BYTES = 64 * 1024 * 1024
#: Rows read at each end of every table and index by the bounded check.
EDGE_ROWS = 20


def full_check(
    db_path: Path,
    key: bytes,
    *,
    hold: Callable[[Any], None] | None = None,
    stopped: Callable[[], bool] = lambda: False,
) -> list[str]:
    """Every page's HMAC, every b-tree, every foreign key; an empty list means healthy.

    ``hold`` receives the connection first, so another thread can interrupt a check in progress;
    ``stopped`` is asked between the checks (an interrupt ends only the statement running)."""
    try:
        connection = connect_raw(db_path, key, read_only=True)
    except NotADatabase as exc:
        return [f"the database cannot be decrypted ({exc})"]
    if hold is not None:
        hold(connection)
    problems: list[str] = []
    checks: list[tuple[str, Callable[[tuple[Any, ...]], str | None]]] = [
        ("PRAGMA cipher_integrity_check", lambda r: str(r[0])),
        ("PRAGMA integrity_check", lambda r: None if r[0] == "ok" else str(r[0])),
        ("PRAGMA foreign_key_check", lambda r: f"broken link in {r[0]} row {r[1]}"),
    ]
    try:
        for pragma, problem in checks:
            if stopped():
                break
            problems += [text for row in connection.execute(pragma) if (text := problem(row)) is not None]
    except sqlcipher3.DatabaseError as exc:
        problems.append(str(exc))
    finally:
        connection.close()
    return problems


def bounded_check(db_path: Path, key: bytes) -> list[str]:
    """Checks whose cost does not grow with the vault: the key opens it (page 1 and the schema), the
    file is whole pages and no shorter than its header says, and both ends of every table and index
    read back (the pages written last, and the b-trees' paths down to them)."""
    try:
        connection = connect_raw(db_path, key, read_only=True)
    except NotADatabase as exc:
        return [f"the database cannot be decrypted ({exc})"]
    problems: list[str] = []
    try:
        page_size = int(connection.execute("PRAGMA page_size").fetchone()[0])
        pages = int(connection.execute("PRAGMA page_count").fetchone()[0])
        size = db_path.stat().st_size
        wal = db_path.with_name(db_path.name + "-wal")
        if size % page_size:
            problems.append(f"the file is not a whole number of pages ({size} bytes): it was cut short")
        elif (not wal.exists() or wal.stat().st_size == 0) and pages * page_size > size:
            problems.append(f"the file holds {size // page_size} of its {pages} pages: it was cut short")
        for query in _edge_queries(connection):
            try:
                connection.execute(query).fetchall()
            except sqlcipher3.OperationalError:
                continue  # a query this schema cannot answer (not damage: damage raises DatabaseError)
    except sqlcipher3.DatabaseError as exc:
        problems.append(str(exc))
    finally:
        connection.close()
    return problems


def _edge_queries(connection: Any) -> list[str]:
    """Queries reading the first and last rows of every table and of every plain index."""
    queries = []
    found = connection.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL"
    ).fetchall()
    for kind, name, table, sql in found:
        if kind == "table":
            queries += [
                f'SELECT * FROM "{name}" ORDER BY rowid {o} LIMIT {EDGE_ROWS}' for o in ("ASC", "DESC")
            ]
            continue
        columns = [f'"{r[2]}"' for r in connection.execute(f'PRAGMA index_info("{name}")') if r[2]]
        if not columns or " WHERE " in sql.upper():
            continue  # an index on expressions, or a partial one: only its own WHERE can use it
        for order in ("ASC", "DESC"):
            ordering = ", ".join(f"{c} {order}" for c in columns)
            queries.append(
                f'SELECT {", ".join(columns)} FROM "{table}" INDEXED BY "{name}" ORDER BY {ordering} LIMIT {EDGE_ROWS}'
            )
    return queries


class BackgroundCheck:
    """The full checks on a thread of their own; ``on_done`` gets the problems (from that thread).

    ``then`` runs after the page checks found nothing (the audit trail's chain, for a check asked for
    from the window). Cancelled by :meth:`cancel` (closing the vault): the check is interrupted,
    nothing is reported."""

    def __init__(
        self,
        db_path: Path,
        key: bytes,
        on_done: Callable[[list[str]], None],
        *,
        then: Callable[[], list[str]] | None = None,
    ) -> None:
        self._db_path, self._key, self._on_done, self._then = db_path, key, on_done, then
        self._connection: Any = None
        self._cancelled = False
        self._lock = threading.Lock()
        self.problems: list[str] | None = None
        self.finished = threading.Event()
        # Not a daemon: a check still reading when the app quits (SQLCipher's page check cannot be
        # interrupted part way) is waited for before the interpreter is torn down, which otherwise
        # crashes the process on its way out.
        self._thread = threading.Thread(target=self._run, name="vault-integrity-check", daemon=False)

    def start(self) -> BackgroundCheck:
        self._thread.start()
        return self

    def _hold(self, connection: Any) -> None:
        with self._lock:
            self._connection = connection
            if self._cancelled:
                connection.interrupt()

    def _run(self) -> None:
        try:
            problems = full_check(self._db_path, self._key, hold=self._hold, stopped=lambda: self._cancelled)
            if not problems and self._then is not None and not self._cancelled:
                problems = self._then()
        except Exception as exc:  # never let a check thread die silently: what it hit is a problem too
            problems = [str(exc)]
        with self._lock:
            self._connection = None
            if self._cancelled:
                self.finished.set()
                return
        self.problems = problems
        self.finished.set()
        self._on_done(problems)

    def wait(self, timeout: float | None = None) -> list[str] | None:
        """The problems found (empty: healthy), or None if the check has not finished (or was cancelled)."""
        self.finished.wait(timeout)
        return self.problems

    def cancel(self, wait: float = 0.25) -> None:
        """Stop: the check reports nothing from now on. SQLCipher's page check cannot be interrupted
        part way (seconds on a force's vault), so closing waits for it ``wait`` seconds at most; the
        thread then ends on its own (it only reads, on its own connection, and reports nothing), and the
        process waits for it before it exits."""
        with self._lock:
            self._cancelled = True
            if self._connection is not None:
                with contextlib.suppress(Exception):
                    self._connection.interrupt()
        self._thread.join(wait)
