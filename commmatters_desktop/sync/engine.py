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

import datetime as dt
import hashlib
import json
import os
import platform
import secrets
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Enum, Table, Uuid, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes, retention
from commmatters_desktop.core.enums import AGREED_OR_LATER, PriorityStatus
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.hlc import MAX_DRIFT, Stamp
from commmatters_desktop.core.models import (
    SYNCED_MODELS,
    AuditEvent,
    ChangeLog,
    FieldClock,
    Priority,
    SyncConflict,
    SyncLedger,
    SyncProblem,
    VaultMeta,
)
from commmatters_desktop.core.services import laptops
from commmatters_desktop.storage.vault import WAL_LOST_META, Vault
from commmatters_desktop.sync import files
from commmatters_desktop.sync.files import BadChangeFile, Change, ChangeFile, TeamKeys

TABLES: dict[str, Table] = {model.__tablename__: model.__table__ for model in SYNCED_MODELS}  # type: ignore[misc]
TEAM_META, EXPORTED_META, NEXT_FILE_META = "sync_team", "sync_exported_log_seq", "sync_next_file_seq"
FOLDER_META, LAST_SYNC_META = "sync_folder", "sync_last"
#: The audit trail travels in change files as entity "audit_event", one change per event (row_id = uid).
AUDIT_ENTITY, AUDIT_EXPORTED_META = "audit_event", "sync_exported_audit_id"
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


# --- the team key -----------------------------------------------------------------------------------------


def team_keys(vault: Vault, folder: Path, passphrase: str | None) -> TeamKeys:
    """The team's keys: from this vault, or by joining (or founding) the team with the passphrase."""
    local_text = vault.meta(TEAM_META)
    local = TeamKeys.from_meta(local_text) if local_text else None
    data = _team_file(folder)
    if data is None:
        if local is not None:
            raise UserError(
                f"The shared folder {folder} has no team file, but this laptop belongs to a team. "
                "Check you chose the right folder (and that it is plugged in); nothing was changed. To start "
                "a new team there instead, run 'sync --leave' first."
            )
        if not passphrase:
            raise UserError(
                f"Choose a team passphrase to start syncing in {folder}: set {TEAM_PASSPHRASE_ENV} or "
                "use --team-passphrase-file, and share it with colleagues in person."
            )
        try:
            team = files.create_team(folder, passphrase, vault.clock.now(), demo=vault.is_demo)
        except files.TeamFileExists:
            data = _team_file(folder)  # another laptop founded it a moment ago: join theirs
            if data is None:
                raise UserError(
                    f"Another laptop is setting up sync in {folder} right now; sync again in a minute."
                ) from None
        except OSError as exc:
            raise FolderUnreachable(folder, exc.strerror or "") from None
    if data is not None:
        _same_kind(vault, folder, data)
        if (
            local is not None
            and local.team_id == data["team"]
            and {k["id"] for k in data["keys"]} <= set(local.keys)
        ):
            return local
        if local is not None and local.team_id != data["team"]:
            raise UserError(
                f"{folder} belongs to a different team from this laptop's; nothing was changed. If this laptop "
                "should now sync with that team, run 'sync --leave' and then sync with that team's passphrase "
                "(nothing in the vault is lost)."
            )
        if not passphrase:
            raise UserError(
                f"This laptop has not joined the team that syncs in {folder}: set {TEAM_PASSPHRASE_ENV} "
                "or use --team-passphrase-file with the team passphrase."
            )
        team = files.join_team(data, passphrase)
    vault.set_meta(TEAM_META, team.to_meta())
    return team


def _team_file(folder: Path) -> dict[str, Any] | None:
    try:
        return files.read_team_file(folder)
    except OSError as exc:
        raise FolderUnreachable(folder, exc.strerror or "") from None


