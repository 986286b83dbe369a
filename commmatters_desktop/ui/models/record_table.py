"""One editable table model for every list of records in the plan view (actions, measures, feedback).

Columns are declared, not coded: what to show, how to edit and how to read what was typed. An edit
never writes to the model itself: it is handed on (``edit_requested``) to a service, and the table
reloads from the vault, so what you see is always what was saved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLineEdit, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from commmatters_desktop.core.errors import ValidationError
from commmatters_desktop.ui.models.keyed import KeyedRows
from commmatters_desktop.ui.widgets import ChoiceCombo

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")


class Editor(Enum):
    NONE = "none"
    TEXT = "text"
    CHOICE = "choice"
    DATE = "date"
    NUMBER = "number"


def parse_date(text: str) -> dt.date | None:
    """Dates as officers type them: 30/11/2026, 30-11-2026 or 2026-11-30; blank for none."""
    text = text.strip()
    if not text:
        return None
    for pattern, order in (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"),
        (r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", "dmy"),
    ):
        match = re.fullmatch(pattern, text)
        if match:
            parts = dict(zip(order, map(int, match.groups()), strict=True))
            try:
                return dt.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                break
    raise ValidationError(f"'{text}' is not a date: type it as day/month/year, for example 30/11/2026.")


def parse_number(text: str) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationError(f"'{text}' is not a number: type a figure such as 14 or 3.5.") from None


def show_date(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def show_number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _no_choices() -> Sequence[tuple[str, Any]]:
    return ()


@dataclass
class Column(Generic[R]):
    header: str
    show: Callable[[R], str]
    #: The record field an edit of this column changes.
    name: str = ""
    editor: Editor = Editor.NONE
    #: For CHOICE columns: (label, value) pairs, read when the editor opens.
    choices: Callable[[], Sequence[tuple[str, Any]]] = _no_choices
    #: The value the editor starts from (defaults to what is shown).
    current: Callable[[R], Any] | None = None

    def parse(self, typed: Any) -> Any:
        if self.editor is Editor.DATE:
            return parse_date(str(typed))
        if self.editor is Editor.NUMBER:
            return parse_number(str(typed))
        if self.editor is Editor.CHOICE:
            # Whatever came back through Qt (a str for a str-enum, say), hand on the offered value itself.
            for _label, value in self.choices():
                if value == typed:
                    return value
            raise ValidationError(f"'{typed}' is not one of the choices for {self.header.lower()}.")
        return typed


class RecordTableModel(QAbstractTableModel, Generic[R]):
    #: (record, field, parsed value): the view turns it into an undoable service call.
    edit_requested = Signal(object, str, object)
    #: A typed value was not acceptable: the message says how to type it.
    invalid = Signal(str)

    def __init__(
        self,
        columns: list[Column[R]],
        parent: QObject | None = None,
        *,
        warn: Callable[[R], bool] = lambda _r: False,
    ) -> None:
        super().__init__(parent)
        self.columns = columns
        self.editable = True
        self._keyed: KeyedRows[R] = KeyedRows(self, lambda r: getattr(r, "id", None))
        self._warn = warn

    @property
    def _rows(self) -> list[R]:
        return self._keyed.rows

    def set_rows(self, rows: Sequence[R]) -> None:
        """Show ``rows``: rows with an id update in place (one edited row, one ``dataChanged``)."""
        keys = [getattr(r, "id", None) for r in rows]
        if None in keys or len(set(keys)) != len(keys):
            self._keyed.reset(rows)
        else:
            self._keyed.replace(rows)

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def rows(self) -> list[R]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record, column = self._rows[index.row()], self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.show(record)
        if role == Qt.ItemDataRole.EditRole:
            return column.current(record) if column.current else column.show(record)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{column.header}: {column.show(record) or 'blank'}"
        if role == Qt.ItemDataRole.ForegroundRole and self._warn(record):
            return QColor("#b00020")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags  # the root is not an item (Qt's model tester insists)
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and self.editable and self.columns[index.column()].editor is not Editor.NONE:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        column = self.columns[index.column()]
        try:
            parsed = column.parse(value)
        except ValidationError as exc:
            self.invalid.emit(exc.message)
            return False
        self.edit_requested.emit(self._rows[index.row()], column.name, parsed)
        return False  # the vault decides; the table reloads from it


class RecordDelegate(QStyledItemDelegate):
    """Editors by column kind: a combo for choices, a line edit with the value as typed otherwise."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        model = index.model()
        column = model.columns[index.column()]  # type: ignore[attr-defined]
        if column.editor is Editor.CHOICE:
            combo = ChoiceCombo(parent, column.choices())
            combo.setAccessibleName(column.header)
            return combo
        edit = QLineEdit(parent)
        edit.setAccessibleName(column.header)
        if column.editor is Editor.DATE:
            edit.setPlaceholderText("dd/mm/yyyy")
        return edit

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, ChoiceCombo):
            editor.select(value)
        elif isinstance(editor, QLineEdit):
            editor.setText("" if value is None else str(value))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, ChoiceCombo):
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
