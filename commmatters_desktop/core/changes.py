"""Unit-of-work context, change log and audit trail.

Every write to a synced record is stamped per field with a hybrid logical clock and appended to the
change log *inside the same flush*, so a crash can never leave a change that sync does not know
about. Services never call this directly: a session carries a :class:`UnitContext` (who is acting,
on which device, with which clock) and the flush hooks do the rest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from commmatters_desktop.core.changeset import ChangeSet, Kind
from commmatters_desktop.core.clock import Clock
from commmatters_desktop.core.hlc import HybridClock, Stamp
from commmatters_desktop.core.models import AuditEvent, ChangeLog, FieldClock, Synced, VaultMeta

_CONTEXT_KEY = "commmatters.unit_context"
_CHANGESET_KEY = "commmatters.change_set"
#: The change log's own bookkeeping: never something a view shows.
_BOOKKEEPING = frozenset({"change_log", "field_clock"})
_BULK_KEY = "commmatters.bulk"
#: In a bulk unit, the field stamps of the rows it created (all their fields), so editing one of them
#: again needs no query for the stamps it replaces.
_BULK_STAMPS = "commmatters.bulk_stamps"
T = TypeVar("T")
HLC_META_KEY = "hlc_last"
DEVICE_META_KEY = "device_id"


@dataclass
class UnitContext:
    """Who is acting, where and when, for one session."""

    actor: str
    clock: Clock
    hlc: HybridClock
    #: Seals the audit trail (``core.audit``); derived from the vault key by the vault.
    audit_key: bytes = b""

    @property
    def device(self) -> str:
        return self.hlc.device


def bind(session: Session, context: UnitContext) -> Session:
    session.info[_CONTEXT_KEY] = context
    return session


def context_of(session: Session) -> UnitContext:
    try:
        context: UnitContext = session.info[_CONTEXT_KEY]
    except KeyError:
        raise RuntimeError("this session has no unit context: open it through Vault.unit_of_work()") from None
    return context


def today(session: Session) -> dt.date:
    return context_of(session).clock.today()


def encode_value(value: Any) -> Any:
    """A field value as JSON-ready data: the change log's and the sync file's wire form."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def synced_fields(obj: Synced) -> list[str]:
    return [
        attr.key
        for attr in inspect(type(obj)).column_attrs
        if attr.key != "id" and attr.key not in obj.__unsynced__
    ]


def _changed_fields(obj: Synced, *, new: bool) -> list[str]:
    state = inspect(obj)
    if new:
        return synced_fields(obj)
    return [name for name in synced_fields(obj) if state.attrs[name].history.has_changes()]


def _refuse_hard_deletes(session: Session, flush_context: UOWTransaction, instances: object) -> None:
    for obj in session.deleted:
        if isinstance(obj, Synced):
            raise RuntimeError(
                f"{type(obj).__name__} rows are never deleted outright: use services.common.tombstone()"
            )


@contextlib.contextmanager
def bulk(session: Session) -> Iterator[Session]:
    """Many records in one unit of work (an import, building the demo or force-scale vault).

    Every rule, change-log row, field clock and audit line is written as usual; what changes is that
    answers derived from the vault that every record asks again (the names the privacy scan protects)
    are worked out once and kept until a flush writes one of the tables they come from.
    """
    session.info[_BULK_KEY] = {}
    session.info[_BULK_STAMPS] = {}
    try:
        yield session
    finally:
        session.info.pop(_BULK_KEY, None)
        session.info.pop(_BULK_STAMPS, None)


def cached(session: Session, key: str, tables: frozenset[str], compute: Callable[[], T]) -> T:
    """``compute()``, kept for the rest of a :func:`bulk` unit until a flush touches ``tables``.

    Outside a bulk unit it is simply ``compute()``, so sync's raw writes and every interactive edit
    always see the vault as it is.
    """
    kept: dict[str, tuple[frozenset[str], Any]] | None = session.info.get(_BULK_KEY)
    if kept is None:
        return compute()
    session.flush()  # what the query inside compute() would have autoflushed; drops stale answers
    if key not in kept:
        kept[key] = (tables, compute())
    value: T = kept[key][1]
    return value


def _forget_cached(session: Session, tables: set[str]) -> None:
    kept: dict[str, tuple[frozenset[str], Any]] | None = session.info.get(_BULK_KEY)
    if kept:
        for key in [k for k, (depends, _v) in kept.items() if depends & tables]:
            del kept[key]


def _log_changes(session: Session, flush_context: UOWTransaction) -> None:
    touched = [(o, True) for o in session.new if isinstance(o, Synced)]
    touched += [(o, False) for o in session.dirty if isinstance(o, Synced)]
    if not touched:
        return
    _forget_cached(session, {obj.__tablename__ for obj, _new in touched})
    context = context_of(session)
    log_rows: list[dict[str, Any]] = []
    clock_rows: dict[tuple[str, str, str], str] = {}
    connection = session.connection()
    created: dict[tuple[str, str], dict[str, str]] | None = session.info.get(_BULK_STAMPS)
    for obj, new in touched:
        fields = _changed_fields(obj, new=new)
        if not fields:
            continue
        stamp = str(context.hlc.tick())
        entity, row_id = obj.__tablename__, str(obj.id)
        known = None if created is None else created.get((entity, row_id))
        if new:
            bases: dict[str, str] = {}
            if created is not None:
                known = created[(entity, row_id)] = {}
        elif known is not None:
            bases = dict(known)
        else:
            bases = _stamps(connection, entity, row_id)
        if known is not None:
            known.update(dict.fromkeys(fields, stamp))
        for name in fields:
            log_rows.append(
                {
                    "stamp": stamp,
                    "entity": entity,
                    "row_id": row_id,
                    "field": name,
                    "value": json.dumps(encode_value(getattr(obj, name))),
                    "base": bases.get(name, ""),
                }
            )
            clock_rows[(entity, row_id, name)] = stamp
    if not log_rows:
        return
    connection.execute(insert(ChangeLog), log_rows)
    connection.execute(
        _CLOCK_UPSERT,
        [{"entity": e, "row_id": r, "field": f, "stamp": s} for (e, r, f), s in clock_rows.items()],
    )
    connection.execute(_META_UPSERT, {"key": HLC_META_KEY, "value": str(context.hlc.last)})


