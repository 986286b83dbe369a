"""Edits as commands: small records of what the user asked, applied through the services.

Each command's :meth:`~Command.apply` does the edit in the caller's session (through the service that
owns its rule, so a refused edit raises the rule's ``UserError``) and returns its *inverse*: the
command that puts back exactly what was there, read from the vault at the moment of the edit, not
from what a screen happened to show. Applying the inverse returns the original again, so one undo
class in the window (``ui.operations``) runs any of them, for undo and redo alike, and the CLI or a
test can use them without Qt.

Creations choose nothing themselves: the first apply creates through the service, and its inverse
removes (tombstones) that very record; undoing the removal restores the same row, so later steps
that name it still find it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from commmatters_desktop.core.enums import (
    PUBLIC_ROLES,
    ActionKind,
    ActionStatus,
    AgencyKind,
    Channel,
    ContactChannel,
    FeedbackChannel,
    Outcome,
    PersonRole,
    PriorityStatus,
)
from commmatters_desktop.core.models import (
    Action,
    Agency,
    CommunityGroup,
    Feedback,
    KinContact,
    Measure,
    Nomination,
    PanelMeeting,
    Person,
    Priority,
    ReferenceGroup,
    Synced,
    Ward,
)  # fmt: skip
from commmatters_desktop.core.services import common, planning, priorities, response

S = PriorityStatus


class Command(Protocol):
    """An edit: ``text`` names it on the Undo menu; ``apply`` does it and returns its inverse."""

    @property
    def text(self) -> str: ...

    def apply(self, session: Session) -> Command: ...


def _priority(session: Session, priority_id: uuid.UUID) -> Priority:
    return common.fetch(session, Priority, priority_id, "priority")


# --- the SARA plan and the priority's own words --------------------------------------------------------------


@dataclass(frozen=True)
class SetPlanText:
    """A Scanning, Analysis or Assessment text of a priority's SARA plan."""

    priority_id: uuid.UUID
    field: str
    value: str
    label: str = ""

    @property
    def text(self) -> str:
        return f"Edit {(self.label or self.field.replace('_', ' ')).lower()}"

    def apply(self, session: Session) -> Command:
        p = _priority(session, self.priority_id)
        old = getattr(p.plan, self.field) if p.plan is not None else ""
        if self.field == "assessment":
            priorities.update_assessment(session, priority=p, assessment=self.value)
        else:
            priorities.update_plan(session, priority=p, **{self.field: self.value})
        return SetPlanText(self.priority_id, self.field, old, self.label)


@dataclass(frozen=True)
class SetPriorityText:
    """The priority's title or its public wording ("You said", "We did")."""

    priority_id: uuid.UUID
    field: str
    value: str

    @property
    def text(self) -> str:
        return "Rename the priority" if self.field == "title" else "Edit the public wording"

    def apply(self, session: Session) -> Command:
        p = _priority(session, self.priority_id)
        old = str(getattr(p, self.field))
        priorities.update_priority(session, priority=p, **{self.field: self.value})
        return SetPriorityText(self.priority_id, self.field, old)


@dataclass(frozen=True)
class SetOutcome:
    priority_id: uuid.UUID
    outcome: Outcome | None

    text = "Record the outcome"

    def apply(self, session: Session) -> Command:
        p = _priority(session, self.priority_id)
        old = p.plan.outcome if p.plan is not None else None
        priorities.update_assessment(session, priority=p, outcome=self.outcome)
        return SetOutcome(self.priority_id, old)


# --- actions, measures, feedback -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EditAction:
    """One field of an action (description, kind, owner, due date, what was done)."""

    action_id: uuid.UUID
    field: str
    value: Any

    @property
    def text(self) -> str:
        return f"Edit the action's {self.field.replace('_id', '').replace('_', ' ')}"

    def apply(self, session: Session) -> Command:
        action = common.fetch(session, Action, self.action_id, "action")
        old = getattr(action, self.field)
        response.update_action(session, action=action, **{self.field: self.value})
        return EditAction(self.action_id, self.field, old)


