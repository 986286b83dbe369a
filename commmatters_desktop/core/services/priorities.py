"""A priority's journey across the board, and its SARA plan.

Every status change goes through :func:`move`, :func:`escalate`, :func:`de_escalate` or
:func:`not_taken_forward`; each asks :mod:`commmatters_desktop.core.rules` first, so the board,
the CLI and sync all meet the same rule in the same words.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes, public, rules
from commmatters_desktop.core.changes import audit, today
from commmatters_desktop.core.enums import AGREED_OR_LATER, NominationStatus, Outcome, PriorityStatus
from commmatters_desktop.core.errors import RuleViolation, ValidationError
from commmatters_desktop.core.models import (
    Agency,
    Nomination,
    PanelMeeting,
    Priority,
    SaraPlan,
    Ward,
    natural_id,
)
from commmatters_desktop.core.services import cycles
from commmatters_desktop.core.services.common import apply_changes, fetch, required

S = PriorityStatus

#: The SARA plan's Scanning and Analysis text, in the order the plan is read.
SARA_TEXT_FIELDS: tuple[str, ...] = (
    "problem_statement", "evidence", "baseline",
    "victim", "offender", "location", "guardian", "handler", "manager", "causes",
)  # fmt: skip
PLAN_FIELDS = frozenset(SARA_TEXT_FIELDS)


def agreed_priority(session: Session, *, ward_id: object, cycle_id: object) -> Priority | None:
    """The ward's agreed (or later) priority for the cycle, if it has one."""
    return session.scalars(
        select(Priority).where(
            Priority.ward_id == ward_id,
            Priority.cycle_id == cycle_id,
            Priority.deleted.is_(False),
            Priority.status.in_(AGREED_OR_LATER),
        )
    ).first()


def _approved_wording(session: Session, nomination: Nomination) -> str:

    return nomination.public_wording if public.approved(session, nomination, "public_wording") else ""


def propose(
    session: Session,
    *,
    ward: Ward,
    title: str,
    cycle: str | None = None,
    nomination: Nomination | None = None,
    public_issue: str = "",
) -> Priority:
    """Put a candidate priority to the panel (the priorities proforma): it starts as Nominated."""
    if nomination is not None:
        if nomination.ward_id != ward.id:
            raise ValidationError("That nomination was made in a different ward.")
        if nomination.status is not NominationStatus.OPEN:
            raise RuleViolation(f"That nomination is already {nomination.status.label}.")
    priority = Priority(
        ward_id=ward.id,
        cycle_id=nomination.cycle_id if nomination else cycles.cycle(session, cycle).id,
        nomination_id=nomination.id if nomination else None,
        title=required(title, "Give the priority a short title."),
        status=S.NOMINATED,
        # Never the resident's own words: the nomination's approved public wording, or nothing yet.
        public_issue=(
            public_issue or (_approved_wording(session, nomination) if nomination else title)
        ).strip(),
        # A new priority has none of these yet: said now, the services that add them later in the same
        # unit of work (agree, add_measure, add_action, record_feedback) need not query for them.
        plan=None,
        measures=[],
        actions=[],
        feedback=[],
    )
    session.add(priority)
    changes.flush(session)
    audit(session, "propose", priority, f"'{priority.title}' put to the {ward.name} panel")
    public.approve_typed(session, priority, ["title", "public_issue"])
    return priority


def agree(
    session: Session,
    *,
    priority: Priority,
    lead_agency: Agency,
    meeting: PanelMeeting | None = None,
    ratified_online: bool = False,
) -> Priority:
    """The panel agrees the priority and its lead agency: one per ward per cycle."""
    if meeting is not None and meeting.ward_id != priority.ward_id:
        raise ValidationError("That panel meeting was for a different ward.")
    priority.lead_agency_id = lead_agency.id
    priority.meeting_id = meeting.id if meeting else priority.meeting_id
    priority.ratified_online = priority.ratified_online or ratified_online
    move(session, priority=priority, target=S.AGREED)
    priority.agreed_on = meeting.held_on if meeting else today(session)
    if priority.nomination_id is not None:
        nomination = fetch(session, Nomination, priority.nomination_id, "nomination")
        nomination.status = NominationStatus.TAKEN_FORWARD
    if priority.plan is None:
        # One plan per priority, with the same id wherever the agreement was recorded.
        priority.plan = SaraPlan(id=natural_id("plan", str(priority.id)), priority_id=priority.id)
        session.add(priority.plan)
    return priority


