"""Partner contact lists and ward team rosters from CSV: any column order, headers in any case.

The columns are guessed from the names real lists use and the officer can change the matching (as
for nominations). Bad rows are reported by line and good rows still import; importing the same file
again adds nothing twice (agencies match by name, people by email or by name and agency, ward links
are unique).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes
from commmatters_desktop.core.enums import PUBLIC_ROLES, AgencyKind, PersonRole
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.models import Agency, Person, Ward
from commmatters_desktop.core.services import people
from commmatters_desktop.importers.csvfile import CsvRow, CsvTable, guess_columns, read_csv

_EMAIL = ("email", "e_mail", "email_address", "work_email", "mail")
_PHONE = ("phone", "telephone", "tel", "work_phone", "phone_number", "mobile", "work_telephone")
CONTACT_ALIASES: dict[str, tuple[str, ...]] = {
    "agency": ("agency", "organisation", "organization", "partner", "partner_agency", "org", "company", "service"),
    "kind": ("kind", "type", "agency_type", "sector", "agency_kind"),
    "name": ("name", "full_name", "contact", "contact_name", "person"),
    "title": ("role", "job_title", "title", "position", "job"),
    "email": _EMAIL,
    "phone": _PHONE,
    "wards": ("wards", "ward", "ward_codes", "wards_covered", "covers", "area", "areas"),
}  # fmt: skip
ROSTER_ALIASES: dict[str, tuple[str, ...]] = {
    "ward_code": ("ward_code", "ward", "wardcode", r"wd\d{2}cd", "ward_name"),
    "name": ("name", "full_name", "officer", "officer_name", "staff_name"),
    "role": ("role", "rank", "grade", "position"),
    "title": ("shoulder_number", "collar_number", "collar", "number", "warrant_number", "badge", "title"),
    "email": _EMAIL,
    "phone": _PHONE,
    "ward_officer": ("ward_officer", "is_ward_officer", "dedicated_ward_officer", "dwo", "lead", "lead_officer"),
    "team": ("team", "agency", "unit", "npt"),
}  # fmt: skip
REQUIRED = {"contacts": ("agency", "name"), "roster": ("ward_code", "name", "role")}

_KINDS: tuple[tuple[str, AgencyKind], ...] = (
    ("cid", AgencyKind.CID), ("safeguarding", AgencyKind.SAFEGUARDING), ("response", AgencyKind.RESPONSE),
    ("csp", AgencyKind.CSP), ("community safety", AgencyKind.CSP), ("police", AgencyKind.POLICE_TEAM),
    ("neighbourhood", AgencyKind.POLICE_TEAM), ("school", AgencyKind.SCHOOL), ("academy", AgencyKind.SCHOOL),
    ("college", AgencyKind.SCHOOL), ("council", AgencyKind.LOCAL_AUTHORITY),
    ("local authority", AgencyKind.LOCAL_AUTHORITY), ("housing", AgencyKind.HOUSING), ("homes", AgencyKind.HOUSING),
    ("nhs", AgencyKind.HEALTH), ("health", AgencyKind.HEALTH), ("gp", AgencyKind.HEALTH),
    ("fire", AgencyKind.FIRE), ("charity", AgencyKind.CHARITY), ("voluntary", AgencyKind.CHARITY),
    ("trust", AgencyKind.CHARITY),
)  # fmt: skip
_ROLES: tuple[tuple[str, PersonRole], ...] = (
    ("pcso", PersonRole.PCSO), ("community support", PersonRole.PCSO), ("sergeant", PersonRole.SERGEANT),
    ("sgt", PersonRole.SERGEANT), ("inspector", PersonRole.INSPECTOR), ("insp", PersonRole.INSPECTOR),
    ("ward officer", PersonRole.WARD_OFFICER), ("dwo", PersonRole.WARD_OFFICER),
    ("constable", PersonRole.CONSTABLE), ("pc", PersonRole.CONSTABLE), ("officer", PersonRole.CONSTABLE),
)  # fmt: skip
_YES = {"yes", "y", "true", "1", "x", "✓", "✔", "ward officer", "dwo", "lead"}


@dataclass(frozen=True)
class ContactRecord:
    line: int
    agency: str
    kind: AgencyKind
    name: str
    title: str
    email: str
    phone: str
    wards: list[str]


@dataclass(frozen=True)
class RosterRecord:
    line: int
    ward: str
    name: str
    role: PersonRole
    ward_officer: bool
    title: str
    email: str
    phone: str
    team: str


@dataclass
class PeopleFile:
    source: str
    headers: list[str]
    mapping: dict[str, str | None]
    contacts: list[ContactRecord] = field(default_factory=list)
    roster: list[RosterRecord] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class PeopleImport:
    agencies_added: int = 0
    people_added: int = 0
    people_updated: int = 0
    links_added: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"{self.agencies_added} agencies added, {self.people_added} people added, "
            f"{self.people_updated} updated, {self.links_added} ward links added, {len(self.skipped)} "
            f"row{'' if len(self.skipped) == 1 else 's'} skipped"
        )

    def as_json(self) -> dict[str, object]:
        return {
            "agencies_added": self.agencies_added,
            "people_added": self.people_added,
            "people_updated": self.people_updated,
            "links_added": self.links_added,
            "skipped": [{"line": line, "reason": reason} for line, reason in self.skipped],
        }


def guess_mapping(kind: str, headers: list[str]) -> dict[str, str | None]:
    return guess_columns(headers, CONTACT_ALIASES if kind == "contacts" else ROSTER_ALIASES)


def read_people(path: Path, kind: str, mapping: dict[str, str | None] | None = None) -> PeopleFile:
    return parse_people(read_csv(path), kind, mapping)


def parse_people(table: CsvTable, kind: str, mapping: dict[str, str | None] | None = None) -> PeopleFile:
    """``kind`` is "contacts" (a partner contact list) or "roster" (a ward team roster)."""
    mapping = mapping or guess_mapping(kind, table.headers)
    missing = [name for name in REQUIRED[kind] if not mapping.get(name)]
    if missing:
        what = "partner contact list" if kind == "contacts" else "ward team roster"
        raise UserError(
            f"{table.source} has no column for {', '.join(m.replace('_', ' ') for m in missing)} (its columns are: "
            f"{table.describe_headers()}). A {what} needs {', '.join(REQUIRED[kind])}; rename the columns or match "
            "them in the app. Nothing was imported."
        )
    result = PeopleFile(table.source, table.headers, mapping)
    for row in table.rows:
        try:
            if kind == "contacts":
                result.contacts.append(_contact(row, mapping))
            else:
                result.roster.append(_roster(row, mapping))
        except UserError as exc:
            result.problems.append((row.line, exc.message))
    return result


def _value(row: CsvRow, mapping: dict[str, str | None], name: str) -> str:
    return " ".join(row.get(mapping.get(name)).split())


def _contact(row: CsvRow, mapping: dict[str, str | None]) -> ContactRecord:
    agency, name = _value(row, mapping, "agency"), _value(row, mapping, "name")
    if not agency:
        raise UserError("the agency is empty")
    if not name:
        raise UserError("the contact's name is empty")
    kind_text = _value(row, mapping, "kind")
    return ContactRecord(
        line=row.line,
        agency=agency,
        kind=parse_kind(kind_text or agency, strict=bool(kind_text)),
        name=name,
        title=_value(row, mapping, "title"),
        email=_value(row, mapping, "email"),
        phone=_value(row, mapping, "phone"),
        wards=[w.strip() for w in re.split(r"[;,|/\n]+", row.get(mapping.get("wards"))) if w.strip()],
    )


def _roster(row: CsvRow, mapping: dict[str, str | None]) -> RosterRecord:
    ward, name = _value(row, mapping, "ward_code"), _value(row, mapping, "name")
    if not ward:
        raise UserError("the ward is empty")
    if not name:
        raise UserError("the officer's name is empty")
    role_text = _value(row, mapping, "role")
    role = parse_role(role_text)
    flag = _value(row, mapping, "ward_officer").lower()
    return RosterRecord(
        line=row.line,
        ward=ward,
        name=name,
        role=PersonRole.CONSTABLE if role is PersonRole.WARD_OFFICER else role,
        ward_officer=role is PersonRole.WARD_OFFICER or flag in _YES,
        title=_value(row, mapping, "title"),
        email=_value(row, mapping, "email"),
        phone=_value(row, mapping, "phone"),
        team=_value(row, mapping, "team"),
    )


def parse_kind(text: str, *, strict: bool = True) -> AgencyKind:
    """A kind as lists write it ("Local Authority", "NHS", "Housing association"); strict for a kind column."""
    cleaned = text.strip().lower().replace("_", " ")
    for member in AgencyKind:
        if cleaned in (member.value.replace("_", " "), member.label.lower()):
            return member
    words = f" {re.sub(r'[^a-z]+', ' ', cleaned)} "
    found = next((kind for word, kind in _KINDS if f" {word} " in words), None)
    if found is not None:
        return found
    if strict and cleaned not in ("other", ""):
        choices = ", ".join(k.label.lower() for k in AgencyKind)
        raise UserError(f"the kind '{text.strip()}' is not one of: {choices}")
    return AgencyKind.OTHER


def parse_role(text: str) -> PersonRole:
    words = f" {re.sub(r'[^a-z]+', ' ', text.lower())} "
    found = next((role for word, role in _ROLES if f" {word} " in words), None)
    if found is None:
        raise UserError(f"the role '{text.strip()}' is not PC, PCSO, sergeant, inspector or ward officer")
    return found


# --- applying ------------------------------------------------------------------------------------------------


def _ward(session: Session, text: str) -> Ward:
    try:
        return people.ward_named(session, text)
    except UserError as exc:
        raise UserError(exc.message[0].lower() + exc.message[1:].rstrip(".")) from None


def _person(
    session: Session,
    summary: PeopleImport,
    record: ContactRecord | RosterRecord,
    role: PersonRole,
    agency: Agency | None,
) -> Person:
    """The same person if already held (by work email, else by name in the same agency), or a new one."""
    query = select(Person).where(Person.deleted.is_(False), Person.role.not_in(PUBLIC_ROLES))
    found = None
    if record.email:
        found = session.scalars(query.where(func.lower(Person.email) == record.email.lower())).first()
    if found is None:
        query = query.where(func.lower(Person.full_name) == record.name.lower())
        found = session.scalars(
            query.where(Person.agency_id == agency.id if agency else Person.agency_id.is_(None))
        ).first()
    if found is None:
        summary.people_added += 1
        return people.create_person(
            session, full_name=record.name, role=role, agency=agency, title=record.title, email=record.email,
            phone=record.phone,
        )  # fmt: skip
    changes = {k: v for k, v in (("title", record.title), ("email", record.email), ("phone", record.phone))
               if v and getattr(found, k) != v}  # fmt: skip
    if changes:
        people.update_person(session, person=found, **changes)
        summary.people_updated += 1
    return found


def _agency(session: Session, name: str, kind: AgencyKind, summary: PeopleImport) -> Agency:
    agency = people.agency_by_name(session, name)
    if agency is None:
        agency = people.create_agency(session, name=name, kind=kind)
        summary.agencies_added += 1
    return agency


def _link(session: Session, summary: PeopleImport, ward: Ward, person: Person, role: PersonRole) -> None:
    from commmatters_desktop.core.models import WardRole

    live = session.scalars(
        select(WardRole.id).where(
            WardRole.ward_id == ward.id,
            WardRole.person_id == person.id,
            WardRole.role == role,
            WardRole.deleted.is_(False),
        )
    ).first()
    if live is None:
        people.assign(session, ward=ward, person=person, role=role)
        summary.links_added += 1


@changes.many_records
def apply_contacts(session: Session, records: list[ContactRecord]) -> PeopleImport:
    summary = PeopleImport()
    for record in records:
        try:
            wards = [_ward(session, w) for w in record.wards]
        except UserError as exc:
            summary.skipped.append((record.line, exc.message))
            continue
        agency = _agency(session, record.agency, record.kind, summary)
        person = _person(session, summary, record, PersonRole.PARTNER_CONTACT, agency)
        for ward in wards:
            _link(session, summary, ward, person, PersonRole.PARTNER_CONTACT)
    return summary


@changes.many_records
def apply_roster(session: Session, records: list[RosterRecord]) -> PeopleImport:
    summary = PeopleImport()
    for record in records:
        try:
            ward = _ward(session, record.ward)
        except UserError as exc:
            summary.skipped.append((record.line, exc.message))
            continue
        team = _agency(session, record.team, AgencyKind.POLICE_TEAM, summary) if record.team else None
        person = _person(session, summary, record, record.role, team)
        _link(session, summary, ward, person, PersonRole.WARD_OFFICER if record.ward_officer else record.role)
    return summary
