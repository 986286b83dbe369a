"""Sync in the window: what a sync reports, and the conflicts panel, where the user sees both values
and chooses."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from commmatters_desktop.sync.engine import (
    ConflictRow,
    SyncReport,
    field_label,
    open_conflicts,
    resolve_conflict,
)
from commmatters_desktop.ui.models.record_table import Column, RecordTableModel
from commmatters_desktop.ui.operations import Operations
from commmatters_desktop.ui.widgets import fit_to_screen


def _shown(value: object) -> str:
    return "(empty)" if value in (None, "") else value if isinstance(value, str) else json.dumps(value)


def report_needs_attention(report: SyncReport) -> bool:
    """A sync the user must hear about, beyond the status bar: stopped, files set aside, notes."""
    return report.interrupted or bool(report.rejected or report.notes or report.waiting)


def report_title(report: SyncReport) -> str:
    if report.interrupted:
        return "Sync did not finish"
    return "Some files were not used" if report.rejected or report.waiting else "Sync finished"


def report_details(report: SyncReport) -> str:
    """The whole story in words, never claiming more than was done (the first line is describe())."""
    files = [f"• {name}: {reason}." for name, reason in report.rejected[:12]]
    if len(report.rejected) > 12:
        files.append(f"… and {len(report.rejected) - 12} more set aside.")
    files += [f"• {name}: waits for an earlier file from the same laptop." for name in report.waiting[:6]]
    return "\n\n".join([report.describe(), *report.notes, *(["\n".join(files)] if files else [])])


class ConflictsDialog(QDialog):
    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictsDialog")
        self.setWindowTitle("Sync conflicts")
        fit_to_screen(self, 1000, 480)
        self.ops = ops
        self.model: RecordTableModel[ConflictRow] = RecordTableModel(
            [
                Column("Record", lambda c: c.record),
                Column("Field", lambda c: field_label(c.field)),
                Column("This laptop", lambda c: f"{_shown(c.local_value)} ({c.local_when})"),
                Column(
                    "Other laptop", lambda c: f"{_shown(c.remote_value)} ({c.remote_when}, {c.remote_device})"
                ),
                Column("Note", lambda c: c.note),
            ],
            self,
        )
        self.model.editable = False
        self.table = QTableView(self)
        self.table.setObjectName("conflictsTable")
        self.table.setAccessibleName("Conflicts: the same thing changed on two laptops")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.summary = QLabel(self)
        self.summary.setObjectName("conflictsSummary")
        self.summary.setWordWrap(True)
        buttons = QHBoxLayout()
        for text, name, keep in (
            ("Keep this laptop's", "keepLocal", "local"),
            ("Keep the other laptop's", "keepRemote", "remote"),
        ):
            button = QPushButton(text, self)
            button.setObjectName(name)
            button.setAccessibleName(text)
            button.clicked.connect(lambda _c=False, k=keep: self.resolve(k))
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        rows = self.ops.read(open_conflicts)
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self.summary.setText(
            f"{len(rows)} thing{'s' if len(rows) != 1 else ''} changed on two laptops without either seeing the "
            "other's change. The value shown everywhere for now is the later one; choose which to keep and it "
            "goes to every laptop at the next sync."
            if rows
            else "No conflicts: every laptop agrees."
        )

    def resolve(self, keep: str) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            self.summary.setText("Select a conflict first.")
            return
        conflict = self.model.row_at(index.row())
        self.ops.attempt(lambda s: resolve_conflict(s, conflict.id, keep=keep))
        self.reload()
