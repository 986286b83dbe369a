"""Merging nominations, votes and the panel's decision; masking what residents typed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from commmatters_desktop.core import privacy
from commmatters_desktop.core.enums import AgencyKind, Channel, NominationStatus, PriorityStatus
from commmatters_desktop.core.errors import RuleViolation
from commmatters_desktop.core.models import Nomination, Priority
from commmatters_desktop.core.queries import AWAITING_APPROVAL, nomination_rows
from commmatters_desktop.core.services import engagement, people, wards
from commmatters_desktop.storage.vault import Vault


@pytest.fixture
def nominated(vault: Vault) -> dict[str, object]:
    with vault.unit_of_work() as s:
        ward = wards.create_ward(s, code="E05000650", name="Astley Bridge")
        council = people.create_agency(s, name="Bolton Council", kind=AgencyKind.LOCAL_AUTHORITY)
        meeting = engagement.record_meeting(s, ward=ward, held_on=dt.date(2027, 1, 12), venue="Library",
                                            cycle="2027-Q1", attendance=19)  # fmt: skip
        a = engagement.nominate(s, ward=ward, wording="Drug dealing in the park", channel=Channel.PANEL,
                                support=9, cycle="2027-Q1")  # fmt: skip
        b = engagement.nominate(s, ward=ward, wording="Drugs in Queens Park", channel=Channel.ONLINE, support=30,
                                cycle="2027-Q1")  # fmt: skip
        c = engagement.nominate(s, ward=ward, wording="Speeding on Moss Bank Way", channel=Channel.ONLINE,
                                support=14, cycle="2027-Q1")  # fmt: skip
    return {"meeting": meeting, "council": council, "a": a, "b": b, "c": c}


def test_merging_keeps_both_wordings_and_the_combined_support(vault: Vault, nominated: dict) -> None:  # type: ignore[type-arg]
    with vault.unit_of_work() as s:
        keep, absorb = s.merge(nominated["a"]), s.merge(nominated["b"])
        engagement.merge_nominations(s, keep=keep, absorb=absorb)
        assert engagement.combined_support(s, keep) == 39
        with pytest.raises(RuleViolation, match="already Merged"):
            engagement.merge_nominations(s, keep=s.merge(nominated["c"]), absorb=absorb)
    with vault.reading() as s:
        rows = {r.wording: r for r in nomination_rows(s, cycle="2027-Q1")}
    assert rows["Drug dealing in the park"].combined_support == 39
    assert rows["Drug dealing in the park"].channels == {"Panel": 9, "Online": 30}
    assert rows["Drug dealing in the park"].raised_through == "panel 9, online 30"
    assert rows["Speeding on Moss Bank Way"].raised_through == "online"  # not "online 14" beside 14
    assert rows["Drugs in Queens Park"].status is NominationStatus.MERGED
    with vault.unit_of_work() as s:
        engagement.unmerge_nomination(s, nomination=s.get(Nomination, nominated["b"].id))  # type: ignore[arg-type,attr-defined]
        assert engagement.combined_support(s, s.get(Nomination, nominated["a"].id)) == 9  # type: ignore[arg-type,attr-defined]


def test_the_panel_decision_agrees_one_and_declines_the_rest(vault: Vault, nominated: dict) -> None:  # type: ignore[type-arg]
    with vault.unit_of_work() as s:
        for key, votes in (("a", 11), ("b", 4), ("c", 6)):
            engagement.record_votes(s, nomination=s.merge(nominated[key]), votes=votes)
        decision = engagement.record_panel_decision(
            s, meeting=s.merge(nominated["meeting"]), chosen=s.merge(nominated["a"]),
            lead_agency=s.merge(nominated["council"]), title="Drug dealing in the park",
        )  # fmt: skip
        priority = s.get(Priority, decision.priority_id)
        assert priority is not None
        assert priority.status is PriorityStatus.AGREED and priority.meeting_id == nominated["meeting"].id
    with vault.reading() as s:
        statuses = {n.wording: (n.status, n.reason) for n in s.scalars(select(Nomination))}
    assert statuses["Drug dealing in the park"][0] is NominationStatus.TAKEN_FORWARD
    assert statuses["Speeding on Moss Bank Way"] == (NominationStatus.NOT_TAKEN_FORWARD,
                                                     "Not chosen by the ward panel's vote (6 votes).")  # fmt: skip
    with vault.unit_of_work() as s, pytest.raises(RuleViolation, match="already has an agreed priority"):
        ward = wards.ward_by_code(s, "E05000650")
        assert ward is not None
        other = engagement.nominate(s, ward=ward, wording="Bins", channel=Channel.PANEL, cycle="2027-Q1")
        engagement.record_panel_decision(s, meeting=s.merge(nominated["meeting"]), chosen=other,
                                         lead_agency=s.merge(nominated["council"]), title="Bins")  # fmt: skip


def test_redaction_replaces_what_public_screens_show(vault: Vault, nominated: dict) -> None:  # type: ignore[type-arg]
    with vault.unit_of_work() as s:
        ward = wards.ward_by_code(s, "E05000650")
        assert ward is not None
        n = engagement.nominate(s, ward=ward, wording="Margaret Oduya on 07700 900123 says the bikes are back",
                                channel=Channel.ONLINE, cycle="2027-Q1")  # fmt: skip
    with vault.reading() as s:
        row = next(r for r in nomination_rows(s, cycle="2027-Q1") if r.id == n.id)
    assert row.display == AWAITING_APPROVAL and row.masked and not row.approved
    assert row.suggested == "[name removed] on [number removed] says the bikes are back"
    assert "wording" not in row.as_json() and "Oduya" not in str(row.as_json())
    with vault.unit_of_work() as s:
        engagement.redact_nomination(s, nomination=s.merge(n), public_wording="Off-road bikes are back")
    with vault.reading() as s:
        row = next(r for r in nomination_rows(s, cycle="2027-Q1") if r.id == n.id)
    assert (row.display, row.approved) == ("Off-road bikes are back", True)
    with (
        vault.unit_of_work() as s
    ):  # the resident's wording corrected: the public wording must be checked again
        s.merge(n).wording = "Margaret Oduya says the bikes are back every night"
    with vault.reading() as s:
        row = next(r for r in nomination_rows(s, cycle="2027-Q1") if r.id == n.id)
    assert (row.display, row.approved) == (AWAITING_APPROVAL, False)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Call Margaret Oduya on 07700 900123", "Call [name removed] on [number removed]"),
        ("Mrs Dawson says Grace Street is dark", "Mrs [name removed] says Grace Street is dark"),
        ("Ask Mr. Patel.", "Ask Mr. [name removed]."),
        ("Drugs in Queens Park near Victoria Road", "Drugs in Queens Park near Victoria Road"),
        ("Email dave@example.com or see car AB12 CDE", "Email [email removed] or see car [vehicle removed]"),
        ("Call 101 or 999", "Call 101 or 999"),
    ],
)
def test_public_screens_mask_what_residents_typed(text: str, masked: str) -> None:
    assert privacy.suggest(text) == masked


def test_place_names_with_given_names_are_not_people() -> None:
    assert privacy.scan("Victoria Road and Margaret Street") == []