#: Agreement can be completed from the board when these are all that stand in its way: the board asks
#: for the meeting and the lead agency there and then.
AGREEMENT_GAPS = frozenset({"no panel meeting or online ratification recorded", "no lead agency"})


@dataclass(frozen=True)
class MoveFacts:
    """What the board needs to know before it moves a card, read in one go (no records leave the session)."""

    id: uuid.UUID
    title: str
    status: PriorityStatus
    ward_id: uuid.UUID
    cycle: str
    #: Why the side state asked for (escalated, not taken forward) is refused whatever the reason.
    refusal: str | None
    #: Only the meeting and the lead agency are missing for agreement: the board can ask for them.
    needs_agreement: bool


def ward_and_cycle(session: Session, priority_id: uuid.UUID) -> tuple[str, str]:
    """The priority's ward code and cycle code: what names its leaflet."""
    p = fetch(session, Priority, priority_id, "priority")
    return p.ward.code, p.cycle.code


def move_facts(session: Session, priority_id: uuid.UUID, target: PriorityStatus | None = None) -> MoveFacts:
    p = fetch(session, Priority, priority_id, "priority")
    needs = False
    if target is not None and p.status is S.NOMINATED and target in AGREED_OR_LATER:
        sibling = agreed_priority(session, ward_id=p.ward_id, cycle_id=p.cycle_id)
        gaps = set(rules.agree_blockers(p, already_agreed=sibling))
        needs = bool(gaps) and gaps <= AGREEMENT_GAPS
    return MoveFacts(
        id=p.id,
        title=p.title,
        status=p.status,
        ward_id=p.ward_id,
        cycle=p.cycle.code,
        refusal=rules.side_step_refusal(p, target) if target is not None else None,
        needs_agreement=needs,
    )


def blockers_for_next_step(session: Session, priority: Priority) -> list[str]:
    """What stops the card moving one column right: the board's warning badge."""
    target = rules.next_step(priority.status)
    if target is None:
        return []
    return rules.move_blockers(priority, target, already_agreed=_agreed_sibling(session, priority, target))


def _agreed_sibling(session: Session, priority: Priority, target: PriorityStatus) -> Priority | None:
    if priority.status is not S.NOMINATED or target is S.NOMINATED:
        return None
    return agreed_priority(session, ward_id=priority.ward_id, cycle_id=priority.cycle_id)


def move(session: Session, *, priority: Priority, target: PriorityStatus) -> Priority:
    """Move a card on the board; the rules decide, and a refusal says exactly why."""
    rules.check_move(priority, target, already_agreed=_agreed_sibling(session, priority, target))
    before = priority.status
    priority.status = target
    if target is S.CLOSED:
        priority.closed_on = today(session)
    elif before is S.CLOSED:
        priority.closed_on = None
    changes.flush(session)
    audit(session, "move", priority, f"{before.label} → {target.label}")
    return priority


def escalate(session: Session, *, priority: Priority, reason: str) -> Priority:
    """Refer the priority to Community Safety Partnership tasking."""
    rules.check_escalate(priority, reason)
    priority.escalated_from = priority.status
    priority.escalation_reason = reason.strip()
    priority.status = S.ESCALATED
    audit(session, "escalate", priority, priority.escalation_reason)
    return priority


def de_escalate(session: Session, *, priority: Priority) -> Priority:
    """CSP tasking handed it back: it returns to the column it left."""
    if priority.status is not S.ESCALATED:
        raise RuleViolation("Cannot de-escalate: it is not escalated.")
    priority.status = priority.escalated_from or S.AGREED
    priority.escalated_from = None
    audit(session, "de-escalate", priority, f"back to {priority.status.label}")
    return priority


