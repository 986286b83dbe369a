"""The priority board: a kanban of every ward's priority across the lifecycle columns.

Cards move by drag and drop or by keyboard (Ctrl+Shift+Right/Left); either way the move goes to the
service, which decides, and a refusal is shown on the board in the rule's own words.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from commmatters_desktop.core.enums import PIPELINE, PriorityStatus
from commmatters_desktop.core.queries import PriorityCard
from commmatters_desktop.ui.models.board_model import CARD_ROLE, BoardFilter, BoardModel, ColumnProxy
from commmatters_desktop.ui.views.card_delegate import CardDelegate

ALL = "All"
COLUMNS: tuple[PriorityStatus, ...] = (*PIPELINE, PriorityStatus.ESCALATED, PriorityStatus.NOT_TAKEN_FORWARD)
COLUMN_WIDTH = 138  # nine columns fit a 1366-pixel laptop; a projector gives them more


def _combo(parent: QWidget, name: str, accessible: str) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


class BoardColumn(QFrame):
    def __init__(self, status: PriorityStatus, proxy: ColumnProxy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = status
        self.proxy = proxy
        self.setObjectName(f"boardColumnFrame_{status.value}")
        self.header = QLabel(status.label, self)
        self.header.setObjectName(f"boardHeader_{status.value}")
        self.header.setStyleSheet("font-weight: bold;")
        self.list = QListView(self)
        self.list.setObjectName(f"boardColumn_{status.value}")
        self.list.setAccessibleName(f"{status.label} column")
        self.list.setModel(proxy)
        self.list.setItemDelegate(CardDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setDropIndicatorShown(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setUniformItemSizes(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMinimumWidth(COLUMN_WIDTH)
        self.header.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.addWidget(self.header)
        layout.addWidget(self.list, 1)

    def update_header(self) -> None:
        self.header.setText(f"{self.status.label} ({self.proxy.rowCount()})")


class PriorityBoardView(QWidget):
    #: The user asked to move a card: (priority id, target status).
    move_requested = Signal(object, object)
    #: The user opened a card (Enter or double-click).
    open_requested = Signal(object)
    #: The cycle shown changed ("" for every cycle).
    cycle_changed = Signal(str)
    #: A card was selected or deselected (enables the Priority menu).
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("priorityBoardView")
        self.model = BoardModel(self)
        self.filter = BoardFilter()

        self.cycle = _combo(self, "boardCycle", "Show the priorities of cycle")
        self.authority = _combo(self, "boardAuthority", "Filter by local authority")
        self.lead = _combo(self, "boardLead", "Filter by lead agency")
        self.status = _combo(self, "boardStatus", "Show column")
        self.status.addItems([ALL, *(s.label for s in COLUMNS)])
        self.search = QLineEdit(self)
        self.search.setObjectName("boardSearch")
        self.search.setAccessibleName("Search the board")
        self.search.setPlaceholderText("Search ward, title or lead agency")
        self.search.setClearButtonEnabled(True)
        self.message = QLabel(self)
        self.message.setObjectName("boardMessage")
        self.message.setAccessibleName("Board message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("background: #fdecea; color: #7f0000; padding: 6px; font-weight: bold;")
        self.message.hide()

        bar = QHBoxLayout()
        for label, widget in (
            ("Cycle", self.cycle),
            ("Local authority", self.authority),
            ("Lead", self.lead),
            ("Show", self.status),
        ):
            caption = QLabel(f"{label}:", self)
            caption.setBuddy(widget)
            bar.addWidget(caption)
            bar.addWidget(widget)
        bar.addWidget(self.search, 1)

        self.columns: list[BoardColumn] = []
        strip = QWidget(self)
        row = QHBoxLayout(strip)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        for status in COLUMNS:
            proxy = ColumnProxy(status, self.filter, self)
            proxy.setSourceModel(self.model)
            proxy.move_requested.connect(self.move_requested)
            column = BoardColumn(status, proxy, strip)
            column.list.activated.connect(self._activated)
            column.list.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit())
            column.list.doubleClicked.connect(self._activated)
            self.columns.append(column)
            row.addWidget(column, 1)
        scroller = QScrollArea(self)
        scroller.setObjectName("boardScroller")
        scroller.setWidgetResizable(True)
        scroller.setWidget(strip)
        scroller.setFrameShape(QFrame.Shape.NoFrame)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(scroller, 1)

        self.cycle.currentTextChanged.connect(
            lambda text: self.cycle_changed.emit("" if text == ALL else text)
        )
        self.authority.currentTextChanged.connect(lambda text: self._set("la", text))
        self.lead.currentTextChanged.connect(lambda text: self._set("lead", text))
        self.search.textChanged.connect(lambda text: self._set("search", text.strip().casefold()))
        self.status.currentTextChanged.connect(self._show_columns)

    # --- data -----------------------------------------------------------------------------------------------

    def set_cycles(self, codes: list[str], current: str) -> None:
        self.cycle.blockSignals(True)
        self.cycle.clear()
        self.cycle.addItems([*codes, ALL])
        self.cycle.setCurrentText(current if current in codes else ALL)
        self.cycle.blockSignals(False)

    def selected_cycle(self) -> str:
        text = self.cycle.currentText()
        return "" if text == ALL else text

    def set_cards(self, cards: list[PriorityCard]) -> None:
        """Show ``cards``; the filter is settled first so the columns filter once, on the model reset."""
        keep = self.current_card()
        for combo, values, name in (
            (self.authority, {c.la_name for c in cards}, "la"),
            (self.lead, {c.lead_agency for c in cards if c.lead_agency}, "lead"),
        ):
            chosen = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([ALL, *sorted(values)])
            combo.setCurrentText(chosen if chosen in values else ALL)
            combo.blockSignals(False)
            setattr(self.filter, name, "" if combo.currentText() == ALL else combo.currentText())
        self.model.set_cards(cards)
        for column in self.columns:
            column.update_header()
        if keep is not None:
            self.select(keep.id)

    def append_cards(self, cards: list[PriorityCard]) -> None:
        """An older cycle's cards, after those shown (every cycle is shown a cycle at a time)."""
        self.model.append_cards(cards)
        self._offer(self.authority, {c.la_name for c in cards})
        self._offer(self.lead, {c.lead_agency for c in cards if c.lead_agency})
        for column in self.columns:
            column.update_header()

    def update_cards(self, ward_ids: set[uuid.UUID], cards: list[PriorityCard]) -> None:
        """The cards of ``ward_ids`` only, row by row: an edit to one priority moves or redraws one card."""
        self.model.update_wards(ward_ids, cards)
        self._offer(self.authority, {c.la_name for c in cards})
        self._offer(self.lead, {c.lead_agency for c in cards if c.lead_agency})
        for column in self.columns:
            column.update_header()

    @staticmethod
    def _offer(combo: QComboBox, values: set[str]) -> None:
        """Add filter choices a changed card brings (a new lead agency); the current choice stays."""
        have = {combo.itemText(i) for i in range(combo.count())}
        for value in sorted(values - have):
            combo.blockSignals(True)
            combo.addItem(value)
            combo.blockSignals(False)

    def _set(self, name: str, value: str) -> None:
        setattr(self.filter, name, "" if value == ALL else value)
        for column in self.columns:
            column.proxy.refresh_filter()
            column.update_header()

    def _show_columns(self, label: str) -> None:
        for column in self.columns:
            column.setVisible(label in (ALL, column.status.label))

    # --- selection and keyboard moves -----------------------------------------------------------------------

    def column_of(self, status: PriorityStatus) -> BoardColumn:
        return next(c for c in self.columns if c.status is status)

    def current_card(self) -> PriorityCard | None:
        """The selected card, preferring the column that has the keyboard focus."""
        for column in sorted(self.columns, key=lambda c: not c.list.hasFocus()):
            if column.list.selectionModel().hasSelection():
                card = column.list.currentIndex().data(CARD_ROLE)
                if card is not None:
                    return card  # type: ignore[no-any-return]
        return None

    def select(self, priority_id: uuid.UUID, *, focus: bool = False) -> bool:
        """Select the card; take the keyboard only when asked and the board is on screen.

        A reload re-selects the card the user had chosen, and must never pull the keyboard away
        from wherever the user is typing (the SARA plan, say): keystrokes would be lost.
        """
        for column in self.columns:
            proxy = column.proxy
            for row in range(proxy.rowCount()):
                index = proxy.index(row, 0)
                card = index.data(CARD_ROLE)
                if card is not None and card.id == priority_id:
                    for other in self.columns:
                        other.list.clearSelection()
                    column.list.setCurrentIndex(index)
                    column.list.selectionModel().select(
                        index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                    )
                    column.list.scrollTo(index)
                    if focus and column.list.isVisible():
                        column.list.setFocus(Qt.FocusReason.OtherFocusReason)
                    return True
        return False

    def step(self, direction: int) -> None:
        """Ask to move the selected card one column right (+1) or left (-1) along the pipeline."""
        card = self.current_card()
        if card is None:
            self.show_message("Select a card first (click it, or Tab to a column and use the arrow keys).")
            return
        if card.status not in PIPELINE:
            self.show_message(
                f"'{card.title}' is {card.status.label}: use the priority's menu to change that."
            )
            return
        index = PIPELINE.index(card.status) + direction
        if 0 <= index < len(PIPELINE):
            self.move_requested.emit(card.id, PIPELINE[index])

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _activated(self, index: QModelIndex) -> None:
        card = index.data(CARD_ROLE)
        if card is not None:
            self.open_requested.emit(card.id)