def _same_kind(vault: Vault, folder: Path, data: dict[str, Any]) -> None:
    """A demo vault and a real team never share a folder, whichever way round."""
    demo_folder = bool(data.get("demo", False))
    if demo_folder and not vault.is_demo:
        raise UserError(
            f"{folder} is where a DEMO vault syncs: a real vault never takes in its invented data. "
            "Choose your team's own shared folder; nothing was changed."
        )
    if vault.is_demo and not demo_folder:
        raise UserError(
            f"{folder} is a real team's shared folder: the demo vault never syncs with it. Give the demo a "
            "folder of its own; nothing was changed."
        )


def check_same_folder(folder: Path, team: TeamKeys) -> None:
    """The folder still holds this team's file: not unplugged, not swapped for another (checked before
    and after writing, so a change file is never reported sent into a folder nobody reads)."""
    try:
        data = files.read_team_file(folder)
    except (OSError, UserError):
        data = None
    if data is None or data.get("team") != team.team_id:
        raise FolderUnreachable(folder, "it went away or changed during the sync")


def leave(vault: Vault) -> str:
    """Leave the team: forget its key and folder. Nothing in the vault is lost: the next sync joins
    (or founds) a team afresh, as a new device, and sends everything this laptop holds."""
    old = vault.device_id
    with vault.unit_of_work() as session:
        for key in (TEAM_META, FOLDER_META, LAST_SYNC_META, EXPORTED_META, NEXT_FILE_META):
            row = session.get(VaultMeta, key)
            if row is not None:
                session.delete(row)
    _new_device(vault)
    return old


def _new_device(vault: Vault) -> None:
    """Continue as a new device id, keeping the laptop's name for colleagues."""
    with vault.reading() as session:
        named = laptops.laptop_name(session, vault.device_id)
    vault.renew_device_id()
    if not named.startswith("laptop "):
        with vault.unit_of_work() as session:
            laptops.name_laptop(session, device_id=vault.device_id, name=named)


# --- export --------------------------------------------------------------------------------------------------


def export(vault: Vault, folder: Path, team: TeamKeys, report: SyncReport | None = None) -> tuple[int, int]:
    """Write the changes since the last export as one new file; returns (files, changes) written.

    Only a file this laptop provably wrote (it opens with the team key, names this device and number,
    and holds exactly the local change log's rows in its range) is taken as an export that died before
    it was noted; anything else under this laptop's next number is set aside, never trusted.
    """
    report = report if report is not None else SyncReport()
    device = vault.device_id
    watermark = int(vault.meta(EXPORTED_META) or 0)
    seq = int(vault.meta(NEXT_FILE_META) or 1)
    check_same_folder(folder, team)
    while True:
        existing = folder / files.ROOT / device / files.file_name(seq)
        try:
            data = existing.read_bytes()
        except FileNotFoundError:
            break
        except IsADirectoryError:
            data = b""
        except OSError as exc:
            raise FolderUnreachable(folder, exc.strerror or "") from None
        verdict, change_file = _own_file(vault, team, data, seq, watermark)
        if verdict == "ours":
            assert change_file is not None
            watermark, seq = change_file.log_to, seq + 1  # written before a crash, never noted: noted now
            continue
        if verdict == "other copy":
            raise UserError(
                f"The shared folder holds files of this laptop ({device}) that its vault did not write: this "
                "vault may be a copy of another laptop's. Sync again; if it repeats, run 'sync --leave' and "
                "sync again (nothing is lost)."
            )
        # Not written by this laptop (planted, or damaged before anyone could use it): put aside, keep it.
        aside = existing.with_name(f"{existing.name}.not-ours-{secrets.token_hex(3)}")
        try:
            os.replace(existing, aside)
        except OSError as exc:
            raise FolderUnreachable(folder, exc.strerror or "") from None
        report.rejected.append(
            (
                f"{device}/{existing.name}",
                f"this laptop did not write it, so it was set aside as {aside.name}",
            )
        )
        break
    audit_mark = int(vault.meta(AUDIT_EXPORTED_META) or 0)
    with vault.reading() as session:
        rows = list(
            session.scalars(select(ChangeLog).where(ChangeLog.seq > watermark).order_by(ChangeLog.seq))
        )
        events = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.id > audit_mark, AuditEvent.device == device)
                .order_by(AuditEvent.id)
            )
        )
    if not rows and not events:
        with vault.unit_of_work() as session:
            _set_meta(session, EXPORTED_META, str(watermark))
            _set_meta(session, NEXT_FILE_META, str(seq))
        return 0, 0
    key_id, key = team.current
    change_file = ChangeFile(
        device=device,
        seq=seq,
        key_id=key_id,
        created=vault.clock.now().isoformat(timespec="seconds"),
        log_from=rows[0].seq if rows else watermark,
        log_to=rows[-1].seq if rows else watermark,
        changes=[Change(r.entity, r.row_id, r.field, r.value, r.stamp, r.base) for r in rows]
        + [audit_change(e) for e in events],
        demo=vault.is_demo,
        name=platform.node(),
    )
    try:
        files.write_change_file(folder, device, files.encode(change_file, team_id=team.team_id, key=key), seq)
    except OSError as exc:
        raise FolderUnreachable(folder, exc.strerror or "") from None
    # The file went where the team reads it, or it is not "sent". It is never deleted (another laptop
    # may have read it already): if it did land in the team's folder, the next export proves it ours.
    check_same_folder(folder, team)
    with vault.unit_of_work() as session:
        _set_meta(session, EXPORTED_META, str(rows[-1].seq if rows else watermark))
        _set_meta(session, NEXT_FILE_META, str(seq + 1))
        if events:
            _set_meta(session, AUDIT_EXPORTED_META, str(events[-1].id))
    return 1, len(rows) + len(events)


