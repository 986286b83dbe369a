"""An edit refreshes the rows it changed: row updates, never a model reset; views off screen on showing.

Each test makes one kind of change through the window's operations (as the views do) and watches the
models' own signals: ``modelAboutToBeReset`` must stay silent and ``dataChanged`` (or rows inserted or
removed) must name the row that changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractItemModel, QModelIndex
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from commmatters_desktop.core import commands
from commmatters_desktop.core.enums import ActionStatus, PriorityStatus
from commmatters_desktop.core.models import Priority, Ward
from commmatters_desktop.core.services import common, planning, priorities
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.main_window import MainWindow

S = PriorityStatus


@dataclass
class Watch:
    resets: int = 0
    changed: list[int] = field(default_factory=list)
    inserted: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)


@contextmanager
def watching(model: QAbstractItemModel) -> Iterator[Watch]:
    seen = Watch()

    def reset() -> None:
        seen.resets += 1

    def changed(top: QModelIndex, bottom: QModelIndex, _roles: object = None) -> None:
        seen.changed.extend(range(top.row(), bottom.row() + 1))

    def inserted(_parent: QModelIndex, first: int, last: int) -> None:
        seen.inserted.extend(range(first, last + 1))

    def removed(_parent: QModelIndex, first: int, last: int) -> None:
        seen.removed.extend(range(first, last + 1))

    hooks = [
        (model.modelAboutToBeReset, reset),
        (model.dataChanged, changed),
        (model.rowsInserted, inserted),
        (model.rowsRemoved, removed),
    ]
    for signal, slot in hooks:
        signal.connect(slot)
    try:
        yield seen
    finally:
        for signal, slot in hooks:
            signal.disconnect(slot)


def board_row(window: MainWindow, priority_id: uuid.UUID) -> int:
    return next(i for i, c in enumerate(window.board.model.cards()) if c.id == priority_id)


def a_card(window: MainWindow, status: PriorityStatus) -> uuid.UUID:
    return next(c.id for c in window.board.model.cards() if c.status is status and not c.blockers)


def test_a_plan_field_typed_updates_its_card_and_ward_line_without_a_reset(window: MainWindow) -> None:
    pid = a_card(window, S.PLANNING)
    window.open_plan(pid)
    row = board_row(window, pid)
    box = window.findChild(QPlainTextEdit, "plan_problem_statement")
    with watching(window.board.model) as board, watching(window.ward_view.model) as wards:
        box.setPlainText("")
        box.commit()  # blanking the problem statement blocks the next step: the card's badge changes
    assert board.resets == 0 and wards.resets == 0
    assert board.changed == [row] and not board.inserted and not board.removed
    card = window.board.model.cards()[row]
    assert card.id == pid and "no problem statement in the SARA plan" in card.blockers


def test_a_title_edit_updates_one_board_card_and_one_ward_line(window: MainWindow, demo_vault: Vault) -> None:
    pid = a_card(window, S.IN_ACTION)
    with demo_vault.reading() as s:
        ward_id = common.fetch(s, Priority, pid).ward_id
    window.open_plan(pid)
    with watching(window.board.model) as board, watching(window.ward_view.model) as wards:
        assert window.ops.execute(commands.SetPriorityText(pid, "title", "Parking on the school zigzags"))
    assert board.resets == 0 and board.changed == [board_row(window, pid)]
    assert wards.resets == 0 and len(wards.changed) == 1
    line = window.ward_view.model.row_at(wards.changed[0])
    assert line.id == ward_id and line.priority_title == "Parking on the school zigzags"
    assert "Parking on the school zigzags" in window.plan.picker.currentText()


def test_an_action_edit_updates_its_row_in_the_plan_and_undo_redo_restore_exactly(
    window: MainWindow, demo_vault: Vault
) -> None:
    pid = a_card(window, S.IN_ACTION)
    window.open_plan(pid)
    model = window.plan.action_model
    before = model.rows()
    target = next(r for r in before if r.status is ActionStatus.DONE)
    row = before.index(target)
    with watching(model) as actions:
        window.plan._edit_action(target, "completion_note", "Leaflets delivered to 140 homes")
    assert actions.resets == 0 and actions.changed == [row]
    assert model.row_at(row).completion_note == "Leaflets delivered to 140 homes"
    with watching(model) as actions:
        window.ops.stack.undo()
    assert actions.resets == 0 and actions.changed == [row]
    assert model.rows() == before  # exactly as it was, every row and field
    window.ops.stack.redo()
    assert model.row_at(row).completion_note == "Leaflets delivered to 140 homes"
    # The note went through the service: a done action cannot lose it.
    window.plan._edit_action(model.row_at(row), "completion_note", "  ")
    assert "keeps its note" in window.ops.last_refusal
    assert model.row_at(row).completion_note == "Leaflets delivered to 140 homes"


def test_a_move_changes_one_card_and_undo_moves_it_back(window: MainWindow) -> None:
    window.actions_.show_board.trigger()
    pid = a_card(window, S.PLANNING)
    row = board_row(window, pid)
    before = window.board.model.cards()
    with watching(window.board.model) as board:
        window.priorities.request_move(pid, S.IN_ACTION)
    assert board.resets == 0 and board.changed == [row]
    assert window.board.model.cards()[row].status is S.IN_ACTION
    assert pid in {c.id for c in _column(window, S.IN_ACTION)}
    with watching(window.board.model) as board:
        window.ops.stack.undo()
    assert board.resets == 0 and window.board.model.cards() == before


def _column(window: MainWindow, status: PriorityStatus) -> list[object]:
    from commmatters_desktop.ui.models.board_model import CARD_ROLE

    proxy = window.board.column_of(status).proxy
    return [proxy.index(r, 0).data(CARD_ROLE) for r in range(proxy.rowCount())]


def test_a_new_priority_is_inserted_in_ward_order_and_undo_removes_it(window: MainWindow) -> None:
    cards = window.board.model.cards()
    ward_id, cycle = cards[3].ward_id, cards[3].cycle
    made: dict[str, uuid.UUID] = {}

    def propose(s: object) -> None:
        ward = common.fetch(s, Ward, ward_id)  # type: ignore[arg-type]
        made["id"] = priorities.propose(s, ward=ward, title="Fly-tipping behind the shops", cycle=cycle).id  # type: ignore[arg-type]

    def withdraw(s: object) -> None:
        common.tombstone(s, common.fetch(s, Priority, made["id"]), "undo")  # type: ignore[arg-type]

    with watching(window.board.model) as board:
        window.ops.do("Propose a priority", propose, withdraw)
    assert board.resets == 0 and len(board.inserted) == 1 and not board.removed
    new = window.board.model.cards()[board.inserted[0]]
    assert new.id == made["id"] and new.ward_id == ward_id
    order = [(c.la_name, c.ward_name) for c in window.board.model.cards()]
    assert order == sorted(order)
    with watching(window.board.model) as board:
        window.ops.stack.undo()
    assert board.resets == 0 and board.removed == [board.removed[0]]
    assert made["id"] not in {c.id for c in window.board.model.cards()}


def test_a_view_off_screen_is_refreshed_when_shown_and_only_then(
    window: MainWindow, demo_vault: Vault
) -> None:
    window.tabs.setCurrentWidget(window.calendar)
    cycle = window.calendar.cycle.currentText()
    ward_id = window.board.model.cards()[0].ward_id
    with demo_vault.reading() as s:
        week = planning.weeks_of_ward(s, cycle=cycle, ward_id=ward_id)
    assert week is not None
    window.actions_.show_board.trigger()
    loads: list[object] = []
    original = window.calendar.show_data
    window.calendar.show_data = lambda data: (loads.append(data), original(data))  # type: ignore[method-assign]
    assert window.ops.execute(commands.SetWeek(ward_id, cycle, None))  # cleared
    assert loads == []  # off screen: nothing reloaded yet
    window.tabs.setCurrentWidget(window.calendar)
    assert len(loads) == 1
    window.tabs.setCurrentWidget(window.board)
    window.tabs.setCurrentWidget(window.calendar)
    assert len(loads) == 1  # shown again with nothing changed: no reload
    with demo_vault.reading() as s:
        assert planning.weeks_of_ward(s, cycle=cycle, ward_id=ward_id) is None
    window.ops.stack.undo()
    assert len(loads) == 2  # on screen: the undo reloads it at once
    with demo_vault.reading() as s:
        assert planning.weeks_of_ward(s, cycle=cycle, ward_id=ward_id) == week


def test_choosing_every_cycle_reloads_the_board_only(window: MainWindow, qtbot: QtBot) -> None:
    window.actions_.show_board.trigger()
    shown = len(window.board.model.cards())
    with watching(window.ward_view.model) as wards:
        window.board.cycle.setCurrentText("All")
        assert window.refresher.loading  # this quarter at once, the older ones a cycle at a time
        qtbot.waitUntil(lambda: not window.refresher.loading)
    assert wards.resets == 0 and not wards.changed
    assert len(window.board.model.cards()) > shown
    cycles = [c.cycle for c in window.board.model.cards()]
    assert len(set(cycles)) > 1 and cycles == sorted(cycles, reverse=True)
