"""Read models: plain dataclasses for lists and tables (the CLI prints them, Qt models show them).

Views never hold live ORM objects; they hold these, built in one query each, so a table of 650
wards costs a handful of statements rather than one per row.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from commmatters_desktop.core.enums import PersonRole, PriorityStatus
from commmatters_desktop.core.models import Cycle, Person, Priority, Ward, WardLsoa, WardRole, natural_id

#: Where a ward's priority for the quarter stands when it has several candidates: the most advanced.
_RANK = {status: rank for rank, status in enumerate(PriorityStatus)}
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


def ward_rows(session: Session, *, cycle: str, search: str = "", la: str = "") -> list[WardRow]:
    """Every live ward (optionally filtered) with its officers and its priority for ``cycle``."""
    query = select(Ward).where(Ward.deleted.is_(False))
    if search.strip():
        pattern = f"%{search.strip()}%"
        query = query.where(or_(Ward.name.ilike(pattern), Ward.code.ilike(pattern)))
    if la.strip():
        query = query.where(or_(Ward.la_name.ilike(la.strip()), Ward.la_code == la.strip().upper()))
    found = list(session.scalars(query.order_by(Ward.la_name, Ward.name)))
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
        if ward_id not in best or _RANK[status] > _RANK[best[ward_id][1]]:
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


def local_authorities(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Ward.la_name)
            .where(Ward.deleted.is_(False), Ward.la_name != "")
            .distinct()
            .order_by(Ward.la_name)
        )
    )
