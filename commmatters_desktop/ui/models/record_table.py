"""One table model for every list of records: the plan view's actions, measures and feedback, and the
long lists (people, partners' actions, the audit trail).

Columns are declared, not coded: what to show, how to edit and how to read what was typed. An edit
never writes to the model itself: it is handed on (``edit_requested``) to a service, and the table
reloads from the vault, so what you see is always what was saved.

Long lists page, as Qt's own SQL models do: the view is given the first :data:`PAGE` rows and asks for
more (``canFetchMore``/``fetchMore``) as it scrolls, so showing 5,000 people costs what showing 200
does. A page comes either from the vault (:meth:`RecordTableModel.set_pages`: the query takes an
offset and a limit) or from a list read at once as plain tuples (:meth:`RecordTableModel.set_listing`),
which the model searches, filters and sorts whole, so a search finds every row, not only those loaded.
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
from commmatters_desktop.ui.models import roles
from commmatters_desktop.ui.models.keyed import KeyedRows
from commmatters_desktop.ui.widgets import ChoiceCombo

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")
#: Rows a long list shows at first, and adds each time the view scrolls to its end.
PAGE = 200
#: The roles a record table answers; Qt asks for a dozen more per cell, which return at once.
_ANSWERED = frozenset({roles.DISPLAY, roles.TOOLTIP, roles.EDIT, roles.ACCESSIBLE, roles.FOREGROUND})
_WARNING = QColor("#b00020")


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
        #: (offset, limit) -> rows, when the model pages; None shows every row given to set_rows.
        self._fetch: Callable[[int, int], Sequence[R]] | None = None
        self._more = False
        self.page = PAGE
        #: A paged list read whole (set_listing): every row, and what the search and filter keep, sorted.
        self._listing: list[R] | None = None
        self._matching: list[R] = []
        self._words: list[str] = []
        self._keep: Callable[[R], bool] = lambda _r: True
        self._order: tuple[int, Qt.SortOrder] | None = None

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

    # --- paging ---------------------------------------------------------------------------------------------

    def set_pages(self, fetch: Callable[[int, int], Sequence[R]]) -> None:
        """Show the first page of ``fetch(offset, limit)`` (rows already scrolled into stay shown)."""
        self._fetch = fetch
        wanted = max(self.page, len(self._rows))
        first = list(fetch(0, wanted))
        self._more = len(first) >= wanted
        self.set_rows(first)

    @property
    def paged(self) -> bool:
        return self._fetch is not None

    @property
    def listed(self) -> bool:
        """Searched, filtered and sorted here, over every row (set_listing), not by a proxy."""
        return self._listing is not None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent) or self._fetch is None:
            return
        start = len(self._rows)
        more = list(self._fetch(start, self.page))
        self._more = len(more) >= self.page
        if more:
            self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
            self._keyed.rows.extend(more)
            self.endInsertRows()

    def fetch_all(self) -> None:
        while self.canFetchMore():
            self.fetchMore()

    def reveal(self, wanted: Callable[[R], bool]) -> int | None:
        """The row of the first record ``wanted``, loading pages until it is loaded (None: not shown)."""
        while True:
            found = next((i for i, r in enumerate(self._rows) if wanted(r)), None)
            if found is not None or not self.canFetchMore():
                return found
            self.fetchMore()

    def set_listing(self, rows: Sequence[R]) -> None:
        """Every row, read at once; shown a page at a time, searched and sorted whole."""
        self._listing = list(rows)
        self._relist()

    def listing(self) -> list[R]:
        """Every row the search and filter keep, loaded or not."""
        return list(self._matching)

    def set_search(self, text: str) -> None:
        self._words = text.casefold().split()
        self._relist()

    def set_predicate(self, keep: Callable[[R], bool]) -> None:
        self._keep = keep
        self._relist()

    def matches(self, record: R) -> bool:
        if not self._keep(record):
            return False
        if not self._words:
            return True
        text = " ".join(c.show(record) for c in self.columns).casefold()
        return all(word in text for word in self._words)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self._listing is None or not 0 <= column < len(self.columns):
            return
        self._order = (column, order)
        self._relist()

    def _relist(self) -> None:
        if self._listing is None:
            return
        matching = [r for r in self._listing if self.matches(r)]
        if self._order is not None:
            column, order = self.columns[self._order[0]], self._order[1]
            show = column.current or column.show
            matching.sort(
                key=lambda r: str(show(r)).casefold(), reverse=order == Qt.SortOrder.DescendingOrder
            )
        self._matching = matching
        self.set_pages(lambda offset, limit: matching[offset : offset + limit])

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def rows(self) -> list[R]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = roles.DISPLAY) -> Any:
        if role == roles.DISPLAY and orientation == roles.HORIZONTAL:
            return self.columns[section].header
        return None

    def data(self, index: Index, role: int = roles.DISPLAY) -> Any:
        if role not in _ANSWERED or not index.isValid() or index.row() >= len(self._rows):
            return None
        record, column = self._rows[index.row()], self.columns[index.column()]
        if role == roles.DISPLAY or role == roles.TOOLTIP:
            return column.show(record)
        if role == roles.EDIT:
            return column.current(record) if column.current else column.show(record)
        if role == roles.ACCESSIBLE:
            return f"{column.header}: {column.show(record) or 'blank'}"
        return _WARNING if self._warn(record) else None  # roles.FOREGROUND

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
