"""The window's audit trail view, retention review and subject access, driven through their real dialogs."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from commmatters_desktop.core import audit
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.core.enums import PUBLIC_ROLES
from commmatters_desktop.core.models import Person
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.main_window import MainWindow
from tests.ui.driver import Dialogs


def test_audit_view_filters_verifies_and_exports_with_a_reason(
    window: MainWindow, demo_vault: Vault, dialogs: Dialogs, tmp_path: Path
) -> None:
    window.actions_.show_audit.trigger()
    view = window.audit_view
    assert window.tabs.currentWidget() is view and view.model.rowCount() > 0
    assert view.verify() == [] and "intact" in view.message.text()
    everything = view.model.rowCount()
    view.filters["ward"].setText("E05000650")
    view.reload()
    assert 0 < view.model.rowCount() < everything
    view.filters["since"].setText("not a date")
    view.reload()
    assert "date" in view.message.text().lower()
    view.filters["since"].setText("")
    dialogs.reason("Export the audit trail", "DPO spot check").file(
        "Export the audit trail", tmp_path / "a.csv"
    )
    saved = view.export()
    dialogs.done()
    assert saved is not None
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows and all(r["row_id"] for r in rows)
    with demo_vault.reading() as s:
        newest = audit.events(s, limit=1)[0]
    assert newest["action"] == "export audit" and "DPO spot check" in newest["summary"]


def test_subject_access_from_the_window(
    window: MainWindow, demo_vault: Vault, dialogs: Dialogs, tmp_path: Path, qtbot: QtBot
) -> None:
    from commmatters_desktop.ui.data_protection import SubjectAccessDialog

    with demo_vault.reading() as s:
        person = s.scalars(select(Person).where(Person.role.in_(PUBLIC_ROLES))).first()
        assert person is not None
        name = person.full_name
    dialog = SubjectAccessDialog(window.ops, window)
    qtbot.addWidget(dialog)
    dialog.name.setText(name)
    dialog.search()
    fields = {dialog.model.row_at(r).field for r in range(dialog.model.rowCount())}
    assert "full_name" in fields and "role" in fields
    dialogs.reason("Subject access export", "SAR-2026-7").file(
        "Save the subject access export", tmp_path / "s.csv"
    )
    saved = dialog.export("csv")
    dialogs.done()
    assert saved is not None and name in saved.read_text(encoding="utf-8-sig")


def test_retention_review_purges_the_selected_record(
    window: MainWindow, demo_vault: Vault, dialogs: Dialogs, clock: FixedClock, qtbot: QtBot
) -> None:
    from commmatters_desktop.ui.data_protection import RetentionDialog

    clock.advance(days=3 * 365)
    dialog = RetentionDialog(window.ops, window)
    qtbot.addWidget(dialog)
    due = dialog.model.rowCount()
    assert due > 0 and "past their date" in dialog.message.text()
    first = dialog.model.row_at(0)
    dialog.table.selectRow(0)
    dialogs.reason("Purge personal data", "Annual retention review")
    assert dialog.purge_selected() == 1
    dialogs.done()
    assert dialog.model.rowCount() == due - 1
    assert all(dialog.model.row_at(r).row_id != first.row_id for r in range(dialog.model.rowCount()))


def test_a_wards_whole_quarter_of_public_wording_reviewed_and_approved_from_one_list(
    vault: Vault, dialogs: Dialogs, qtbot: QtBot
) -> None:
    """Meeting, minutes and projector for 2027-Q1 refuse until approved; one list approves them all."""
    from PySide6.QtWidgets import QWidget

    from commmatters_desktop.core.public_review import pending
    from commmatters_desktop.ui.data_protection import review_public_wording
    from commmatters_desktop.ui.operations import Operations
    from commmatters_desktop.ui.public_wording import PublicWordingDialog
    from tests.conftest import TODAY
    from tests.privacy.test_public_surfaces import absent, build

    build(vault)
    ops, parent = Operations(vault), QWidget()
    qtbot.addWidget(parent)
    dialogs.form("Public wording for a quarter", {"ward": "Astley Bridge (E05000650)", "cycle": "2027-Q1"})
    dialog = review_public_wording(ops, parent, ward_code=None, today=TODAY)
    dialogs.done()
    assert isinstance(dialog, PublicWordingDialog) and len(dialog.drafts) == 7
    absent(" ".join(draft.text() for _, draft, _ in dialog.drafts))  # the drafts offered are masked
    qtbot.mouseClick(dialog.findChild(QPushButton, "publicApproveAll"), Qt.MouseButton.LeftButton)
    assert dialog.approved_count == 7
    dialog.accept()
    with vault.reading() as s:
        assert pending(s, ward_code="E05000650", cycle="2027-Q1", today=TODAY, demo=False) == []
    dialogs.form("Public wording for a quarter", {"ward": "Astley Bridge (E05000650)", "cycle": "2027-Q1"})
    dialogs.press("Public wording approved", "OK")
    assert review_public_wording(ops, parent, ward_code="E05000650", today=TODAY) is None
    dialogs.done()
