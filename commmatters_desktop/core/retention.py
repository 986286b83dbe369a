"""How long personal data stays (DPA 2018 s.39), what is past its date, and removing it.

Every column marked ``info=PERSONAL`` on any synced model is covered, whatever the model: a kind of
personal data with its own rule below, or the general rule. The review list (:func:`due`) names the
record and the rule, never the data. :func:`order_purge` blanks the fields, records a
:class:`~commmatters_desktop.core.models.PurgeOrder` that travels to every laptop, and scrubs this
laptop's history of those fields (:func:`scrub_history`); ``sync.purge`` does the files on disk.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, func, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from commmatters_desktop.core import public
from commmatters_desktop.core.changes import audit, context_of
from commmatters_desktop.core.enums import PersonRole
from commmatters_desktop.core.hlc import Stamp
from commmatters_desktop.core.models import (
    SYNCED_MODELS,
    ChangeLog,
    Cycle,
    FieldClock,
    Nomination,
    Person,
    Priority,
    PurgeOrder,
    SaraPlan,
    SyncConflict,
    Synced,
    VaultMeta,
    WardRole,
    free_text_columns,
    natural_id,
    personal_columns,
)

#: What a purged field holds afterwards, everywhere (records, change log, files).
PURGED = public.PURGED
SCRUBBED_META = "purge_db:"
#: Change-log entries (entity, row, field, stamp) whose free text a purge masked: this laptop's own
#: change files holding them are rewritten from the masked log (``sync.purge``). No names are kept.
MENTIONS_META = "purge_mentions:"
#: A person's name as this laptop held it when a purge from another laptop overwrote it, kept only until
#: the purge order is carried out here (the same sync): it is what this laptop's notes are masked for.
NAMES_META = "purge_names:"


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    months: int
    #: When the clock starts for a record (None: not yet, e.g. still a member, priority not closed).
    since: Callable[[Session, Synced], dt.date | None]
    why: str


def _last_change(session: Session, record: Synced) -> dt.date | None:
    stamp = session.scalar(
        select(func.max(FieldClock.stamp)).where(
            FieldClock.entity == record.__tablename__, FieldClock.row_id == str(record.id)
        )
    )
    return Stamp.parse(stamp).moment.date() if stamp else None


def _left(session: Session, record: Synced) -> dt.date | None:
    """A person's clock starts when they hold no current ward role (left the panel or network)."""
    assert isinstance(record, Person)
    active = session.scalar(
        select(func.count())
        .select_from(WardRole)
        .where(WardRole.person_id == record.id, WardRole.deleted.is_(False))
    )
    if active and not record.deleted:
        return None
    dates = [_last_change(session, record)]
    for role in session.scalars(select(WardRole).where(WardRole.person_id == record.id)):
        dates.append(_last_change(session, role))
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def _priority_closed(session: Session, record: Synced) -> dt.date | None:
    assert isinstance(record, SaraPlan)
    priority = session.get(Priority, record.priority_id)
    return priority.closed_on if priority is not None else None


def _cycle_ended(session: Session, record: Synced) -> dt.date | None:
    from commmatters_desktop.core.cycles import CycleCode

    assert isinstance(record, Nomination)
    cycle = session.get(Cycle, record.cycle_id)
    return CycleCode.parse(cycle.code).end if cycle is not None else None


RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule(
            "panel",
            "Ward panel members and chairs",
            12,
            _left,
            "contact details are needed while they serve on the panel and for a year after, for minutes queries",
        ),
        Rule(
            "kin",
            "Key Individual Network members",
            12,
            _left,
            "kept while they are in the network and a year after, for follow-up of what they reported",
        ),
        Rule(
            "resident",
            "Residents recorded by name",
            12,
            _left,
            "kept only to reply to them about their issue",
        ),
        Rule(
            "sara",
            "Victims and offenders in SARA analysis",
            12,
            _priority_closed,
            "needed to work the problem; a year after the priority closes the analysis is kept without them",
        ),
        Rule(
            "wording",
            "Residents' own wording of nominations",
            12,
            _cycle_ended,
            "the approved public wording stays; the resident's own words go a year after the quarter",
        ),
        Rule(
            "other",
            "Any other personal data",
            24,
            _last_change,
            "a catch-all for personal fields without their own rule: two years after the record last changed",
        ),
    )
}
_ROLE_RULES = {PersonRole.PANEL_MEMBER: "panel", PersonRole.PANEL_CHAIR: "panel",
               PersonRole.KEY_INDIVIDUAL: "kin", PersonRole.RESIDENT: "resident"}  # fmt: skip


