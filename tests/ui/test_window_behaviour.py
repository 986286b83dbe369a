"""What officers met in the window, each reproduced first: lost typing, wrong plan, silent buttons, the lock."""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from commmatters_desktop.core import queries
from commmatters_desktop.core.enums import PriorityStatus
from commmatters_desktop.core.models import Priority
from commmatters_desktop.core.services import common, planning, priorities
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.main_window import MainWindow
from commmatters_desktop.ui.meeting import MeetingPrep
from tests.ui.driver import Dialogs

S = PriorityStatus


def card_in(window: MainWindow, status: PriorityStatus) -> queries.PriorityCard:
    return next(c for c in window.board.model.cards() if c.status is status)


def test_text_typed_straight_after_tab_out_of_a_plan_field_is_kept(
    window: MainWindow, demo_vault: Vault, qtbot: QtBot
) -> None:
    card = card_in(window, S.PLANNING)
    window.show_on_board(card.id)  # chosen on the board, as officers do, then Ctrl+3
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    first = window.plan.texts["problem_statement"]
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    first.moveCursor(first.textCursor().MoveOperation.End)
    qtbot.keyClicks(first, " Worse after dark.")
    qtbot.keyClick(first, Qt.Key.Key_Tab)  # saves the field, and the window reloads
    following = QApplication.focusWidget()
    assert following is window.plan.texts["evidence"], "the keyboard stays in the plan after a save"
    qtbot.keyClicks(following, "Typed at once. ")
    following.commit()  # type: ignore[attr-defined]
    with demo_vault.reading() as s:
        plan = common.fetch(s, Priority, card.id).plan
        assert plan is not None
        assert plan.problem_statement.endswith("Worse after dark.")
        assert "Typed at once." in plan.evidence


def test_ctrl_3_shows_the_card_chosen_on_the_board(window: MainWindow, qtbot: QtBot) -> None:
    first, second = card_in(window, S.PLANNING), card_in(window, S.IN_ACTION)
    window.open_plan(first.id)
    window.show_on_board(second.id)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.plan.detail is not None and window.plan.detail.id == second.id
    assert window.plan.picker.value() == second.id


def test_steps_that_cannot_happen_say_so_before_asking_anything(
    window: MainWindow, demo_vault: Vault, dialogs: Dialogs
) -> None:
    nominated = card_in(window, S.NOMINATED)
    window.show_on_board(nominated.id)
    window.actions_.escalate.trigger()  # no reason asked: the dialogs fixture fails on any question
    assert "Cannot escalate: a priority that is Nominated cannot be escalated." in window.board.message.text()
    closed = card_in(window, S.CLOSED)
    window.show_on_board(closed.id)
    window.actions_.move_right.trigger()
    assert "nothing comes after Closed" in window.statusBar().currentMessage()
    window.show_on_board(nominated.id)
    window.actions_.move_left.trigger()
    assert "that is the first step" in window.statusBar().currentMessage()


def test_preview_leaflet_is_in_the_priority_menu(window: MainWindow) -> None:
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions() if a.menu()}
    assert window.actions_.preview_leaflet in menus["Priority"].actions()  # type: ignore[union-attr]
    assert window.actions_.preview_leaflet.shortcut().toString() == "Ctrl+Shift+P"


def test_ctrl_m_with_no_ward_chosen_asks_which_ward(
    window: MainWindow, qtbot: QtBot, dialogs: Dialogs
) -> None:
    with window.vault.reading() as s:
        rows = queries.ward_rows(s, cycle=str(window.cycle))
    wanted = rows[7]
    dialogs.form("Which ward's panel meeting?", {"ward": f"{wanted.name} ({wanted.la_name})"})
    prep = window.wards.open_meeting()
    dialogs.done()
    assert isinstance(prep, MeetingPrep)
    qtbot.addWidget(prep)
    assert prep.ward_id == wanted.id
    dialogs.cancel("Which ward's panel meeting?")
    assert window.wards.open_meeting() is None
    dialogs.done()


def test_the_calendar_keys_and_buttons_work_or_say_why(
    window: MainWindow, demo_vault: Vault, qtbot: QtBot
) -> None:
    window.actions_.show_calendar.trigger()
    calendar = window.calendar
    calendar.cycle.setCurrentText("2027-Q1")
    calendar.table.setCurrentIndex(calendar.model.index(-1, -1))
    calendar.findChild(QPushButton, "calendarSetWeek").click()  # type: ignore[union-attr]
    assert calendar.message.isVisible() and "Choose a cell first" in calendar.message.text()
    calendar.table.setFocus()
    calendar.table.setCurrentIndex(calendar.model.index(2, 5))
    qtbot.keyClick(calendar.table, Qt.Key.Key_Space)
    ward = calendar.model.wards[2][0]
    with demo_vault.reading() as s:
        assert planning.weeks_of(s, "2027-Q1")[ward] == calendar.model.weeks[5]
    qtbot.keyClick(calendar.table, Qt.Key.Key_Delete)
    with demo_vault.reading() as s:
        assert ward not in planning.weeks_of(s, "2027-Q1")
    assert not calendar.message.isVisible()