def audit_change(event: AuditEvent) -> Change:
    """An audit event on the wire: its own uid, time, actor and device travel; the seal is per laptop."""
    fields = [event.at.isoformat(), event.actor, event.device, event.action, event.entity, event.row_id,
              event.summary]  # fmt: skip
    return Change(AUDIT_ENTITY, event.uid, "event", json.dumps(fields, ensure_ascii=False), "", "")


def _apply_audit(session: Session, incoming: list[Change]) -> None:
    """Other laptops' audit events, appended once each (by uid) to this laptop's own sealed chain."""
    from commmatters_desktop.core import audit

    arriving = {c.row_id: c for c in incoming if c.entity == AUDIT_ENTITY}
    if not arriving:
        return
    known = set(session.scalars(select(AuditEvent.uid).where(AuditEvent.uid.in_(list(arriving)))))
    key = changes.context_of(session).audit_key
    fresh = []
    for uid, change in arriving.items():
        if uid in known:
            continue
        at, actor, device, action, entity, row_id, summary = json.loads(change.value)
        fresh.append(AuditEvent(uid=uid, at=dt.datetime.fromisoformat(at), actor=actor, device=device,
                                action=action, entity=entity, row_id=row_id, summary=summary))  # fmt: skip
    audit.append_many(session, key, fresh)


def _own_file(
    vault: Vault, team: TeamKeys, data: bytes, seq: int, watermark: int
) -> tuple[str, ChangeFile | None]:
    """ "ours" (this vault wrote it), "other copy" (this device's id, another vault's log) or "not ours"."""
    try:
        change_file = files.decode(data, team_id=team.team_id, keys=team.keys, demo=vault.is_demo)
    except BadChangeFile:
        return "not ours", None
    if change_file.device != vault.device_id or change_file.seq != seq:
        return "not ours", None
    if change_file.log_from > watermark and _matches_log(vault, change_file):
        return "ours", change_file
    if change_file.log_from == change_file.log_to == watermark and _our_audit_only(vault, change_file):
        return "ours", change_file  # a file of audit events only, written before a crash
    return "other copy", change_file


