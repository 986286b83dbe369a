"""Crime and ASB counts: storing an import, reading them back by ward and month, a priority's evidence.

**Idempotent re-import.** data.police.uk publishes one complete file per force per month, so a
(force, month) is the unit of replacement: importing a month again replaces what was held for it,
never adds to it. A month whose rows were all skipped (a wrong lookup) replaces nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes
from commmatters_desktop.core.errors import ValidationError
from commmatters_desktop.core.evidence import (
    Comparison,
    add_months,
    month_label,
    month_of,
    month_range,
    parse_month,
)
from commmatters_desktop.core.models import (
    CrimeCount,
    CrimeMonth,
    Priority,
    PriorityEvidence,
    Ward,
    WardLsoa,
    WeekOfAction,
    natural_id,
)
from commmatters_desktop.importers.police_uk import ASB, CrimeTally, WardOf

COMPARISONS = {
    "force": "the rest of the force",
    "borough": "the rest of the borough",
    "wards": "the comparison wards",
}


def vault_lookup(session: Session) -> dict[str, WardOf]:
    """The LSOA-to-ward links held in the vault (from an imported ONS lookup)."""
    rows = session.execute(
        select(WardLsoa.code, Ward.code, Ward.la_code)
        .join(Ward, Ward.id == WardLsoa.ward_id)
        .where(WardLsoa.deleted.is_(False), Ward.deleted.is_(False))
    )
    return {lsoa: WardOf(ward, la) for lsoa, ward, la in rows}


@dataclass
class StoreResult:
    months: list[tuple[str, str]] = field(default_factory=list)
    replaced: list[tuple[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "months_stored": [{"force": f, "month": m} for f, m in self.months],
            "months_replaced": [{"force": f, "month": m} for f, m in self.replaced],
        }


def store_tally(session: Session, tally: CrimeTally, *, sources: Iterable[str] = ()) -> StoreResult:
    """Replace each (force, month) the tally holds with its counts, in the caller's transaction."""
    result = StoreResult()
    now = changes.context_of(session).clock.now()
    per_month: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for (force, month, ward, category), count in tally.counts.items():
        per_month[(force, month)].append(
            {
                "force": force,
                "month": month,
                "ward_code": ward,
                "category": category,
                "la_code": tally.la_of_ward.get(ward, ""),
                "count": count,
            }
        )
    names = "; ".join(sources) or "; ".join(tally.files)
    for (force, month), rows in sorted(per_month.items()):
        existing = session.get(CrimeMonth, (force, month))
        if existing is not None:
            result.replaced.append((force, month))
            session.execute(delete(CrimeCount).where(CrimeCount.force == force, CrimeCount.month == month))
            session.delete(existing)
            session.flush()
        session.execute(insert(CrimeCount), rows)
        asb = sum(int(r["count"]) for r in rows if r["category"] == ASB)  # type: ignore[call-overload]
        total = sum(int(r["count"]) for r in rows)  # type: ignore[call-overload]
        session.add(
            CrimeMonth(
                force=force, month=month, crimes=total - asb, asb=asb, skipped=tally.skipped_total,
                sources=names[:2000], imported_at=now,
            )
        )  # fmt: skip
        result.months.append((force, month))
    session.flush()
    return result


# --- reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldMonth:
    force: str
    month: str
    crimes: int
    asb: int
    imported_at: dt.datetime


def held_months(session: Session) -> list[HeldMonth]:
    return [
        HeldMonth(m.force, m.month, m.crimes, m.asb, m.imported_at)
        for m in session.scalars(select(CrimeMonth).order_by(CrimeMonth.force, CrimeMonth.month))
    ]


def categories(session: Session) -> list[str]:
    return list(session.scalars(select(CrimeCount.category).distinct().order_by(CrimeCount.category)))


def latest_month(session: Session) -> str | None:
    return session.scalar(select(func.max(CrimeMonth.month)))


def monthly(
    session: Session,
    *,
    months: list[str],
    wards: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
    la_codes: Iterable[str] | None = None,
    kinds: Iterable[str] = (),
    forces: Iterable[str] | None = None,
) -> dict[str, int]:
    """Counts per month (every month in ``months``, 0 where nothing was recorded) for an area."""
    query = select(CrimeCount.month, func.sum(CrimeCount.count)).where(CrimeCount.month.in_(months))
    if wards is not None:
        query = query.where(CrimeCount.ward_code.in_(list(wards)))
    excluded = list(exclude)
    if excluded:
        query = query.where(CrimeCount.ward_code.not_in(excluded))
    if la_codes is not None:
        query = query.where(CrimeCount.la_code.in_(list(la_codes)))
    chosen = list(kinds)
    if chosen:
        query = query.where(CrimeCount.category.in_(chosen))
    if forces is not None:
        query = query.where(CrimeCount.force.in_(list(forces)))
    found = {m: c for m, c in session.execute(query.group_by(CrimeCount.month))}
    return {m: int(found.get(m, 0)) for m in months}


