"""What sync remembers in the vault (meta keys, the ledger of files taken in) and what it reports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commmatters_desktop.core.changeset import ChangeSet
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.models import (
    ChangeLog,
    SyncLedger,
    VaultMeta,
)
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.sync import files

TEAM_META, EXPORTED_META, NEXT_FILE_META = "sync_team", "sync_exported_log_seq", "sync_next_file_seq"
FOLDER_META, LAST_SYNC_META = "sync_folder", "sync_last"
AUDIT_EXPORTED_META = "sync_exported_audit_id"
#: ``sync_acks:<device>``: the files of every laptop that laptop had taken in when it wrote its latest.
ACKS_META = "sync_acks:"
#: ``sync_file_span:<seq>``: what this laptop's file ``seq`` holds, as [log rows after, up to, audit
#: events after, up to], so a copy damaged in the shared folder can be written again (``exchange``).
FILE_SPAN_META = "sync_file_span:"
#: The change log's rows up to this number were compacted away (every laptop had them).
COMPACTED_META = "sync_compacted_log_seq"
TEAM_PASSPHRASE_ENV = "COMMMATTERS_TEAM_PASSPHRASE"


class FolderUnreachable(UserError):
    def __init__(self, folder: Path, detail: str = "") -> None:
        super().__init__(
            f"The shared folder {folder} cannot be reached{f' ({detail})' if detail else ''}. Nothing was lost: "
            "sync again when the laptop is back on the network or the USB stick is plugged in."
        )


@dataclass
class SyncReport:
    sent_files: int = 0
    sent_changes: int = 0
    received_files: int = 0
    received_changes: int = 0
    conflicts: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    ignored: int = 0
    #: Files to take in this time, and whether the user stopped the sync before they were all done.
    to_receive: int = 0
    interrupted: bool = False
    #: Things the user should know that are not a file's problem (a restore detected, a recovery).
    notes: list[str] = field(default_factory=list)
    #: The rows the sync wrote into this vault, for the window to refresh (everything after a join,
    #: a snapshot taken in, or a purge carried out).
    changed: ChangeSet = field(default_factory=ChangeSet)

    def describe(self) -> str:
        def plural(count: int, word: str) -> str:
            return f"{count} {word}{'s' if count != 1 else ''}"

        if self.interrupted:
            return (
                f"Sync stopped before it finished: received {self.received_changes} changes in "
                f"{self.received_files} of {plural(self.to_receive, 'file')}, and nothing was sent. "
                "Nothing was lost: sync again to finish."
            )
        text = (
            f"Sent {plural(self.sent_changes, 'change')} in {plural(self.sent_files, 'file')}; received "
            f"{self.received_changes} in {self.received_files}; {plural(self.conflicts, 'new conflict')}; "
            f"{plural(len(self.rejected), 'file')} rejected."
        )
        if self.waiting:
            text += f" {plural(len(self.waiting), 'file')} waiting for earlier ones; they will be retried."
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "sent_files": self.sent_files,
            "sent_changes": self.sent_changes,
            "received_files": self.received_files,
            "received_changes": self.received_changes,
            "conflicts": self.conflicts,
            "rejected": [{"file": f, "reason": r} for f, r in self.rejected],
            "waiting": self.waiting,
            "ignored": self.ignored,
            "interrupted": self.interrupted,
            "notes": self.notes,
            "finished": not self.interrupted,
        }


def pending_changes(vault: Vault, *, limit: int | None = None) -> int:
    """Changes made here and not yet sent; counting no further than ``limit`` (a vault that never synced
    holds its whole history unsent: millions of rows for a force, seconds to count on every start)."""
    watermark = int(vault.meta(EXPORTED_META) or 0)
    unsent = select(ChangeLog.seq).where(ChangeLog.seq > watermark)
    if limit is not None:
        unsent = unsent.limit(limit)
    with vault.reading() as session:
        return int(session.scalar(select(func.count()).select_from(unsent.subquery())) or 0)


def put_meta(session: Session, key: str, value: str) -> None:
    session.merge(VaultMeta(key=key, value=value))


# --- import ----------------------------------------------------------------------------------------------


def read_listing(folder: Path, after: dict[str, int] | None = None) -> files.Listing:
    """The shared folder's change files, leaving out each laptop's files up to ``after[laptop]``."""
    try:
        return files.listing(folder, after)
    except OSError as exc:
        raise FolderUnreachable(folder, exc.strerror or "") from None


@dataclass
class Applied:
    """Which of one laptop's files are in: every one up to ``upto``, and any later ones (only ever
    after a gap, from older versions). Files go in strictly in order, so this is one number a laptop."""

    upto: int = 0
    later: set[int] = field(default_factory=set)

    def __contains__(self, seq: int) -> bool:
        return seq <= self.upto or seq in self.later

    @property
    def expected(self) -> int:
        return self.upto + 1

    def add(self, seq: int) -> None:
        self.later.add(seq)
        while self.upto + 1 in self.later:
            self.later.remove(self.upto + 1)
            self.upto += 1


def applied_files(session: Session) -> dict[str, Applied]:
    """The ledger, one row per laptop: its highest file and how many, so a force's 26,000 ledger rows
    are never loaded; only a laptop whose count and highest number differ has its numbers read."""
    applied: dict[str, Applied] = defaultdict(Applied)
    grouped = select(SyncLedger.device, func.max(SyncLedger.seq), func.count()).group_by(SyncLedger.device)
    for device, highest, count in session.execute(grouped).all():
        if highest == count:
            applied[device].upto = int(highest)
            continue
        for seq in session.scalars(select(SyncLedger.seq).where(SyncLedger.device == device)):
            applied[device].add(int(seq))
    return applied
