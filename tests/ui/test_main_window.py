"""The main window on the demo force, driven as an officer would: type, pick, press shortcuts."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from commmatters_desktop import APP_TITLE
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
    # Qt appends the display name to a title that does not end with it: once, at the end, says it once.
    assert window.windowTitle().endswith(APP_TITLE) and window.windowTitle().count(APP_TITLE) == 1
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


def test_check_database_runs_off_the_window_thread_which_stays_usable_meanwhile(
    window: MainWindow, qtbot: QtBot, dialogs: Dialogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A force's vault takes minutes to check: the officer keeps working and the answer comes later.
    The check is held at its last step (the audit chain) until the test has worked in the window."""
    vault = window.vault
    real = vault._check_audit
    release, reached = threading.Event(), threading.Event()
    threads: list[str] = []

    def held() -> list[str]:
        threads.append(threading.current_thread().name)
        reached.set()
        release.wait(30)
        return real()

    monkeypatch.setattr(vault, "_check_audit", held)
    window.actions_.check.trigger()
    assert (
        window.statusBar().currentMessage().startswith("Checking every page of the vault in the background")
    )
    qtbot.waitUntil(reached.is_set)
    assert threads == ["vault-integrity-check"]
    window.actions_.check.trigger()  # asked again while it runs: one check, and a word why
    assert window.statusBar().currentMessage().startswith("The integrity check is still running")
    qtbot.keyClicks(window.ward_view.search, "E05000650")  # the window answers meanwhile
    assert column(window, WardColumn.NAME) == ["Astley Bridge"]
    assert QApplication.activeModalWidget() is None
    dialogs.press("Vault healthy", "OK")
    release.set()
    dialogs.done()
    assert threads == ["vault-integrity-check"] and dialogs.seen[0].startswith("Vault healthy: Every page")


def test_closing_the_vault_during_a_check_stops_it_and_nothing_is_reported(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = window.vault
    real = vault._check_audit
    release, reached = threading.Event(), threading.Event()
    monkeypatch.setattr(vault, "_check_audit", lambda: (reached.set(), release.wait(30), real())[2])
    window.actions_.check.trigger()
    qtbot.waitUntil(reached.is_set)
    check = vault._checks_asked[-1]
    release.set()
    check.cancel(wait=5)
    assert check.finished.wait(5) and check.problems is None  # cancelled: nothing reported
    assert QApplication.activeModalWidget() is None


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
