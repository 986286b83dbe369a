"""Leaflets in the window: preview, switch format, print, save, refuse on personal data, a whole cycle."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from commmatters_desktop.core.enums import FeedbackChannel, PriorityStatus
from commmatters_desktop.core.models import Feedback, Priority
from commmatters_desktop.core.services import common, priorities
from commmatters_desktop.reports.leaflet import LeafletFormat
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.leaflet_preview import LeafletPreview
from commmatters_desktop.ui.main_window import MainWindow
from tests.ui.driver import Dialogs


def card(window: MainWindow, status: PriorityStatus = PriorityStatus.FEEDBACK_GIVEN):  # type: ignore[no-untyped-def]
    return next(c for c in window.board.model.cards() if c.status is status)


def ready(qtbot: QtBot, dialog: LeafletPreview, pages: int) -> None:
    qtbot.waitUntil(
        lambda: dialog.document.status() == QPdfDocument.Status.Ready and dialog.document.pageCount() == pages
    )


def leaflet_feedback(vault: Vault, priority_id: object) -> list[Feedback]:
    with vault.reading() as s:
        return list(s.scalars(select(Feedback).where(Feedback.priority_id == priority_id,
                                                     Feedback.channel == FeedbackChannel.LEAFLET)))  # fmt: skip


def test_preview_from_the_board_and_switch_format(
    window: MainWindow, qtbot: QtBot, demo_vault: Vault
) -> None:
    chosen = card(window)
    window.board.select(chosen.id)
    window.actions_.preview_leaflet.trigger()
    dialog = window.findChild(LeafletPreview, "leafletPreview")
    assert dialog is not None and dialog.isVisible()
    qtbot.addWidget(dialog)
    ready(qtbot, dialog, 1)
    dialog.format.select(LeafletFormat.A5)
    ready(qtbot, dialog, 2)
    assert leaflet_feedback(demo_vault, chosen.id) == []  # a preview records nothing


def test_saving_writes_the_pdf_and_records_it(
    window: MainWindow, qtbot: QtBot, demo_vault: Vault, tmp_path: Path, dialogs: Dialogs
) -> None:
    chosen = card(window)
    dialog = window.leaflets.preview_leaflet(chosen.id)
    qtbot.addWidget(dialog)
    ready(qtbot, dialog, 1)
    dialogs.file("Save the leaflet", tmp_path / "leaflet")
    saved = dialog.save_leaflet()
    dialogs.done()
    assert saved == tmp_path / "leaflet.pdf" and PdfReader(saved).pages
    recorded = leaflet_feedback(demo_vault, chosen.id)
    assert [f.file_hash for f in recorded] == [dialog.leaflet.sha256]  # type: ignore[union-attr]


def test_printing_sends_every_page_and_records_it(
    window: MainWindow, qtbot: QtBot, demo_vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = card(window, PriorityStatus.CLOSED)
    dialog = window.leaflets.preview_leaflet(chosen.id)
    qtbot.addWidget(dialog)
    dialog.format.select(LeafletFormat.LARGE_PRINT)
    ready(qtbot, dialog, 2)
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    monkeypatch.setattr(QPrintDialog, "exec", lambda _self: QDialog.DialogCode.Accepted)
    assert dialog.print_leaflet(printer) is True
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == 2
    assert len(leaflet_feedback(demo_vault, chosen.id)) == 1


def test_personal_data_stops_the_preview_with_the_list(
    window: MainWindow, qtbot: QtBot, demo_vault: Vault
) -> None:
    chosen = card(window)
    with demo_vault.unit_of_work() as s:
        priorities.update_priority(s, priority=common.fetch(s, Priority, chosen.id),
                                   public_issue="Call Dave on 07700 900456 about the racing")  # fmt: skip
    dialog = window.leaflets.preview_leaflet(chosen.id)
    qtbot.addWidget(dialog)
    message = dialog.message.text()
    assert dialog.message.isVisible() and "You said 'Call [name removed] on [number removed] about" in message
    assert "'07700 900456' (a phone number)" in message and "'Dave'" in message
    assert not dialog.print_button.isEnabled() and not dialog.save_button.isEnabled()
    # Review public wording: the masked draft, approved, makes the leaflet.
    assert dialog.review_button.isVisible()
    review = dialog.review_wording()
    qtbot.addWidget(review)
    assert [d.text() for _r, d, _b in review.drafts] == [
        "Call [name removed] on [number removed] about the racing"
    ]
    review.approve_all()
    review.accept()
    assert dialog.leaflet is not None and dialog.save_button.isEnabled()
    assert "07700" not in dialog.leaflet.content.you_said


def test_leaflets_for_the_whole_cycle(window: MainWindow, tmp_path: Path, dialogs: Dialogs) -> None:
    dialogs.form("Leaflets for 2026-Q4", {"format": LeafletFormat.A4.label})
    dialogs.file("Save the leaflets in", tmp_path).press("Leaflets", "OK")
    reloads: list[object] = []
    window.ops.changed.connect(lambda *args: reloads.append(args))
    window.actions_.cycle_leaflets.trigger()
    dialogs.done()
    assert len(list(tmp_path.glob("*.pdf"))) == 6
    assert f"6 A4 single page leaflets for 2026-Q4 saved in {tmp_path}." in dialogs.seen[-1]
    assert len(reloads) == 1  # the views reload once, at the end, not after every leaflet


def test_cancelling_a_batch_stops_it(window: MainWindow, tmp_path: Path, dialogs: Dialogs) -> None:
    dialogs.form("Leaflets for 2026-Q4", {"format": LeafletFormat.A4.label})
    dialogs.file("Save the leaflets in", tmp_path)
    dialogs.press("Making leaflets", "Cancel")  # the progress dialog: the officer presses its Cancel at once
    dialogs.press("Leaflets", "OK")
    window.actions_.cycle_leaflets.trigger()
    dialogs.done()
    assert len(list(tmp_path.glob("*.pdf"))) < 6
    assert "Stopped when you pressed Cancel" in dialogs.seen[-1]


def test_the_force_name_and_logo_are_set_from_the_file_menu(
    window: MainWindow, demo_vault: Vault, tmp_path: Path, dialogs: Dialogs
) -> None:
    from PIL import Image

    from commmatters_desktop.core.services import force

    Image.new("RGB", (40, 40), (200, 0, 0)).save(tmp_path / "crest.png")
    dialogs.form("Force name and logo", {"name": "Greater Exampleshire Police", "logo": True})
    dialogs.file("Choose the logo", tmp_path / "crest.png")
    window.actions_.force_identity.trigger()
    dialogs.done()
    with demo_vault.reading() as s:
        assert force.force_name(s) == "Greater Exampleshire Police"
        assert force.force_logo(s) == (tmp_path / "crest.png").read_bytes()


def test_a_logo_that_is_not_an_image_is_refused(window: MainWindow, tmp_path: Path, dialogs: Dialogs) -> None:
    (tmp_path / "notes.txt").write_text("not an image")
    dialogs.form("Force name and logo", {"name": "Greater Exampleshire Police", "logo": True})
    dialogs.file("Choose the logo", tmp_path / "notes.txt").press("Not changed", "OK")
    window.actions_.force_identity.trigger()
    dialogs.done()
    assert dialogs.seen[-1] == "Not changed: The logo must be a PNG or JPEG image."
    assert "Greater Exampleshire" not in window.statusBar().currentMessage()
