"""Damage the vault's background integrity check finds is shown as loudly as a refusal on opening."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from commmatters_desktop.storage.vault import Vault

TITLE = "The vault is damaged"


class IntegrityWarning(QObject):
    """Carries the check thread's finding to the window's thread (a queued signal) and shows it there
    in a modal warning that says what to do."""

    found = Signal(str)

    def __init__(self, vault: Vault, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("integrityWarning")
        self._window = window
        #: The last finding shown (tests and the status bar read it).
        self.shown = ""
        self.found.connect(self._show)
        vault.watch_integrity(self.found.emit)

    @Slot(str)
    def _show(self, message: str) -> None:
        self.shown = message
        QMessageBox.warning(self._window, TITLE, message)
