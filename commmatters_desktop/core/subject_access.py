"""Subject access (UK GDPR Art. 15): everything the vault holds about a named person.

Searches every column marked as personal data on every synced model (so tables added later are
covered), in every form the name is written ("Mrs Surname", "Surname, Forename", any case), and every
officers' free-text column that may mention someone (``MAY_NAME``: action descriptions, SARA notes,
feedback summaries, minutes); then the records linked to a matching person (ward roles, actions they
own) and the audit trail's events on all of those records. The result is exported as CSV or PDF; the
export is recorded in the audit trail with its reason, naming the request reference, not the person.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from commmatters_desktop.core import privacy
from commmatters_desktop.core.changes import audit_event
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.models import (
    SYNCED_MODELS,
    Action,
    AuditEvent,
    Person,
    Synced,
    WardRole,
    free_text_columns,
    personal_columns,
)
from commmatters_desktop.core.retention import mentioning, personal_models


@dataclass(frozen=True)
class Held:
    section: str
    record: str
    row_id: str
    field: str
    value: str


def find(session: Session, name: str) -> list[Held]:
    """Every value held about ``name``: personal fields that mention them, linked records, audit events."""
    name = " ".join(name.split())
    if len(name) < 3:
        raise UserError("Type the person's name (at least three letters) to search for.")
    forms = sorted(privacy.erasure_forms(name) | {name})  # what a purge would mask, found first
    held: list[Held] = []
    people: list[uuid.UUID] = []
    ids: set[str] = set()
    for model in personal_models():
        columns = personal_columns(model)
        for record in session.scalars(mentioning(model, columns, forms)):
            ids.add(str(record.id))
            if isinstance(record, Person):
                people.append(record.id)
            for column in columns:
                value = str(getattr(record, column) or "")
                mentioned = any(form.casefold() in value.casefold() for form in forms)
                if value and (mentioned or isinstance(record, Person)):
                    held.append(Held("Personal data", _label(record), str(record.id), column, value))
    for model in SYNCED_MODELS:  # officers' notes that mention them ("rang Mrs Kerrigan")
        columns = free_text_columns(model)
        if not columns:
            continue
        for record in session.scalars(mentioning(model, columns, forms)):
            ids.add(str(record.id))
            for column in columns:
                value = str(getattr(record, column) or "")
                if any(form.casefold() in value.casefold() for form in forms):
                    held.append(
                        Held("Mentioned in officers' notes", _label(record), str(record.id), column, value)
                    )
    for role in session.scalars(select(WardRole).where(WardRole.person_id.in_(people))):
        ids.add(str(role.id))
        held.append(Held("Roles", "ward role", str(role.id), "role",
                         f"{role.role.label}{' (ended)' if role.deleted else ''}"))  # fmt: skip
    for action in session.scalars(select(Action).where(Action.owner_person_id.in_(people))):
        ids.add(str(action.id))
        held.append(Held("Actions they own", "action", str(action.id), "description", action.description))
    for event in session.scalars(
        select(AuditEvent)
        .where(AuditEvent.row_id.in_(ids) | or_(*(AuditEvent.summary.ilike(f"%{f}%") for f in forms)))
        .order_by(AuditEvent.id)
    ):
        held.append(Held("Audit trail", event.entity.replace("_", " "), event.row_id, event.action,
                         f"{event.at:%d %b %Y %H:%M} by {event.actor}: {event.summary}"))  # fmt: skip
    return held


def _label(record: Synced) -> str:
    return str(record.__tablename__).replace("_", " ")


def record_export(session: Session, *, count: int, target: str, reason: str) -> None:
    if not reason.strip():
        raise UserError("Give the request's reference as the reason (it is recorded in the audit trail).")
    audit_event(
        session, "subject access export", "person", "", f"{count} items to {target}: {reason.strip()}"
    )


def to_csv(held: list[Held]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "record", "id", "field", "value"])
    writer.writerows([h.section, h.record, h.row_id, h.field, h.value] for h in held)
    return buffer.getvalue().encode("utf-8-sig")
