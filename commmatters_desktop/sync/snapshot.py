"""Snapshots: the whole state in one file, so a laptop joining later need not replay every file.

**Format 2 (written since issue 15's third round): the rows as stored, with their stamps beside them.**
A force's vault holds six million field values; turning each into a change and merging it field by
field cost 30 to 40 µs in Python, four minutes for a five-year force. So a snapshot now carries the
synced tables themselves: each table (parents first, the models' foreign key order) in id order, a
couple of thousand rows a frame, every row as the database stores it plus its id and its field clocks
as one JSON object (``{"field": "stamp", ...}``, read by SQLite's ``json_group_object``); the header
names each table's columns. The frames are the streamed file's (``files.write_frames``): compressed,
each sealed with AES-256-GCM under the team key with the header, its number and a last-frame flag as
associated data, so a tampered, reordered, cut-off or other team's snapshot is refused exactly as before.

Taking one in is one transaction, applied whole or not at all (a full disk, a damaged frame, a clock
too far ahead found at the end: rolled back, nothing changed, retried at the next sync). Each frame goes
into a temporary table, then into the vault by SQL: a table this laptop holds nothing of yet (a laptop
joining) takes the rows by ``INSERT … SELECT`` and the field clocks by ``json_each`` over each row's
stamps, exactly as the source has them; rows this laptop already holds (it took in files or made edits
before, or fills a gap) are turned back into changes (:func:`stream_changes`) and merged by the merge
rules (``merge.apply_changes``), as are tables whose columns differ from this version's (a laptop part
way through an upgrade) and priorities when any are here already (the one-agreed-priority rule reads
them). Tombstones travel as rows with ``deleted`` set and their clocks, as every row does.

**The audit trail taken in as one block.** The snapshot carries the writer's trail (each event's uid,
time, actor, device, action, record and summary; never its seal, which is per laptop). Re-sealing
900,000 events one by one into this laptop's chain cost as much as the rest of the join, and this
laptop never witnessed them one by one. So the events not already here (by uid) are appended in the
snapshot's order with ``mac = "block:<uid>"``, followed by one sealed event of this laptop
(``audit.TAKE_IN``): "took in N events of the team's history from snapshot S, digest D", whose uid is
the block's. D is the SHA-256 of the block's events as stored (``audit.BlockDigest``). The chain check
(``audit.verify_events``) recomputes D over the events marked with that uid, which must come right
before their record; the record itself is sealed in the chain like any event, so editing, removing,
adding or moving an event of the block, or the record's N or D, breaks the check.

**Format 1** (changes, ``[entity, row_id, field, value, stamp, base]`` per field) is still read, so a
laptop can join from a snapshot an older version wrote while a team upgrades: it is checked whole, then
applied ten frames per transaction through the merge rules, its audit events sealed one by one. An
older version meeting a format-2 snapshot refuses it ("written by a newer version: update this laptop")
and changes nothing. Older whole-file snapshots (``CMCHANGE``) are still read too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import queue
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Table, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes
from commmatters_desktop.core.hlc import MAX_DRIFT, Stamp
from commmatters_desktop.core.models import AuditEvent, Base, FieldClock, SyncLedger, VaultMeta
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.sync import files
from commmatters_desktop.sync.exchange import check_clock
from commmatters_desktop.sync.files import BadChangeFile, Change, ChangeFile, TeamKeys
from commmatters_desktop.sync.merge import AUDIT_ENTITY, TABLES, apply_changes, audit_change
from commmatters_desktop.sync.state import (
    LAST_SYNC_META,
    NEXT_FILE_META,
    FolderUnreachable,
    SyncReport,
    applied_files,
)

SNAPSHOT_EVERY = 50
#: Rows read per frame when writing (each row gives one change per stamped field).
ROWS_PER_FRAME = 500
#: Frames applied per transaction when joining (a table that refers to itself goes in one).
FRAMES_PER_BATCH = 10


def synced_tables() -> list[Table]:
    """The synced tables, parents before children, so a join never inserts a row before its parent."""
    return [table for table in Base.metadata.sorted_tables if table.name in TABLES]


def _refers_to_itself(table: Table) -> bool:
    return any(key.column.table is table for key in table.foreign_keys)


def state_frames(session: Session) -> Iterator[list[Change]]:
    """Every field of every synced row with its stamp, and the audit trail, a frame at a time."""
    last_id = 0
    while True:
        events = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.id > last_id)
                .order_by(AuditEvent.id)
                .limit(ROWS_PER_FRAME)
            )
        )
        if not events:
            break
        yield [audit_change(e) for e in events]
        last_id = events[-1].id
        session.expunge_all()
    for table in synced_tables():
        entity = table.name
        after = None
        while True:
            query = select(table).order_by(table.c.id).limit(ROWS_PER_FRAME)
            if after is not None:
                query = query.where(table.c.id > after)
            rows = session.execute(query).mappings().all()
            if not rows:
                break
            after = rows[-1]["id"]
            ids = [str(row["id"]) for row in rows]
            clocks = {
                (row_id, name): stamp
                for row_id, name, stamp in session.execute(
                    select(FieldClock.row_id, FieldClock.field, FieldClock.stamp).where(
                        FieldClock.entity == entity, FieldClock.row_id.in_(ids)
                    )
                )
            }
            frame = []
            for row_id, row in zip(ids, rows, strict=True):
                for column in table.columns:
                    stamp = clocks.get((row_id, column.key))
                    if column.key != "id" and stamp:
                        value = json.dumps(changes.encode_value(row[column.key]))
                        frame.append(Change(entity, row_id, column.key, value, stamp, ""))
            yield frame


#: Rows per frame in a format-2 snapshot (each with its stamps: a few hundred KiB of JSON).
TABLE_ROWS_PER_FRAME = 2000
#: Audit events per frame in a format-2 snapshot.
EVENTS_PER_FRAME = 5000
#: The page cache while a snapshot is taken in (KiB): its indexes' hot pages fit (SQLite's default is 2 MiB).
JOIN_CACHE_KIB = 256 * 1024
#: zlib's level for a snapshot's frames: level 1 packs this JSON nearly as tight as 6, several times faster.
COMPRESSION = 1
_EVENT_COLUMNS = "uid, at, actor, device, action, entity, row_id, summary"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _dashed(column: str) -> str:
    """SQL for a stored id (32 hex digits) as the text a field clock names its row by."""
    c = column
    return f"substr({c},1,8)||'-'||substr({c},9,4)||'-'||substr({c},13,4)||'-'||substr({c},17,4)||'-'||substr({c},21)"


def _driver(session: Session) -> Any:
    """The session's own SQLCipher connection (same transaction), for statements whose rows go straight
    into a frame or come straight out of one: no per-row work in Python."""
    return session.connection().connection.driver_connection


def row_payloads(session: Session, ending: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A format-2 snapshot's frames: the audit trail, then every synced table's rows with their stamps;
    ``ending`` gets the count (stamps and events) and the newest stamp once the last is read."""
    db = _driver(session)
    count, newest, after = 0, "", 0
    while True:
        rows = db.execute(
            f"SELECT id, {_EVENT_COLUMNS} FROM audit_event WHERE id > ? ORDER BY id LIMIT ?",
            (after, EVENTS_PER_FRAME),
        ).fetchall()
        if not rows:
            break
        after = rows[-1][0]
        count += len(rows)
        yield {"audit": [row[1:] for row in rows]}
    for table in synced_tables():
        columns = ", ".join(f'"{column.name}"' for column in table.columns)
        at = table.columns.keys().index("id")
        page = (
            f"SELECT s.*, (SELECT json_group_object(field, stamp) FROM field_clock WHERE entity = ? AND "
            f'row_id = s._rid) FROM (SELECT {columns}, {_dashed("id")} AS _rid FROM "{table.name}" '
            "WHERE id > ? ORDER BY id LIMIT ?) AS s"
        )
        last = ""
        while True:
            rows = db.execute(page, (table.name, last, TABLE_ROWS_PER_FRAME)).fetchall()
            if not rows:
                break
            last = rows[-1][at]
            stamps, top = db.execute(
                "SELECT count(*), max(stamp) FROM field_clock WHERE entity = ? AND row_id BETWEEN ? AND ?",
                (table.name, rows[0][-2], rows[-1][-2]),
            ).fetchone()
            count += stamps
            newest = max(newest, top or "")
            yield {"table": table.name, "rows": rows}
    ending.update(count=count, newest=newest)


