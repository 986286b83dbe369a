"""The planner: rolling plans, unavailable weeks, all wards at once, and saying what does not fit."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

import pytest

from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.enums import ScheduleMode
from commmatters_desktop.core.errors import ValidationError
from commmatters_desktop.core.planner import WardToPlan, find_clashes, plan_weeks

Q1 = CycleCode(2027, 1)
WARDS = [WardToPlan(uuid.uuid4(), f"E05{900000 + n:06d}", f"Ward {n:02d}") for n in range(40)]


def test_forty_wards_over_thirteen_weeks_at_four_a_week() -> None:
    assert len(Q1.weeks()) == 13
    plan = plan_weeks(WARDS, cycle=Q1, mode=ScheduleMode.ROLLING, start=dt.date(2027, 1, 4), per_week=4)
    assert len(plan.weeks) == 40 and plan.unplaced == []
    assert set(Counter(plan.weeks.values()).values()) == {4}
    assert min(plan.weeks.values()) == dt.date(2027, 1, 4) and max(plan.weeks.values()) == dt.date(2027, 3, 8)
    assert plan.explanation == [
        "40 of 40 wards placed over 10 weeks, at most 4 a week, from the week of 4 January."
    ]
    assert [plan.weeks[w.id] for w in WARDS[:5]] == [dt.date(2027, 1, 4)] * 4 + [dt.date(2027, 1, 11)]


def test_unavailable_weeks_are_skipped_and_said() -> None:
    blocked = [dt.date(2027, 1, 4), dt.date(2027, 2, 17)]  # a Wednesday counts for its whole week
    plan = plan_weeks(WARDS, cycle=Q1, mode=ScheduleMode.ROLLING, start=dt.date(2027, 1, 1), per_week=4,
                      unavailable=blocked)  # fmt: skip
    used = set(plan.weeks.values())
    assert dt.date(2027, 1, 4) not in used and dt.date(2027, 2, 15) not in used
    assert "Skipped as unavailable: 04 Jan, 15 Feb." in plan.explanation


def test_without_a_capacity_the_fewest_per_week_that_fit() -> None:
    plan = plan_weeks(WARDS, cycle=Q1, mode=ScheduleMode.ROLLING, start=dt.date(2027, 1, 4))
    assert plan.per_week == 4 and not plan.unplaced


def test_too_many_wards_for_the_weeks_is_explained() -> None:
    plan = plan_weeks(WARDS, cycle=Q1, mode=ScheduleMode.ROLLING, start=dt.date(2027, 3, 1), per_week=3,
                      unavailable=[dt.date(2027, 3, 15)])  # fmt: skip
    assert len(plan.weeks) == 12 and len(plan.unplaced) == 28
    assert plan.explanation[-1].startswith(
        "28 wards could not be placed: 4 available weeks × 3 a week = 12 places for 40 wards. "
        "Allow 10 a week, free up weeks, or start earlier. Not placed: Ward 12, Ward 13"
    )


def test_every_ward_in_one_week() -> None:
    plan = plan_weeks(WARDS, cycle=Q1, mode=ScheduleMode.ALL_WARDS, start=dt.date(2027, 2, 10))
    assert set(plan.weeks.values()) == {dt.date(2027, 2, 8)}
    with pytest.raises(ValidationError, match="marked unavailable"):
        plan_weeks(WARDS, cycle=Q1, mode=ScheduleMode.ALL_WARDS, start=dt.date(2027, 2, 8),
                   unavailable=[dt.date(2027, 2, 8)])  # fmt: skip


def test_bad_requests_are_refused() -> None:
    with pytest.raises(ValidationError, match="Start within 2027-Q1"):
        plan_weeks(WARDS, cycle=Q1, mode=ScheduleMode.ROLLING, start=dt.date(2027, 5, 1))
    with pytest.raises(ValidationError, match="at least 1"):
        plan_weeks(WARDS, cycle=Q1, mode=ScheduleMode.ROLLING, start=dt.date(2027, 1, 4), per_week=0)


def test_clashes_are_one_team_in_two_wards_in_the_same_week() -> None:
    week = dt.date(2027, 1, 4)
    clashes = find_clashes({"Ward A": week, "Ward B": week, "Ward C": week + dt.timedelta(weeks=1)},
                           {"Ward A": {"PC Shaw", "Youth team"}, "Ward B": {"Youth team"},
                            "Ward C": {"PC Shaw"}})  # fmt: skip
    assert [c.describe() for c in clashes] == ["Week of 04 Jan: Youth team is in Ward A, Ward B."]


def test_held_weeks_stay_and_a_plan_avoids_clashes_it_can_and_says_what_moves() -> None:
    a, b, c, d = WARDS[:4]
    held = {a.id: dt.date(2027, 1, 4)}  # already begun: fixed
    current = {a.id: dt.date(2027, 1, 4), b.id: dt.date(2027, 1, 4), c.id: dt.date(2027, 2, 1)}
    teams = {a.id: {"PC Shaw"}, b.id: {"PC Shaw"}, c.id: {"PCSO Khan"}, d.id: {"PCSO Khan"}}
    plan = plan_weeks([a, b, c, d], cycle=Q1, mode=ScheduleMode.ROLLING, start=dt.date(2027, 1, 4), per_week=2,
                      held=held, current=current, teams=teams)  # fmt: skip
    assert a.id not in plan.weeks and plan.held == [a], "a held week is never re-planned"
    # b shares PC Shaw with a's held week, so it goes to the next week with room; c and d share a PCSO.
    assert plan.weeks[b.id] != dt.date(2027, 1, 4)
    assert plan.weeks[c.id] != plan.weeks[d.id]
    assert plan.clashes == []
    assert {m.ward for m in plan.moves} == {b.name, c.name}
    assert any("already held stays" in line for line in plan.explanation)
    assert any("would move" in line for line in plan.explanation)


def test_a_clash_that_cannot_be_avoided_is_said() -> None:
    a, b = WARDS[:2]
    teams = {a.id: {"PC Shaw"}, b.id: {"PC Shaw"}}
    plan = plan_weeks([a, b], cycle=Q1, mode=ScheduleMode.ALL_WARDS, start=dt.date(2027, 2, 8), teams=teams)
    assert [c.who for c in plan.clashes] == ["PC Shaw"]
    assert any("every ward acts in the same week" in line for line in plan.explanation)
