"""The ward list and a ward's page: one line per ward, one ward's page by id."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from commmatters_desktop.core import rules
from commmatters_desktop.core.enums import (
    PUBLIC_ROLES,
    Outcome,
    PersonRole,
    PriorityStatus,
)
from commmatters_desktop.core.models import (
    Cycle,
    Person,
    Priority,
    Ward,
    WardLsoa,
    WardRole,
    natural_id,
)

_OFFICER_ROLES = (PersonRole.WARD_OFFICER, PersonRole.PCSO)


@dataclass(frozen=True)
class WardRow:
    id: uuid.UUID
    code: str
    name: str
    la_code: str
    la_name: str
    vintage: str
    lsoa_count: int
    officers: list[str] = field(default_factory=list)
    priority_title: str = ""
    priority_status: PriorityStatus | None = None

    @property
    def priority_label(self) -> str:
        if self.priority_status is None:
            return "no priority yet"
        return f"{self.priority_status.label}: {self.priority_title}"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["id"] = str(self.id)
        data["priority_status"] = self.priority_status.value if self.priority_status else None
        return data


def ward_rows(
    session: Session,
    *,
    cycle: str,
    search: str = "",
    la: str = "",
    ward_ids: Collection[uuid.UUID] | None = None,
) -> list[WardRow]:
    """Every live ward (optionally filtered, or only ``ward_ids``) with its officers and its priority for ``cycle``."""
    # Columns, not records: the ward list of a 680-ward force is read on every start.
    query = select(Ward.id, Ward.code, Ward.name, Ward.la_code, Ward.la_name, Ward.vintage).where(
        Ward.deleted.is_(False)
    )
    if ward_ids is not None:
        query = query.where(Ward.id.in_(list(ward_ids)))
    if search.strip():
        pattern = f"%{search.strip()}%"
        query = query.where(or_(Ward.name.ilike(pattern), Ward.code.ilike(pattern)))
    if la.strip():
        query = query.where(or_(Ward.la_name.ilike(la.strip()), Ward.la_code == la.strip().upper()))
    found = session.execute(query.order_by(Ward.la_name, Ward.name)).all()
    ids = [w.id for w in found]
    if not ids:
        return []
    lsoas: dict[uuid.UUID, int] = {
        ward_id: n
        for ward_id, n in session.execute(
            select(WardLsoa.ward_id, func.count())
            .where(WardLsoa.ward_id.in_(ids), WardLsoa.deleted.is_(False))
            .group_by(WardLsoa.ward_id)
        )
    }
    officers: dict[uuid.UUID, list[str]] = defaultdict(list)
    for ward_id, name in session.execute(
        select(WardRole.ward_id, Person.full_name)
        .join(Person, Person.id == WardRole.person_id)
        .where(WardRole.ward_id.in_(ids), WardRole.role.in_(_OFFICER_ROLES), WardRole.deleted.is_(False))
        .order_by(WardRole.role.desc(), Person.full_name)
    ):
        officers[ward_id].append(name)
    best: dict[uuid.UUID, tuple[str, PriorityStatus]] = {}
    for ward_id, title, status in session.execute(
        select(Priority.ward_id, Priority.title, Priority.status)
        .join(Cycle, Cycle.id == Priority.cycle_id)
        .where(Priority.ward_id.in_(ids), Priority.deleted.is_(False), Cycle.id == natural_id("cycle", cycle))
    ):
        if ward_id not in best or rules.standing(status) > rules.standing(best[ward_id][1]):
            best[ward_id] = (title, status)
    return [
        WardRow(
            id=w.id,
            code=w.code,
            name=w.name,
            la_code=w.la_code,
            la_name=w.la_name,
            vintage=w.vintage,
            lsoa_count=lsoas.get(w.id, 0),
            officers=officers.get(w.id, []),
            priority_title=best.get(w.id, ("", None))[0],
            priority_status=best.get(w.id, ("", None))[1],
        )
        for w in found
    ]


def ward_code(session: Session, ward_id: uuid.UUID) -> str | None:
    """The ward's ONS code (None: no such ward), to preselect it in a form that lists wards by code."""
    return session.scalar(select(Ward.code).where(Ward.id == ward_id, Ward.deleted.is_(False)))


def local_authorities(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Ward.la_name)
            .where(Ward.deleted.is_(False), Ward.la_name != "")
            .distinct()
            .order_by(Ward.la_name)
        )
    )


# --- a ward's page ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PastPriority:
    id: uuid.UUID
    cycle: str
    title: str
    status: PriorityStatus
    outcome: Outcome | None
    lead_agency: str


@dataclass(frozen=True)
class WardDetail:
    id: uuid.UUID
    code: str
    name: str
    la_name: str
    vintage: str
    team_contact: str
    engagement_url: str
    officers: list[str]
    #: Members of the public (panel chair and members, key individuals): personal data, never shown publicly.
    panel: list[str]
    partner_contacts: list[str]
    partners_in_work: list[str]
    lsoas: list[str]
    current: PastPriority | None
    history: list[PastPriority]


def ward_detail(session: Session, ward_id: uuid.UUID, *, cycle: str) -> WardDetail | None:
    ward = session.get(Ward, ward_id)
    if ward is None or ward.deleted:
        return None
    roles = session.execute(
        select(WardRole.role, Person)
        .join(Person, Person.id == WardRole.person_id)
        .where(
            WardRole.ward_id == ward_id,
            WardRole.deleted.is_(False),
            Person.deleted.is_(False),
            Person.retired_on.is_(None),  # moved on: history only
        )
        .options(joinedload(Person.agency))
        .order_by(Person.full_name)
    ).all()

    def named(person: Person, role: PersonRole) -> str:
        where = f", {person.agency.name}" if person.agency else ""
        return f"{person.full_name} ({role.label}{where})"

    priorities = list(
        session.scalars(
            select(Priority)
            .where(Priority.ward_id == ward_id, Priority.deleted.is_(False))
            .options(
                joinedload(Priority.cycle), joinedload(Priority.lead_agency), selectinload(Priority.plan)
            )
        ).unique()
    )
    past = sorted(
        (
            PastPriority(
                p.id,
                p.cycle.code,
                p.title,
                p.status,
                p.plan.outcome if p.plan else None,
                p.lead_agency.name if p.lead_agency else "",
            )
            for p in priorities
        ),
        key=lambda item: (item.cycle, rules.standing(item.status)),
        reverse=True,
    )
    current = next((item for item in past if item.cycle == cycle), None)
    partners = sorted(
        {
            a.owner_agency.name
            for p in priorities
            if p.cycle.code == cycle
            for a in p.actions
            if a.owner_agency is not None
        }
    )
    return WardDetail(
        id=ward.id,
        code=ward.code,
        name=ward.name,
        la_name=ward.la_name,
        vintage=ward.vintage,
        team_contact=ward.team_contact,
        engagement_url=ward.engagement_url,
        officers=[
            named(p, r) for r, p in roles if r not in PUBLIC_ROLES and r is not PersonRole.PARTNER_CONTACT
        ],
        # Key individuals have their own section on the ward page (with consent and contacts).
        panel=[named(p, r) for r, p in roles if r in PUBLIC_ROLES and r is not PersonRole.KEY_INDIVIDUAL],
        partner_contacts=[named(p, r) for r, p in roles if r is PersonRole.PARTNER_CONTACT],
        partners_in_work=partners,
        lsoas=[f"{lsoa.code} {lsoa.name}".strip() for lsoa in sorted(ward.lsoas, key=lambda x: x.code)],
        current=current,
        history=[item for item in past if item.cycle != cycle],
    )
