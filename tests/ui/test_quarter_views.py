"""The calendar, partners' actions and the overview driven by keyboard and menus."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from icalendar import Calendar
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from commmatters_desktop.core.enums import ScheduleMode
from commmatters_desktop.core.services import planning
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.main_window import MainWindow
from tests.ui.driver import Dialogs


def test_an_inspector_plans_next_quarter_and_exports_the_invites(
    window: MainWindow,
    qtbot: QtBot,
    demo_vault: Vault,
    tmp_path: Path,
    dialogs: Dialogs,
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.calendar and window.calendar.objectName() == "calendarView"
    window.calendar.cycle.setCurrentText("2027-Q1")
    assert window.calendar.model.columnCount() == 13 and window.calendar.model.rowCount() == 40
    dialogs.form("Plan the weeks of action for 2027-Q1", {"mode": ScheduleMode.ROLLING.label, "start": "04/01/2027",
                                                         "per_week": "4"})  # fmt: skip
    dialogs.press("Save this plan?", "Yes")
    window.calendar.findChild(QPushButton, "calendarPlan").click()  # type: ignore[union-attr]
    dialogs.done()
    assert "40 of 40 wards placed over 10 weeks, at most 4 a week" in dialogs.seen[-1]
    with demo_vault.reading() as s:
        assert len(planning.weeks_of(s, "2027-Q1")) == 40
    assert window.calendar.mode.text() == "40 of 40 wards have a week · Rolling plan"
    # Move the first ward's week by hand with the keyboard, then undo it.
    window.calendar.table.setCurrentIndex(window.calendar.model.index(0, 12))
    qtbot.keyClick(window.calendar, Qt.Key.Key_Space)
    first_ward = window.calendar.model.wards[0][0]
    with demo_vault.reading() as s:
        assert planning.weeks_of(s, "2027-Q1")[first_ward] == dt.date(2027, 3, 29)
    window.actions_.undo.trigger()
    with demo_vault.reading() as s:
        assert planning.weeks_of(s, "2027-Q1")[first_ward] == dt.date(2027, 1, 4)
    here = window.calendar.table.currentIndex()
    assert (here.row(), here.column()) == (0, 12), "the keyboard keeps its place after an edit"
    window.calendar.table.setCurrentIndex(window.calendar.model.index(0, 0))
    # A week made unavailable shows in the header.
    window.calendar.toggle_unavailable()
    assert "unavailable" in window.calendar.model.headerData(0, Qt.Orientation.Horizontal)
    # The invites.
    dialogs.file("Export calendar invites", tmp_path / "q1")
    target = window.quarter.export_ics("2027-Q1")
    dialogs.done()
    assert target == tmp_path / "q1.ics"
    events = list(Calendar.from_ical(target.read_bytes()).walk("VEVENT"))
    assert len([e for e in events if "Week of action" in str(e["summary"])]) == 40


def test_the_overview_counts_and_opens_a_stuck_ward(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    view = window.overview
    assert window.tabs.currentWidget() is view and view.objectName() == "forceOverviewView"
    assert view.counts["in action"].text() == "8" and view.counts["escalated"].text() == "2"
    assert view.stuck_label.text().startswith("21 of 40 wards stuck")
    listed = [view.model.row_at(r) for r in range(view.model.rowCount())]
    assert sum(w.state == "escalated" for w in listed) == 2
    assert all(w.why for w in listed), "every listed ward says why it is there (escalated ones too)"
    row = next(r for r in range(view.model.rowCount()) if view.model.row_at(r).priority_id is not None)
    view.table.activated.emit(view.model.index(row, 0))
    assert window.tabs.currentWidget() is window.plan
    assert window.plan.detail is not None and window.plan.detail.id == view.model.row_at(row).priority_id


def test_partners_actions_filter_and_print(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, dialogs: Dialogs
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    view = window.partners
    assert view.objectName() == "partnerActionsView" and view.model.rowCount() > 0
    view.agency.setCurrentText("Bolton Council")
    assert {a.agency for a in view.model.rows()} == {"Bolton Council"}
    dialogs.file("Save the partner's list", tmp_path / "bolton.pdf")
    target = window.quarter.print_partner_list("Bolton Council")
    dialogs.done()
    assert (
        target is not None and "Open actions for Bolton Council" in PdfReader(target).pages[0].extract_text()
    )
    from commmatters_desktop.core import audit

    trail = window.ops.read(lambda s: audit.events(s, audit.Filters(action="export partner list")))
    assert len(trail) == 1 and str(target) in trail[0]["summary"]


def test_a_column_widened_by_hand_keeps_its_width_when_the_list_reloads(
    window: MainWindow, qtbot: QtBot
) -> None:
    """Columns fit their contents when the list first fills; a reload (another partner chosen, an edit)
    keeps the widths, the fitted ones and the one the officer dragged wider."""
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    view = window.partners
    header = view.table.horizontalHeader()
    fitted = header.sectionSize(0)
    assert fitted > 0
    header.resizeSection(2, 333)
    view.agency.setCurrentText("Bolton Council")
    assert {a.agency for a in view.model.rows()} == {"Bolton Council"}
    assert header.sectionSize(2) == 333 and header.sectionSize(0) == fitted


def test_a_week_moved_on_the_calendar_can_be_undone_and_redone(window: MainWindow, demo_vault: Vault) -> None:
    from commmatters_desktop.core.services import planning

    window.actions_.show_calendar.trigger()
    cycle = window.calendar.cycle.currentText()
    model = window.calendar.model
    ward_id, before = next((w, model.chosen.get(w)) for w, _c, _n in model.wards)
    week = next(d for d in model.weeks if d != before)
    window.calendar.week_requested.emit(ward_id, week)
    with demo_vault.reading() as s:
        assert planning.weeks_of(s, cycle).get(ward_id) == week
    assert model.chosen.get(ward_id) == week
    window.actions_.undo.trigger()
    with demo_vault.reading() as s:
        assert planning.weeks_of(s, cycle).get(ward_id) == before
    window.actions_.redo.trigger()
    with demo_vault.reading() as s:
        assert planning.weeks_of(s, cycle).get(ward_id) == week


def test_the_window_plans_the_most_harmed_wards_first(
    window: MainWindow, demo_vault: Vault, dialogs: Dialogs
) -> None:
    """As ``plan weeks --by-harm`` does: a rolling plan in the Social Harm Index's order."""
    from commmatters_desktop.core.harm import harm_index
    from commmatters_desktop.core.models import Ward
    from commmatters_desktop.importers.imd import imd_ranks

    window.actions_.show_calendar.trigger()
    window.calendar.cycle.setCurrentText("2027-Q1")
    dialogs.form("Plan the weeks of action for 2027-Q1", {"mode": ScheduleMode.ROLLING.label, "start": "04/01/2027",
                                                         "per_week": "4", "by_harm": True})  # fmt: skip
    dialogs.press("Save this plan?", "Yes")
    window.calendar.findChild(QPushButton, "calendarPlan").click()  # type: ignore[union-attr]
    dialogs.done()
    with demo_vault.reading() as s:
        order = harm_index(s, imd_ranks()).order()
        weeks = planning.weeks_of(s, "2027-Q1")
        codes = {w.id: w.code for w in s.query(Ward)}
    first = sorted(codes[w] for w, d in weeks.items() if d == dt.date(2027, 1, 4))
    assert len(first) == 4 and first == sorted(order[:4]), "the four most harmed wards go first"


def test_the_calendar_model_passes_the_model_tester(window: MainWindow, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    window.actions_.show_calendar.trigger()
    qtmodeltester.check(window.calendar.model)
