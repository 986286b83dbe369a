"""Nothing clipped on a 1366x768 laptop or a 1920x1080 projector, at 100% and 150% scaling.

150% scaling is the same window in fewer logical pixels (910x512 and 1280x720), which is what Qt
lays out; every label, button and projector stage is checked at each size.
"""

from __future__ import annotations

import contextlib

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QStyle, QTableView, QWidget
from pytestqt.exceptions import TimeoutError
from pytestqt.qtbot import QtBot

from commmatters_desktop.core.services import wards
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.main_window import MainWindow
from commmatters_desktop.ui.meeting import STAGES

SIZES = [(1366, 768), (1920, 1080), (910, 512), (1280, 720)]


def clipped(root: QWidget) -> list[str]:
    """Visible labels and buttons whose text does not fit the room they were given."""
    found = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or widget.width() <= 0:
            continue
        if isinstance(widget, QLabel) and widget.text():
            if widget.wordWrap():
                if widget.heightForWidth(widget.width()) > widget.height() + 2:
                    found.append(f"label {widget.objectName() or widget.text()[:40]!r} cut at the bottom")
            elif widget.sizeHint().width() > widget.width() + 2 and widget.parent() is not None:
                found.append(f"label {widget.objectName() or widget.text()[:40]!r} cut at the side")
        elif isinstance(widget, QAbstractButton) and widget.text():
            if widget.minimumSizeHint().width() > widget.width() + 2:
                found.append(f"button {widget.text()!r} cut")
    return found


def assert_fits(qtbot: QtBot, root: QWidget, where: str) -> None:
    """Once the layout has settled (a stage change re-lays the screen out), nothing is clipped."""
    try:
        qtbot.waitUntil(lambda: clipped(root) == [], timeout=3000)
    except TimeoutError:
        pass
    assert clipped(root) == [], where


@pytest.mark.parametrize("size", SIZES)
def test_the_projector_stages_fit_with_a_long_ward_name_and_many_nominations(
    window: MainWindow, demo_vault: Vault, qtbot: QtBot, size: tuple[int, int]
) -> None:
    with demo_vault.unit_of_work() as s:
        ward = wards.ward_by_code(s, "E05000650")
        assert ward is not None
        wards.update_ward(s, ward=ward, name="Bredbury Green and Romiley East and West")
        from commmatters_desktop.core.enums import Channel
        from commmatters_desktop.core.services import engagement

        for n in range(14):
            wording = f"Nomination {n + 1}: cars parked on the pavement near the school gates"
            engagement.nominate(
                s, ward=ward, channel=Channel.PANEL, support=n + 1, cycle="2027-Q1", wording=wording
            )
    window.ward_view.table.selectRow(0)
    prep = window.wards.open_meeting()
    assert prep is not None
    qtbot.addWidget(prep)
    prep.reload_table()
    prep.approve_suggested()  # nothing reaches the projector before its wording is approved
    view = prep.start_meeting()
    assert view is not None, prep.message.text()
    qtbot.addWidget(view)
    view.showNormal()
    view.resize(*size)
    qtbot.waitUntil(lambda: view.width() == size[0])
    assert view.minimumSizeHint().width() <= size[0], "the text never makes the screen wider"
    for stage in range(len(STAGES)):
        assert view.stage == stage
        assert_fits(qtbot, view, f"stage {STAGES[stage]} at {size}")
        qtbot.keyClick(view, Qt.Key.Key_Right)
        while view.stage == stage and stage == 2:
            assert_fits(qtbot, view, f"a page of nominations at {size}")
            qtbot.keyClick(view, Qt.Key.Key_Right)


@pytest.mark.parametrize("size", SIZES[:2])
def test_every_view_fits_the_laptop_and_the_projector(
    window: MainWindow, qtbot: QtBot, size: tuple[int, int]
) -> None:
    window.resize(*size)
    qtbot.waitUntil(lambda: window.width() == size[0])
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        if window.tabs.currentWidget() is window.plan and window.plan.detail is None:
            card = next(c for c in window.board.model.cards() if c.status.value == "in_action")
            window.open_plan(card.id)
        assert_fits(qtbot, window, window.tabs.tabText(index))
    window.safekeeping.lock()
    assert_fits(qtbot, window, "the lock screen")


def cut_cells(table: QTableView) -> list[str]:
    """Cells whose text does not fit the room the table gives them (elided, or wrapped past the row)."""
    metrics = table.fontMetrics()
    model = table.model()
    found = []
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            text = str(index.data() or "")
            room = table.visualRect(index)
            if not text or table.isColumnHidden(column):
                continue
            width = room.width() - 2 * (
                table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1
            )
            if table.wordWrap():
                needed = metrics.boundingRect(QRect(0, 0, width, 100_000), Qt.TextFlag.TextWordWrap, text)
                if needed.height() > room.height():
                    found.append(f"{table.objectName()} row {row} column {column}: {text[:40]!r}")
            elif metrics.horizontalAdvance(text) > width:
                found.append(f"{table.objectName()} row {row} column {column}: {text[:40]!r}")
    return found


@pytest.mark.parametrize("size", [(1366, 768), (910, 512)])
def test_a_priorities_actions_and_a_meetings_wordings_are_read_whole(
    window: MainWindow, qtbot: QtBot, size: tuple[int, int]
) -> None:
    """Long texts wrap in columns that share the width: no action, result or wording is cut short and
    none needs a sideways scroll (the officer compares the three wordings before a meeting)."""

    def read_whole(table: QTableView) -> None:
        qtbot.waitUntil(lambda: table.isVisible() and table.model().rowCount() > 0)
        with contextlib.suppress(TimeoutError):
            qtbot.waitUntil(lambda: cut_cells(table) == [], timeout=3000)
        assert cut_cells(table) == []
        assert table.horizontalScrollBar().maximum() == 0, table.objectName()

    window.resize(*size)
    qtbot.waitUntil(lambda: window.width() == size[0])
    card = next(c for c in window.board.model.cards() if c.status.value == "in_action")
    window.open_plan(card.id)
    plan = window.plan
    plan.tabs.setCurrentIndex(next(i for i in range(plan.tabs.count()) if plan.tabs.tabText(i) == "Response"))
    read_whole(plan.actions_table)
    window.tabs.setCurrentWidget(window.ward_view)
    proxy = window.ward_view.proxy  # a ward whose panel has nominations this quarter
    window.ward_view.table.selectRow(
        next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == "E05011351")
    )
    prep = window.wards.open_meeting()
    assert prep is not None
    qtbot.addWidget(prep)
    prep.resize(*size)
    prep.show()
    prep.reload_table()
    read_whole(prep.table)
