"""Services the board and plan view need (undoable moves, edit-as-you-go) and the read models they show."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from commmatters_desktop.core import queries
from commmatters_desktop.core.enums import (
    ActionKind,
    ActionStatus,
    NominationStatus,
    Outcome,
    PriorityStatus,
)
from commmatters_desktop.core.errors import RuleViolation, ValidationError
from commmatters_desktop.core.models import Cycle, Nomination, Priority, Ward
from commmatters_desktop.core.services import common, priorities, response
from commmatters_desktop.storage.vault import Vault

S = PriorityStatus
TODAY = dt.date(2026, 11, 21)


def first(vault: Vault, status: PriorityStatus, cycle: str = "2026-Q4") -> Priority:
    with vault.reading() as s:
        return s.scalars(
            select(Priority)
            .join(Cycle)
            .where(Priority.status == status, Cycle.code == cycle)
            .order_by(Priority.title)
        ).first()  # type: ignore[return-value]


def test_cards_show_blockers_overdue_actions_and_weeks(demo_vault: Vault) -> None:
    with demo_vault.reading() as s:
        cards = queries.priority_cards(s, cycle="2026-Q4", today=TODAY)
    assert len(cards) == 37
    by_status = {c.status: c for c in cards}
    assert by_status[S.NOMINATED].blockers  # a nominated card says what agreement needs
    planning = [c for c in cards if c.status is S.PLANNING]
    assert all(c.blockers == () for c in planning), "demo plans are ready for action"
    closed = [c for c in cards if c.status is S.CLOSED]
    assert all(c.open_actions == 0 and not c.blockers for c in closed)
    assert all(c.week_start is None or c.week_start.weekday() == 0 for c in cards)
    assert "next step blocked" in by_status[S.NOMINATED].describe


def test_every_cycle_at_once(demo_vault: Vault) -> None:
    with demo_vault.reading() as s:
        assert len(queries.priority_cards(s, cycle=None, today=TODAY)) == 77
        assert queries.cycle_codes(s) == ["2027-Q1", "2026-Q4", "2026-Q3"]


def test_plan_detail_and_ward_detail(demo_vault: Vault) -> None:
    p = first(demo_vault, S.IN_ACTION)
    with demo_vault.reading() as s:
        detail = queries.plan_detail(s, p.id, today=TODAY)
        assert detail is not None and detail.has_plan and detail.fields["problem_statement"]
        assert detail.actions and any(a.status is ActionStatus.DONE for a in detail.actions)
        ward = queries.ward_detail(s, p.ward_id, cycle="2026-Q4")
    assert ward is not None and ward.current is not None and ward.current.title == p.title
    assert [h.cycle for h in ward.history] == ["2026-Q3"]
    assert ward.officers and ward.panel and ward.lsoas and ward.partners_in_work
    assert all("Panel chair" in entry for entry in ward.panel)


def test_withdrawing_an_agreement_reopens_the_nomination(demo_vault: Vault) -> None:
    p = first(demo_vault, S.AGREED)
    with demo_vault.unit_of_work() as s:
        priority = common.fetch(s, Priority, p.id)
        priorities.withdraw_agreement(s, priority=priority)
        assert priority.status is S.NOMINATED and priority.agreed_on is None
        assert common.fetch(s, Nomination, priority.nomination_id).status is NominationStatus.OPEN  # type: ignore[arg-type]
    closed = first(demo_vault, S.CLOSED)
    with demo_vault.unit_of_work() as s, pytest.raises(RuleViolation, match="priority is Closed"):
        priorities.withdraw_agreement(s, priority=common.fetch(s, Priority, closed.id))


def test_reconsidering_a_priority_not_taken_forward(demo_vault: Vault) -> None:
    p = first(demo_vault, S.NOT_TAKEN_FORWARD)
    with demo_vault.unit_of_work() as s:
        priority = common.fetch(s, Priority, p.id)
        priorities.reconsider(s, priority=priority)
        assert (priority.status, priority.not_taken_reason) == (S.NOMINATED, "")
        with pytest.raises(RuleViolation, match="Only a priority that was not taken forward"):
            priorities.reconsider(s, priority=priority)


def test_assessment_saves_as_it_is_written_and_is_dated_when_complete(demo_vault: Vault) -> None:
    p = first(demo_vault, S.ASSESSING)
    with demo_vault.unit_of_work() as s:
        priority = common.fetch(s, Priority, p.id)
        assert priorities.update_assessment(s, priority=priority, assessment="Reports fell") == ["assessment"]
        assert priority.plan is not None and priority.plan.assessed_on is None
        priorities.update_assessment(s, priority=priority, outcome=Outcome.ACHIEVED)
        assert priority.plan.assessed_on == TODAY


def test_public_wording_and_title(demo_vault: Vault) -> None:
    p = first(demo_vault, S.PLANNING)
    with demo_vault.unit_of_work() as s:
        priority = common.fetch(s, Priority, p.id)
        assert priorities.update_priority(s, priority=priority, public_action="Patrols every evening") == [
            "public_action"
        ]
        with pytest.raises(ValidationError, match="needs a short title"):
            priorities.update_priority(s, priority=priority, title=" ")


def test_action_status_column_rules(demo_vault: Vault) -> None:
    p = first(demo_vault, S.IN_ACTION)
    with demo_vault.unit_of_work() as s:
        priority = common.fetch(s, Priority, p.id)
        action = response.add_action(
            s, priority=priority, description="Extra patrol", kind=ActionKind.ENFORCEMENT
        )
        with pytest.raises(ValidationError, match="Say what was done"):
            response.set_action_status(s, action=action, status=ActionStatus.DONE)
        with pytest.raises(RuleViolation, match="say why"):
            response.set_action_status(s, action=action, status=ActionStatus.CANCELLED)
        response.set_action_status(s, action=action, status=ActionStatus.DONE, note="Done Tuesday")
        response.set_action_status(s, action=action, status=ActionStatus.IN_PROGRESS)
        assert action.status is ActionStatus.IN_PROGRESS and action.completed_on is None
        response.set_action_status(s, action=action, status=ActionStatus.OPEN)
        assert action.status is ActionStatus.OPEN


def test_removing_and_restoring_an_action(demo_vault: Vault) -> None:
    p = first(demo_vault, S.PLANNING)
    with demo_vault.unit_of_work() as s:
        priority = common.fetch(s, Priority, p.id)
        action = priority.actions[0]
        response.remove_action(s, action=action)
    with demo_vault.reading() as s:
        assert action.id not in {a.id for a in common.fetch(s, Priority, p.id).actions}
    with demo_vault.unit_of_work() as s:
        from commmatters_desktop.core.models import Action

        common.restore(s, s.get(Action, action.id))  # type: ignore[arg-type]
    with demo_vault.reading() as s:
        assert action.id in {a.id for a in common.fetch(s, Priority, p.id).actions}


def test_measures_take_numbers(demo_vault: Vault) -> None:
    p = first(demo_vault, S.ASSESSING)
    with demo_vault.unit_of_work() as s:
        measure = common.fetch(s, Priority, p.id).measures[0]
        assert response.update_measure(s, measure=measure, target_value=4.0) == ["target_value"]
        with pytest.raises(ValidationError, match="Measures are numbers"):
            response.update_measure(s, measure=measure, after_value="lots")


def test_ward_detail_of_a_deleted_ward_is_none(demo_vault: Vault) -> None:
    with demo_vault.unit_of_work() as s:
        ward = s.scalars(select(Ward)).first()
        assert ward is not None
        common.tombstone(s, ward)
        ward_id = ward.id
    with demo_vault.reading() as s:
        assert queries.ward_detail(s, ward_id, cycle="2026-Q4") is None
