"""The use cases on a real encrypted vault: every refusal in a user's words, every write recorded."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import Session

from commmatters_desktop.core.enums import (
    ActionKind,
    ActionStatus,
    AgencyKind,
    Channel,
    FeedbackChannel,
    NominationStatus,
    Outcome,
    PriorityStatus,
)
from commmatters_desktop.core.errors import NotFound, RuleViolation, ValidationError
from commmatters_desktop.core.models import (
    Agency,
    AuditEvent,
    ChangeLog,
    FieldClock,
    Nomination,
    PanelMeeting,
    Priority,
    Ward,
)
from commmatters_desktop.core.services import common, cycles, engagement, people, priorities, response, wards
from commmatters_desktop.storage.vault import Vault

S = PriorityStatus
MEETING_DAY = dt.date(2026, 10, 12)


@pytest.fixture
def ward(vault: Vault) -> Ward:
    with vault.unit_of_work("PC Test") as s:
        return wards.create_ward(
            s, code="E05000650", name="Astley Bridge", la_code="E08000001", la_name="Bolton"
        )


def setup_agreeable(s: Session, ward: Ward) -> tuple[Priority, Agency, PanelMeeting]:
    ward = s.merge(ward)
    council = people.create_agency(s, name="Bolton Council", kind=AgencyKind.LOCAL_AUTHORITY)
    meeting = engagement.record_meeting(
        s, ward=ward, held_on=MEETING_DAY, venue="St Paul's hall", attendance=21
    )
    nomination = engagement.nominate(
        s, ward=ward, wording="Drug taking in the park", channel=Channel.PANEL, support=14
    )
    priority = priorities.propose(s, ward=ward, title="Drug taking in Moss Bank Park", nomination=nomination)
    return priority, council, meeting


def agreed(vault: Vault, ward: Ward) -> tuple[Priority, Agency]:
    with vault.unit_of_work() as s:
        priority, council, meeting = setup_agreeable(s, ward)
        priorities.agree(s, priority=priority, lead_agency=council, meeting=meeting)
    return priority, council


# --- wards -----------------------------------------------------------------------------------------------------


def test_ward_codes_are_checked_and_unique(vault: Vault, ward: Ward) -> None:
    with vault.unit_of_work() as s, pytest.raises(ValidationError, match="letter and eight digits"):
        wards.create_ward(s, code="E0500", name="Nowhere")
    with (
        vault.unit_of_work() as s,
        pytest.raises(ValidationError, match=r"E05000650 \(Astley Bridge\) is already"),
    ):
        wards.create_ward(s, code="e05000650", name="Astley Bridge again")
    with vault.unit_of_work() as s, pytest.raises(ValidationError, match="Give the ward a name"):
        wards.create_ward(s, code="E05000651", name="  ")


def test_editing_a_ward_records_only_real_changes(vault: Vault, ward: Ward) -> None:
    with vault.unit_of_work() as s:
        record = s.get(Ward, ward.id)
        assert record is not None
        assert wards.update_ward(s, ward=record, name="Astley Bridge", team_contact="Call 101") == [
            "team_contact"
        ]
        with pytest.raises(ValidationError, match="no field called colour"):
            wards.update_ward(s, ward=record, colour="blue")


def test_a_deleted_ward_is_a_tombstone_and_comes_back_with_its_id(vault: Vault, ward: Ward) -> None:
    with vault.unit_of_work() as s:
        record = s.get(Ward, ward.id)
        assert record is not None
        common.tombstone(s, record, "merged into a new ward")
    with vault.reading() as s:
        assert wards.ward_by_code(s, "E05000650") is None
        with pytest.raises(NotFound, match="no longer exists"):
            common.fetch(s, Ward, ward.id)
    with vault.unit_of_work() as s:
        revived = wards.create_ward(s, code="E05000650", name="Astley Bridge")
    assert revived.id == ward.id


def test_synced_rows_are_never_hard_deleted(vault: Vault, ward: Ward) -> None:
    with pytest.raises(RuntimeError, match="never deleted outright"), vault.unit_of_work() as s:
        s.delete(s.get(Ward, ward.id))
    with vault.reading() as s:
        assert wards.ward_by_code(s, "E05000650") is not None


# --- the lifecycle ---------------------------------------------------------------------------------------------


def test_agreeing_needs_a_lead_agency_and_a_meeting(vault: Vault, ward: Ward) -> None:
    with vault.unit_of_work() as s:
        priority, council, _meeting = setup_agreeable(s, ward)
        with pytest.raises(RuleViolation) as refused:
            priorities.move(s, priority=priority, target=S.AGREED)
        assert refused.value.message == (
            "Cannot agree: no panel meeting or online ratification recorded, no lead agency."
        )
        priorities.agree(s, priority=priority, lead_agency=council, ratified_online=True)
        assert priority.status is S.AGREED and priority.agreed_on == dt.date(2026, 11, 21)
        assert priority.plan is not None
        nomination = s.get(Nomination, priority.nomination_id)
        assert nomination is not None and nomination.status is NominationStatus.TAKEN_FORWARD


def test_one_agreed_priority_per_ward_per_cycle(vault: Vault, ward: Ward) -> None:
    agreed(vault, ward)
    with vault.unit_of_work() as s:
        second = priorities.propose(s, ward=s.merge(ward), title="Speeding")
        council = s.scalars(select(Agency)).one()
        with pytest.raises(RuleViolation, match="already has an agreed priority this quarter"):
            priorities.agree(s, priority=second, lead_agency=council, ratified_online=True)
    with vault.unit_of_work() as s:
        # Next quarter is a fresh start for the ward.
        third = priorities.propose(s, ward=s.merge(ward), title="Speeding", cycle="2027-Q1")
        priorities.agree(s, priority=third, lead_agency=s.scalars(select(Agency)).one(), ratified_online=True)
        assert third.status is S.AGREED


def test_the_database_itself_refuses_a_second_agreed_priority(vault: Vault, ward: Ward) -> None:
    agreed(vault, ward)
    with vault.unit_of_work() as s:
        sneaky = priorities.propose(s, ward=s.merge(ward), title="Bypassing the service")
    with pytest.raises(IntegrityError), vault.unit_of_work() as s:
        s.execute(text("UPDATE priority SET status = 'agreed' WHERE id = :id"), {"id": sneaky.id.hex})


def test_in_action_needs_a_problem_statement_and_an_owned_action(vault: Vault, ward: Ward) -> None:
    priority, council = agreed(vault, ward)
    with vault.unit_of_work() as s:
        p = common.fetch(s, Priority, priority.id)
        priorities.move(s, priority=p, target=S.PLANNING)
        with pytest.raises(RuleViolation) as refused:
            priorities.move(s, priority=p, target=S.IN_ACTION)
        assert refused.value.blockers == ["no problem statement in the SARA plan", "no action with an owner"]
        priorities.update_plan(s, priority=p, problem_statement="Evening drug use by the play area.")
        response.add_action(s, priority=p, description="Evening patrols", kind=ActionKind.ENFORCEMENT)
        with pytest.raises(RuleViolation, match="no action with an owner"):
            priorities.move(s, priority=p, target=S.IN_ACTION)
        response.add_action(
            s,
            priority=p,
            description="Cut back shrubs",
            kind=ActionKind.ENVIRONMENTAL,
            owner_agency=s.merge(council),
            due_on=dt.date(2026, 11, 30),
        )
        priorities.move(s, priority=p, target=S.IN_ACTION)
        assert p.status is S.IN_ACTION


def test_closing_is_refused_until_actions_feedback_and_assessment_are_done(vault: Vault, ward: Ward) -> None:
    priority, council = agreed(vault, ward)
    with vault.unit_of_work() as s:
        p = common.fetch(s, Priority, priority.id)
        priorities.update_plan(s, priority=p, problem_statement="Evening drug use by the play area.")
        owner = s.merge(council)
        patrols = response.add_action(
            s, priority=p, description="Patrols", kind=ActionKind.ENFORCEMENT, owner_agency=owner
        )
        leaflet = response.add_action(
            s, priority=p, description="Leaflet", kind=ActionKind.FEEDBACK, owner_agency=owner
        )
        priorities.move(s, priority=p, target=S.ASSESSING)
        with pytest.raises(RuleViolation) as refused:
            priorities.move(s, priority=p, target=S.CLOSED)
        assert refused.value.message == (
            "Cannot close: 2 actions open, no feedback recorded, no assessment recorded."
        )
        response.complete_action(s, action=patrols, note="Five evenings of patrols.")
        response.record_feedback(
            s, priority=p, channel=FeedbackChannel.PANEL, summary="Reported at the panel"
        )
        priorities.move(s, priority=p, target=S.FEEDBACK_GIVEN)
        with pytest.raises(RuleViolation) as refused:
            priorities.move(s, priority=p, target=S.CLOSED)
        assert refused.value.message == "Cannot close: 1 action open, no assessment recorded."
        with pytest.raises(RuleViolation, match="say why"):
            response.cancel_action(s, action=leaflet, reason="")
        response.cancel_action(s, action=leaflet, reason="Covered by the panel report")
        priorities.record_assessment(
            s, priority=p, assessment="Reports fell from 14 to 5.", outcome=Outcome.ACHIEVED
        )
        priorities.move(s, priority=p, target=S.CLOSED)
        assert p.closed_on == dt.date(2026, 11, 21)
        with pytest.raises(RuleViolation, match="priority is Closed"):
            response.add_action(s, priority=p, description="More", kind=ActionKind.ENGAGEMENT)
        assert priorities.blockers_for_next_step(s, p) == []


def test_escalation_and_its_return(vault: Vault, ward: Ward) -> None:
    priority, _ = agreed(vault, ward)
    with vault.unit_of_work() as s:
        p = common.fetch(s, Priority, priority.id)
        priorities.move(s, priority=p, target=S.PLANNING)
        priorities.escalate(s, priority=p, reason="Needs housing and health resources")
        assert p.status is S.ESCALATED
        with pytest.raises(RuleViolation, match="de-escalate it first"):
            priorities.move(s, priority=p, target=S.IN_ACTION)
        priorities.de_escalate(s, priority=p)
        assert p.status is S.PLANNING
        with pytest.raises(RuleViolation, match="not escalated"):
            priorities.de_escalate(s, priority=p)


def test_not_taken_forward_keeps_the_reason(vault: Vault, ward: Ward) -> None:
    with vault.unit_of_work() as s:
        p = priorities.propose(s, ward=s.merge(ward), title="Bins")
        with pytest.raises(RuleViolation, match="record the reason"):
            priorities.not_taken_forward(s, priority=p, reason=" ")
        priorities.not_taken_forward(s, priority=p, reason="A council matter, referred to waste services")
        assert p.status is S.NOT_TAKEN_FORWARD and p.not_taken_reason.startswith("A council matter")


def test_feedback_is_recorded_once_given_and_only_for_agreed_priorities(vault: Vault, ward: Ward) -> None:
    with vault.unit_of_work() as s:
        p = priorities.propose(s, ward=s.merge(ward), title="Bins")
        with pytest.raises(RuleViolation, match="has not been agreed"):
            response.record_feedback(s, priority=p, channel=FeedbackChannel.ONLINE, summary="Posted")
    priority, _ = agreed(vault, ward)
    with vault.unit_of_work() as s:
        p = common.fetch(s, Priority, priority.id)
        with pytest.raises(ValidationError, match="cannot be in the future"):
            response.record_feedback(
                s,
                priority=p,
                channel=FeedbackChannel.LEAFLET,
                summary="Leaflets",
                given_on=dt.date(2026, 12, 25),
            )


def test_nominations_need_words_and_real_support(vault: Vault, ward: Ward) -> None:
    with vault.unit_of_work() as s:
        with pytest.raises(ValidationError, match="at least 1"):
            engagement.nominate(s, ward=s.merge(ward), wording="Speeding", channel=Channel.ONLINE, support=0)
        with pytest.raises(ValidationError, match="Write down what the community raised"):
            engagement.nominate(s, ward=s.merge(ward), wording=" ", channel=Channel.ONLINE)
        n = engagement.nominate(
            s, ward=s.merge(ward), wording="Speeding", channel=Channel.ONLINE, cycle="2027-Q1"
        )
        engagement.decline_nomination(s, nomination=n, reason="Already a council scheme")
        with pytest.raises(RuleViolation, match="already Not taken forward"):
            engagement.decline_nomination(s, nomination=n, reason="again")
        assert cycles.cycle(s, "2027-Q1").id == n.cycle_id


# --- the records every write leaves ----------------------------------------------------------------------------


def test_every_field_write_is_stamped_and_logged_in_the_same_transaction(vault: Vault, ward: Ward) -> None:
    with vault.reading() as s:
        logged = {
            row.field: json.loads(row.value)
            for row in s.scalars(select(ChangeLog).where(ChangeLog.row_id == str(ward.id)))
        }
        clocks = s.scalars(select(FieldClock).where(FieldClock.row_id == str(ward.id))).all()
    assert logged["code"] == "E05000650" and logged["name"] == "Astley Bridge" and logged["deleted"] is False
    assert {c.field for c in clocks} == set(logged)
    assert all(c.stamp.endswith(vault.device_id) for c in clocks)


def test_a_refused_change_leaves_no_trace(vault: Vault, ward: Ward) -> None:
    with vault.reading() as s:
        before = (
            s.scalar(select(func.count()).select_from(ChangeLog)),
            s.scalar(select(func.count()).select_from(AuditEvent)),
        )
    with pytest.raises(ValidationError), vault.unit_of_work() as s:
        wards.update_ward(s, ward=s.merge(ward), notes="Changed")
        wards.create_ward(s, code="bad", name="x")
    with vault.reading() as s:
        after = (
            s.scalar(select(func.count()).select_from(ChangeLog)),
            s.scalar(select(func.count()).select_from(AuditEvent)),
        )
        assert s.get(Ward, ward.id).notes == ""  # type: ignore[union-attr]
    assert before == after


def test_the_audit_trail_names_who_and_cannot_be_rewritten(vault: Vault, ward: Ward) -> None:
    with vault.reading() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.row_id == str(ward.id))).one()
    assert (event.actor, event.action, event.entity) == ("PC Test", "create", "ward")
    assert event.summary == "ward E05000650 Astley Bridge" and event.device == vault.device_id
    for statement in ("UPDATE audit_event SET actor = 'someone else'", "DELETE FROM audit_event"):
        with pytest.raises(DatabaseError, match="append-only"), vault.unit_of_work() as s:
            s.execute(text(statement))


def test_the_audit_trail_never_names_a_member_of_the_public(vault: Vault, ward: Ward) -> None:
    from commmatters_desktop.core.enums import PersonRole

    with vault.unit_of_work() as s:
        chair = people.create_person(
            s, full_name="Margaret Oduya", role=PersonRole.PANEL_CHAIR, phone="07700 900123"
        )
        people.assign(s, ward=s.merge(ward), person=chair, role=PersonRole.PANEL_CHAIR)
    with vault.reading() as s:
        summaries = " ".join(s.scalars(select(AuditEvent.summary)))
    assert "Margaret" not in summaries and "07700" not in summaries


def test_actions_move_through_their_own_states(vault: Vault, ward: Ward) -> None:
    priority, council = agreed(vault, ward)
    with vault.unit_of_work() as s:
        p = common.fetch(s, Priority, priority.id)
        a = response.add_action(s, priority=p, description="Patrols", kind=ActionKind.ENFORCEMENT)
        assert response.update_action(
            s, action=a, owner_agency_id=council.id, due_on=dt.date(2026, 12, 1)
        ) == ["owner_agency_id", "due_on"]
        response.start_action(s, action=a)
        with pytest.raises(ValidationError, match="Say what was done"):
            response.complete_action(s, action=a, note="")
        response.complete_action(s, action=a, note="Done on five evenings")
        assert (a.status, a.completed_on) == (ActionStatus.DONE, dt.date(2026, 11, 21))
        with pytest.raises(RuleViolation, match="already Done"):
            response.start_action(s, action=a)
        response.reopen_action(s, action=a)
        assert a.status is ActionStatus.OPEN and a.completed_on is None


def test_measures_record_baseline_and_result(vault: Vault, ward: Ward) -> None:
    priority, _ = agreed(vault, ward)
    with vault.unit_of_work() as s:
        p = common.fetch(s, Priority, priority.id)
        m = response.add_measure(
            s, priority=p, name="ASB reports in the park", baseline_value=14, target_value=7
        )
        response.record_result(s, measure=m, after_period="Dec 2026", after_value=5)
        assert (m.baseline_value, m.after_value) == (14, 5)
        with pytest.raises(ValidationError, match="Name the measure"):
            response.add_measure(s, priority=p, name="")
