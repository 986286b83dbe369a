"""The main window on the demo force, driven as an officer would: type, pick, press shortcuts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.main_window import MainWindow
from commmatters_desktop.ui.models.ward_table import WardColumn
from commmatters_desktop.ui.settings import WindowSettings
from tests.ui.driver import Dialogs


def column(window: MainWindow, col: WardColumn) -> list[str]:
    proxy = window.ward_view.proxy
    return [proxy.index(r, col).data() for r in range(proxy.rowCount())]


def test_the_demo_is_plainly_labelled(window: MainWindow) -> None:
    assert window.windowTitle().startswith("DEMO")
    banner = window.findChild(QLabel, "demoBanner")
    assert banner is not None and banner.isVisible() and "DEMO FORCE" in banner.text()
    assert window.findChild(QLabel, "statusVault").text().startswith("DEMO vault")
    assert window.findChild(QLabel, "statusCycle").text() == "Cycle 2026-Q4"


def test_the_ward_view_lists_every_ward_with_its_priority(window: MainWindow) -> None:
    assert window.findChild(type(window.ward_view), "wardView") is window.ward_view
    assert window.ward_view.proxy.rowCount() == 40
    priorities = column(window, WardColumn.PRIORITY)
    assert any(p.startswith("In action: ") for p in priorities) and "—" in priorities
    assert window.ward_view.summary.text() == "40 wards"


def test_typing_a_search_filters_the_wards(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.keyClicks(window.ward_view.search, "drug")
    assert window.ward_view.proxy.rowCount() > 0
    assert all("drug" in p.lower() for p in column(window, WardColumn.PRIORITY))
    window.ward_view.search.clear()
    qtbot.keyClicks(window.ward_view.search, "E05000650")
    assert column(window, WardColumn.NAME) == ["Astley Bridge"]
    assert window.ward_view.summary.text() == "1 of 40 wards"


def test_choosing_a_local_authority_filters_the_wards(window: MainWindow) -> None:
    combo = window.ward_view.authority
    assert combo.count() == 11
    combo.setCurrentText("Wigan")
    assert set(column(window, WardColumn.LA)) == {"Wigan"} and window.ward_view.proxy.rowCount() == 4


def test_shortcuts_reach_the_search_and_the_ward_view(window: MainWindow, qtbot: QtBot) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.ward_view.search)
    assert window.actions_.show_wards.shortcut().toString() == "Ctrl+1"
    assert all(a.statusTip() for a in window.actions_.all())


def test_every_control_has_an_accessible_name(window: MainWindow) -> None:
    view = window.ward_view
    for widget in (view.search, view.authority, view.table, window.tabs):
        assert widget.accessibleName(), widget.objectName()


def test_the_ward_model_passes_the_model_tester(window: MainWindow, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(window.ward_view.model)
    qtmodeltester.check(window.ward_view.proxy)


def test_check_database_reports_a_healthy_vault(window: MainWindow, qtbot: QtBot, dialogs: Dialogs) -> None:
    dialogs.press("Vault healthy", "OK")
    window.actions_.check.trigger()
    dialogs.done()


def test_window_size_is_remembered(
    qtbot: QtBot, demo_vault: Vault, clock: FixedClock, window_settings: WindowSettings
) -> None:
    first = MainWindow(demo_vault, clock=clock, settings=window_settings)
    qtbot.addWidget(first)
    first.resize(790, 570)  # the offscreen test screen is 800x800
    first.show()
    qtbot.waitExposed(first)
    first.close()
    second = MainWindow(demo_vault, clock=clock, settings=window_settings)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (790, 570)


def test_the_priority_column_stays_readable_in_a_small_window(window: MainWindow) -> None:
    window.resize(790, 560)
    window.refresh()
    table = window.ward_view.table
    assert table.columnWidth(WardColumn.PRIORITY) >= 320
    assert not table.wordWrap()
