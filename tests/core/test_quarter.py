"""The quarter on the demo force: saved plans, clashes, the overview, partners' actions, invites."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar
from pypdf import PdfReader

from commmatters_desktop.core.enums import ScheduleMode
from commmatters_desktop.core.overview import overview
from commmatters_desktop.core.partner_actions import open_action_counts, open_actions
from commmatters_desktop.core.services import planning
from commmatters_desktop.reports.action_list import render_action_list
from commmatters_desktop.reports.ics import calendar
from commmatters_desktop.storage.vault import Vault

TODAY = dt.date(2026, 11, 21)


def test_overview_counts_on_the_demo_force(demo_vault: Vault) -> None:
    with demo_vault.reading() as s:
        result = overview(s, cycle="2026-Q4", today=TODAY)
    assert result.counts == {"agreed": 5, "planning": 6, "in action": 8, "assessing": 5, "feedback": 4,
                             "closed": 2, "escalated": 2, "none": 8}  # fmt: skip
    reasons = {reason for ward in result.stuck for reason in ward.reasons}
    assert "no agreed priority by week 3 (22 Oct)" in reasons
    assert any(r.endswith("overdue") for r in reasons)
    assert all(w.state != "closed" or not w.reasons for w in result.wards)
    # The list the window and the command line show: stuck wards and escalated ones, each saying why.
    assert {w.ward_code for w in result.needing_attention} == {w.ward_code for w in result.stuck} | {
        w.ward_code for w in result.wards if w.state == "escalated"
    }
    assert all(w.why for w in result.needing_attention)


def test_stuck_rules_follow_the_calendar(demo_vault: Vault) -> None:
    with demo_vault.reading() as s:
        early = overview(s, cycle="2026-Q4", today=dt.date(2026, 10, 5))
    assert not any("no agreed priority" in r for w in early.stuck for r in w.reasons)


def test_a_saved_plan_shows_on_every_priority_and_can_be_restored(demo_vault: Vault) -> None:
    from commmatters_desktop.core import queries

    with demo_vault.unit_of_work() as s:
        before = planning.weeks_of(s, "2027-Q1")
        plan = planning.make_plan(
            s, cycle="2027-Q1", mode=ScheduleMode.ROLLING, start=dt.date(2027, 1, 4), per_week=4, today=TODAY
        )
        assert planning.save_plan(s, cycle="2027-Q1", plan=plan) == 40
    with demo_vault.reading() as s:
        data = planning.calendar_data(s, "2027-Q1")
        assert data.mode is ScheduleMode.ROLLING and len(data.weeks) == 40
        assert data.summary == "40 of 40 wards have a week · Rolling plan"
        cards = queries.priority_cards(s, cycle="2027-Q1", today=TODAY)
        assert all(c.week_start is not None for c in cards)
    with demo_vault.unit_of_work() as s:
        planning.restore_weeks(s, cycle="2027-Q1", weeks={w: before.get(w) for w in plan.weeks}, mode=None)
    with demo_vault.reading() as s:
        assert planning.weeks_of(s, "2027-Q1") == before


def test_unavailable_weeks_are_remembered(demo_vault: Vault) -> None:
    with demo_vault.unit_of_work() as s:
        planning.set_unavailable(s, cycle="2027-Q1", week=dt.date(2027, 4, 2), reason="Good Friday week")
    with demo_vault.reading() as s:
        assert planning.unavailable_weeks(s, "2027-Q1") == {dt.date(2027, 3, 29): "Good Friday week"}
    with demo_vault.unit_of_work() as s:
        planning.set_unavailable(s, cycle="2027-Q1", week=dt.date(2027, 3, 29), unavailable=False)
    with demo_vault.reading() as s:
        assert planning.unavailable_weeks(s, "2027-Q1") == {}


def test_invites_read_back_with_icalendar(demo_vault: Vault) -> None:
    with demo_vault.reading() as s:
        weeks = [("E05000650", "Astley Bridge", "Parking outside the school", dt.date(2026, 11, 16))]
        actions = open_actions(s, today=TODAY, cycle="2026-Q4")
        stamp = dt.datetime(2026, 11, 21, 10, tzinfo=dt.UTC)
        data = calendar(
            cycle="2026-Q4", weeks=weeks, actions=actions, stamp=stamp, force_name="Demo Force", demo=True
        )
    parsed = Calendar.from_ical(data)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == 1 + sum(1 for a in actions if a.due_on)
    week = events[0]
    assert str(week["summary"]) == "DEMO: Week of action: Astley Bridge — Parking outside the school"
    assert week.decoded("dtstart") == dt.date(2026, 11, 16) and week.decoded("dtend") == dt.date(2026, 11, 21)
    due = events[1]
    assert str(due["summary"]).startswith("DEMO: Due: ") and due.decoded("dtstart") == actions[0].due_on
    again = Calendar.from_ical(calendar(cycle="2026-Q4", weeks=weeks, actions=actions,
                                        stamp=dt.datetime(2026, 11, 22, tzinfo=dt.UTC), force_name="Demo Force",
                                        demo=True))  # fmt: skip
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == [
        str(e["uid"]) for e in events
    ]  # updates, not copies


def test_a_partner_list_prints_every_open_action(demo_vault: Vault) -> None:
    with demo_vault.reading() as s:
        actions = open_actions(s, today=TODAY, agency="Youth Outreach Charity")
    assert actions and all(a.agency == "Youth Outreach Charity" for a in actions)
    pdf = render_action_list(
        "Youth Outreach Charity", actions, today=TODAY, force_name="Demo Force", demo=True
    )
    text = " ".join(page.extract_text() for page in PdfReader(__import__("io").BytesIO(pdf)).pages)
    assert "Open actions for Youth Outreach Charity" in text and f"{len(actions)} open" in text
    assert all(a.ward_name in text for a in actions)


def test_partners_actions_read_a_page_at_a_time_and_count_every_one(demo_vault: Vault) -> None:
    """The window's list reads pages (offset, limit) and counts by SQL: the same rows and totals as one read."""
    with demo_vault.reading() as s:
        every = open_actions(s, today=TODAY)
        pages = [
            a
            for start in range(0, len(every), 7)
            for a in open_actions(s, today=TODAY, offset=start, limit=7)
        ]
        counts = open_action_counts(s, today=TODAY)
        one = every[0].agency
        theirs = open_action_counts(s, today=TODAY, agency=one.upper())
    assert len(every) > 7 and [a.id for a in pages] == [a.id for a in every]
    assert counts == (len(every), sum(a.overdue for a in every))
    assert theirs == (sum(a.agency == one for a in every), sum(a.overdue and a.agency == one for a in every))


