"""The priority board driven by keyboard, drag and drop and menus; the vault checked after each step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from commmatters_desktop.core.enums import PriorityStatus
from commmatters_desktop.core.models import Priority
from commmatters_desktop.core.queries import PriorityCard
from commmatters_desktop.core.services import common
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.forms import FormDialog
from commmatters_desktop.ui.main_window import MainWindow
from commmatters_desktop.ui.models.board_model import CARD_ROLE
from tests.ui.driver import Dialogs

S = PriorityStatus


@pytest.fixture(autouse=True)
def on_the_board(window: MainWindow) -> None:
    window.actions_.show_board.trigger()


def vault_status(vault: Vault, card: PriorityCard) -> PriorityStatus:
    with vault.reading() as s:
        return common.fetch(s, Priority, card.id).status


def cards_in(window: MainWindow, status: PriorityStatus) -> list[PriorityCard]:
    proxy = window.board.column_of(status).proxy
    return [proxy.index(r, 0).data(CARD_ROLE) for r in range(proxy.rowCount())]


def pick(window: MainWindow, status: PriorityStatus, *, blocked: bool | None = None) -> PriorityCard:
    found = [c for c in cards_in(window, status) if blocked is None or bool(c.blockers) == blocked]
    assert found, f"no {status} card"
    window.board.select(found[0].id)
    return found[0]


def test_the_board_shows_every_column_with_its_cards(window: MainWindow) -> None:
    assert window.tabs.currentWidget() is window.board
    assert window.findChild(type(window.board), "priorityBoardView") is window.board
    counts = {c.status: c.proxy.rowCount() for c in window.board.columns}
    assert counts == {S.NOMINATED: 4, S.AGREED: 5, S.PLANNING: 6, S.IN_ACTION: 8, S.ASSESSING: 5,
                      S.FEEDBACK_GIVEN: 4, S.CLOSED: 2, S.ESCALATED: 2, S.NOT_TAKEN_FORWARD: 1}  # fmt: skip
    assert window.board.column_of(S.PLANNING).header.text() == "Planning (6)"
    nominated = cards_in(window, S.NOMINATED)[0]
    assert "no lead agency" in nominated.describe and nominated.blockers


def test_a_card_moves_by_keyboard_and_undo_and_redo_follow(
    window: MainWindow, qtbot: QtBot, demo_vault: Vault
) -> None:
    card = pick(window, S.PLANNING, blocked=False)
    qtbot.keyClick(
        window.board.column_of(S.PLANNING).list,
        Qt.Key.Key_Right,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert vault_status(demo_vault, card) is S.IN_ACTION
    assert card.id in {c.id for c in cards_in(window, S.IN_ACTION)}
    assert window.board.current_card() is not None and window.board.current_card().id == card.id  # type: ignore[union-attr]
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert vault_status(demo_vault, card) is S.PLANNING
    qtbot.keyClick(
        window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert vault_status(demo_vault, card) is S.IN_ACTION


def test_a_refused_move_says_why_and_changes_nothing(window: MainWindow, demo_vault: Vault) -> None:
    card = pick(window, S.ASSESSING)
    depth = window.ops.stack.count()
    window.actions_.move_right.trigger()
    assert window.board.message.isVisible()
    assert window.board.message.text() == "Cannot mark feedback given: no feedback recorded."
    assert vault_status(demo_vault, card) is S.ASSESSING
    assert window.ops.stack.count() == depth


def test_closing_is_refused_with_the_reasons(window: MainWindow, demo_vault: Vault) -> None:
    card = pick(window, S.FEEDBACK_GIVEN)
    window.priorities.request_move(card.id, S.CLOSED)
    assert window.board.message.text().startswith("Cannot close: ")
    assert "action open" in window.board.message.text() or "actions open" in window.board.message.text()
    assert vault_status(demo_vault, card) is S.FEEDBACK_GIVEN


def test_dropping_a_card_on_a_column_moves_it(window: MainWindow, demo_vault: Vault) -> None:
    card = pick(window, S.PLANNING, blocked=False)
    source = window.board.column_of(S.PLANNING)
    index = source.list.currentIndex()
    mime = window.board.model.mimeData([source.proxy.mapToSource(index)])
    target = window.board.column_of(S.IN_ACTION).proxy
    assert target.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, QModelIndex())
    assert target.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, QModelIndex()) is False
    assert vault_status(demo_vault, card) is S.IN_ACTION


def test_moving_a_nominated_card_on_asks_how_it_was_agreed(
    window: MainWindow, demo_vault: Vault, dialogs: Dialogs
) -> None:
    card = pick(window, S.NOMINATED)

    def agree(form: QWidget) -> None:
        assert isinstance(form, FormDialog)
        lead, meeting = form.widgets["lead"], form.widgets["meeting"]
        assert isinstance(lead, QComboBox) and isinstance(meeting, QComboBox)
        lead.setCurrentIndex(1)
        meeting.setCurrentIndex(0)
        form.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()  # type: ignore[union-attr]

    dialogs.expect("Agree the priority", agree)
    window.actions_.move_right.trigger()
    dialogs.done()
    assert vault_status(demo_vault, card) is S.AGREED
    with demo_vault.reading() as s:
        p = common.fetch(s, Priority, card.id)
        assert p.lead_agency_id is not None and p.meeting_id is not None and p.plan is not None
    window.actions_.undo.trigger()
    assert vault_status(demo_vault, card) is S.NOMINATED
    window.actions_.redo.trigger()  # agreed again, with the same lead agency and meeting
    assert vault_status(demo_vault, card) is S.AGREED


def test_a_move_is_named_on_the_undo_menu_by_its_card(window: MainWindow, demo_vault: Vault) -> None:
    card = pick(window, S.PLANNING)
    window.actions_.move_right.trigger()
    assert vault_status(demo_vault, card) is S.IN_ACTION
    assert window.ops.stack.undoText() == f"Move '{card.title}' to In action"


def test_escalating_needs_a_reason_and_can_be_undone(
    window: MainWindow, demo_vault: Vault, dialogs: Dialogs
) -> None:
    card = pick(window, S.IN_ACTION)
    dialogs.cancel("Escalate to CSP tasking")
    window.actions_.escalate.trigger()
    dialogs.done()
    assert vault_status(demo_vault, card) is S.IN_ACTION
    dialogs.reason("Escalate to CSP tasking", "Needs housing and health resources")
    window.board.select(card.id)
    window.actions_.escalate.trigger()
    dialogs.done()
    assert vault_status(demo_vault, card) is S.ESCALATED
    assert card.id in {c.id for c in cards_in(window, S.ESCALATED)}
    window.actions_.undo.trigger()
    assert vault_status(demo_vault, card) is S.IN_ACTION
    window.actions_.redo.trigger()
    assert vault_status(demo_vault, card) is S.ESCALATED
    window.board.select(card.id)
    window.actions_.de_escalate.trigger()
    assert vault_status(demo_vault, card) is S.IN_ACTION
    window.actions_.undo.trigger()  # escalated again, for the reason given
    assert vault_status(demo_vault, card) is S.ESCALATED


def test_filters_by_authority_lead_search_and_column(window: MainWindow, qtbot: QtBot) -> None:
    board = window.board
    board.authority.setCurrentText("Bolton")
    shown = [c for col in board.columns for c in cards_in(window, col.status)]
    assert shown and {c.la_name for c in shown} == {"Bolton"}
    board.authority.setCurrentText("All")
    lead = board.lead.itemText(1)
    board.lead.setCurrentText(lead)
    assert {c.lead_agency for col in board.columns for c in cards_in(window, col.status)} == {lead}
    board.lead.setCurrentText("All")
    qtbot.keyClicks(board.search, "park")
    assert all("park" in c.title.lower() for col in board.columns for c in cards_in(window, col.status))
    board.search.clear()
    board.status.setCurrentText("Planning")
    assert [c.isVisibleTo(board) for c in board.columns] == [c.status is S.PLANNING for c in board.columns]


def test_every_cycle_can_be_shown(window: MainWindow, qtbot: QtBot) -> None:
    window.board.cycle.setCurrentText("2026-Q3")
    assert {c.cycle for c in window.board.model.cards()} == {"2026-Q3"}
    window.board.cycle.setCurrentText("All")  # newest cycle at once, older ones a cycle at a time
    qtbot.waitUntil(lambda: len(window.board.model.cards()) == 77)


def test_enter_on_a_card_opens_its_plan(window: MainWindow, qtbot: QtBot) -> None:
    card = pick(window, S.IN_ACTION)
    column = window.board.column_of(S.IN_ACTION).list
    column.activated.emit(column.currentIndex())
    assert window.tabs.currentWidget() is window.plan
    assert window.plan.detail is not None and window.plan.detail.id == card.id


def test_the_board_models_pass_the_model_tester(window: MainWindow, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(window.board.model)
    qtmodeltester.check(window.board.column_of(S.IN_ACTION).proxy)


def test_nine_columns_fit_a_1366_laptop(window: MainWindow, qtbot: QtBot) -> None:
    window.resize(1366, 768)
    scroller = window.board.findChild(type(window.board.findChild(object, "boardScroller")), "boardScroller")
    qtbot.waitUntil(lambda: scroller.horizontalScrollBar().maximum() == 0)  # type: ignore[union-attr]


def test_badges_never_run_past_a_narrow_card(window: MainWindow) -> None:
    from PySide6.QtGui import QFontMetrics

    from commmatters_desktop.ui.views.card_delegate import fitted_badges

    card = next(c for c in window.board.model.cards() if c.overdue_actions and c.blockers)
    fm = QFontMetrics(window.font())
    for room in (200, 110, 80, 40):
        pills = fitted_badges(fm, card, room)
        assert sum(width + 4 for _label, _colour, width in pills) <= room + 4
    wide = [label for label, _c, _w in fitted_badges(fm, card, 400)]
    assert wide == [f"{card.overdue_actions} overdue", "⚠ blocked"]
    assert [label for label, _c, _w in fitted_badges(fm, card, 110)][-1] == "⚠"
