"""The quarter at force level: the calendar of weeks of action, partners' actions, and the overview."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.dates import in_words
from commmatters_desktop.core.overview import STATES, Overview, WardState
from commmatters_desktop.core.partner_actions import PartnerAction
from commmatters_desktop.core.services.planning import CalendarData
from commmatters_desktop.ui.models import roles
from commmatters_desktop.ui.models.record_table import Column, RecordTableModel, show_date
from commmatters_desktop.ui.widgets import fit_columns, keep_place
from commmatters_desktop.ui.widgets import row_table as _table

Index = QModelIndex | QPersistentModelIndex
WEEK_MARK = "■"


def cycle_picker(parent: QWidget, name: str) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setAccessibleName("Quarter shown")
    return combo


def set_cycles(combo: QComboBox, codes: list[str], current: str) -> None:
    chosen = combo.currentText() or current
    combo.blockSignals(True)
    combo.clear()
    combo.addItems(sorted({*codes, current}, reverse=True))
    combo.setCurrentText(chosen)
    combo.blockSignals(False)


_CENTRED = int(Qt.AlignmentFlag.AlignCenter)
_CLASH, _CHOSEN, _BLOCKED = (QBrush(QColor(c)) for c in ("#f4b6bd", "#c9dcf0", "#e0e0e0"))


# --- the calendar ----------------------------------------------------------------------------------------------


class CalendarModel(QAbstractTableModel):
    """Wards down, the quarter's weeks across; a mark where a ward's week of action falls."""

    WARD_ROLE = Qt.ItemDataRole.UserRole + 1
    _ANSWERED = frozenset(
        {roles.DISPLAY, roles.ALIGNMENT, roles.BACKGROUND, roles.TOOLTIP, roles.ACCESSIBLE, int(WARD_ROLE)}
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.weeks: list[dt.date] = []
        self.wards: list[tuple[uuid.UUID, str, str]] = []
        self.chosen: dict[uuid.UUID, dt.date] = {}
        self.unavailable: dict[dt.date, str] = {}
        self.clashing: set[tuple[str, dt.date]] = set()

    def load(
        self,
        *,
        cycle: str,
        wards: list[tuple[uuid.UUID, str, str]],
        chosen: dict[uuid.UUID, dt.date],
        unavailable: dict[dt.date, str],
        clashing: set[tuple[str, dt.date]],
    ) -> None:
        self.beginResetModel()
        self.weeks = CycleCode.parse(cycle).weeks()
        self.wards, self.chosen, self.unavailable, self.clashing = wards, chosen, unavailable, clashing
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.wards)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.weeks)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = roles.DISPLAY) -> Any:
        if role == roles.DISPLAY:
            if orientation == roles.HORIZONTAL:
                week = self.weeks[section]
                return f"{week:%d %b}" + ("\nunavailable" if week in self.unavailable else "")
            return self.wards[section][2]
        if role == roles.TOOLTIP and orientation == roles.HORIZONTAL:
            week = self.weeks[section]
            return self.unavailable.get(week) or f"Week of {in_words(week)}"
        return None

    def data(self, index: Index, role: int = roles.DISPLAY) -> Any:
        if role not in self._ANSWERED or not index.isValid():
            return None
        ward_id, _code, name = self.wards[index.row()]
        week = self.weeks[index.column()]
        mine = self.chosen.get(ward_id) == week
        if role == roles.DISPLAY:
            return WEEK_MARK if mine else ""
        if role == roles.ALIGNMENT:
            return _CENTRED
        if role == roles.BACKGROUND:
            if mine and (name, week) in self.clashing:
                return _CLASH
            if mine:
                return _CHOSEN
            if week in self.unavailable:
                return _BLOCKED
        if role == roles.TOOLTIP or role == roles.ACCESSIBLE:
            state = "week of action" if mine else ("unavailable" if week in self.unavailable else "free")
            clash = " (clash)" if mine and (name, week) in self.clashing else ""
            return f"{name}, week of {week:%d %b}: {state}{clash}"
        if role == self.WARD_ROLE:
            return ward_id
        return None


class CalendarView(QWidget):
    #: (ward id, Monday or None to clear): move a ward's week by hand.
    week_requested = Signal(object, object)
    #: (Monday): mark or clear a week as unavailable.
    unavailable_requested = Signal(object)
    plan_requested = Signal(str)
    export_requested = Signal(str)
    cycle_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarView")
        self.model = CalendarModel(self)
        self.cycle = cycle_picker(self, "calendarCycle")
        self.mode = QLabel(self)
        self.mode.setObjectName("calendarMode")
        self.clashes = QLabel(self)
        self.clashes.setObjectName("calendarClashes")
        self.clashes.setWordWrap(True)
        self.clashes.setStyleSheet("color: #7f0000; font-weight: bold;")
        self.table = QTableView(self)
        self.table.setObjectName("calendarTable")
        self.table.setAccessibleName("Weeks of action: wards down, weeks across")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setMinimumSectionSize(44)
        self.table.setWordWrap(False)
        buttons = QHBoxLayout()
        for text, name, handler in (
            ("Plan weeks…", "calendarPlan", lambda: self.plan_requested.emit(self.cycle.currentText())),
            ("Set this week (Space)", "calendarSetWeek", self.set_current_week),
            ("Clear the week (Delete)", "calendarClearWeek", self.clear_current_week),
            ("Week unavailable / available", "calendarUnavailable", self.toggle_unavailable),
            (
                "Export invites (.ics)…",
                "calendarExport",
                lambda: self.export_requested.emit(self.cycle.currentText()),
            ),
        ):
            button = QPushButton(text, self)
            button.setObjectName(name)
            button.setAccessibleName(text.split(" (")[0].rstrip("…"))
            button.clicked.connect(handler)
            buttons.addWidget(button)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(QLabel("Quarter:", self))
        top.addWidget(self.cycle)
        top.addWidget(self.mode, 1)
        self.message = QLabel(self)
        self.message.setObjectName("calendarMessage")
        self.message.setAccessibleName("Calendar message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("background: #fdecea; color: #7f0000; padding: 6px; font-weight: bold;")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.clashes)
        layout.addWidget(self.table, 1)
        self.cycle.currentTextChanged.connect(self.cycle_changed)
        # The table would take Space and Delete for itself (selection, nothing): the calendar reads them
        # first, whichever way the key reaches the table.
        self.table.installEventFilter(self)

    def show_data(self, data: CalendarData) -> None:
        """Reload, keeping the keyboard's place (after an edit the cursor stays where it was)."""
        keep_place(
            self.table,
            lambda: self.model.load(
                cycle=data.cycle,
                wards=data.wards,
                chosen=data.weeks,
                unavailable=data.unavailable,
                clashing={(ward, c.week) for c in data.clashes for ward in c.wards},
            ),
        )
        self.mode.setText(data.summary)
        self.clashes.setText("\n".join(c.describe() for c in data.clashes[:6]))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key == Qt.Key.Key_Space:
                self.set_current_week()
                return True
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.clear_current_week()
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Space:
            self.set_current_week()
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear_current_week()
        else:
            super().keyPressEvent(event)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _current(self) -> tuple[uuid.UUID, dt.date] | None:
        index = self.table.currentIndex()
        if not index.isValid():
            self.show_message(
                "Choose a cell first: the ward's row under the week you mean (arrow keys or a click)."
            )
            return None
        self.show_message("")
        return index.data(CalendarModel.WARD_ROLE), self.model.weeks[index.column()]

    def set_current_week(self) -> None:
        current = self._current()
        if current is not None:
            self.week_requested.emit(current[0], current[1])

    def clear_current_week(self) -> None:
        current = self._current()
        if current is not None:
            self.week_requested.emit(current[0], None)

    def toggle_unavailable(self) -> None:
        current = self._current()
        if current is not None:
            self.unavailable_requested.emit(current[1])


