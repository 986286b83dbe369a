"""The ward view: every ward with its team and this quarter's priority, searchable and filterable."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from commmatters_desktop.core.queries import WardRow
from commmatters_desktop.ui.models.ward_table import WardColumn, WardFilterProxy, WardTableModel

ALL_AUTHORITIES = "All local authorities"


class WardView(QWidget):
    count_changed = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wardView")
        self.model = WardTableModel(self)
        self.proxy = WardFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit(self)
        self.search.setObjectName("wardSearch")
        self.search.setPlaceholderText("Search wards by name, code or priority")
        self.search.setAccessibleName("Search wards")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_changed)

        self.authority = QComboBox(self)
        self.authority.setObjectName("wardAuthorityFilter")
        self.authority.setAccessibleName("Filter by local authority")
        self.authority.currentTextChanged.connect(self._authority_changed)

        self.table = QTableView(self)
        self.table.setObjectName("wardTable")
        self.table.setAccessibleName("Wards")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(WardColumn.LA, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)  # the priority: it takes what is left, never less than its minimum
        header.setMinimumSectionSize(48)

        self.summary = QLabel(self)
        self.summary.setObjectName("wardCount")

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.authority, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

    def set_rows(self, rows: list[WardRow], authorities: list[str]) -> None:
        current = self.authority.currentText()
        self.authority.blockSignals(True)
        self.authority.clear()
        self.authority.addItems([ALL_AUTHORITIES, *authorities])
        self.authority.setCurrentText(current if current in authorities else ALL_AUTHORITIES)
        self.authority.blockSignals(False)
        self.model.set_rows(rows)
        self._fit_columns()
        self._update_summary()

    def _fit_columns(self) -> None:
        """Size columns to their contents, capped, so the priority column always keeps room to be read."""
        caps = {WardColumn.NAME: 220, WardColumn.LA: 160, WardColumn.OFFICERS: 240}
        for column in WardColumn:
            if column is WardColumn.PRIORITY:
                continue
            self.table.resizeColumnToContents(column)
            cap = caps.get(column)
            if cap is not None and self.table.columnWidth(column) > cap:
                self.table.setColumnWidth(column, cap)
        fixed = sum(self.table.columnWidth(c) for c in WardColumn if c is not WardColumn.PRIORITY)
        self.table.setColumnWidth(WardColumn.PRIORITY, max(320, self.table.viewport().width() - fixed))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_summary()

    def _authority_changed(self, text: str) -> None:
        self.proxy.set_local_authority("" if text == ALL_AUTHORITIES else text)
        self._update_summary()

    def _update_summary(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.summary.setText(f"{shown} of {total} wards" if shown != total else f"{total} wards")
        self.count_changed.emit(shown, total)