@dataclass(frozen=True)
class SetActionStatus:
    action_id: uuid.UUID
    status: ActionStatus
    note: str = ""

    @property
    def text(self) -> str:
        return f"Mark the action {self.status.label.lower()}"

    def apply(self, session: Session) -> Command:
        action = common.fetch(session, Action, self.action_id, "action")
        inverse = SetActionStatus(self.action_id, action.status, action.completion_note)
        response.set_action_status(session, action=action, status=self.status, note=self.note)
        return inverse


@dataclass(frozen=True)
class EditMeasure:
    measure_id: uuid.UUID
    field: str
    value: Any

    @property
    def text(self) -> str:
        return f"Edit the measure's {self.field.replace('_', ' ')}"

    def apply(self, session: Session) -> Command:
        measure = common.fetch(session, Measure, self.measure_id, "measure")
        old = getattr(measure, self.field)
        response.update_measure(session, measure=measure, **{self.field: self.value})
        return EditMeasure(self.measure_id, self.field, old)


#: Records a command may remove and bring back, by the name the commands use.
_RECORDS: dict[str, type[Synced]] = {
    "action": Action,
    "measure": Measure,
    "feedback": Feedback,
    "ward": Ward,
    "nomination": Nomination,
    "agency": Agency,
    "contact": KinContact,
    "community group": CommunityGroup,
    "reference group": ReferenceGroup,
}


@dataclass(frozen=True)
class Remove:
    """Take an action, measure or feedback record out (a tombstone: synced, and undone by Restore)."""

    kind: str
    record_id: uuid.UUID

    @property
    def text(self) -> str:
        return f"Remove the {self.kind}"

    def apply(self, session: Session) -> Command:
        record = common.fetch(session, _RECORDS[self.kind], self.record_id, self.kind)
        if isinstance(record, Action):
            response.remove_action(session, action=record)
        else:
            common.tombstone(session, record, f"{self.kind} removed")
        return Restore(self.kind, self.record_id)


@dataclass(frozen=True)
class Restore:
    kind: str
    record_id: uuid.UUID

    @property
    def text(self) -> str:
        return f"Restore the {self.kind}"

    def apply(self, session: Session) -> Command:
        common.restore(session, common.fetch_any(session, _RECORDS[self.kind], self.record_id))
        return Remove(self.kind, self.record_id)


@dataclass(frozen=True)
class AddAction:
    priority_id: uuid.UUID
    description: str
    kind: ActionKind
    owner_agency_id: uuid.UUID | None = None
    owner_person_id: uuid.UUID | None = None
    due_on: dt.date | None = None

    text = "Add an action"

    def apply(self, session: Session) -> Command:
        agency, person = self.owner_agency_id, self.owner_person_id
        action = response.add_action(
            session,
            priority=_priority(session, self.priority_id),
            description=self.description,
            kind=self.kind,
            owner_agency=common.fetch(session, Agency, agency, "agency") if agency else None,
            owner_person=common.fetch(session, Person, person, "person") if person else None,
            due_on=self.due_on,
        )
        return Remove("action", action.id)


@dataclass(frozen=True)
class AddWard:
    """A ward added by hand (a new force, or a boundary change the ONS lookup has not reached yet)."""

    code: str
    name: str
    la_name: str = ""
    team_contact: str = ""
    engagement_url: str = ""

    text = "Add a ward"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import wards

        ward = wards.create_ward(session, code=self.code, name=self.name, la_name=self.la_name)
        wards.update_ward(
            session, ward=ward, team_contact=self.team_contact, engagement_url=self.engagement_url
        )
        return Remove("ward", ward.id)


@dataclass(frozen=True)
class AddMeasure:
    priority_id: uuid.UUID
    name: str
    source: str = ""
    unit: str = ""
    baseline_period: str = ""

    text = "Add a measure"

    def apply(self, session: Session) -> Command:
        measure = response.add_measure(
            session, priority=_priority(session, self.priority_id), name=self.name, source=self.source,
            unit=self.unit, baseline_period=self.baseline_period,
        )  # fmt: skip
        return Remove("measure", measure.id)


@dataclass(frozen=True)
class RecordFeedback:
    priority_id: uuid.UUID
    channel: FeedbackChannel
    summary: str
    given_on: dt.date

    text = "Record feedback"

    def apply(self, session: Session) -> Command:
        feedback = response.record_feedback(
            session, priority=_priority(session, self.priority_id), channel=self.channel,
            summary=self.summary, given_on=self.given_on,
        )  # fmt: skip
        return Remove("feedback", feedback.id)


