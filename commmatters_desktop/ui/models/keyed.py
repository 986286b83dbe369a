"""Row updates by key for the list and table models: an edit changes one row, not the whole model.

A model reset makes every view drop its selection, scroll position and open editor and re-read every
row; after a one-field edit that is wasted work on a 13,000-card board and a jolt for the user. These
models keep rows that carry an ``id`` and, given fresh rows, emit ``dataChanged`` for the rows that
differ, insert the new ones and remove the gone ones. Only a reordering of kept rows resets.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex

R = TypeVar("R")


def _key(row: Any) -> Any:
    return row.id


class KeyedRows(Generic[R]):
    """The rows of one model, changed through the model's begin/end signals."""

    def __init__(self, model: QAbstractItemModel, key: Callable[[R], Any] = _key) -> None:
        self.model = model
        self.key = key
        self.rows: list[R] = []

    def reset(self, rows: Sequence[R]) -> None:
        self.model.beginResetModel()
        self.rows = list(rows)
        self.model.endResetModel()

    def replace(
        self,
        fresh: Sequence[R],
        *,
        scope: Callable[[R], bool] | None = None,
        order: Callable[[R], Any] | None = None,
    ) -> None:
        """Make the rows in ``scope`` (every row when None) be ``fresh``, row by row.

        With a scope, rows outside it stay as they are and new rows go where ``order`` puts them
        (the rows must already be in that order), or at the end. Without one, the result is
        ``fresh`` in its own order; if kept rows changed places the model resets, once.
        """
        if not self.rows:
            if fresh:
                self.reset(fresh)
            return
        key, root = self.key, QModelIndex()
        incoming = {key(r): r for r in fresh}
        for i in reversed(range(len(self.rows))):
            row = self.rows[i]
            if (scope is None or scope(row)) and key(row) not in incoming:
                self.model.beginRemoveRows(root, i, i)
                del self.rows[i]
                self.model.endRemoveRows()
        where = {key(r): i for i, r in enumerate(self.rows)}
        # A list model's columnCount is private in PySide6: it has one column.
        last = 0 if isinstance(self.model, QAbstractListModel) else max(self.model.columnCount(root) - 1, 0)
        for k, row in incoming.items():
            at = where.get(k)
            if at is not None and self.rows[at] != row:
                self.rows[at] = row
                self.model.dataChanged.emit(self.model.index(at, 0), self.model.index(at, last))
        after = -1
        for k, row in incoming.items():
            if k in where:
                after = self._index_of(k, after)
                continue
            if order is not None:
                keys = [order(r) for r in self.rows]
                at = bisect.bisect_right(keys, order(row))
            elif scope is None:
                at = after + 1
            else:
                at = len(self.rows)
            self.model.beginInsertRows(root, at, at)
            self.rows.insert(at, row)
            self.model.endInsertRows()
            after = at
        if scope is None and [key(r) for r in self.rows] != list(incoming):
            self.reset(fresh)

    def _index_of(self, k: Any, start: int) -> int:
        for i in range(max(start, 0), len(self.rows)):
            if self.key(self.rows[i]) == k:
                return i
        return next(i for i, r in enumerate(self.rows) if self.key(r) == k)

    def find(self, k: Any) -> R | None:
        return next((r for r in self.rows if self.key(r) == k), None)
