"""The audit trail as evidence: a keyed hash chain over every event, and reading it back.

Each event's ``mac`` is HMAC-SHA256 over the previous event's ``mac`` and its own fields, under a key
derived from the vault key (HKDF), so nobody without the key can recompute the chain after deleting,
editing or re-ordering a row; the newest ``mac`` and the number of events are also kept in
``vault_meta`` so that removing the last rows shows too. Events from other laptops arrive by sync and
are appended to this laptop's chain, keeping their own ``uid``, time, actor and device.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Select, func, insert, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from commmatters_desktop.core.ids import new_uid
from commmatters_desktop.core.models import AuditEvent, VaultMeta

HEAD_META_KEY = "audit_head"
_LAST_KEY = "commmatters.audit_last"
_HEAD_PENDING = "commmatters.audit_head_pending"
_HEAD_UPSERT = sqlite_insert(VaultMeta)
_HEAD_UPSERT = _HEAD_UPSERT.on_conflict_do_update(
    index_elements=["key"], set_={"value": _HEAD_UPSERT.excluded.value}
)


def derive_key(vault_key: bytes) -> bytes:
    """The chain's key: derived from, never equal to, the vault key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"commmatters audit chain v1").derive(
        vault_key
    )


def _fields(event: Any) -> list[str]:
    at = event.at.astimezone(dt.UTC).replace(tzinfo=None) if event.at.tzinfo else event.at
    return [event.uid, at.isoformat(timespec="microseconds"), event.actor, event.device, event.action,
            event.entity, event.row_id, event.summary]  # fmt: skip


def seal(key: bytes, previous: str, event: Any) -> str:
    """The event's ``mac``: ``event`` is an :class:`AuditEvent` or anything with its attributes."""
    message = json.dumps([previous, *_fields(event)], ensure_ascii=False).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _last(session: Session) -> tuple[str, int]:
    state: tuple[str, int] | None = session.info.get(_LAST_KEY)
    if state is None:
        row = session.get(VaultMeta, HEAD_META_KEY)
        if row is not None:
            mac, count = row.value.split(":")
            state = (mac, int(count))
        else:
            state = ("", 0)
    return state


def append(session: Session, key: bytes, event: AuditEvent) -> None:
    """Chain ``event`` after the last one (pending events in this session included) and add it."""
    append_many(session, key, [event])


def append_many(session: Session, key: bytes, events: list[AuditEvent]) -> None:
    """Chain ``events`` in order after the last one, and note the new head once (sync brings thousands)."""
    if not events:
        return
    previous, count = _last(session)
    for event in events:
        if not event.uid:
            event.uid = new_uid()
        event.mac = seal(key, previous, event) if key else ""
        previous, count = event.mac or previous, count + 1
    session.info[_LAST_KEY] = (previous, count)
    session.info[_HEAD_PENDING] = True
    from commmatters_desktop.core.changes import bulk_events

    waiting = bulk_events(session)
    if waiting is None:
        session.add_all(events)
    else:  # written in one statement when the bulk unit ends, in this order
        waiting.extend({name: getattr(e, name) for name in _COLUMNS} for e in events)


_COLUMNS = ("uid", "at", "actor", "device", "action", "entity", "row_id", "summary", "mac")


def append_values(session: Session, key: bytes, values: dict[str, Any]) -> None:
    """Chain one event given as column values: in a bulk unit it stays a dict until the unit ends
    (building an ORM object for each of a build's events cost more than sealing it)."""
    from commmatters_desktop.core.changes import bulk_events

    waiting = bulk_events(session)
    if waiting is None:
        append_many(session, key, [AuditEvent(**values)])
        return
    _chain(session, key, [values])
    session.info[_HEAD_PENDING] = True
    waiting.append(values)


def _chain(session: Session, key: bytes, events: list[dict[str, Any]]) -> tuple[str, int]:
    """Seal events given as column values, in order, after the session's last one; returns the new head
    (the chain's last ``mac`` and its length), which later events in this session follow."""
    previous, count = _last(session)
    for values in events:
        values["uid"] = values.get("uid") or new_uid()
        values["mac"] = seal(key, previous, _Row(values)) if key else ""
        previous, count = values["mac"] or previous, count + 1
    session.info[_LAST_KEY] = (previous, count)
    return previous, count


def write_events(session: Session, events: list[dict[str, Any]]) -> None:
    """Events a bulk unit chained, in one statement (the ORM inserts them one by one: SQLite cannot
    return many autoincrement ids in order), so their ids follow the chain's order."""
    if events:
        session.connection().execute(insert(AuditEvent), events)


