"""Read-only views of partners, people and the key individual network, as plain data for every screen.

The window's tables, the ward page and the CLI all read these; none of them holds a live ORM object.
Rows about members of the public say so (``public``) so a screen can mark them as personal data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commmatters_desktop.core.enums import PUBLIC_ROLES, AgencyKind, ContactChannel, PersonRole
from commmatters_desktop.core.models import Agency, KinContact, Person, ReferenceGroup, Ward, WardRole
from commmatters_desktop.core.services import kin
from commmatters_desktop.core.services.kin import Gap


def status(retired_on: dt.date | None) -> str:
    return f"Retired {retired_on:%d/%m/%Y}" if retired_on else "Active"


@dataclass(frozen=True)
class AgencyRow:
    id: uuid.UUID
    name: str
    kind: AgencyKind
    contact_route: str
    retired_on: dt.date | None
    contacts: list[str]
    wards: list[str]

    @property
    def status(self) -> str:
        return status(self.retired_on)

    def as_json(self) -> dict[str, object]:
        return {
            "id": str(self.id),
            "name": self.name,
            "kind": self.kind.value,
            "contact_route": self.contact_route,
            "retired_on": self.retired_on.isoformat() if self.retired_on else None,
            "contacts": self.contacts,
            "wards": self.wards,
        }


@dataclass(frozen=True)
class PersonRow:
    id: uuid.UUID
    full_name: str
    role: PersonRole
    agency_id: uuid.UUID | None
    agency: str
    title: str
    email: str
    phone: str
    #: (ward code, role in that ward), e.g. ("E05011368", WARD_OFFICER).
    wards: list[tuple[str, PersonRole]]
    retired_on: dt.date | None
    community: str
    preferred_contact: str
    consent_on: dt.date | None
    consent_basis: str

    @property
    def public(self) -> bool:
        """A member of the public: everything identifying them is personal data."""
        return self.role in PUBLIC_ROLES

    @property
    def ward_codes(self) -> list[str]:
        return sorted({code for code, _role in self.wards})

    @property
    def ward_officer_of(self) -> list[str]:
        return sorted(code for code, role in self.wards if role is PersonRole.WARD_OFFICER)

    def describe_wards(self) -> str:
        return ", ".join(
            f"{code} (ward officer)" if role is PersonRole.WARD_OFFICER else code
            for code, role in sorted(set(self.wards))
        )

    @property
    def status(self) -> str:
        return status(self.retired_on)

    def as_json(self) -> dict[str, object]:
        return {
            "id": str(self.id),
            "full_name": self.full_name,
            "role": self.role.value,
            "agency": self.agency,
            "title": self.title,
            "email": self.email,
            "phone": self.phone,
            "wards": [{"ward_code": c, "role": r.value} for c, r in sorted(set(self.wards))],
            "ward_officer_of": self.ward_officer_of,
            "retired_on": self.retired_on.isoformat() if self.retired_on else None,
            "personal_data": self.public,
        }


@dataclass(frozen=True)
class KinRow:
    person: PersonRow
    recent: int
    last_contact: dt.date | None
    fatigued: bool

    @property
    def consent(self) -> str:
        p = self.person
        return f"{p.consent_on:%d/%m/%Y} ({p.consent_basis})" if p.consent_on else "not recorded"

    @property
    def preferred(self) -> str:
        value = self.person.preferred_contact
        return ContactChannel(value).label if value in ContactChannel._value2member_map_ else value

    def as_json(self) -> dict[str, object]:
        p = self.person
        return {
            "id": str(p.id),
            "full_name": p.full_name,
            "wards": p.ward_codes,
            "community": p.community,
            "preferred_contact": p.preferred_contact,
            "consent_on": p.consent_on.isoformat() if p.consent_on else None,
            "consent_basis": p.consent_basis,
            "contacts_last_90_days": self.recent,
            "last_contact": self.last_contact.isoformat() if self.last_contact else None,
            "fatigued": self.fatigued,
        }


@dataclass(frozen=True)
class ContactRow:
    id: uuid.UUID
    person_id: uuid.UUID
    person: str
    ward_code: str
    contacted_on: dt.date
    channel: ContactChannel
    purpose: str

    def as_json(self) -> dict[str, object]:
        return {
            "id": str(self.id),
            "person": self.person,
            "ward_code": self.ward_code,
            "contacted_on": self.contacted_on.isoformat(),
            "channel": self.channel.value,
            "purpose": self.purpose,
        }


@dataclass(frozen=True)
class ReferenceRow:
    id: uuid.UUID
    ward_code: str
    name: str
    community: str


@dataclass
class WardPeople:
    """What the ward page shows about its network: KIN, their recent contacts, the groups not heard."""

    kin: list[KinRow] = field(default_factory=list)
    contacts: list[ContactRow] = field(default_factory=list)
    references: list[ReferenceRow] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def ward_choices(session: Session) -> list[tuple[uuid.UUID, str, str]]:
    """Every ward as (id, code, name), by name: the pickers' choices."""
    return [
        (i, c, n)
        for i, c, n in session.execute(
            select(Ward.id, Ward.code, Ward.name)
            .where(Ward.deleted.is_(False))
            .order_by(Ward.name, Ward.code)
        ).all()
    ]


