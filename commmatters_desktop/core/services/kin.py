"""The Key Individual Network: consent, contacts, consultation fatigue and representation gaps.

From the force's KIN principles (West Midlands Police, 2012, paragraphs 10-15): key individuals are
critical friends whose relationship must be kept "fair and proportionate" (so every contact is
logged and a threshold warns before one more request), and community mapping shows the groups a
ward is not hearing from (young people, the business community, Travellers, asylum seekers,
disability groups, and any the force adds).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes
from commmatters_desktop.core.changes import audit, today
from commmatters_desktop.core.enums import DEFAULT_GROUPS, ContactChannel, PersonRole
from commmatters_desktop.core.errors import UserError, ValidationError
from commmatters_desktop.core.models import (
    CommunityGroup,
    KinContact,
    Person,
    ReferenceGroup,
    VaultMeta,
    Ward,
    WardRole,
    natural_id,
)
from commmatters_desktop.core.services import people
from commmatters_desktop.core.services.common import fetch, required, restore, revive

#: Contacts are counted over this many days for consultation fatigue.
FATIGUE_DAYS = 90
DEFAULT_THRESHOLD = 3
THRESHOLD_KEY = "kin_fatigue_threshold"


class ConsentNeeded(UserError):
    """A key individual is contacted only once their consent is recorded."""


class FatigueWarning(UserError):
    """One more request would pass the fatigue threshold: the officer decides (``anyway=True``)."""

    def __init__(self, message: str, recent: int, threshold: int) -> None:
        super().__init__(message)
        self.recent, self.threshold = recent, threshold


# --- the register --------------------------------------------------------------------------------------------


def add_key_individual(
    session: Session,
    *,
    ward: Ward,
    full_name: str,
    community: str,
    preferred_contact: ContactChannel | None = None,
    email: str = "",
    phone: str = "",
    consent_on: dt.date | None = None,
    consent_basis: str = "",
    person_id: uuid.UUID | None = None,
) -> Person:
    person = people.create_person(
        session,
        full_name=full_name,
        role=PersonRole.KEY_INDIVIDUAL,
        email=email,
        phone=phone,
        community=required(community, "Say which community or group they connect with."),
        preferred_contact=preferred_contact,
        person_id=person_id,
    )
    people.assign(session, ward=ward, person=person, role=PersonRole.KEY_INDIVIDUAL)
    if consent_on is not None or consent_basis.strip():
        record_consent(session, person=person, on=consent_on, basis=consent_basis)
    return person


def record_consent(session: Session, *, person: Person, on: dt.date | None, basis: str) -> None:
    """Consent to be contacted as a key individual, with when and on what basis it was given."""
    basis = required(basis, "Say on what basis consent was given (for example: 'Signed KIN form').")
    if on is None:
        raise ValidationError("Give the date consent was given.")
    if on > today(session):
        raise ValidationError("Consent cannot be dated in the future.")
    person.consent_on, person.consent_basis = on, basis
    audit(session, "consent", person, "consent recorded")


def withdraw_consent(session: Session, *, person: Person) -> None:
    if person.consent_on is not None:
        person.consent_on, person.consent_basis = None, ""
        audit(session, "consent", person, "consent withdrawn")


def ward_key_individuals(session: Session, ward: Ward) -> list[Person]:
    """The ward's key individuals still in the network (retired ones and tombstones left out)."""
    return list(
        session.scalars(
            select(Person)
            .join(WardRole, WardRole.person_id == Person.id)
            .where(
                WardRole.ward_id == ward.id,
                WardRole.role == PersonRole.KEY_INDIVIDUAL,
                WardRole.deleted.is_(False),
                Person.deleted.is_(False),
                Person.retired_on.is_(None),
            )
            .order_by(Person.full_name)
        )
    )


# --- contacts and fatigue ------------------------------------------------------------------------------------


def fatigue_threshold(session: Session) -> int:
    row = session.get(VaultMeta, THRESHOLD_KEY)
    return int(row.value) if row else DEFAULT_THRESHOLD


def set_fatigue_threshold(session: Session, threshold: int) -> None:
    if not 1 <= threshold <= 50:
        raise ValidationError("The fatigue threshold must be between 1 and 50 contacts in 90 days.")
    session.merge(VaultMeta(key=THRESHOLD_KEY, value=str(threshold)))


def recent_contacts(session: Session, person: Person, on: dt.date) -> int:
    """How many times ``person`` was contacted in the ``FATIGUE_DAYS`` up to ``on``."""
    since = on - dt.timedelta(days=FATIGUE_DAYS)
    return len(
        session.scalars(
            select(KinContact.id).where(
                KinContact.person_id == person.id,
                KinContact.deleted.is_(False),
                KinContact.contacted_on > since,
                KinContact.contacted_on <= on,
            )
        ).all()
    )


def is_fatigued(recent: int, threshold: int) -> bool:
    """The one rule: at the threshold, another request needs the officer's say-so."""
    return recent >= threshold


def check_contact(session: Session, *, person: Person, on: dt.date) -> int:
    """Refuse a contact without consent; returns the contacts already made in the window."""
    if person.role is PersonRole.KEY_INDIVIDUAL and person.consent_on is None:
        raise ConsentNeeded(
            f"{person.full_name} has no consent recorded: record their consent (date and basis) before "
            "contacting them as a key individual."
        )
    if person.consent_on is not None and on < person.consent_on:
        raise ConsentNeeded(
            f"That contact is dated before {person.full_name} gave consent ({person.consent_on:%d/%m/%Y})."
        )
    if person.retired_on is not None:
        raise ValidationError(f"{person.full_name} has stepped down from the network; reinstate them first.")
    return recent_contacts(session, person, on)