def write_snapshot(vault: Vault, folder: Path, team: TeamKeys) -> Path:
    """The whole state (every synced row as stored, with its stamps, and the audit trail) and which files
    it already covers, streamed in format 2 from one read transaction."""
    own = int(vault.meta(NEXT_FILE_META) or 1) - 1
    key_id, key = team.current
    with vault.reading() as session:
        covers = {device: applied.upto for device, applied in applied_files(session).items()}
        if own > 0:
            covers[vault.device_id] = own
        header = ChangeFile(
            device=vault.device_id,
            seq=own,
            key_id=key_id,
            created=vault.clock.now().isoformat(timespec="seconds"),
            log_from=0,
            log_to=0,
            changes=[],
            covers=covers,
            demo=vault.is_demo,
            name=platform.node(),
        )
        target = files.snapshot_path(folder, vault.device_id, own)
        ending: dict[str, Any] = {}
        layout = {table.name: [column.name for column in table.columns] for table in synced_tables()}
        return files.write_frames(
            target, header, row_payloads(session, ending), team_id=team.team_id, key=key,
            extra={"tables": layout}, ending=lambda: ending, level=COMPRESSION,
        )  # fmt: skip


def join_from_snapshot(vault: Vault, folder: Path, team: TeamKeys, report: SyncReport) -> bool:
    """A laptop's first sync starts from the newest snapshot another laptop wrote, if there is one."""
    if vault.meta(LAST_SYNC_META) is not None:
        return False  # joined already: from now on only new files are read
    newest = files.newest_snapshot(folder)
    if newest is None or newest.name.startswith(f"{vault.device_id}-"):
        return False
    return take_snapshot(vault, folder, team, report, newest)


