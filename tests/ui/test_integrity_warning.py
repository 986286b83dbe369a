"""Damage the background integrity check finds reaches the window as a modal warning (issue 15)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from commmatters_desktop.ui.integrity_warning import TITLE, IntegrityWarning
from tests.storage.test_integrity import damaged_past_opening
from tests.ui.driver import Dialogs


def test_damage_found_in_the_background_is_shown_in_a_modal_warning_saying_what_to_do(
    qtbot: QtBot, dialogs: Dialogs, vault_dir: Path
) -> None:
    vault = damaged_past_opening(vault_dir)
    try:
        window = QWidget()
        qtbot.addWidget(window)
        dialogs.press(TITLE, "OK")
        warning = IntegrityWarning(vault, window)
        qtbot.waitUntil(lambda: bool(warning.shown), timeout=120_000)
        dialogs.done()
        assert "is damaged" in warning.shown and "restore" in warning.shown
    finally:
        vault.close()
