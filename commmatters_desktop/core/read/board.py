"""The priority board's cards: one cycle's, or one ward's, or one priority's, never more than shown."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from commmatters_desktop.core import rules
from commmatters_desktop.core.enums import (
    AGREED_OR_LATER,
    ActionStatus,
    Outcome,
    PriorityStatus,
)
from commmatters_desktop.core.models import (
    Action,
    Agency,
    Cycle,
    Feedback,
    Priority,
    SaraPlan,
    Ward,
    WeekOfAction,
    natural_id,
)
from commmatters_desktop.core.read import unfinished_through_priority

S = PriorityStatus

# --- the priority board -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityCard:
    """One card on the board: what an inspector needs at a glance, and what blocks its next step."""

    id: uuid.UUID
    ward_id: uuid.UUID
    ward_code: str
    ward_name: str
    la_name: str
    cycle: str
    title: str
    status: PriorityStatus
    lead_agency: str
    week_start: dt.date | None
    open_actions: int
    overdue_actions: int
    blockers: tuple[str, ...]
    escalation_reason: str = ""

    @property
    def describe(self) -> str:
        """The card as one sentence, for screen readers and tooltips."""
        parts = [f"{self.ward_name}: {self.title}", self.status.label]
        if self.lead_agency:
            parts.append(f"lead {self.lead_agency}")
        if self.week_start:
            parts.append(f"week of action {self.week_start:%d %b %Y}")
        if self.overdue_actions:
            parts.append(f"{self.overdue_actions} overdue action{'s' if self.overdue_actions != 1 else ''}")
        if self.blockers:
            parts.append("next step blocked: " + ", ".join(self.blockers))
        return ". ".join(parts) + "."


def priority_cards(
    session: Session,
    *,
    cycle: str | None,
    today: dt.date,
    ward_ids: Collection[uuid.UUID] | None = None,
    priority_ids: Collection[uuid.UUID] | None = None,
) -> list[PriorityCard]:
    """The live priorities of ``cycle`` (every cycle when None), optionally of some wards only, as cards.

    Everything is read as columns, not ORM objects, and only for the priorities shown: one cycle's
    weeks of action for one cycle, the actions of priorities that still have a next step for the
    blockers. The lifecycle rules then run on plain facts (``rules.PriorityFacts``), the same rules
    the services apply. Ordered newest cycle first, then by local authority and ward, as the board
    shows them.
    """
    query = (
        select(
            Priority.id, Priority.ward_id, Priority.cycle_id, Priority.title, Priority.status,
            Priority.meeting_id, Priority.ratified_online, Priority.lead_agency_id, Priority.escalation_reason,
            Ward.code, Ward.name, Ward.la_name, Cycle.code, Agency.name,
        )
        .join(Ward, Ward.id == Priority.ward_id)
        .join(Cycle, Cycle.id == Priority.cycle_id)
        .outerjoin(Agency, Agency.id == Priority.lead_agency_id)
        .where(Priority.deleted.is_(False), Ward.deleted.is_(False))
        .order_by(Cycle.code.desc(), Ward.la_name, Ward.name)
    )  # fmt: skip
    weeks_query = select(WeekOfAction.ward_id, WeekOfAction.cycle_id, WeekOfAction.week_start).where(
        WeekOfAction.deleted.is_(False)
    )
    if cycle:
        query = query.where(Priority.cycle_id == natural_id("cycle", cycle))
        weeks_query = weeks_query.where(WeekOfAction.cycle_id == natural_id("cycle", cycle))
    if ward_ids is not None:
        query = query.where(Priority.ward_id.in_(list(ward_ids)))
        weeks_query = weeks_query.where(WeekOfAction.ward_id.in_(list(ward_ids)))
    if priority_ids is not None:
        query = query.where(Priority.id.in_(list(priority_ids)))
    found = [_Facts.of(row) for row in session.execute(query)]
    if not found:
        return []
    if priority_ids is not None:
        weeks_query = weeks_query.where(WeekOfAction.ward_id.in_({f.ward_id for f in found}))
    weeks = {(w, c): start for w, c, start in session.execute(weeks_query)}
    agreed = _agreed(session, found, every_sibling=priority_ids is not None)
    _load_actions(session, found, today)
    _load_plans_and_feedback(session, [f for f in found if _needs_plan(f.status)])
    return [f.card(agreed.get((f.ward_id, f.cycle_id)), weeks.get((f.ward_id, f.cycle_id))) for f in found]


def wards_of(session: Session, priority_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """The wards of these priorities (an edit to an action refreshes its ward's cards and line)."""
    found: set[uuid.UUID] = set()
    for chunk in _chunks(list(priority_ids)):
        found.update(session.scalars(select(Priority.ward_id).where(Priority.id.in_(chunk))))
    return found


def card_for(session: Session, priority: Priority, *, today: dt.date) -> PriorityCard:
    return priority_cards(session, cycle=None, today=today, priority_ids=[priority.id])[0]


# --- the facts the rules read, as plain data ---------------------------------------------------------------

#: Statuses whose next step's rule reads the plan or the feedback (see ``rules._step_blockers``).
_PLAN_STEPS = frozenset({S.PLANNING, S.ASSESSING, S.FEEDBACK_GIVEN})


def _needs_plan(status: PriorityStatus) -> bool:
    return status in _PLAN_STEPS


@dataclass(frozen=True)
class _Plan:
    problem_statement: str
    assessment: str
    outcome: Outcome | None


@dataclass(frozen=True)
class _Action:
    status: ActionStatus
    owner_agency_id: uuid.UUID | None
    owner_person_id: uuid.UUID | None


@dataclass
class _Facts:
    """One priority's columns and what its card counts; satisfies ``rules.PriorityFacts``."""

    id: uuid.UUID
    ward_id: uuid.UUID
    cycle_id: uuid.UUID
    title: str
    status: PriorityStatus
    meeting_id: uuid.UUID | None
    ratified_online: bool
    lead_agency_id: uuid.UUID | None
    escalation_reason: str
    ward_code: str
    ward_name: str
    la_name: str
    cycle: str
    lead_agency: str
    plan: _Plan | None = None
    actions: list[_Action] = field(default_factory=list)
    feedback: list[uuid.UUID] = field(default_factory=list)
    open_actions: int = 0
    overdue_actions: int = 0

    @classmethod
    def of(cls, row: Any) -> _Facts:
        pid, ward_id, cycle_id, title, status, meeting, online, lead_id, why, code, name, la, cycle, lead = (
            row
        )
        return cls(
            pid,
            ward_id,
            cycle_id,
            title,
            status,
            meeting,
            online,
            lead_id,
            why,
            code,
            name,
            la,
            cycle,
            lead or "",
        )

    def card(self, agreed: _Facts | None, week_start: dt.date | None) -> PriorityCard:
        target = rules.next_step(self.status)
        blockers = rules.move_blockers(self, target, already_agreed=agreed) if target else []
        return PriorityCard(
            id=self.id, ward_id=self.ward_id, ward_code=self.ward_code, ward_name=self.ward_name,
            la_name=self.la_name, cycle=self.cycle, title=self.title, status=self.status,
            lead_agency=self.lead_agency, week_start=week_start, open_actions=self.open_actions,
            overdue_actions=self.overdue_actions, blockers=tuple(blockers),
            escalation_reason=self.escalation_reason,
        )  # fmt: skip


def _chunks(ids: list[uuid.UUID], size: int = 900) -> Iterator[list[uuid.UUID]]:
    """SQLite allows so many parameters per statement: long id lists go in slices."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _agreed(
    session: Session, found: list[_Facts], *, every_sibling: bool
) -> dict[tuple[uuid.UUID, uuid.UUID], _Facts]:
    """The agreed priority of each ward and cycle shown (one ward may not agree two)."""
    agreed = {(f.ward_id, f.cycle_id): f for f in found if f.status in AGREED_OR_LATER}
    if every_sibling:  # only some priorities were read: their agreed siblings may not be among them
        for f in found:
            if (f.ward_id, f.cycle_id) in agreed:
                continue
            row = session.execute(
                select(Priority.id, Priority.title)
                .where(
                    Priority.ward_id == f.ward_id,
                    Priority.cycle_id == f.cycle_id,
                    Priority.deleted.is_(False),
                    Priority.status.in_(AGREED_OR_LATER),
                )
                .limit(1)
            ).first()
            if row is not None:
                agreed[(f.ward_id, f.cycle_id)] = replace(f, id=row[0], title=row[1])
    return agreed


def _load_actions(session: Session, found: list[_Facts], today: dt.date) -> None:
    """Open and overdue counts for every card; the actions themselves only where a rule reads them."""
    by_id = {f.id: f for f in found}
    wanted = [f.id for f in found if f.status in (S.PLANNING, S.FEEDBACK_GIVEN)]
    for chunk in _chunks(list(by_id)):
        for pid, open_count, overdue in session.execute(
            select(
                Action.priority_id,
                func.count(),
                func.count(case((Action.due_on < today, 1))),
            )
            .where(
                Action.priority_id.in_(chunk),
                Action.deleted.is_(False),
                unfinished_through_priority(),
            )
            .group_by(Action.priority_id)
        ):
            by_id[pid].open_actions, by_id[pid].overdue_actions = open_count, overdue
    for chunk in _chunks(wanted):
        for pid, status, agency, person in session.execute(
            select(Action.priority_id, Action.status, Action.owner_agency_id, Action.owner_person_id).where(
                Action.priority_id.in_(chunk), Action.deleted.is_(False)
            )
        ):
            by_id[pid].actions.append(_Action(status, agency, person))


def _load_plans_and_feedback(session: Session, found: list[_Facts]) -> None:
    by_id = {f.id: f for f in found}
    for chunk in _chunks(list(by_id)):
        for pid, statement, assessment, outcome in session.execute(
            select(
                SaraPlan.priority_id, SaraPlan.problem_statement, SaraPlan.assessment, SaraPlan.outcome
            ).where(SaraPlan.priority_id.in_(chunk))
        ):
            by_id[pid].plan = _Plan(statement, assessment, outcome)
        for fid, pid in session.execute(
            select(Feedback.id, Feedback.priority_id).where(
                Feedback.priority_id.in_(chunk), Feedback.deleted.is_(False)
            )
        ):
            by_id[pid].feedback.append(fid)
