"""Every public surface, one of each kind of personal data planted: none of it reaches the output.

The resident's text goes in as typed; the officer approves only the app's masked drafts (as the
"Approve suggested wording" and "Review public wording" buttons do). Approving the raw text is
refused. Leaflet and minutes are read back from the PDF with pypdf; the projector from its widgets.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from commmatters_desktop.core import privacy, public
from commmatters_desktop.core.enums import ActionKind, AgencyKind, Channel, PersonRole
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.meeting import agenda
from commmatters_desktop.core.models import Nomination
from commmatters_desktop.core.services import engagement, people, priorities, response, wards
from commmatters_desktop.reports.leaflet import LeafletFormat, produce
from commmatters_desktop.reports.minutes import render_minutes
from commmatters_desktop.storage.vault import Vault
from tests.conftest import TODAY

#: One of each kind the issue lists, each as a resident might type it.
PLANTED = {
    "held name": "Margaret Oduya",
    "lower-case name": "john smith",
    "capitals": "KEVIN BUTTERWORTH",
    "Polish": "Łukasz Wiśniewski",
    "Welsh": "Dafydd ap Gruffydd",
    "Urdu romanised": "Rukhsana Qureshi",
    "Arabic script": "عمران خان",
    "apostrophe": "O'Neill",
    "Surname, Forename": "Kerrigan, Siobhan",
    "phone": "0161 496 0123",
    "email": "j dot smith at gmail dot com",
    "vehicle": "ab12 cde",
    "postcode": "M14 5RT",
    "address": "12 Acacia Avenue",
    "date of birth": "12/03/1985",
    "date of birth in words": "third of May nineteen sixty-two",
    "NI number": "QQ 12 34 56 C",
}
WORDINGS = [
    f"Ask {PLANTED['held name']} or {PLANTED['lower-case name']} about the bikes",
    f"{PLANTED['capitals']} and {PLANTED['Polish']} see dealing at {PLANTED['address']}, {PLANTED['postcode']}",
    f"{PLANTED['Welsh']} and {PLANTED['Urdu romanised']} ({PLANTED['Arabic script']}) want patrols",
    f"Mrs {PLANTED['apostrophe']} says {PLANTED['Surname, Forename']} rang {PLANTED['phone']}",
    f"Email {PLANTED['email']}; car {PLANTED['vehicle']} races every night",
    f"Victim born {PLANTED['date of birth']}, her mum born the {PLANTED['date of birth in words']}, NI "
    f"{PLANTED['NI number']}",
]
FRAGMENTS = ["Oduya", "smith", "SMITH", "BUTTERWORTH", "Wiśniewski", "Gruffydd", "Qureshi", "عمران", "Neill",
             "Kerrigan", "496 0123", "gmail", "ab12", "5RT", "Acacia", "1985", "sixty-two", "56 C"]  # fmt: skip


def absent(text: str) -> None:
    flat = " ".join(text.split())
    leaked = [f for f in FRAGMENTS if f in flat]
    assert not leaked, f"reached the public output: {leaked}"


def build(vault: Vault) -> dict[str, Any]:
    """A ward whose last quarter's leaflet and this quarter's meeting both carry the planted text."""
    with vault.unit_of_work() as s:
        ward = wards.create_ward(s, code="E05000650", name="Astley Bridge", la_name="Bolton")
        ward.team_contact = "Call 101 and ask for the neighbourhood team"
        member = people.create_person(s, full_name="Margaret Oduya", role=PersonRole.PANEL_MEMBER)
        people.assign(s, ward=ward, person=member, role=PersonRole.PANEL_MEMBER)
        team = people.create_agency(s, name="Neighbourhood Team", kind=AgencyKind.POLICE_TEAM)
        # Last quarter: a priority whose public texts were typed with personal data in them.
        p = priorities.propose(
            s, ward=ward, title="Off-road bikes", cycle="2026-Q4", public_issue=WORDINGS[0]
        )
        priorities.agree(s, priority=p, lead_agency=team, ratified_online=True)
        priorities.update_priority(s, priority=p, public_action=WORDINGS[1])
        for wording in WORDINGS[2:]:
            action = response.add_action(s, priority=p, description="Patrols", kind=ActionKind.ENFORCEMENT,
                                         owner_agency=team)  # fmt: skip
            response.complete_action(s, action=action, note=wording)
        response.add_measure(s, priority=p, name=WORDINGS[3], unit="reports")
        # This quarter: the meeting and the residents' nominations, as typed.
        meeting = engagement.record_meeting(s, ward=ward, held_on=dt.date(2027, 1, 12), venue="Library",
                                            cycle="2027-Q1", decisions=WORDINGS[4])  # fmt: skip
        ids = [engagement.nominate(s, ward=ward, wording=w, channel=Channel.ONLINE, cycle="2027-Q1").id
               for w in WORDINGS]  # fmt: skip
    return {"meeting": meeting.id, "nominations": ids}


def approve_drafts(vault: Vault, refusals: list[public.Refusal]) -> None:
    with vault.unit_of_work() as s:
        for refusal in refusals:
            record = public.record_of(s, refusal.piece)
            assert record is not None
            draft = privacy.suggest(refusal.piece.text, privacy.protected_names(s))
            public.approve(s, record, refusal.piece.field, draft)


def leaflet_refusals(vault: Vault) -> list[public.Refusal]:
    with vault.reading() as s:
        try:
            produce(s, ward_code="E05000650", cycle="2026-Q4", today=TODAY, fmt=LeafletFormat.A4, demo=False)
        except public.NotPublic as refused:
            return refused.refusals
    return []


def test_the_raw_text_cannot_be_approved(vault: Vault) -> None:
    made = build(vault)
    with vault.unit_of_work() as s, pytest.raises(UserError, match="still holds"):
        public.approve(s, s.get(Nomination, made["nominations"][0]), "public_wording", WORDINGS[0])


def test_leaflet(vault: Vault) -> None:
    build(vault)
    refusals = leaflet_refusals(vault)
    assert {r.piece.section for r in refusals} == {"You said", "We did", "What changed"}
    # The refusal (the officer's screen, not a public one) says what to fix.
    assert "'john smith' (what looks like a person's name)" in refusals[0].describe()
    approve_drafts(vault, refusals)
    assert leaflet_refusals(vault) == []
    with vault.reading() as s:
        leaflet = produce(
            s, ward_code="E05000650", cycle="2026-Q4", today=TODAY, fmt=LeafletFormat.A4, demo=False
        )
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(leaflet.data)).pages)
    assert "[name removed]" in text
    absent(text)


def meeting_agenda(vault: Vault, meeting_id: Any) -> Any:
    with vault.reading() as s:
        return agenda(s, meeting_id, today=TODAY, demo=False)


def test_minutes(vault: Vault) -> None:
    made = build(vault)
    pending = meeting_agenda(vault, made["meeting"]).pending
    assert len(pending) == 7  # six nominations and the notes agreed
    with pytest.raises(public.NotPublic):
        meeting_agenda(vault, made["meeting"]).require_cleared("The minutes")
    approve_drafts(vault, pending)
    approve_drafts(vault, leaflet_refusals(vault))
    cleared = meeting_agenda(vault, made["meeting"])
    cleared.require_cleared("The minutes")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(render_minutes(cleared))).pages)
    assert "[name removed]" in text
    absent(text)


def test_projector(vault: Vault, qtbot: QtBot) -> None:
    from commmatters_desktop.core.clock import FixedClock
    from commmatters_desktop.ui.meeting import MeetingView
    from commmatters_desktop.ui.operations import Operations

    made = build(vault)
    approve_drafts(vault, meeting_agenda(vault, made["meeting"]).pending)
    approve_drafts(vault, leaflet_refusals(vault))
    view = MeetingView(Operations(vault), FixedClock.on(TODAY), made["meeting"])
    qtbot.addWidget(view)
    seen = []
    for _ in range(6):
        seen.append(" ".join(label.text() for label in view.findChildren(QLabel)))
        qtbot.keyClick(view, Qt.Key.Key_Right)
    assert "[name removed]" in " ".join(seen)
    absent(" ".join(seen))


def test_a_purged_wording_leaves_its_approved_public_wording_approved(vault: Vault) -> None:
    from commmatters_desktop.core import retention

    made = build(vault)
    with vault.unit_of_work() as s:
        nomination = s.get(Nomination, made["nominations"][0])
        assert nomination is not None
        engagement.approve_suggested_wording(s, nomination=nomination)
    with vault.unit_of_work() as s:  # a correction of the resident's words: check the public wording again
        nomination = s.get(Nomination, made["nominations"][0])
        assert nomination is not None
        nomination.wording += " (said twice)"
    with vault.reading() as s:
        assert not public.approved(s, s.get(Nomination, made["nominations"][0]), "public_wording")  # type: ignore[arg-type]
    with vault.unit_of_work() as s:
        nomination = s.get(Nomination, made["nominations"][0])
        engagement.approve_suggested_wording(s, nomination=nomination)  # type: ignore[arg-type]
        nomination.wording = retention.PURGED  # type: ignore[union-attr]
    with vault.reading() as s:
        assert public.approved(s, s.get(Nomination, made["nominations"][0]), "public_wording")  # type: ignore[arg-type]


def _report_text(vault: Vault) -> tuple[str, str]:
    import json

    from commmatters_desktop.core.quarterly import build_report, police_uk_export
    from commmatters_desktop.reports.quarterly import render_quarterly

    with vault.reading() as s:
        pdf = render_quarterly(build_report(s, cycle="2026-Q4", today=TODAY), demo=False)
        export = json.dumps(police_uk_export(s, cycle="2026-Q4"), ensure_ascii=False)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return text, export


def test_quarterly_report_and_police_uk_export(vault: Vault) -> None:
    build(vault)
    text, export = _report_text(vault)
    absent(text)
    absent(export)
    approve_drafts(vault, leaflet_refusals(vault))
    text, export = _report_text(vault)
    assert "[name removed]" in " ".join(text.split()) and "[name removed]" in export
    absent(text)
    absent(export)


def test_text_that_was_never_approved_stays_off_the_report_and_the_export(vault: Vault) -> None:
    """Clean wording that reached the field without an approval (written around the services, or
    by a laptop whose approval has not arrived) is left out: approval is the gate, not the detector."""
    from sqlalchemy import select

    from commmatters_desktop.core.models import Priority

    build(vault)
    approve_drafts(vault, leaflet_refusals(vault))
    with vault.unit_of_work() as s:
        p = s.scalars(select(Priority)).one()
        p.public_issue = "Unapproved wording about bikes on the field"
        p.public_action = "Unapproved account of the patrols"
    text, export = _report_text(vault)
    for output in (text, export):
        assert "Unapproved" not in output
    assert "no approved public wording" in " ".join(text.split()).lower()


def test_one_list_of_everything_a_wards_quarter_would_refuse_and_approving_it_from_the_cli(
    vault: Vault, tmp_path: Any
) -> None:
    """`public pending` lists the leaflet, the meetings, the report and the export together; `public
    approve` approves the masked drafts, after which every surface of that quarter goes out."""
    from commmatters_desktop import cli
    from commmatters_desktop.core.clock import FixedClock
    from commmatters_desktop.core.public_review import pending
    from commmatters_desktop.storage.keystore import KeyringStore

    made = build(vault)
    with vault.reading() as s:
        last = pending(s, ward_code="e05000650", cycle="2026-Q4", today=TODAY, demo=False)
        this = pending(s, ward_code="E05000650", cycle="2027-Q1", today=TODAY, demo=False)
    assert {r.piece.section for r in last} == {"You said", "We did", "What changed"}
    assert len(this) == 7 and len({r.piece.key for r in this}) == 7
    folder = vault.folder
    vault.close()

    def run(*args: str) -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        code = cli.run(["--data-dir", str(folder), *args], out=out, err=err, clock=FixedClock.on(TODAY),
                       stdin_is_tty=False)  # fmt: skip
        return code, out.getvalue() + err.getvalue()

    code, out = run("public", "pending", "--ward", "E05000650", "--cycle", "2027-Q1")
    assert code == 0 and out.count("Awaiting approval") == 7
    assert "Nomination 1: 'Ask [name removed] or [name removed] about the bikes'" in out  # the masked draft
    for cycle in ("2027-Q1", "2026-Q4"):
        code, out = run("public", "approve", "--ward", "E05000650", "--cycle", cycle)
        assert code == 0, out
        code, out = run("public", "pending", "--ward", "E05000650", "--cycle", cycle)
        assert code == 0 and "is approved" in out, out
    reopened = Vault.open(folder, keystore=KeyringStore())
    try:
        meeting_agenda(reopened, made["meeting"]).require_cleared("The minutes")
        text, export = _report_text(reopened)
        assert "[name removed]" in export
        absent(text)
        absent(export)
    finally:
        reopened.close()
