"""Small widget helpers shared across views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QComboBox, QPushButton, QTableView, QWidget


def index_of(combo: QComboBox, value: Any) -> int:
    """The index of the item whose data equals ``value`` (by Python equality), or -1.

    ``QComboBox.findData`` compares Python objects such as UUIDs and enums by identity, so an
    equal value from a fresh query is never found; this compares them as Python does.
    """
    return next((i for i in range(combo.count()) if combo.itemData(i) == value), -1)


def choose(combo: QComboBox, value: Any) -> None:
    """Select the item holding ``value``, or the first item when none does."""
    combo.setCurrentIndex(max(index_of(combo, value), 0))


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
