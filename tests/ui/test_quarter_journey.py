"""A whole quarter for one ward, from an empty vault, through the window as an officer works it.

Wards imported, a partner added, the panel meeting run by keyboard on the projector, the priority agreed,
its SARA plan written, an owned action added, the week of action set on the calendar, the action done,
the assessment and outcome recorded, the public wording approved, the leaflet saved (which records the
feedback), and the priority closed. Every question is a real dialog answered through the driver.
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from commmatters_desktop.core.enums import ActionStatus, Outcome, PriorityStatus
from commmatters_desktop.core.models import Priority
from commmatters_desktop.core.services import planning
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.main_window import MainWindow
from commmatters_desktop.ui.widgets import ChoiceCombo
from tests.ui.driver import Dialogs
from tests.ui.test_people_journey import click, decide, empty_window, import_wards, meeting_at_decision

__all__ = ["empty_window"]  # the fixture, shared with the people journey

S = PriorityStatus


def the_priority(vault: Vault) -> Priority:
    with vault.reading() as s:
        return s.scalars(select(Priority).where(Priority.deleted.is_(False))).one()


def test_a_whole_quarter_from_an_empty_vault(
    empty_window: MainWindow, qtbot: QtBot, vault: Vault, dialogs: Dialogs, tmp_path: Path
) -> None:
    w = empty_window
    import_wards(w, dialogs)
    w.actions_.show_people.trigger()
    dialogs.form("Add a partner agency", {"name": "Manchester City Council", "kind": "Local authority",
                                          "contact_route": "Switchboard 0161 234 5000"})  # fmt: skip
    click(w, "partnerAdd")
    dialogs.done()

    # The panel meeting, by keyboard on the projector.
    w.actions_.show_wards.trigger()
    w.ward_view.search.setText("E05011368")
    w.ward_view.table.selectRow(0)
    prep, view = meeting_at_decision(w, qtbot, dialogs, "Drug dealing behind the shops on Stretford Road")
    assert decide(qtbot, vault, prep, view) == "Manchester City Council"
    priority = the_priority(vault)
    assert priority.status is S.AGREED and priority.title == "Drug dealing behind the shops on Stretford Road"

    # The SARA plan: chosen on the board, Ctrl+3, a problem statement typed, an owned action added.
    w.activateWindow()  # back from the projector to the laptop's window
    qtbot.waitUntil(w.isActiveWindow)
    w.show_on_board(priority.id)
    qtbot.keyClick(w, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert w.plan.detail is not None and w.plan.detail.id == priority.id
    statement = w.plan.texts["problem_statement"]
    statement.setFocus()
    qtbot.keyClicks(statement, "Dealing most evenings behind the shops; residents avoid the alley.")
    qtbot.keyClick(statement, Qt.Key.Key_Tab)
    w.plan.forward.click()  # Agreed -> Planning
    w.plan.tabs.setCurrentIndex(2)
    dialogs.form("Add an action", {"description": "Joint patrols and CCTV review behind the shops",
                                   "owner_agency": "Manchester City Council", "due_on": "04/12/2026"})  # fmt: skip
    w.plan.findChild(QPushButton, "addActionButton").click()  # type: ignore[union-attr]
    dialogs.done()
    w.plan.forward.click()  # Planning -> In action
    assert the_priority(vault).status is S.IN_ACTION, w.plan.message.text()

    # The week of action, set on the calendar with the keyboard.
    w.actions_.show_calendar.trigger()
    calendar = w.calendar
    row = next(i for i, (ward_id, *_rest) in enumerate(calendar.model.wards) if ward_id == priority.ward_id)
    column = next(i for i, week in enumerate(calendar.model.weeks) if week >= w.clock.today())
    calendar.table.setFocus()
    calendar.table.setCurrentIndex(calendar.model.index(row, column))
    qtbot.keyClick(calendar.table, Qt.Key.Key_Space)
    with vault.reading() as s:
        weeks = planning.weeks_of(s, calendar.cycle.currentText())
    assert weeks.get(priority.ward_id) == calendar.model.weeks[column], calendar.message.text()

    # The action done, through its Status cell.
    w.open_plan(priority.id)
    w.plan.tabs.setCurrentIndex(2)
    table, model = w.plan.actions_table, w.plan.action_model
    table.setCurrentIndex(model.index(0, [c.header for c in model.columns].index("Status")))
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = next(e for e in table.viewport().findChildren(ChoiceCombo) if e.isVisible())
    editor.select_label(ActionStatus.DONE.label)
    dialogs.reason("Mark the action done", "Five evenings of joint patrols; two arrests; CCTV fitted")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    dialogs.done()
    w.plan.forward.click()  # In action -> Assessing

    # The assessment and outcome, and the public wording.
    w.plan.tabs.setCurrentIndex(3)
    assessment = w.plan.texts["assessment"]
    assessment.setPlainText("Reports of dealing fell from 9 to 3; residents say the alley feels safer.")
    assessment.commit()
    w.plan.outcome.select(Outcome.ACHIEVED)
    w.plan.outcome.activated.emit(w.plan.outcome.currentIndex())
    w.plan.tabs.setCurrentIndex(4)
    for key, text in (("public_issue", "Drug dealing behind the shops on Stretford Road"),
                      ("public_action", "Joint patrols with the council, two arrests and new CCTV.")):  # fmt: skip
        field = w.plan.texts[key]
        field.setPlainText(text)
        field.commit()
    assert the_priority(vault).status is S.ASSESSING

    # The leaflet: approve the public wording where the preview asks, save it, and the feedback is recorded.
    preview = w.leaflets.preview_leaflet(priority.id)
    qtbot.addWidget(preview)
    if not preview.save_button.isEnabled():
        review = preview.review_wording()
        qtbot.addWidget(review)
        review.approve_all()
        review.accept()
    assert preview.save_button.isEnabled(), preview.message.text()
    dialogs.file("Save the leaflet", tmp_path / "hulme-leaflet.pdf")
    saved = preview.save_leaflet()
    dialogs.done()
    preview.close()
    assert saved is not None
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(saved).pages).split())
    assert "Joint patrols with the council" in text and "Hulme" in text
    assert "Oduya" not in text and "07700" not in text

    # Feedback given, then closed: every action done, feedback recorded, assessed.
    w.open_plan(priority.id)
    w.plan.forward.click()  # Assessing -> Feedback given
    w.plan.forward.click()  # Feedback given -> Closed
    closed = the_priority(vault)
    assert closed.status is S.CLOSED, w.board.message.text()
    w.actions_.show_wards.trigger()
    w.ward_view.table.selectRow(0)
    assert "Drug dealing behind the shops" in w.ward_view.detail.toPlainText()