def rule_for(record: Synced) -> Rule | None:
    """The rule a record's personal data falls under (None: officials' work details, kept as records)."""
    if isinstance(record, Person):
        key = _ROLE_RULES.get(record.role)
        return RULES[key] if key else None
    if isinstance(record, SaraPlan):
        return RULES["sara"]
    if isinstance(record, Nomination):
        return RULES["wording"]
    kind = getattr(record, "kind", None) or getattr(record, "role", None)
    if kind is not None and "key_individual" in str(getattr(kind, "value", kind)):
        return RULES["kin"]
    return RULES["other"]


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


@dataclass(frozen=True)
class Due:
    entity: str
    row_id: str
    rule: str
    label: str
    fields: tuple[str, ...]
    since: dt.date
    due_on: dt.date

    def as_json(self) -> dict[str, object]:
        return {
            "entity": self.entity,
            "row_id": self.row_id,
            "rule": self.rule,
            "label": self.label,
            "fields": list(self.fields),
            "since": self.since.isoformat(),
            "due_on": self.due_on.isoformat(),
        }


def _describe(session: Session, record: Synced) -> str:
    """Which record, in words that hold no personal data (the review list is read by supervisors)."""
    from commmatters_desktop.core.models import Ward

    ward_id = getattr(record, "ward_id", None)
    if isinstance(record, Person):
        role = session.scalars(select(WardRole).where(WardRole.person_id == record.id)).first()
        ward_id = role.ward_id if role is not None else None
    if isinstance(record, SaraPlan):
        priority = session.get(Priority, record.priority_id)
        ward_id = priority.ward_id if priority is not None else None
    ward = session.get(Ward, ward_id) if ward_id is not None else None
    kind = getattr(getattr(record, "role", None), "label", None) or record.__tablename__.replace("_", " ")
    return f"{kind} ({ward.name})" if ward is not None else str(kind)


def personal_models() -> list[type[Synced]]:
    return [m for m in SYNCED_MODELS if personal_columns(m)]


def due(session: Session, today: dt.date) -> list[Due]:
    """Every record holding personal data past its rule's date: the review list."""
    found: list[Due] = []
    for model in personal_models():
        columns = personal_columns(model)
        for record in session.scalars(select(model)):
            held = tuple(c for c in columns if (getattr(record, c) or "") not in ("", PURGED))
            rule = rule_for(record)
            if not held or rule is None:
                continue
            since = rule.since(session, record)
            if since is None:
                continue
            due_on = _add_months(since, rule.months)
            if due_on <= today:
                found.append(Due(model.__tablename__, str(record.id), rule.key, _describe(session, record), held,
                                 since, due_on))  # fmt: skip
    return sorted(found, key=lambda d: (d.due_on, d.entity, d.row_id))


def _model(entity: str) -> type[Synced]:
    return next(m for m in SYNCED_MODELS if m.__tablename__ == entity)


def order_purge(session: Session, items: list[Due], *, reason: str) -> list[PurgeOrder]:
    """Blank the fields, record the order (it travels) and scrub this laptop's history of them."""
    from commmatters_desktop.core.errors import UserError

    if not reason.strip():
        raise UserError(
            "Give the reason for the purge (a retention review, an erasure request): it is recorded."
        )
    context = context_of(session)
    orders = []
    for item in items:
        record = session.get(_model(item.entity), uuid.UUID(item.row_id))
        if record is None:
            continue
        for name in item.fields:
            setattr(record, name, PURGED)
        order_id = natural_id("purge", f"{item.entity}|{item.row_id}")
        order = session.get(PurgeOrder, order_id)
        fields = sorted(set(item.fields) | set(order.fields.split(",") if order else ()))
        if order is None:
            order = PurgeOrder(id=order_id, entity=item.entity, row_id=item.row_id, fields="",
                               ordered_on=context.clock.today())  # fmt: skip
            session.add(order)
        order.fields, order.rule, order.reason = ",".join(fields), item.rule, reason.strip()
        order.ordered_by, order.ordered_on = context.actor, context.clock.today()
        session.flush()
        audit(session, "purge", record, f"{RULES[item.rule].label if item.rule in RULES else item.rule}: "
              f"{', '.join(item.fields)} removed ({reason.strip()})")  # fmt: skip
        orders.append(order)
    scrub_history(session)
    return orders