# Built once: building an upsert (its ``excluded`` columns) costs more than running it on a small flush.
_CLOCK_UPSERT = sqlite_insert(FieldClock)
_CLOCK_UPSERT = _CLOCK_UPSERT.on_conflict_do_update(
    index_elements=["entity", "row_id", "field"], set_={"stamp": _CLOCK_UPSERT.excluded.stamp}
)
_META_UPSERT = sqlite_insert(VaultMeta)
_META_UPSERT = _META_UPSERT.on_conflict_do_update(
    index_elements=["key"], set_={"value": _META_UPSERT.excluded.value}
)


def _stamps(connection: Any, entity: str, row_id: str) -> dict[str, str]:
    """The current stamp of each field of a row (what an edit is about to replace)."""
    rows = connection.execute(
        select(FieldClock.field, FieldClock.stamp).where(
            FieldClock.entity == entity, FieldClock.row_id == row_id
        )
    )
    return {field: stamp for field, stamp in rows}


def change_set(session: Session) -> ChangeSet:
    """What this session's flushes wrote so far (kept after commit and close, for the window)."""
    found: ChangeSet = session.info.setdefault(_CHANGESET_KEY, ChangeSet())
    return found


def note_row(
    session: Session,
    table: Any,
    row_id: Any,
    kind: Kind,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
) -> None:
    """Note a row written by a Core statement (sync's merge), as :func:`_collect` notes the ORM's: the
    row, and the rows its foreign keys point at before and after, so the window refreshes only them."""
    found = change_set(session)
    if found.everything:
        return
    found.add(table.name, row_id, kind)
    for column in table.c:
        for key in column.foreign_keys:
            for values in (before, after):
                if values is not None and column.name in values:
                    found.own(key.column.table.name, values[column.name])


def _kind(obj: Any, new: bool) -> Kind:
    if new:
        return Kind.INSERTED
    if isinstance(obj, Synced):
        history = inspect(obj).attrs["deleted"].history
        if history.has_changes():
            return Kind.DELETED if obj.deleted else Kind.INSERTED  # tombstoned, or brought back
    return Kind.UPDATED


def _collect(session: Session, flush_context: UOWTransaction) -> None:
    """Note every row this flush writes, with the rows its foreign keys point at before and after."""
    found = change_set(session)
    if found.everything:
        return
    if _BULK_KEY in session.info:
        found.everything = True  # thousands of rows: whoever shows them reloads, row lists cost more
        return
    written: list[tuple[Any, bool | None]] = [(o, True) for o in session.new]
    written += [(o, False) for o in session.dirty]
    written += [(o, None) for o in session.deleted]
    for obj, new in written:
        table = getattr(obj, "__tablename__", None)
        if table is None or table in _BOOKKEEPING:
            continue
        state = inspect(obj)
        if new is False and not session.is_modified(obj, include_collections=False):
            continue
        row_id = getattr(obj, "id", None) if "id" in state.mapper.columns else state.identity
        found.add(table, row_id, Kind.DELETED if new is None else _kind(obj, new))
        for column in state.mapper.columns:
            for key in column.foreign_keys:
                attr = state.mapper.get_property_by_column(column).key
                found.own(key.column.table.name, getattr(obj, attr))
                for before in state.attrs[attr].history.deleted or ():
                    found.own(key.column.table.name, before)


def _statement(state: ORMExecuteState) -> None:
    """An INSERT/UPDATE/DELETE statement of many rows: its table is marked changed as a whole."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        if name and name not in _BOOKKEEPING:
            change_set(state.session).whole.add(name)


def install(session_factory: Any) -> None:
    """Attach the change-log hooks to a sessionmaker (done once by the vault)."""
    event.listen(session_factory, "before_flush", _refuse_hard_deletes)
    from commmatters_desktop.core import audit as trail

    event.listen(session_factory, "after_flush", _log_changes)
    event.listen(session_factory, "after_flush", _collect)
    event.listen(session_factory, "do_orm_execute", _statement)
    event.listen(session_factory, "after_flush", trail.write_head)


def last_stamp(session: Session, device: str) -> Stamp:
    row = session.get(VaultMeta, HLC_META_KEY)
    return Stamp.parse(row.value) if row else Stamp(0, 0, device)


def audit(session: Session, action: str, record: Synced, summary: str = "") -> None:
    """Append one line to the audit trail: who did ``action`` to ``record``, in this transaction."""
    audit_event(session, action, record.__tablename__, str(record.id), summary)


def audit_event(session: Session, action: str, entity: str, row_id: str, summary: str = "") -> None:
    """An audit line about something that is not one record (an export, a purge, a subject access)."""
    from commmatters_desktop.core import audit as trail

    context = context_of(session)
    trail.append(
        session,
        context.audit_key,
        AuditEvent(at=context.clock.now(), actor=context.actor, device=context.device, action=action,
                   entity=entity, row_id=row_id, summary=summary),
    )  # fmt: skip