def take_snapshot(vault: Vault, folder: Path, team: TeamKeys, report: SyncReport, path: Path) -> bool:
    """Take in the snapshot at ``path`` whole or not at all; False (and the reason in ``report``) if it
    cannot be used."""
    try:
        try:
            with open(path, "rb") as handle:
                first = handle.read(len(files.STREAM_MAGIC))
            if first == files.STREAM_MAGIC:
                stream = files.open_stream(path, team_id=team.team_id, keys=team.keys, demo=vault.is_demo)
                if stream.version != files.CHANGES_FORMAT:
                    try:
                        received = _take_rows(vault, stream, path.name)
                    except _ClockAhead as ahead:
                        check_clock(vault, stream.info, [Change("", "", "", "", ahead.stamp, "")])
                        raise
                    report.conflicts += received.conflicts
                    report.received_changes += received.changes
                    report.received_files += 1
                    report.changed.everything = True
                    return True
        except OSError as exc:
            raise FolderUnreachable(folder, exc.strerror or "") from None
        return _take_changes(vault, folder, team, report, path)
    except BadChangeFile as exc:  # refused, or replaced while it was being read: the next sync tries again
        report.rejected.append((f"snapshots/{path.name}", exc.message))
        return False


class _ClockAhead(Exception):
    def __init__(self, stamp: str) -> None:
        super().__init__(stamp)
        self.stamp = stamp


@dataclass
class _Received:
    changes: int = 0
    conflicts: int = 0


def _take_rows(vault: Vault, stream: files.Stream, name: str) -> _Received:
    """A format-2 snapshot in one transaction: rows new here by SQL, rows held here through the merge."""
    layout = stream.header.get("tables")
    if not isinstance(layout, dict) or not all(
        isinstance(columns, list) and all(isinstance(c, str) and _NAME.fullmatch(c) for c in columns)
        for columns in layout.values()
    ):
        raise BadChangeFile(files.DAMAGED_HEADER)  # column names go into SQL: plain names only
    received = _Received()
    ending: dict[str, Any] = {}
    with vault.unit_of_work() as session:
        changes.change_set(session).everything = True  # the whole vault may change: no row lists
        session.flush()
        db = _driver(session)
        db.execute("PRAGMA defer_foreign_keys = ON")
        cache = db.execute("PRAGMA cache_size").fetchone()[0]
        # Indexes keyed by random uids and by ward take their entries all over: a page cache that holds
        # them saves reading, decrypting and spilling a page for nearly every row (bounded, and given back).
        db.execute(f"PRAGMA cache_size = -{JOIN_CACHE_KIB}")
        try:
            _take_payloads(vault, session, stream, name, layout, received, ending)
        except sqlcipher3.OperationalError as exc:
            if "malformed json" in str(exc).lower():
                raise BadChangeFile(files.DAMAGED_HEADER) from None
            # The driver's own (a full disk): as SQLAlchemy's, so the unit of work says it in one line.
            raise OperationalError("taking in a snapshot", None, exc) from None
        except (sqlcipher3.IntegrityError, sqlcipher3.InterfaceError, sqlcipher3.ProgrammingError) as exc:
            raise BadChangeFile(
                f"its rows do not fit this vault ({exc}), so nothing of it was used"
            ) from None
        finally:
            db.execute(f"PRAGMA cache_size = {int(cache)}")
    return received