# --- the board and the quarter -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MovePriority:
    """A card moved along the board's columns; the rules decide."""

    priority_id: uuid.UUID
    target: PriorityStatus
    #: The card's title, to name the move on the Undo menu ("Move 'Dog fouling' to Planning").
    title: str = ""

    @property
    def text(self) -> str:
        return (
            f"Move '{self.title}' to {self.target.label}"
            if self.title
            else f"Move the priority to {self.target.label}"
        )

    def apply(self, session: Session) -> Command:
        p = _priority(session, self.priority_id)
        before = p.status
        priorities.move(session, priority=p, target=self.target)
        if before is S.NOMINATED:
            return WithdrawAgreement(self.priority_id, self.target)
        return MovePriority(self.priority_id, before)


@dataclass(frozen=True)
class Agree:
    """The panel agreed the priority: its lead agency and the meeting (None: ratified online), then on to
    ``target`` if the card was dropped further along than Agreed."""

    priority_id: uuid.UUID
    lead_agency_id: uuid.UUID
    meeting_id: uuid.UUID | None
    target: PriorityStatus = S.AGREED

    text = "Agree the priority"

    def apply(self, session: Session) -> Command:
        p = _priority(session, self.priority_id)
        meeting = common.fetch(session, PanelMeeting, self.meeting_id) if self.meeting_id else None
        priorities.agree(
            session,
            priority=p,
            lead_agency=common.fetch(session, Agency, self.lead_agency_id, "agency"),
            meeting=meeting,
            ratified_online=meeting is None,
        )
        if self.target is not S.AGREED:
            priorities.move(session, priority=p, target=self.target)
        return WithdrawAgreement(self.priority_id, self.target)


@dataclass(frozen=True)
class WithdrawAgreement:
    """Agreed in error: back to Nominated (the lead agency and meeting stay, so redo agrees again)."""

    priority_id: uuid.UUID
    was: PriorityStatus = S.AGREED

    text = "Withdraw the agreement"

    def apply(self, session: Session) -> Command:
        priorities.withdraw_agreement(session, priority=_priority(session, self.priority_id))
        return MovePriority(self.priority_id, self.was)


@dataclass(frozen=True)
class Escalate:
    priority_id: uuid.UUID
    reason: str

    text = "Escalate to CSP tasking"

    def apply(self, session: Session) -> Command:
        priorities.escalate(session, priority=_priority(session, self.priority_id), reason=self.reason)
        return DeEscalate(self.priority_id)


@dataclass(frozen=True)
class DeEscalate:
    priority_id: uuid.UUID

    text = "De-escalate"

    def apply(self, session: Session) -> Command:
        p = _priority(session, self.priority_id)
        reason = p.escalation_reason
        priorities.de_escalate(session, priority=p)
        return Escalate(self.priority_id, reason)


@dataclass(frozen=True)
class NotTakenForward:
    priority_id: uuid.UUID
    reason: str

    text = "Not taken forward"

    def apply(self, session: Session) -> Command:
        priorities.not_taken_forward(
            session, priority=_priority(session, self.priority_id), reason=self.reason
        )
        return Reconsider(self.priority_id)


@dataclass(frozen=True)
class Reconsider:
    priority_id: uuid.UUID

    text = "Reconsider"

    def apply(self, session: Session) -> Command:
        p = _priority(session, self.priority_id)
        reason = p.not_taken_reason
        priorities.reconsider(session, priority=p)
        return NotTakenForward(self.priority_id, reason)


@dataclass(frozen=True)
class SetWeek:
    """A ward's week of action in a cycle, set, moved or cleared (None)."""

    ward_id: uuid.UUID
    cycle: str
    week_start: dt.date | None

    text = "Move a week of action"

    def apply(self, session: Session) -> Command:
        ward = common.fetch(session, Ward, self.ward_id, "ward")
        old = planning.weeks_of_ward(session, cycle=self.cycle, ward_id=self.ward_id)
        planning.set_week(session, ward=ward, cycle=self.cycle, week_start=self.week_start)
        return SetWeek(self.ward_id, self.cycle, old)


# --- partners, people, wards, nominations ---------------------------------------------------------------------