def append_rows(session: Session, key: bytes, events: list[dict[str, Any]]) -> None:
    """:func:`append_many` for events given as column values (``uid``, ``at``, ``actor``, ``device``,
    ``action``, ``entity``, ``row_id``, ``summary``), inserted in one statement: a joining laptop
    takes in hundreds of thousands, and building an ORM object for each cost more than sealing it."""
    if not events:
        return
    from commmatters_desktop.core.changes import write_pending

    write_pending(session)  # a bulk unit's events, held until it ends, come first too
    session.flush()  # events already added to the session come first in the chain and in id order
    previous, count = _chain(session, key, events)
    connection = session.connection()
    connection.execute(insert(AuditEvent), events)
    connection.execute(_HEAD_UPSERT, {"key": HEAD_META_KEY, "value": f"{previous}:{count}"})


class _Row:
    """An event's column values read as attributes (what :func:`seal` reads)."""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __getattr__(self, name: str) -> Any:
        return self.values[name]


def write_head(session: Session, flush_context: object, *, deferred: bool = True) -> None:
    """After a flush that wrote events, note the new head once (not one statement per event, which
    also flushed the session for every event: a third of the time a bulk build spent). A bulk unit of
    work notes it once, when it ends (``deferred=False`` from ``changes.write_pending``)."""
    from commmatters_desktop.core.changes import in_bulk

    if deferred and in_bulk(session):
        return
    last = session.info.get(_LAST_KEY)
    if session.info.pop(_HEAD_PENDING, False) and last is not None:
        previous, count = last
        session.connection().execute(_HEAD_UPSERT, {"key": HEAD_META_KEY, "value": f"{previous}:{count}"})


_APPEND_ONLY = (("audit_event_no_update", "BEFORE UPDATE"), ("audit_event_no_delete", "BEFORE DELETE"))


def reseal(session: Session, key: bytes) -> int:
    """Seal every event again, in order, under ``key``; returns how many.

    Only for a vault salvaged from a damaged one: the old chain was sealed under the old vault's key and
    has lost the events the damage took, so it can only be trusted again from here. The salvage records
    itself as an event, so the trail says that it was resealed and when.
    """
    for name, _when in _APPEND_ONLY:
        session.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    # Events the damage took leave holes in the numbering: the salvaged trail is numbered afresh, so
    # from now on a hole means what it always means (an event removed), not the old damage.
    ids = list(session.scalars(text("SELECT id FROM audit_event ORDER BY id")))
    for new_id, old_id in enumerate(ids, start=1):
        if new_id != old_id:
            session.execute(
                text("UPDATE audit_event SET id = :new WHERE id = :old"), {"new": new_id, "old": old_id}
            )
    session.expire_all()
    previous, count = "", 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        event.mac = seal(key, previous, event)
        previous, count = event.mac, count + 1
    session.flush()
    for name, when in _APPEND_ONLY:
        session.execute(
            text(
                f"CREATE TRIGGER {name} {when} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
            )
        )
    session.info.pop(_LAST_KEY, None)
    meta = sqlite_insert(VaultMeta).values(key=HEAD_META_KEY, value=f"{previous}:{count}")
    session.execute(meta.on_conflict_do_update(index_elements=["key"], set_={"value": meta.excluded.value}))
    return count


@dataclass(frozen=True)
class Problem:
    event_id: int | None
    message: str


def verify(session: Session, key: bytes) -> list[Problem]:
    """Every break in the chain: an event edited, removed or moved, or the newest events missing."""
    session.flush()
    head = session.get(VaultMeta, HEAD_META_KEY)
    rows = session.connection().exec_driver_sql(f"SELECT {', '.join(COLUMNS)} FROM audit_event ORDER BY id")
    return verify_rows(rows, head.value if head else None, key)


COLUMNS = ("id", "uid", "at", "actor", "device", "action", "entity", "row_id", "summary", "mac")


def verify_rows(rows: Any, head: str | None, key: bytes) -> list[Problem]:
    """:func:`verify` over raw ``COLUMNS`` rows in id order (``Vault.check`` reads them without a session)."""
    from types import SimpleNamespace

    def event(row: Any) -> Any:
        data = dict(zip(COLUMNS, row, strict=True))
        at = data["at"]
        data["stored_at"] = at if isinstance(at, str) else None
        moment = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
        data["at"] = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
        return SimpleNamespace(**data)

    return verify_events((event(r) for r in rows), head, key)