def by_category(session: Session, *, months: list[str], wards: Iterable[str] | None = None) -> dict[str, int]:
    query = select(CrimeCount.category, func.sum(CrimeCount.count)).where(CrimeCount.month.in_(months))
    if wards is not None:
        query = query.where(CrimeCount.ward_code.in_(list(wards)))
    return {k: int(v) for k, v in session.execute(query.group_by(CrimeCount.category))}


def missing_months(session: Session, months: list[str], forces: Iterable[str] | None = None) -> list[str]:
    """Months with no imported data (so a zero there means "not imported", not "no crime")."""
    query = select(CrimeMonth.month).where(CrimeMonth.month.in_(months))
    if forces is not None:
        query = query.where(CrimeMonth.force.in_(list(forces)))
    held = set(session.scalars(query))
    return [m for m in months if m not in held]


def forces_of(session: Session, wards: Iterable[str]) -> list[str]:
    return list(
        session.scalars(select(CrimeCount.force).where(CrimeCount.ward_code.in_(list(wards))).distinct())
    )


@dataclass(frozen=True)
class WardSummary:
    ward: str
    months: dict[str, int]
    by_category: dict[str, int]
    missing: list[str]

    @property
    def total(self) -> int:
        return sum(self.months.values())

    def as_json(self) -> dict[str, object]:
        return {
            "ward": self.ward,
            "total": self.total,
            "months": self.months,
            "by_category": dict(sorted(self.by_category.items(), key=lambda kv: -kv[1])),
            "months_not_imported": self.missing,
        }


def ward_summary(session: Session, *, ward: str, first: str, last: str) -> WardSummary:
    try:
        parse_month(first), parse_month(last)
    except ValueError:
        raise ValidationError("Months are written YYYY-MM, for example 2026-04.") from None
    months = month_range(first, last)
    if not months:
        raise ValidationError(f"{last} is before {first}: give the earlier month first.")
    code = ward.strip().upper()
    return WardSummary(
        code,
        monthly(session, months=months, wards=[code]),
        by_category(session, months=months, wards=[code]),
        missing_months(session, months),
    )


# --- a priority's evidence ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceSettings:
    categories: list[str]
    baseline: list[str]
    after: list[str]
    comparison: str
    comparison_wards: list[str]

    def as_json(self) -> dict[str, object]:
        return {
            "categories": self.categories or ["all crime and ASB"],
            "baseline": [self.baseline[0], self.baseline[-1]] if self.baseline else [],
            "after": [self.after[0], self.after[-1]] if self.after else [],
            "comparison": self.comparison,
            "comparison_wards": self.comparison_wards,
        }


def _record(session: Session, priority: Priority) -> PriorityEvidence | None:
    record = session.get(PriorityEvidence, natural_id("priority evidence", str(priority.id)))
    return None if record is None or record.deleted else record


def default_periods(session: Session, priority: Priority) -> tuple[list[str], list[str]]:
    """Three months before the week of action's month, and the three months from the next month.

    Without a week of action, the quarter stands in for it.
    """
    week = session.scalar(
        select(WeekOfAction.week_start).where(
            WeekOfAction.ward_id == priority.ward_id,
            WeekOfAction.cycle_id == priority.cycle_id,
            WeekOfAction.deleted.is_(False),
        )
    )
    from commmatters_desktop.core.cycles import CycleCode

    anchor = month_of(week) if week else month_of(CycleCode.parse(priority.cycle.code).start)
    return month_range(add_months(anchor, -3), add_months(anchor, -1)), month_range(
        add_months(anchor, 1), add_months(anchor, 3)
    )


def settings_for(session: Session, priority: Priority) -> EvidenceSettings:
    record = _record(session, priority)
    baseline, after = default_periods(session, priority)
    if record is None:
        return EvidenceSettings([], baseline, after, "force", [])
    return EvidenceSettings(
        [c for c in record.categories.split("; ") if c],
        month_range(record.baseline_from, record.baseline_to) if record.baseline_from else baseline,
        month_range(record.after_from, record.after_to) if record.after_from else after,
        record.comparison if record.comparison in COMPARISONS else "force",
        record.comparison_wards.split(),
    )


