"""What every controller shares: the window it serves, its operations and clock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from commmatters_desktop.ui.main_window import MainWindow


class Controller(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.ops = window.ops
        self.clock = window.clock
        self.vault = window.vault

    def say(self, message: str, msecs: int = 10_000) -> None:
        """A line in the status bar: what just happened, or why nothing did."""
        self.window.statusBar().showMessage(message, msecs)