def _editors() -> dict[str, tuple[type[Synced], Callable[..., object], str]]:
    from commmatters_desktop.core.services import people, wards

    return {
        "agency": (Agency, people.update_agency, "agency"),
        "person": (Person, people.update_person, "person"),
        "ward": (Ward, wards.update_ward, "ward"),
    }


@dataclass(frozen=True)
class EditRecord:
    """Fields of a partner agency, a person or a ward, through that record's update service."""

    kind: str
    record_id: uuid.UUID
    values: tuple[tuple[str, Any], ...]
    label: str = ""

    @classmethod
    def of(cls, kind: str, record_id: uuid.UUID, values: dict[str, Any], label: str = "") -> EditRecord:
        return cls(kind, record_id, tuple(values.items()), label)

    @property
    def text(self) -> str:
        return self.label or f"Edit the {self.kind}"

    def apply(self, session: Session) -> Command:
        model, update, keyword = _editors()[self.kind]
        record = common.fetch(session, model, self.record_id, self.kind)
        old = tuple((name, getattr(record, name)) for name, _value in self.values)
        update(session, **{keyword: record}, **dict(self.values))
        return EditRecord(self.kind, self.record_id, old, self.label)


@dataclass(frozen=True)
class Retire:
    """A partner agency or person no longer offered in the pickers (``retired=False``: reinstated)."""

    kind: str
    record_id: uuid.UUID
    retired: bool = True
    label: str = ""

    @property
    def text(self) -> str:
        return self.label or ("Retire" if self.retired else "Reinstate")

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import people

        model: type[Agency] | type[Person] = Agency if self.kind == "agency" else Person
        record = common.fetch(session, model, self.record_id, self.kind)
        if isinstance(record, Agency):
            (people.retire_agency if self.retired else people.reinstate_agency)(session, agency=record)
        else:
            (people.retire_person if self.retired else people.reinstate_person)(session, person=record)
        return Retire(self.kind, self.record_id, not self.retired, self.label)


@dataclass(frozen=True)
class RecordVotes:
    """The show of hands for a nomination at the panel (None: not counted)."""

    nomination_id: uuid.UUID
    votes: int | None

    text = "Record the votes"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import engagement

        nomination = common.fetch(session, Nomination, self.nomination_id, "nomination")
        old = nomination.votes
        engagement.record_votes(session, nomination=nomination, votes=self.votes)
        return RecordVotes(self.nomination_id, old)


# --- the panel meeting ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RedactNomination:
    """The public wording of a nomination, written and approved by the officer (blank: nothing shown)."""

    nomination_id: uuid.UUID
    public_wording: str

    text = "Redact a nomination"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core import public
        from commmatters_desktop.core.services import engagement

        nomination = common.fetch(session, Nomination, self.nomination_id, "nomination")
        shown = bool(nomination.public_wording) and public.approved(session, nomination, "public_wording")
        old = nomination.public_wording if shown else ""  # an unapproved draft is not put back as approved
        engagement.redact_nomination(session, nomination=nomination, public_wording=self.public_wording)
        return RedactNomination(self.nomination_id, old)


@dataclass(frozen=True)
class AddNomination:
    """An issue raised at (or before) the panel, typed in on the meeting screen."""

    ward_id: uuid.UUID
    cycle: str
    wording: str
    channel: Channel
    support: int
    category: str
    raised_on: dt.date

    text = "Add a nomination"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import engagement

        made = engagement.nominate(
            session,
            ward=common.fetch(session, Ward, self.ward_id, "ward"),
            wording=self.wording,
            channel=self.channel,
            support=self.support,
            category=self.category,
            cycle=self.cycle,
            raised_on=self.raised_on,
        )
        return Remove("nomination", made.id)


@dataclass(frozen=True)
class MergeNominations:
    """Near-duplicates become one: ``absorb`` joins ``keep`` (both wordings kept, support added)."""

    keep_id: uuid.UUID
    absorb_id: uuid.UUID

    text = "Merge nominations"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import engagement

        engagement.merge_nominations(
            session,
            keep=common.fetch(session, Nomination, self.keep_id, "nomination"),
            absorb=common.fetch(session, Nomination, self.absorb_id, "nomination"),
        )
        return UnmergeNomination(self.keep_id, self.absorb_id)


