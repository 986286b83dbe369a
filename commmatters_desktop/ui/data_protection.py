"""Retention review, subject access and the quarter's public wording in the window (the same services as
the ``retention``, ``purge``, ``sar`` and ``public`` commands)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from commmatters_desktop.core import public_review, retention, subject_access
from commmatters_desktop.core.changeset import ChangeSet
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.services.force import force_name
from commmatters_desktop.storage.vault import atomic_write
from commmatters_desktop.ui import forms
from commmatters_desktop.ui.models.record_table import Column, RecordTableModel
from commmatters_desktop.ui.operations import Operations
from commmatters_desktop.ui.widgets import button


def _table(parent: QWidget, name: str, accessible: str, model: RecordTableModel) -> QTableView:  # type: ignore[type-arg]
    table = QTableView(parent)
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _message(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


class RetentionDialog(QDialog):
    """What is past its retention date (named by role and ward, never the person), and purging it."""

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("retentionReview")
        self.setWindowTitle("Retention review (DPA 2018 s.39)")
        self.resize(900, 520)
        self.ops = ops
        rules = "; ".join(f"{r.label}: {r.months} months" for r in retention.RULES.values())
        intro = QLabel(f"Rules: {rules}. Purging removes the data here now and from every laptop and the "
                       "shared folder at their next sync.", self)  # fmt: skip
        intro.setWordWrap(True)
        self.message = _message(self, "retentionMessage")
        self.model: RecordTableModel[retention.Due] = RecordTableModel(
            [
                Column("Record", lambda d: d.label),
                Column("Rule", lambda d: retention.RULES[d.rule].label),
                Column("Fields", lambda d: ", ".join(f.replace("_", " ") for f in d.fields)),
                Column("Due since", lambda d: f"{d.due_on:%d %b %Y}"),
            ],
            self,
        )
        self.table = _table(self, "retentionTable", "Personal data past its date", self.model)
        buttons = QHBoxLayout()
        buttons.addWidget(button(self, "Purge selected…", "retentionPurge", self.purge_selected))
        buttons.addStretch(1)
        buttons.addWidget(button(self, "Close", "retentionClose", self.accept))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        today = self.ops.vault.clock.today()
        self.model.set_rows(self.ops.read(lambda s: retention.due(s, today)))
        self.table.resizeColumnsToContents()
        count = self.model.rowCount()
        self.message.setText(f"{count} record{'s' if count != 1 else ''} past their date." if count
                             else "Nothing is past its date.")  # fmt: skip

    def purge_selected(self) -> int:
        from commmatters_desktop.sync.purge import purge

        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        items = [self.model.row_at(r) for r in rows] or self.model.rows()
        if not items:
            return 0
        reason = forms.ask_reason(self, "Purge personal data", f"Why are these {len(items)} being purged?")
        if not reason:
            return 0
        try:
            count = purge(self.ops.vault, items, reason=reason)
        except UserError as exc:
            self.message.setText(exc.message)
            return 0
        self.ops.announce(ChangeSet.all())  # a purge rewrites rows everywhere: every view reloads
        self.reload()
        self.message.setText(f"Purged personal data from {count} record{'s' if count != 1 else ''}. "
                             "Sync to carry the purge to the other laptops and the shared folder.")  # fmt: skip
        return count


class SubjectAccessDialog(QDialog):
    """Everything held about a named person, exported as PDF or CSV with the request's reference."""

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("subjectAccess")
        self.setWindowTitle("Subject access request")
        self.resize(980, 560)
        self.ops = ops
        self.name = QLineEdit(self)
        self.name.setObjectName("sarName")
        self.name.setAccessibleName("The person's name")
        self.name.setPlaceholderText("The name as the person gave it")
        self.name.returnPressed.connect(self.search)
        self.message = _message(self, "sarMessage")
        self.model: RecordTableModel[subject_access.Held] = RecordTableModel(
            [
                Column("Section", lambda h: h.section),
                Column("Record", lambda h: h.record),
                Column("Field", lambda h: h.field.replace("_", " ")),
                Column("Value", lambda h: h.value),
            ],
            self,
        )
        self.table = _table(self, "sarTable", "Everything held about the person", self.model)
        top = QHBoxLayout()
        top.addWidget(QLabel("Name:", self))
        top.addWidget(self.name, 1)
        top.addWidget(button(self, "Search", "sarSearch", self.search))
        buttons = QHBoxLayout()
        buttons.addWidget(button(self, "Export PDF…", "sarPdf", lambda: self.export("pdf")))
        buttons.addWidget(button(self, "Export CSV…", "sarCsv", lambda: self.export("csv")))
        buttons.addStretch(1)
        buttons.addWidget(button(self, "Close", "sarClose", self.accept))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def search(self) -> None:
        name = self.name.text()
        try:
            held = self.ops.read(lambda s: subject_access.find(s, name))
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.model.set_rows(held)
        self.table.resizeColumnsToContents()
        self.message.setText(f"{len(held)} item{'s' if len(held) != 1 else ''} held.")

    def export(self, kind: str) -> Path | None:
        name = self.name.text().strip()
        reference = forms.ask_reason(self, "Subject access export", "The request's reference (recorded)")
        if not reference:
            return None
        suggested = str(Path.home() / f"subject-access.{kind}")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the subject access export", suggested, f"{kind.upper()} (*.{kind})"
        )
        if not path:
            return None
        target = Path(path)
        today = self.ops.vault.clock.today()

        def run(s: Session) -> bytes:
            from commmatters_desktop.reports.subject_access import render

            held = subject_access.find(s, name)
            subject_access.record_export(s, count=len(held), target=target.name, reason=reference)
            if kind == "csv":
                return subject_access.to_csv(held)
            return render(held, name=name, reference=reference, force_name=force_name(s), on=today)

        def write(s: Session) -> None:  # recorded only if written, and never written unrecorded
            atomic_write(target, run(s))

        try:
            self.ops.run(write)
        except (UserError, OSError) as exc:
            self.message.setText(getattr(exc, "message", None) or f"The export was not written: {exc}.")
            return None
        self.message.setText(f"Saved to {target}; the export is recorded in the audit trail.")
        return target


