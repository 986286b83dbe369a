"""From an empty vault to the first panel meeting, through the real dialogs (no patched forms or boxes).

The officer imports the wards, adds partners and people by hand and from CSV lists, builds the key
individual network (consent first, fatigue warned), sees it on the ward page, then runs the panel
meeting and adds the lead agency on the spot when the panel names one the vault does not hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from commmatters_desktop.core import queries
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.core.enums import PriorityStatus
from commmatters_desktop.core.models import KinContact, Priority
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.main_window import MainWindow
from commmatters_desktop.ui.meeting import MeetingPrep, MeetingView
from commmatters_desktop.ui.settings import WindowSettings
from tests.ui.driver import Dialogs

REPO = Path(__file__).resolve().parents[2]
WARDS = REPO / "resources" / "data" / "ons" / "greater-manchester-wards-2022.csv"
DATA = REPO / "tests" / "data" / "people"
HULME = "Hulme (E05011368)"


@pytest.fixture
def empty_window(
    qtbot: QtBot, vault: Vault, clock: FixedClock, window_settings: WindowSettings
) -> Iterator[MainWindow]:
    main = MainWindow(vault, clock=clock, settings=window_settings, autolock_minutes=600, sync_on_open=False)
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    qtbot.waitExposed(main)
    yield main


def import_wards(window: MainWindow, dialogs: Dialogs) -> str:
    dialogs.file("Import an ONS ward lookup", WARDS).press("Wards imported", "OK")
    window.actions_.import_wards.trigger()
    dialogs.done()
    return dialogs.seen[-1]


def meeting_at_decision(
    window: MainWindow, qtbot: QtBot, dialogs: Dialogs, wording: str
) -> tuple[MeetingPrep, MeetingView]:
    """The selected ward's meeting with one nomination typed in, on the projector at the decision."""
    prep = window.wards.open_meeting()
    assert prep is not None
    qtbot.addWidget(prep)
    dialogs.form("Add a nomination", {"wording": wording, "support": "7"})
    prep.add_nomination()
    dialogs.done()
    prep.venue.setText("Hulme Library")
    prep.findChild(QPushButton, "meetingApprove").click()  # the officer approves the public wording
    view = prep.start_meeting()
    assert view is not None, prep.message.text()
    qtbot.addWidget(view)
    qtbot.waitExposed(view)
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    return prep, view


def decide(qtbot: QtBot, vault: Vault, prep: MeetingPrep, view: MeetingView) -> str:
    """Enter twice records the decision; returns the agreed priority's lead agency."""
    qtbot.keyClick(view, Qt.Key.Key_Return)
    with qtbot.waitSignal(view.decided):
        qtbot.keyClick(view, Qt.Key.Key_Return)
    view.close()
    prep.close()
    with vault.reading() as s:
        agreed = s.scalars(select(Priority).where(Priority.status == PriorityStatus.AGREED)).one()
        return agreed.lead_agency.name if agreed.lead_agency else ""


def click(window: MainWindow, name: str) -> None:
    found = window.findChild(QPushButton, name)
    assert found is not None and found.isEnabled(), name
    found.click()


