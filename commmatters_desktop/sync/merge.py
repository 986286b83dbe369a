"""The merge rules: other laptops' changes applied field by field, conflicts kept, one agreed priority."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Enum, Table, Uuid, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes, retention
from commmatters_desktop.core.changeset import Kind
from commmatters_desktop.core.enums import AGREED_OR_LATER, PriorityStatus
from commmatters_desktop.core.hlc import Stamp
from commmatters_desktop.core.models import (
    SYNCED_MODELS,
    AuditEvent,
    FieldClock,
    Priority,
    SyncConflict,
    VaultMeta,
)
from commmatters_desktop.sync.files import Change

TABLES: dict[str, Table] = {model.__tablename__: model.__table__ for model in SYNCED_MODELS}  # type: ignore[misc]


#: The audit trail travels in change files as entity "audit_event", one change per event (row_id = uid).
AUDIT_ENTITY = "audit_event"


def audit_change(event: AuditEvent) -> Change:
    """An audit event on the wire: its own uid, time, actor and device travel; the seal is per laptop."""
    fields = [event.at.isoformat(), event.actor, event.device, event.action, event.entity, event.row_id,
              event.summary]  # fmt: skip
    return Change(AUDIT_ENTITY, event.uid, "event", json.dumps(fields, ensure_ascii=False), "", "")


def apply_audit(session: Session, incoming: list[Change]) -> None:
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
        fresh.append({"uid": uid, "at": dt.datetime.fromisoformat(at), "actor": actor, "device": device,
                      "action": action, "entity": entity, "row_id": row_id, "summary": summary})  # fmt: skip
    audit.append_rows(session, key, fresh)


# --- merge --------------------------------------------------------------------------------------------------


def decode_value(table: Table, name: str, raw: str) -> Any:
    return typed_value(table, name, json.loads(raw))


def typed_value(table: Table, name: str, value: Any) -> Any:
    """A field's JSON value as its column's Python type."""
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


#: Rows looked up per query when a file or snapshot brings many rows of one table.
LOOKUP_BATCH = 400


class _Known:
    """The rows and field clocks a batch of changes touches, read a few hundred ids per query instead
    of two queries per row (a joining laptop applies millions of fields)."""

    def __init__(self, session: Session, by_row: dict[tuple[str, str], list[Change]]) -> None:
        self.connection = session.connection()
        self.clocks: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
        self.rows: dict[tuple[str, str], Any] = {}
        wanted: dict[str, list[str]] = defaultdict(list)
        for entity, row_id in by_row:
            if entity != "priority":  # priorities are read one by one: the agreement rule may change them
                wanted[entity].append(row_id)
        for entity, ids in wanted.items():
            table = TABLES[entity]
            if self.connection.execute(select(table.c.id).limit(1)).first() is None:
                continue  # nothing of this table here yet (a joining laptop): no row, no clock to find
            for start in range(0, len(ids), LOOKUP_BATCH):
                chunk = ids[start : start + LOOKUP_BATCH]
                for row_id, name, stamp in self.connection.execute(
                    select(FieldClock.row_id, FieldClock.field, FieldClock.stamp).where(
                        FieldClock.entity == entity, FieldClock.row_id.in_(chunk)
                    )
                ):
                    self.clocks[(entity, row_id)][name] = stamp
                for row in self.connection.execute(
                    select(table).where(table.c.id.in_([uuid.UUID(i) for i in chunk]))
                ).mappings():
                    self.rows[(entity, str(row["id"]))] = row
        self.wanted = {(entity, row_id) for entity, ids in wanted.items() for row_id in ids}

    def clocks_of(self, entity: str, row_id: str) -> dict[str, str]:
        if (entity, row_id) in self.wanted:
            return dict(self.clocks.get((entity, row_id), {}))
        return dict(
            self.connection.execute(
                select(FieldClock.field, FieldClock.stamp).where(
                    FieldClock.entity == entity, FieldClock.row_id == row_id
                )
            ).all()
        )

    def row_of(self, entity: str, row_id: str) -> Any:
        if (entity, row_id) in self.wanted:
            return self.rows.get((entity, row_id))
        table = TABLES[entity]
        return (
            self.connection.execute(select(table).where(table.c.id == uuid.UUID(row_id))).mappings().first()
        )


def apply_changes(session: Session, incoming: list[Change]) -> int:
    """Merge other laptops' changes into this vault, field by field; returns the conflicts found.

    New rows of one table with the same fields are inserted together, and field clocks written
    together at the end; priorities go one by one, because the one-agreed-priority rule reads the
    priorities (and their clocks) written before them."""
    context = changes.context_of(session)
    connection = session.connection()
    apply_audit(session, incoming)
    by_row: dict[tuple[str, str], list[Change]] = defaultdict(list)
    newest = ""
    for change in incoming:
        if change.entity in TABLES:
            by_row[(change.entity, change.row_id)].append(change)
            newest = max(newest, change.stamp)
    if newest:
        context.hlc.observe(Stamp.parse(newest))  # stamps sort as text in clock order: the newest is enough
    known = _Known(session, by_row)
    # One JSON parse for the whole batch instead of one per field (a join parses millions of values).
    fields = [c for group in by_row.values() for c in group]
    parsed = dict(zip(map(id, fields), json.loads(f"[{','.join(c.value for c in fields)}]"), strict=True))
    inserts: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
    updates: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
    clock_rows: list[dict[str, str]] = []
    conflicts = 0
    for (entity, row_id), group in by_row.items():
        table = TABLES[entity]
        clocks = known.clocks_of(entity, row_id)
        row = known.row_of(entity, row_id)
        accepted: dict[str, Change] = {}
        for change in sorted(group, key=lambda c: c.stamp):
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
        values = {name: typed_value(table, name, parsed[id(c)]) for name, c in accepted.items()}
        changes.note_row(session, table, uuid.UUID(row_id), _kind(row, values), row, values)
        stamps = [
            {"entity": entity, "row_id": row_id, "field": name, "stamp": c.stamp}
            for name, c in accepted.items()
        ]
        if entity == "priority":
            conflicts += _one_agreed_priority(session, row_id, row, values, accepted)
            if row is None:
                connection.execute(insert(table).values(id=uuid.UUID(row_id), **values))
            else:
                connection.execute(update(table).where(table.c.id == uuid.UUID(row_id)).values(**values))
            _write_clocks(connection, stamps)  # the next priority's agreement check reads these
        elif row is None:
            inserts[(entity, tuple(sorted(values)))].append({"id": uuid.UUID(row_id), **values})
            clock_rows += stamps
        else:
            if "full_name" in values:
                retention.keep_name_before_purge(
                    connection, entity, row_id, row["full_name"], values["full_name"]
                )
            updates[(entity, tuple(sorted(values)))].append({"id": uuid.UUID(row_id), **values})
            clock_rows += stamps
    for (entity, names), rows in inserts.items():
        _insert_rows(connection, TABLES[entity], ("id", *names), rows)
    for (entity, names), rows in updates.items():
        _update_rows(connection, TABLES[entity], names, rows)
    _write_clocks(connection, clock_rows)
    meta = sqlite_insert(VaultMeta)
    connection.execute(
        meta.on_conflict_do_update(index_elements=["key"], set_={"value": meta.excluded.value}),
        {"key": changes.HLC_META_KEY, "value": str(context.hlc.last)},
    )
    return conflicts


def _kind(row: Any, values: dict[str, Any]) -> Kind:
    """How a view sees an accepted change: a new row, a row tombstoned or brought back, or an edit."""
    if row is None:
        return Kind.DELETED if values.get("deleted") else Kind.INSERTED
    if "deleted" in values and bool(values["deleted"]) != bool(row["deleted"]):
        return Kind.DELETED if values["deleted"] else Kind.INSERTED
    return Kind.UPDATED


_CLOCKS_SQL = (
    "INSERT INTO field_clock (entity, row_id, field, stamp) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (entity, row_id, field) DO UPDATE SET stamp = excluded.stamp"
)


def _write_clocks(connection: Connection, rows: list[dict[str, str]]) -> None:
    """The stamps, as the driver's own executemany: a joining laptop writes millions (all text columns,
    so nothing is lost by skipping SQLAlchemy's per-row parameter handling)."""
    if rows:
        connection.exec_driver_sql(
            _CLOCKS_SQL, [(r["entity"], r["row_id"], r["field"], r["stamp"]) for r in rows]
        )