def set_evidence(
    session: Session,
    *,
    priority: Priority,
    categories: list[str],
    baseline: tuple[str, str],
    after: tuple[str, str],
    comparison: str = "force",
    comparison_wards: list[str] | None = None,
) -> PriorityEvidence:
    """Choose the crime types, the months and the comparison area that measure ``priority``."""
    for first, last in (baseline, after):
        try:
            parse_month(first), parse_month(last)
        except ValueError:
            raise ValidationError("Months are written YYYY-MM, for example 2026-04.") from None
        if last < first:
            raise ValidationError(f"{last} is before {first}: give the earlier month first.")
    if after[0] <= baseline[1]:
        raise ValidationError("The 'after' months must come after the baseline months.")
    if comparison not in COMPARISONS:
        raise ValidationError(f"The comparison area is one of: {', '.join(COMPARISONS)}.")
    wards = [w.strip().upper() for w in comparison_wards or [] if w.strip()]
    if comparison == "wards" and not wards:
        raise ValidationError("Name at least one comparison ward (by its ONS code).")
    record = _record(session, priority)
    if record is None:
        existing = session.get(PriorityEvidence, natural_id("priority evidence", str(priority.id)))
        record = existing or PriorityEvidence(
            id=natural_id("priority evidence", str(priority.id)), priority_id=priority.id
        )
        record.deleted = False
        session.add(record)
    record.categories = "; ".join(c.strip() for c in categories if c.strip())
    record.baseline_from, record.baseline_to = baseline
    record.after_from, record.after_to = after
    record.comparison = comparison
    record.comparison_wards = " ".join(wards)
    changes.audit(session, "set evidence", record, f"{priority.ward.code} {priority.cycle.code}")
    return record


@dataclass(frozen=True)
class PriorityEvidenceResult:
    ward_code: str
    settings: EvidenceSettings
    area: str
    baseline: dict[str, int]
    after: dict[str, int]
    comparison_baseline: dict[str, int]
    comparison_after: dict[str, int]
    missing: list[str]

    @property
    def comparison(self) -> Comparison:
        return Comparison(
            sum(self.baseline.values()),
            sum(self.after.values()),
            sum(self.comparison_baseline.values()),
            sum(self.comparison_after.values()),
        )

    @property
    def after_complete(self) -> bool:
        return not any(m in self.missing for m in self.settings.after)

    def describe(self) -> str:
        """What is measured, over which months, against what: one line for reports and tabs."""
        s = self.settings
        return (
            f"{', '.join(s.categories) or 'All crime and ASB'}: {month_label(s.baseline[0])}–"
            f"{month_label(s.baseline[-1])} against {month_label(s.after[0])}–{month_label(s.after[-1])}, "
            f"compared with {self.area}"
        )

    def sentence(self) -> str:
        if self.missing:
            shown = ", ".join(month_label(m) for m in self.missing[:4]) + (
                " …" if len(self.missing) > 4 else ""
            )
            return f"Not yet comparable: no crime data imported for {shown}."
        return self.comparison.sentence(self.area)

    def as_json(self) -> dict[str, object]:
        return {
            "ward": self.ward_code,
            "settings": self.settings.as_json(),
            "comparison_area": self.area,
            "baseline": self.baseline,
            "after": self.after,
            "comparison_baseline": self.comparison_baseline,
            "comparison_after": self.comparison_after,
            "months_not_imported": self.missing,
            "result": self.comparison.as_json() if not self.missing else None,
            "verdict": self.sentence(),
        }


def priority_evidence(session: Session, priority_id: uuid.UUID) -> PriorityEvidenceResult:
    """The priority's baseline and after, its comparison area's, and the difference in differences."""
    priority = session.get(Priority, priority_id)
    if priority is None:
        raise ValidationError("That priority no longer exists.")
    settings = settings_for(session, priority)
    ward = priority.ward.code
    forces = forces_of(session, [ward]) or None
    months = settings.baseline + settings.after
    target = monthly(session, months=months, wards=[ward], kinds=settings.categories, forces=forces)
    if settings.comparison == "wards":
        other = monthly(session, months=months, wards=settings.comparison_wards, kinds=settings.categories)
    elif settings.comparison == "borough":
        other = monthly(
            session, months=months, exclude=[ward], la_codes=[priority.ward.la_code],
            kinds=settings.categories, forces=forces,
        )  # fmt: skip
    else:
        other = monthly(session, months=months, exclude=[ward], kinds=settings.categories, forces=forces)
    return PriorityEvidenceResult(
        ward,
        settings,
        COMPARISONS[settings.comparison],
        {m: target[m] for m in settings.baseline},
        {m: target[m] for m in settings.after},
        {m: other[m] for m in settings.baseline},
        {m: other[m] for m in settings.after},
        missing_months(session, months, forces),
    )


def force_monthly(session: Session, months: list[str]) -> dict[str, tuple[int, int]]:
    """Crimes and ASB per month across everything held: the report's force totals."""
    rows = session.execute(
        select(CrimeCount.month, CrimeCount.category == ASB, func.sum(CrimeCount.count))
        .where(CrimeCount.month.in_(months))
        .group_by(CrimeCount.month, CrimeCount.category == ASB)
    )
    totals: dict[str, list[int]] = {m: [0, 0] for m in months}
    for month, is_asb, count in rows:
        totals[month][1 if is_asb else 0] += int(count)
    return {m: (c, a) for m, (c, a) in totals.items()}


def ward_totals(session: Session, months: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(CrimeCount.ward_code, func.sum(CrimeCount.count))
        .where(CrimeCount.month.in_(months))
        .group_by(CrimeCount.ward_code)
    )
    return {w: int(c) for w, c in rows}