def agency_rows(session: Session, *, include_retired: bool = True) -> list[AgencyRow]:
    query = (
        select(Agency.id, Agency.name, Agency.kind, Agency.contact_route, Agency.retired_on)
        .where(Agency.deleted.is_(False))
        .order_by(Agency.name)
    )
    if not include_retired:
        query = query.where(Agency.retired_on.is_(None))
    contacts: dict[uuid.UUID, list[str]] = defaultdict(list)
    wards: dict[uuid.UUID, set[str]] = defaultdict(set)
    for row in person_rows(session, role=PersonRole.PARTNER_CONTACT):
        if row.agency_id is not None and row.retired_on is None:
            contacts[row.agency_id].append(f"{row.full_name} ({row.title})" if row.title else row.full_name)
            wards[row.agency_id].update(row.ward_codes)
    return [
        AgencyRow(i, name, kind, route, retired, contacts[i], sorted(wards[i]))
        for i, name, kind, route, retired in session.execute(query).all()
    ]


def person_rows(
    session: Session,
    *,
    role: PersonRole | None = None,
    ward_code: str | None = None,
    include_retired: bool = True,
) -> list[PersonRow]:
    """People as plain rows, by name. Columns are read, not records, and the ward links in one query
    limited like the people themselves: 4,760 people of a 680-ward force in a few tens of milliseconds."""
    people = select(Person.id).where(Person.deleted.is_(False))
    if role is not None:
        people = people.where(Person.role == role)
    if not include_retired:
        people = people.where(Person.retired_on.is_(None))
    if ward_code:
        people = people.where(
            Person.id.in_(
                select(WardRole.person_id)
                .join(Ward, Ward.id == WardRole.ward_id)
                .where(
                    Ward.code == ward_code.strip().upper(),
                    WardRole.deleted.is_(False),
                    Ward.deleted.is_(False),
                )
            )
        )
    chosen = people.subquery()
    links: dict[uuid.UUID, list[tuple[str, PersonRole]]] = defaultdict(list)
    for person_id, code, ward_role in session.execute(
        select(WardRole.person_id, Ward.code, WardRole.role)
        .join(Ward, Ward.id == WardRole.ward_id)
        .where(
            WardRole.deleted.is_(False), Ward.deleted.is_(False), WardRole.person_id.in_(select(chosen.c.id))
        )
    ).all():
        links[person_id].append((code, ward_role))
    query = (
        select(
            Person.id, Person.full_name, Person.role, Person.agency_id, Agency.name, Person.title, Person.email,
            Person.phone, Person.retired_on, Person.community, Person.preferred_contact, Person.consent_on,
            Person.consent_basis,
        )
        .outerjoin(Agency, Agency.id == Person.agency_id)
        .where(Person.id.in_(select(chosen.c.id)))
        .order_by(Person.full_name)
    )  # fmt: skip
    return [
        PersonRow(
            id=i, full_name=name, role=person_role, agency_id=agency_id, agency=agency or "", title=title,
            email=email, phone=phone, wards=links[i], retired_on=retired_on, community=community,
            preferred_contact=preferred, consent_on=consent_on, consent_basis=basis,
        )
        for (i, name, person_role, agency_id, agency, title, email, phone, retired_on, community, preferred,
             consent_on, basis) in session.execute(query).all()
    ]  # fmt: skip