def test_an_empty_vault_reaches_its_first_panel_meeting(
    empty_window: MainWindow, qtbot: QtBot, vault: Vault, dialogs: Dialogs
) -> None:
    w = empty_window
    assert "215 wards added" in import_wards(w, dialogs)

    w.actions_.show_people.trigger()
    assert w.tabs.currentWidget() is w.people
    dialogs.form("Add a partner agency", {"name": "Manchester City Council", "kind": "Local authority",
                                          "contact_route": "Switchboard 0161 234 5000"})  # fmt: skip
    click(w, "partnerAdd")
    dialogs.form("Add a contact at Manchester City Council", {"full_name": "Priya Shah", "title": "ASB officer",
                 "email": "priya@example.gov.uk", "wards": "E05011368; Moss Side"})  # fmt: skip
    click(w, "partnerAddContact")
    dialogs.done()

    # A partner contact list in Latin-1 with CRLF, and a roster with a BOM; each imported twice.
    for name, button, title in (
        ("partner-contacts-latin1.csv", "partnerImport", "Import a partner contact list"),
        ("ward-roster-bom.csv", "personImport", "Import a ward team roster"),
    ):
        for _ in range(2):
            dialogs.file(title, DATA / name).form("Match the columns").press("Imported", "OK")
            click(w, button)
            dialogs.done()
    assert "0 agencies added, 0 people added, 0 updated, 0 ward links added" in dialogs.seen[-1]
    assert "Line 5: the role 'Chief Superintendent-ish'" in dialogs.seen[-1]

    w.people.tabs.setCurrentWidget(w.people.people)
    dialogs.form("Add a person", {"full_name": "Margaret Oduya", "role": "Panel chair", "wards": "Hulme",
                                  "phone": "07700 900123"})  # fmt: skip
    click(w, "personAdd")
    dialogs.done()
    with vault.reading() as s:
        options = [o.label for o in queries.agency_options(s)]
    assert options == ["Manchester City Council", "One Manchester", "St Mary’s Primary"]

    # Retiring a partner keeps it out of the pickers; undo brings it back.
    w.people.tabs.setCurrentWidget(w.people.partners)
    w.people.partners.search.setText("St Mary")
    w.people.partners.table.selectRow(0)
    click(w, "partnerRetire")
    assert [o.label for o in w.ops.read(queries.agency_options)] == [
        "Manchester City Council",
        "One Manchester",
    ]
    assert w.people.partners.proxy.rowCount() == 0  # retired ones are hidden unless asked for
    w.people.show_retired.setChecked(True)
    assert w.people.partners.proxy.rowCount() == 1
    w.ops.stack.undo()
    assert len(w.ops.read(queries.agency_options)) == 3
    w.people.partners.search.clear()

    # The key individual network: consent before contact, fatigue warned before another request.
    w.people.tabs.setCurrentWidget(w.people.kin)
    w.people.kin_ward.setCurrentIndex(w.people.kin_ward.findText(HULME))
    dialogs.form("Add a key individual", {"ward": HULME, "full_name": "Ade Bello", "community": "Young people",
                                          "email": "ade@example.com"})  # fmt: skip
    click(w, "kinAdd")
    dialogs.done()
    assert w.people.kin.proxy.rowCount() == 1
    w.people.kin.table.selectRow(0)
    dialogs.press("Consent needed first", "OK")
    click(w, "kinLog")
    dialogs.done()
    assert "no consent recorded" in dialogs.seen[-1]
    dialogs.form("Consent from Ade Bello", {"on": "01/11/2026", "basis": "Signed KIN form"})
    click(w, "kinConsent")
    dialogs.form("Consultation fatigue threshold", {"threshold": "1"})
    click(w, "kinThreshold")
    w.people.kin.table.selectRow(0)
    dialogs.form("Log a contact with Ade Bello", {"purpose": "Views on this quarter's nominations",
                                                  "channel": "Email"})  # fmt: skip
    click(w, "kinLog")
    w.people.kin.table.selectRow(0)
    dialogs.press("Consultation fatigue", "No")
    click(w, "kinLog")
    dialogs.done()
    assert "contacted 1 times in the last 90 days (the threshold is 1)" in dialogs.seen[-1]
    w.people.kin.table.selectRow(0)
    dialogs.press("Consultation fatigue", "Yes").form("Log a contact", {"purpose": "Week of action dates"})
    click(w, "kinLog")
    dialogs.done()

    def contacts() -> int:
        with vault.reading() as s:
            return len(s.scalars(select(KinContact).where(KinContact.deleted.is_(False))).all())

    assert contacts() == 2
    w.ops.stack.undo()
    assert contacts() == 1
    w.ops.stack.redo()
    assert contacts() == 2
    assert w.people.kin.model.rows()[0].fatigued

    # The ward page: its key individuals, their recent contacts, the groups it is not hearing from.
    w.actions_.show_wards.trigger()
    w.ward_view.search.setText("E05011368")
    w.ward_view.table.selectRow(0)
    page = w.ward_view.detail.toPlainText()
    assert "Ade Bello — Young people" in page and "consultation fatigue" in page
    assert "Week of action dates" in page and "Views on this quarter's nominations" in page
    assert "Not hearing from" in page and "Business community, Travellers, Asylum seekers" in page
    assert "Young people" not in page.split("Not hearing from")[1]
    assert "PC Dan Hughes (Ward officer" in page and "Priya Shah (Partner contact" in page
    with qtbot.waitSignal(w.ward_view.show_people):
        click(w, "wardShowPeople")
    assert w.tabs.currentWidget() is w.people and w.people.kin_ward.currentText() == HULME

    # The first panel meeting: the panel names a lead the vault does not hold yet.
    w.actions_.show_wards.trigger()
    prep, view = meeting_at_decision(w, qtbot, dialogs, "Drug dealing behind the shops on Stretford Road")
    assert "E05011368" in prep.ward.currentText() and "Lead agency" in view.body.text()
    dialogs.form("Add the lead agency", {"name": "Hulme Housing Trust", "kind": "Housing"})
    qtbot.keyClick(view, Qt.Key.Key_A)
    dialogs.done()
    assert "Lead agency: <b>Hulme Housing Trust</b>" in view.body.text()
    assert decide(qtbot, vault, prep, view) == "Hulme Housing Trust"


