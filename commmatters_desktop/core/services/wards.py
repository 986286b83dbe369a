"""Wards: created by hand or imported from an ONS lookup, with the LSOAs they cover."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes
from commmatters_desktop.core.changes import audit
from commmatters_desktop.core.errors import ValidationError
from commmatters_desktop.core.models import Ward, WardLsoa, natural_id
from commmatters_desktop.core.services.common import apply_changes, required

_WARD_CODE = re.compile(r"^[EWSN]\d{8}$")
_EDITABLE = frozenset({"name", "la_code", "la_name", "vintage", "team_contact", "engagement_url", "notes"})


@dataclass(frozen=True)
class WardRecord:
    """One ward as an importer read it, before it touches the vault."""

    code: str
    name: str
    la_code: str = ""
    la_name: str = ""
    vintage: str = ""


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    lsoas_linked: int = 0
    #: (line number, reason) for rows that were not imported.
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def describe(self, noun: str = "ward") -> str:
        def n(count: int) -> str:
            return f"{count} {noun}{'' if count == 1 else 's'}"

        text = f"{n(self.added)} added, {n(self.updated)} updated, {n(self.unchanged)} unchanged"
        if self.skipped:
            text += f", {len(self.skipped)} skipped"
        return text


def check_ward_code(code: str) -> str:
    code = code.strip().upper()
    if not _WARD_CODE.match(code):
        raise ValidationError(
            f"'{code}' is not an ONS ward code: it should be a letter and eight digits, like E05000650."
        )
    return code


def ward_by_code(session: Session, code: str) -> Ward | None:
    ward = session.get(Ward, natural_id("ward", code))
    return None if ward is None or ward.deleted else ward


def create_ward(
    session: Session, *, code: str, name: str, la_code: str = "", la_name: str = "", vintage: str = ""
) -> Ward:
    code = check_ward_code(code)
    name = required(name, "Give the ward a name.")
    existing = session.get(Ward, natural_id("ward", code))
    if existing is not None and not existing.deleted:
        raise ValidationError(f"Ward {code} ({existing.name}) is already in the vault.")
    if existing is not None:
        # A ward deleted earlier comes back under the same id, so its history stays attached.
        ward = existing
        ward.deleted = False
        ward.name, ward.la_code, ward.la_name, ward.vintage = name, la_code, la_name, vintage
    else:
        ward = Ward(
            id=natural_id("ward", code),
            code=code,
            name=name,
            la_code=la_code,
            la_name=la_name,
            vintage=vintage,
        )
        session.add(ward)
        changes.flush(session)
    audit(session, "create", ward, f"ward {code} {name}")
    return ward


def update_ward(session: Session, *, ward: Ward, **changes: str) -> list[str]:
    """Edit a ward's descriptive fields; returns the names of the fields that actually changed."""
    if "name" in changes:
        changes["name"] = required(changes["name"], "A ward needs a name.")
    return apply_changes(session, ward, dict(changes), allowed=_EDITABLE, what="a ward")


@changes.many_records
def import_wards(session: Session, records: Iterable[tuple[int, WardRecord]]) -> ImportSummary:
    """Add or refresh wards from an ONS lookup; a second run of the same file changes nothing."""
    summary = ImportSummary()
    for line, record in records:
        try:
            code = check_ward_code(record.code)
            name = required(record.name, "the ward name is empty")
        except ValidationError as exc:
            summary.skipped.append((line, exc.message))
            continue
        ward = session.get(Ward, natural_id("ward", code))
        if ward is None or ward.deleted:
            create_ward(
                session,
                code=code,
                name=name,
                la_code=record.la_code,
                la_name=record.la_name,
                vintage=record.vintage,
            )
            summary.added += 1
            continue
        fresh = {
            "name": name,
            "la_code": record.la_code,
            "la_name": record.la_name,
            "vintage": record.vintage,
        }
        fresh = {k: v for k, v in fresh.items() if v}
        if update_ward(session, ward=ward, **fresh):
            summary.updated += 1
        else:
            summary.unchanged += 1
    return summary


def set_lsoas(session: Session, *, ward: Ward, lsoas: Iterable[tuple[str, str]]) -> int:
    """Record which LSOAs (code, name) a ward covers; an LSOA moved from another ward moves here."""
    added = 0
    for code, name in lsoas:
        code = code.strip().upper()
        lsoa = session.get(WardLsoa, natural_id("lsoa", code))
        if lsoa is None:
            session.add(WardLsoa(id=natural_id("lsoa", code), ward_id=ward.id, code=code, name=name.strip()))
            added += 1
        elif lsoa.ward_id != ward.id or lsoa.deleted:
            lsoa.ward_id, lsoa.deleted = ward.id, False
            added += 1
    if added:
        changes.flush(session)
        audit(session, "update", ward, f"{added} LSOA{'s' if added != 1 else ''} linked")
    return added


def live_wards(session: Session) -> list[Ward]:
    return list(
        session.scalars(select(Ward).where(Ward.deleted.is_(False)).order_by(Ward.la_name, Ward.name))
    )
