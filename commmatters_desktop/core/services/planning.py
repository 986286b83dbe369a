"""Weeks of action as records: saving a plan, moving a ward's week by hand, unavailable weeks, clashes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core import planner
from commmatters_desktop.core.changes import audit
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.enums import (
    AGREED_OR_LATER,
    PUBLIC_ROLES,
    AgencyKind,
    PersonRole,
    ScheduleMode,
)
from commmatters_desktop.core.models import (
    Action,
    Agency,
    Cycle,
    Person,
    Priority,
    UnavailableWeek,
    Ward,
    WardRole,
    WeekOfAction,
    natural_id,
)
from commmatters_desktop.core.read import unfinished_through_priority
from commmatters_desktop.core.services import cycles
from commmatters_desktop.core.services.common import fetch


def week_id(cycle: str, ward_code: str) -> uuid.UUID:
    """One week of action per ward per cycle: the same id on every laptop that plans it."""
    return natural_id("week", f"{cycle}|{ward_code}")


def weeks_of(session: Session, cycle: str) -> dict[uuid.UUID, dt.date]:
    return {
        ward_id: start
        for ward_id, start in session.execute(
            select(WeekOfAction.ward_id, WeekOfAction.week_start).where(
                WeekOfAction.cycle_id == natural_id("cycle", cycle), WeekOfAction.deleted.is_(False)
            )
        )
    }


def unavailable_weeks(session: Session, cycle: str) -> dict[dt.date, str]:
    return {
        u.week_start: u.reason
        for u in session.scalars(
            select(UnavailableWeek).where(
                UnavailableWeek.cycle_id == natural_id("cycle", cycle), UnavailableWeek.deleted.is_(False)
            )
        )
    }


def set_unavailable(
    session: Session, *, cycle: str, week: dt.date, reason: str = "", unavailable: bool = True
) -> None:
    """Mark (or clear) a week that no week of action may use."""
    record = cycles.cycle(session, cycle)
    start = planner.monday(week)
    row = session.scalars(
        select(UnavailableWeek).where(
            UnavailableWeek.cycle_id == record.id, UnavailableWeek.week_start == start
        )
    ).first()
    if row is None:
        if unavailable:
            session.add(
                UnavailableWeek(
                    id=natural_id("unavailable", f"{record.code}|{start}"),
                    cycle_id=record.id,
                    week_start=start,
                    reason=reason.strip(),
                )
            )
    else:
        row.deleted = not unavailable
        row.reason = reason.strip() or row.reason
    audit(session, "unavailable" if unavailable else "available", record, f"week of {start:%d %b %Y}")


def weeks_of_ward(session: Session, *, cycle: str, ward_id: uuid.UUID) -> dt.date | None:
    """One ward's week of action in ``cycle`` (an edit reads what it replaces, not the whole quarter)."""
    return session.scalars(
        select(WeekOfAction.week_start).where(
            WeekOfAction.cycle_id == natural_id("cycle", cycle),
            WeekOfAction.ward_id == ward_id,
            WeekOfAction.deleted.is_(False),
        )
    ).first()


def set_week(session: Session, *, ward: Ward, cycle: str, week_start: dt.date | None) -> None:
    """Move (or clear) one ward's week of action by hand."""
    record = cycles.cycle(session, cycle)
    row = session.scalars(
        select(WeekOfAction).where(WeekOfAction.cycle_id == record.id, WeekOfAction.ward_id == ward.id)
    ).first()
    if week_start is None:
        if row is not None:
            row.deleted = True
    elif row is None:
        session.add(
            WeekOfAction(
                id=week_id(record.code, ward.code),
                cycle_id=record.id,
                ward_id=ward.id,
                week_start=planner.monday(week_start),
            )
        )
    else:
        row.week_start, row.deleted = planner.monday(week_start), False
    audit(
        session,
        "week of action",
        ward,
        f"{cycle}: {week_start:%d %b %Y}" if week_start else f"{cycle}: cleared",
    )


def invite_weeks(session: Session, cycle: str) -> list[tuple[str, str, str, dt.date]]:
    """(ward code, ward name, agreed priority title, Monday) for each planned week, soonest first."""
    titles = dict(
        session.execute(
            select(Priority.ward_id, Priority.title).where(
                Priority.cycle_id == natural_id("cycle", cycle),
                Priority.deleted.is_(False),
                Priority.status.in_(AGREED_OR_LATER),
            )
        ).all()
    )
    found = session.execute(
        select(Ward.id, Ward.code, Ward.name, WeekOfAction.week_start)
        .join(WeekOfAction, WeekOfAction.ward_id == Ward.id)
        .where(
            WeekOfAction.cycle_id == natural_id("cycle", cycle),
            WeekOfAction.deleted.is_(False),
            Ward.deleted.is_(False),
        )
        .order_by(WeekOfAction.week_start, Ward.name)
    )
    return [
        (code, name, titles.get(ward_id, "priority to be agreed"), week)
        for ward_id, code, name, week in found
    ]


def wards_to_plan(
    session: Session, *, la: str = "", order: list[str] | None = None
) -> list[planner.WardToPlan]:
    """The wards in the order a rolling plan takes them: by borough and name, or ``order`` (ward codes,
    e.g. the Social Harm Index's suggestion) first and the rest after."""
    query = select(Ward).where(Ward.deleted.is_(False)).order_by(Ward.la_name, Ward.name)
    if la:
        query = query.where(Ward.la_name.ilike(la) | (Ward.la_code == la.upper()))
    wards = [planner.WardToPlan(w.id, w.code, w.name) for w in session.scalars(query)]
    if order:
        rank = {code: i for i, code in enumerate(order)}
        wards.sort(key=lambda w: rank.get(w.code, len(rank)))
    return wards


