"""Driving the app's real modal dialogs from a test: forms, message boxes and file dialogs.

A :class:`Script` lists what the user does in each dialog as it appears; it polls from the event
loop the dialog itself runs (no sleeps), acts on the next dialog of the expected kind, and records
what each dialog said so the test can check it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from commmatters_desktop.ui.forms import FormDialog

Step = tuple[type[QWidget], Callable[[Any], None]]


class Script:
    def __init__(self, qtbot: QtBot, *steps: Step) -> None:
        self.qtbot = qtbot
        self.steps = list(steps)
        self.seen: list[str] = []
        self._last: QWidget | None = None
        QTimer.singleShot(0, self._poll)

    def _poll(self) -> None:
        if not self.steps:
            return
        widget = QApplication.activeModalWidget()
        kind, act = self.steps[0]
        if isinstance(widget, kind) and widget is not self._last and widget.isVisible():
            self.steps.pop(0)
            self._last = widget
            self.seen.append(describe(widget))
            act(widget)
        QTimer.singleShot(5, self._poll)

    def finished(self) -> None:
        """Wait until every dialog was answered."""
        self.qtbot.waitUntil(lambda: not self.steps, timeout=10000)


def describe(widget: QWidget) -> str:
    if isinstance(widget, QMessageBox):
        return f"{widget.windowTitle()}: {widget.text()}"
    return widget.windowTitle()


def fill(values: dict[str, Any], *, ok: bool = True) -> Step:
    """Type into a form (text, a choice by its label, a tick) and press its OK button."""

    def act(dialog: FormDialog) -> None:
        for key, value in values.items():
            widget = dialog.widgets[key]
            if isinstance(widget, QComboBox):
                index = widget.findText(str(value))
                offered = [widget.itemText(i) for i in range(widget.count())]
                assert index >= 0, f"'{value}' is not offered for {key}: {offered}"
                widget.setCurrentIndex(index)
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(str(value))
            elif isinstance(widget, QLineEdit):
                widget.setText(str(value))
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        which = QDialogButtonBox.StandardButton.Ok if ok else QDialogButtonBox.StandardButton.Cancel
        box.button(which).click()

    return FormDialog, act


def press(button: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok) -> Step:
    def act(box: QMessageBox) -> None:
        chosen = box.button(button)
        assert chosen is not None, f"no {button} in '{box.text()}'"
        chosen.click()

    return QMessageBox, act


def choose_file(path: Path) -> Step:
    def act(dialog: QFileDialog) -> None:
        dialog.selectFile(str(path))
        dialog.accept()

    return QFileDialog, act