def _take_payloads(
    vault: Vault,
    session: Session,
    stream: files.Stream,
    name: str,
    layout: dict[str, list[str]],
    received: _Received,
    ending: dict[str, Any],
) -> None:
    if True:
        indexes = _Indexes(_driver(session))
        block = _AuditBlock(session, name, indexes)
        tables = _Tables(session, layout, indexes)
        for payload in _read_ahead(stream.payloads(ending)):
            if not isinstance(payload, dict):
                raise BadChangeFile(files.DAMAGED_HEADER)
            if "audit" in payload:
                block.take(_rows_of(payload["audit"], 8))
            elif "table" in payload:
                received.conflicts += tables.take(str(payload["table"]), _rows_of(payload.get("rows"), None))
            else:
                raise BadChangeFile(files.DAMAGED_HEADER)
        newest = ending.get("newest")
        if not isinstance(newest, str) or not isinstance(ending.get("count"), int):
            raise BadChangeFile(files.DAMAGED_HEADER)
        try:
            stamp = Stamp.parse(newest) if newest else None
        except ValueError:
            raise BadChangeFile(files.DAMAGED_HEADER) from None
        if stamp is not None and stamp.ahead_of(vault.clock.now()) > MAX_DRIFT:
            raise _ClockAhead(newest)  # rolled back; the message names the laptop (read outside this unit)
        context = changes.context_of(session)
        if stamp is not None:
            context.hlc.observe(stamp)
        tables.finish()
        indexes.rebuild()
        block.seal()
        _ledger_covers(vault, session, stream.info.covers, stream.digest())
        received.changes = int(ending["count"])


#: Frames unpacked ahead of the one going into the vault (each a couple of MiB once unpacked).
READ_AHEAD = 2


