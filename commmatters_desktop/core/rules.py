"""The lifecycle rules of a community priority, each in exactly one function.

Every rule returns the list of things that block a step, in words a ward officer understands
("2 actions open", "no feedback recorded"). The services refuse a move with these; the board
shows them as a warning badge on the card before anyone tries. Nothing here touches the database:
callers pass in what the rule needs to see.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Protocol

from commmatters_desktop.core.enums import (
    FINISHED_ACTION,
    PIPELINE,
    ActionStatus,
    Outcome,
    PriorityStatus,
)
from commmatters_desktop.core.errors import RuleViolation
from commmatters_desktop.core.models import Priority


class PlanFacts(Protocol):
    """What the rules read of a SARA plan (a ``SaraPlan``, or the board's plain copy of one)."""

    @property
    def problem_statement(self) -> str: ...
    @property
    def assessment(self) -> str: ...
    @property
    def outcome(self) -> Outcome | None: ...


class ActionFacts(Protocol):
    @property
    def status(self) -> ActionStatus: ...
    @property
    def owner_agency_id(self) -> uuid.UUID | None: ...
    @property
    def owner_person_id(self) -> uuid.UUID | None: ...


class PriorityFacts(Protocol):
    """What the rules read of a priority: a live ``Priority``, or the board read model's plain facts
    (loaded as columns, so 13,000 cards need no ORM objects), through the same rule functions."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> PriorityStatus: ...
    @property
    def meeting_id(self) -> uuid.UUID | None: ...
    @property
    def ratified_online(self) -> bool: ...
    @property
    def lead_agency_id(self) -> uuid.UUID | None: ...
    @property
    def plan(self) -> PlanFacts | None: ...
    @property
    def actions(self) -> Sequence[ActionFacts]: ...
    @property
    def feedback(self) -> Sequence[object]: ...


S = PriorityStatus

#: Statuses from which a priority can be escalated to Community Safety Partnership tasking.
ESCALATABLE = frozenset({S.AGREED, S.PLANNING, S.IN_ACTION, S.ASSESSING})

_VERBS = {
    S.AGREED: "agree",
    S.PLANNING: "start planning",
    S.IN_ACTION: "start the action",
    S.ASSESSING: "start assessing",
    S.FEEDBACK_GIVEN: "mark feedback given",
    S.CLOSED: "close",
}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def agree_blockers(priority: PriorityFacts, *, already_agreed: PriorityFacts | None) -> list[str]:
    """One agreed priority per ward per cycle; agreement needs a meeting (or online ratification) and a lead."""
    blockers: list[str] = []
    if already_agreed is not None and already_agreed.id != priority.id:
        blockers.append(f"this ward already has an agreed priority this quarter ('{already_agreed.title}')")
    if priority.meeting_id is None and not priority.ratified_online:
        blockers.append("no panel meeting or online ratification recorded")
    if priority.lead_agency_id is None:
        blockers.append("no lead agency")
    return blockers


def in_action_blockers(priority: PriorityFacts) -> list[str]:
    """Action needs a plan with a problem statement and at least one owned action."""
    blockers: list[str] = []
    if priority.plan is None or not priority.plan.problem_statement.strip():
        blockers.append("no problem statement in the SARA plan")
    owned = [
        a
        for a in priority.actions
        if a.status is not ActionStatus.CANCELLED and (a.owner_agency_id or a.owner_person_id)
    ]
    if not owned:
        blockers.append("no action with an owner")
    return blockers


def feedback_blockers(priority: PriorityFacts) -> list[str]:
    return [] if priority.feedback else ["no feedback recorded"]


def close_blockers(priority: PriorityFacts) -> list[str]:
    """Not closed until every action, community feedback included, is complete, and it has been assessed."""
    blockers: list[str] = []
    still_open = [a for a in priority.actions if a.status not in FINISHED_ACTION]
    if still_open:
        blockers.append(f"{_plural(len(still_open), 'action')} open")
    blockers.extend(feedback_blockers(priority))
    plan = priority.plan
    if plan is None or plan.outcome is None or not plan.assessment.strip():
        blockers.append("no assessment recorded")
    return blockers


def _step_blockers(
    priority: PriorityFacts, step: PriorityStatus, already_agreed: PriorityFacts | None
) -> list[str]:
    if step is S.AGREED:
        return agree_blockers(priority, already_agreed=already_agreed)
    if step is S.IN_ACTION:
        return in_action_blockers(priority)
    if step is S.FEEDBACK_GIVEN:
        return feedback_blockers(priority)
    if step is S.CLOSED:
        return close_blockers(priority)
    return []


def move_blockers(
    priority: PriorityFacts, target: PriorityStatus, *, already_agreed: PriorityFacts | None = None
) -> list[str]:
    """Everything that stops ``priority`` moving to ``target`` along the board's columns.

    Forward moves may skip columns only when every skipped step's rule holds (the target's own
    reasons are listed first: they answer the question the user asked); backward moves are
    corrections and allowed down to Agreed (an agreed priority is never "un-agreed").
    """
    current = priority.status
    if target is current:
        return [f"it is already {current.label}"]
    if current is S.NOT_TAKEN_FORWARD:
        return ["it was not taken forward; nominate it again next quarter"]
    if current is S.ESCALATED:
        return ["it is escalated to CSP tasking; de-escalate it first"]
    if target in (S.ESCALATED, S.NOT_TAKEN_FORWARD):
        return [f"use '{target.label}' with a reason rather than a move"]
    here, there = PIPELINE.index(current), PIPELINE.index(target)
    if there < here:
        return ["an agreed priority cannot go back to Nominated"] if target is S.NOMINATED else []
    blockers: list[str] = []
    for step in reversed(PIPELINE[here + 1 : there + 1]):
        blockers.extend(b for b in _step_blockers(priority, step, already_agreed) if b not in blockers)
    return blockers


def check_move(priority: Priority, target: PriorityStatus, *, already_agreed: Priority | None = None) -> None:
    blockers = move_blockers(priority, target, already_agreed=already_agreed)
    if blockers:
        verb = _VERBS.get(target, f"move to {target.label}")
        raise RuleViolation(f"Cannot {verb}: {', '.join(blockers)}.", blockers)


def next_step(status: PriorityStatus) -> PriorityStatus | None:
    """The column after ``status`` on the board, if any (for 'what blocks the next step' badges)."""
    if status not in PIPELINE or status is S.CLOSED:
        return None
    return PIPELINE[PIPELINE.index(status) + 1]


def standing(status: PriorityStatus) -> int:
    """How strongly a priority stands for its ward in its quarter, when the ward has several.

    The agreed priority (wherever it has got to, closed or escalated included) is the ward's priority;
    a candidate still nominated comes next, and one not taken forward never stands for the ward.
    """
    if status is S.NOT_TAKEN_FORWARD:
        return 0
    if status is S.NOMINATED:
        return 1
    return 2 + (PIPELINE.index(status) if status in PIPELINE else 0)


def side_step_refusal(priority: Priority, target: PriorityStatus) -> str | None:
    """Why ``priority`` cannot go to the side state ``target`` whatever reason is given, or None.

    Asked before the window asks the officer for a reason, so nobody types a reason to be refused.
    """
    if target is S.ESCALATED and priority.status not in ESCALATABLE:
        return f"Cannot escalate: a priority that is {priority.status.label} cannot be escalated."
    if target is S.NOT_TAKEN_FORWARD and priority.status is not S.NOMINATED:
        return f"Cannot mark not taken forward: it is already {priority.status.label}; escalate it instead."
    return None


def check_escalate(priority: Priority, reason: str) -> None:
    refusal = side_step_refusal(priority, S.ESCALATED)
    if refusal:
        raise RuleViolation(refusal)
    if not reason.strip():
        raise RuleViolation("Cannot escalate: give the reason for CSP tasking.")


def check_not_taken_forward(priority: Priority, reason: str) -> None:
    refusal = side_step_refusal(priority, S.NOT_TAKEN_FORWARD)
    if refusal:
        raise RuleViolation(refusal)
    if not reason.strip():
        raise RuleViolation("Cannot mark not taken forward: record the reason the panel gave.")


def check_cancel_action(reason: str) -> None:
    if not reason.strip():
        raise RuleViolation("Cannot cancel the action: say why it was cancelled.")
