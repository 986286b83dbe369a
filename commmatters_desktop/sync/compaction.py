"""Compacting acknowledged history: the local change log and this laptop's files in the shared folder.

Every change file says which files of every laptop its writer had taken in (``covers``), and each
laptop keeps the latest word of every other (``sync_acks:<device>``). A file of this laptop is
*acknowledged* once every laptop that writes in the folder has taken it in (a laptop silent for six
weeks is no longer waited for: :data:`QUIET_AFTER`). Then:

* once a snapshot of this laptop covers it too, the file leaves the shared folder and its rows leave
  this laptop's change log (they existed to be sent, and a purge masks names in the folder's files
  through them, so file and rows go together). A laptop that has never written, or a new one, starts
  from a snapshot; one that finds a file gone takes in the snapshot that covers it (see
  ``exchange.import_all``). This laptop's older snapshots go too.

Nothing else is compacted: field clocks are the merge's memory of every field's last write, and a
deleted record's row (its tombstone) stays for good, since a laptop away for years may still send an
edit to it, which must meet the tombstone and become a conflict rather than bring the record back.
Only this laptop's own files are ever deleted, and only files it has proved it wrote.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, insert, select

from commmatters_desktop.core.models import ChangeLog, SyncLedger, VaultMeta
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.sync import files
from commmatters_desktop.sync.files import BadChangeFile, TeamKeys
from commmatters_desktop.sync.state import (
    ACKS_META,
    COMPACTED_META,
    EXPORTED_META,
    FILE_SPAN_META,
    NEXT_FILE_META,
    put_meta,
)


@dataclass
class Compaction:
    log_rows: int = 0
    files: int = 0
    snapshots: int = 0


#: A laptop none of whose files has arrived here for this long is no longer waited for: one lost, retired,
#: handed back, or replaced by a new device id (a restore, leaving a team) would otherwise hold back
#: compaction for good and the folder would grow for ever. If it does come back, its next file of this
#: laptop is gone and it takes in the snapshot that covers it (a merge): nothing is lost either way.
QUIET_AFTER = dt.timedelta(weeks=6)


def waited_for(vault: Vault, laptops: list[str]) -> list[str]:
    """The laptops in ``laptops`` whose acknowledgement compaction waits for: those heard from (a file
    of theirs taken in here) within :data:`QUIET_AFTER`, and those never heard from here at all."""
    cutoff = vault.clock.now().astimezone(dt.UTC).replace(tzinfo=None) - QUIET_AFTER
    with vault.reading() as session:
        heard = {
            device: at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at
            for device, at in session.execute(
                select(SyncLedger.device, func.max(SyncLedger.applied_at)).group_by(SyncLedger.device)
            )
        }
    return [d for d in laptops if d == vault.device_id or d not in heard or heard[d] >= cutoff]


def acknowledged(vault: Vault, laptops: list[str]) -> int:
    """This laptop's last file every other laptop in ``laptops`` has taken in (0: none, or no word yet)."""
    others = [device for device in laptops if device != vault.device_id]
    if not others:
        return 0
    with vault.reading() as session:
        acks = {
            row.key.removeprefix(ACKS_META): json.loads(row.value)
            for row in session.scalars(select(VaultMeta).where(VaultMeta.key.startswith(ACKS_META)))
        }
    return min(int(acks.get(device, {}).get(vault.device_id, 0)) for device in others)


def compact(vault: Vault, folder: Path, team: TeamKeys, laptops: list[str]) -> Compaction:
    """Drop what every laptop in ``laptops`` (those writing in the folder) has acknowledged and this
    laptop's newest snapshot covers: its files in the shared folder and their rows in the change log.

    The log keeps the rows of every file still in the folder: a purge masks names in them through the
    log (``sync.purge``), so a file and its rows go together."""
    done = Compaction()
    acked = min(acknowledged(vault, waited_for(vault, laptops)), int(vault.meta(NEXT_FILE_META) or 1) - 1)
    covered = _own_snapshot_covers(vault, folder)
    if acked <= 0 or covered is None:
        return done
    seq_covered, newest = covered
    limit = min(acked, seq_covered)
    own = folder / files.ROOT / vault.device_id
    log_to = _log_to(vault, team, own / files.file_name(limit))
    floor = int(vault.meta(COMPACTED_META) or 0)
    if log_to is not None and floor < log_to <= int(vault.meta(EXPORTED_META) or 0):
        with vault.unit_of_work() as session:
            # The row ``log_to`` itself stays: SQLite numbers a new row one past the highest there is, and
            # an emptied log would number new changes from 1, below what was exported, so never sent.
            result = session.execute(delete(ChangeLog).where(ChangeLog.seq < log_to))
            done.log_rows = cast(CursorResult[Any], result).rowcount or 0
            put_meta(session, COMPACTED_META, str(log_to))
    for path in sorted(own.glob("*.cmchange")) if own.is_dir() else []:
        match = files.CHANGE_FILE.match(path.name)
        if match and int(match.group(1)) <= limit:
            path.unlink(missing_ok=True)
            done.files += 1
    with vault.unit_of_work() as session:  # what those files held is no longer needed to write them again
        for row in session.scalars(select(VaultMeta).where(VaultMeta.key.startswith(FILE_SPAN_META))):
            if int(row.key.removeprefix(FILE_SPAN_META)) <= limit:
                session.delete(row)
    for old in (folder / files.ROOT / files.SNAPSHOTS).glob(f"{vault.device_id}-*.cmsnap"):
        if old != newest:
            old.unlink(missing_ok=True)
            done.snapshots += 1
    return done


def _log_to(vault: Vault, team: TeamKeys, path: Path) -> int | None:
    """The last change-log row inside this laptop's file at ``path`` (None if it cannot be read)."""
    try:
        change_file = files.decode(
            path.read_bytes(), team_id=team.team_id, keys=team.keys, demo=vault.is_demo
        )
    except (OSError, BadChangeFile):
        return None
    if change_file.device != vault.device_id:
        return None
    return change_file.log_to


def _own_snapshot_covers(vault: Vault, folder: Path) -> tuple[int, Path] | None:
    """This laptop's newest snapshot and the last of its own files inside it."""
    directory = folder / files.ROOT / files.SNAPSHOTS
    found = []
    for path in directory.glob(f"{vault.device_id}-*.cmsnap") if directory.is_dir() else []:
        match = files.SNAPSHOT_FILE.match(path.name)
        if match:
            found.append((int(match.group(2)), path))
    return max(found, default=None)


def reseed_log(vault: Vault) -> int:
    """After compaction the change log no longer holds everything: leaving a team (the next sync sends
    everything the vault holds, as a new device) first writes the whole state back into the log."""
    if not int(vault.meta(COMPACTED_META) or 0):
        return 0
    from commmatters_desktop.sync.snapshot import state_frames

    written = 0
    with vault.unit_of_work() as session:
        for frame in state_frames(session):  # each frame read whole before the next insert
            rows = [
                {"stamp": c.stamp, "entity": c.entity, "row_id": c.row_id, "field": c.field, "value": c.value,
                 "base": ""}
                for c in frame if c.stamp
            ]  # fmt: skip
            if rows:
                session.execute(insert(ChangeLog), rows)
                written += len(rows)
        session.merge(VaultMeta(key=COMPACTED_META, value="0"))
    return written
