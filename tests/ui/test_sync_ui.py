"""Sync from the window: the first sync asks for the team passphrase, the status bar, conflicts."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from commmatters_desktop.core.changeset import ChangeSet
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.core.services import laptops as laptop_names
from commmatters_desktop.core.services import wards
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.sync.engine import sync
from commmatters_desktop.ui.main_window import MainWindow
from commmatters_desktop.ui.settings import WindowSettings
from tests.sync.conftest import TEAM_PASSPHRASE, Laptop
from tests.ui.driver import Dialogs


def test_sync_from_the_window_then_resolve_a_conflict(
    qtbot: QtBot,
    laptops: list[Laptop],
    shared: Path,
    window_settings: WindowSettings,
    clock: FixedClock,
    dialogs: Dialogs,
) -> None:
    a, b, _ = laptops
    with a.vault.unit_of_work() as s:
        laptop_names.name_laptop(s, device_id=a.vault.device_id, name="Sergeant Ali's laptop")
    with a.vault.unit_of_work() as s:
        wards.create_ward(s, code="E05000650", name="Astley Bridge")
    a.sync(shared)
    window = MainWindow(b.vault, clock=b.clock, settings=window_settings, autolock_minutes=600)
    qtbot.addWidget(window)
    assert window.sync_label.text() == "Sync: not set up"
    dialogs.file("Choose the shared folder", shared).form(
        "Team passphrase", {"passphrase": TEAM_PASSPHRASE, "laptop": "PC Shaw's laptop"}
    )
    report = window.sync.sync_now()
    dialogs.done()
    assert report.received_files == 1  # type: ignore[attr-defined]
    assert window.ward_view.model.rowCount() == 1
    assert window.sync_label.text().startswith("Sync: last 21 Nov")
    # A concurrent edit on both laptops becomes a conflict the window shows, and the user chooses.
    with a.vault.unit_of_work() as s:
        wards.update_ward(s, ward=wards.ward_by_code(s, "E05000650"), notes="A's note")  # type: ignore[arg-type]
    with b.vault.unit_of_work() as s:
        wards.update_ward(s, ward=wards.ward_by_code(s, "E05000650"), notes="B's note")  # type: ignore[arg-type]
    sync(a.vault, shared)
    window.actions_.sync_now.trigger()
    assert "1 conflict" in window.sync_label.text()
    dialog = window.sync.show_conflicts()
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 1 and dialog.model.row_at(0).record == "Ward: Astley Bridge"
    assert dialog.model.row_at(0).remote_device == "Sergeant Ali's laptop"
    assert dialog.model.data(dialog.model.index(0, 1)) == "Notes"
    dialog.table.selectRow(0)
    dialog.resolve("local" if dialog.model.row_at(0).local_value == "B's note" else "remote")
    assert dialog.model.rowCount() == 0
    with b.vault.reading() as s:
        assert wards.ward_by_code(s, "E05000650").notes == "B's note"  # type: ignore[union-attr]


def test_an_unreachable_folder_on_start_is_silent(
    qtbot: QtBot, demo_vault: Vault, clock: FixedClock, window_settings: WindowSettings, tmp_path: Path
) -> None:
    from commmatters_desktop.sync import engine

    demo_vault.set_meta(engine.FOLDER_META, str(tmp_path / "unplugged-usb-stick"))
    demo_vault.set_meta(engine.TEAM_META, '{"team": "x", "order": [], "keys": {}}')
    window = MainWindow(demo_vault, clock=clock, settings=window_settings, autolock_minutes=600)
    qtbot.addWidget(window)
    assert window.sync_label.text() == "Sync: not set up"


def test_a_sync_stopped_from_the_window_says_it_did_not_finish(
    qtbot: QtBot, laptops: list[Laptop], shared: Path, window_settings: WindowSettings
) -> None:
    """Issue 12: Stop half way used to report success and move the last-sync time."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

    a, b, _ = laptops
    for code, name in (("E05000650", "Astley Bridge"), ("E05000651", "Bradshaw")):
        with a.vault.unit_of_work() as s:
            wards.create_ward(s, code=code, name=name)
        a.sync(shared)
    b.sync(shared)
    with a.vault.unit_of_work() as s:
        wards.create_ward(s, code="E05000652", name="Breightmet")
    a.sync(shared)
    with a.vault.unit_of_work() as s:
        wards.create_ward(s, code="E05000653", name="Bromley Cross")
    a.sync(shared)
    last = b.vault.meta("sync_last")
    window = MainWindow(
        b.vault, clock=b.clock, settings=window_settings, autolock_minutes=600, sync_on_open=False
    )
    qtbot.addWidget(window)
    seen: dict[str, str] = {}

    def press_stop() -> None:  # the user presses Stop on the progress dialog
        progress = window.findChild(QProgressDialog, "syncProgress")
        assert progress is not None
        progress.cancel()

    def read_the_message() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, read_the_message)
            return
        seen["title"], seen["text"] = box.windowTitle(), box.text()
        box.accept()

    QTimer.singleShot(0, press_stop)
    QTimer.singleShot(0, read_the_message)
    report = window.sync.sync_now()
    assert report.interrupted  # type: ignore[attr-defined]
    assert seen["title"] == "Sync did not finish" and seen["text"].startswith(
        "Sync stopped before it finished"
    )
    assert "Sent" not in seen["text"] and b.vault.meta("sync_last") == last
    assert window.statusBar().currentMessage().startswith("Sync stopped")


