"""The people side's rules: retiring keeps history, consent before contact, fatigue, representation gaps."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from commmatters_desktop.core import queries
from commmatters_desktop.core.enums import (
    DEFAULT_GROUPS,
    ActionKind,
    AgencyKind,
    Channel,
    ContactChannel,
    PersonRole,
    PriorityStatus,
)
from commmatters_desktop.core.errors import ValidationError
from commmatters_desktop.core.feedback_export import feedback_export
from commmatters_desktop.core.models import Action, Person, Priority, Ward, personal_columns
from commmatters_desktop.core.partner_actions import open_actions
from commmatters_desktop.core.people_queries import kin_rows, partner_table, person_rows
from commmatters_desktop.core.services import engagement, kin, people, priorities, response, wards
from commmatters_desktop.storage.vault import Vault

TODAY = dt.date(2026, 11, 21)


@pytest.fixture
def two_wards(vault: Vault) -> None:
    with vault.unit_of_work() as s:
        wards.create_ward(s, code="E05011368", name="Hulme", la_name="Manchester")
        wards.create_ward(s, code="E05011372", name="Moss Side", la_name="Manchester")


def ward(s: object, code: str) -> Ward:
    found = wards.ward_by_code(s, code)  # type: ignore[arg-type]
    assert found is not None
    return found


def test_retiring_an_agency_keeps_its_history(vault: Vault, two_wards: None) -> None:
    with vault.unit_of_work() as s:
        housing = people.create_agency(s, name="One Manchester", kind=AgencyKind.HOUSING)
        meeting = engagement.record_meeting(s, ward=ward(s, "E05011368"), held_on=dt.date(2026, 10, 8),
                                            venue="Library", cycle="2026-Q4")  # fmt: skip
        nomination = engagement.nominate(s, ward=ward(s, "E05011368"), wording="Fly-tipping on Boundary Lane",
                                         channel=Channel.PANEL, cycle="2026-Q4")  # fmt: skip
        decision = engagement.record_panel_decision(s, meeting=meeting, chosen=nomination, lead_agency=housing,
                                                    title="Fly-tipping")  # fmt: skip
        priority = s.get_one(Priority, decision.priority_id)
        response.add_action(s, priority=priority, description="Clear the alley", kind=ActionKind.ENVIRONMENTAL,
                            owner_agency=housing, due_on=dt.date(2026, 12, 1))  # fmt: skip
        people.retire_agency(s, agency=housing)
        assert housing.retired_on == TODAY and not housing.deleted
    with vault.reading() as s:
        assert "One Manchester" not in [o.label for o in queries.agency_options(s)]
        action = s.scalars(select(Action)).one()
        assert action.owner_agency is not None and action.owner_agency.name == "One Manchester"
        assert s.scalars(select(Priority)).one().lead_agency.name == "One Manchester"  # type: ignore[union-attr]
        assert [a.agency for a in open_actions(s, today=TODAY)] == ["One Manchester"]
        assert partner_table(s) == []  # the PACT pack lists active partners
        assert partner_table(s, include_retired=True)[0][3] == "Retired 21/11/2026"
    with vault.unit_of_work() as s:
        again = people.agency_by_name(s, "one manchester")
        assert again is not None
        people.reinstate_agency(s, agency=again)
        with pytest.raises(ValidationError, match="already a partner agency called"):
            people.create_agency(s, name="ONE MANCHESTER", kind=AgencyKind.HOUSING)


def test_personal_fields_are_marked(vault: Vault) -> None:
    assert {"full_name", "email", "phone", "community"} <= set(personal_columns(Person))


def test_consent_is_needed_before_a_key_individual_is_contacted(vault: Vault, two_wards: None) -> None:
    with vault.unit_of_work() as s:
        ade = kin.add_key_individual(
            s, ward=ward(s, "E05011368"), full_name="Ade Bello", community="Young people"
        )
        with pytest.raises(kin.ConsentNeeded, match="Ade Bello has no consent recorded"):
            kin.log_contact(s, person=ade, ward=None, on=TODAY, channel=ContactChannel.EMAIL, purpose="Views")
        with pytest.raises(ValidationError, match="basis"):
            kin.record_consent(s, person=ade, on=TODAY, basis=" ")
        with pytest.raises(ValidationError, match="future"):
            kin.record_consent(s, person=ade, on=TODAY + dt.timedelta(days=1), basis="Signed KIN form")
        kin.record_consent(s, person=ade, on=dt.date(2026, 11, 1), basis="Signed KIN form")
        with pytest.raises(kin.ConsentNeeded, match="before"):
            kin.log_contact(s, person=ade, ward=None, on=dt.date(2026, 10, 30), channel=ContactChannel.EMAIL,
                            purpose="Views")  # fmt: skip
        kin.log_contact(s, person=ade, ward=None, on=TODAY, channel=ContactChannel.EMAIL, purpose="Views")
        kin.withdraw_consent(s, person=ade)
        with pytest.raises(kin.ConsentNeeded):
            kin.check_contact(s, person=ade, on=TODAY)


def test_the_fatigue_threshold_warns_before_another_request(vault: Vault, two_wards: None) -> None:
    with vault.unit_of_work() as s:
        hulme = ward(s, "E05011368")
        kim = kin.add_key_individual(s, ward=hulme, full_name="Kim Reid", community="Business community",
                                     consent_on=dt.date(2026, 1, 5), consent_basis="Signed KIN form")  # fmt: skip
        # 91 days ago falls outside the window; 89 days ago and later count.
        for days in (91, 89, 30):
            kin.log_contact(s, person=kim, ward=hulme, on=TODAY - dt.timedelta(days=days),
                            channel=ContactChannel.PHONE, purpose="Views")  # fmt: skip
        assert kin.recent_contacts(s, kim, TODAY) == 2
        assert kin.fatigue_threshold(s) == kin.DEFAULT_THRESHOLD == 3
        kin.log_contact(s, person=kim, ward=hulme, on=TODAY, channel=ContactChannel.PHONE, purpose="Views")
        with pytest.raises(kin.FatigueWarning, match="contacted 3 times in the last 90 days") as warned:
            kin.log_contact(s, person=kim, ward=hulme, on=TODAY, channel=ContactChannel.PHONE, purpose="More")
        assert (warned.value.recent, warned.value.threshold) == (3, 3)
        kin.log_contact(s, person=kim, ward=hulme, on=TODAY, channel=ContactChannel.PHONE, purpose="More",
                        anyway=True)  # fmt: skip
        kin.set_fatigue_threshold(s, 10)
        kin.log_contact(s, person=kim, ward=hulme, on=TODAY, channel=ContactChannel.PHONE, purpose="Again")
        with pytest.raises(ValidationError, match="between 1 and 50"):
            kin.set_fatigue_threshold(s, 0)
        kin.set_fatigue_threshold(s, 5)
    with vault.reading() as s:
        (row,) = kin_rows(s, on=TODAY)
        assert (row.recent, row.fatigued, row.last_contact) == (5, True, TODAY)
        assert kin.is_fatigued(4, 5) is False and kin.is_fatigued(5, 5) is True


def test_gap_arithmetic(vault: Vault, two_wards: None) -> None:
    with vault.reading() as s:
        assert len(kin.gaps(s)) == 2 * len(DEFAULT_GROUPS)  # two wards, five groups each, nobody yet
    with vault.unit_of_work() as s:
        hulme, moss = ward(s, "E05011368"), ward(s, "E05011372")
        kin.add_key_individual(s, ward=hulme, full_name="Ade Bello", community="young people",  # any case
                               consent_on=dt.date(2026, 3, 1), consent_basis="Signed KIN form")  # fmt: skip
        kin.add_key_individual(s, ward=hulme, full_name="Jo Price", community="Travellers")  # no consent yet
        gone = kin.add_key_individual(s, ward=moss, full_name="Sam Ojo", community="Asylum seekers",
                                      consent_on=dt.date(2026, 3, 1), consent_basis="Verbal at PACT")  # fmt: skip
        people.retire_person(s, person=gone)  # stepped down: no longer a link
        kin.add_reference_group(s, ward=moss, name="Moss Side Traders", community="Business community")
        kin.add_group(s, "Older people")
        with pytest.raises(ValidationError, match="already a group"):
            kin.add_group(s, "older PEOPLE")
    with vault.reading() as s:
        found = {(g.ward_code, g.group): g.awaiting_consent for g in kin.gaps(s)}
        assert kin.groups(s) == [*DEFAULT_GROUPS, "Older people"]
    hulme_gaps = {group for code, group in found if code == "E05011368"}
    moss_gaps = {group for code, group in found if code == "E05011372"}
    assert hulme_gaps == {
        "Business community",
        "Travellers",
        "Asylum seekers",
        "Disability groups",
        "Older people",
    }
    assert found[("E05011368", "Travellers")] == 1  # a key individual awaiting consent
    assert moss_gaps == {"Young people", "Travellers", "Asylum seekers", "Disability groups", "Older people"}
    assert len(found) == 10


def test_people_ward_links_and_the_ward_officer(vault: Vault, two_wards: None) -> None:
    with vault.unit_of_work() as s:
        team = people.create_agency(s, name="Manchester Neighbourhood Team", kind=AgencyKind.POLICE_TEAM)
        dan = people.create_person(s, full_name="PC Dan Hughes", role=PersonRole.CONSTABLE, agency=team,
                                   title="4521")  # fmt: skip
        people.set_wards(
            s, person=dan, role=PersonRole.CONSTABLE, wards=people.wards_from_text(s, "Moss Side")
        )
        people.set_wards(
            s, person=dan, role=PersonRole.WARD_OFFICER, wards=people.wards_from_text(s, "e05011368")
        )
        with pytest.raises(ValidationError, match="no ward 'Nowhere'"):
            people.wards_from_text(s, "Hulme; Nowhere")
    with vault.reading() as s:
        (row,) = person_rows(s, role=PersonRole.CONSTABLE)
        assert (
            row.ward_officer_of == ["E05011368"]
            and row.describe_wards() == "E05011368 (ward officer), E05011372"
        )
        detail = queries.ward_detail(s, ward(s, "E05011368").id, cycle="2026-Q4")
        assert detail is not None and detail.officers == [
            "PC Dan Hughes (Ward officer, Manchester Neighbourhood Team)"
        ]
    with vault.unit_of_work() as s:
        person = s.scalars(select(Person)).one()
        people.retire_person(s, person=person)
    with vault.reading() as s:
        detail = queries.ward_detail(s, ward(s, "E05011368").id, cycle="2026-Q4")
        assert detail is not None and detail.officers == []  # moved on: off the ward page, still in the vault


def _in_action(vault: Vault, *, issue: str, action: str) -> None:
    with vault.unit_of_work() as s:
        hulme = ward(s, "E05011368")
        hulme.engagement_url = "https://example.police.uk/hulme"
        hulme.team_contact = "Call 101"
        lead = people.create_agency(s, name="Manchester City Council", kind=AgencyKind.LOCAL_AUTHORITY)
        meeting = engagement.record_meeting(s, ward=hulme, held_on=dt.date(2026, 10, 8), venue="Library",
                                            cycle="2026-Q4")  # fmt: skip
        nomination = engagement.nominate(s, ward=hulme, wording="Bikes on the pavement", channel=Channel.PANEL,
                                         cycle="2026-Q4")  # fmt: skip
        decision = engagement.record_panel_decision(s, meeting=meeting, chosen=nomination, lead_agency=lead,
                                                    title="Bikes on the pavement")  # fmt: skip
        priority = s.get_one(Priority, decision.priority_id)
        if issue:
            priorities.set_public_wording(s, priority=priority, issue=issue, action=action)
        priority.status = PriorityStatus.IN_ACTION


def test_feedback_export_uses_only_the_public_wording(vault: Vault, two_wards: None) -> None:
    _in_action(vault, issue="Off-road bikes on the pavements", action="Patrols and two bikes seized")
    with vault.unit_of_work() as s:
        hulme = ward(s, "E05011368")
        ade = kin.add_key_individual(s, ward=hulme, full_name="Ade Bello", community="Young people",
                                     email="ade@example.com", preferred_contact=ContactChannel.EMAIL,
                                     phone="07700 900555", consent_on=dt.date(2026, 3, 1),
                                     consent_basis="Signed KIN form")  # fmt: skip
        kin.log_contact(s, person=ade, ward=hulme, on=dt.date(2026, 10, 20), channel=ContactChannel.EMAIL,
                        purpose="Views")  # fmt: skip
        # Consented but not contacted this quarter, or no consent: not mailed.
        kin.add_key_individual(s, ward=hulme, full_name="Kim Reid", community="Travellers", email="kim@example.com",
                               consent_on=dt.date(2026, 3, 1), consent_basis="Signed KIN form")  # fmt: skip
        kin.add_key_individual(
            s, ward=hulme, full_name="Jo Price", community="Travellers", email="jo@example.com"
        )
    with vault.reading() as s:
        online = feedback_export(s, cycle="2026-Q4", channel="nextdoor", today=TODAY)
        mail = feedback_export(s, cycle="2026-Q4", channel="kin-email", today=TODAY)
    assert online.headers() == ["ward_code", "ward", "subject", "message", "link"]
    ((code, name, subject, body, link),) = online.rows()
    assert (code, name, link) == ("E05011368", "Hulme", "https://example.police.uk/hulme")
    assert body.startswith("You said: Off-road bikes on the pavements\nWe did: Patrols and two bikes seized")
    assert "8 October 2026" in body and "Ade" not in body and "@" not in body
    assert "Bikes on the pavement" not in body  # the resident's nomination wording is never used
    assert mail.rows() == [["Ade Bello", "ade@example.com", "E05011368", subject, body]]
    assert "07700" not in str(mail.as_json())  # the phone number is not what an email needs


def test_feedback_export_skips_unapproved_or_personal_wording(vault: Vault, two_wards: None) -> None:
    _in_action(vault, issue="", action="")
    with vault.reading() as s:
        export = feedback_export(s, cycle="2026-Q4", channel="alert", today=TODAY)
    assert export.rows() == [] and "no approved public wording" in export.skipped[0][1]
    with vault.unit_of_work() as s:
        priority = s.scalars(select(Priority)).one()
        priorities.set_public_wording(s, priority=priority, issue="Bikes", action="Call Dave on 07700 900123")
    with vault.reading() as s:
        export = feedback_export(s, cycle="2026-Q4", channel="alert", today=TODAY)
    assert export.rows() == [] and "personal data" in export.skipped[0][1]
