"""Scheduling the weeks of action for a quarter: a rolling plan, or every ward in the same week.

Pure: given the wards in order, the quarter, the weeks that cannot be used and a capacity, it decides
and explains. A rolling plan spreads wards over the quarter's weeks at most N a week; all-wards mode
puts everyone in one chosen week. Whatever could not be placed is said, with what would fix it.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.enums import ScheduleMode
from commmatters_desktop.core.errors import ValidationError


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class WardToPlan:
    id: uuid.UUID
    code: str
    name: str


@dataclass
class Plan:
    mode: ScheduleMode
    weeks: dict[uuid.UUID, dt.date] = field(default_factory=dict)
    unplaced: list[WardToPlan] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    per_week: int = 0

    def by_week(self) -> dict[dt.date, int]:
        counts: dict[dt.date, int] = defaultdict(int)
        for week in self.weeks.values():
            counts[week] += 1
        return dict(sorted(counts.items()))


def plan_weeks(
    wards: list[WardToPlan],
    *,
    cycle: CycleCode,
    mode: ScheduleMode,
    start: dt.date,
    per_week: int | None = None,
    unavailable: Iterable[dt.date] = (),
) -> Plan:
    """Place each ward's week of action; see the module docstring for the two modes."""
    blocked = {monday(d) for d in unavailable}
    first = monday(start) if start.weekday() == 0 else monday(start) + dt.timedelta(weeks=1)
    if start < cycle.start - dt.timedelta(days=6) or start > cycle.end:
        raise ValidationError(f"Start within {cycle} ({cycle.start:%d %b} to {cycle.end:%d %b %Y}).")
    if per_week is not None and per_week < 1:
        raise ValidationError("Wards per week must be at least 1.")
    plan = Plan(mode=mode)
    if not wards:
        plan.explanation.append("There were no wards to plan.")
        return plan
    if mode is ScheduleMode.ALL_WARDS:
        week = monday(start)
        if week in blocked:
            raise ValidationError(f"The week of {week:%d %B} is marked unavailable: choose another week.")
        plan.weeks = {w.id: week for w in wards}
        plan.per_week = len(wards)
        plan.explanation.append(f"All {len(wards)} wards act in the week of {week:%d %B %Y}.")
        return plan

    weeks = [w for w in cycle.weeks() if w >= first and w not in blocked]
    skipped = sorted(w for w in blocked if first <= w <= cycle.end)
    if not weeks:
        plan.unplaced = list(wards)
        plan.explanation.append(f"No week from {first:%d %B} to the end of {cycle} is available.")
        return plan
    capacity = per_week or math.ceil(len(wards) / len(weeks))
    plan.per_week = capacity
    for index, ward in enumerate(wards):
        slot = index // capacity
        if slot < len(weeks):
            plan.weeks[ward.id] = weeks[slot]
        else:
            plan.unplaced.append(ward)
    used = len({*plan.weeks.values()})
    plan.explanation.append(
        f"{len(plan.weeks)} of {len(wards)} wards placed over {used} week{'s' if used != 1 else ''}, "
        f"at most {capacity} a week, from the week of {weeks[0]:%d %B}."
    )
    if skipped:
        plan.explanation.append("Skipped as unavailable: " + ", ".join(f"{w:%d %b}" for w in skipped) + ".")
    if plan.unplaced:
        places = len(weeks) * capacity
        needed = math.ceil(len(wards) / len(weeks))
        plan.explanation.append(
            f"{len(plan.unplaced)} ward{'s' if len(plan.unplaced) != 1 else ''} could not be placed: "
            f"{len(weeks)} available weeks × {capacity} a week = {places} places for {len(wards)} wards. "
            f"Allow {needed} a week, free up weeks, or start earlier. Not placed: "
            + ", ".join(w.name for w in plan.unplaced[:10])
            + ("…" if len(plan.unplaced) > 10 else "")
            + "."
        )
    return plan


@dataclass(frozen=True)
class Clash:
    week: dt.date
    who: str
    wards: tuple[str, ...]

    def describe(self) -> str:
        return f"Week of {self.week:%d %b}: {self.who} is in {', '.join(self.wards)}."


def find_clashes(weeks: dict[str, dt.date], teams: dict[str, set[str]]) -> list[Clash]:
    """One officer or partner team in two wards' weeks at once. ``teams``: ward name -> who works there."""
    found: list[Clash] = []
    by_week: dict[dt.date, list[str]] = defaultdict(list)
    for ward, week in weeks.items():
        by_week[week].append(ward)
    for week, wards in sorted(by_week.items()):
        seen: dict[str, list[str]] = defaultdict(list)
        for ward in sorted(wards):
            for who in teams.get(ward, set()):
                seen[who].append(ward)
        found += [Clash(week, who, tuple(ws)) for who, ws in sorted(seen.items()) if len(ws) > 1]
    return found