def _our_audit_only(vault: Vault, change_file: ChangeFile) -> bool:
    """The file holds only audit events, and every one is an event this vault recorded on this laptop."""
    uids = [c.row_id for c in change_file.changes if c.entity == AUDIT_ENTITY]
    if not uids or len(uids) != len(change_file.changes):
        return False
    with vault.reading() as session:
        known = set(
            session.scalars(
                select(AuditEvent.uid).where(AuditEvent.uid.in_(uids), AuditEvent.device == vault.device_id)
            )
        )
    return known == set(uids)


def _matches_log(vault: Vault, change_file: ChangeFile) -> bool:
    with vault.reading() as session:
        rows = session.scalars(
            select(ChangeLog)
            .where(ChangeLog.seq >= change_file.log_from, ChangeLog.seq <= change_file.log_to)
            .order_by(ChangeLog.seq)
        )
        local = [Change(r.entity, r.row_id, r.field, r.value, r.stamp, r.base) for r in rows]
    # Audit events travel in the same files; the change log's own rows are what prove the file ours.
    return local == [c for c in change_file.changes if c.entity != AUDIT_ENTITY]


def take_back_later_files(vault: Vault, folder: Path, team: TeamKeys, listing: files.Listing) -> int:
    """A vault older than its own files in the folder (restored from a backup, or its last writes lost
    with a deleted -wal file) would adopt them as its own and never send its next edits. Instead it
    continues as a new device and takes those files in like any other laptop's: nothing is skipped.
    Returns how many files it takes back (0 when the vault is up to date)."""
    device = vault.device_id
    next_seq = int(vault.meta(NEXT_FILE_META) or 1)
    watermark = int(vault.meta(EXPORTED_META) or 0)
    later = [(seq, path) for seq, path in listing.files.get(device, []) if seq >= next_seq]
    foreign = 0
    for seq, path in later:
        try:
            verdict, _ = _own_file(vault, team, path.read_bytes(), seq, watermark)
        except OSError:
            continue
        if verdict == "other copy":
            foreign += 1
        elif verdict == "ours":
            watermark = max(watermark, seq)
    if not foreign:
        return 0
    with vault.unit_of_work() as session:
        for seq in range(1, next_seq):  # the files this vault did write are in its own log already
            session.merge(SyncLedger(device=device, seq=seq, sha256="own", applied_at=vault.clock.now()))
        _set_meta(session, NEXT_FILE_META, "1")
    _new_device(vault)
    return len(later)


def pending_changes(vault: Vault) -> int:
    watermark = int(vault.meta(EXPORTED_META) or 0)
    with vault.reading() as session:
        return int(
            session.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.seq > watermark)) or 0
        )


def _set_meta(session: Session, key: str, value: str) -> None:
    session.merge(VaultMeta(key=key, value=value))


# --- import ----------------------------------------------------------------------------------------------


def read_listing(folder: Path) -> files.Listing:
    try:
        return files.listing(folder)
    except OSError as exc:
        raise FolderUnreachable(folder, exc.strerror or "") from None