# --- a block of the team's history taken in from a snapshot ------------------------------------------------
#
# A laptop joining a team takes in the history other laptops recorded (hundreds of thousands of events for
# a force). It did not witness them one by one, and sealing each into its chain cost as much as the rest
# of the join; so they are appended as one block (``sync.snapshot``): each event as it was recorded, its
# ``mac`` the mark ``block:<uid>``, and right after them one event of this laptop's own chain, sealed like
# any other, whose uid is that ``<uid>`` and whose summary says how many events it took in, from which
# snapshot, and their digest (:class:`BlockDigest`). The chain check recomputes the digest over the events
# carrying the mark: an event of the block edited, removed, added or moved, a block without its record, or
# a record edited, is a break in the chain like any other.

#: The ``mac`` of an event taken in as part of a block: this, then the uid of the block's record.
BLOCK_MARK = "block:"
#: The action of the sealed event that records a block taken in.
TAKE_IN = "take in history"
_TAKEN_IN = re.compile(
    r"^took in (\d+) events of the team's history from snapshot (.*), digest ([0-9a-f]{64})$"
)
#: The columns a block's digest covers, in this order, as stored (``at`` as the database's text).
BLOCK_COLUMNS = ("uid", "at", "actor", "device", "action", "entity", "row_id", "summary")


class BlockDigest:
    """The SHA-256 of a block's events: the JSON array (``json.dumps``, its default separators and
    escapes) of each event's ``BLOCK_COLUMNS`` as stored, in id order. Fed a chunk at a time (one
    ``json.dumps`` per chunk when a snapshot is taken in), the same text however it is chunked."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256(b"[")
        self._started = False

    def add(self, rows: Any) -> None:
        """``rows``: sequences of the ``BLOCK_COLUMNS`` values, in order."""
        if not rows:
            return
        inner = json.dumps(rows)[1:-1]
        self._hash.update((inner if not self._started else ", " + inner).encode())
        self._started = True

    def hexdigest(self) -> str:
        final = self._hash.copy()
        final.update(b"]")
        return final.hexdigest()


def taken_in_summary(count: int, snapshot: str, digest: str) -> str:
    return f"took in {count} events of the team's history from snapshot {snapshot}, digest {digest}"


def seal_block(session: Session, uid: str, count: int, digest: str, snapshot: str) -> None:
    """Record, sealed in this laptop's chain, the ``count`` events just appended with the mark
    ``BLOCK_MARK + uid`` (they come before it, in id order): the chain's length grows by all of them."""
    from commmatters_desktop.core.changes import context_of

    context = context_of(session)
    previous, length = _last(session)
    session.info[_LAST_KEY] = (previous, length + count)
    append_values(
        session,
        context.audit_key,
        {"uid": uid, "at": context.clock.now(), "actor": context.actor, "device": context.device,
         "action": TAKE_IN, "entity": "snapshot", "row_id": "", "summary": taken_in_summary(count, snapshot, digest)},
    )  # fmt: skip


def _stored_at(event: Any) -> str:
    """An event's time as the database stores it (naive UTC, microseconds), what a block's digest covers."""
    stored = getattr(event, "stored_at", None)
    if isinstance(stored, str):
        return stored
    at = event.at.astimezone(dt.UTC).replace(tzinfo=None) if event.at.tzinfo else event.at
    return str(at.strftime("%Y-%m-%d %H:%M:%S.%f"))


def verify_events(events: Any, head: str | None, key: bytes) -> list[Problem]:
    problems: list[Problem] = []
    previous, sealed, count, last_id = "", False, 0, 0
    # A block taken in from a snapshot, as far as read: its mark, first and last ids, length and digest
    # (never its events: a force's block is 900,000 of them).
    mark, first, last, length, digest = "", 0, 0, 0, BlockDigest()

    def close_block(record: Any | None) -> None:
        nonlocal mark, length, digest
        found = _TAKEN_IN.match(record.summary or "") if record is not None else None
        if record is None or mark != BLOCK_MARK + record.uid or record.action != TAKE_IN or found is None:
            problems.append(Problem(first, f"events {first} to {last} were taken in as a block, but the record "
                                           "of taking them in does not follow them"))  # fmt: skip
        elif int(found.group(1)) != length or found.group(3) != digest.hexdigest():
            problems.append(Problem(first, f"events {first} to {last}, taken in from snapshot {found.group(2)}, "
                                           "are not those recorded when they were taken in: one was edited, "
                                           "removed, added or moved"))  # fmt: skip
        mark, length, digest = "", 0, BlockDigest()

    for event in events:
        count += 1
        if last_id and event.id != last_id + 1:
            problems.append(Problem(event.id, f"events {last_id + 1} to {event.id - 1} are missing"))
        last_id = event.id
        if event.mac and event.mac.startswith(BLOCK_MARK):
            if mark and event.mac != mark:
                close_block(None)
            if not mark:
                mark, first = event.mac, event.id
            last, length = event.id, length + 1
            digest.add([[event.uid, _stored_at(event), event.actor, event.device, event.action, event.entity,
                         event.row_id, event.summary]])  # fmt: skip
            continue
        if mark:
            close_block(event)
        if not event.mac:
            if sealed:
                problems.append(
                    Problem(event.id, f"event {event.id} has no seal: it was added or edited by hand")
                )
            continue
        sealed = True
        if not hmac.compare_digest(seal(key, previous, event), event.mac):
            problems.append(
                Problem(event.id, f"event {event.id} ({event.action}, {event.at:%d %b %Y %H:%M}) does not "
                        "follow the one before it: it or an earlier event was edited, removed or moved")
            )  # fmt: skip
        previous = event.mac
    if mark:
        close_block(None)
    if head is not None:
        mac, expected = head.split(":")
        if int(expected) != count or (mac and mac != previous):
            problems.append(Problem(None, f"the trail should hold {expected} events ending with the last one "
                                          f"recorded, but holds {count}: the newest events were removed"))  # fmt: skip
    return problems


