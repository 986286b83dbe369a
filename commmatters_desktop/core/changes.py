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
import functools
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import event, inspect, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import InstanceState, ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.attributes import instance_state

from commmatters_desktop.core.changeset import ChangeSet, Kind
from commmatters_desktop.core.clock import Clock
from commmatters_desktop.core.hlc import HybridClock, Stamp
from commmatters_desktop.core.models import FieldClock, Synced, VaultMeta

_CONTEXT_KEY = "commmatters.unit_context"
_CHANGESET_KEY = "commmatters.change_set"
#: The change log's own bookkeeping: never something a view shows.
_BOOKKEEPING = frozenset({"change_log", "field_clock"})
_BULK_KEY = "commmatters.bulk"
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
    return list(_synced_fields(type(obj)))


@functools.cache
def _synced_fields(model: type[Synced]) -> tuple[str, ...]:
    return tuple(
        attr.key
        for attr in inspect(model).column_attrs
        if attr.key != "id" and attr.key not in model.__unsynced__
    )


def _changed_fields(obj: Synced, *, new: bool) -> list[str]:
    names = _synced_fields(type(obj))
    if new:
        return list(names)
    state = inspect(obj)
    touched = state.committed_state  # the fields set since the last flush, with what they held then
    return [name for name in names if name in touched and state.attrs[name].history.has_changes()]


def _refuse_hard_deletes(session: Session, flush_context: UOWTransaction, instances: object) -> None:
    for obj in session.deleted:
        if isinstance(obj, Synced):
            raise RuntimeError(
                f"{type(obj).__name__} rows are never deleted outright: use services.common.tombstone()"
            )


@dataclass
class _Bulk:
    """What a bulk unit of work keeps between its flushes (see :func:`bulk`)."""

    #: Answers derived from the vault (``cached``), with the tables they come from.
    kept: dict[str, tuple[frozenset[str], Any]] = field(default_factory=dict)
    #: The field stamps of every row this unit wrote, so editing one again needs no query.
    stamps: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    #: Records this unit added, by (model, id): found by :func:`get` before any flush.
    added: dict[tuple[type, Any], Any] = field(default_factory=dict)
    #: Every record the unit loaded or added, held so the identity map (which holds them weakly) keeps
    #: answering ``session.get`` for them without a query, and so without an autoflush.
    held: list[Any] = field(default_factory=list)
    #: Change-log and field-clock rows written once, when the unit ends (one statement each).
    log_rows: list[tuple[str, ...]] = field(default_factory=list)
    clock_rows: dict[tuple[str, str, str], str] = field(default_factory=dict)
    #: Audit events chained in this unit (column values), written in one statement when it ends.
    events: list[dict[str, Any]] = field(default_factory=list)
    #: Records added, and records with a field set, since the last :func:`flush` (in order).
    fresh: dict[InstanceState[Any], None] = field(default_factory=dict)
    changed: dict[InstanceState[Any], None] = field(default_factory=dict)
    #: Each record's fields as the change log last recorded them, since the session last wrote it.
    logged: dict[InstanceState[Any], dict[str, Any]] = field(default_factory=dict)


#: The page cache of a bulk unit's connection (negative: KiB, SQLite's convention): 64 MiB.
BULK_CACHE_KIB = -65536
#: The bulk units open now, by their session's ``hash_key`` (for the field-set listener).
_BULK_UNITS: dict[int, _Bulk] = {}


def _bulk_of(session: Session) -> _Bulk | None:
    found: _Bulk | None = session.info.get(_BULK_KEY)
    return found


def in_bulk(session: Session) -> bool:
    return _BULK_KEY in session.info


def bulk_events(session: Session) -> list[dict[str, Any]] | None:
    """Where a bulk unit collects its audit events (None outside one: they go to the session)."""
    unit = _bulk_of(session)
    return None if unit is None else unit.events


