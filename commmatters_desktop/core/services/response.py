"""Response and evidence: partner actions, measures, and feedback to the community."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from commmatters_desktop.core import changes, rules
from commmatters_desktop.core.changes import audit, today
from commmatters_desktop.core.enums import (
    FINISHED_ACTION,
    ActionKind,
    ActionStatus,
    FeedbackChannel,
    PriorityStatus,
)
from commmatters_desktop.core.errors import RuleViolation, ValidationError
from commmatters_desktop.core.models import Action, Agency, Feedback, Measure, Person, Priority
from commmatters_desktop.core.services.common import apply_changes, required, tombstone

_ACTION_FIELDS = frozenset(
    {"description", "kind", "owner_agency_id", "owner_person_id", "due_on", "completion_note"}
)
#: Actions belong to an agreed priority that is still live.
_NO_WORK = frozenset({PriorityStatus.NOMINATED, PriorityStatus.NOT_TAKEN_FORWARD, PriorityStatus.CLOSED})
_NOT_AGREED = frozenset({PriorityStatus.NOMINATED, PriorityStatus.NOT_TAKEN_FORWARD})


def _open_for_work(priority: Priority) -> None:
    if priority.status in _NO_WORK:
        raise RuleViolation(f"Cannot change actions: the priority is {priority.status.label}.")


def add_action(
    session: Session,
    *,
    priority: Priority,
    description: str,
    kind: ActionKind,
    owner_agency: Agency | None = None,
    owner_person: Person | None = None,
    due_on: dt.date | None = None,
) -> Action:
    """A named, dated piece of work for police or a partner under the Response step."""
    _open_for_work(priority)
    action = Action(
        priority_id=priority.id,
        description=required(description, "Describe the action."),
        kind=kind,
        owner_agency_id=owner_agency.id if owner_agency else None,
        owner_person_id=owner_person.id if owner_person else None,
        due_on=due_on,
    )
    # Through the relationship (adding it to the session too would count it twice); its priority_id is
    # set above as well, so a bulk unit's change log notes it before any flush.
    priority.actions.append(action)
    changes.flush(session)
    owner = owner_agency.name if owner_agency else "no owner yet"
    audit(session, "add action", action, f"{kind.label} action for {owner}")
    return action


def update_action(session: Session, *, action: Action, **fields: object) -> list[str]:
    _open_for_work(action.priority)
    if "description" in fields:
        fields["description"] = required(str(fields["description"]), "An action needs a description.")
    if "completion_note" in fields:
        note = str(fields["completion_note"] or "").strip()
        if not note and action.status in FINISHED_ACTION:
            raise ValidationError(
                f"A {action.status.label.lower()} action keeps its note: say what was done or why it was cancelled."
            )
        fields["completion_note"] = note
    return apply_changes(session, action, dict(fields), allowed=_ACTION_FIELDS, what="an action")


def start_action(session: Session, *, action: Action) -> None:
    _open_for_work(action.priority)
    if action.status in FINISHED_ACTION:
        raise RuleViolation(f"That action is already {action.status.label}; reopen it first.")
    action.status = ActionStatus.IN_PROGRESS
    audit(session, "start action", action)


def complete_action(session: Session, *, action: Action, note: str, on: dt.date | None = None) -> None:
    """Done, with a note of what was done (it becomes the "We did" of the leaflet)."""
    _open_for_work(action.priority)
    action.completion_note = required(note, "Say what was done before marking the action done.")
    action.status = ActionStatus.DONE
    action.completed_on = on or today(session)
    audit(session, "complete action", action)


def cancel_action(session: Session, *, action: Action, reason: str) -> None:
    _open_for_work(action.priority)
    rules.check_cancel_action(reason)
    action.completion_note = reason.strip()
    action.status = ActionStatus.CANCELLED
    action.completed_on = today(session)
    audit(session, "cancel action", action, action.completion_note)


def reopen_action(session: Session, *, action: Action) -> None:
    _open_for_work(action.priority)
    action.status = ActionStatus.OPEN
    action.completed_on = None
    audit(session, "reopen action", action)


def set_action_status(session: Session, *, action: Action, status: ActionStatus, note: str = "") -> None:
    """One entry point for the status column: done needs what was done, cancelled needs why."""
    if status is ActionStatus.DONE:
        complete_action(session, action=action, note=note or action.completion_note)
    elif status is ActionStatus.CANCELLED:
        cancel_action(session, action=action, reason=note or action.completion_note)
    elif status is ActionStatus.IN_PROGRESS:
        if action.status in FINISHED_ACTION:
            reopen_action(session, action=action)
        start_action(session, action=action)
    else:
        reopen_action(session, action=action)


def remove_action(session: Session, *, action: Action) -> None:
    """Take an action out of the plan (a tombstone, so the removal can be undone and synced)."""
    _open_for_work(action.priority)
    tombstone(session, action, "action removed from the plan")


_MEASURE_FIELDS = frozenset(
    {
        "name",
        "source",
        "unit",
        "baseline_period",
        "baseline_value",
        "target_value",
        "after_period",
        "after_value",
    }
)


def update_measure(session: Session, *, measure: Measure, **fields: object) -> list[str]:
    if "name" in fields:
        fields["name"] = required(str(fields["name"]), "A measure needs a name.")
    for key in ("baseline_value", "target_value", "after_value"):
        value = fields.get(key)
        if value is not None and not isinstance(value, int | float):
            raise ValidationError("Measures are numbers: type a figure such as 14 or 3.5.")
    return apply_changes(session, measure, dict(fields), allowed=_MEASURE_FIELDS, what="a measure")


def add_measure(
    session: Session,
    *,
    priority: Priority,
    name: str,
    source: str = "",
    unit: str = "",
    baseline_period: str = "",
    baseline_value: float | None = None,
    target_value: float | None = None,
) -> Measure:
    measure = Measure(
        priority_id=priority.id,
        name=required(name, "Name the measure, for example 'ASB reports in the park'."),
        source=source.strip(),
        unit=unit.strip(),
        baseline_period=baseline_period.strip(),
        baseline_value=baseline_value,
        target_value=target_value,
    )
    priority.measures.append(measure)
    changes.flush(session)
    audit(session, "add measure", measure, measure.name)
    return measure


def record_result(session: Session, *, measure: Measure, after_period: str, after_value: float) -> None:
    measure.after_period = required(after_period, "Say which period the result covers.")
    measure.after_value = after_value
    audit(session, "measure result", measure, f"{measure.name}: {after_value:g}")


def record_feedback(
    session: Session,
    *,
    priority: Priority,
    channel: FeedbackChannel,
    summary: str,
    given_on: dt.date | None = None,
    file_hash: str | None = None,
) -> Feedback:
    """Feedback given to the community ("You said, we did"): what closure needs to see."""
    if priority.status in _NOT_AGREED:
        raise RuleViolation("Cannot record feedback: the priority has not been agreed.")
    given_on = given_on or today(session)
    if given_on > today(session):
        raise ValidationError(
            "Feedback is recorded once it has been given: the date cannot be in the future."
        )
    feedback = Feedback(
        priority_id=priority.id,
        channel=channel,
        given_on=given_on,
        summary=required(summary, "Say what was fed back."),
        file_hash=file_hash,
    )
    priority.feedback.append(feedback)
    changes.flush(session)
    audit(session, "feedback", feedback, f"{channel.label} feedback")
    return feedback