@dataclass(frozen=True)
class UnmergeNomination:
    keep_id: uuid.UUID
    absorb_id: uuid.UUID

    text = "Unmerge the nomination"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import engagement

        engagement.unmerge_nomination(
            session, nomination=common.fetch(session, Nomination, self.absorb_id, "nomination")
        )
        return MergeNominations(self.keep_id, self.absorb_id)


@dataclass(frozen=True)
class AddAgency:
    """A partner agency added where it is needed (the panel names a lead the vault does not hold)."""

    agency_id: uuid.UUID
    name: str
    kind: AgencyKind
    contact_route: str = ""

    @property
    def text(self) -> str:
        return f"Add partner {self.name}"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import people

        people.create_agency(
            session,
            name=self.name,
            kind=self.kind,
            contact_route=self.contact_route,
            agency_id=self.agency_id,
        )
        return Remove("agency", self.agency_id)


@dataclass(frozen=True)
class SetAttendance:
    """The head count of a panel meeting (never a list of residents)."""

    meeting_id: uuid.UUID
    attendance: int | None

    text = "Record the attendance"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import engagement

        meeting = common.fetch(session, PanelMeeting, self.meeting_id, "panel meeting")
        old = meeting.attendance
        engagement.update_meeting(session, meeting=meeting, attendance=self.attendance)
        return SetAttendance(self.meeting_id, old)


@dataclass(frozen=True)
class RecordPanelDecision:
    """The panel agrees ONE priority from the nominations (``engagement.record_panel_decision``)."""

    meeting_id: uuid.UUID
    nomination_id: uuid.UUID
    lead_agency_id: uuid.UUID
    title: str

    text = "Record the panel's decision"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import engagement

        decision = engagement.record_panel_decision(
            session,
            meeting=common.fetch(session, PanelMeeting, self.meeting_id, "panel meeting"),
            chosen=common.fetch(session, Nomination, self.nomination_id, "nomination"),
            lead_agency=common.fetch(session, Agency, self.lead_agency_id, "agency"),
            title=self.title,
        )
        return UndoPanelDecision(decision, self)


@dataclass(frozen=True)
class UndoPanelDecision:
    """A decision recorded in error, taken back whole (``engagement.undo_panel_decision``)."""

    decision: Any
    again: RecordPanelDecision

    text = "Take back the panel's decision"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import engagement

        engagement.undo_panel_decision(session, decision=self.decision)
        return self.again


# --- people, key individuals and the ward's reach ---------------------------------------------------------------


def _ward_codes(session: Session, person_id: uuid.UUID, role: PersonRole) -> str:
    """The wards where the person holds ``role`` now, as the forms take them ("E05000650; E05000651")."""
    from sqlalchemy import select

    from commmatters_desktop.core.models import WardRole

    codes = session.scalars(
        select(Ward.code)
        .join(WardRole, WardRole.ward_id == Ward.id)
        .where(WardRole.person_id == person_id, WardRole.role == role, WardRole.deleted.is_(False))
        .order_by(Ward.code)
    )
    return "; ".join(codes)


@dataclass(frozen=True)
class AddPerson:
    """An officer, PCSO, panel member or partner contact, with the wards they cover (codes or names,
    separated by ;). ``ward_officer``: they are the ward officer of those wards."""

    person_id: uuid.UUID
    full_name: str
    role: PersonRole
    agency_id: uuid.UUID | None = None
    title: str = ""
    email: str = ""
    phone: str = ""
    wards: str = ""
    ward_officer: bool = False

    @property
    def text(self) -> str:
        return f"Add {'contact ' if self.role is PersonRole.PARTNER_CONTACT else ''}{self.full_name}"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import people

        wards = people.wards_from_text(session, self.wards)
        agency = common.fetch(session, Agency, self.agency_id, "agency") if self.agency_id else None
        person = people.create_person(
            session, full_name=self.full_name, role=self.role, agency=agency, title=self.title,
            email=self.email, phone=self.phone, person_id=self.person_id,
        )  # fmt: skip
        officer = self.ward_officer and self.role not in PUBLIC_ROLES
        people.set_wards(
            session, person=person, role=PersonRole.WARD_OFFICER if officer else self.role, wards=wards
        )
        return RemovePerson(self.person_id, self.full_name, self)