@contextlib.contextmanager
def bulk(session: Session) -> Iterator[Session]:
    """Many records in one unit of work (an import, building the demo or force-scale vault).

    Every rule, change-log row, field clock and audit line is written as in a plain unit, at the same
    points; what changes is when and how often the vault is asked and written to:

    - answers derived from the vault that every record asks again (the names the privacy scan
      protects) are worked out once and kept until a flush writes one of the tables they come from;
    - records the unit loads or adds are held, and :func:`get` finds them (an approval, a cycle)
      without flushing the session first;
    - change-log and field-clock rows, the clock's last stamp and the audit chain's head are collected
      at each flush and written once, when the unit ends or commits (nothing in the unit reads them
      back from the vault: the stamps of rows it wrote are kept).
    """
    if _BULK_KEY in session.info:  # already in one (an import inside a bulk build): one is enough
        yield session
        return
    state = session.info[_BULK_KEY] = _Bulk()
    _BULK_UNITS[session.hash_key] = state
    connection = session.connection()
    cache = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or -2000)
    # Thousands of rows go into the change log's and field clocks' indexes: with SQLCipher each page
    # the cache lacks is read and decrypted again. The connection's own cache grows only as pages are
    # used, and shrinks back when the unit ends; one already larger (``Vault.building``) is kept.
    larger = cache < 0 and cache <= BULK_CACHE_KIB
    if not larger:
        connection.exec_driver_sql(f"PRAGMA cache_size = {BULK_CACHE_KIB}")
    try:
        yield session
    except BaseException:
        # Whoever catches this may still commit what the unit wrote: its history goes with it.
        with contextlib.suppress(Exception):
            write_pending(session)
        raise
    else:
        write_pending(session)
    finally:
        if not larger:
            with contextlib.suppress(Exception):
                connection.exec_driver_sql(f"PRAGMA cache_size = {cache}")
        if session.info.get(_BULK_KEY) is state:
            del session.info[_BULK_KEY]
        if _BULK_UNITS.get(session.hash_key) is state:
            del _BULK_UNITS[session.hash_key]


P = ParamSpec("P")
R = TypeVar("R")