def test_planning_weeks_keeps_held_weeks_and_says_what_moves(
    window: MainWindow, demo_vault: Vault, dialogs: Dialogs
) -> None:
    today = window.clock.today()
    with demo_vault.reading() as s:
        before = planning.weeks_of(s, str(window.cycle))
    held = {w: d for w, d in before.items() if d <= today}
    assert held, "the demo quarter has weeks of action already held"
    window.actions_.show_calendar.trigger()
    dialogs.form(f"Plan the weeks of action for {window.cycle}", {"per_week": "6"})
    dialogs.press("Save this plan?", "Yes")
    window.quarter.plan_weeks(str(window.cycle))
    dialogs.done()
    preview = next(text for text in dialogs.seen if text.startswith("Save this plan?"))
    assert "already held" in preview
    with demo_vault.reading() as s:
        after = planning.weeks_of(s, str(window.cycle))
    assert {w: after[w] for w in held} == held, "a week already held never moves"


def test_nothing_of_the_vault_shows_while_locked(window: MainWindow, qtbot: QtBot) -> None:
    card = card_in(window, S.PLANNING)
    window.open_plan(card.id)
    window.plan.title.setText("Dealing behind the Co-op")
    window.plan.title.editingFinished.emit()  # an edit whose name the undo button would show
    window.safekeeping.lock()
    assert window.locked
    assert not window.toolbar.isVisible() and not window.menuBar().isVisible()
    shown = " ".join(w.text() for w in window.findChildren(QLabel) if w.isVisible())
    shown += window.statusBar().currentMessage()
    assert "Co-op" not in shown and card.title not in shown
    explain = window.lock_screen.explain
    assert explain.heightForWidth(explain.width()) <= explain.height(), "the instructions are not clipped"
    assert explain.width() >= 300


def test_the_ward_shows_its_agreed_priority_not_a_declined_candidate(
    window: MainWindow, demo_vault: Vault
) -> None:
    agreed = card_in(window, S.CLOSED)
    with demo_vault.unit_of_work() as s:
        ward = common.fetch(s, Priority, agreed.id).ward
        declined = priorities.propose(s, ward=ward, title="Parking on the verges", cycle=agreed.cycle)
        priorities.not_taken_forward(s, priority=declined, reason="Not chosen")
    window.refresh()
    with demo_vault.reading() as s:
        row = next(r for r in queries.ward_rows(s, cycle=agreed.cycle) if r.id == agreed.ward_id)
        detail = queries.ward_detail(s, agreed.ward_id, cycle=agreed.cycle)
    assert row.priority_title == agreed.title
    assert detail is not None and detail.current is not None and detail.current.id == agreed.id


def test_hundreds_of_edits_in_one_window_leave_none_alone(
    window: MainWindow, demo_vault: Vault, qtbot: QtBot
) -> None:
    """PySide6 6.12.0 lost a reference to None on every call and aborted the app on the 75th edit of a
    big vault; any Qt with that fault fails here long before the process would."""
    card = card_in(window, S.PLANNING)
    window.open_plan(card.id)
    editor = window.plan.texts["causes"]
    # Earlier tests' garbage, collected mid-loop, also drops None's count: collect it first, then hold
    # the collector so only what the edits themselves do is measured.
    gc.collect()
    gc.disable()
    try:
        before = sys.getrefcount(None)
        for n in range(300):
            editor.setPlainText(f"Cause noted at edit {n}")
            editor.commit()
        window.actions_.undo.trigger()
        after = sys.getrefcount(None)
    finally:
        gc.enable()
    assert after >= before - 50
    with demo_vault.reading() as s:
        plan = common.fetch(s, Priority, card.id).plan
        assert plan is not None and plan.causes == "Cause noted at edit 298"
    window.close()


def test_a_past_quarters_plan_is_named_in_the_picker(window: MainWindow, demo_vault: Vault) -> None:
    from sqlalchemy import select

    from commmatters_desktop.core.models import Cycle

    with demo_vault.reading() as s:
        past = s.scalars(
            select(Priority).join(Cycle).where(Cycle.code < str(window.cycle), Priority.deleted.is_(False))
        ).first()
        assert past is not None
        past_id, ward = past.id, past.ward.name
    window.open_plan(past_id)
    assert window.plan.picker.value() == past_id
    assert window.plan.picker.currentText().startswith(ward)
