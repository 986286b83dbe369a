"""Export, import and merge: laptops exchanging changes through a shared folder, losing nothing.

* **Export** writes the change log since the last export as one new, immutable, encrypted file.
* **Import** reads other laptops' files in order, verifies each before parsing, applies each in one
  transaction together with its ledger row (so a crash leaves it applied or not, never half), and
  sets aside files that are damaged, tampered with or from a newer app, reporting them; the rest
  still sync.
* **Merge** is per field. A change made on top of the value here (its base stamp is ours) simply
  applies. If both sides changed the field without seeing each other, that is a conflict: the
  higher stamp is kept for now, so every laptop shows the same value, and both values are kept for
  the user to choose. An edit to something deleted elsewhere is a conflict too. Two laptops agreeing
  different priorities for the same ward and quarter keep one (the later agreement) and record a
  conflict, never two agreed priorities.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from commmatters_desktop.core.models import (
    VaultMeta,
)
from commmatters_desktop.storage.vault import WAL_LOST_META, Vault
from commmatters_desktop.sync import compaction
from commmatters_desktop.sync.conflicts import ConflictRow, field_label, open_conflicts, resolve_conflict
from commmatters_desktop.sync.exchange import (
    export,
    import_all,
    new_files,
    repair_own_files,
    take_back_later_files,
)
from commmatters_desktop.sync.merge import AUDIT_ENTITY, TABLES, apply_changes, audit_change
from commmatters_desktop.sync.snapshot import SNAPSHOT_EVERY, join_from_snapshot, write_snapshot
from commmatters_desktop.sync.state import (
    AUDIT_EXPORTED_META,
    EXPORTED_META,
    FOLDER_META,
    LAST_SYNC_META,
    NEXT_FILE_META,
    TEAM_META,
    TEAM_PASSPHRASE_ENV,
    FolderUnreachable,
    SyncReport,
    pending_changes,
    put_meta,
    read_listing,
)
from commmatters_desktop.sync.team import check_same_folder, leave, team_keys

# --- a whole sync ---------------------------------------------------------------------------------------------


__all__ = [
    "AUDIT_ENTITY", "AUDIT_EXPORTED_META", "EXPORTED_META", "FOLDER_META", "LAST_SYNC_META", "NEXT_FILE_META",
    "SNAPSHOT_EVERY", "TABLES", "TEAM_META", "TEAM_PASSPHRASE_ENV", "ConflictRow", "FolderUnreachable",
    "SyncReport", "apply_changes", "audit_change", "check_same_folder", "export", "field_label", "import_all",
    "join_from_snapshot", "leave", "open_conflicts", "pending_changes", "read_listing", "resolve_conflict",
    "sync", "take_back_later_files", "team_keys", "write_snapshot",
]  # fmt: skip


def sync(
    vault: Vault,
    folder: Path,
    *,
    passphrase: str | None = None,
    progress: Callable[[int, int], bool] | None = None,
) -> SyncReport:
    """Import what the others wrote, then export what this laptop did; nothing is lost either way.

    The last-sync time moves only when every step ran: a sync stopped half way says so, sends
    nothing, and leaves the status showing the previous sync.
    """
    folder = folder.expanduser()
    if not folder.is_dir():
        raise FolderUnreachable(folder, "it does not exist or is not a folder")
    team = team_keys(vault, folder, passphrase)
    report = SyncReport()
    listing = new_files(vault, folder)
    taken_back = take_back_later_files(vault, folder, team, listing)
    if taken_back:
        report.changed.everything = True
        report.notes.append(
            f"This vault is older than its own {taken_back} latest file(s) in the shared folder (restored from a "
            f"backup, or its last changes lost in a crash). It took them back in and now sends as {vault.device_id}; "
            "nothing was skipped."
        )
    join_from_snapshot(vault, folder, team, report)
    import_all(vault, folder, team, report, progress, listing)
    if report.interrupted:
        return report
    from commmatters_desktop.sync import purge

    if purge.carry_out(vault, folder, team, changed=report.changed):  # orders from anyone: history, files
        report.changed.everything = True
    waited = compaction.waited_for(vault, list(listing.files))
    repair_own_files(vault, folder, team, report, after=compaction.acknowledged(vault, waited))
    report.sent_files, report.sent_changes = export(vault, folder, team, report)
    written = int(vault.meta(NEXT_FILE_META) or 1) - 1
    if report.sent_files and written % SNAPSHOT_EVERY == 0:
        try:
            write_snapshot(vault, folder, team)  # so laptops joining later need not replay every file
        except OSError as exc:
            raise FolderUnreachable(folder, exc.strerror or "") from None
    compaction.compact(vault, folder, team, list(listing.files))  # what every laptop has taken in
    lost = vault.meta(WAL_LOST_META)
    if lost is not None:
        report.notes.append(
            f"The changes saved just before the crash of {lost} were lost with the database's -wal file; "
            + (
                f"the {taken_back} file(s) the shared folder still held were taken back in. "
                if taken_back
                else "the shared folder held none of them. "
            )
            + "Anything made after the sync before that crash and not sent could not be recovered."
        )
    with vault.unit_of_work() as session:
        put_meta(session, FOLDER_META, str(folder))
        put_meta(session, LAST_SYNC_META, vault.clock.now().isoformat(timespec="seconds"))
        if lost is not None:
            row = session.get(VaultMeta, WAL_LOST_META)
            if row is not None:
                session.delete(row)
    return report