def many_records(service: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """Marks a service that writes many records at once (an import): it runs as a :func:`bulk` unit."""

    @functools.wraps(service)
    def in_bulk_unit(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with bulk(session):
            return service(session, *args, **kwargs)

    return in_bulk_unit


def cached(session: Session, key: str, tables: frozenset[str], compute: Callable[[], T]) -> T:
    """``compute()``, kept for the rest of a :func:`bulk` unit until a flush touches ``tables``.

    Outside a bulk unit it is simply ``compute()``, so sync's raw writes and every interactive edit
    always see the vault as it is.
    """
    state = _bulk_of(session)
    if state is None:
        return compute()
    flush(session)  # notes what changed since the last flush, which drops answers it makes stale
    if key not in state.kept:
        state.kept[key] = (tables, compute())
    value: T = state.kept[key][1]
    return value


M = TypeVar("M")


def get(session: Session, model: type[M], ident: Any, *, absent_unless_added: bool = False) -> M | None:
    """``session.get``, without the flush it may start in a :func:`bulk` unit.

    A look-up by primary key needs no flush when records added since the last one are found
    another way: the bulk unit lists them. ``absent_unless_added`` says the row cannot be in the vault
    unless this unit added it (an approval of a record this unit created), which saves the query.
    Outside a bulk unit this is ``session.get``.
    """
    state = _bulk_of(session)
    if state is None:
        return session.get(model, ident)
    found: M | None = state.added.get((model, ident))
    if found is None:
        found = session.identity_map.get(session.identity_key(model, ident))
    if found is not None:
        return found if isinstance(found, model) else None
    flush(session)  # where session.get would have flushed: the change log notes the same history
    if absent_unless_added:
        return None
    with session.no_autoflush:
        return session.get(model, ident)


def added_here(session: Session, record: Synced) -> bool:
    """Whether ``record`` was created in this bulk unit of work (False outside one)."""
    state = _bulk_of(session)
    return state is not None and (type(record), record.id) in state.added


def _held(session: Session, instance: object) -> None:
    state = _bulk_of(session)
    if state is not None:
        state.held.append(instance)


def _added(session: Session, instance: object) -> None:
    state = _bulk_of(session)
    if state is not None:
        state.held.append(instance)
        ident = getattr(instance, "id", None)
        if ident is not None:
            state.added[(type(instance), ident)] = instance
        if isinstance(instance, Synced):
            state.fresh[instance_state(instance)] = None


def _field_set(target: Any, value: Any, oldvalue: Any, initiator: Any) -> None:
    """A synced field was set: a bulk unit notes the record for its next :func:`flush`."""
    if _BULK_UNITS:
        state = instance_state(target)
        unit = _BULK_UNITS.get(state.session_id) if state.session_id is not None else None
        if unit is not None:
            unit.changed[state] = None


def _listen_to_fields() -> None:
    from commmatters_desktop.core.models import SYNCED_MODELS

    for model in SYNCED_MODELS:
        for attr in inspect(model).column_attrs:
            if not event.contains(getattr(model, attr.key), "set", _field_set):
                event.listen(getattr(model, attr.key), "set", _field_set)


def flush(session: Session) -> None:
    """What a service calls where a record's state must reach the change log as it stands now.

    In a plain unit of work it is ``session.flush()``. In a :func:`bulk` unit it writes nothing: it
    notes in the change log (collected, written when the unit ends) exactly the rows a flush here
    would have noted, from the records added or changed since the last one, so a bulk unit records
    the same history as a plain one with a fraction of the statements. Queries still flush for real
    first (autoflush), so every rule sees what the unit wrote.
    """
    unit = _bulk_of(session)
    if unit is None:
        session.flush()
        return
    if not unit.fresh and not unit.changed:
        return
    states = {**unit.fresh, **unit.changed}
    unit.fresh, unit.changed = {}, {}
    touched = []
    for state in states:
        obj = state.obj()
        if obj is not None and isinstance(obj, Synced) and (state.pending or state.persistent):
            touched.append((obj, state.pending))
    _log(session, unit, touched)


def _forget_cached(session: Session, tables: set[str]) -> None:
    state = _bulk_of(session)
    if state is not None and state.kept:
        for key in [k for k, (depends, _v) in state.kept.items() if depends & tables]:
            del state.kept[key]


def _log_changes(session: Session, flush_context: UOWTransaction) -> None:
    unit = _bulk_of(session)
    if unit is None:
        touched = [(o, True) for o in session.new if isinstance(o, Synced)]
        touched += [(o, False) for o in session.dirty if isinstance(o, Synced)]
        if touched:
            _forget_cached(session, {obj.__tablename__ for obj, _new in touched})
            rows: list[tuple[str, ...]] = []
            clocks: dict[tuple[str, str, str], str] = {}
            _note(session, None, touched, rows, clocks)
            _write_log(session, rows, clocks)
        return
    flush(session)  # what was added or set since the last flush point
    # Records the unit has not noted at all (changed before it became a bulk unit) are noted as a plain
    # flush notes them; those it noted and has not changed since have nothing more to note.
    logged = unit.logged
    touched = [(o, True) for o in session.new if isinstance(o, Synced) and instance_state(o) not in logged]
    touched += [
        (o, False) for o in session.dirty if isinstance(o, Synced) and instance_state(o) not in logged
    ]
    _log(session, unit, touched)
    # Written now: what the change log noted of them since is the whole of what changed.
    unit.logged.clear()
    unit.fresh.clear()
    unit.changed.clear()


def _log(session: Session, unit: _Bulk, touched: list[tuple[Synced, bool]]) -> None:
    written = _note(session, unit, touched, unit.log_rows, unit.clock_rows)
    if written:
        _forget_cached(session, written)
        for listener in _BULK_LISTENERS:
            listener(session, written)


#: Called with the tables a bulk unit's change log just noted rows of (``core.privacy`` drops its
#: scanner when people change).
_BULK_LISTENERS: list[Callable[[Session, set[str]], None]] = []


def on_bulk_change(listener: Callable[[Session, set[str]], None]) -> None:
    if listener not in _BULK_LISTENERS:
        _BULK_LISTENERS.append(listener)


def _fields_now(unit: _Bulk | None, obj: Synced, new: bool) -> list[str]:
    """The fields to note for ``obj``: as a flush sees them, less what a bulk unit noted since."""
    seen = None if unit is None else unit.logged.get(instance_state(obj))
    if seen is None:
        return _changed_fields(obj, new=new)
    state = inspect(obj)
    touched = state.committed_state
    return [
        name
        for name in _synced_fields(type(obj))
        if (name in seen and seen[name] != getattr(obj, name))
        or (name not in seen and (new or (name in touched and state.attrs[name].history.has_changes())))
    ]


def _note(
    session: Session,
    unit: _Bulk | None,
    touched: list[tuple[Synced, bool]],
    log_rows: list[tuple[str, ...]],
    clock_rows: dict[tuple[str, str, str], str],
) -> set[str]:
    """Change-log rows for each record's changed fields, one stamp per record; returns their tables."""
    context = context_of(session)
    connection = session.connection() if unit is None else None
    tables: set[str] = set()
    for obj, new in touched:
        fields = _fields_now(unit, obj, new)
        if not fields:
            continue
        stamp = str(context.hlc.tick())
        entity, row_id = obj.__tablename__, str(obj.id)
        tables.add(entity)
        if unit is None:
            bases = {} if new else _stamps(connection, entity, row_id)
        else:
            known = unit.stamps.get((entity, row_id))
            if known is None:
                known = unit.stamps[(entity, row_id)] = (
                    {} if new else _stamps(session.connection(), entity, row_id)
                )
            bases = dict(known)
            known.update(dict.fromkeys(fields, stamp))
            seen = unit.logged.setdefault(instance_state(obj), {})
        for name in fields:
            value = getattr(obj, name)
            log_rows.append(
                (stamp, entity, row_id, name, json.dumps(encode_value(value)), bases.get(name, ""))
            )
            clock_rows[(entity, row_id, name)] = stamp
            if unit is not None:
                seen[name] = value
    return tables


#: Straight to the driver, many rows a statement: the rows are plain strings already, and building each
#: row's parameters through SQLAlchemy cost more than SQLite's insert.
_LOG_INSERT = "INSERT INTO change_log (stamp, entity, row_id, field, value, base) VALUES (?, ?, ?, ?, ?, ?)"
_CLOCK_INSERT = (
    "INSERT INTO field_clock (entity, row_id, field, stamp) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (entity, row_id, field) DO UPDATE SET stamp = excluded.stamp"
)


def _write_log(
    session: Session, log_rows: list[tuple[str, ...]], clock_rows: dict[tuple[str, str, str], str]
) -> None:
    if not log_rows:
        return
    connection = session.connection()
    connection.exec_driver_sql(_LOG_INSERT, log_rows)
    connection.exec_driver_sql(_CLOCK_INSERT, [(e, r, f, stamp) for (e, r, f), stamp in clock_rows.items()])
    connection.execute(_META_UPSERT, {"key": HLC_META_KEY, "value": str(context_of(session).hlc.last)})


def write_pending(session: Session) -> None:
    """Write what a bulk unit collected (flushing first): at its end, or when it commits."""
    state = _bulk_of(session)
    if state is None:
        return
    session.flush()
    _write_log(session, state.log_rows, state.clock_rows)
    state.log_rows = []
    state.clock_rows = {}
    from commmatters_desktop.core import audit as trail

    trail.write_events(session, state.events)
    state.events = []
    trail.write_head(session, None, deferred=False)


def _before_commit(session: Session) -> None:
    write_pending(session)


# Built once: building an upsert (its ``excluded`` columns) costs more than running it on a small flush.
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
    event.listen(session_factory, "before_commit", _before_commit)
    event.listen(session_factory, "loaded_as_persistent", _held)
    event.listen(session_factory, "transient_to_pending", _added)
    _listen_to_fields()


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
    trail.append_values(
        session,
        context.audit_key,
        {"at": context.clock.now(), "actor": context.actor, "device": context.device, "action": action,
         "entity": entity, "row_id": row_id, "summary": summary},
    )  # fmt: skip