@dataclass(frozen=True)
class AddKeyIndividual:
    """A member of the public willing to be a critical friend (everything here is personal data)."""

    person_id: uuid.UUID
    ward: str
    full_name: str
    community: str
    preferred: ContactChannel | None = None
    email: str = ""
    phone: str = ""
    consent_on: dt.date | None = None
    consent_basis: str = ""

    text = "Add a key individual"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import kin, people

        kin.add_key_individual(
            session, ward=people.ward_named(session, self.ward), full_name=self.full_name,
            community=self.community, preferred_contact=self.preferred, email=self.email, phone=self.phone,
            consent_on=self.consent_on, consent_basis=self.consent_basis, person_id=self.person_id,
        )  # fmt: skip
        return RemovePerson(self.person_id, self.full_name, self)


@dataclass(frozen=True)
class RemovePerson:
    """A person added in error, taken out with their wards (redo adds them again, as the same record)."""

    person_id: uuid.UUID
    full_name: str
    added: Command

    @property
    def text(self) -> str:
        return f"Remove {self.full_name}"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import people

        person = common.fetch(session, Person, self.person_id, "person")
        for role in PersonRole:
            people.set_wards(session, person=person, role=role, wards=[])
        common.tombstone(session, person, "undo of add")
        return self.added


@dataclass(frozen=True)
class SetWards:
    """The wards where a person holds their role, and (None: unchanged) the wards they are ward officer of."""

    person_id: uuid.UUID
    role: PersonRole
    wards: str
    officer_of: str | None = None
    label: str = "Change the person's wards"

    @property
    def text(self) -> str:
        return self.label

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import people

        person = common.fetch(session, Person, self.person_id, "person")
        before = _ward_codes(session, self.person_id, self.role)
        led = (
            None if self.officer_of is None else _ward_codes(session, self.person_id, PersonRole.WARD_OFFICER)
        )
        people.set_wards(
            session, person=person, role=self.role, wards=people.wards_from_text(session, self.wards)
        )
        if self.officer_of is not None:
            people.set_wards(
                session,
                person=person,
                role=PersonRole.WARD_OFFICER,
                wards=people.wards_from_text(session, self.officer_of),
            )
        return SetWards(self.person_id, self.role, before, led, self.label)


@dataclass(frozen=True)
class RecordConsent:
    """A key individual's consent to be contacted, given on ``on`` (None: withdrawn)."""

    person_id: uuid.UUID
    on: dt.date | None
    basis: str = ""

    text = "Record consent"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import kin

        person = common.fetch(session, Person, self.person_id, "person")
        before = RecordConsent(self.person_id, person.consent_on, person.consent_basis)
        if self.on is None:
            kin.withdraw_consent(session, person=person)
        else:
            kin.record_consent(session, person=person, on=self.on, basis=self.basis)
        return before


@dataclass(frozen=True)
class LogContact:
    """A contact with a key individual (``anyway``: logged although they were contacted often lately)."""

    contact_id: uuid.UUID
    person_id: uuid.UUID
    ward: str | None
    on: dt.date
    channel: ContactChannel
    purpose: str
    anyway: bool = False

    text = "Log a contact"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import kin, people

        kin.log_contact(
            session, person=common.fetch(session, Person, self.person_id, "person"),
            ward=people.ward_named(session, self.ward) if self.ward else None,
            on=self.on, channel=self.channel, purpose=self.purpose, anyway=self.anyway,
            contact_id=self.contact_id,
        )  # fmt: skip
        return Remove("contact", self.contact_id)


@dataclass(frozen=True)
class AddCommunityGroup:
    """A community every ward is checked for a link with (older people, a faith community)."""

    name: str

    @property
    def text(self) -> str:
        return f"Add the group {self.name}"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import kin

        return Remove("community group", kin.add_group(session, self.name).id)


@dataclass(frozen=True)
class LinkReferenceGroup:
    """An organisation a ward hears a community through (a traders' association, a youth forum)."""

    group_id: uuid.UUID
    ward: str
    name: str
    community: str

    text = "Link a reference group"

    def apply(self, session: Session) -> Command:
        from commmatters_desktop.core.services import kin, people

        kin.add_reference_group(
            session,
            ward=people.ward_named(session, self.ward),
            name=self.name,
            community=self.community,
            group_id=self.group_id,
        )
        return Remove("reference group", self.group_id)
