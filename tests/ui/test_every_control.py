"""Every menu action and every button of every view, pressed with something selected: none may fail.

The dialogs they open are answered by the driver's autopilot (forms filled and accepted, files saved
into a temporary folder, message boxes given their default button); any exception in a slot fails the
test (pytest-qt), and so does any "Something went wrong" message or a crash-log entry.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from commmatters_desktop import APP_NAME
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.demo import DEMO_PASSPHRASE
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.actions import MENUS, SPECS, When
from commmatters_desktop.ui.main_window import MainWindow
from commmatters_desktop.ui.settings import WindowSettings
from tests.ui.driver import Dialogs

#: Actions left out, and why: each is exercised by a test of its own.
SKIPPED = {
    "actionQuit": "closes the window (closing is tested in test_main_window)",
}


def crash_log() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)) / "crash.log"


def settle(qtbot: QtBot, dialogs: Dialogs) -> None:
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None or bool(dialogs.errors), timeout=20_000)
    assert not dialogs.errors, "\n".join(dialogs.errors)


def select_first_rows(root: QWidget) -> None:
    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if view.isVisible() and model is not None and model.rowCount() > 0:
            view.setCurrentIndex(model.index(0, 0))


@pytest.fixture
def window(
    qtbot: QtBot, demo_vault: Vault, clock: FixedClock, window_settings: WindowSettings, tmp_path: Path
) -> MainWindow:
    main = MainWindow(
        demo_vault, clock=clock, settings=window_settings, autolock_minutes=600, sync_on_open=False
    )
    main.sync_on_close = False
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    qtbot.waitExposed(main)
    return main


def test_every_button_of_every_view_and_tab(
    window: MainWindow, qtbot: QtBot, dialogs: Dialogs, tmp_path: Path
) -> None:
    dialogs.autopilot = tmp_path
    before = crash_log().read_text() if crash_log().exists() else ""
    pressed: list[str] = []
    in_action = next(c for c in window.board.model.cards() if c.status.value == "in_action")
    window.open_plan(in_action.id)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        view = window.tabs.widget(index)
        pages = getattr(view, "tabs", None)
        for page in range(pages.count() if pages is not None else 1):
            if pages is not None:
                pages.setCurrentIndex(page)
            select_first_rows(view)
            for button in view.findChildren(QPushButton):
                window.tabs.setCurrentIndex(index)
                if pages is not None:
                    pages.setCurrentIndex(page)
                if window.plan.detail is None:
                    window.open_plan(in_action.id)
                select_first_rows(view)
                if not (button.isVisible() and button.isEnabled()):
                    continue
                button.click()
                settle(qtbot, dialogs)
                pressed.append(f"{window.tabs.tabText(index)}: {button.objectName() or button.text()}")
    assert len(pressed) >= 15, pressed
    after = crash_log().read_text() if crash_log().exists() else ""
    assert after == before, after[len(before) :]


def fingerprint(window: MainWindow, dialogs: Dialogs) -> tuple[object, ...]:
    """What an officer could see change: a dialog met, the tab, the lock, the undo stack, the status
    line, where the keyboard is, and any window of the app's own that opened."""
    others = tuple(
        w.objectName() for w in QApplication.topLevelWidgets() if w is not window and w.isVisible()
    )
    return (
        len(dialogs.seen),
        window.tabs.currentIndex(),
        window.locked,
        window.ops.stack.index(),
        window.statusBar().currentMessage(),
        QApplication.focusWidget(),
        others,
    )


def test_every_action_is_declared_once_in_a_menu_with_a_tip_and_its_own_shortcut(window: MainWindow) -> None:
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    in_menus = [a for menu in menus for a in menu.actions() if not a.isSeparator()]  # type: ignore[union-attr]
    declared = window.actions_.all()
    assert [spec.name for spec in SPECS] == [spec.name for spec, _ in window.actions_.specs()]
    assert set(in_menus) == set(declared) and len(in_menus) == len(declared)  # each in exactly one menu
    assert [m.title() for m in menus] == list(MENUS)  # type: ignore[union-attr]
    for action in declared:
        assert action.objectName().startswith("action") and action.statusTip(), action.text()
    keys = [k.toString() for a in declared for k in a.shortcuts()]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    toolbar = [a for a in window.toolbar.actions() if not a.isSeparator()]
    assert toolbar and set(toolbar) <= set(declared)


def test_an_action_that_cannot_be_used_yet_says_why(window: MainWindow) -> None:
    window.tabs.setCurrentWidget(window.ward_view)
    window.ward_view.table.clearSelection()
    window.ward_view.table.setCurrentIndex(window.ward_view.proxy.index(-1, -1))
    window.update_actions()
    edit = window.actions_.edit_ward
    assert not edit.isEnabled() and edit.statusTip().endswith(When.WARD.why)
    assert not window.actions_.undo.isEnabled() and window.actions_.undo.statusTip().endswith(When.UNDO.why)
    window.safekeeping.lock()
    assert all(
        not a.isEnabled()
        for a in window.actions_.all()
        if a not in (window.actions_.quit, window.actions_.about)
    )
    assert window.actions_.sync_now.statusTip().endswith(When.UNLOCKED.why)
    window.safekeeping.unlock(DEMO_PASSPHRASE)
    assert (
        window.actions_.sync_now.isEnabled()
        and window.actions_.sync_now.statusTip()
        == "Exchange changes with colleagues through the shared folder"
    )


def test_every_menu_action(window: MainWindow, qtbot: QtBot, dialogs: Dialogs, tmp_path: Path) -> None:
    """Each action, triggered with a card, a plan or a ward chosen, does something an officer can see
    (opens a dialog or window, changes the tab, the data, the lock or the status line, or moves the
    keyboard) in at least one of them, or is disabled there with a tip that says why."""
    dialogs.autopilot = tmp_path
    before = crash_log().read_text() if crash_log().exists() else ""
    did: dict[str, set[str]] = {}
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    actions = [a for menu in menus for a in menu.actions() if not a.isSeparator()]  # type: ignore[union-attr]
    assert actions
    for action in actions:
        if action.objectName() in SKIPPED:
            continue
        effects = did.setdefault(action.objectName(), set())
        for view in (window.board, window.plan, window.ward_view):
            window.tabs.setCurrentWidget(view)
            select_first_rows(view)
            if view is window.board:
                cards = window.board.model.cards()
                if cards:
                    window.board.select(cards[0].id)
            window.statusBar().clearMessage()
            if not action.isEnabled():
                assert action.statusTip().endswith(tuple(w.why for w in When if w.why)), action.objectName()
                effects.add("disabled, saying why")
                continue
            effects.add("enabled")
            seen = fingerprint(window, dialogs)
            action.trigger()
            settle(qtbot, dialogs)
            if fingerprint(window, dialogs) != seen:
                effects.add("did something")
            if window.locked:
                window.safekeeping.unlock(DEMO_PASSPHRASE)
            for widget in QApplication.topLevelWidgets():
                if widget is not window and widget.isVisible() and widget.isWindow():
                    widget.close()  # a preview or the meeting screen the action opened
    nothing = sorted(name for name, effects in did.items() if "did something" not in effects
                     and effects != {"disabled, saying why"})  # fmt: skip
    assert not nothing, f"actions that did nothing visible: {nothing}"
    assert set(did) >= {a.objectName() for a in actions if a.objectName() not in SKIPPED} - {""}
    after = crash_log().read_text() if crash_log().exists() else ""
    assert after == before, after[len(before) :]