def test_one_quarters_actions_are_read_through_its_priorities_not_every_open_action(
    demo_vault: Vault,
) -> None:
    """The overview, the calendar's clashes and the board read one quarter's actions. Without statistics
    SQLite would read them by the status index, every open action of every quarter (3,800 on a force's
    five-year vault, three times slower from a cold cache): the plans must go by priority."""
    from sqlalchemy import event

    from commmatters_desktop.core.read.board import priority_cards

    seen: list[tuple[str, object]] = []

    def keep(_c: object, _cursor: object, statement: str, params: object, _x: object, _m: object) -> None:
        if "FROM action" in statement or "JOIN action" in statement:
            seen.append((statement, params))

    event.listen(demo_vault.engine, "before_cursor_execute", keep)
    try:
        with demo_vault.reading() as s:
            overview(s, cycle="2026-Q4", today=TODAY)
            planning.calendar_data(s, "2026-Q4")
            priority_cards(s, cycle="2026-Q4", today=TODAY)
    finally:
        event.remove(demo_vault.engine, "before_cursor_execute", keep)
    assert len(seen) >= 3
    with demo_vault.engine.connect() as connection:
        plans = [
            " / ".join(row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))
            for sql, params in seen
        ]
    assert not [p for p in plans if "ix_action_status" in p], plans
    assert all("ix_action_priority_id" in p for p in plans), plans