@dataclass(frozen=True)
class Filters:
    person: str = ""
    ward: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    action: str = ""


def events(
    session: Session, filters: Filters | None = None, *, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """The trail as plain rows, newest first, filtered by who (actor or record), ward and dates.

    ``offset`` and ``limit`` read one page of it (the window shows the trail a page at a time).
    """
    query = _events_query(session, filters or Filters())
    if offset:
        query = query.offset(offset)
    if limit:
        query = query.limit(limit)
    return [
        {"id": e.id, "at": e.at.isoformat(timespec="seconds"), "actor": e.actor, "device": e.device,
         "action": e.action, "record": e.entity.replace("_", " "), "row_id": e.row_id, "summary": e.summary,
         "uid": e.uid}
        for e in session.scalars(query)
    ]  # fmt: skip


def count_events(session: Session, filters: Filters | None = None, *, limit: int) -> int:
    """How many events ``events`` would give, counting no further than ``limit`` (by the database)."""
    ids = (
        _events_query(session, filters or Filters()).with_only_columns(AuditEvent.id).limit(limit).subquery()
    )
    return int(session.scalar(select(func.count()).select_from(ids)) or 0)


def _events_query(session: Session, f: Filters) -> Select[AuditEvent]:
    from commmatters_desktop.core.models import Ward

    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if f.since:
        query = query.where(AuditEvent.at >= dt.datetime.combine(f.since, dt.time(), dt.UTC))
    if f.until:
        query = query.where(
            AuditEvent.at < dt.datetime.combine(f.until + dt.timedelta(days=1), dt.time(), dt.UTC)
        )
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    if f.person:
        like = f"%{f.person.strip()}%"
        query = query.where(AuditEvent.actor.ilike(like) | AuditEvent.summary.ilike(like))
    if f.ward:
        ward = session.scalars(
            select(Ward).where((Ward.code == f.ward.strip().upper()) | Ward.name.ilike(f.ward.strip()))
        ).first()
        ids = _ward_record_ids(session, ward.id) if ward is not None else set()
        query = query.where(AuditEvent.row_id.in_(ids))
    return query


def _ward_record_ids(session: Session, ward_id: uuid.UUID) -> set[str]:
    """Ids of the ward and of every record that hangs off it (what "events in this ward" means)."""
    from commmatters_desktop.core.models import (
        Action,
        Feedback,
        Measure,
        Nomination,
        PanelMeeting,
        Priority,
        SaraPlan,
        Ward,
        WardRole,
    )

    ids = {str(ward_id)}
    for model in (Nomination, PanelMeeting, WardRole, Priority):
        ids.update(str(i) for i in session.scalars(select(model.id).where(model.ward_id == ward_id)))
    priority_ids = select(Priority.id).where(Priority.ward_id == ward_id)
    for child in (Action, Feedback, Measure, SaraPlan):
        ids.update(
            str(i) for i in session.scalars(select(child.id).where(child.priority_id.in_(priority_ids)))
        )
    ids.update(str(i) for i in session.scalars(select(WardRole.person_id).where(WardRole.ward_id == ward_id)))
    del Ward
    return ids


def export(session: Session, filters: Filters, *, target: str, reason: str) -> tuple[bytes, int]:
    """The filtered trail as CSV bytes, and the export itself recorded in the trail with its reason."""
    import csv
    import io

    from commmatters_desktop.core.changes import audit_event
    from commmatters_desktop.core.errors import UserError

    if not reason.strip():
        raise UserError("Give the reason for exporting the audit trail (it is recorded in the trail).")
    rows = events(session, filters)
    audit_event(
        session, "export audit", "audit_event", "", f"{len(rows)} events to {target}: {reason.strip()}"
    )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["id"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig"), len(rows)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0