def make_plan(
    session: Session,
    *,
    cycle: str,
    mode: ScheduleMode,
    start: dt.date,
    per_week: int | None = None,
    la: str = "",
    today: dt.date,
    order: list[str] | None = None,
) -> planner.Plan:
    """A plan for the quarter that keeps every week already begun and avoids clashes it can."""
    code = CycleCode.parse(cycle)
    current = weeks_of(session, str(code))
    return planner.plan_weeks(
        wards_to_plan(session, la=la, order=order),
        cycle=code,
        mode=mode,
        start=start,
        per_week=per_week,
        unavailable=unavailable_weeks(session, str(code)),
        held={ward: week for ward, week in current.items() if week <= today},
        current=current,
        teams=teams(session, str(code)),
    )


def save_plan(session: Session, *, cycle: str, plan: planner.Plan) -> int:
    """Write a plan's weeks (only the wards it placed); returns how many changed."""
    record = cycles.cycle(session, cycle)
    record.schedule_mode = plan.mode
    current = weeks_of(session, record.code)
    changed = 0
    for ward_id, week in plan.weeks.items():
        if current.get(ward_id) != week:
            set_week(session, ward=fetch(session, Ward, ward_id), cycle=record.code, week_start=week)
            changed += 1
    return changed


def restore_weeks(
    session: Session, *, cycle: str, weeks: dict[uuid.UUID, dt.date | None], mode: ScheduleMode | None
) -> None:
    """Put weeks back as they were (undo of a plan)."""
    record = cycles.cycle(session, cycle)
    record.schedule_mode = mode
    for ward_id, week in weeks.items():
        set_week(session, ward=fetch(session, Ward, ward_id), cycle=record.code, week_start=week)


def clashes(
    session: Session, cycle: str, weeks: dict[uuid.UUID, dt.date] | None = None
) -> list[planner.Clash]:
    """Officers and partner teams due in two wards' weeks of action at once (``weeks``: read already)."""
    weeks = weeks_of(session, cycle) if weeks is None else weeks
    names: dict[uuid.UUID, str] = {
        i: n for i, n in session.execute(select(Ward.id, Ward.name).where(Ward.id.in_(list(weeks))))
    }
    who = teams(session, cycle)
    return planner.find_clashes(
        {names[w]: d for w, d in weeks.items() if w in names},
        {names[w]: people for w, people in who.items() if w in names},
    )


def teams(session: Session, cycle: str) -> dict[uuid.UUID, set[str]]:
    """Who works in each ward in the quarter: its officers and PCSOs, and the partner teams owning open
    actions there (force-wide and borough-wide bodies excepted: they work in many wards at once)."""
    found: dict[uuid.UUID, set[str]] = defaultdict(set)
    for ward_id, person in session.execute(
        select(WardRole.ward_id, Person.full_name)
        .join(Person, Person.id == WardRole.person_id)
        .where(
            WardRole.deleted.is_(False),
            WardRole.role.in_((PersonRole.WARD_OFFICER, PersonRole.PCSO)),
            WardRole.role.not_in(PUBLIC_ROLES),
        )
    ):
        found[ward_id].add(person)
    for ward_id, agency in session.execute(
        select(Priority.ward_id, Agency.name)
        .join(Action, Action.priority_id == Priority.id)
        .join(Agency, Agency.id == Action.owner_agency_id)
        .where(
            Priority.cycle_id == natural_id("cycle", cycle),
            Action.deleted.is_(False),
            Priority.deleted.is_(False),
            unfinished_through_priority(),
            Agency.kind.not_in(_SPREAD_AGENCIES),
        )
    ):
        found[ward_id].add(agency)
    return dict(found)


#: Force-wide and borough-wide bodies work in many wards at once: a shared week is not a clash for them.
_SPREAD_AGENCIES = (
    AgencyKind.LOCAL_AUTHORITY,
    AgencyKind.CSP,
    AgencyKind.HEALTH,
    AgencyKind.HOUSING,
    AgencyKind.FIRE,
    AgencyKind.CHARITY,
    AgencyKind.SAFEGUARDING,
)


@dataclass(frozen=True)
class CalendarData:
    """Everything the calendar view shows for one cycle, as plain data."""

    cycle: str
    wards: list[tuple[uuid.UUID, str, str]]
    weeks: dict[uuid.UUID, dt.date]
    unavailable: dict[dt.date, str]
    clashes: list[planner.Clash]
    mode: ScheduleMode | None

    @property
    def summary(self) -> str:
        mode = self.mode.label if self.mode else "not planned yet"
        return f"{len(self.weeks)} of {len(self.wards)} wards have a week · {mode}"


def calendar_data(session: Session, cycle: str) -> CalendarData:
    record = session.get(Cycle, natural_id("cycle", cycle))
    wards = [
        (i, c, n)
        for i, c, n in session.execute(
            select(Ward.id, Ward.code, Ward.name)
            .where(Ward.deleted.is_(False))
            .order_by(Ward.la_name, Ward.name)
        )
    ]
    weeks = weeks_of(session, cycle)
    return CalendarData(
        cycle=cycle,
        wards=wards,
        weeks=weeks,
        unavailable=unavailable_weeks(session, cycle),
        clashes=clashes(session, cycle, weeks),
        mode=record.schedule_mode if record is not None else None,
    )