def import_all(
    vault: Vault,
    folder: Path,
    team: TeamKeys,
    report: SyncReport,
    progress: Callable[[int, int], bool] | None = None,
    listing: files.Listing | None = None,
) -> None:
    """Apply every new file from the other laptops, each laptop's strictly in its own order.

    A laptop's edits are sequential, never concurrent with each other: its file N+1 waits until its
    file N is here and usable (it may still be copying in), so out-of-order delivery never looks like
    a conflict. Passes repeat while files wait for another laptop's (a parent record, say).
    """
    listing = listing if listing is not None else read_listing(folder)
    report.ignored = listing.junk
    for name, reason in listing.quarantined:
        report.rejected.append((name, reason))
    with vault.reading() as session:
        applied: dict[str, set[int]] = defaultdict(set)
        for d, s in session.execute(select(SyncLedger.device, SyncLedger.seq)):
            applied[d].add(int(s))
        known_bad = {(p.device, p.name): p.sha256 for p in session.scalars(select(SyncProblem))}
    queues: dict[str, list[tuple[int, Path]]] = {
        device: [(seq, path) for seq, path in entries if seq not in applied[device]]
        for device, entries in listing.files.items()
        if device != vault.device_id
    }
    queues = {device: queue for device, queue in queues.items() if queue}
    report.to_receive = total = sum(len(queue) for queue in queues.values())
    done = 0
    progressed = True
    while queues and progressed:
        progressed = False
        for device in list(queues):
            queue = queues[device]
            while queue:
                if progress is not None and not progress(done, total):
                    report.interrupted = True
                    return
                seq, path = queue[0]
                if seq != _first_gap(applied[device]):
                    break  # an earlier file of that laptop is not here yet: this one waits for it
                if _take_in(vault, folder, team, report, device, seq, path, known_bad) != "applied":
                    break
                applied[device].add(seq)
                queue.pop(0)
                progressed = True
                done += 1
            if not queue:
                del queues[device]
    report.waiting = sorted(
        f"{device}/{path.name}" for device, queue in queues.items() for _seq, path in queue
    )


def _first_gap(seqs: set[int]) -> int:
    expected = 1
    while expected in seqs:
        expected += 1
    return expected


def _take_in(
    vault: Vault,
    folder: Path,
    team: TeamKeys,
    report: SyncReport,
    device: str,
    seq: int,
    path: Path,
    known_bad: dict[tuple[str, str], str],
) -> str:
    """ "applied", "rejected" (reported), "waiting" (needs another laptop's file) or "missing"."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return "missing"  # removed while we looked: retried next time, nothing after it is applied
    except OSError as exc:
        raise FolderUnreachable(folder, exc.strerror or "") from None
    digest = hashlib.sha256(data).hexdigest()
    name = f"{device}/{path.name}"
    try:
        change_file = files.decode(data, team_id=team.team_id, keys=team.keys, demo=vault.is_demo)
        if change_file.device != device or change_file.seq != seq:
            raise BadChangeFile("its contents do not match its name and folder")
        _check_clock(vault, change_file)
    except BadChangeFile as exc:
        if name not in {n for n, _r in report.rejected}:
            report.rejected.append((name, exc.message))
        if known_bad.get((device, path.name)) != digest:
            _record_problem(vault, device, path.name, digest, exc.message)
            known_bad[(device, path.name)] = digest
        return "rejected"
    try:
        report.conflicts += _apply_file(vault, change_file, digest)
    except IntegrityError:
        return "waiting"  # it refers to something another laptop's file brings: a later pass
    report.received_files += 1
    report.received_changes += len(change_file.changes)
    return "applied"


def _check_clock(vault: Vault, change_file: ChangeFile) -> None:
    """Stamps more than a day ahead of this laptop's clock come from a laptop whose clock is wrong:
    taking them in would drag every laptop's stamps to that date for good, so the file waits."""
    try:
        # Audit events carry their own time, not a field clock stamp: only stamped changes are checked.
        newest = max((Stamp.parse(c.stamp) for c in change_file.changes if c.stamp), default=None)
    except ValueError:
        raise BadChangeFile(files.DAMAGED_HEADER) from None
    now = vault.clock.now()
    if newest is not None and newest.ahead_of(now) > MAX_DRIFT:
        with vault.reading() as session:
            who = laptops.laptop_name(session, change_file.device)
        if who.startswith("laptop ") and change_file.name:
            who = f"laptop '{change_file.name}'"  # not named in the app yet: the computer's own name
        raise BadChangeFile(
            f"{who} ({change_file.device}) dated its changes {newest.moment:%d %b %Y}, more than a day ahead of "
            f"this laptop's clock ({now:%d %b %Y}), so they were set aside: correct the date on whichever "
            "laptop is wrong, and they will be taken in at the next sync"
        )


