"""Partner agencies, their contacts, officers and the people attached to a ward.

Nothing here is ever hard-deleted by a user: a partner agency that stops working with the force is
*retired* (out of the pickers, still named on the actions and priorities it led), and so is a person
who moves on. Creating takes an optional id so that undo then redo brings the same record back.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes
from commmatters_desktop.core.changes import audit, today
from commmatters_desktop.core.enums import AgencyKind, ContactChannel, PersonRole
from commmatters_desktop.core.errors import NotFound, ValidationError
from commmatters_desktop.core.models import Agency, Person, Ward, WardRole, natural_id
from commmatters_desktop.core.services.common import apply_changes, required, restore, revive, tombstone

AGENCY_FIELDS = frozenset({"name", "kind", "contact_route"})
PERSON_FIELDS = frozenset(
    {"full_name", "role", "agency_id", "title", "email", "phone", "community", "preferred_contact"}
)


def agency_by_name(session: Session, name: str) -> Agency | None:
    """The live agency with this name, whatever its case (imports and the CLI name agencies)."""
    return session.scalars(
        select(Agency).where(func.lower(Agency.name) == name.strip().lower(), Agency.deleted.is_(False))
    ).first()


def find_agency(session: Session, name: str) -> Agency:
    agency = agency_by_name(session, name)
    if agency is None:
        raise NotFound(f"There is no partner agency called '{name.strip()}'. Add it first (partners add).")
    return agency


def create_agency(
    session: Session,
    *,
    name: str,
    kind: AgencyKind,
    contact_route: str = "",
    agency_id: uuid.UUID | None = None,
) -> Agency:
    name = required(name, "Give the partner agency a name.")
    again = revive(session, Agency, agency_id)
    if again is not None:
        return again
    if agency_by_name(session, name) is not None:
        raise ValidationError(f"There is already a partner agency called '{name}'.")
    agency = Agency(name=name, kind=kind, contact_route=contact_route.strip())
    if agency_id is not None:
        agency.id = agency_id
    session.add(agency)
    changes.flush(session)
    audit(session, "create", agency, f"partner agency '{name}' ({kind.label})")
    return agency


def update_agency(session: Session, *, agency: Agency, **changes: Any) -> list[str]:
    if "name" in changes:
        name = required(str(changes["name"]), "Give the partner agency a name.")
        clash = agency_by_name(session, name)
        if clash is not None and clash.id != agency.id:
            raise ValidationError(f"There is already a partner agency called '{name}'.")
    return apply_changes(session, agency, changes, allowed=AGENCY_FIELDS, what="a partner agency")


def set_retired(session: Session, record: Agency | Person, retired: bool) -> None:
    """Retire (as of today) or reinstate: the record stays, so history still names it."""
    if (record.retired_on is not None) == retired:
        return
    record.retired_on = today(session) if retired else None
    what = f"partner agency '{record.name}'" if isinstance(record, Agency) else record.role.label
    audit(
        session,
        "retire" if retired else "reinstate",
        record,
        f"{what} {'retired' if retired else 'reinstated'}",
    )


def retire_agency(session: Session, *, agency: Agency) -> None:
    """No longer offered as a lead or owner; its past actions and priorities still name it."""
    set_retired(session, agency, True)


def reinstate_agency(session: Session, *, agency: Agency) -> None:
    set_retired(session, agency, False)


def create_person(
    session: Session,
    *,
    full_name: str,
    role: PersonRole,
    agency: Agency | None = None,
    title: str = "",
    email: str = "",
    phone: str = "",
    community: str = "",
    preferred_contact: ContactChannel | None = None,
    person_id: uuid.UUID | None = None,
) -> Person:
    again = revive(session, Person, person_id)
    if again is not None:
        return again
    person = Person(
        full_name=required(full_name, "Give the person's name."),
        role=role,
        agency_id=agency.id if agency else None,
        title=title.strip(),
        email=email.strip(),
        phone=phone.strip(),
        community=community.strip(),
        preferred_contact=preferred_contact.value if preferred_contact else "",
    )
    if person_id is not None:
        person.id = person_id
    session.add(person)
    changes.flush(session)
    # The audit trail is read by supervisors: name the role, not the member of the public.
    audit(session, "create", person, f"{role.label} added")
    return person


def update_person(session: Session, *, person: Person, **changes: Any) -> list[str]:
    if "full_name" in changes:
        required(str(changes["full_name"]), "Give the person's name.")
    if isinstance(changes.get("preferred_contact"), ContactChannel):
        changes["preferred_contact"] = changes["preferred_contact"].value
    changed = apply_changes(session, person, changes, allowed=PERSON_FIELDS, what="a person", audited=None)
    return changed


def retire_person(session: Session, *, person: Person) -> None:
    """Moved on: out of the ward's lists and pickers, still named where they did something."""
    set_retired(session, person, True)


def reinstate_person(session: Session, *, person: Person) -> None:
    set_retired(session, person, False)


def assign(session: Session, *, ward: Ward, person: Person, role: PersonRole) -> WardRole:
    """Attach ``person`` to ``ward`` in ``role`` (ward officer, PCSO, panel chair, key individual...)."""
    existing = session.scalars(
        select(WardRole).where(
            WardRole.ward_id == ward.id, WardRole.person_id == person.id, WardRole.role == role
        )
    ).first()
    if existing is not None:
        if existing.deleted:
            restore(session, existing, f"{role.label} assigned to {ward.name} again")
        return existing
    link = WardRole(
        id=natural_id("ward role", f"{ward.code}|{person.id}|{role.value}"),
        ward_id=ward.id,
        person_id=person.id,
        role=role,
    )
    session.add(link)
    changes.flush(session)
    audit(session, "assign", link, f"{role.label} assigned to {ward.name}")
    return link


def unassign(session: Session, *, ward: Ward, person: Person, role: PersonRole) -> None:
    link = session.scalars(
        select(WardRole).where(
            WardRole.ward_id == ward.id,
            WardRole.person_id == person.id,
            WardRole.role == role,
            WardRole.deleted.is_(False),
        )
    ).first()
    if link is not None:
        tombstone(session, link, f"{role.label} no longer in {ward.name}")


def set_wards(session: Session, *, person: Person, role: PersonRole, wards: list[Ward]) -> None:
    """Make ``person`` hold ``role`` in exactly these wards (a partner contact's coverage, say)."""
    wanted = {w.id for w in wards}
    current = session.scalars(
        select(WardRole).where(
            WardRole.person_id == person.id, WardRole.role == role, WardRole.deleted.is_(False)
        )
    ).all()
    for link in current:
        if link.ward_id not in wanted:
            tombstone(session, link, f"{role.label} coverage changed")
    for ward in wards:
        assign(session, ward=ward, person=person, role=role)


def ward_named(session: Session, text: str) -> Ward:
    """A ward by its ONS code or its name, whatever the case (lists and forms use either)."""
    cleaned = text.strip()
    ward = session.scalars(
        select(Ward).where(
            Ward.deleted.is_(False),
            (Ward.code == cleaned.upper()) | (func.lower(Ward.name) == cleaned.lower()),
        )
    ).first()
    if ward is None:
        raise ValidationError(f"There is no ward '{cleaned}' in the vault (import the wards first).")
    return ward


def wards_from_text(session: Session, text: str) -> list[Ward]:
    """``"E05011368; Moss Side"`` → both wards; separators ; , | / or new lines."""
    import re

    return [ward_named(session, part) for part in re.split(r"[;,|/\n]+", text) if part.strip()]
