"""Snapshots: the whole state in one file, so a laptop joining later need not replay every file."""

from __future__ import annotations

import hashlib
import json
import platform
from collections import defaultdict
from pathlib import Path

from sqlalchemy import select

from commmatters_desktop.core import changes
from commmatters_desktop.core.models import (
    AuditEvent,
    FieldClock,
    SyncLedger,
)
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.sync import files
from commmatters_desktop.sync.exchange import check_clock
from commmatters_desktop.sync.files import BadChangeFile, Change, ChangeFile, TeamKeys
from commmatters_desktop.sync.merge import TABLES, apply_changes, audit_change
from commmatters_desktop.sync.state import LAST_SYNC_META, NEXT_FILE_META, FolderUnreachable, SyncReport

# --- snapshots: joining without replaying years of files -------------------------------------------------

SNAPSHOT_EVERY = 50


def write_snapshot(vault: Vault, folder: Path, team: TeamKeys) -> Path:
    """The whole state (every field with its stamp) and which files it already covers."""
    with vault.reading() as session:
        clocks = {(c.entity, c.row_id, c.field): c.stamp for c in session.scalars(select(FieldClock))}
        applied: dict[str, set[int]] = defaultdict(set)
        for device, seq in session.execute(select(SyncLedger.device, SyncLedger.seq)):
            applied[device].add(int(seq))
        covers: dict[str, int] = {}
        for device, seqs in applied.items():
            # Only up to the first gap: a file still waiting is not inside this state.
            last = 0
            while last + 1 in seqs:
                last += 1
            covers[device] = last
        state: list[Change] = [
            audit_change(e) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]
        for entity, table in TABLES.items():
            for row in session.execute(select(table)).mappings():
                row_id = str(row["id"])
                for column in table.columns:
                    stamp = clocks.get((entity, row_id, column.key))
                    if column.key != "id" and stamp:
                        state.append(
                            Change(
                                entity,
                                row_id,
                                column.key,
                                json.dumps(changes.encode_value(row[column.key])),
                                stamp,
                                "",
                            )
                        )
    own = int(vault.meta(NEXT_FILE_META) or 1) - 1
    if own > 0:
        covers[vault.device_id] = own
    key_id, key = team.current
    snapshot = ChangeFile(
        device=vault.device_id,
        seq=own,
        key_id=key_id,
        created=vault.clock.now().isoformat(timespec="seconds"),
        log_from=0,
        log_to=0,
        changes=state,
        covers=covers,
        demo=vault.is_demo,
        name=platform.node(),
    )
    return files.write_snapshot(
        folder, vault.device_id, files.encode(snapshot, team_id=team.team_id, key=key), own
    )


def join_from_snapshot(vault: Vault, folder: Path, team: TeamKeys, report: SyncReport) -> bool:
    """A laptop's first sync starts from the newest snapshot another laptop wrote, if there is one."""
    if vault.meta(LAST_SYNC_META) is not None:
        return False  # joined already: from now on only new files are read
    newest = files.newest_snapshot(folder)
    if newest is None or newest.name.startswith(f"{vault.device_id}-"):
        return False
    try:
        data = newest.read_bytes()
    except OSError as exc:
        raise FolderUnreachable(folder, exc.strerror or "") from None
    try:
        snapshot = files.decode(data, team_id=team.team_id, keys=team.keys, demo=vault.is_demo)
        check_clock(vault, snapshot)
    except BadChangeFile as exc:
        report.rejected.append((f"snapshots/{newest.name}", exc.message))
        return False
    digest = hashlib.sha256(data).hexdigest()
    with vault.unit_of_work() as session:
        session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        report.conflicts += apply_changes(session, snapshot.changes)
        for device, last in snapshot.covers.items():
            if device == vault.device_id:
                continue
            for seq in range(1, last + 1):
                session.merge(
                    SyncLedger(
                        device=device, seq=seq, sha256=f"snapshot:{digest[:16]}", applied_at=vault.clock.now()
                    )
                )
    report.received_files += 1
    report.received_changes += len(snapshot.changes)
    return True
