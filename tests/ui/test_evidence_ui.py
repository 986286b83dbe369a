"""The Evidence menu and the SARA evidence charts, driven through the real dialogs."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from commmatters_desktop.core.models import Priority, Ward, WardLsoa
from commmatters_desktop.core.services import crime
from commmatters_desktop.core.surveys import waves
from commmatters_desktop.demo_evidence import HEADER
from commmatters_desktop.ui.evidence_actions import CrimeReader
from commmatters_desktop.ui.main_window import MainWindow
from tests.ui.driver import Dialogs


def trigger(window: MainWindow, name: str) -> None:
    action = next(a for a in window.actions_.all() if a.objectName() == name)
    assert action.isEnabled() and action.statusTip()
    action.trigger()


def new_month_file(window: MainWindow, path: Path, rows_per_lsoa: int = 2) -> dict[str, int]:
    """A January 2027 street file for the demo's LSOAs, and the count each ward should get."""
    lsoas = window.ops.read(
        lambda s: list(
            s.execute(select(WardLsoa.code, Ward.code).join(Ward, Ward.id == WardLsoa.ward_id)).all()
        )
    )
    expected: dict[str, int] = {}
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for n, (lsoa, ward) in enumerate(lsoas):
            for k in range(rows_per_lsoa):
                out.writerow([f"{n:08d}{k:04d}", "2027-01", "DEMO", "DEMO", "", "", "On or near ", lsoa, "x",
                              "Burglary", "", ""])  # fmt: skip
            out.writerow(
                [
                    "",
                    "2027-01",
                    "DEMO",
                    "DEMO",
                    "",
                    "",
                    "On or near ",
                    lsoa,
                    "x",
                    "Anti-social behaviour",
                    "",
                    "",
                ]
            )
            expected[ward] = expected.get(ward, 0) + rows_per_lsoa + 1
    return expected


def test_crime_import_runs_off_the_window_thread_and_reports(
    window: MainWindow, dialogs: Dialogs, qtbot: QtBot, tmp_path: Path
) -> None:
    expected = new_month_file(window, tmp_path / "2027-01-demo-street.csv")
    dialogs.file("Import data.police.uk crime files", tmp_path / "2027-01-demo-street.csv")
    dialogs.press("Crime data", "OK")
    with qtbot.waitSignal(window.evidence.import_finished, timeout=20_000) as finished:
        trigger(window, "actionImportCrime")
    dialogs.done()
    report = finished.args[0]
    assert report.startswith(f"Read {sum(expected.values()):,} rows from 1 file")
    assert "Months held: 2027-01 (DEMO)" in report
    got = window.ops.read(lambda s: crime.ward_totals(s, ["2027-01"]))
    assert got == expected


def test_cancel_stops_the_reader_and_changes_nothing(
    window: MainWindow, dialogs: Dialogs, qtbot: QtBot, tmp_path: Path
) -> None:
    new_month_file(window, tmp_path / "a.csv")
    lookup = window.ops.read(crime.vault_lookup)
    reader = CrimeReader([tmp_path / "a.csv"], lookup)
    reader.cancel()
    reader.run()  # in this thread: the cancel is seen at the first progress report
    assert reader.tally is None and "cancelled; nothing was changed" in reader.error
    # Through the window: the Cancel button on the progress dialog reaches the reader.
    before = window.ops.read(crime.held_months)
    started = window.evidence.start_import([tmp_path / "a.csv"], lookup, start=False)
    progress = window.evidence.progress
    assert progress is not None and progress.isVisible()
    cancel = next(b for b in progress.findChildren(QPushButton) if b.text() == "Cancel")
    cancel.click()
    assert started._cancel.is_set()
    dialogs.press("Crime data", "OK")
    with qtbot.waitSignal(window.evidence.import_finished, timeout=20_000) as finished:
        started.start()
    dialogs.done()
    assert finished.args[0] == "The crime import was cancelled; nothing was changed."
    assert window.ops.read(crime.held_months) == before


def test_a_survey_typed_from_paper(window: MainWindow, dialogs: Dialogs) -> None:
    dialogs.form(
        "Record a survey wave",
        {
            "ward": "Astley Bridge (E05000650)",
            "date": "10/11/2026",
            "matters": "5,7,3,2,1,2",
            "respect": "9,8,1,1,0,1",
        },
    )
    trigger(window, "actionAddSurvey")
    dialogs.done()
    recorded = window.ops.read(
        lambda s: [w for w in waves(s, ward_code="E05000650") if w.conducted_on == dt.date(2026, 11, 10)]
    )
    (wave,) = recorded
    matters = wave.result("matters")
    assert matters is not None and (matters.positive, matters.base) == (12, 20)
    assert wave.respondents == 20


def test_a_survey_with_a_wrong_count_is_refused_with_the_reason(window: MainWindow, dialogs: Dialogs) -> None:
    dialogs.form(
        "Record a survey wave", {"ward": "Astley Bridge (E05000650)", "date": "10/11/2026", "matters": "5,7"}
    )
    dialogs.press("Survey not recorded", "OK")
    trigger(window, "actionAddSurvey")
    dialogs.done()
    assert "matters needs 6 counts" in dialogs.seen[-1]


def test_harm_index_dialog(window: MainWindow, qtmodeltester, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    dialog = window.evidence.show_harm_index()
    assert dialog is not None
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    assert dialog.model.rowCount() == 40
    assert dialog.model.data(dialog.model.index(0, 0)) == 1
    dialog.close()


def test_quarterly_report_and_police_uk_export_from_the_menu(
    window: MainWindow, dialogs: Dialogs, tmp_path: Path
) -> None:
    dialogs.file("Save the 2026-Q4 quarterly report", tmp_path / "report.pdf")
    trigger(window, "actionQuarterlyReport")
    dialogs.done()
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "report.pdf").pages)
    assert "Community Matters: quarterly report" in text and "2026-Q4" in text
    dialogs.file("Export police.uk priorities", tmp_path / "priorities")
    trigger(window, "actionExportPoliceUk")
    dialogs.done()
    data = json.loads((tmp_path / "priorities.json").read_text(encoding="utf-8"))
    assert data["cycle"] == "2026-Q4" and data["neighbourhoods"]


def test_the_sara_tabs_chart_the_evidence_and_the_measure_can_be_chosen_and_undone(
    window: MainWindow, dialogs: Dialogs
) -> None:
    pid = window.ops.read(
        lambda s: s.scalar(
            select(Priority.id).join(Ward, Ward.id == Priority.ward_id)
            .where(Ward.code == "E05000650", Priority.cycle.has(code="2026-Q3"))
        )
    )  # fmt: skip
    window.open_plan(pid)
    panels = window.plan.evidence
    expected = window.ops.read(lambda s: crime.priority_evidence(s, pid))
    assert panels.assessment.verdict.text() == expected.sentence()
    assert panels.baseline.caption.text().startswith("Drugs: ")
    assert panels.assessment.chart.series() and panels.baseline.chart.series()
    tabs = [window.plan.tabs.tabText(i) for i in range(window.plan.tabs.count())]
    assert tabs == ["Scanning", "Analysis", "Response", "Assessment", "Feedback"]

    dialogs.form(
        "What measures this priority", {"types": "Burglary", "comparison": "The rest of the borough"}
    )
    panels.assessment.choose.click()
    dialogs.done()
    assert panels.assessment.caption.text().startswith("Burglary: ")
    assert "the rest of the borough" in panels.assessment.caption.text()
    window.ops.stack.undo()
    assert panels.assessment.caption.text().startswith("Drugs: ")
