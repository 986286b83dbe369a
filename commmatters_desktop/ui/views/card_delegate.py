"""Painting a priority card: ward, title, lead agency, week of action and the badges that matter."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from commmatters_desktop.core.enums import PriorityStatus
from commmatters_desktop.core.queries import PriorityCard
from commmatters_desktop.ui.models.board_model import CARD_ROLE

Index = QModelIndex | QPersistentModelIndex

#: Badge colours chosen for contrast on white (WCAG AA for the white text on them).
OVERDUE = QColor("#b00020")
BLOCKED = QColor("#8a4b00")
ESCALATED = QColor("#4a148c")
STRIP = {
    PriorityStatus.NOMINATED: QColor("#607d8b"),
    PriorityStatus.AGREED: QColor("#1565c0"),
    PriorityStatus.PLANNING: QColor("#00838f"),
    PriorityStatus.IN_ACTION: QColor("#2e7d32"),
    PriorityStatus.ASSESSING: QColor("#6a1b9a"),
    PriorityStatus.FEEDBACK_GIVEN: QColor("#ef6c00"),
    PriorityStatus.CLOSED: QColor("#424242"),
    PriorityStatus.ESCALATED: ESCALATED,
    PriorityStatus.NOT_TAKEN_FORWARD: QColor("#9e9e9e"),
}
PAD = 6


def badges(card: PriorityCard) -> list[tuple[str, QColor]]:
    return [(label, colour) for label, _short, colour in _badges(card)]


def _badges(card: PriorityCard) -> list[tuple[str, str, QColor]]:
    """Each badge in words, and the shorter form it takes when a narrow column has no room."""
    found: list[tuple[str, str, QColor]] = []
    if card.overdue_actions:
        found.append((f"{card.overdue_actions} overdue", f"{card.overdue_actions} late", OVERDUE))
    if card.status is PriorityStatus.ESCALATED:
        found.append(("CSP tasking", "CSP", ESCALATED))
    if card.blockers:
        found.append(("⚠ blocked", "⚠", BLOCKED))
    return found


def fitted_badges(fm: QFontMetrics, card: PriorityCard, room: int) -> list[tuple[str, QColor, int]]:
    """The badges as they fit in ``room`` pixels: long forms while they fit, then short ones from the
    last badge back, then elided; never painted past the card's edge."""
    found = _badges(card)
    labels = [long for long, _short, _colour in found]

    def total() -> int:
        return sum(fm.horizontalAdvance(label) + 14 for label in labels)

    for index in reversed(range(len(found))):
        if total() <= room:
            break
        labels[index] = found[index][1]
    fitted: list[tuple[str, QColor, int]] = []
    left = room
    for label, (_long, _short, colour) in zip(labels, found, strict=True):
        natural = fm.horizontalAdvance(label) + 10
        width = min(natural, max(left - 4, 0))
        if width < natural:
            if width < fm.horizontalAdvance("…") + 10:
                break
            label = fm.elidedText(label, Qt.TextElideMode.ElideRight, width - 10)
        fitted.append((label, colour, width))
        left -= width + 4
    return fitted


class CardDelegate(QStyledItemDelegate):
    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        """As wide as the column shows (no sideways scrolling), as tall as five lines of the font."""
        line = QFontMetrics(option.font).lineSpacing()
        return QSize(max(self._view.viewport().width() - 2, 100), line * 5 + PAD * 4)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        card: PriorityCard | None = index.data(CARD_ROLE)
        if card is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = option.rect.adjusted(3, 3, -3, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        palette = option.palette
        painter.setBrush(
            palette.color(QPalette.ColorRole.Highlight).lighter(185) if selected else palette.base()
        )
        painter.setPen(
            QPen(
                palette.color(QPalette.ColorRole.Highlight) if focused else QColor("#b0b0b0"),
                2 if focused else 1,
            )
        )
        painter.drawRoundedRect(box, 6, 6)
        painter.fillRect(QRect(box.left(), box.top() + 4, 5, box.height() - 8), STRIP[card.status])

        text = box.adjusted(PAD + 6, PAD, -PAD, -PAD)
        bold = QFont(option.font)
        bold.setBold(True)
        line = QFontMetrics(option.font).lineSpacing()
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.setFont(bold)
        fm_bold = QFontMetrics(bold)
        painter.drawText(
            QRect(text.left(), text.top(), text.width(), line),
            Qt.AlignmentFlag.AlignLeft,
            fm_bold.elidedText(card.ward_name, Qt.TextElideMode.ElideRight, text.width()),
        )
        painter.setFont(option.font)
        fm = QFontMetrics(option.font)
        title_rect = QRect(text.left(), text.top() + line, text.width(), line * 2)
        painter.drawText(title_rect, int(Qt.TextFlag.TextWordWrap), _two_lines(fm, card.title, text.width()))
        details = " · ".join(
            part
            for part in (card.lead_agency, f"week {card.week_start:%d %b}" if card.week_start else "")
            if part
        )
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(
            QRect(text.left(), text.top() + line * 3, text.width(), line),
            Qt.AlignmentFlag.AlignLeft,
            fm.elidedText(details or "no lead agency yet", Qt.TextElideMode.ElideRight, text.width()),
        )
        x = text.left()
        for label, colour, width in fitted_badges(fm, card, text.width()):
            pill = QRect(x, text.top() + line * 4, width, line)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(pill, line // 2, line // 2)
            painter.setPen(QColor("white"))
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, label)
            x += width + 4
        painter.restore()


def _two_lines(fm: QFontMetrics, text: str, width: int) -> str:
    """The title wrapped to at most two lines, the second elided."""
    words, first = text.split(), ""
    while words and fm.horizontalAdvance(f"{first} {words[0]}".strip()) <= width:
        first = f"{first} {words.pop(0)}".strip()
    if not words:
        return first
    return f"{first}\n{fm.elidedText(' '.join(words), Qt.TextElideMode.ElideRight, width)}"