def _record_problem(vault: Vault, device: str, name: str, digest: str, reason: str) -> None:
    with vault.unit_of_work() as session:
        row = sqlite_insert(SyncProblem).values(
            device=device,
            name=name,
            sha256=digest,
            reason=reason,
            seen_at=vault.clock.now(),
        )
        session.execute(
            row.on_conflict_do_update(
                index_elements=["device", "name"], set_={"sha256": digest, "reason": reason}
            )
        )


def _apply_file(vault: Vault, change_file: ChangeFile, digest: str) -> int:
    """One file, one transaction: every change and its ledger row, or none of them."""
    with vault.unit_of_work() as session:
        session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        conflicts = apply_changes(session, change_file.changes)
        session.add(
            SyncLedger(
                device=change_file.device, seq=change_file.seq, sha256=digest, applied_at=vault.clock.now()
            )
        )
    return conflicts


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
        _check_clock(vault, snapshot)
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


# --- merge --------------------------------------------------------------------------------------------------


def _decode(table: Table, name: str, raw: str) -> Any:
    value = json.loads(raw)
    if value is None:
        return None
    kind = table.c[name].type
    if isinstance(kind, Uuid):
        return uuid.UUID(value)
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return kind.enum_class(value)
    if isinstance(kind, DateTime) or getattr(kind, "impl", None).__class__ is DateTime:
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(value)
    return value


def apply_changes(session: Session, incoming: list[Change]) -> int:
    """Merge other laptops' changes into this vault, field by field; returns the conflicts found."""
    context = changes.context_of(session)
    connection = session.connection()
    _apply_audit(session, incoming)
    by_row: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for change in incoming:
        if change.entity in TABLES:
            by_row[(change.entity, change.row_id)].append(change)
    conflicts = 0
    for (entity, row_id), group in by_row.items():
        table = TABLES[entity]
        clocks = dict(
            connection.execute(
                select(FieldClock.field, FieldClock.stamp).where(
                    FieldClock.entity == entity, FieldClock.row_id == row_id
                )
            ).all()
        )
        row = connection.execute(select(table).where(table.c.id == uuid.UUID(row_id))).mappings().first()
        accepted: dict[str, Change] = {}
        for change in sorted(group, key=lambda c: c.stamp):
            context.hlc.observe(Stamp.parse(change.stamp))
            if change.field not in table.c:
                continue  # a field from a newer app: nothing here to put it in
            local = clocks.get(change.field)
            if local == change.stamp:
                continue
            if local is None or change.base == local:
                accepted[change.field], clocks[change.field] = change, change.stamp
                continue
            here = json.dumps(changes.encode_value(row[change.field])) if row is not None else "null"
            if here != change.value:
                conflicts += _conflict(session, entity, row_id, change, here, local)
            if change.stamp > local:
                accepted[change.field], clocks[change.field] = change, change.stamp
        if (
            row is not None
            and row["deleted"]
            and "deleted" not in accepted
            and any(f != "deleted" for f in accepted)
        ):
            # Edited on another laptop after it was deleted here: the edit is kept on record as a conflict.
            edited = next(c for c in accepted.values() if c.field != "deleted")
            conflicts += _conflict(
                session,
                entity,
                row_id,
                Change(entity, row_id, "deleted", "false", edited.stamp, ""),
                "true",
                clocks.get("deleted", ""),
                note="edited on another laptop after it was deleted here",
            )
        if not accepted:
            continue
        values = {name: _decode(table, name, c.value) for name, c in accepted.items()}
        if entity == "priority":
            conflicts += _one_agreed_priority(session, row_id, row, values, accepted)
        if row is None:
            connection.execute(insert(table).values(id=uuid.UUID(row_id), **values))
        else:
            if "full_name" in values:
                retention.keep_name_before_purge(
                    connection, entity, row_id, row["full_name"], values["full_name"]
                )
            connection.execute(update(table).where(table.c.id == uuid.UUID(row_id)).values(**values))
        upsert = sqlite_insert(FieldClock)
        connection.execute(
            upsert.on_conflict_do_update(
                index_elements=["entity", "row_id", "field"], set_={"stamp": upsert.excluded.stamp}
            ),
            [
                {"entity": entity, "row_id": row_id, "field": name, "stamp": c.stamp}
                for name, c in accepted.items()
            ],
        )
    meta = sqlite_insert(VaultMeta)
    connection.execute(
        meta.on_conflict_do_update(index_elements=["key"], set_={"value": meta.excluded.value}),
        {"key": changes.HLC_META_KEY, "value": str(context.hlc.last)},
    )
    return conflicts


