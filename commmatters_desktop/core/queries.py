"""Read models: plain dataclasses for lists and tables (the CLI prints them, Qt models show them).

Views never hold live ORM objects; they hold these, built in one query each, so a table of 650
wards costs a handful of statements rather than one per row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from commmatters_desktop.core import rules
from commmatters_desktop.core.enums import (
    AGREED_OR_LATER,
    FINISHED_ACTION,
    PUBLIC_ROLES,
    ActionKind,
    ActionStatus,
    Channel,
    FeedbackChannel,
    NominationStatus,
    Outcome,
    PersonRole,
    PriorityStatus,
)
from commmatters_desktop.core.models import (
    Agency,
    Cycle,
    Nomination,
    PanelMeeting,
    Person,
    Priority,
    Ward,
    WardLsoa,
    WardRole,
    WeekOfAction,
    natural_id,
)
from commmatters_desktop.core.services.priorities import SARA_TEXT_FIELDS

_OFFICER_ROLES = (PersonRole.WARD_OFFICER, PersonRole.PCSO)


@dataclass(frozen=True)
class WardRow:
    id: uuid.UUID
    code: str
    name: str
    la_code: str
    la_name: str
    vintage: str
    lsoa_count: int
    officers: list[str] = field(default_factory=list)
    priority_title: str = ""
    priority_status: PriorityStatus | None = None

    @property
    def priority_label(self) -> str:
        if self.priority_status is None:
            return "no priority yet"
        return f"{self.priority_status.label}: {self.priority_title}"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["id"] = str(self.id)
        data["priority_status"] = self.priority_status.value if self.priority_status else None
        return data


def ward_rows(session: Session, *, cycle: str, search: str = "", la: str = "") -> list[WardRow]:
    """Every live ward (optionally filtered) with its officers and its priority for ``cycle``."""
    query = select(Ward).where(Ward.deleted.is_(False))
    if search.strip():
        pattern = f"%{search.strip()}%"
        query = query.where(or_(Ward.name.ilike(pattern), Ward.code.ilike(pattern)))
    if la.strip():
        query = query.where(or_(Ward.la_name.ilike(la.strip()), Ward.la_code == la.strip().upper()))
    found = list(session.scalars(query.order_by(Ward.la_name, Ward.name)))
    ids = [w.id for w in found]
    if not ids:
        return []
    lsoas: dict[uuid.UUID, int] = {
        ward_id: n
        for ward_id, n in session.execute(
            select(WardLsoa.ward_id, func.count())
            .where(WardLsoa.ward_id.in_(ids), WardLsoa.deleted.is_(False))
            .group_by(WardLsoa.ward_id)
        )
    }
    officers: dict[uuid.UUID, list[str]] = defaultdict(list)
    for ward_id, name in session.execute(
        select(WardRole.ward_id, Person.full_name)
        .join(Person, Person.id == WardRole.person_id)
        .where(WardRole.ward_id.in_(ids), WardRole.role.in_(_OFFICER_ROLES), WardRole.deleted.is_(False))
        .order_by(WardRole.role.desc(), Person.full_name)
    ):
        officers[ward_id].append(name)
    best: dict[uuid.UUID, tuple[str, PriorityStatus]] = {}
    for ward_id, title, status in session.execute(
        select(Priority.ward_id, Priority.title, Priority.status)
        .join(Cycle, Cycle.id == Priority.cycle_id)
        .where(Priority.ward_id.in_(ids), Priority.deleted.is_(False), Cycle.id == natural_id("cycle", cycle))
    ):
        if ward_id not in best or rules.standing(status) > rules.standing(best[ward_id][1]):
            best[ward_id] = (title, status)
    return [
        WardRow(
            id=w.id,
            code=w.code,
            name=w.name,
            la_code=w.la_code,
            la_name=w.la_name,
            vintage=w.vintage,
            lsoa_count=lsoas.get(w.id, 0),
            officers=officers.get(w.id, []),
            priority_title=best.get(w.id, ("", None))[0],
            priority_status=best.get(w.id, ("", None))[1],
        )
        for w in found
    ]


def local_authorities(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Ward.la_name)
            .where(Ward.deleted.is_(False), Ward.la_name != "")
            .distinct()
            .order_by(Ward.la_name)
        )
    )


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


def priority_cards(session: Session, *, cycle: str | None, today: dt.date) -> list[PriorityCard]:
    """Every live priority of ``cycle`` (or of every cycle) as a card, in a handful of queries."""
    query = (
        select(Priority)
        .join(Ward, Ward.id == Priority.ward_id)
        .where(Priority.deleted.is_(False), Ward.deleted.is_(False))
        .options(
            selectinload(Priority.plan),
            selectinload(Priority.actions),
            selectinload(Priority.feedback),
            joinedload(Priority.ward),
            joinedload(Priority.cycle),
            joinedload(Priority.lead_agency),
        )
        .order_by(Ward.la_name, Ward.name)
    )
    if cycle:
        query = query.where(Priority.cycle_id == natural_id("cycle", cycle))
    found = list(session.scalars(query).unique())
    agreed = {(p.ward_id, p.cycle_id): p for p in found if p.status in AGREED_OR_LATER}
    weeks = {
        (w.ward_id, w.cycle_id): w.week_start
        for w in session.scalars(select(WeekOfAction).where(WeekOfAction.deleted.is_(False)))
    }
    return [
        _card(p, agreed.get((p.ward_id, p.cycle_id)), weeks.get((p.ward_id, p.cycle_id)), today)
        for p in found
    ]


def _card(p: Priority, agreed: Priority | None, week_start: dt.date | None, today: dt.date) -> PriorityCard:
    live = [a for a in p.actions if a.status not in FINISHED_ACTION]
    target = rules.next_step(p.status)
    blockers = rules.move_blockers(p, target, already_agreed=agreed) if target else []
    return PriorityCard(
        id=p.id,
        ward_id=p.ward_id,
        ward_code=p.ward.code,
        ward_name=p.ward.name,
        la_name=p.ward.la_name,
        cycle=p.cycle.code,
        title=p.title,
        status=p.status,
        lead_agency=p.lead_agency.name if p.lead_agency else "",
        week_start=week_start,
        open_actions=len(live),
        overdue_actions=sum(1 for a in live if a.due_on is not None and a.due_on < today),
        blockers=tuple(blockers),
        escalation_reason=p.escalation_reason,
    )


def card_for(session: Session, priority: Priority, *, today: dt.date) -> PriorityCard:
    from commmatters_desktop.core.services.priorities import agreed_priority

    agreed = agreed_priority(session, ward_id=priority.ward_id, cycle_id=priority.cycle_id)
    week = session.scalars(
        select(WeekOfAction.week_start).where(
            WeekOfAction.ward_id == priority.ward_id,
            WeekOfAction.cycle_id == priority.cycle_id,
            WeekOfAction.deleted.is_(False),
        )
    ).first()
    return _card(priority, agreed, week, today)


def cycle_codes(session: Session) -> list[str]:
    return list(
        session.scalars(select(Cycle.code).where(Cycle.deleted.is_(False)).order_by(Cycle.code.desc()))
    )


@dataclass(frozen=True)
class Option:
    """A choice for a combo box: an id and the words shown."""

    id: uuid.UUID
    label: str


def agency_options(session: Session) -> list[Option]:
    return [
        Option(a.id, a.name)
        for a in session.scalars(
            select(Agency)
            .where(Agency.deleted.is_(False), Agency.retired_on.is_(None))  # retired: history only
            .order_by(Agency.name)
        )
    ]


def people_options(session: Session) -> list[Option]:
    """Officials who can own an action (never members of the public)."""
    return [
        Option(p.id, f"{p.full_name} ({p.agency.name})" if p.agency else p.full_name)
        for p in session.scalars(
            select(Person)
            .where(Person.deleted.is_(False), Person.retired_on.is_(None), Person.role.not_in(PUBLIC_ROLES))
            .options(joinedload(Person.agency))
            .order_by(Person.full_name)
        )
    ]


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


def plan_detail(session: Session, priority_id: uuid.UUID, *, today: dt.date) -> PlanDetail | None:
    p = session.get(Priority, priority_id)
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


# --- a ward's page ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PastPriority:
    id: uuid.UUID
    cycle: str
    title: str
    status: PriorityStatus
    outcome: Outcome | None
    lead_agency: str


@dataclass(frozen=True)
class WardDetail:
    id: uuid.UUID
    code: str
    name: str
    la_name: str
    vintage: str
    team_contact: str
    engagement_url: str
    officers: list[str]
    #: Members of the public (panel chair and members, key individuals): personal data, never shown publicly.
    panel: list[str]
    partner_contacts: list[str]
    partners_in_work: list[str]
    lsoas: list[str]
    current: PastPriority | None
    history: list[PastPriority]


def ward_detail(session: Session, ward_id: uuid.UUID, *, cycle: str) -> WardDetail | None:
    ward = session.get(Ward, ward_id)
    if ward is None or ward.deleted:
        return None
    roles = session.execute(
        select(WardRole.role, Person)
        .join(Person, Person.id == WardRole.person_id)
        .where(
            WardRole.ward_id == ward_id,
            WardRole.deleted.is_(False),
            Person.deleted.is_(False),
            Person.retired_on.is_(None),  # moved on: history only
        )
        .options(joinedload(Person.agency))
        .order_by(Person.full_name)
    ).all()

    def named(person: Person, role: PersonRole) -> str:
        where = f", {person.agency.name}" if person.agency else ""
        return f"{person.full_name} ({role.label}{where})"

    priorities = list(
        session.scalars(
            select(Priority)
            .where(Priority.ward_id == ward_id, Priority.deleted.is_(False))
            .options(
                joinedload(Priority.cycle), joinedload(Priority.lead_agency), selectinload(Priority.plan)
            )
        ).unique()
    )
    past = sorted(
        (
            PastPriority(
                p.id,
                p.cycle.code,
                p.title,
                p.status,
                p.plan.outcome if p.plan else None,
                p.lead_agency.name if p.lead_agency else "",
            )
            for p in priorities
        ),
        key=lambda item: (item.cycle, rules.standing(item.status)),
        reverse=True,
    )
    current = next((item for item in past if item.cycle == cycle), None)
    partners = sorted(
        {
            a.owner_agency.name
            for p in priorities
            if p.cycle.code == cycle
            for a in p.actions
            if a.owner_agency is not None
        }
    )
    return WardDetail(
        id=ward.id,
        code=ward.code,
        name=ward.name,
        la_name=ward.la_name,
        vintage=ward.vintage,
        team_contact=ward.team_contact,
        engagement_url=ward.engagement_url,
        officers=[
            named(p, r) for r, p in roles if r not in PUBLIC_ROLES and r is not PersonRole.PARTNER_CONTACT
        ],
        # Key individuals have their own section on the ward page (with consent and contacts).
        panel=[named(p, r) for r, p in roles if r in PUBLIC_ROLES and r is not PersonRole.KEY_INDIVIDUAL],
        partner_contacts=[named(p, r) for r, p in roles if r is PersonRole.PARTNER_CONTACT],
        partners_in_work=partners,
        lsoas=[f"{lsoa.code} {lsoa.name}".strip() for lsoa in sorted(ward.lsoas, key=lambda x: x.code)],
        current=current,
        history=[item for item in past if item.cycle != cycle],
    )


def meeting_options(session: Session, *, ward_id: uuid.UUID, cycle: str) -> list[Option]:
    """The ward's panel meetings in the cycle, newest first, for recording where a priority was agreed."""
    return [
        Option(m.id, f"{m.held_on:%d %b %Y} at {m.venue}")
        for m in session.scalars(
            select(PanelMeeting)
            .where(
                PanelMeeting.ward_id == ward_id,
                PanelMeeting.cycle_id == natural_id("cycle", cycle),
                PanelMeeting.deleted.is_(False),
            )
            .order_by(PanelMeeting.held_on.desc())
        )
    ]