def _read_ahead(payloads: Iterator[Any]) -> Iterator[Any]:
    """``payloads`` unpacked on a thread of their own, a few frames ahead: AES-GCM, zlib and SQLite let
    go of the interpreter while they work, so a frame is unsealed and unpacked while the one before goes
    into the vault (on two cores the join's reading costs next to nothing). What the reader raises (a
    damaged frame) is raised here, in order; stopping early stops the reader."""
    handoff: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()

    def read() -> None:
        try:
            for payload in payloads:
                while not stop.is_set():
                    try:
                        handoff.put(("payload", payload), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            handoff.put(("end", None))
        except BaseException as exc:  # handed to the caller, who raises it in its own thread
            handoff.put(("error", exc))

    reader = threading.Thread(target=read, name="snapshot-reader", daemon=True)
    reader.start()
    try:
        while True:
            kind, item = handoff.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():
            try:
                handoff.get_nowait()
            except queue.Empty:
                reader.join(0.05)


def _rows_of(rows: object, width: int | None) -> list[list[Any]]:
    """A frame's rows, each a list of plain values (``width`` of them when given), or DAMAGED_HEADER."""
    if not isinstance(rows, list) or not all(
        isinstance(row, list) and (width is None or len(row) == width) for row in rows
    ):
        raise BadChangeFile(files.DAMAGED_HEADER)
    return rows


class _Indexes:
    """Indexes of tables a join fills from empty, set aside while it loads them and built again before it
    commits (sorted, in one pass: inserting hundreds of thousands of random uids one by one into a B-tree
    cost more than the rows). Both happen inside the join's transaction, so an interrupted join leaves
    them as they were. Indexes on a foreign key's column stay: SQLite finds a new parent's waiting
    children through them (a nomination merged into one further on)."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.aside: list[str] = []

    def set_aside(self, table: Table) -> None:
        keys = {column.name for column in table.columns if column.foreign_keys}
        kept = {index.name for index in table.indexes if any(c.name in keys for c in index.columns)}
        for name, sql in self.db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table.name,),
        ).fetchall():
            if name not in kept:
                self.db.execute(f'DROP INDEX "{name}"')
                self.aside.append(sql)

    def rebuild(self) -> None:
        for sql in self.aside:
            self.db.execute(sql)
        self.aside.clear()


#: A trail this short before a join (a new laptop's own few events) is looked up in a temporary table of
#: its uids while the snapshot's events go in, so the trail's uid index can be set aside meanwhile.
SHORT_TRAIL = 10_000


class _AuditBlock:
    """The snapshot's audit events not already here, appended in order as one block (see the module)."""

    def __init__(self, session: Session, name: str, indexes: _Indexes) -> None:
        from commmatters_desktop.core import audit

        self.session, self.name = session, name
        self.db = _driver(session)
        self.uid = str(uuid.uuid4())
        self.digest = audit.BlockDigest()
        self.count = 0
        self.db.execute(f"CREATE TEMP TABLE IF NOT EXISTS snapshot_events ({_EVENT_COLUMNS})")
        self.db.execute("DELETE FROM temp.snapshot_events")
        self.known = "audit_event"
        if self.db.execute("SELECT count(*) FROM audit_event").fetchone()[0] <= SHORT_TRAIL:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS snapshot_known (uid TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM temp.snapshot_known")
            self.db.execute("INSERT OR IGNORE INTO temp.snapshot_known SELECT uid FROM audit_event")
            self.known = "temp.snapshot_known"
            indexes.set_aside(AuditEvent.__table__)  # type: ignore[arg-type]

    def take(self, rows: list[list[Any]]) -> None:
        from commmatters_desktop.core import audit

        self.db.executemany("INSERT INTO temp.snapshot_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        before = self.db.execute("SELECT coalesce(max(id), 0) FROM audit_event").fetchone()[0]
        self.db.execute(
            f"INSERT INTO audit_event ({_EVENT_COLUMNS}, mac) SELECT {_EVENT_COLUMNS}, ? "
            f"FROM temp.snapshot_events AS s WHERE NOT EXISTS (SELECT 1 FROM {self.known} AS a WHERE a.uid = s.uid) "
            "ORDER BY s.rowid",
            (audit.BLOCK_MARK + self.uid,),
        )
        # The digest is of the events as stored here, read back (so the chain check finds the same).
        taken = self.db.execute(
            f"SELECT {_EVENT_COLUMNS} FROM audit_event WHERE id > ? ORDER BY id", (before,)
        ).fetchall()
        self.digest.add(taken)
        self.count += len(taken)
        self.db.execute("DELETE FROM temp.snapshot_events")

    def seal(self) -> None:
        from commmatters_desktop.core import audit

        self.db.execute("DROP TABLE IF EXISTS temp.snapshot_events")
        self.db.execute("DROP TABLE IF EXISTS temp.snapshot_known")
        if self.count:
            audit.seal_block(self.session, self.uid, self.count, self.digest.hexdigest(), self.name)


def held_here(name: str) -> str:
    """SQL true for a staged row (``s``) of table ``name`` this vault holds or knows by its clocks; for
    priorities always (the one-agreed-priority rule reads those written before them).

    Correlated, so each staged row costs one index look-up: ``_rid IN (SELECT row_id FROM field_clock
    WHERE entity = …)`` listed every row id of the table's clocks again for each frame (a minute and a
    half to take half a force's five years into the other half)."""
    if name == "priority":
        return "1"
    return (
        f'EXISTS (SELECT 1 FROM "{name}" AS t WHERE t.id = s.c_id) OR EXISTS '
        f"(SELECT 1 FROM field_clock AS f WHERE f.entity = '{name}' AND f.row_id = s._rid)"
    )


class _Tables:
    """Each table's frames into the vault: by SQL where this laptop holds none of its rows, through the
    merge rules for rows it holds (and for a table whose columns differ from this version's)."""

    def __init__(self, session: Session, layout: dict[str, list[str]], indexes: _Indexes) -> None:
        self.session, self.layout, self.indexes = session, layout, indexes
        self.db = _driver(session)
        self.empty: dict[str, bool] = {}
        self.staged: set[str] = set()

    def _is_empty(self, table: Table) -> bool:
        if table.name not in self.empty:
            self.empty[table.name] = (
                self.db.execute(f'SELECT 1 FROM "{table.name}" LIMIT 1').fetchone() is None
                and self.db.execute(
                    "SELECT 1 FROM field_clock WHERE entity = ? LIMIT 1", (table.name,)
                ).fetchone()
                is None
            )
            if self.empty[table.name]:
                self.indexes.set_aside(table)
        return self.empty[table.name]

    def take(self, name: str, rows: list[list[Any]]) -> int:
        table = TABLES.get(name)
        columns = self.layout.get(name)
        if table is None or columns is None:
            return 0  # a table from a newer app: nothing here to put it in
        if any(len(row) != len(columns) + 2 for row in rows):
            raise BadChangeFile(files.DAMAGED_HEADER)
        ours = [column.name for column in table.columns]
        if not set(ours) <= set(columns) or "id" not in columns:
            # Columns this version has and the writer's had not: the merge fills in what is missing.
            return apply_changes(self.session, list(_changes_of(table, columns, rows)))
        stage = f'temp."snapshot_{name}"'
        if name not in self.staged:
            names = ", ".join(f'"c_{c}"' for c in columns)
            self.db.execute(f'CREATE TEMP TABLE IF NOT EXISTS "snapshot_{name}" ({names}, _rid, _stamps)')
            self.staged.add(name)
        self.db.execute(f"DELETE FROM {stage}")
        self.db.executemany(f"INSERT INTO {stage} VALUES ({', '.join('?' * (len(columns) + 2))})", rows)
        conflicts = 0
        if not self._is_empty(table):
            # Rows held here (or known by their clocks) go through the merge rules; priorities all do when
            # any are here (the one-agreed-priority rule reads those written before them).
            held = held_here(name)
            known = self.db.execute(f"SELECT * FROM {stage} AS s WHERE {held}").fetchall()
            if known:
                conflicts = apply_changes(self.session, list(_changes_of(table, columns, known)))
                # Merged, with their clocks: what stays staged is new here. (Asked again after the rows
                # below went in, "held" would hold for all of them, and their clocks would be left out.)
                self.db.execute(f"DELETE FROM {stage} AS s WHERE {held}")
        listed = ", ".join(f'"{c}"' for c in ours)
        picked = ", ".join(f's."c_{c}"' for c in ours)
        self.db.execute(f'INSERT INTO "{name}" ({listed}) SELECT {picked} FROM {stage} AS s')
        self.db.execute(
            f"INSERT INTO field_clock (entity, row_id, field, stamp) SELECT '{name}', s._rid, j.key, j.value "
            f"FROM {stage} AS s, json_each(s._stamps) AS j"
        )
        return conflicts

    def finish(self) -> None:
        for name in self.staged:
            self.db.execute(f'DROP TABLE IF EXISTS temp."snapshot_{name}"')
        meta = sqlite_insert(VaultMeta)
        context = changes.context_of(self.session)
        self.session.connection().execute(
            meta.on_conflict_do_update(index_elements=["key"], set_={"value": meta.excluded.value}),
            {"key": changes.HLC_META_KEY, "value": str(context.hlc.last)},
        )


_DIALECT = SQLiteDialect_pysqlite()


def _changes_of(table: Table, columns: list[str], rows: list[Any]) -> Iterator[Change]:
    """Rows of a format-2 frame as the changes they amount to (every stamped field, no base stamp): what
    the merge rules take, and what a format-1 snapshot of the same state would have held."""
    dialect = _DIALECT
    readers = {column.name: column.type._cached_result_processor(dialect, None) for column in table.columns}
    for row in rows:
        values = dict(zip(columns, row, strict=False))
        row_id, stamps = row[-2], row[-1]
        try:
            clocks = json.loads(stamps) if stamps else {}
        except ValueError:
            raise BadChangeFile(files.DAMAGED_HEADER) from None
        for field, stamp in clocks.items():
            if field == "id" or field not in values:
                continue
            reader = readers.get(field)
            raw = values[field]
            value = reader(raw) if reader is not None and raw is not None else raw
            yield Change(
                table.name, str(row_id), field, json.dumps(changes.encode_value(value)), str(stamp), ""
            )


def stream_changes(stream: files.Stream) -> Iterator[Change]:
    """A format-2 snapshot read as changes (audit events as the merge's ``audit_event`` changes): for
    tools and tests that read every file whole."""
    layout = stream.header.get("tables") or {}
    for payload in stream.payloads():
        if not isinstance(payload, dict):
            raise BadChangeFile(files.DAMAGED_HEADER)
        if "audit" in payload:
            for uid, at, actor, device, action, entity, row_id, summary in _rows_of(payload["audit"], 8):
                moment = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
                fields = [moment.isoformat(), actor, device, action, entity, row_id, summary]
                yield Change(AUDIT_ENTITY, uid, "event", json.dumps(fields, ensure_ascii=False), "", "")
        elif "table" in payload and payload["table"] in TABLES and payload["table"] in layout:
            yield from _changes_of(
                TABLES[payload["table"]], layout[payload["table"]], _rows_of(payload["rows"], None)
            )


def _take_changes(vault: Vault, folder: Path, team: TeamKeys, report: SyncReport, path: Path) -> bool:
    """A format-1 (or whole-file) snapshot: checked whole first, then applied in batches, parents first."""
    try:
        info, frames, digest = _open_snapshot(vault, folder, team, path)
    except BadChangeFile as exc:
        report.rejected.append((f"snapshots/{path.name}", exc.message))
        return False
    received = 0
    entity = ""
    try:
        source = _Ahead(frame for frame in frames() if frame)
        while True:
            with vault.unit_of_work() as session:
                changes.change_set(session).everything = True  # the whole vault may change: no row lists
                session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                while True:  # a few frames at a time, so memory stays bounded whatever a table holds
                    batch: list[Change] = []
                    for _ in range(FRAMES_PER_BATCH):
                        if source.next is None:
                            break
                        frame = source.take()
                        batch += frame
                        received += len(frame)
                        entity = frame[0].entity
                    report.conflicts += apply_changes(session, batch)
                    if source.next is None:
                        _ledger_covers(vault, session, info.covers, digest)
                        break
                    # A table that refers to itself (a nomination merged into another) is applied in one
                    # transaction, so a row whose parent is in a later frame never meets a foreign key
                    # check at a commit; any other table may commit here.
                    table = TABLES.get(source.next[0].entity)
                    if not (table is not None and _refers_to_itself(table) and table.name == entity):
                        break
            if source.next is None:
                break
    except OSError as exc:
        raise FolderUnreachable(folder, exc.strerror or "") from None
    except BadChangeFile as exc:  # replaced while it was being read: the next sync joins again
        report.rejected.append((f"snapshots/{path.name}", exc.message))
        return False
    report.received_files += 1
    report.received_changes += received
    report.changed.everything = True
    return True


def _open_snapshot(
    vault: Vault, folder: Path, team: TeamKeys, path: Path
) -> tuple[ChangeFile, Callable[[], Iterator[list[Change]]], str]:
    """A format-1 snapshot's header, its frames (every one already checked, clocks included) and its
    digest; nothing is applied yet."""
    try:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            first = handle.read(len(files.STREAM_MAGIC))
            digest.update(first)
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        if first != files.STREAM_MAGIC:
            # An older app's snapshot, written whole: read whole (they were small enough to write that way).
            whole = files.decode(path.read_bytes(), team_id=team.team_id, keys=team.keys, demo=vault.is_demo)
            check_clock(vault, whole)
            return whole, lambda: iter([whole.changes]), digest.hexdigest()
        stream = files.open_stream(path, team_id=team.team_id, keys=team.keys, demo=vault.is_demo)
        newest = stream.newest_stamp()  # every frame checked; the clock rule needs only the newest stamp
        check_clock(vault, stream.info, [Change("", "", "", "", newest, "")] if newest else [])
    except OSError as exc:
        raise FolderUnreachable(folder, exc.strerror or "") from None
    return stream.info, stream.frames, digest.hexdigest()


class _Ahead:
    """Frames with the next one in view (whether a transaction may end before it)."""

    def __init__(self, frames: Iterator[list[Change]]) -> None:
        self._frames = frames
        self.next: list[Change] | None = next(frames, None)

    def take(self) -> list[Change]:
        taken, self.next = self.next, next(self._frames, None)
        assert taken is not None
        return taken


def _ledger_covers(vault: Vault, session: Session, covers: dict[str, int], digest: str) -> None:
    rows = [
        {"device": device, "seq": seq, "sha256": f"snapshot:{digest[:16]}", "applied_at": vault.clock.now()}
        for device, last in covers.items()
        if device != vault.device_id
        for seq in range(1, last + 1)
    ]
    if rows:
        session.execute(sqlite_insert(SyncLedger).on_conflict_do_nothing(), rows)
