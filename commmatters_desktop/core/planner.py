"""Scheduling the weeks of action for a quarter: a rolling plan, or every ward in the same week.

Pure: given the wards in order, the quarter, the weeks that cannot be used and a capacity, it decides
and explains. A rolling plan spreads wards over the quarter's weeks at most N a week; all-wards mode
puts everyone in one chosen week. Whatever could not be placed is said, with what would fix it.

Weeks already held (begun or past) are fixed: a plan never moves them, and they take their places in
their weeks. A rolling plan never puts two wards that share an officer or partner team in the same
week when another week with room would do; a clash it cannot avoid is said. What a plan would move
from the weeks already set is listed, so the officer sees it before saving.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.dates import in_words
from commmatters_desktop.core.enums import ScheduleMode
from commmatters_desktop.core.errors import ValidationError


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class WardToPlan:
    id: uuid.UUID
    code: str
    name: str


@dataclass(frozen=True)
class Move:
    ward: str
    before: dt.date
    after: dt.date

    def describe(self) -> str:
        return f"{self.ward}: {self.before:%d %b} → {self.after:%d %b}"


@dataclass
class Plan:
    mode: ScheduleMode
    weeks: dict[uuid.UUID, dt.date] = field(default_factory=dict)
    unplaced: list[WardToPlan] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    per_week: int = 0
    #: Wards whose week is already held: kept as they are, never written by the plan.
    held: list[WardToPlan] = field(default_factory=list)
    #: Weeks already set that the plan would change.
    moves: list[Move] = field(default_factory=list)
    #: Clashes the plan could not avoid (all wards in one week, or no other week had room).
    clashes: list[Clash] = field(default_factory=list)

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
    held: dict[uuid.UUID, dt.date] | None = None,
    current: dict[uuid.UUID, dt.date] | None = None,
    teams: dict[uuid.UUID, set[str]] | None = None,
) -> Plan:
    """Place each ward's week of action; see the module docstring for the two modes.

    ``held``: weeks already begun or past (fixed); ``current``: weeks already set (to say what moves);
    ``teams``: who works in each ward (officers, partner teams), to keep them out of two wards at once.
    """
    plan = _place(wards, cycle=cycle, mode=mode, start=start, per_week=per_week, unavailable=unavailable,
                  held=held or {}, teams=teams or {})  # fmt: skip
    names = {w.id: w.name for w in wards}
    for ward_id, week in plan.weeks.items():
        before = (current or {}).get(ward_id)
        if before is not None and before != week:
            plan.moves.append(Move(names[ward_id], before, week))
    if plan.held:
        plan.explanation.append(
            f"{len(plan.held)} week{'s' if len(plan.held) != 1 else ''} of action already held "
            f"stay{'s' if len(plan.held) == 1 else ''} as {'it is' if len(plan.held) == 1 else 'they are'}: "
            + ", ".join(w.name for w in plan.held[:10])
            + ("…" if len(plan.held) > 10 else "")
            + "."
        )
    if plan.moves:
        plan.explanation.append(
            f"{len(plan.moves)} week{'s' if len(plan.moves) != 1 else ''} already set would move: "
            + "; ".join(m.describe() for m in plan.moves[:12])
            + ("…" if len(plan.moves) > 12 else "")
            + "."
        )
    everyone = {**plan.weeks, **{w.id: (held or {})[w.id] for w in plan.held}}
    plan.clashes = find_clashes(
        {names[w]: d for w, d in everyone.items()},
        {names[w]: t for w, t in (teams or {}).items() if w in names},
    )
    if plan.clashes:
        why = (
            "every ward acts in the same week" if mode is ScheduleMode.ALL_WARDS else "no other week had room"
        )
        plan.explanation.append(
            f"Clashes that could not be avoided ({why}): " + " ".join(c.describe() for c in plan.clashes[:6])
        )
    return plan


def _place(
    wards: list[WardToPlan],
    *,
    cycle: CycleCode,
    mode: ScheduleMode,
    start: dt.date,
    per_week: int | None,
    unavailable: Iterable[dt.date],
    held: dict[uuid.UUID, dt.date],
    teams: dict[uuid.UUID, set[str]],
) -> Plan:
    blocked = {monday(d) for d in unavailable}
    first = monday(start) if start.weekday() == 0 else monday(start) + dt.timedelta(weeks=1)
    if start < cycle.start - dt.timedelta(days=6) or start > cycle.end:
        raise ValidationError(f"Start within {cycle} ({cycle.start:%d %b} to {cycle.end:%d %b %Y}).")
    if per_week is not None and per_week < 1:
        raise ValidationError("Wards per week must be at least 1.")
    plan = Plan(mode=mode)
    plan.held = [w for w in wards if w.id in held]
    wards = [w for w in wards if w.id not in held]
    if not wards:
        plan.explanation.append(
            "There were no wards to plan." if not plan.held else "Every ward's week is held."
        )
        return plan
    if mode is ScheduleMode.ALL_WARDS:
        week = monday(start)
        if week in blocked:
            raise ValidationError(
                f"The week of {in_words(week, year=False)} is marked unavailable: choose another week."
            )
        plan.weeks = {w.id: week for w in wards}
        plan.per_week = len(wards)
        plan.explanation.append(f"All {len(wards)} wards act in the week of {in_words(week)}.")
        return plan

    weeks = [w for w in cycle.weeks() if w >= first and w not in blocked]
    skipped = sorted(w for w in blocked if first <= w <= cycle.end)
    if not weeks:
        plan.unplaced = list(wards)
        plan.explanation.append(
            f"No week from {in_words(first, year=False)} to the end of {cycle} is available."
        )
        return plan
    capacity = per_week or math.ceil(len(wards) / len(weeks))
    plan.per_week = capacity
    taken: dict[dt.date, int] = defaultdict(int)
    busy: dict[dt.date, set[str]] = defaultdict(set)  # who is already in some ward's week
    for ward_id, week in held.items():
        taken[week] += 1
        busy[week] |= teams.get(ward_id, set())
    for ward in wards:
        who = teams.get(ward.id, set())
        room = [w for w in weeks if taken[w] < capacity]
        chosen = next((w for w in room if not (who & busy[w])), room[0] if room else None)
        if chosen is None:
            plan.unplaced.append(ward)
            continue
        plan.weeks[ward.id] = chosen
        taken[chosen] += 1
        busy[chosen] |= who
    used = len({*plan.weeks.values()})
    plan.explanation.append(
        f"{len(plan.weeks)} of {len(wards)} wards placed over {used} week{'s' if used != 1 else ''}, "
        f"at most {capacity} a week, from the week of {in_words(weeks[0], year=False)}."
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