def review_public_wording(
    ops: Operations, parent: QWidget, *, ward_code: str | None, today: dt.date
) -> QDialog | None:
    """Everything a ward's quarter would refuse on any public surface, approved from one list.

    The leaflet preview and meeting preparation each show their own refusals; this is the whole quarter
    at once (leaflet, meetings, report, police.uk export), as ``public pending`` lists it.
    """
    from commmatters_desktop.ui.forms import Field, Kind
    from commmatters_desktop.ui.public_wording import PublicWordingDialog

    choices = ops.read(public_review.wards)
    if not choices:
        QMessageBox.information(parent, "No wards yet", "Import or add the force's wards first.")
        return None
    this = CycleCode.containing(today)
    quarters = [str(c) for c in (this.next(), this, this.previous(), this.previous().previous())]
    answer = forms.ask_form(
        parent,
        "Public wording for a quarter",
        "Lists every text this ward's leaflet, panel meetings, quarterly report and police.uk export would "
        "refuse, with the app's masked draft of each to check and approve.",
        [
            Field("ward", "Ward", Kind.CHOICE, value=ward_code or choices[0][1], choices=choices),
            Field("cycle", "Quarter", Kind.CHOICE, value=str(this), choices=[(q, q) for q in quarters]),
        ],
        "Review",
    )
    if answer is None:
        return None
    demo = ops.vault.is_demo
    try:
        refusals = ops.read(
            lambda s: public_review.pending(
                s, ward_code=answer["ward"], cycle=answer["cycle"], today=today, demo=demo
            )
        )
    except UserError as exc:
        QMessageBox.warning(parent, "Public wording", exc.message)
        return None
    if not refusals:
        QMessageBox.information(
            parent,
            "Public wording approved",
            f"Everything {answer['ward']} shows in public for {answer['cycle']} is approved.",
        )
        return None
    dialog = PublicWordingDialog(ops, refusals, parent)
    dialog.open()
    return dialog
