"""The SARA plan of one priority, as plain data for the plan view."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session, joinedload, selectinload

from commmatters_desktop.core.enums import (
    FINISHED_ACTION,
    ActionKind,
    ActionStatus,
    FeedbackChannel,
    Outcome,
    PriorityStatus,
)
from commmatters_desktop.core.models import (
    Action,
    Priority,
    SaraPlan,
    personal_columns,
)
from commmatters_desktop.core.read.board import card_for
from commmatters_desktop.core.services.priorities import SARA_TEXT_FIELDS

# --- the SARA plan ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    id: uuid.UUID
    description: str
    kind: ActionKind
    owner_agency_id: uuid.UUID | None
    owner_agency: str
    owner_person_id: uuid.UUID | None
    owner_person: str
    due_on: dt.date | None
    status: ActionStatus
    completion_note: str
    overdue: bool


@dataclass(frozen=True)
class MeasureRow:
    id: uuid.UUID
    name: str
    source: str
    unit: str
    baseline_period: str
    baseline_value: float | None
    target_value: float | None
    after_period: str
    after_value: float | None


@dataclass(frozen=True)
class FeedbackRow:
    id: uuid.UUID
    channel: FeedbackChannel
    given_on: dt.date
    summary: str
    file_hash: str


@dataclass(frozen=True)
class PlanDetail:
    """A priority and its whole SARA plan, as plain data for the plan view."""

    id: uuid.UUID
    ward_name: str
    ward_code: str
    cycle: str
    title: str
    status: PriorityStatus
    lead_agency: str
    week_start: dt.date | None
    blockers: tuple[str, ...]
    has_plan: bool
    fields: dict[str, str]
    outcome: Outcome | None
    assessed_on: dt.date | None
    public_issue: str
    public_action: str
    actions: list[ActionRow]
    measures: list[MeasureRow]
    feedback: list[FeedbackRow]


PLAN_TEXT_FIELDS = (*SARA_TEXT_FIELDS, "assessment")
#: The plan's fields that may hold personal data (marked in the schema): the plan screen says so on them.
PERSONAL_PLAN_FIELDS = frozenset(personal_columns(SaraPlan))


def plan_detail(session: Session, priority_id: uuid.UUID, *, today: dt.date) -> PlanDetail | None:
    p = session.get(
        Priority,
        priority_id,
        options=[  # the whole plan in a few statements, not one per action's owner
            joinedload(Priority.ward),
            joinedload(Priority.cycle),
            joinedload(Priority.plan),
            selectinload(Priority.actions).options(
                joinedload(Action.owner_agency), joinedload(Action.owner_person)
            ),
            selectinload(Priority.measures),
            selectinload(Priority.feedback),
        ],
    )
    if p is None or p.deleted:
        return None
    card = card_for(session, p, today=today)
    plan = p.plan
    return PlanDetail(
        id=p.id,
        ward_name=p.ward.name,
        ward_code=p.ward.code,
        cycle=p.cycle.code,
        title=p.title,
        status=p.status,
        lead_agency=card.lead_agency,
        week_start=card.week_start,
        blockers=card.blockers,
        has_plan=plan is not None,
        fields={name: getattr(plan, name) if plan else "" for name in PLAN_TEXT_FIELDS},
        outcome=plan.outcome if plan else None,
        assessed_on=plan.assessed_on if plan else None,
        public_issue=p.public_issue,
        public_action=p.public_action,
        actions=[
            ActionRow(
                id=a.id,
                description=a.description,
                kind=a.kind,
                owner_agency_id=a.owner_agency_id,
                owner_agency=a.owner_agency.name if a.owner_agency else "",
                owner_person_id=a.owner_person_id,
                owner_person=a.owner_person.full_name if a.owner_person else "",
                due_on=a.due_on,
                status=a.status,
                completion_note=a.completion_note,
                overdue=a.status not in FINISHED_ACTION and a.due_on is not None and a.due_on < today,
            )
            for a in p.actions
        ],
        measures=[
            MeasureRow(
                m.id,
                m.name,
                m.source,
                m.unit,
                m.baseline_period,
                m.baseline_value,
                m.target_value,
                m.after_period,
                m.after_value,
            )
            for m in p.measures
        ],
        feedback=[FeedbackRow(f.id, f.channel, f.given_on, f.summary, f.file_hash or "") for f in p.feedback],
    )
