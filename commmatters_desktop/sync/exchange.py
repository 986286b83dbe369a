"""Export (this laptop's change log as numbered files) and import (the others' files, each in order)."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from commmatters_desktop.core import changes
from commmatters_desktop.core.changeset import ChangeSet
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.hlc import MAX_DRIFT, Stamp
from commmatters_desktop.core.models import (
    AuditEvent,
    ChangeLog,
    SyncLedger,
    SyncProblem,
)
from commmatters_desktop.core.services import laptops
from commmatters_desktop.storage.vault import Vault, atomic_write
from commmatters_desktop.sync import files
from commmatters_desktop.sync.files import BadChangeFile, Change, ChangeFile, TeamKeys
from commmatters_desktop.sync.merge import AUDIT_ENTITY, apply_changes, audit_change
from commmatters_desktop.sync.state import (
    ACKS_META,
    AUDIT_EXPORTED_META,
    COMPACTED_META,
    EXPORTED_META,
    FILE_SPAN_META,
    NEXT_FILE_META,
    Applied,
    FolderUnreachable,
    SyncReport,
    applied_files,
    put_meta,
    read_listing,
)
from commmatters_desktop.sync.team import check_same_folder, new_device

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
        # What this laptop has taken in travels with what it sends: once every laptop has taken in a
        # file, its writer may compact it away (``sync.compaction``).
        covers = {d: applied.upto for d, applied in applied_files(session).items() if applied.upto}
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
            put_meta(session, EXPORTED_META, str(watermark))
            put_meta(session, NEXT_FILE_META, str(seq))
        return 0, 0
    span = [
        watermark,
        rows[-1].seq if rows else watermark,
        audit_mark,
        events[-1].id if events else audit_mark,
    ]
    try:
        files.write_change_file(
            folder, device, _encoded(vault, team, seq, watermark, rows, events, covers), seq
        )
    except OSError as exc:
        raise FolderUnreachable(folder, exc.strerror or "") from None
    # The file went where the team reads it, or it is not "sent". It is never deleted (another laptop
    # may have read it already): if it did land in the team's folder, the next export proves it ours.
    check_same_folder(folder, team)
    with vault.unit_of_work() as session:
        put_meta(session, EXPORTED_META, str(rows[-1].seq if rows else watermark))
        put_meta(session, NEXT_FILE_META, str(seq + 1))
        put_meta(session, f"{FILE_SPAN_META}{seq}", json.dumps(span))
        if events:
            put_meta(session, AUDIT_EXPORTED_META, str(events[-1].id))
    return 1, len(rows) + len(events)


def _encoded(
    vault: Vault,
    team: TeamKeys,
    seq: int,
    log_after: int,
    rows: list[ChangeLog],
    events: list[AuditEvent],
    covers: dict[str, int],
) -> bytes:
    """This laptop's file ``seq`` holding ``rows`` of its change log (those after ``log_after``) and its
    own audit ``events``."""
    key_id, key = team.current
    after = rows[0].seq if rows else log_after
    change_file = ChangeFile(
        device=vault.device_id,
        seq=seq,
        key_id=key_id,
        created=vault.clock.now().isoformat(timespec="seconds"),
        log_from=after,
        log_to=rows[-1].seq if rows else log_after,
        changes=[Change(r.entity, r.row_id, r.field, r.value, r.stamp, r.base) for r in rows]
        + [audit_change(e) for e in events],
        covers=covers,
        demo=vault.is_demo,
        name=platform.node(),
    )
    return files.encode(change_file, team_id=team.team_id, key=key)


def repair_own_files(vault: Vault, folder: Path, team: TeamKeys, report: SyncReport, after: int) -> int:
    """Write again this laptop's files that no longer open in the shared folder; returns how many.

    Every laptop takes a laptop's files strictly in order, so one file damaged on the way (a sync
    client's half copy, a bad sector on a shared drive) would hold up every later change of this
    laptop on every other laptop for good. The laptop that wrote it still holds what it held: the
    rows of its change log and its audit events in the file's span (``FILE_SPAN_META``), kept until
    every laptop has the file. Files up to ``after`` are ones every laptop has taken in already.
    """
    own = folder / files.ROOT / vault.device_id
    next_seq = int(vault.meta(NEXT_FILE_META) or 1)
    floor = int(vault.meta(COMPACTED_META) or 0)
    written, lost = 0, []
    for path in sorted(own.glob("*.cmchange")) if own.is_dir() else []:
        match = files.CHANGE_FILE.match(path.name)
        seq = int(match.group(1)) if match else 0
        if not after < seq < next_seq:
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FolderUnreachable(folder, exc.strerror or "") from None
        try:
            files.decode(data, team_id=team.team_id, keys=team.keys, demo=vault.is_demo)
            continue
        except BadChangeFile:
            pass
        span = vault.meta(f"{FILE_SPAN_META}{seq}")
        if span is None or json.loads(span)[0] < floor:
            lost.append(path.name)  # written before spans were kept, or its rows compacted away
            continue
        log_after, log_to, audit_after, audit_to = json.loads(span)
        with vault.reading() as session:
            rows = list(
                session.scalars(
                    select(ChangeLog)
                    .where(ChangeLog.seq > log_after, ChangeLog.seq <= log_to)
                    .order_by(ChangeLog.seq)
                )
            )
            events = list(
                session.scalars(
                    select(AuditEvent)
                    .where(
                        AuditEvent.id > audit_after,
                        AuditEvent.id <= audit_to,
                        AuditEvent.device == vault.device_id,
                    )
                    .order_by(AuditEvent.id)
                )
            )
        try:
            atomic_write(path, _encoded(vault, team, seq, log_after, rows, events, {}))
        except OSError as exc:
            raise FolderUnreachable(folder, exc.strerror or "") from None
        written += 1
    if written:
        report.notes.append(
            f"{written} of this laptop's files in the shared folder were damaged; they were written again "
            "from this laptop's own records, so the other laptops can take in its changes."
        )
    if lost:
        # What they held is in this laptop's vault all the same: a snapshot of it lets the others step
        # over the gap (a laptop missing a file takes in the newest snapshot that covers it).
        from commmatters_desktop.sync.snapshot import write_snapshot

        try:
            write_snapshot(vault, folder, team)
            for name in lost:
                os.replace(own / name, own / f"{name}.damaged-{secrets.token_hex(3)}")
        except OSError as exc:
            raise FolderUnreachable(folder, exc.strerror or "") from None
        report.notes.append(
            f"This laptop's file(s) {', '.join(lost)} in the shared folder were damaged and could not be written "
            "again, so they were set aside and a snapshot of this vault written: the other laptops take it in "
            "and carry on with this laptop's later files."
        )
    return written


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
        put_meta(session, NEXT_FILE_META, "1")
    new_device(vault)
    return len(later)


# --- import ----------------------------------------------------------------------------------------------


def new_files(vault: Vault, folder: Path) -> files.Listing:
    """The shared folder's files this laptop has not taken in yet (and its own after its last export):
    a laptop's older files are not even looked at, however many years of them the folder holds."""
    with vault.reading() as session:
        after = {device: applied.upto for device, applied in applied_files(session).items()}
    after[vault.device_id] = int(vault.meta(NEXT_FILE_META) or 1) - 1
    return read_listing(folder, after)


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
        applied = applied_files(session)
        known_bad = {(p.device, p.name): p.sha256 for p in session.scalars(select(SyncProblem))}
    queues: dict[str, list[tuple[int, Path]]] = {
        device: [(seq, path) for seq, path in entries if seq not in applied[device]]
        for device, entries in listing.files.items()
        if device != vault.device_id
    }
    queues = {device: queue for device, queue in queues.items() if queue}
    report.to_receive = total = sum(len(queue) for queue in queues.values())
    done = 0
    repaired = False
    while True:
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
                    if seq != applied[device].expected:
                        break  # an earlier file of that laptop is not here yet: this one waits for it
                    if _take_in(vault, folder, team, report, device, seq, path, known_bad) != "applied":
                        break
                    applied[device].add(seq)
                    queue.pop(0)
                    progressed = True
                    done += 1
                if not queue:
                    del queues[device]
        if repaired or not queues or not _fill_gaps(vault, folder, team, report, queues, applied):
            break
        repaired = True  # a snapshot brought what compacted files held: the waiting files may follow now
        with vault.reading() as session:
            applied = applied_files(session)
        queues = {d: [(s, p) for s, p in q if s not in applied[d]] for d, q in queues.items()}
        queues = {device: queue for device, queue in queues.items() if queue}
    report.waiting = sorted(
        f"{device}/{path.name}" for device, queue in queues.items() for _seq, path in queue
    )


