"""Small widget helpers shared across views."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QPushButton, QTableView, QWidget


class ChoiceCombo(QComboBox):
    """A combo box whose choices are Python values, handed back exactly as they were given.

    Qt converts item data on the way in and out (a ``str`` enum comes back as a plain ``str``, and
    ``findData`` compares UUIDs by identity), and PySide6 6.12.0's ``addItem`` leaks references.
    Keeping the values in a Python list beside a string-list model avoids both: the only thing Qt
    stores is the label, and :meth:`value` looks the choice up by index. Every combo that offers a
    choice of records or enum members in the app is one of these.
    """

    def __init__(
        self, parent: QWidget | None = None, choices: Sequence[tuple[str, Any]] = (), *, name: str = ""
    ) -> None:
        super().__init__(parent)
        if name:
            self.setObjectName(name)
        self._values: list[Any] = []
        self._labels = QStringListModel(self)
        self.setModel(self._labels)
        self.set_choices(choices)

    def set_choices(self, choices: Sequence[tuple[str, Any]], *, keep: bool = True) -> None:
        """Replace the choices, keeping the current value selected when it is still offered."""
        current = self.value() if keep else None
        blocked = self.blockSignals(True)
        self._values = [value for _label, value in choices]
        self._labels.setStringList([label for label, _value in choices])
        self.setCurrentIndex(max(self.index_of(current), 0) if self._values else -1)
        self.blockSignals(blocked)

    def value(self) -> Any:
        """The chosen value as it was given (an enum member, a UUID, None for a "(none)" choice)."""
        index = self.currentIndex()
        return self._values[index] if 0 <= index < len(self._values) else None

    def values(self) -> list[Any]:
        return list(self._values)

    def index_of(self, value: Any) -> int:
        """The index of the choice equal to ``value`` by Python equality, or -1."""
        return next((i for i, candidate in enumerate(self._values) if candidate == value), -1)

    def select(self, value: Any) -> bool:
        """Select the choice holding ``value``; False (selection unchanged) when none does."""
        index = self.index_of(value)
        if index >= 0:
            self.setCurrentIndex(index)
        return index >= 0

    def select_label(self, label: str) -> bool:
        """Select the choice shown as ``label``, as a user picking from the list would."""
        index = self.findText(label)
        if index >= 0:
            self.setCurrentIndex(index)
        return index >= 0


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Size a dialog as designed, but never past the screen it opens on (a 1366x768 laptop cuts off a
    900-pixel-high window's buttons), leaving room for the taskbar and title bar."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(width, height)
        return
    available = screen.availableGeometry()
    window.resize(min(width, int(available.width() * 0.95)), min(height, int(available.height() * 0.9)))


def keep_place(table: QAbstractItemView, reload: Callable[[], None]) -> None:
    """Reload a table's model without losing the keyboard's place in it.

    Every edit reloads from the vault; without this a keyboard user editing a cell would find the
    cursor gone after each change.
    """
    here = table.currentIndex()
    row, column = (here.row(), here.column()) if here.isValid() else (-1, -1)
    reload()
    model = table.model()
    if model is not None and 0 <= row < model.rowCount() and 0 <= column < model.columnCount():
        table.setCurrentIndex(model.index(row, column))


def button(parent: QWidget, text: str, name: str, handler: Callable[[], object]) -> QPushButton:
    """A push button with a stable objectName and an accessible name from its text."""
    made = QPushButton(text, parent)
    made.setObjectName(name)
    made.setAccessibleName(text.rstrip("…▶ "))
    made.clicked.connect(handler)
    return made


def row_table(parent: QWidget, name: str, accessible: str) -> QTableView:
    """A read-only table of records: one row selected at a time, named for tests and screen readers."""
    table = QTableView(parent)
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fit_columns(table: QTableView) -> None:
    """Columns sized to what they show, the first time the table has rows; later reloads keep the widths.

    Sizing asks the model for every column of a sample of rows, in each of a dozen roles: a fifth of a
    force-wide list's first show, paid again on every reload. Kept widths are also what someone who
    dragged a column wider expects after the next edit.
    """
    if table.property("fitted") or not table.model() or not table.model().rowCount():
        return
    table.resizeColumnsToContents()
    table.setProperty("fitted", True)


def share_width(table: QTableView, wide: Iterable[int]) -> None:
    """A short table of long texts (a priority's actions and measures, a meeting's nominations): every
    column fits what it shows except the ``wide`` ones, which share the rest of the table's width and
    wrap inside it. Nothing is cut short and nothing needs a sideways scroll, on a 1366-pixel laptop
    or a projector; the widths follow the window. Rows grow to their text, so only for tables of tens
    of rows, never a force-wide list.
    """
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    stretched = set(wide)
    for column in range(table.model().columnCount()):
        header.setSectionResizeMode(
            column,
            QHeaderView.ResizeMode.Stretch
            if column in stretched
            else QHeaderView.ResizeMode.ResizeToContents,
        )
    table.setWordWrap(True)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