# --- nominations and the panel meeting ------------------------------------------------------------------------


#: What a public screen shows for a nomination whose public wording is not approved yet.
AWAITING_APPROVAL = "(wording awaiting the officer's approval)"


@dataclass(frozen=True)
class NominationRow:
    id: uuid.UUID
    ward_code: str
    ward_name: str
    cycle: str
    wording: str
    #: What a public screen may show: the approved public wording, or a notice that it awaits approval.
    display: str
    #: True when something in the resident's wording looks like personal data (see ``suspects``).
    masked: bool
    category: str
    channel: Channel
    support: int
    combined_support: int
    #: Support per channel, this nomination and any merged into it.
    channels: dict[str, int]
    votes: int | None
    status: NominationStatus
    reason: str
    merged_into: uuid.UUID | None
    raised_on: dt.date | None
    #: The public wording is approved (and neither it nor the resident's wording changed since).
    approved: bool = False
    #: The app's masked draft, offered for approval; never shown in public until approved.
    suggested: str = ""
    #: What the detector suspects in the resident's wording (highlighted on the officer's screen).
    suspects: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("wording")  # the raw wording may hold personal data: exported only as masked
        data.pop("suspects")
        data.update(
            id=str(self.id), channel=self.channel.value, status=self.status.value,
            merged_into=str(self.merged_into) if self.merged_into else None,
            raised_on=self.raised_on.isoformat() if self.raised_on else None,
        )  # fmt: skip
        return data