def _insert_rows(
    connection: Connection, table: Table, names: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """New rows that all give ``names``, through the columns' own bind processors and the driver's
    executemany (SQLAlchemy's per-row handling was a tenth of a join). Rows leaving out a column with a
    Python-side default go through SQLAlchemy, which supplies it."""
    if any(c.default is not None and c.name not in names for c in table.columns):
        connection.execute(insert(table), rows)
        return
    columns = ", ".join(f'"{table.c[n].name}"' for n in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" for _ in names)})'
    connection.exec_driver_sql(sql, list(map(_binder(connection, table, names), rows)))


def _binder(
    connection: Connection, table: Table, names: tuple[str, ...]
) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A row's ``names`` as the driver takes them, through the columns' own bind processors."""
    dialect = connection.dialect
    processors = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]

    def bind(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            value if p is None else p(value)
            for p, value in zip(processors, (row[n] for n in names), strict=True)
        )

    return bind


def _update_rows(
    connection: Connection, table: Table, names: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """Rows held here that take the same fields, as one driver ``executemany`` (a statement through
    SQLAlchemy each cost more than the update: fifty laptops' files update thousands of rows)."""
    assignments = ", ".join(f'"{table.c[n].name}" = ?' for n in names)
    connection.exec_driver_sql(
        f'UPDATE "{table.name}" SET {assignments} WHERE id = ?',
        list(map(_binder(connection, table, (*names, "id")), rows)),
    )


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
