"""One form dialog for every small question the app asks (a reason, a new action, a ward's details).

Forms are declared as fields; the dialog validates required fields and dates inline before it
closes, and :func:`ask_form` is the single place views call, so each flow can be driven in tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from commmatters_desktop.core.errors import ValidationError
from commmatters_desktop.ui.models.record_table import parse_date, show_date
from commmatters_desktop.ui.widgets import ChoiceCombo


class Kind(Enum):
    TEXT = "text"
    MULTILINE = "multiline"
    CHOICE = "choice"
    DATE = "date"
    CHECK = "check"
    PASSWORD = "password"


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: Kind = Kind.TEXT
    required: bool = False
    value: Any = None
    choices: Sequence[tuple[str, Any]] = ()
    hint: str = ""


class FormDialog(QDialog):
    def __init__(
        self, title: str, intro: str, fields: Sequence[Field], ok_text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("formDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.fields = list(fields)
        self.widgets: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        if intro:
            text = QLabel(intro, self)
            text.setWordWrap(True)
            layout.addWidget(text)
        form = QFormLayout()
        for spec in self.fields:
            widget = self._widget(spec)
            widget.setObjectName(f"form_{spec.key}")
            widget.setAccessibleName(spec.label)
            if spec.hint:
                widget.setToolTip(spec.hint)
            self.widgets[spec.key] = widget
            form.addRow(f"{spec.label}{' *' if spec.required else ''}:", widget)
        layout.addLayout(form)
        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _widget(self, spec: Field) -> QWidget:
        if spec.kind is Kind.MULTILINE:
            box = QPlainTextEdit(self)
            box.setTabChangesFocus(True)
            box.setPlainText(spec.value or "")
            box.setFixedHeight(90)
            return box
        if spec.kind is Kind.CHOICE:
            combo = ChoiceCombo(self, spec.choices)
            if spec.value is not None:
                combo.select(spec.value)
            return combo
        if spec.kind is Kind.CHECK:
            check = QCheckBox(self)
            check.setChecked(bool(spec.value))
            return check
        edit = QLineEdit(self)
        if spec.kind is Kind.PASSWORD:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        if spec.kind is Kind.DATE:
            edit.setPlaceholderText("dd/mm/yyyy")
            edit.setText(show_date(spec.value) if isinstance(spec.value, dt.date) else "")
        else:
            edit.setText(spec.value or "")
        return edit

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for spec in self.fields:
            widget = self.widgets[spec.key]
            if isinstance(widget, QPlainTextEdit):
                found[spec.key] = widget.toPlainText().strip()
            elif isinstance(widget, ChoiceCombo):
                found[spec.key] = widget.value()
            elif isinstance(widget, QCheckBox):
                found[spec.key] = widget.isChecked()
            elif isinstance(widget, QLineEdit):
                text = widget.text().strip()
                found[spec.key] = parse_date(text) if spec.kind is Kind.DATE else text
        return found

    def _check(self) -> None:
        try:
            values = self.values()
        except ValidationError as exc:
            self.show_error(exc.message)
            return
        missing = [s.label for s in self.fields if s.required and values.get(s.key) in (None, "")]
        if missing:
            self.show_error(f"Fill in {', '.join(missing)}.")
            return
        self.accept()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


def ask_form(
    parent: QWidget | None, title: str, intro: str, fields: Sequence[Field], ok_text: str = "OK"
) -> dict[str, Any] | None:
    """Show a form and return what was entered, or None if the user cancelled."""
    dialog = FormDialog(title, intro, fields, ok_text, parent)
    return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_reason(parent: QWidget | None, title: str, question: str) -> str | None:
    answer = ask_form(parent, title, "", [Field("reason", question, Kind.MULTILINE, required=True)], "OK")
    return None if answer is None else str(answer["reason"])
