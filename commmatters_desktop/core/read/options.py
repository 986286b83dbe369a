"""Choices for combo boxes and forms: cycles, agencies, officials."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from commmatters_desktop.core.enums import (
    PUBLIC_ROLES,
)
from commmatters_desktop.core.models import (
    Agency,
    Cycle,
    PanelMeeting,
    Person,
    natural_id,
)


def cycle_codes(session: Session) -> list[str]:
    return list(
        session.scalars(select(Cycle.code).where(Cycle.deleted.is_(False)).order_by(Cycle.code.desc()))
    )


@dataclass(frozen=True)
class Option:
    """A choice for a combo box: an id and the words shown."""

    id: uuid.UUID
    label: str


def agency_options(session: Session) -> list[Option]:
    return [
        Option(a.id, a.name)
        for a in session.scalars(
            select(Agency)
            .where(Agency.deleted.is_(False), Agency.retired_on.is_(None))  # retired: history only
            .order_by(Agency.name)
        )
    ]


def people_options(session: Session) -> list[Option]:
    """Officials who can own an action (never members of the public)."""
    return [
        Option(p.id, f"{p.full_name} ({p.agency.name})" if p.agency else p.full_name)
        for p in session.scalars(
            select(Person)
            .where(Person.deleted.is_(False), Person.retired_on.is_(None), Person.role.not_in(PUBLIC_ROLES))
            .options(joinedload(Person.agency))
            .order_by(Person.full_name)
        )
    ]


def meeting_options(session: Session, *, ward_id: uuid.UUID, cycle: str) -> list[Option]:
    """The ward's panel meetings in the cycle, newest first, for recording where a priority was agreed."""
    return [
        Option(m.id, f"{m.held_on:%d %b %Y} at {m.venue}")
        for m in session.scalars(
            select(PanelMeeting)
            .where(
                PanelMeeting.ward_id == ward_id,
                PanelMeeting.cycle_id == natural_id("cycle", cycle),
                PanelMeeting.deleted.is_(False),
            )
            .order_by(PanelMeeting.held_on.desc())
        )
    ]
