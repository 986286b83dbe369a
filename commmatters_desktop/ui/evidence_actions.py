"""The Evidence menu: crime import (in a worker thread, with progress and Cancel), survey waves, the
Social Harm Index, the quarterly report and the police.uk export.

Installed on the main window by :func:`install_evidence_menu`; every action is a registry action
(:func:`ui.actions.make_action`: object name, status tip, shortcut) and goes through the services.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QThread,
    Signal,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from commmatters_desktop.core.enums import SurveyMode
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.harm import HarmIndex, HarmRow
from commmatters_desktop.core.surveys import ITEMS
from commmatters_desktop.importers.police_uk import CrimeTally, ImportCancelled, WardOf
from commmatters_desktop.reports.publish import write_file
from commmatters_desktop.ui import forms
from commmatters_desktop.ui.forms import Field, Kind
from commmatters_desktop.ui.models import roles

if TYPE_CHECKING:
    from commmatters_desktop.ui.main_window import MainWindow


# --- crime import in a worker thread --------------------------------------------------------------------------


class CrimeReader(QThread):
    """Reads and counts the files off the window's thread; the main thread stores the result."""

    progressed = Signal(int)

    def __init__(self, paths: list[Path], lookup: dict[str, WardOf], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths, self.lookup = paths, lookup
        self.tally: CrimeTally | None = None
        self.error = ""
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        from commmatters_desktop.importers.police_uk import tally_files

        def progress(done: int, total: int) -> bool:
            self.progressed.emit(int(1000 * done / max(total, 1)))
            return not self._cancel.is_set()

        try:
            self.tally = tally_files(self.paths, self.lookup, progress=progress)
        except ImportCancelled as exc:
            self.error = exc.message
        except UserError as exc:
            self.error = exc.message
        except OSError as exc:
            self.error = f"A file could not be read ({exc.strerror or exc}); nothing was imported."


class EvidenceMenu(QObject):
    #: A crime import finished (stored, refused or cancelled): the one-paragraph report shown.
    import_finished = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.reader: CrimeReader | None = None
        self.progress: QProgressDialog | None = None

    @property
    def _cycle(self) -> str:
        return self.window.board.selected_cycle() or str(self.window.cycle)

    # crime ----------------------------------------------------------------------------------------------------

    def import_crime(self, *, folder: bool) -> None:
        if self.window.locked or self.reader is not None:
            return
        if folder:
            chosen = QFileDialog.getExistingDirectory(
                self.window, "Import a data.police.uk archive folder", str(Path.home())
            )
            paths = [Path(chosen)] if chosen else []
        else:
            names, _ = QFileDialog.getOpenFileNames(
                self.window,
                "Import data.police.uk crime files",
                str(Path.home()),
                "Crime files (*.csv *.zip)",
            )
            paths = [Path(n) for n in names]
        if not paths:
            return
        from commmatters_desktop.core.services import crime

        lookup = self.window.ops.read(crime.vault_lookup)
        if not lookup:
            QMessageBox.information(
                self.window, "Choose an LSOA-to-ward lookup",
                "The vault links no LSOAs to wards yet. Choose the ONS LSOA-to-ward lookup CSV next.",
            )  # fmt: skip
            name, _ = QFileDialog.getOpenFileName(
                self.window, "ONS LSOA-to-ward lookup", str(Path.home()), "CSV (*.csv)"
            )
            if not name:
                return
            from commmatters_desktop.importers.police_uk import read_lsoa_lookup

            try:
                lookup = read_lsoa_lookup(Path(name))
            except UserError as exc:
                QMessageBox.warning(self.window, "Nothing was imported", exc.message)
                return
        self.start_import(paths, lookup)

    def start_import(
        self, paths: list[Path], lookup: dict[str, WardOf], *, start: bool = True
    ) -> CrimeReader:
        """Show the progress dialog and start reading (``start=False``: the caller starts it)."""
        reader = CrimeReader(paths, lookup, self)
        progress = QProgressDialog("Reading the crime files…", "Cancel", 0, 1000, self.window)
        progress.setObjectName("crimeImportProgress")
        progress.setWindowTitle("Importing crime data")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(reader.cancel)
        reader.progressed.connect(progress.setValue)
        reader.finished.connect(self._import_done)
        self.reader, self.progress = reader, progress
        progress.show()
        if start:
            reader.start()
        return reader

    def _import_done(self) -> None:
        from commmatters_desktop.cli_evidence import import_report
        from commmatters_desktop.core.services import crime

        reader, progress = self.reader, self.progress
        self.reader = self.progress = None
        assert reader is not None
        reader.wait()
        if progress is not None:
            progress.close()
            progress.deleteLater()
        if reader.tally is None:
            text = reader.error
        else:
            tally = reader.tally
            stored = self.window.ops.attempt(lambda s: crime.store_tally(s, tally))
            text = import_report(tally, stored) if stored is not None else "Nothing was stored."
        reader.deleteLater()
        self.window.statusBar().showMessage(text.splitlines()[0], 10_000)
        box = QMessageBox(
            QMessageBox.Icon.Information, "Crime data", text, QMessageBox.StandardButton.Ok, self.window
        )
        box.setObjectName("crimeImportReport")
        box.open()
        self.import_finished.emit(text)

    # surveys --------------------------------------------------------------------------------------------------

    def _ward_choices(self) -> list[tuple[str, str]]:
        from commmatters_desktop.core import queries

        rows = self.window.ops.read(lambda s: queries.ward_rows(s, cycle=str(self.window.cycle)))
        return [(f"{r.name} ({r.code})", r.code) for r in rows]

    def add_survey(self) -> None:
        if self.window.locked:
            return
        selected = self.window.ward_view.selected_ward()
        current = None
        wards = self._ward_choices()
        if selected is not None:
            from commmatters_desktop.core.models import Ward

            current = self.window.ops.read(lambda s: (lambda w: w.code if w else None)(s.get(Ward, selected)))
        fields = [
            Field("ward", "Ward", Kind.CHOICE, required=True, value=current, choices=wards),
            Field("date", "Date of the survey", Kind.DATE, required=True, value=self.window.clock.today()),
            Field("mode", "How it was done", Kind.CHOICE, value=SurveyMode.PANEL,
                  choices=[(m.label, m) for m in SurveyMode]),
            Field("respondents", "Respondents (blank: the most answers to one question)"),
        ] + [
            Field(item.key, item.short, hint=f"{item.question} Counts in this order, separated by commas: "
                  + ", ".join(label for _k, label in item.scale))
            for item in ITEMS
        ]  # fmt: skip
        answer = forms.ask_form(
            self.window,
            "Record a survey wave",
            "Type each question's counts from the paper tally, in the order of its scale "
            "(for agree questions: strongly agree, tend to agree, neither, tend to disagree, strongly disagree, "
            "don't know; for 'good job': excellent, good, fair, poor, very poor). Leave a question blank if "
            "it was not asked.",
            fields,
            "Record",
        )
        if answer is None:
            return
        self.record_survey(answer)

    def record_survey(self, answer: dict[str, Any]) -> bool:
        from commmatters_desktop.cli_evidence import parse_item_counts
        from commmatters_desktop.core.services.wards import ward_by_code
        from commmatters_desktop.core.surveys import record_wave

        try:
            counts = parse_item_counts(
                [f"{i.key}={answer[i.key]}" for i in ITEMS if str(answer.get(i.key, "")).strip()]
            )
            respondents = int(answer["respondents"]) if str(answer.get("respondents", "")).strip() else None
        except UserError as exc:
            QMessageBox.warning(self.window, "Survey not recorded", exc.message)
            return False
        except ValueError:
            QMessageBox.warning(self.window, "Survey not recorded", "Respondents must be a whole number.")
            return False

        def work(s: Any) -> object:
            ward = ward_by_code(s, str(answer.get("ward") or ""))
            if ward is None:
                raise UserError("Choose a ward.")
            return record_wave(s, ward=ward, conducted_on=answer["date"], mode=answer["mode"], counts=counts,
                               respondents=respondents)  # fmt: skip

        result = self.window.ops.attempt(work)
        if result is None:
            return False
        self.window.statusBar().showMessage(f"Survey wave recorded for {answer['ward']}.", 8000)
        return True

    def import_survey(self) -> None:
        if self.window.locked:
            return
        name, _ = QFileDialog.getOpenFileName(
            self.window, "Import a survey CSV", str(Path.home()), "CSV (*.csv)"
        )
        if not name:
            return
        from commmatters_desktop.core.services.wards import ward_by_code
        from commmatters_desktop.core.surveys import record_wave
        from commmatters_desktop.importers.surveys import read_survey_csv

        try:
            parsed = read_survey_csv(Path(name))
        except UserError as exc:
            QMessageBox.warning(self.window, "Nothing was imported", exc.message)
            return

        def work(s: Any) -> int:
            for (code, day, mode), counts in parsed.waves.items():
                ward = ward_by_code(s, code)
                if ward is None:
                    raise UserError(f"There is no ward {code} in the vault; nothing was imported.")
                record_wave(s, ward=ward, conducted_on=day, mode=mode, counts=counts,
                            respondents=parsed.respondents[(code, day, mode)])  # fmt: skip
            return len(parsed.waves)

        done = self.window.ops.attempt(work)
        if done is not None:
            lines = [f"{done} survey wave{'s' if done != 1 else ''} recorded from {Path(name).name}."]
            lines += [f"Line {n}: {r}" for n, r in parsed.skipped[:15]]
            QMessageBox.information(self.window, "Survey imported", "\n".join(lines))

    # harm index, report, export -------------------------------------------------------------------------------

    def show_harm_index(self) -> HarmDialog | None:
        if self.window.locked:
            return None
        from commmatters_desktop.core.harm import harm_index
        from commmatters_desktop.importers.imd import imd_ranks

        try:
            index = self.window.ops.read(lambda s: harm_index(s, imd_ranks()))
        except UserError as exc:
            QMessageBox.warning(self.window, "Social Harm Index", exc.message)
            return None
        dialog = HarmDialog(index, self.window)
        dialog.open()
        return dialog

    def quarterly_report(self) -> Path | None:
        if self.window.locked:
            return None
        from commmatters_desktop.core.quarterly import build_report
        from commmatters_desktop.reports.quarterly import render_quarterly

        cycle = self._cycle
        suggested = str(Path.home() / f"community-matters-{cycle}-quarterly-report.pdf")
        name, _ = QFileDialog.getSaveFileName(
            self.window, f"Save the {cycle} quarterly report", suggested, "PDF (*.pdf)"
        )
        if not name:
            return None
        path = Path(name if name.lower().endswith(".pdf") else name + ".pdf")
        today = self.window.clock.today()
        report = self.window.ops.read(lambda s: build_report(s, cycle=cycle, today=today))
        try:
            write_file(
                path, render_quarterly(report, demo=self.window.vault.is_demo), what="The quarterly report"
            )
        except UserError as exc:
            QMessageBox.warning(self.window, "Report not saved", exc.message)
            return None
        self.window.statusBar().showMessage(f"Quarterly report for {cycle} saved to {path}", 10_000)
        return path

    def export_police_uk(self) -> Path | None:
        if self.window.locked:
            return None
        from commmatters_desktop.core.quarterly import police_uk_export

        cycle = self._cycle
        suggested = str(Path.home() / f"police-uk-priorities-{cycle}.json")
        name, _ = QFileDialog.getSaveFileName(
            self.window, "Export police.uk priorities", suggested, "JSON (*.json)"
        )
        if not name:
            return None
        path = Path(name if name.lower().endswith(".json") else name + ".json")
        demo = self.window.vault.is_demo
        data = self.window.ops.read(lambda s: police_uk_export(s, cycle=cycle, demo=demo))
        try:
            write_file(
                path, json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"), what="The export"
            )
        except UserError as exc:
            QMessageBox.warning(self.window, "Not exported", exc.message)
            return None
        left = len(data["left_out"])  # type: ignore[arg-type]
        self.window.statusBar().showMessage(
            f"{len(data['neighbourhoods'])} priorities exported to {path}"  # type: ignore[arg-type]
            + (f"; {left} without approved public wording left out." if left else "."),
            10_000,
        )
        return path


# --- the harm index table -------------------------------------------------------------------------------------


class HarmModel(QAbstractTableModel):
    HEADERS = ("Rank", "Ward", "Borough", "Crime + ASB (12 months)", "Per 1,000 (est.)", "IMD need", "Index")

    def __init__(self, rows: list[HarmRow], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows = rows

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != roles.DISPLAY or not index.isValid():
            return None
        r = self.rows[index.row()]
        return (
            r.rank, f"{r.name} ({r.code})", r.la_name, f"{r.incidents:,}", f"{r.demand:.1f}", f"{r.need:.2f}",
            f"{r.index:.1f}",
        )[index.column()]  # fmt: skip

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == roles.DISPLAY and orientation == roles.HORIZONTAL:
            return self.HEADERS[section]
        return None


class HarmDialog(QDialog):
    def __init__(self, index: HarmIndex, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("harmIndexDialog")
        self.setWindowTitle("Social Harm Index")
        self.resize(860, 560)
        period = f"{index.months[0]} to {index.months[-1]}" if index.months else "no crime data imported yet"
        intro = QLabel(
            f"Police demand (crime and ASB per 1,000 residents, {period}; residents estimated at 1,700 per LSOA) "
            "and need (IMD 2019 deprivation of the ward's LSOAs), each as the ward's percentile among the "
            "force's wards, averaged into an index from 0 to 100. The suggested order for a rolling plan of "
            "weeks of action is highest first (plan weeks --by-harm).",
            self,
        )
        intro.setWordWrap(True)
        self.model = HarmModel(index.rows, self)
        table = QTableView(self)
        table.setObjectName("harmIndexTable")
        table.setAccessibleName("Wards ranked by the Social Harm Index")
        table.setModel(self.model)
        table.resizeColumnsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(table, 1)
        layout.addWidget(buttons)