def not_taken_forward(session: Session, *, priority: Priority, reason: str) -> Priority:
    rules.check_not_taken_forward(priority, reason)
    priority.status = S.NOT_TAKEN_FORWARD
    priority.not_taken_reason = reason.strip()
    audit(session, "not taken forward", priority, priority.not_taken_reason)
    return priority


def _plan(priority: Priority) -> SaraPlan:
    if priority.plan is None:
        raise RuleViolation("Agree the priority first: the SARA plan starts when the panel agrees it.")
    return priority.plan


def update_plan(session: Session, *, priority: Priority, **fields: str) -> list[str]:
    """Edit the Scanning and Analysis parts of the SARA plan; returns what changed."""
    return apply_changes(
        session, _plan(priority), dict(fields), allowed=PLAN_FIELDS, what="a SARA plan", audited=priority
    )


def record_assessment(
    session: Session,
    *,
    priority: Priority,
    assessment: str,
    outcome: Outcome,
    assessed_on: dt.date | None = None,
) -> SaraPlan:
    """The Assessment step: what the before/after measures show, and whether it worked."""
    plan = _plan(priority)
    plan.assessment = required(assessment, "Write what the assessment found.")
    plan.outcome = outcome
    plan.assessed_on = assessed_on or today(session)
    audit(session, "assess", priority, outcome.label)
    return plan


def update_assessment(
    session: Session, *, priority: Priority, assessment: str | None = None, outcome: Outcome | None = None
) -> list[str]:
    """Edit the assessment as it is written (the plan view saves as you type); dated when first recorded."""
    plan = _plan(priority)
    changes: dict[str, object] = {}
    if assessment is not None:
        changes["assessment"] = assessment
    if outcome is not None or (assessment is None and plan.outcome is not None):
        changes["outcome"] = outcome
    changed = apply_changes(
        session,
        plan,
        changes,
        allowed=frozenset({"assessment", "outcome"}),
        what="an assessment",
        audited=priority,
    )
    if changed and plan.assessed_on is None and plan.assessment.strip() and plan.outcome is not None:
        plan.assessed_on = today(session)
    return changed


_PRIORITY_FIELDS = frozenset({"title", "public_issue", "public_action"})


def update_priority(session: Session, *, priority: Priority, **fields: str) -> list[str]:
    """Edit a priority's title and its public wording ("You said" and "We did")."""
    if "title" in fields:
        fields["title"] = required(fields["title"], "A priority needs a short title.")
    changed = apply_changes(session, priority, dict(fields), allowed=_PRIORITY_FIELDS, what="a priority")
    public.approve_typed(session, priority, changed)
    return changed


def withdraw_agreement(session: Session, *, priority: Priority) -> Priority:
    """Agreed in error: back to Nominated, and its nomination open again (undo of an agreement)."""
    if priority.status not in (S.AGREED, S.PLANNING, S.IN_ACTION, S.ASSESSING):
        raise RuleViolation(f"Cannot withdraw the agreement: the priority is {priority.status.label}.")
    priority.status = S.NOMINATED
    priority.agreed_on = None
    if priority.nomination_id is not None:
        fetch(session, Nomination, priority.nomination_id, "nomination").status = NominationStatus.OPEN
    audit(session, "withdraw agreement", priority)
    return priority


def reconsider(session: Session, *, priority: Priority) -> Priority:
    """A priority not taken forward is put back to the panel (undo of 'not taken forward')."""
    if priority.status is not S.NOT_TAKEN_FORWARD:
        raise RuleViolation("Only a priority that was not taken forward can be reconsidered.")
    priority.status = S.NOMINATED
    priority.not_taken_reason = ""
    audit(session, "reconsider", priority)
    return priority


def set_public_wording(session: Session, *, priority: Priority, issue: str, action: str = "") -> None:
    """The words residents will read: "You said" (issue) and "We did" (action)."""
    priority.public_issue = required(issue, "Say what the community raised, in their words.")
    priority.public_action = action.strip()
    audit(session, "public wording", priority)
    public.approve_typed(session, priority, ["public_issue", "public_action"])
