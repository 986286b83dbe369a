"""The issue's journey on the demo force, the ward page, auto-lock, and keyboard/accessibility checks."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from commmatters_desktop.core import queries
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.core.enums import ActionStatus, PriorityStatus
from commmatters_desktop.core.models import Priority
from commmatters_desktop.core.services import common, wards
from commmatters_desktop.demo import DEMO_PASSPHRASE, open_demo
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.main_window import MainWindow
from commmatters_desktop.ui.settings import WindowSettings
from tests.ui.driver import Dialogs

S = PriorityStatus


def make(qtbot: QtBot, vault: Vault, clock: FixedClock, settings: WindowSettings, **kw: float) -> MainWindow:
    main = MainWindow(vault, clock=clock, settings=settings, **kw)
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    qtbot.waitExposed(main)
    return main


def test_find_a_ward_open_its_plan_add_an_action_and_move_it_until_the_rules_stop(
    qtbot: QtBot,
    demo_dir,
    clock: FixedClock,
    window_settings: WindowSettings,
    dialogs: Dialogs,
) -> None:
    vault = open_demo(demo_dir, clock=clock)
    window = make(qtbot, vault, clock, window_settings, autolock_minutes=600)
    # Find the ward whose priority is still being planned.
    planning = next(c for c in window.board.model.cards() if c.status is S.PLANNING)
    qtbot.keyClicks(window.ward_view.search, planning.ward_code)
    window.ward_view.table.selectRow(0)
    assert planning.title in window.ward_view.detail.toPlainText()
    window.ward_view.board_button.click()
    assert window.tabs.currentWidget() is window.board and window.board.current_card().id == planning.id  # type: ignore[union-attr]
    window.ward_view.open_plan_button.click()
    assert window.plan.detail is not None and window.plan.detail.id == planning.id
    # Add an owned action, then move the card along until a rule stops it.
    with vault.reading() as s:
        agency = queries.agency_options(s)[0].label
    dialogs.form(
        "Add an action", {"description": "Landlord to fit a gate to the alley", "owner_agency": agency}
    )
    window.plan.findChild(QAbstractButton, "addActionButton").click()  # type: ignore[union-attr]
    dialogs.done()
    window.plan.forward.click()  # Planning -> In action
    window.plan.forward.click()  # In action -> Assessing
    window.plan.forward.click()  # Assessing -> Feedback given: refused
    assert window.plan.detail.status is S.ASSESSING
    assert window.board.message.text() == "Cannot mark feedback given: no feedback recorded."
    window.close()
    vault.close()
    # Everything survives closing and reopening the app.
    reopened = open_demo(demo_dir, clock=clock)
    try:
        with reopened.reading() as s:
            p = common.fetch(s, Priority, planning.id)
            assert p.status is S.ASSESSING
            assert any(
                a.description == "Landlord to fit a gate to the alley" and a.owner_agency_id
                for a in p.actions
            )
    finally:
        reopened.close()


def test_the_ward_page_and_adding_and_editing_a_ward(
    qtbot: QtBot, demo_vault: Vault, clock: FixedClock, window_settings: WindowSettings, dialogs: Dialogs
) -> None:
    window = make(qtbot, demo_vault, clock, window_settings, autolock_minutes=600)
    window.ward_view.table.selectRow(0)
    page = window.ward_view.detail.toPlainText()
    for heading in ("This quarter's priority", "Ward team", "Ward panel ⚠ personal data", "Partners",
                    "Past priorities", "LSOAs"):  # fmt: skip
        assert heading in page
    dialogs.form("Add a ward", {"code": "E05000660", "name": "Halliwell", "la_name": "Bolton",
                                "team_contact": "Call 101"})  # fmt: skip
    window.actions_.add_ward.trigger()
    dialogs.done()
    with demo_vault.reading() as s:
        assert wards.ward_by_code(s, "E05000660") is not None
    assert window.ward_view.proxy.rowCount() == 1  # the search now shows the new ward
    window.ward_view.table.selectRow(0)
    dialogs.form("Edit Halliwell", {"name": "Halliwell (Bolton)"})
    window.actions_.edit_ward.trigger()
    dialogs.done()
    with demo_vault.reading() as s:
        assert wards.ward_by_code(s, "E05000660").name == "Halliwell (Bolton)"  # type: ignore[union-attr]
    window.actions_.undo.trigger()
    window.actions_.undo.trigger()
    with demo_vault.reading() as s:
        assert wards.ward_by_code(s, "E05000660") is None
    window.actions_.redo.trigger()
    window.actions_.redo.trigger()  # added again, as the same ward, and renamed again
    with demo_vault.reading() as s:
        assert wards.ward_by_code(s, "E05000660").name == "Halliwell (Bolton)"  # type: ignore[union-attr]
    dialogs.form("Add a ward", {"code": "nonsense", "name": "X", "la_name": "Bolton"})
    window.actions_.add_ward.trigger()
    dialogs.done()
    assert "is not an ONS ward code" in window.statusBar().currentMessage()


def test_auto_lock_hides_everything_keeps_what_was_typed_and_unlocks(
    qtbot: QtBot, demo_vault: Vault, clock: FixedClock, window_settings: WindowSettings
) -> None:
    window = make(qtbot, demo_vault, clock, window_settings, autolock_minutes=0.002)  # 120 ms
    card = next(c for c in window.board.model.cards() if c.status is S.PLANNING)
    window.open_plan(card.id)
    editor = window.plan.texts["causes"]
    editor.setPlainText("Typed just before the officer walked away")
    qtbot.waitUntil(lambda: window.locked, timeout=5000)
    assert not window.tabs.isVisible() and window.lock_screen.isVisible()
    assert not window.actions_.show_board.isEnabled() and not window.menuBar().isEnabled()
    with demo_vault.reading() as s:
        assert common.fetch(s, Priority, card.id).plan.causes.startswith("Typed just before")  # type: ignore[union-attr]
    qtbot.keyClicks(window.lock_screen.passphrase, "not it")
    qtbot.keyClick(window.lock_screen.passphrase, Qt.Key.Key_Return)
    assert window.locked and "not the recovery passphrase" in window.lock_screen.error.text()
    window.lock_screen.passphrase.setText(DEMO_PASSPHRASE)
    qtbot.keyClick(window.lock_screen.passphrase, Qt.Key.Key_Return)
    assert not window.locked and window.tabs.isVisible()
    assert editor.toPlainText() == "Typed just before the officer walked away"


def test_every_control_has_an_accessible_name(
    qtbot: QtBot, demo_vault: Vault, clock: FixedClock, window_settings: WindowSettings
) -> None:
    window = make(qtbot, demo_vault, clock, window_settings, autolock_minutes=600)
    window.open_plan(next(c for c in window.board.model.cards() if c.status is S.IN_ACTION).id)
    kinds = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractItemView, QAbstractButton)
    unnamed = [
        f"{type(w).__name__} {w.objectName()!r}"
        for w in window.findChildren(QWidget)
        if isinstance(w, kinds) and not w.accessibleName() and not (isinstance(w, QAbstractButton) and w.text())
        and w.objectName() not in ("qt_scrollarea_viewport",) and w.parent() is not None
        and not type(w).__name__.startswith("QTabBar") and w.isVisibleTo(window)
    ]  # fmt: skip
    assert unnamed == []


def test_every_action_has_a_status_tip_and_views_have_shortcuts(
    qtbot: QtBot, demo_vault: Vault, clock: FixedClock, window_settings: WindowSettings
) -> None:
    window = make(qtbot, demo_vault, clock, window_settings, autolock_minutes=600)
    a = window.actions_
    assert [x.shortcut().toString() for x in (a.show_wards, a.show_board, a.show_plan)] == [
        "Ctrl+1",
        "Ctrl+2",
        "Ctrl+3",
    ]
    assert a.undo.shortcut().toString() == "Ctrl+Z" and "Ctrl+Shift+Z" in [
        k.toString() for k in a.redo.shortcuts()
    ]
    assert all(x.statusTip() for x in a.all())


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_laptop_and_projector_sizes(
    qtbot: QtBot, demo_vault: Vault, clock: FixedClock, window_settings: WindowSettings, size: tuple[int, int]
) -> None:
    window = make(qtbot, demo_vault, clock, window_settings, autolock_minutes=600)
    window.resize(*size)
    window.actions_.show_board.trigger()
    assert all(c.list.width() >= 130 for c in window.board.columns)
    window.actions_.show_plan.trigger()
    assert window.plan.tabs.isVisible() or window.plan.empty.isVisible()


def test_an_action_done_today_is_not_overdue(demo_vault: Vault) -> None:
    with demo_vault.reading() as s:
        from commmatters_desktop.core import queries

        cards = queries.priority_cards(s, cycle="2026-Q4", today=dt.date(2026, 11, 21))
    assert all(c.overdue_actions <= c.open_actions for c in cards)
    assert ActionStatus.DONE.label == "Done"


def test_the_auto_lock_time_is_chosen_from_the_file_menu(
    qtbot: QtBot, demo_vault: Vault, clock: FixedClock, window_settings: WindowSettings, dialogs: Dialogs
) -> None:
    window = make(qtbot, demo_vault, clock, window_settings)
    assert window.idle.timer.interval() == 5 * 60_000  # the default
    dialogs.form("Auto-lock", {"minutes": "10 minutes"})
    window.actions_.autolock.trigger()
    dialogs.done()
    assert window_settings.autolock_minutes(5) == 10.0 and window.idle.timer.interval() == 10 * 60_000
    assert "10 minutes" in window.lock_screen.explain.text()


def test_importing_wards_from_the_menu(
    qtbot: QtBot,
    demo_vault: Vault,
    clock: FixedClock,
    window_settings: WindowSettings,
    dialogs: Dialogs,
) -> None:
    from tests.conftest import GM_WARDS

    window = make(qtbot, demo_vault, clock, window_settings, autolock_minutes=600)
    dialogs.file("Import an ONS ward lookup", GM_WARDS).press("Wards imported", "OK")
    window.actions_.import_wards.trigger()
    dialogs.done()
    assert dialogs.seen[-1].endswith(
        "greater-manchester-wards-2022.csv: 175 wards added, 0 wards updated, 40 wards unchanged."
    )
    assert window.ward_view.model.rowCount() == 215
