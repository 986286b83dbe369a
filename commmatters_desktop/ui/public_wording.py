"""Approving public wording: what the gate refused, with suspects highlighted and a masked draft to approve.

One dialog for every public output (leaflet, minutes, meeting screen): it lists the gate's refusals;
for each, the text as it stands with what the detector suspects highlighted, and the app's masked
draft in an editable box. Approve writes the edited draft to the field and records the officer's
approval (who and when) through ``core.public.approve``; the refusal it answers then goes away.
"""

from __future__ import annotations

import html
from functools import partial

from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from commmatters_desktop.core import privacy, public
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.ui.operations import Operations
from commmatters_desktop.ui.widgets import button


def _scan(text: str, session: Session) -> list[privacy.Finding]:
    return privacy.scanner(session).scan(text)


def highlighted(text: str, findings: list[privacy.Finding]) -> str:
    """The text as HTML with each suspect marked, for the officer's eyes only."""
    out, last = [], 0
    for f in findings:
        out.append(html.escape(text[last : f.start]))
        out.append(f"<span style='background:#ffd54f; font-weight:bold'>{html.escape(f.text)}</span>")
        last = f.end
    out.append(html.escape(text[last:]))
    return "".join(out)


class PublicWordingDialog(QDialog):
    def __init__(
        self, ops: Operations, refusals: list[public.Refusal], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("publicWording")
        self.setWindowTitle("Public wording to approve (officer's screen only)")
        self.resize(980, 560)
        self.ops = ops
        self.approved_count = 0
        self.message = QLabel(self)
        self.message.setObjectName("publicWordingMessage")
        self.message.setWordWrap(True)
        grid = QGridLayout()
        self.drafts: list[tuple[public.Refusal, QLineEdit, QPushButton]] = []
        for row, refusal in enumerate(refusals):
            item = refusal.piece
            findings = ops.read(partial(_scan, item.text))
            where = QLabel(
                f"<b>{html.escape(item.section)}</b><br><i>{html.escape(refusal.reason)}</i>", self
            )
            where.setWordWrap(True)
            current = QLabel(highlighted(item.text, findings) or "<i>(blank)</i>", self)
            current.setWordWrap(True)
            current.setAccessibleName(f"{item.section}: text as it stands")
            draft = QLineEdit(privacy.mask(item.text, findings), self)
            draft.setObjectName(f"publicDraft{row}")
            draft.setAccessibleName(f"{item.section}: public wording to approve")
            approve = button(self, "Approve", f"publicApprove{row}", partial(self.approve, row))
            grid.addWidget(where, row, 0)
            grid.addWidget(current, row, 1)
            grid.addWidget(draft, row, 2)
            grid.addWidget(approve, row, 3)
            self.drafts.append((refusal, draft, approve))
        grid.setRowStretch(len(refusals), 1)  # rows at the top, however few
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 3)
        body = QWidget(self)
        body.setLayout(grid)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        intro = (
            "Each text below is bound for a public screen or printout. Check the draft, edit it if needed, "
            "and approve it: your name and the time are recorded."
        )
        layout.addWidget(QLabel(intro, self))
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)
        layout.addWidget(button(self, "Approve all drafts", "publicApproveAll", self.approve_all))
        layout.addWidget(button(self, "Close", "publicClose", self.accept))

    def approve(self, row: int) -> bool:
        refusal, draft, approve = self.drafts[row]
        if not approve.isEnabled():
            return True
        text, item = draft.text(), refusal.piece

        def run(s: Session) -> None:
            record = public.record_of(s, item)
            if record is None:
                raise UserError("That record no longer exists.")
            public.approve(s, record, item.field, text)

        try:
            self.ops.run(run)
        except UserError as exc:
            self.message.setText(exc.message)
            return False
        approve.setEnabled(False)
        approve.setText("Approved")
        draft.setReadOnly(True)
        self.approved_count += 1
        self.message.setText("")
        return True

    def approve_all(self) -> None:
        for row in range(len(self.drafts)):
            self.approve(row)
