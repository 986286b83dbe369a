"""Conflicts as the window shows them, and the user's choice written as a new edit that travels."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.hlc import Stamp
from commmatters_desktop.core.models import (
    SYNCED_MODELS,
    SyncConflict,
)
from commmatters_desktop.core.services import laptops
from commmatters_desktop.sync.merge import decode_value

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
    setattr(record, conflict.field, decode_value(model.__table__, conflict.field, chosen))  # type: ignore[arg-type]
    conflict.resolved = True
    changes.audit(
        session,
        "resolve conflict",
        record,
        f"kept {'this' if keep == 'local' else 'the other'} laptop's {conflict.field.replace('_', ' ')}",
    )