# --- partner actions --------------------------------------------------------------------------------------------

ALL_PARTNERS = "All partners"


class PartnerActionsView(QWidget):
    open_requested = Signal(object)
    print_requested = Signal(str)
    filter_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("partnerActionsView")
        self.agency = QComboBox(self)
        self.agency.setObjectName("partnerAgency")
        self.agency.setAccessibleName("Partner agency")
        self.summary = QLabel(self)
        self.summary.setObjectName("partnerSummary")
        self.model: RecordTableModel[PartnerAction] = RecordTableModel(
            [
                Column("Partner", lambda a: a.agency),
                Column("Due", lambda a: show_date(a.due_on) + (" overdue" if a.overdue else "")),
                Column("Ward", lambda a: a.ward_name),
                Column("Priority", lambda a: f"{a.priority} ({a.cycle})"),
                Column("Action", lambda a: a.description),
                Column("Status", lambda a: a.status.label),
            ],
            self,
            warn=lambda a: a.overdue,
        )
        self.model.editable = False
        self.table = _table(self, "partnerActionsTable", "Open actions by partner")
        self.table.horizontalHeader().setResizeContentsPrecision(50)  # columns fitted to a sample of rows
        self.table.setModel(self.model)
        self.table.doubleClicked.connect(
            lambda i: self.open_requested.emit(self.model.row_at(i.row()).priority_id)
        )
        self.table.activated.connect(
            lambda i: self.open_requested.emit(self.model.row_at(i.row()).priority_id)
        )
        print_button = QPushButton("Print this partner's list…", self)
        print_button.setObjectName("partnerPrint")
        print_button.setAccessibleName("Print this partner's list")
        print_button.clicked.connect(lambda: self.print_requested.emit(self.agency.currentText()))
        top = QHBoxLayout()
        top.addWidget(QLabel("Partner:", self))
        top.addWidget(self.agency)
        top.addWidget(self.summary, 1)
        top.addWidget(print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.agency.currentTextChanged.connect(lambda _t: self.filter_changed.emit())

    def selected_agency(self) -> str | None:
        text = self.agency.currentText()
        return None if text in ("", ALL_PARTNERS) else text

    def set_actions(
        self,
        page: Callable[[int, int], list[PartnerAction]],
        counts: Callable[[], tuple[int, int]],
        agencies: list[str],
    ) -> None:
        """The open actions, a page at a time (``page(offset, limit)``); ``counts()``: (open, overdue)."""
        chosen = self.agency.currentText()
        self.agency.blockSignals(True)
        self.agency.clear()
        self.agency.addItems([ALL_PARTNERS, *agencies])
        self.agency.setCurrentText(chosen if chosen in agencies else ALL_PARTNERS)
        self.agency.blockSignals(False)
        self.model.set_pages(page)  # a page shown, more as the table scrolls
        fit_columns(self.table)
        total, overdue = counts()
        self.summary.setText(f"{total} open, {overdue} overdue")


# --- the force overview -------------------------------------------------------------------------------------------


class ForceOverviewView(QWidget):
    open_requested = Signal(object)
    cycle_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("forceOverviewView")
        self.cycle = cycle_picker(self, "overviewCycle")
        self.counts: dict[str, QLabel] = {}
        tiles = QGridLayout()
        for column, state in enumerate(STATES):
            tile = QFrame(self)
            tile.setFrameShape(QFrame.Shape.StyledPanel)
            number = QLabel("0", tile)
            number.setObjectName(f"overviewCount_{state.replace(' ', '_')}")
            number.setAccessibleName(f"Wards {state}")
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            number.setStyleSheet("font-size: 22pt; font-weight: bold;")
            caption = QLabel(state.capitalize() if state != "none" else "No priority", tile)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box = QVBoxLayout(tile)
            box.addWidget(number)
            box.addWidget(caption)
            tiles.addWidget(tile, 0, column)
            self.counts[state] = number
        self.stuck_label = QLabel(self)
        self.stuck_label.setObjectName("overviewStuckLabel")
        self.stuck_label.setStyleSheet("font-weight: bold;")
        self.model: RecordTableModel[WardState] = RecordTableModel(
            [
                Column("Ward", lambda w: f"{w.ward_name} ({w.ward_code})"),
                Column("Local authority", lambda w: w.la_name),
                Column("State", lambda w: w.state),
                Column("Priority", lambda w: w.title or "—"),
                Column("Week of action", lambda w: show_date(w.week_start)),
                Column("Why it is listed", lambda w: w.why),
            ],
            self,
            warn=lambda w: w.state == "escalated",
        )
        self.model.editable = False
        self.model.set_listing([])
        self.table = _table(self, "overviewStuck", "Wards that are stuck")
        self.table.horizontalHeader().setResizeContentsPrecision(50)
        self.table.setModel(self.model)
        self.table.doubleClicked.connect(self._open)
        self.table.activated.connect(self._open)
        top = QHBoxLayout()
        top.addWidget(QLabel("Quarter:", self))
        top.addWidget(self.cycle)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(tiles)
        layout.addWidget(self.stuck_label)
        layout.addWidget(self.table, 1)
        self.cycle.currentTextChanged.connect(self.cycle_changed)

    def _open(self, index: QModelIndex) -> None:
        ward = self.model.row_at(index.row())
        if ward.priority_id is not None:
            self.open_requested.emit(ward.priority_id)

    def show_overview(self, result: Overview) -> None:
        for state, label in self.counts.items():
            label.setText(str(result.counts.get(state, 0)))
        shown = result.needing_attention
        self.model.set_listing(shown)
        fit_columns(self.table)
        self.stuck_label.setText(
            f"{len(result.stuck)} of {len(result.wards)} wards stuck"
            + (", escalated wards marked in red" if any(w.state == "escalated" for w in shown) else "")
        )
