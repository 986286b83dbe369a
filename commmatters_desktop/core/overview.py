"""The force overview: where every ward's priority stands this cycle, and which wards are stuck.

Stuck means one of: no agreed priority by the third week of the quarter; actions overdue; the week
of action has passed but the priority has not moved on to assessment; assessed but no feedback given.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.enums import PriorityStatus
from commmatters_desktop.core.models import Action, Feedback, Priority, SaraPlan, Ward, natural_id
from commmatters_desktop.core.read import unfinished_through_priority
from commmatters_desktop.core.services.planning import weeks_of

S = PriorityStatus
#: The overview's columns, in the order an inspector reads them.
STATES: tuple[str, ...] = (
    "agreed",
    "planning",
    "in action",
    "assessing",
    "feedback",
    "closed",
    "escalated",
    "none",
)
_STATE_OF = {
    S.AGREED: "agreed",
    S.PLANNING: "planning",
    S.IN_ACTION: "in action",
    S.ASSESSING: "assessing",
    S.FEEDBACK_GIVEN: "feedback",
    S.CLOSED: "closed",
    S.ESCALATED: "escalated",
}
AGREE_BY_WEEK = 3
#: What the overview says of an escalated ward (its priority is the partnership's to solve now).
ESCALATED = "escalated to Community Safety Partnership tasking"


@dataclass(frozen=True)
class WardState:
    ward_id: uuid.UUID
    ward_code: str
    ward_name: str
    la_name: str
    state: str
    title: str
    priority_id: uuid.UUID | None
    week_start: dt.date | None
    reasons: tuple[str, ...] = ()

    @property
    def stuck(self) -> bool:
        return bool(self.reasons)

    @property
    def needs_attention(self) -> bool:
        """On the inspector's list: stuck, or handed to the partnership (not stuck, but not the ward's)."""
        return self.stuck or self.state == "escalated"

    @property
    def why(self) -> str:
        """What the list says of the ward: why it is stuck, and that it was escalated."""
        return "; ".join([*self.reasons, *([ESCALATED] if self.state == "escalated" else [])])


@dataclass
class Overview:
    cycle: str
    counts: dict[str, int] = field(default_factory=dict)
    wards: list[WardState] = field(default_factory=list)

    @property
    def stuck(self) -> list[WardState]:
        return [w for w in self.wards if w.stuck]

    @property
    def needing_attention(self) -> list[WardState]:
        """The wards the overview lists, in the window and on the command line alike."""
        return [w for w in self.wards if w.needs_attention]


@dataclass(frozen=True)
class _Card:
    id: uuid.UUID
    status: PriorityStatus
    title: str


def overview(session: Session, *, cycle: str, today: dt.date) -> Overview:
    code = CycleCode.parse(cycle)
    deadline = code.start + dt.timedelta(weeks=AGREE_BY_WEEK)
    cycle_id = natural_id("cycle", str(code))
    # What the overview reads of each priority, as columns and counts by the database: not whole cards.
    cards = {
        ward_id: _Card(pid, status, title)
        for pid, ward_id, status, title in session.execute(
            select(Priority.id, Priority.ward_id, Priority.status, Priority.title).where(
                Priority.cycle_id == cycle_id,
                Priority.deleted.is_(False),
                Priority.status.in_(list(_STATE_OF)),
            )
        )
    }
    overdue: dict[uuid.UUID, int] = {
        pid: n
        for pid, n in session.execute(
            select(Action.priority_id, func.count())
            .join(Priority, Priority.id == Action.priority_id)
            .where(
                Priority.cycle_id == cycle_id,
                Action.deleted.is_(False),
                unfinished_through_priority(),
                Action.due_on < today,
            )
            .group_by(Action.priority_id)
        )
    }
    answered = set(
        session.scalars(
            select(Feedback.priority_id)
            .join(Priority, Priority.id == Feedback.priority_id)
            .where(Priority.cycle_id == cycle_id, Feedback.deleted.is_(False))
        )
    )
    weeks = weeks_of(session, str(code))
    assessed = set(
        session.scalars(
            select(Priority.id)
            .join(SaraPlan, SaraPlan.priority_id == Priority.id)
            .where(Priority.cycle_id == natural_id("cycle", str(code)), SaraPlan.outcome.is_not(None))
        )
    )
    result = Overview(cycle=str(code), counts=dict.fromkeys(STATES, 0))
    # The wards' names only (as columns), in the ward list's order: not their officers and LSOAs.
    wards = session.execute(
        select(Ward.id, Ward.code, Ward.name, Ward.la_name)
        .where(Ward.deleted.is_(False))
        .order_by(Ward.la_name, Ward.name)
    ).all()
    for ward in wards:
        card = cards.get(ward.id)
        state = _STATE_OF[card.status] if card else "none"
        week = weeks.get(ward.id)
        reasons: list[str] = []
        if card is None and today >= deadline:
            reasons.append(f"no agreed priority by week {AGREE_BY_WEEK} ({deadline:%d %b})")
        if card is not None:
            late = overdue.get(card.id, 0)
            if late:
                reasons.append(f"{late} action{'s' if late != 1 else ''} overdue")
            if (
                week is not None
                and week + dt.timedelta(days=7) <= today
                and card.status in (S.AGREED, S.PLANNING, S.IN_ACTION)
            ):
                reasons.append(f"week of action ({week:%d %b}) passed without assessment")
            if (
                card.id in assessed
                and card.status in (S.ASSESSING,)
                and card.id not in answered  # what rules.feedback_blockers calls "no feedback recorded"
            ):
                reasons.append("assessed but no feedback given")
        result.counts[state] += 1
        result.wards.append(
            WardState(
                ward.id,
                ward.code,
                ward.name,
                ward.la_name,
                state,
                card.title if card else "",
                card.id if card else None,
                week,
                tuple(reasons),
            )
        )
    return result
