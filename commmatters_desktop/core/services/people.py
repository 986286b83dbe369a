"""Partner agencies, their contacts, officers and the people attached to a ward."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core.changes import audit
from commmatters_desktop.core.enums import AgencyKind, PersonRole
from commmatters_desktop.core.errors import ValidationError
from commmatters_desktop.core.models import Agency, Person, Ward, WardRole, natural_id
from commmatters_desktop.core.services.common import required


def create_agency(session: Session, *, name: str, kind: AgencyKind, contact_route: str = "") -> Agency:
    name = required(name, "Give the partner agency a name.")
    clash = session.scalars(select(Agency).where(Agency.name == name, Agency.deleted.is_(False))).first()
    if clash is not None:
        raise ValidationError(f"There is already a partner agency called '{name}'.")
    agency = Agency(name=name, kind=kind, contact_route=contact_route.strip())
    session.add(agency)
    session.flush()
    audit(session, "create", agency, f"partner agency '{name}' ({kind.label})")
    return agency


def create_person(
    session: Session,
    *,
    full_name: str,
    role: PersonRole,
    agency: Agency | None = None,
    title: str = "",
    email: str = "",
    phone: str = "",
) -> Person:
    person = Person(
        full_name=required(full_name, "Give the person's name."),
        role=role,
        agency_id=agency.id if agency else None,
        title=title.strip(),
        email=email.strip(),
        phone=phone.strip(),
    )
    session.add(person)
    session.flush()
    # The audit trail is read by supervisors: name the role, not the member of the public.
    audit(session, "create", person, f"{role.label} added")
    return person


def assign(session: Session, *, ward: Ward, person: Person, role: PersonRole) -> WardRole:
    """Attach ``person`` to ``ward`` in ``role`` (ward officer, PCSO, panel chair, key individual...)."""
    existing = session.scalars(
        select(WardRole).where(
            WardRole.ward_id == ward.id, WardRole.person_id == person.id, WardRole.role == role
        )
    ).first()
    if existing is not None:
        existing.deleted = False
        return existing
    link = WardRole(
        id=natural_id("ward role", f"{ward.code}|{person.id}|{role.value}"),
        ward_id=ward.id,
        person_id=person.id,
        role=role,
    )
    session.add(link)
    session.flush()
    audit(session, "assign", link, f"{role.label} assigned to {ward.name}")
    return link