def _conflict(
    session: Session, entity: str, row_id: str, change: Change, here: str, local_stamp: str, note: str = ""
) -> int:
    already = session.scalars(
        select(SyncConflict).where(
            SyncConflict.entity == entity,
            SyncConflict.row_id == row_id,
            SyncConflict.field == change.field,
            SyncConflict.remote_stamp == change.stamp,
        )
    ).first()
    if already is not None:
        return 0
    session.add(
        SyncConflict(
            entity=entity,
            row_id=row_id,
            field=change.field,
            local_value=here,
            local_stamp=local_stamp,
            remote_value=change.value,
            remote_stamp=change.stamp,
            detected_at=changes.context_of(session).clock.now(),
            note=note,
        )
    )
    return 1


def _one_agreed_priority(
    session: Session, row_id: str, row: Any, values: dict[str, Any], accepted: dict[str, Change]
) -> int:
    """Two laptops agreed different priorities for one ward and quarter: keep the later agreement."""
    status = values.get("status", row["status"] if row is not None else None)
    if status not in AGREED_OR_LATER or values.get("deleted", row["deleted"] if row is not None else False):
        return 0
    ward_id = values.get("ward_id", row["ward_id"] if row is not None else None)
    cycle_id = values.get("cycle_id", row["cycle_id"] if row is not None else None)
    rival = session.execute(
        select(Priority.id, Priority.title).where(
            Priority.ward_id == ward_id,
            Priority.cycle_id == cycle_id,
            Priority.deleted.is_(False),
            Priority.status.in_(AGREED_OR_LATER),
            Priority.id != uuid.UUID(row_id),
        )
    ).first()
    if rival is None:
        return 0
    rival_stamp = (
        session.scalar(
            select(FieldClock.stamp).where(
                FieldClock.entity == "priority",
                FieldClock.row_id == str(rival.id),
                FieldClock.field == "status",
            )
        )
        or ""
    )
    incoming = accepted["status"].stamp if "status" in accepted else ""
    title = values.get("title", row["title"] if row is not None else "")
    if (incoming, row_id) > (rival_stamp, str(rival.id)):
        # The incoming agreement is later: the one here steps back, as a change of its own that travels.
        target = session.get(Priority, rival.id)
        assert target is not None
        target.status = PriorityStatus.NOMINATED
        session.flush()
        loser = rival.title
    else:
        values["status"] = PriorityStatus.NOMINATED
        loser = title
    kept = title if loser == rival.title else rival.title
    return _conflict(
        session,
        "priority",
        row_id,
        Change("priority", row_id, "status", json.dumps("agreed"), incoming, ""),
        json.dumps("agreed"),
        rival_stamp,
        note=(
            f"Two laptops agreed different priorities for the same ward and quarter. Kept '{kept}' as agreed and "
            f"set '{loser}' back to Nominated: check which one the panel agreed."
        ),
    )


# --- conflicts -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictRow:
    id: int
    #: What the conflict is about, in words ("Ward: Astley Bridge", "Priority: Speeding").
    record: str
    entity: str
    row_id: str
    field: str
    local_value: Any
    remote_value: Any
    local_when: str
    remote_when: str
    remote_device: str
    note: str


