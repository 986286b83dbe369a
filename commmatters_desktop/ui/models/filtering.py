"""Refiltering a proxy across Qt versions: one place for the API change in Qt 6.10."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSortFilterProxyModel


def refilter(proxy: QSortFilterProxyModel, change: Callable[[], None]) -> None:
    """Apply ``change`` to the proxy's filter state and re-run the row filter.

    Qt 6.10 replaced ``invalidateRowsFilter()`` (now deprecated, with a Python warning) by a
    begin/end pair; use whichever this Qt has.
    """
    if hasattr(proxy, "beginFilterChange"):
        proxy.beginFilterChange()
        change()
        proxy.endFilterChange(QSortFilterProxyModel.Direction.Rows)
    else:  # pragma: no cover - older Qt
        change()
        proxy.invalidateRowsFilter()