def test_check_database_in_the_window_reports_changes_lost_with_the_wal(
    qtbot: QtBot,
    vault: Vault,
    clock: FixedClock,
    window_settings: WindowSettings,
    dialogs,  # type: ignore[no-untyped-def]
) -> None:
    from commmatters_desktop.storage.vault import WAL_LOST_META

    vault.set_meta(WAL_LOST_META, "21 Nov 2026 09:58")
    window = MainWindow(
        vault, clock=clock, settings=window_settings, autolock_minutes=600, sync_on_open=False
    )
    qtbot.addWidget(window)
    dialogs.press("The vault has problems", "OK")
    window.actions_.check.trigger()
    dialogs.done()
    assert "-wal file was deleted" in dialogs.seen[0] and "Sync now" in dialogs.seen[0]


def test_a_colleagues_edit_arriving_by_sync_refreshes_its_row_without_reloading_the_view(
    qtbot: QtBot,
    laptops: list[Laptop],
    shared: Path,
    window_settings: WindowSettings,
    dialogs: Dialogs,
) -> None:
    """On a force's vault a reload after every sync costs seconds: the sync says which rows it wrote."""
    from tests.ui.test_refresh import watching

    a, b, _ = laptops
    with a.vault.unit_of_work() as s:
        for code, name in (
            ("E05000650", "Astley Bridge"),
            ("E05000651", "Bradshaw"),
            ("E05000652", "Breightmet"),
        ):
            wards.create_ward(s, code=code, name=name)
    a.sync(shared)
    b.sync(shared)
    window = MainWindow(b.vault, clock=b.clock, settings=window_settings, autolock_minutes=600)
    qtbot.addWidget(window)
    window.tabs.setCurrentWidget(window.ward_view)
    model = window.ward_view.model
    assert model.rowCount() == 3
    row = next(r for r in range(model.rowCount()) if model.index(r, 1).data() == "Bradshaw")
    with a.vault.unit_of_work() as s:
        wards.update_ward(s, ward=wards.ward_by_code(s, "E05000651"), name="Bradshaw and Harwood")  # type: ignore[arg-type]
    a.sync(shared)
    announced: list[ChangeSet] = []
    window.ops.changes.connect(announced.append)
    with watching(model) as seen:
        report = window.sync.sync_now()
    dialogs.done()
    assert report.received_files == 1  # type: ignore[attr-defined]
    with b.vault.reading() as s:
        renamed = wards.ward_by_code(s, "E05000651").id  # type: ignore[union-attr]
    assert [(c.everything, c.ids("ward")) for c in announced] == [(False, {renamed})]
    assert seen.resets == 0 and seen.changed == [row] and not seen.inserted and not seen.removed
    assert model.index(row, 1).data() == "Bradshaw and Harwood"


def test_the_status_bar_counts_what_waits_to_be_sent_up_to_a_limit(
    qtbot: QtBot,
    laptops: list[Laptop],
    shared: Path,
    window_settings: WindowSettings,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """A force's vault that never synced holds millions of unsent rows: counting them all cost a second
    of every start. Nothing is counted before sync is set up, and never more than the limit."""
    from commmatters_desktop.ui.controllers import sync as sync_controller

    a, _b, _c = laptops
    window = MainWindow(a.vault, clock=a.clock, settings=window_settings, autolock_minutes=600)
    qtbot.addWidget(window)
    with a.vault.unit_of_work() as s:
        wards.create_ward(s, code="E05000650", name="Astley Bridge")
    window.sync.show_state()
    assert window.sync_label.text() == "Sync: not set up"
    a.sync(shared)
    for n in range(3):
        with a.vault.unit_of_work() as s:
            wards.update_ward(s, ward=wards.ward_by_code(s, "E05000650"), notes=f"note {n}")  # type: ignore[arg-type]
    window.sync.show_state()
    assert window.sync_label.text().endswith(" · 3 to send")
    monkeypatch.setattr(sync_controller, "PENDING_SHOWN", 2)
    window.sync.show_state()
    assert window.sync_label.text().endswith(" · 2+ to send")
