"""The priority board as item models: one list of cards, one filtering proxy per column."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from commmatters_desktop.core.enums import PriorityStatus
from commmatters_desktop.core.queries import PriorityCard
from commmatters_desktop.ui.models import roles
from commmatters_desktop.ui.models.filtering import refilter
from commmatters_desktop.ui.models.keyed import KeyedRows

Index = QModelIndex | QPersistentModelIndex

CARD_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
_ANSWERED = frozenset({roles.DISPLAY, roles.TOOLTIP, roles.ACCESSIBLE, int(CARD_ROLE), int(ID_ROLE)})
MIME_TYPE = "application/x-commmatters-priority"


def card_order(card: PriorityCard) -> tuple[tuple[int, ...], str, str]:
    """The board's order (the read model's): newest cycle first, then by local authority and ward."""
    return (tuple(-ord(c) for c in card.cycle), card.la_name, card.ward_name)


class BoardModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._keyed: KeyedRows[PriorityCard] = KeyedRows(self)

    @property
    def _cards(self) -> list[PriorityCard]:
        return self._keyed.rows

    def set_cards(self, cards: list[PriorityCard]) -> None:
        """Every card anew (another cycle chosen, a sync): one reset."""
        self._keyed.reset(cards)

    def append_cards(self, cards: list[PriorityCard]) -> None:
        """More cards after the last (an older cycle, while every cycle is being shown)."""
        if cards:
            end = len(self._cards)
            self.beginInsertRows(QModelIndex(), end, end + len(cards) - 1)
            self._cards.extend(cards)
            self.endInsertRows()

    def update_wards(self, ward_ids: set[uuid.UUID], cards: list[PriorityCard]) -> None:
        """The cards of ``ward_ids`` only, row by row, kept in the board's ward order."""
        self._keyed.replace(cards, scope=lambda c: c.ward_id in ward_ids, order=card_order)

    def card(self, priority_id: uuid.UUID) -> PriorityCard | None:
        return self._keyed.find(priority_id)

    def card_at(self, row: int) -> PriorityCard:
        return self._cards[row]

    def cards(self) -> list[PriorityCard]:
        return list(self._cards)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._cards)

    def data(self, index: Index, role: int = roles.DISPLAY) -> Any:
        if role not in _ANSWERED or not index.isValid() or index.row() >= len(self._cards):
            return None
        card = self._cards[index.row()]
        if role == roles.DISPLAY:
            return f"{card.ward_name}: {card.title}"
        if role == roles.TOOLTIP or role == roles.ACCESSIBLE:
            return card.describe
        if role == CARD_ROLE:
            return card
        if role == ID_ROLE:
            return str(card.id)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        return base if index.isValid() else Qt.ItemFlag.ItemIsDropEnabled

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        mime = QMimeData()
        ids = [self.data(i, ID_ROLE) for i in indexes if i.isValid()]
        mime.setData(MIME_TYPE, QByteArray(",".join(ids).encode()))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction


@dataclass
class BoardFilter:
    """What the filter bar chose; shared by every column."""

    la: str = ""
    lead: str = ""
    search: str = ""

    def accepts(self, card: PriorityCard) -> bool:
        if self.la and card.la_name != self.la:
            return False
        if self.lead and card.lead_agency != self.lead:
            return False
        if self.search:
            haystack = f"{card.ward_code} {card.ward_name} {card.title} {card.lead_agency}".casefold()
            return self.search in haystack
        return True


class ColumnProxy(QSortFilterProxyModel):
    """One column of the board; a card dropped here asks to move to this column's status."""

    move_requested = Signal(object, object)  # priority id, target status

    def __init__(
        self, status: PriorityStatus, board_filter: BoardFilter, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.status = status
        self._filter = board_filter

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        # Read the card straight from the board model: nine columns filter every card, and going
        # through index().data() for each costs more than the test itself on a 13,000-card board.
        card = self.sourceModel().card_at(source_row)  # type: ignore[attr-defined]
        return card.status is self.status and self._filter.accepts(card)

    def refresh_filter(self) -> None:
        refilter(self, lambda: None)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return (
            super().flags(index) | Qt.ItemFlag.ItemIsDropEnabled
            if not index.isValid()
            else super().flags(index)
        )

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return data.hasFormat(MIME_TYPE)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not data.hasFormat(MIME_TYPE):
            return False
        for text in bytes(data.data(MIME_TYPE).data()).decode().split(","):
            if text:
                self.move_requested.emit(uuid.UUID(text), self.status)
        # The service decides and the board reloads from the vault; Qt must not remove the source row.
        return False
