"""Nothing clipped on a 1366x768 laptop or a 1920x1080 projector, at 100% and 150% scaling.

150% scaling is the same window in fewer logical pixels (910x512 and 1280x720), which is what Qt
lays out; every label, button and projector stage is checked at each size.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
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
