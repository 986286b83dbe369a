"""Snapshots: the whole state in one file, so a laptop joining later need not replay every file.

A force's vault holds millions of field values, so a snapshot is written and read a frame at a time
(``files.write_stream``), never held whole in memory: tables go parents first (the models' foreign key
order), a few thousand rows per frame, each row's field clocks read with its frame. Joining reads the
file through once to check every frame, then applies it in batches of frames, each batch one
transaction; the ledger rows that say which files it covers go in with the last batch, so a join that
stops half way is simply done again (applying a change twice changes nothing).
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Table, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes
from commmatters_desktop.core.models import AuditEvent, Base, FieldClock, SyncLedger
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.sync import files
from commmatters_desktop.sync.exchange import check_clock
from commmatters_desktop.sync.files import BadChangeFile, Change, ChangeFile, TeamKeys
from commmatters_desktop.sync.merge import TABLES, apply_changes, audit_change
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


def write_snapshot(vault: Vault, folder: Path, team: TeamKeys) -> Path:
    """The whole state (every field with its stamp) and which files it already covers, streamed."""
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
        return files.write_stream(target, header, state_frames(session), team_id=team.team_id, key=key)


def join_from_snapshot(vault: Vault, folder: Path, team: TeamKeys, report: SyncReport) -> bool:
    """A laptop's first sync starts from the newest snapshot another laptop wrote, if there is one."""
    if vault.meta(LAST_SYNC_META) is not None:
        return False  # joined already: from now on only new files are read
    newest = files.newest_snapshot(folder)
    if newest is None or newest.name.startswith(f"{vault.device_id}-"):
        return False
    return take_snapshot(vault, folder, team, report, newest)


def _open_snapshot(
    vault: Vault, folder: Path, team: TeamKeys, path: Path
) -> tuple[ChangeFile, Callable[[], Iterator[list[Change]]], str]:
    """The snapshot's header, its frames (every one already checked, clocks included) and its digest;
    nothing is applied yet."""
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


def take_snapshot(vault: Vault, folder: Path, team: TeamKeys, report: SyncReport, path: Path) -> bool:
    """Apply the snapshot at ``path`` (checked whole first), in batches, parents first."""
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