def test_enter_with_no_partner_agency_offers_to_add_one(
    empty_window: MainWindow, qtbot: QtBot, vault: Vault, dialogs: Dialogs
) -> None:
    """Before: "(no partner agencies in the vault)" and Enter did nothing. Now Enter asks for the lead."""
    w = empty_window
    import_wards(w, dialogs)
    w.ward_view.search.setText("E05011368")
    w.ward_view.table.selectRow(0)
    prep, view = meeting_at_decision(w, qtbot, dialogs, "Speeding on Princess Road")
    assert "press Enter (or A) to add the lead agency now" in view.body.text()
    dialogs.form("Add the lead agency", {"name": "Manchester City Council", "kind": "Local authority"})
    qtbot.keyClick(view, Qt.Key.Key_Return)
    dialogs.done()
    assert decide(qtbot, vault, prep, view) == "Manchester City Council"


def test_the_people_models_pass_the_model_tester(window: MainWindow, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    window.actions_.show_people.trigger()
    for page in (window.people.partners, window.people.people, window.people.kin, window.people.gaps):
        qtmodeltester.check(page.model)
        qtmodeltester.check(page.proxy)
    qtmodeltester.check(window.people.contacts_proxy)


def test_the_key_individuals_mailing_list_leaves_only_with_a_reason_which_is_recorded(
    window: MainWindow, dialogs: Dialogs, tmp_path: Path
) -> None:
    from commmatters_desktop.core.models import AuditEvent

    window.tabs.setCurrentWidget(window.people)
    target = tmp_path / "kin.csv"
    dialogs.form("Export feedback", {"channel": "Email to the ward's key individuals", "ward": None})
    dialogs.cancel("Export key individuals")  # no reason given: nothing leaves
    assert window.people.export_feedback() is None
    dialogs.done()
    assert not target.exists()
    dialogs.form("Export feedback", {"channel": "Email to the ward's key individuals", "ward": None})
    dialogs.reason("Export key individuals", "Q4 feedback mail-out")
    dialogs.file("Save the feedback", target)
    dialogs.press("Feedback saved", "OK")
    assert window.people.export_feedback() == target
    dialogs.done()
    assert "@" in target.read_text(encoding="utf-8-sig")
    summaries = window.ops.read(
        lambda s: list(
            s.scalars(select(AuditEvent.summary).where(AuditEvent.action == "export personal data"))
        )
    )
    assert len(summaries) == 1 and "kin.csv: Q4 feedback mail-out" in summaries[0]
