"""Carrying out purge orders on disk: this laptop's database pages, its backups, and its shared files.

``core.retention`` blanks the fields and scrubs the change log inside the database. What is left is
below the SQL: freed pages and the WAL (``secure_delete`` zeroes freed pages; VACUUM rebuilds the file
and the WAL is checkpointed and truncated), upgrade backups taken before the purge (removed: a backup
holding purged data would undo the erasure), and the change files and snapshots this laptop wrote to
the shared folder. Change files are otherwise never rewritten; a purge re-encrypts this laptop's own
files with the purged values replaced (same numbers, so laptops that applied them are unaffected and
laptops that have not get the purged version) and replaces its snapshots with one compacted snapshot.
Each laptop does this for its own files when the order reaches it, so after everyone has synced the
purged text is nowhere in the shared folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from commmatters_desktop.core import changes, retention
from commmatters_desktop.core.changeset import ChangeSet
from commmatters_desktop.core.models import ChangeLog, PurgeOrder
from commmatters_desktop.storage.vault import BACKUP_FOLDER, Vault, atomic_write
from commmatters_desktop.sync import files
from commmatters_desktop.sync.files import BadChangeFile, TeamKeys

FILES_META = "purge_files:"


def purge(vault: Vault, items: list[retention.Due], *, reason: str, actor: str | None = None) -> int:
    """Remove the personal data in ``items`` here and now; the shared folder follows at the next sync."""
    with vault.unit_of_work(actor) as session:
        orders = retention.order_purge(session, items, reason=reason)
    compact(vault)
    return len(orders)


def compact(vault: Vault) -> None:
    """No trace below the SQL: rebuild the file, empty the WAL, drop backups older than now."""
    connection = vault.engine.raw_connection()
    try:
        driver = connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        driver.execute("VACUUM")
        driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    backups = vault.folder / BACKUP_FOLDER
    if backups.is_dir():
        for old in backups.glob("before-upgrade-*"):
            old.unlink()


def carry_out(vault: Vault, folder: Path, team: TeamKeys, *, changed: ChangeSet | None = None) -> int:
    """Orders from any laptop, not yet carried out here: scrub, compact, rewrite this laptop's files.
    What the scrub wrote in the vault is added to ``changed``."""
    with vault.unit_of_work() as session:
        scrubbed = retention.scrub_history(session)
        orders = [(str(o.id), o.entity, o.row_id, o.fields, o.ordered_on.isoformat())
                  for o in session.scalars(select(PurgeOrder))]  # fmt: skip
    if changed is not None:
        changed.merge(changes.change_set(session))
    pending = [o for o in orders if vault.meta(f"{FILES_META}{o[0]}") != f"{o[3]}|{o[4]}"]
    if scrubbed:
        compact(vault)
    if not pending:
        return 0
    targets = {
        (entity, row_id, name) for _, entity, row_id, fields, _ in pending for name in fields.split(",")
    }
    _rewrite_own_files(vault, folder, team, targets, _masked_entries(vault, [o[0] for o in pending]))
    _replace_own_snapshots(vault, folder, team)
    for order_id, _, _, fields, on in pending:
        vault.set_meta(f"{FILES_META}{order_id}", f"{fields}|{on}")
    return len(pending)


def _masked_entries(vault: Vault, order_ids: list[str]) -> dict[tuple[str, str, str, str], str]:
    """The free text the orders masked (names of purged people), as the change log now holds it."""
    keys = [
        tuple(k) for o in order_ids for k in json.loads(vault.meta(f"{retention.MENTIONS_META}{o}") or "[]")
    ]
    if not keys:
        return {}
    with vault.reading() as session:
        rows = session.execute(
            select(
                ChangeLog.entity, ChangeLog.row_id, ChangeLog.field, ChangeLog.stamp, ChangeLog.value
            ).where(ChangeLog.stamp.in_({k[3] for k in keys}))
        )
        return {(e, r, f, s): v for e, r, f, s, v in rows if (e, r, f, s) in set(keys)}


def _rewrite_own_files(
    vault: Vault,
    folder: Path,
    team: TeamKeys,
    targets: set[tuple[str, str, str]],
    masked: dict[tuple[str, str, str, str], str],
) -> None:
    purged = json.dumps(retention.PURGED)
    own = folder / files.ROOT / vault.device_id
    if not own.is_dir():
        return
    for path in sorted(own.iterdir()):
        if not files.CHANGE_FILE.match(path.name):
            continue
        try:
            change_file = files.decode(path.read_bytes(), team_id=team.team_id, keys=team.keys)
        except (BadChangeFile, OSError):
            continue
        touched = False
        for index, change in enumerate(change_file.changes):
            value = change.value
            if (change.entity, change.row_id, change.field) in targets:
                value = purged
            value = masked.get((change.entity, change.row_id, change.field, change.stamp), value)
            if value != change.value:
                change_file.changes[index] = files.Change(change.entity, change.row_id, change.field, value,
                                                          change.stamp, change.base)  # fmt: skip
                touched = True
        if touched:
            key = team.keys[change_file.key_id]
            atomic_write(path, files.encode(change_file, team_id=team.team_id, key=key))


def _replace_own_snapshots(vault: Vault, folder: Path, team: TeamKeys) -> None:
    from commmatters_desktop.sync.snapshot import write_snapshot

    directory = folder / files.ROOT / files.SNAPSHOTS
    if not directory.is_dir():
        return
    own = [p for p in directory.iterdir() if p.name.startswith(f"{vault.device_id}-")]
    if not own:
        return
    fresh = write_snapshot(vault, folder, team)
    for old in own:
        if old != fresh:
            old.unlink()
