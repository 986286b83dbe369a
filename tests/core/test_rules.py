"""Each lifecycle rule on its own, on records built in memory (no database needed)."""

from __future__ import annotations

import uuid

import pytest

from commmatters_desktop.core import rules
from commmatters_desktop.core.enums import ActionKind, ActionStatus, FeedbackChannel, Outcome, PriorityStatus
from commmatters_desktop.core.errors import RuleViolation
from commmatters_desktop.core.models import Action, Feedback, Priority, SaraPlan

S = PriorityStatus


def priority(status: PriorityStatus = S.NOMINATED, **fields: object) -> Priority:
    record = Priority(
        ward_id=uuid.uuid4(), cycle_id=uuid.uuid4(), title="Drug taking in the park", status=status
    )
    for key, value in fields.items():
        setattr(record, key, value)
    return record


def action(status: ActionStatus = ActionStatus.OPEN, owned: bool = True) -> Action:
    return Action(
        priority_id=uuid.uuid4(),
        description="Patrols",
        kind=ActionKind.ENFORCEMENT,
        status=status,
        owner_agency_id=uuid.uuid4() if owned else None,
    )


def test_agree_needs_a_meeting_or_online_ratification_and_a_lead_agency() -> None:
    p = priority()
    assert rules.agree_blockers(p, already_agreed=None) == [
        "no panel meeting or online ratification recorded",
        "no lead agency",
    ]
    p.ratified_online, p.lead_agency_id = True, uuid.uuid4()
    assert rules.agree_blockers(p, already_agreed=None) == []


def test_only_one_agreed_priority_per_ward_per_cycle() -> None:
    p = priority(meeting_id=uuid.uuid4(), lead_agency_id=uuid.uuid4())
    other = priority(S.PLANNING, title="Speeding")
    assert rules.agree_blockers(p, already_agreed=other) == [
        "this ward already has an agreed priority this quarter ('Speeding')"
    ]


def test_in_action_needs_a_problem_statement_and_an_owned_action() -> None:
    p = priority(S.PLANNING)
    p.plan = SaraPlan(priority_id=p.id)
    p.actions = [action(owned=False), action(ActionStatus.CANCELLED)]
    assert rules.in_action_blockers(p) == ["no problem statement in the SARA plan", "no action with an owner"]
    p.plan.problem_statement = "Evening drug use near the play area."
    p.actions.append(action())
    assert rules.in_action_blockers(p) == []


def test_close_needs_every_action_finished_feedback_and_an_assessment() -> None:
    p = priority(S.FEEDBACK_GIVEN)
    p.plan = SaraPlan(priority_id=p.id)
    p.actions = [
        action(),
        action(ActionStatus.IN_PROGRESS),
        action(ActionStatus.DONE),
        action(ActionStatus.CANCELLED),
    ]
    with pytest.raises(RuleViolation) as refused:
        rules.check_move(p, S.CLOSED)
    assert (
        refused.value.message == "Cannot close: 2 actions open, no feedback recorded, no assessment recorded."
    )
    for a in p.actions[:2]:
        a.status = ActionStatus.DONE
    p.feedback = [Feedback(priority_id=p.id, channel=FeedbackChannel.LEAFLET, given_on=None)]
    p.plan.assessment, p.plan.outcome = "ASB reports halved.", Outcome.ACHIEVED
    rules.check_move(p, S.CLOSED)


def test_skipping_columns_checks_every_step_once() -> None:
    p = priority(S.AGREED)
    blockers = rules.move_blockers(p, S.CLOSED)
    assert blockers == [
        "no feedback recorded",
        "no assessment recorded",
        "no problem statement in the SARA plan",
        "no action with an owner",
    ]


@pytest.mark.parametrize("status", [S.AGREED, S.PLANNING, S.IN_ACTION, S.ASSESSING, S.FEEDBACK_GIVEN])
def test_backward_moves_are_corrections_but_never_un_agree(status: PriorityStatus) -> None:
    p = priority(S.CLOSED)
    assert rules.move_blockers(p, status) == []
    assert rules.move_blockers(p, S.NOMINATED) == ["an agreed priority cannot go back to Nominated"]


def test_side_states_are_not_reached_or_left_by_a_move() -> None:
    assert rules.move_blockers(priority(S.ESCALATED), S.PLANNING) == [
        "it is escalated to CSP tasking; de-escalate it first"
    ]
    assert rules.move_blockers(priority(S.NOT_TAKEN_FORWARD), S.AGREED) == [
        "it was not taken forward; nominate it again next quarter"
    ]
    assert rules.move_blockers(priority(S.PLANNING), S.ESCALATED) == [
        "use 'Escalated' with a reason rather than a move"
    ]
    assert rules.move_blockers(priority(S.PLANNING), S.PLANNING) == ["it is already Planning"]


def test_escalation_needs_a_live_priority_and_a_reason() -> None:
    with pytest.raises(RuleViolation, match="give the reason"):
        rules.check_escalate(priority(S.IN_ACTION), "  ")
    with pytest.raises(RuleViolation, match="Closed cannot be escalated"):
        rules.check_escalate(priority(S.CLOSED), "Needs CSP resources")
    rules.check_escalate(priority(S.IN_ACTION), "Needs CSP resources")


def test_not_taken_forward_needs_a_reason_and_a_nominated_priority() -> None:
    with pytest.raises(RuleViolation, match="record the reason"):
        rules.check_not_taken_forward(priority(), "")
    with pytest.raises(RuleViolation, match="escalate it instead"):
        rules.check_not_taken_forward(priority(S.PLANNING), "Not for the panel")


def test_cancelling_an_action_needs_a_reason() -> None:
    with pytest.raises(RuleViolation, match="say why"):
        rules.check_cancel_action(" ")


def test_next_step_follows_the_board() -> None:
    assert rules.next_step(S.NOMINATED) is S.AGREED
    assert rules.next_step(S.FEEDBACK_GIVEN) is S.CLOSED
    assert rules.next_step(S.CLOSED) is None
    assert rules.next_step(S.ESCALATED) is None