def nomination_rows(session: Session, *, cycle: str, ward_code: str | None = None) -> list[NominationRow]:
    from commmatters_desktop.core import privacy, public

    query = (
        select(Nomination)
        .join(Ward, Ward.id == Nomination.ward_id)
        .where(
            Nomination.deleted.is_(False),
            Nomination.cycle_id == natural_id("cycle", cycle),
            Ward.deleted.is_(False),
        )
        .options(joinedload(Nomination.ward))
        .order_by(Ward.la_name, Ward.name, Nomination.support.desc())
    )
    if ward_code:
        query = query.where(Ward.code == ward_code.strip().upper())
    found = list(session.scalars(query).unique())
    scanner = privacy.scanner(session)
    merged: dict[uuid.UUID, list[Nomination]] = defaultdict(list)
    for n in found:
        if n.merged_into_id is not None:
            merged[n.merged_into_id].append(n)
    rows = []
    for n in found:
        family = [n, *merged.get(n.id, [])]
        channels: dict[str, int] = defaultdict(int)
        for member in family:
            channels[member.channel.label] += member.support
        findings = scanner.scan(n.wording)
        approved = bool(n.public_wording) and public.approved(session, n, "public_wording")
        display = n.public_wording if approved else AWAITING_APPROVAL
        rows.append(
            NominationRow(
                id=n.id, ward_code=n.ward.code, ward_name=n.ward.name, cycle=cycle, wording=n.wording,
                display=display, masked=bool(findings), category=n.category, approved=approved,
                suggested=privacy.mask(n.wording, findings), suspects=tuple(f.text for f in findings),
                channel=n.channel, support=n.support, combined_support=sum(m.support for m in family),
                channels=dict(channels), votes=n.votes, status=n.status, reason=n.reason,
                merged_into=n.merged_into_id, raised_on=n.raised_on,
            )
        )  # fmt: skip
    return rows