def kin_rows(session: Session, *, on: dt.date, ward_code: str | None = None) -> list[KinRow]:
    threshold = kin.fatigue_threshold(session)
    people = person_rows(session, role=PersonRole.KEY_INDIVIDUAL, ward_code=ward_code, include_retired=False)
    since = on - dt.timedelta(days=kin.FATIGUE_DAYS)
    # Counted by the database, one row per key individual, not one per contact ever logged.
    recent: dict[uuid.UUID, int] = defaultdict(int)
    last: dict[uuid.UUID, dt.date] = {}
    live = KinContact.deleted.is_(False)
    for person_id, count in session.execute(
        select(KinContact.person_id, func.count())
        .where(live, KinContact.contacted_on > since, KinContact.contacted_on <= on)
        .group_by(KinContact.person_id)
    ).all():
        recent[person_id] = count
    for person_id, latest in session.execute(
        select(KinContact.person_id, func.max(KinContact.contacted_on))
        .where(live)
        .group_by(KinContact.person_id)
    ).all():
        last[person_id] = latest
    return [KinRow(p, recent[p.id], last.get(p.id), kin.is_fatigued(recent[p.id], threshold)) for p in people]


def contact_rows(
    session: Session,
    *,
    person_id: uuid.UUID | None = None,
    ward_code: str | None = None,
    limit: int | None = None,
) -> list[ContactRow]:
    query = (
        select(KinContact, Person.full_name, Ward.code)
        .join(Person, Person.id == KinContact.person_id)
        .outerjoin(Ward, Ward.id == KinContact.ward_id)
        .where(KinContact.deleted.is_(False), Person.deleted.is_(False))
        .order_by(KinContact.contacted_on.desc(), Person.full_name)
    )
    if person_id is not None:
        query = query.where(KinContact.person_id == person_id)
    if ward_code:
        query = query.where(Ward.code == ward_code.strip().upper())
    if limit is not None:
        query = query.limit(limit)
    return [
        ContactRow(c.id, c.person_id, name, code or "", c.contacted_on, c.channel, c.purpose)
        for c, name, code in session.execute(query).all()
    ]


def reference_rows(session: Session, *, ward_id: uuid.UUID | None = None) -> list[ReferenceRow]:
    query = (
        select(ReferenceGroup, Ward.code)
        .join(Ward, Ward.id == ReferenceGroup.ward_id)
        .where(ReferenceGroup.deleted.is_(False))
        .order_by(Ward.code, ReferenceGroup.name)
    )
    if ward_id is not None:
        query = query.where(ReferenceGroup.ward_id == ward_id)
    return [ReferenceRow(r.id, code, r.name, r.community) for r, code in session.execute(query).all()]


def ward_people(session: Session, *, ward_id: uuid.UUID, on: dt.date, recent: int = 5) -> WardPeople:
    ward = session.get(Ward, ward_id)
    if ward is None:
        return WardPeople()
    return WardPeople(
        kin=kin_rows(session, on=on, ward_code=ward.code),
        contacts=contact_rows(session, ward_code=ward.code, limit=recent),
        references=reference_rows(session, ward_id=ward_id),
        gaps=kin.gaps(session, ward_id=ward_id),
    )


#: The partner list for a PACT pack: one row per contact (an agency without contacts gets one row).
PARTNER_HEADERS = [
    "agency",
    "kind",
    "contact_route",
    "status",
    "contact",
    "role",
    "work_email",
    "work_phone",
    "wards",
]


def partner_table(session: Session, *, include_retired: bool = False) -> list[list[str]]:
    contacts: dict[uuid.UUID, list[PersonRow]] = defaultdict(list)
    for person in person_rows(session, role=PersonRole.PARTNER_CONTACT, include_retired=False):
        if person.agency_id is not None:
            contacts[person.agency_id].append(person)
    table: list[list[str]] = []
    for agency in agency_rows(session, include_retired=include_retired):
        base = [agency.name, agency.kind.label, agency.contact_route, agency.status]
        if not contacts[agency.id]:
            table.append([*base, "", "", "", "", ""])
        for person in contacts[agency.id]:
            wards = " ".join(person.ward_codes)
            table.append([*base, person.full_name, person.title, person.email, person.phone, wards])
    return table
