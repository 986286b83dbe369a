"""The audit trail, readable: who did what, when, to which record; filter, verify, export with a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from commmatters_desktop.core import audit
from commmatters_desktop.core.changeset import ChangeSet
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.storage.vault import atomic_write
from commmatters_desktop.ui import forms
from commmatters_desktop.ui.models.record_table import Column, RecordTableModel, parse_date
from commmatters_desktop.ui.operations import Operations
from commmatters_desktop.ui.widgets import button, fit_columns

Row = dict[str, Any]
LIMIT = 2000


class AuditView(QWidget):
    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditView")
        self.setAccessibleName("Audit trail")
        self.ops = ops
        self.filters: dict[str, QLineEdit] = {}
        bar = QHBoxLayout()
        for key, label, hint in (
            ("person", "Person:", "who acted, or words in the event"),
            ("ward", "Ward:", "ONS code or name"),
            ("since", "From:", "dd/mm/yyyy"),
            ("until", "To:", "dd/mm/yyyy"),
        ):
            edit = QLineEdit(self)
            edit.setObjectName(f"audit{key.capitalize()}")
            edit.setAccessibleName(f"Filter by {key}")
            edit.setPlaceholderText(hint)
            edit.returnPressed.connect(self.reload)
            bar.addWidget(QLabel(label, self))
            bar.addWidget(edit)
            self.filters[key] = edit
        bar.addWidget(button(self, "Filter", "auditFilter", self.reload))
        bar.addWidget(button(self, "Verify chain", "auditVerify", self.verify))
        bar.addWidget(button(self, "Export…", "auditExport", self.export))
        self.message = QLabel(self)
        self.message.setObjectName("auditMessage")
        self.message.setWordWrap(True)
        self.model: RecordTableModel[Row] = RecordTableModel(
            [
                Column("When (UTC)", lambda r: str(r["at"]).replace("T", " ")),
                Column("Who", lambda r: str(r["actor"])),
                Column("Laptop", lambda r: str(r["device"])[:12]),
                Column("Did", lambda r: str(r["action"])),
                Column("Record", lambda r: str(r["record"])),
                Column("Details", lambda r: str(r["summary"])),
            ],
            self,
        )
        self.table = QTableView(self)
        self.table.setObjectName("auditTable")
        self.table.setAccessibleName("Audit events, newest first")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        # Loaded when shown (and by Filter), and only if a unit of work wrote to the trail since:
        # switching back and forth between views costs nothing.
        self.table.horizontalHeader().setResizeContentsPrecision(60)  # fit to a sample, not 2,000 rows
        self._stale = True
        self.ops.changes.connect(self._changed)

    def _changed(self, change: ChangeSet) -> None:
        if change.touches("audit_event"):
            self._stale = True

    def current_filters(self) -> audit.Filters:
        text = {key: edit.text().strip() for key, edit in self.filters.items()}
        return audit.Filters(person=text["person"], ward=text["ward"], since=parse_date(text["since"]),
                             until=parse_date(text["until"]))  # fmt: skip

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        self._stale = False
        try:
            filters = self.current_filters()
        except UserError as exc:
            self.message.setText(exc.message)
            return
        count = self.ops.read(lambda s: audit.count_events(s, filters, limit=LIMIT))

        def page(offset: int, limit: int) -> list[Row]:
            """One page of the newest LIMIT events, read from the vault as the table scrolls."""
            limit = min(limit, LIMIT - offset)
            return (
                self.ops.read(lambda s: audit.events(s, filters, limit=limit, offset=offset))
                if limit > 0
                else []
            )

        self.model.set_pages(page)
        fit_columns(self.table)
        self.message.setText(f"{count} event{'s' if count != 1 else ''}"
                             + (f" (the newest {LIMIT})" if count == LIMIT else ""))  # fmt: skip

    def verify(self) -> list[str]:
        key = self.ops.vault.audit_key
        problems = [p.message for p in self.ops.read(lambda s: audit.verify(s, key))]
        self.message.setText(
            "The audit trail is intact: every event is sealed to the one before it."
            if not problems
            else "The audit trail has been tampered with: "
            + "; ".join(problems)
            + ". Keep this laptop as it is and tell your information security team."
        )
        return problems

    def export(self) -> Path | None:
        reason = forms.ask_reason(self, "Export the audit trail", "Why is the trail being exported?")
        if not reason:
            return None
        path, _ = QFileDialog.getSaveFileName(self, "Export the audit trail", str(Path.home() / "audit.csv"),
                                              "CSV (*.csv)")  # fmt: skip
        if not path:
            return None
        target, filters = Path(path), self.current_filters()
        try:
            data, count = self.ops.run(lambda s: audit.export(s, filters, target=target.name, reason=reason))
            atomic_write(target, data)
        except (UserError, OSError) as exc:
            self.message.setText(getattr(exc, "message", None) or f"The export was not written: {exc}.")
            return None
        self.message.setText(f"Exported {count} events to {target}; the export is recorded in the trail.")
        return target
