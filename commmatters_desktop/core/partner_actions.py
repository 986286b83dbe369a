"""Actions across every ward, by partner agency: what each partner owes, and by when."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from commmatters_desktop.core.enums import UNFINISHED_ACTION, ActionKind, ActionStatus
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.models import Action, Agency, Cycle, Priority, Ward


@dataclass(frozen=True)
class PartnerAction:
    id: uuid.UUID
    agency: str
    ward_code: str
    ward_name: str
    priority_id: uuid.UUID
    priority: str
    cycle: str
    description: str
    kind: ActionKind
    due_on: dt.date | None
    status: ActionStatus
    overdue: bool


def agency_called(session: Session, name: str) -> str:
    """The partner agency's name as the vault holds it, for a name typed in any case.

    Raises a UserError that says how to find the right name, so a typo is never "nothing owed".
    """
    found = session.scalar(select(Agency.name).where(func.lower(Agency.name) == name.strip().lower()))
    if found is None:
        raise UserError(f"There is no partner agency called '{name}'. Check the name with 'actions'.")
    return found


def open_actions(
    session: Session,
    *,
    today: dt.date,
    cycle: str | None = None,
    agency: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[PartnerAction]:
    """Open actions (not done or cancelled), soonest due first, optionally for one cycle or agency.

    ``offset`` and ``limit`` read one page of them (the window's list reads a page at a time).
    """
    # Columns, not records (one row per action with its ward, priority and cycle already joined).
    query = (
        select(
            Action.id, Agency.name, Ward.code, Ward.name, Action.priority_id, Priority.title, Cycle.code,
            Action.description, Action.kind, Action.due_on, Action.status,
        )
        .join(Priority, Priority.id == Action.priority_id)
        .join(Ward, Ward.id == Priority.ward_id)
        .join(Cycle, Cycle.id == Priority.cycle_id)
        .outerjoin(Agency, Agency.id == Action.owner_agency_id)
        .where(Action.deleted.is_(False), Priority.deleted.is_(False), Action.status.in_(UNFINISHED_ACTION))
        .order_by(Agency.name, Action.due_on.is_(None), Action.due_on, Ward.name)
    )  # fmt: skip
    query = _chosen(query, cycle, agency)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [
        PartnerAction(
            id=i, agency=owner or "(no owner yet)", ward_code=code, ward_name=ward, priority_id=priority_id,
            priority=title, cycle=cycle_code, description=description, kind=kind, due_on=due_on,
            status=status, overdue=due_on is not None and due_on < today,
        )
        for (i, owner, code, ward, priority_id, title, cycle_code, description, kind, due_on,
             status) in session.execute(query).all()
    ]  # fmt: skip


def open_action_counts(
    session: Session, *, today: dt.date, cycle: str | None = None, agency: str | None = None
) -> tuple[int, int]:
    """How many actions ``open_actions`` lists, and how many of them are overdue, counted by the database."""
    # Only the joins a filter needs: every priority has its ward and cycle (foreign keys), so joining
    # them would count the same rows and read 3,800 more rows' pages on a force's vault.
    query = (
        select(func.count(), func.count(case((Action.due_on < today, 1))))
        .select_from(Action)
        .join(Priority, Priority.id == Action.priority_id)
        .where(Action.deleted.is_(False), Priority.deleted.is_(False), Action.status.in_(UNFINISHED_ACTION))
    )
    if cycle:
        query = query.join(Cycle, Cycle.id == Priority.cycle_id)
    if agency:
        query = query.outerjoin(Agency, Agency.id == Action.owner_agency_id)
    total, overdue = session.execute(_chosen(query, cycle, agency)).one()
    return int(total), int(overdue)


_Q = TypeVar("_Q", bound="Select[*tuple[Any, ...]]")


def _chosen(query: _Q, cycle: str | None, agency: str | None) -> _Q:
    if cycle:
        query = query.where(Cycle.code == cycle)
    if agency:
        # Names as people type them: 'bolton council' is Bolton Council (as `plan ics` already allows).
        query = query.where(func.lower(Agency.name) == agency.strip().lower())
    return query
