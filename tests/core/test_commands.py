"""Core edit commands: each applies through its service and returns the inverse that restores exactly;
the unit of work's change set names the rows written, how, and the rows they belong to."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from commmatters_desktop.core import changes, commands, queries
from commmatters_desktop.core.changeset import ChangeSet, Kind
from commmatters_desktop.core.enums import ActionKind, ActionStatus, FeedbackChannel, Outcome, PriorityStatus
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.models import Action, Priority
from commmatters_desktop.storage.vault import Vault

S = PriorityStatus


def run(vault: Vault, command: commands.Command) -> tuple[commands.Command, ChangeSet]:
    with vault.unit_of_work() as s:
        inverse = command.apply(s)
    return inverse, changes.change_set(s)


def a_priority(vault: Vault, status: PriorityStatus) -> uuid.UUID:
    with vault.reading() as s:
        return next(
            p.id
            for p in s.scalars(select(Priority).where(Priority.status == status).order_by(Priority.title))
            if p.actions
        )


def snapshot(vault: Vault, pid: uuid.UUID, today: dt.date) -> Any:
    with vault.reading() as s:
        return queries.plan_detail(s, pid, today=today)


def test_every_plan_command_is_undone_exactly_by_its_inverse(demo_vault: Vault, clock: Any) -> None:
    pid = a_priority(demo_vault, S.IN_ACTION)
    today = clock.today()
    before = snapshot(demo_vault, pid, today)
    action = before.actions[0]
    steps: list[commands.Command] = [
        commands.SetPlanText(pid, "causes", "Dark alley, no lighting"),
        commands.SetPlanText(pid, "assessment", "Reports halved"),
        commands.SetPriorityText(pid, "title", "Alley lighting"),
        commands.SetPriorityText(pid, "public_issue", "The alley is dark"),
        commands.SetOutcome(pid, Outcome.PARTLY_ACHIEVED),
        commands.EditAction(action.id, "description", "Install two lamps"),
        commands.EditAction(action.id, "due_on", dt.date(2027, 1, 8)),
        commands.SetActionStatus(action.id, ActionStatus.CANCELLED, "Council did it"),
        commands.AddAction(pid, "Door-knock the street", ActionKind.ENGAGEMENT),
        commands.AddMeasure(pid, "ASB reports", "police.uk", "reports", "3 months before"),
        commands.RecordFeedback(pid, FeedbackChannel.PANEL, "Told the panel", today),
    ]
    for step in steps:
        inverse, _ = run(demo_vault, step)
        assert snapshot(demo_vault, pid, today) != before, step
        redo, _ = run(demo_vault, inverse)  # undo
        assert snapshot(demo_vault, pid, today) == before, step
        inverse, _ = run(demo_vault, redo)  # redo: the same record again, not a copy
        assert snapshot(demo_vault, pid, today) != before, step
        run(demo_vault, inverse)
        assert snapshot(demo_vault, pid, today) == before, step


def test_a_move_and_its_inverse(demo_vault: Vault) -> None:
    pid = a_priority(demo_vault, S.IN_ACTION)
    inverse, change = run(demo_vault, commands.MovePriority(pid, S.ASSESSING))
    assert inverse == commands.MovePriority(pid, S.IN_ACTION)
    assert change.ids("priority") == {pid} and change.rows["priority"][pid] is Kind.UPDATED
    run(demo_vault, inverse)
    with demo_vault.reading() as s:
        assert s.get(Priority, pid).status is S.IN_ACTION  # type: ignore[union-attr]


def test_a_refused_command_raises_the_rule_and_changes_nothing(demo_vault: Vault) -> None:
    pid = a_priority(demo_vault, S.IN_ACTION)
    with pytest.raises(UserError, match="Cannot close"):
        run(demo_vault, commands.MovePriority(pid, S.CLOSED))


def test_the_change_set_says_inserted_updated_deleted_and_whose(demo_vault: Vault) -> None:
    pid = a_priority(demo_vault, S.IN_ACTION)
    removal, added = run(demo_vault, commands.AddAction(pid, "Extra patrols", ActionKind.ENFORCEMENT))
    assert isinstance(removal, commands.Remove)
    assert added.ids("action", Kind.INSERTED) == {removal.record_id}
    assert pid in added.related("priority") and pid not in added.ids("priority")
    _, removed = run(demo_vault, removal)
    assert removed.rows["action"] == {removal.record_id: Kind.DELETED}
    _, edited = run(demo_vault, commands.SetPlanText(pid, "causes", "Something new"))
    assert edited.tables() >= {"sara_plan"} and pid in edited.related("priority")
    with demo_vault.reading() as s:
        ward = s.get(Priority, pid).ward_id  # type: ignore[union-attr]
        action = s.scalars(select(Action).where(Action.priority_id == pid)).first()
    assert ward in run(demo_vault, commands.MovePriority(pid, S.ASSESSING))[1].related("ward")
    assert action is not None and "change_log" not in edited.tables()


def test_a_bulk_statement_marks_its_table_changed_as_a_whole(demo_vault: Vault) -> None:
    from sqlalchemy import update

    with demo_vault.unit_of_work() as s:
        s.execute(update(Action).where(Action.description == "nothing like this").values(description="x"))
    change = changes.change_set(s)
    assert change.unknown("action") and not change.unknown("priority")


def _people_state(vault: Vault, on: dt.date) -> Any:
    from commmatters_desktop.core import people_queries as pq
    from commmatters_desktop.core.services import kin

    with vault.reading() as s:
        return (
            pq.agency_rows(s),
            pq.person_rows(s),
            pq.kin_rows(s, on=on),
            pq.contact_rows(s),
            pq.reference_rows(s),
            kin.groups(s),
            [r for r in queries.nomination_rows(s, cycle="2026-Q4", ward_code="E05000650")],
        )


def test_every_people_and_meeting_command_is_undone_exactly_and_redone(demo_vault: Vault, clock: Any) -> None:
    """The window's people, partners, key individuals and meeting screens edit through these commands:
    undo must put back exactly what was there, and redo must do the same edit again (the same records)."""
    from commmatters_desktop.core.enums import (
        AgencyKind,
        Channel,
        ContactChannel,
        NominationStatus,
        PersonRole,
    )
    from commmatters_desktop.core.models import Nomination, Person, Ward, natural_id

    today = clock.today()
    with demo_vault.reading() as s:
        ward = s.scalars(select(Ward).where(Ward.code == "E05000650")).one()
        key = s.scalars(select(Person).where(Person.role == PersonRole.KEY_INDIVIDUAL)).first()
        officer = s.scalars(select(Person).where(Person.role == PersonRole.PCSO)).first()
        open_ = s.scalars(
            select(Nomination)
            .where(
                Nomination.ward_id == ward.id,
                Nomination.cycle_id == natural_id("cycle", "2026-Q4"),
                Nomination.status == NominationStatus.OPEN,
                Nomination.deleted.is_(False),
            )
            .order_by(Nomination.wording)
        ).all()
    assert key is not None and officer is not None and len(open_) >= 2
    steps: list[commands.Command] = [
        commands.AddAgency(uuid.uuid4(), "Halliwell Traders", AgencyKind.CHARITY, "Ring the shop"),
        commands.AddPerson(
            uuid.uuid4(), "PC Test Officer", PersonRole.PCSO, wards="E05000650", ward_officer=True
        ),
        commands.AddKeyIndividual(uuid.uuid4(), "E05000650", "Jo Resident", "Older people"),
        commands.SetWards(officer.id, officer.role, "E05000650; E05000651"),
        commands.RecordConsent(key.id, today, "Signed KIN form"),
        commands.LogContact(
            uuid.uuid4(),
            key.id,
            "E05000650",
            today,
            ContactChannel.PHONE,
            "Asked about the park",
            anyway=True,
        ),
        commands.AddCommunityGroup("Allotment holders"),
        commands.LinkReferenceGroup(uuid.uuid4(), "E05000650", "Allotment society", "Older people"),
        commands.AddNomination(ward.id, "2026-Q4", "Bins left out", Channel.PANEL, 3, "environment", today),
        commands.RedactNomination(open_[0].id, "Drug dealing near the park"),
        commands.MergeNominations(open_[0].id, open_[1].id),
    ]
    for step in steps:
        before = _people_state(demo_vault, today)
        inverse, _changed = run(demo_vault, step)
        after = _people_state(demo_vault, today)
        assert after != before, f"{step.text} changed nothing"
        again, _changed = run(demo_vault, inverse)
        assert _people_state(demo_vault, today) == before, f"undo of {step.text} did not restore exactly"
        run(demo_vault, again)
        assert _people_state(demo_vault, today) == after, f"redo of {step.text} did not do it again"
