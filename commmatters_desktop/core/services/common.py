"""Small helpers every service shares: fetching, tombstoning and validating input."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from commmatters_desktop.core.changes import audit, get
from commmatters_desktop.core.errors import NotFound, ValidationError
from commmatters_desktop.core.models import Synced

T = TypeVar("T", bound=Synced)


def fetch(session: Session, model: type[T], record_id: uuid.UUID, what: str | None = None) -> T:
    """The live (not deleted) record, or a NotFound a user can read."""
    record = get(session, model, record_id)
    if record is None or record.deleted:
        raise NotFound(f"That {what or model.__name__.lower()} no longer exists; it may have been deleted.")
    return record


def fetch_any(session: Session, model: type[T], record_id: uuid.UUID) -> T:
    """The record even if it is a tombstone (to restore it)."""
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(f"That {model.__name__.lower()} no longer exists.")
    return record


def tombstone(session: Session, record: Synced, summary: str = "") -> None:
    """Delete by marking: the row stays so a deletion can travel to other laptops and be merged."""
    record.deleted = True
    audit(session, "delete", record, summary)


def restore(session: Session, record: Synced, summary: str = "") -> None:
    """Bring back a tombstoned record (undoing a deletion keeps its id and history)."""
    record.deleted = False
    audit(session, "restore", record, summary)


def revive(session: Session, model: type[T], record_id: uuid.UUID | None) -> T | None:
    """Redo after undo: the record made before (and tombstoned by the undo) comes back with its id."""
    if record_id is None:
        return None
    record = session.get(model, record_id)
    if record is not None and record.deleted:
        restore(session, record, "added again")
    return record


def apply_changes(
    session: Session,
    record: Synced,
    changes: dict[str, Any],
    *,
    allowed: frozenset[str],
    what: str,
    audited: Synced | None = None,
) -> list[str]:
    """Set the fields that really change, refuse unknown ones, and audit once; returns what changed."""
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"{what.capitalize()} has no field called {', '.join(sorted(unknown))}.")
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    changed = [k for k, v in cleaned.items() if getattr(record, k) != v]
    for key in changed:
        setattr(record, key, cleaned[key])
    if changed:
        audit(session, "update", audited or record, f"changed {', '.join(changed)}")
    return changed


def required(value: str, message: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise ValidationError(message)
    return cleaned


def count(value: int | None, what: str) -> int | None:
    if value is not None and value < 0:
        raise ValidationError(f"The {what} cannot be negative.")
    return value