def check_contact_of(session: Session, person_id: uuid.UUID, *, on: dt.date) -> int:
    """:func:`check_contact` for the person with this id (the window holds ids, not records)."""
    return check_contact(session, person=fetch(session, Person, person_id, "person"), on=on)


def log_contact(
    session: Session,
    *,
    person: Person,
    ward: Ward | None,
    on: dt.date,
    channel: ContactChannel,
    purpose: str,
    anyway: bool = False,
    contact_id: uuid.UUID | None = None,
) -> KinContact:
    again = revive(session, KinContact, contact_id)
    if again is not None:
        return again
    if on > today(session):
        raise ValidationError("A contact cannot be logged in the future.")
    purpose = required(purpose, "Say what the contact was for.")
    recent, threshold = check_contact(session, person=person, on=on), fatigue_threshold(session)
    if is_fatigued(recent, threshold) and not anyway:
        raise FatigueWarning(
            f"{person.full_name} has been contacted {recent} times in the last {FATIGUE_DAYS} days "
            f"(the threshold is {threshold}): consider asking someone else, or log it anyway.",
            recent,
            threshold,
        )
    contact = KinContact(
        person_id=person.id,
        ward_id=ward.id if ward else None,
        contacted_on=on,
        channel=channel,
        purpose=purpose,
    )
    if contact_id is not None:
        contact.id = contact_id
    session.add(contact)
    changes.flush(session)
    audit(session, "contact", person, f"contact logged ({channel.label})")
    return contact


# --- groups and gaps -----------------------------------------------------------------------------------------


def groups(session: Session) -> list[str]:
    """The groups every ward is checked against: the review's five, then the force's own, by name."""
    added = session.scalars(
        select(CommunityGroup.name).where(CommunityGroup.deleted.is_(False)).order_by(CommunityGroup.name)
    ).all()
    known = {g.casefold() for g in DEFAULT_GROUPS}
    return [*DEFAULT_GROUPS, *(g for g in added if g.casefold() not in known)]


def add_group(session: Session, name: str) -> CommunityGroup:
    name = required(name, "Give the group a name (for example: 'Older people').")
    if name.casefold() in {g.casefold() for g in groups(session)}:
        raise ValidationError(f"'{name}' is already a group the wards are checked for.")
    group_id = natural_id("community group", name)
    existing = session.get(CommunityGroup, group_id)
    if existing is not None:
        restore(session, existing, "group added again")
        return existing
    group = CommunityGroup(id=group_id, name=name)
    session.add(group)
    changes.flush(session)
    audit(session, "create", group, f"community group '{name}'")
    return group


def add_reference_group(
    session: Session, *, ward: Ward, name: str, community: str, group_id: uuid.UUID | None = None
) -> ReferenceGroup:
    again = revive(session, ReferenceGroup, group_id)
    if again is not None:
        return again
    link = ReferenceGroup(
        ward_id=ward.id,
        name=required(name, "Give the reference group's name."),
        community=required(community, "Say which community group it connects with."),
    )
    if group_id is not None:
        link.id = group_id
    session.add(link)
    changes.flush(session)
    audit(session, "create", link, f"reference group '{link.name}' linked to {ward.name}")
    return link


@dataclass(frozen=True)
class Gap:
    ward_id: uuid.UUID
    ward_code: str
    ward_name: str
    group: str
    #: Key individuals for the group whose consent is not recorded yet (a gap about to close).
    awaiting_consent: int

    def as_json(self) -> dict[str, object]:
        return {
            "ward_code": self.ward_code,
            "ward_name": self.ward_name,
            "group": self.group,
            "awaiting_consent": self.awaiting_consent,
        }


def gaps(session: Session, *, ward_id: uuid.UUID | None = None) -> list[Gap]:
    """Each ward's groups with no consenting key individual and no reference group, ward by ward.

    A key individual counts once their consent is recorded and while they have not stepped down;
    groups match by name whatever the case.
    """
    wanted = groups(session)
    ward_query = select(Ward.id, Ward.code, Ward.name).where(Ward.deleted.is_(False)).order_by(Ward.name)
    if ward_id is not None:
        ward_query = ward_query.where(Ward.id == ward_id)
    wards = session.execute(ward_query).all()  # columns, not records: 680 wards read in a blink
    covered: dict[uuid.UUID, set[str]] = defaultdict(set)
    pending: dict[tuple[uuid.UUID, str], int] = defaultdict(int)
    kin = session.execute(
        select(WardRole.ward_id, Person.community, Person.consent_on)
        .join(Person, Person.id == WardRole.person_id)
        .where(
            WardRole.role == PersonRole.KEY_INDIVIDUAL,
            WardRole.deleted.is_(False),
            Person.deleted.is_(False),
            Person.retired_on.is_(None),
        )
    ).all()
    for ward, community, consent_on in kin:
        if consent_on is None:
            pending[(ward, community.casefold())] += 1
        else:
            covered[ward].add(community.casefold())
    for ward, community in session.execute(
        select(ReferenceGroup.ward_id, ReferenceGroup.community).where(ReferenceGroup.deleted.is_(False))
    ).all():
        covered[ward].add(community.casefold())
    return [
        Gap(w.id, w.code, w.name, group, pending[(w.id, group.casefold())])
        for w in wards
        for group in wanted
        if group.casefold() not in covered[w.id]
    ]
