"""Every QAction in one place: text, shortcut, status tip and enabled state (Picard's registry)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

Key = QKeySequence.StandardKey


@dataclass
class Actions:
    backup: QAction
    check: QAction
    quit: QAction
    show_wards: QAction
    find: QAction
    refresh: QAction
    about: QAction

    def all(self) -> list[QAction]:
        return list(vars(self).values())


def _action(
    parent: QWidget, name: str, text: str, tip: str, shortcut: QKeySequence | Key | str | None
) -> QAction:
    action = QAction(text, parent)
    action.setObjectName(name)
    action.setStatusTip(tip)
    action.setToolTip(tip)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    return action


def build_actions(parent: QWidget) -> Actions:
    return Actions(
        backup=_action(
            parent, "actionBackup", "&Back up vault…", "Write an encrypted copy of the vault", "Ctrl+Shift+B"
        ),
        check=_action(
            parent, "actionCheck", "&Check database", "Verify every page of the encrypted database", None
        ),
        quit=_action(parent, "actionQuit", "&Quit", "Close the vault and quit", Key.Quit),
        show_wards=_action(parent, "actionShowWards", "&Wards", "Show every ward and its priority", "Ctrl+1"),
        find=_action(parent, "actionFind", "&Find…", "Search the current view", Key.Find),
        refresh=_action(parent, "actionRefresh", "&Refresh", "Reload from the vault", Key.Refresh),
        about=_action(
            parent, "actionAbout", "&About Community Matters Desktop", "Version and licences", None
        ),
    )
