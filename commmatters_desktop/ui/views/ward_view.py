"""The ward view: every ward with its team and this quarter's priority, searchable and filterable."""

from __future__ import annotations

import html
import uuid

from PySide6.QtCore import QItemSelection, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from commmatters_desktop.core.people_queries import WardPeople
from commmatters_desktop.core.queries import WardDetail, WardRow
from commmatters_desktop.ui.models.record_table import show_date
from commmatters_desktop.ui.models.ward_table import WardColumn, WardFilterProxy, WardTableModel

ALL_AUTHORITIES = "All local authorities"


class WardView(QWidget):
    count_changed = Signal(int, int)
    #: A ward was selected: show its page.
    ward_selected = Signal(object)
    #: Open the SARA plan of this priority.
    open_plan = Signal(object)
    #: Find this priority's card on the board.
    show_on_board = Signal(object)
    #: Open People & partners on this ward's key individuals.
    show_people = Signal(object)

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
        header.setResizeContentsPrecision(60)  # size columns from a sample of rows, not all 650

        self.summary = QLabel(self)
        self.summary.setObjectName("wardCount")

        self.detail = QTextBrowser(self)
        self.detail.setObjectName("wardDetail")
        self.detail.setAccessibleName("Ward page")
        self.detail.setOpenLinks(False)
        self.detail.setHtml("<p>Select a ward to see its team, panel, LSOAs and priorities.</p>")
        self.open_plan_button = QPushButton("Open this quarter's SARA plan", self)
        self.open_plan_button.setObjectName("wardOpenPlan")
        self.open_plan_button.setAccessibleName("Open this quarter's SARA plan")
        self.board_button = QPushButton("Show on the board", self)
        self.board_button.setObjectName("wardShowOnBoard")
        self.board_button.setAccessibleName("Show the ward's priority on the board")
        self.people_button = QPushButton("People && key individuals", self)
        self.people_button.setObjectName("wardShowPeople")
        self.people_button.setAccessibleName("Show the ward's people and key individuals")
        self.people_button.setEnabled(False)
        self.people_button.clicked.connect(lambda: self._emit_ward(self.show_people))
        self._people = WardPeople()
        self._ward_id: uuid.UUID | None = None
        for button in (self.open_plan_button, self.board_button):
            button.setEnabled(False)
        self.open_plan_button.clicked.connect(lambda: self._emit_current(self.open_plan))
        self.board_button.clicked.connect(lambda: self._emit_current(self.show_on_board))
        self._current: uuid.UUID | None = None
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.authority, 1)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.summary)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_plan_button)
        buttons.addWidget(self.board_button)
        buttons.addWidget(self.people_button)
        right_layout.addLayout(buttons)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("wardSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

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

    def update_rows(self, ward_ids: set[uuid.UUID], rows: list[WardRow]) -> None:
        """The lines of ``ward_ids`` only (a priority renamed, an officer added): no reset, no re-fit."""
        self.model.update_wards(ward_ids, rows)
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

    def _emit_current(self, signal: SignalInstance) -> None:
        if self._current is not None:
            signal.emit(self._current)

    def _emit_ward(self, signal: SignalInstance) -> None:
        if self._ward_id is not None:
            signal.emit(self._ward_id)

    def show_people_of(self, people: WardPeople) -> None:
        """The ward's key individuals, their recent contacts and its gaps, for the next page shown."""
        self._people = people

    def selected_ward(self) -> uuid.UUID | None:
        index = self.table.currentIndex()
        return self.proxy.ward_id(index) if index.isValid() else None

    def select_ward(self, ward_id: uuid.UUID) -> bool:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.proxy.ward_id(index) == ward_id:
                self.table.selectRow(row)
                self.table.scrollTo(index)
                return True
        return False

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        ward = self.selected_ward()
        if ward is not None:
            self.ward_selected.emit(ward)

    def show_detail(self, ward: WardDetail | None) -> None:
        """The ward's page. Panel members are members of the public: marked as personal data."""
        self._current = ward.current.id if ward and ward.current else None
        self._ward_id = ward.id if ward else None
        self.people_button.setEnabled(ward is not None)
        for button in (self.open_plan_button, self.board_button):
            button.setEnabled(self._current is not None)
        if ward is None:
            self.detail.setHtml("<p>Select a ward to see its page.</p>")
            return
        e = html.escape

        def items(values: list[str], empty: str) -> str:
            return (
                "<ul>" + "".join(f"<li>{e(v)}</li>" for v in values) + "</ul>"
                if values
                else f"<p><i>{empty}</i></p>"
            )

        current = ward.current
        now = (
            f"<p><b>{e(current.title)}</b><br>{e(current.status.label)}"
            f"{' · lead ' + e(current.lead_agency) if current.lead_agency else ''}</p>"
            if current
            else "<p><i>No priority nominated yet this quarter.</i></p>"
        )
        history = "".join(
            f"<tr><td>{e(p.cycle)}</td><td>{e(p.title)}</td><td>{e(p.status.label)}</td>"
            f"<td>{e(p.outcome.label) if p.outcome else '—'}</td></tr>"
            for p in ward.history
        )
        self.detail.setHtml(
            f"<h2>{e(ward.name)}</h2><p>{e(ward.code)} ({e(ward.vintage)}) · {e(ward.la_name)}</p>"
            f"<p><b>Contact route for residents:</b> {e(ward.team_contact) or '<i>not set</i>'}</p>"
            f"<h3>This quarter's priority</h3>{now}"
            f"<h3>Ward team</h3>{items(ward.officers, 'No officer assigned.')}"
            f"<h3>Ward panel <span style='color:#b00020'>⚠ personal data</span></h3>"
            f"{items(ward.panel, 'No panel members recorded.')}"
            f"<h3>Partners</h3>{items(ward.partner_contacts + ward.partners_in_work, 'No partners yet.')}"
            + self._network_html()
            +
            "<h3>Past priorities</h3>"
            + (f"<table cellpadding='3'><tr><th align='left'>Cycle</th><th align='left'>Priority</th>"
               f"<th align='left'>Status</th><th align='left'>Outcome</th></tr>{history}</table>"
               if history else "<p><i>None recorded.</i></p>")
            + f"<h3>LSOAs ({len(ward.lsoas)})</h3><p>{e(', '.join(ward.lsoas)) or '<i>none linked</i>'}</p>"
        )  # fmt: skip

    def _network_html(self) -> str:
        """Key individuals (personal data), their recent contacts, and the groups the ward is not hearing from."""
        e, p = html.escape, self._people
        kin = "".join(
            f"<li>{e(r.person.full_name)} — {e(r.person.community)}; prefers {e(r.preferred or 'not said')}; "
            f"consent {e(r.consent)}; {r.recent} contact{'s' if r.recent != 1 else ''} in 90 days"
            + (" <b style='color:#b00020'>(consultation fatigue)</b>" if r.fatigued else "")
            + "</li>"
            for r in p.kin
        )
        contacts = "".join(
            f"<li>{show_date(c.contacted_on)} · {e(c.person)} · {e(c.channel.label)}: {e(c.purpose)}</li>"
            for c in p.contacts
        )
        references = "".join(f"<li>{e(r.name)} ({e(r.community)})</li>" for r in p.references)
        gaps = ", ".join(
            e(g.group) + (f" ({g.awaiting_consent} awaiting consent)" if g.awaiting_consent else "")
            for g in p.gaps
        )
        return (
            "<h3>Key individuals <span style='color:#b00020'>⚠ personal data</span></h3>"
            + (f"<ul>{kin}</ul>" if kin else "<p><i>No key individuals recorded.</i></p>")
            + "<h3>Recent contacts</h3>"
            + (f"<ul>{contacts}</ul>" if contacts else "<p><i>None logged.</i></p>")
            + (f"<h3>Reference groups</h3><ul>{references}</ul>" if references else "")
            + "<h3>Not hearing from</h3>"
            + (
                f"<p style='color:#7f0000'>{gaps}</p>"
                if gaps
                else "<p>Every group has a link in this ward.</p>"
            )
        )

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
