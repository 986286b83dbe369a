"""Previewing, printing and saving "You said, we did" leaflets, one ward or a whole cycle.

A preview records nothing; printing or saving a leaflet is giving it out, so that records the
feedback (with the file's hash) through the same service the command line uses.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from commmatters_desktop.core import public
from commmatters_desktop.core.changeset import ChangeSet
from commmatters_desktop.core.clock import Clock
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.reports import publish
from commmatters_desktop.reports.leaflet import Leaflet, LeafletFormat, produce
from commmatters_desktop.ui.operations import Operations
from commmatters_desktop.ui.public_wording import PublicWordingDialog
from commmatters_desktop.ui.widgets import ChoiceCombo, button, fit_to_screen


class LeafletPreview(QDialog):
    def __init__(self, ops: Operations, clock: Clock, ward_code: str, cycle: str,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("leafletPreview")
        self.setWindowTitle("Leaflet preview")
        fit_to_screen(self, 760, 900)
        self.ops, self.clock, self.ward_code, self.cycle = ops, clock, ward_code, cycle
        self.leaflet: Leaflet | None = None
        self.format = ChoiceCombo(self, [(fmt.label, fmt) for fmt in LeafletFormat], name="leafletFormat")
        self.format.setAccessibleName("Leaflet format")
        self.format.currentIndexChanged.connect(lambda _i: self.rebuild())
        self.message = QLabel(self)
        self.message.setObjectName("leafletMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("background: #fdecea; color: #7f0000; padding: 6px; font-weight: bold;")
        self.message.hide()
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setObjectName("leafletView")
        self.view.setAccessibleName("Leaflet pages")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        self.print_button = button(self, "Print…", "leafletPrint", self.print_leaflet)
        self.save_button = button(self, "Save as…", "leafletSave", self.save_leaflet)
        close = button(self, "Close", "leafletClose", self.accept)
        self.review_button = button(self, "Review public wording…", "leafletReview", self.review_wording)
        self.review_button.hide()
        self.refusals: list[public.Refusal] = []
        row = QHBoxLayout()
        row.addWidget(QLabel("Format:", self))
        row.addWidget(self.format)
        row.addStretch(1)
        row.addWidget(self.review_button)
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        self._buffer: QBuffer | None = None
        self.rebuild()

    @property
    def chosen_format(self) -> LeafletFormat:
        chosen: LeafletFormat = self.format.value()
        return chosen

    def rebuild(self) -> None:
        fmt, today = self.chosen_format, self.clock.today()
        try:
            self.leaflet = self.ops.read(
                lambda s: produce(s, ward_code=self.ward_code, cycle=self.cycle, today=today, fmt=fmt,
                                  demo=self.ops.vault.is_demo)
            )  # fmt: skip
        except UserError as exc:
            self.leaflet = None
            self.document.close()
            self.message.setText(exc.message)
            self.message.show()
            self.refusals = exc.refusals if isinstance(exc, public.NotPublic) else []
        else:
            self.message.hide()
            self.refusals = []
            self._buffer = QBuffer(self)
            self._buffer.setData(QByteArray(self.leaflet.data))
            self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            self.document.load(self._buffer)
        for action in (self.print_button, self.save_button):
            action.setEnabled(self.leaflet is not None)
        self.review_button.setVisible(bool(self.refusals))

    def review_wording(self) -> PublicWordingDialog:
        """Approve the refused texts' drafts, then make the leaflet again."""
        dialog = PublicWordingDialog(self.ops, self.refusals, self)
        dialog.finished.connect(lambda _r: self.rebuild())
        dialog.open()
        return dialog

    def _record(self, leaflet: Leaflet) -> None:
        changed = ChangeSet()
        try:
            publish.record(self.ops.vault, leaflet, changed)
        except UserError as exc:
            self.ops.refused.emit(exc.message)
        else:
            self.ops.announce(changed)

    def save_leaflet(self) -> Path | None:
        if self.leaflet is None:
            return None
        suggested = str(Path.home() / self.leaflet.file_name())
        path, _ = QFileDialog.getSaveFileName(self, "Save the leaflet", suggested, "PDF (*.pdf)")
        if not path:
            return None
        target = Path(path if path.lower().endswith(".pdf") else f"{path}.pdf")
        changed = ChangeSet()
        try:
            publish.save(self.ops.vault, self.leaflet, target, changed=changed)
        except UserError as exc:
            self.message.setText(exc.message)
            self.message.show()
            return None
        self.ops.announce(changed)
        return target

    def print_leaflet(self, printer: QPrinter | None = None) -> bool:
        if self.leaflet is None:
            return False
        printer = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        painter = QPainter(printer)
        try:
            for page in range(self.document.pageCount()):
                if page:
                    printer.newPage()
                area: QRect = painter.viewport()
                image = self.document.render(page, QSize(area.width(), area.height()))
                painter.drawImage(area, image)
        finally:
            painter.end()
        self._record(self.leaflet)
        return True


def batch_leaflets(ops: Operations, clock: Clock, cycle: str, folder: Path, fmt: LeafletFormat,
                   parent: QWidget | None = None) -> publish.Batch:  # fmt: skip
    """Every ward of ``cycle`` with feedback, with a progress dialog whose Cancel keeps what was done.

    The views reload once, at the end: reloading after each of 680 leaflets took minutes.
    """
    progress = QProgressDialog("Making leaflets…", "Cancel", 0, 0, parent)
    progress.setObjectName("leafletProgress")
    progress.setWindowTitle("Making leaflets")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)

    def step(done: int, total: int, code: str) -> bool:
        progress.setMaximum(total)
        progress.setValue(done)
        if code:
            progress.setLabelText(f"Making the leaflet for {code} ({done + 1} of {total})…")
        # Repaints and the Cancel button, not the window behind (the dialog is modal).
        QCoreApplication.processEvents()
        return not progress.wasCanceled()

    try:
        batch = publish.publish_cycle(ops.vault, cycle=cycle, today=clock.today(), fmt=fmt, folder=folder,
                                      progress=step)  # fmt: skip
    finally:
        progress.close()
    ops.announce(batch.changed)  # one refresh, of what the batch recorded
    return batch
