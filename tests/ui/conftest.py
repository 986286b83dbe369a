from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.main_window import MainWindow
from commmatters_desktop.ui.settings import WindowSettings
from tests.ui.driver import Dialogs


@pytest.fixture
def window_settings(tmp_path: Path) -> WindowSettings:
    """Window state goes to a private ini file, never the user's settings."""
    return WindowSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def dialogs(qtbot: QtBot) -> Iterator[Dialogs]:
    """Answers the real dialogs the test expects; any other dialog, or an unused answer, fails it."""
    driver = Dialogs(qtbot)
    yield driver
    driver.stop()
    assert not driver.errors, "\n".join(driver.errors)
    assert not driver.answers, f"dialogs expected but never shown: {[title for title, _ in driver.answers]}"


@pytest.fixture
def window(
    qtbot: QtBot, demo_vault: Vault, clock: FixedClock, window_settings: WindowSettings
) -> Iterator[MainWindow]:
    """The main window on the demo force, laptop-sized, with auto-lock far away."""
    main = MainWindow(demo_vault, clock=clock, settings=window_settings, autolock_minutes=600)
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    qtbot.waitExposed(main)
    yield main
