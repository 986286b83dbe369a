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


def test_every_menu_action(window: MainWindow, qtbot: QtBot, dialogs: Dialogs, tmp_path: Path) -> None:
    dialogs.autopilot = tmp_path
    before = crash_log().read_text() if crash_log().exists() else ""
    triggered: list[str] = []
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    actions = [a for menu in menus for a in menu.actions() if not a.isSeparator()]  # type: ignore[union-attr]
    assert actions
    for action in actions:
        if action.objectName() in SKIPPED:
            continue
        for view in (window.board, window.plan, window.ward_view):
            window.tabs.setCurrentWidget(view)
            select_first_rows(view)
            if view is window.board:
                cards = window.board.model.cards()
                if cards:
                    window.board.select(cards[0].id)
            if not action.isEnabled():
                continue
            action.trigger()
            settle(qtbot, dialogs)
            if window.locked:
                window.unlock(DEMO_PASSPHRASE)
            triggered.append(action.objectName())
            for widget in QApplication.topLevelWidgets():
                if widget is not window and widget.isVisible() and widget.isWindow():
                    widget.close()  # a preview or the meeting screen the action opened
    assert set(triggered) >= {a.objectName() for a in actions if a.objectName() not in SKIPPED} - {""}
    after = crash_log().read_text() if crash_log().exists() else ""
    assert after == before, after[len(before) :]