def _fill_gaps(
    vault: Vault,
    folder: Path,
    team: TeamKeys,
    report: SyncReport,
    queues: dict[str, list[tuple[int, Path]]],
    applied: dict[str, Applied],
) -> bool:
    """A laptop's next file is gone from the folder (its writer compacted it away once every laptop
    that writes there had it) while later ones wait: take in the newest snapshot that covers it."""
    missing = {
        device: applied[device].expected
        for device, queue in queues.items()
        if queue[0][0] > applied[device].expected
    }
    directory = folder / files.ROOT / files.SNAPSHOTS
    if not missing or not directory.is_dir():
        return False
    from commmatters_desktop.sync.snapshot import take_snapshot

    try:
        found = sorted(directory.glob("*.cmsnap"), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    except OSError as exc:
        raise FolderUnreachable(folder, exc.strerror or "") from None
    for path in found:
        try:
            covers = files.open_stream(
                path, team_id=team.team_id, keys=team.keys, demo=vault.is_demo
            ).info.covers
        except (BadChangeFile, OSError):
            continue
        if any(covers.get(device, 0) >= expected for device, expected in missing.items()):
            return take_snapshot(vault, folder, team, report, path)
    return False


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
        check_clock(vault, change_file)
    except BadChangeFile as exc:
        if name not in {n for n, _r in report.rejected}:
            report.rejected.append((name, exc.message))
        if known_bad.get((device, path.name)) != digest:
            _record_problem(vault, device, path.name, digest, exc.message)
            known_bad[(device, path.name)] = digest
        return "rejected"
    try:
        report.conflicts += _apply_file(vault, change_file, digest, report.changed)
    except IntegrityError:
        return "waiting"  # it refers to something another laptop's file brings: a later pass
    report.received_files += 1
    report.received_changes += len(change_file.changes)
    return "applied"


def check_clock(vault: Vault, change_file: ChangeFile, some: Iterable[Change] | None = None) -> None:
    """Stamps more than a day ahead of this laptop's clock come from a laptop whose clock is wrong:
    taking them in would drag every laptop's stamps to that date for good, so the file waits.
    ``some``: the changes to look at, when the file is read a frame at a time."""
    try:
        # Audit events carry their own time, not a field clock stamp: only stamped changes are checked.
        seen = change_file.changes if some is None else some
        newest = max((Stamp.parse(c.stamp) for c in seen if c.stamp), default=None)
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


def _apply_file(vault: Vault, change_file: ChangeFile, digest: str, changed: ChangeSet) -> int:
    """One file, one transaction: every change and its ledger row, or none of them. What it wrote is
    added to ``changed`` once committed."""
    with vault.unit_of_work() as session:
        session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        conflicts = apply_changes(session, change_file.changes)
        session.add(
            SyncLedger(
                device=change_file.device, seq=change_file.seq, sha256=digest, applied_at=vault.clock.now()
            )
        )
        if change_file.covers:  # what its writer had taken in: the acknowledgement compaction waits for
            put_meta(
                session, f"{ACKS_META}{change_file.device}", json.dumps(change_file.covers, sort_keys=True)
            )
    changed.merge(changes.change_set(session))
    return conflicts