def scrub_history(session: Session) -> int:
    """Every purge order not yet carried out here: the change log and conflicts lose the old values.

    Idempotent, and run after each sync so orders from other laptops are carried out too.
    """
    done = 0
    purged = json.dumps(PURGED)
    for order in session.scalars(select(PurgeOrder)):
        marker = f"{SCRUBBED_META}{order.id}"
        stamp = f"{order.fields}|{order.ordered_on.isoformat()}"
        seen = session.get(VaultMeta, marker)
        if seen is not None and seen.value == stamp:
            continue
        fields = [f for f in order.fields.split(",") if f]
        record = session.get(_model(order.entity), uuid.UUID(order.row_id))
        names = _names_held(session, order.entity, order.row_id, fields, record)
        if record is not None:
            for name in fields:
                if getattr(record, name) not in ("", PURGED):
                    setattr(record, name, PURGED)  # an edit made elsewhere before the order arrived
        session.flush()
        session.execute(
            update(ChangeLog)
            .where(
                ChangeLog.entity == order.entity,
                ChangeLog.row_id == order.row_id,
                ChangeLog.field.in_(fields),
            )
            .values(value=purged)
        )
        session.execute(
            update(SyncConflict)
            .where(SyncConflict.entity == order.entity, SyncConflict.row_id == order.row_id,
                   SyncConflict.field.in_(fields))
            .values(local_value=purged, remote_value=purged)
        )  # fmt: skip
        touched = mask_mentions(session, names)
        session.merge(VaultMeta(key=f"{MENTIONS_META}{order.id}", value=json.dumps(touched)))
        session.merge(VaultMeta(key=marker, value=stamp))
        done += 1
    return done


def _names_held(
    session: Session, entity: str, row_id: str, fields: list[str], record: Synced | None
) -> list[str]:
    """The names a purge of a person removes, read before they go: the record's and its history's
    (on a laptop that received the purge, the record itself already says "(removed)")."""
    if entity != Person.__tablename__ or "full_name" not in fields:
        return []
    names = {getattr(record, "full_name", "") or ""}
    kept = session.get(VaultMeta, f"{NAMES_META}{row_id}")
    if kept is not None:
        names.update(json.loads(kept.value))
        session.delete(kept)
    for value in session.scalars(
        select(ChangeLog.value).where(
            ChangeLog.entity == entity, ChangeLog.row_id == row_id, ChangeLog.field == "full_name"
        )
    ):
        decoded = json.loads(value)
        names.add(decoded if isinstance(decoded, str) else "")
    return sorted(n for n in names if len(n.strip()) >= 4 and n != PURGED)


def keep_name_before_purge(connection: Connection, entity: str, row_id: str, before: str, after: str) -> None:
    """Sync is about to overwrite a held name with "(removed)" from another laptop's purge: keep it
    until the order is carried out here, so this laptop's own notes mentioning it are masked too."""
    if entity != Person.__tablename__ or after != PURGED or before in ("", PURGED):
        return
    meta = sqlite_insert(VaultMeta).values(key=f"{NAMES_META}{row_id}", value=json.dumps([before]))
    connection.execute(
        meta.on_conflict_do_update(index_elements=["key"], set_={"value": meta.excluded.value})
    )


def mentioning(model: type[Synced], columns: list[str], forms: list[str]) -> Select[Any]:
    """Rows of ``model`` whose ``columns`` hold any of ``forms`` (any case): for subject access and purge."""
    table = model.__table__
    return select(model).where(or_(*(table.c[c].ilike(f"%{form}%") for c in columns for form in forms)))


def mask_mentions(session: Session, names: list[str]) -> list[list[str]]:
    """Mask ``names`` (every way they are written) in officers' free text, now and in the change log.

    Returns the change-log entries it masked, as (entity, row, field, stamp), for ``sync.purge`` to
    rewrite this laptop's change files from. The current values are edited as any edit is, so the
    masked text travels; every laptop also masks its own copy when the order reaches it.
    """
    from commmatters_desktop.core import privacy

    if not names:
        return []
    forms = sorted({form for name in names for form in privacy.erasure_forms(name)})
    scanner = privacy.Scanner(forms)  # built once for every text the purge masks

    def masked(text: str) -> str:
        found = [f for f in scanner.scan(text) if f.kind == "name"]
        return privacy.mask(text, found) if found else text

    like = forms + [json.dumps(form)[1:-1] for form in forms]  # as typed, and as the log escapes it
    touched: list[list[str]] = []
    for model in SYNCED_MODELS:
        columns = free_text_columns(model)
        if not columns:
            continue
        for record in session.scalars(mentioning(model, columns, forms)):
            for column in columns:
                value = getattr(record, column) or ""
                if (new := masked(value)) != value:
                    setattr(record, column, new)
        session.flush()
        for entry in session.scalars(
            select(ChangeLog).where(
                ChangeLog.entity == model.__tablename__,
                ChangeLog.field.in_(columns),
                or_(*(ChangeLog.value.ilike(f"%{form}%") for form in like)),
            )
        ):
            text = json.loads(entry.value)
            if isinstance(text, str) and (new := masked(text)) != text:
                entry.value = json.dumps(new)
                touched.append([entry.entity, entry.row_id, entry.field, entry.stamp])
        for conflict in session.scalars(
            select(SyncConflict).where(
                SyncConflict.entity == model.__tablename__, SyncConflict.field.in_(columns)
            )
        ):
            for side in ("local_value", "remote_value"):
                text = json.loads(getattr(conflict, side))
                if isinstance(text, str) and (new := masked(text)) != text:
                    setattr(conflict, side, json.dumps(new))
    return touched
