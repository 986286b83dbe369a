"""The SARA plan view: typing saves by itself, every edit undoes, bad values are refused inline."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from commmatters_desktop.core import queries
from commmatters_desktop.core.enums import ActionKind, ActionStatus, FeedbackChannel, Outcome, PriorityStatus
from commmatters_desktop.core.models import Action, Cycle, Priority
from commmatters_desktop.core.services import common
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.main_window import MainWindow
from commmatters_desktop.ui.models.record_table import parse_date
from commmatters_desktop.ui.widgets import ChoiceCombo
from tests.ui.driver import Dialogs

S = PriorityStatus


def priority_in(vault: Vault, status: PriorityStatus) -> Priority:
    with vault.reading() as s:
        return s.scalars(
            select(Priority)
            .join(Cycle)
            .where(Priority.status == status, Cycle.code == "2026-Q4")
            .order_by(Priority.title)
        ).first()  # type: ignore[return-value]


def fetch(vault: Vault, priority: Priority) -> Priority:
    with vault.reading() as s:
        p = common.fetch(s, Priority, priority.id)
        _ = (p.plan, p.actions, p.feedback, p.measures)
        return p


@pytest.fixture
def planning(window: MainWindow, demo_vault: Vault) -> Priority:
    p = priority_in(demo_vault, S.PLANNING)
    window.open_plan(p.id)
    return p


def test_ctrl_3_shows_the_plan_of_the_chosen_priority(
    window: MainWindow, planning: Priority, qtbot: QtBot
) -> None:
    window.actions_.show_wards.trigger()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.plan and window.plan.objectName() == "saraPlanView"
    assert window.plan.detail is not None and window.plan.detail.id == planning.id
    assert window.plan.picker.value() == planning.id
    assert (
        window.plan.texts["problem_statement"].toPlainText()
        == fetch(window.vault, planning).plan.problem_statement
    )  # type: ignore[union-attr]
    assert [window.plan.tabs.tabText(i) for i in range(window.plan.tabs.count())] == [
        "Scanning",
        "Analysis",
        "Response",
        "Assessment",
        "Feedback",
    ]


def test_typing_saves_by_itself_and_undo_restores(
    window: MainWindow, planning: Priority, qtbot: QtBot, demo_vault: Vault
) -> None:
    editor = window.plan.texts["causes"]
    original = editor.toPlainText()
    window.plan.tabs.setCurrentIndex(1)
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "Poor lighting and no CCTV")
    qtbot.waitUntil(lambda: fetch(demo_vault, planning).plan.causes == "Poor lighting and no CCTV")  # type: ignore[union-attr]
    window.actions_.undo.trigger()
    assert fetch(demo_vault, planning).plan.causes == original  # type: ignore[union-attr]
    window.plan.tabs.setFocus()
    window.refresh()
    assert editor.toPlainText() == original


def test_leaving_a_field_saves_at_once(
    window: MainWindow, planning: Priority, qtbot: QtBot, demo_vault: Vault
) -> None:
    editor = window.plan.texts["evidence"]
    editor.setFocus()
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor, " Plus 12 calls to 101.")
    window.plan.title.setFocus()
    assert fetch(demo_vault, planning).plan.evidence.endswith("Plus 12 calls to 101.")  # type: ignore[union-attr]


def test_personal_data_fields_are_marked(window: MainWindow, planning: Priority) -> None:
    for key in ("victim", "offender"):
        editor = window.plan.texts[key]
        assert "Personal data" in editor.accessibleDescription()
        labels = [w.text() for w in window.plan.findChildren(QLabel) if w.buddy() is editor]
        assert labels and "personal data" in labels[0]
    assert window.plan.texts["location"].accessibleDescription() == ""


def test_adding_an_owned_action_and_undoing_it(
    window: MainWindow, planning: Priority, demo_vault: Vault, dialogs: Dialogs
) -> None:
    with demo_vault.reading() as s:
        agency = queries.agency_options(s)[0].label
    dialogs.form("Add an action", {"description": "Youth club open late on Fridays", "owner_agency": agency,
                                   "kind": ActionKind.PREVENTION.label, "due_on": "04/12/2026"})  # fmt: skip
    before = len(fetch(demo_vault, planning).actions)
    window.plan.findChild(QPushButton, "addActionButton").click()  # type: ignore[union-attr]
    dialogs.done()
    actions = fetch(demo_vault, planning).actions
    added = next(a for a in actions if a.description == "Youth club open late on Fridays")
    assert (
        len(actions) == before + 1
        and added.owner_agency_id is not None
        and added.due_on == dt.date(2026, 12, 4)
        and added.kind is ActionKind.PREVENTION
    )
    assert window.plan.action_model.rowCount() == before + 1
    window.actions_.undo.trigger()
    assert len(fetch(demo_vault, planning).actions) == before
    window.actions_.redo.trigger()
    assert added.id in {a.id for a in fetch(demo_vault, planning).actions}


def test_bad_dates_are_refused_inline_and_good_ones_saved(
    window: MainWindow, planning: Priority, demo_vault: Vault
) -> None:
    model = window.plan.action_model
    due = [c.header for c in model.columns].index("Due")
    index = model.index(0, due)
    action_id = model.row_at(0).id
    assert model.setData(index, "31/02/2026") is False
    assert (
        window.plan.message.text()
        == "'31/02/2026' is not a date: type it as day/month/year, for example 30/11/2026."
    )
    model.setData(index, "30/12/2026")
    with demo_vault.reading() as s:
        assert common.fetch(s, Action, action_id).due_on == dt.date(2026, 12, 30)


def test_marking_an_action_done_asks_what_was_done(
    window: MainWindow, demo_vault: Vault, dialogs: Dialogs, qtbot: QtBot
) -> None:
    p = priority_in(demo_vault, S.IN_ACTION)
    window.open_plan(p.id)
    window.plan.tabs.setCurrentIndex(2)
    model, table = window.plan.action_model, window.plan.actions_table
    row = next(r for r in range(model.rowCount()) if model.row_at(r).status is ActionStatus.OPEN)
    status = [c.header for c in model.columns].index("Status")
    action_id = model.row_at(row).id

    def choose_done_in_the_cell() -> None:
        """As an officer does: F2 on the Status cell, pick Done from its list, Enter."""
        table.setCurrentIndex(model.index(row, status))
        qtbot.keyClick(table, Qt.Key.Key_F2)
        editor = next(e for e in table.viewport().findChildren(ChoiceCombo) if e.isVisible())
        assert editor.select_label(ActionStatus.DONE.label)
        qtbot.keyClick(editor, Qt.Key.Key_Return)

    dialogs.cancel("Mark the action done")
    choose_done_in_the_cell()
    dialogs.done()
    with demo_vault.reading() as s:
        assert common.fetch(s, Action, action_id).status is ActionStatus.OPEN
    dialogs.reason("Mark the action done", "Three evenings of outreach")
    choose_done_in_the_cell()
    dialogs.done()
    with demo_vault.reading() as s:
        done = common.fetch(s, Action, action_id)
        assert (done.status, done.completion_note) == (ActionStatus.DONE, "Three evenings of outreach")
    window.actions_.undo.trigger()
    with demo_vault.reading() as s:
        assert common.fetch(s, Action, action_id).status is ActionStatus.OPEN


def test_assessment_outcome_and_feedback(window: MainWindow, demo_vault: Vault, dialogs: Dialogs) -> None:
    p = priority_in(demo_vault, S.ASSESSING)
    window.open_plan(p.id)
    view = window.plan
    view.texts["assessment"].setPlainText("Reports fell by half; the panel agrees it is better.")
    view.texts["assessment"].commit()
    view.outcome.setCurrentIndex(view.outcome.findText(Outcome.ACHIEVED.label))
    view.outcome.activated.emit(view.outcome.currentIndex())
    dialogs.form("Record feedback", {"channel": FeedbackChannel.ONLINE.label,
                                     "summary": "Results reported at the panel", "given_on": "20/11/2026"})  # fmt: skip
    view.findChild(QPushButton, "recordFeedbackButton").click()  # type: ignore[union-attr]
    dialogs.done()
    after = fetch(demo_vault, p)
    assert after.plan.outcome is Outcome.ACHIEVED and after.plan.assessed_on == dt.date(2026, 11, 21)  # type: ignore[union-attr]
    assert [(f.summary, f.channel) for f in after.feedback] == [
        ("Results reported at the panel", FeedbackChannel.ONLINE)
    ]
    assert view.feedback_model.rowCount() == 1
    measure = view.measure_model.index(0, [c.header for c in view.measure_model.columns].index("Result"))
    assert view.measure_model.setData(measure, "lots") is False and "is not a number" in view.message.text()


def test_a_nominated_priority_has_no_plan_yet(window: MainWindow, demo_vault: Vault) -> None:
    window.open_plan(priority_in(demo_vault, S.NOMINATED).id)
    assert "has not been agreed yet" in window.plan.message.text()
    assert window.plan.texts["problem_statement"].isReadOnly()
    assert not window.plan.action_model.editable


def test_dates_are_read_as_officers_type_them() -> None:
    assert (
        parse_date("30/11/2026")
        == parse_date("2026-11-30")
        == parse_date("30.11.2026")
        == dt.date(2026, 11, 30)
    )
    assert parse_date("  ") is None


def test_editing_a_cell_keeps_the_keyboard_in_place(window: MainWindow, planning: Priority) -> None:
    model, table = window.plan.action_model, window.plan.actions_table
    column = [c.header for c in model.columns].index("What was done / why cancelled")
    table.setCurrentIndex(model.index(1, column))
    model.setData(model.index(1, column), "Started on Monday")
    here = table.currentIndex()
    assert (here.row(), here.column()) == (1, column)