def open_conflicts(session: Session) -> list[ConflictRow]:
    def when(stamp: str) -> str:
        return f"{Stamp.parse(stamp).moment:%d %b %Y %H:%M}" if stamp else "unknown"

    return [
        ConflictRow(
            c.id,
            _describe(session, c.entity, c.row_id),
            c.entity,
            c.row_id,
            c.field,
            json.loads(c.local_value),
            json.loads(c.remote_value),
            when(c.local_stamp),
            when(c.remote_stamp),
            laptops.laptop_name(session, Stamp.parse(c.remote_stamp).device) if c.remote_stamp else "",
            c.note,
        )
        for c in session.scalars(
            select(SyncConflict).where(SyncConflict.resolved.is_(False)).order_by(SyncConflict.id)
        )
    ]


def _describe(session: Session, entity: str, row_id: str) -> str:
    """The record in words a colleague recognises: its ward, what it is, and its name or title.

    "Astley Bridge · Action: Youth club open late" rather than a table name and an id, so two
    conflicts about different wards' plans never look the same.
    """
    model = next((m for m in SYNCED_MODELS if m.__tablename__ == entity), None)
    record = session.get(model, uuid.UUID(row_id)) if model is not None else None
    kind = {"sara_plan": "SARA plan", "ward_lsoa": "Ward LSOA"}.get(
        entity, entity.replace("_", " ").capitalize()
    )
    priority = getattr(record, "priority", None)
    label = (
        getattr(record, "name", None)
        or getattr(record, "title", None)
        or getattr(record, "description", None)
        or getattr(record, "full_name", None)
        or (f"of '{priority.title}'" if priority is not None else "")
    )
    ward = getattr(record, "ward", None) or getattr(priority, "ward", None)
    where = f"{ward.name} · " if ward is not None and ward is not record else ""
    return f"{where}{kind}: {label}" if label else f"{where}{kind}"


def field_label(field: str) -> str:
    """A column's name as the window labels it ("problem_statement" → "Problem statement")."""
    return field.removesuffix("_id").replace("_", " ").capitalize()


def resolve_conflict(session: Session, conflict_id: int, *, keep: str) -> None:
    """The user chose: the chosen value is written as a new edit here, and travels to the others."""
    conflict = session.get(SyncConflict, conflict_id)
    if conflict is None or conflict.resolved:
        raise UserError("That conflict has already been resolved.")
    if keep not in ("local", "remote"):
        raise UserError("Choose to keep this laptop's value or the other laptop's.")
    model = next(m for m in SYNCED_MODELS if m.__tablename__ == conflict.entity)
    record = session.get(model, uuid.UUID(conflict.row_id))
    if record is None:
        raise UserError("The record in that conflict no longer exists.")
    chosen = conflict.local_value if keep == "local" else conflict.remote_value
    setattr(record, conflict.field, _decode(model.__table__, conflict.field, chosen))  # type: ignore[arg-type]
    conflict.resolved = True
    changes.audit(
        session,
        "resolve conflict",
        record,
        f"kept {'this' if keep == 'local' else 'the other'} laptop's {conflict.field.replace('_', ' ')}",
    )


# --- a whole sync ---------------------------------------------------------------------------------------------


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
    listing = read_listing(folder)
    taken_back = take_back_later_files(vault, folder, team, listing)
    if taken_back:
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

    purge.carry_out(vault, folder, team)  # purge orders from anyone: this laptop's history and files
    report.sent_files, report.sent_changes = export(vault, folder, team, report)
    written = int(vault.meta(NEXT_FILE_META) or 1) - 1
    if report.sent_files and written % SNAPSHOT_EVERY == 0:
        try:
            write_snapshot(vault, folder, team)  # so laptops joining later need not replay every file
        except OSError as exc:
            raise FolderUnreachable(folder, exc.strerror or "") from None
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
        _set_meta(session, FOLDER_META, str(folder))
        _set_meta(session, LAST_SYNC_META, vault.clock.now().isoformat(timespec="seconds"))
        if lost is not None:
            row = session.get(VaultMeta, WAL_LOST_META)
            if row is not None:
                session.delete(row)
    return report
