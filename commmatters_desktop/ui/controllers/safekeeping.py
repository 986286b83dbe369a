"""Keeping the vault safe: locking (by hand and when idle), backups, the integrity check, data protection."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from commmatters_desktop import APP_NAME
from commmatters_desktop.core import queries
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.ui import forms
from commmatters_desktop.ui.controllers.base import Controller
from commmatters_desktop.ui.data_protection import RetentionDialog, SubjectAccessDialog, review_public_wording
from commmatters_desktop.ui.forms import Field, Kind
from commmatters_desktop.ui.lock import DEFAULT_MINUTES

if TYPE_CHECKING:
    from commmatters_desktop.storage.integrity import BackgroundCheck
    from commmatters_desktop.ui.main_window import MainWindow


class SafekeepingController(Controller):
    #: The background check's answer, carried from its thread to the window's (a queued connection).
    _checked = Signal(list)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._checking: BackgroundCheck | None = None
        self._checked.connect(self._report_check)

    def backup(self) -> Path | None:
        suggested = str(Path.home() / f"commmatters-backup-{self.clock.now():%Y%m%d}.db")
        path, _ = QFileDialog.getSaveFileName(self.window, "Back up vault", suggested, "Vault backup (*.db)")
        if not path:
            return None
        try:
            target = self.vault.backup(Path(path))
        except UserError as exc:
            QMessageBox.warning(self.window, "Backup not written", exc.message)
            return None
        self.say(f"Encrypted backup written to {target}")
        return target

    def check(self) -> None:
        """Every page, every b-tree and the audit chain, read on a thread of their own: minutes on a
        force's five-year vault, in which the officer keeps working. The answer comes as a message box."""
        if self._checking is not None and not self._checking.finished.is_set():
            self.say("The integrity check is still running; its answer will appear when it ends.")
            return
        self._checking = self.vault.check_in_background(self._checked.emit)
        self.say(
            "Checking every page of the vault in the background; keep working, the answer will appear.", 0
        )

    @Slot(list)
    def _report_check(self, problems: list[str]) -> None:
        self._checking = None
        self.window.statusBar().clearMessage()
        if problems or self.vault.warnings():
            QMessageBox.critical(
                self.window,
                "The vault has problems",
                "The integrity check found:\n\n"
                + "\n".join([*problems[:10], *self.vault.warnings()])
                + (
                    f"\n\nClose the app and run '{APP_NAME} restore' (it puts back the newest of the vault's own "
                    f"backups) or '{APP_NAME} salvage FOLDER'."
                    if problems
                    else "\n\nSync now to take back what the shared folder holds."
                ),
            )
        else:
            QMessageBox.information(
                self.window,
                "Vault healthy",
                "Every page decrypts, the database structure is intact and the audit trail is unbroken.",
            )

    def retention_review(self) -> RetentionDialog:
        dialog = RetentionDialog(self.ops, self.window)
        dialog.open()
        return dialog

    def subject_access(self) -> SubjectAccessDialog:
        dialog = SubjectAccessDialog(self.ops, self.window)
        dialog.open()
        return dialog

    def review_public_wording(self) -> QDialog | None:
        """The whole quarter's public wording of the ward chosen on the ward list (or one asked for)."""
        ward_id = self.window.ward_view.selected_ward()
        cycle = str(self.window.cycle)
        detail = self.ops.read(lambda s: queries.ward_detail(s, ward_id, cycle=cycle)) if ward_id else None
        return review_public_wording(
            self.ops, self.window, ward_code=detail.code if detail else None, today=self.clock.today()
        )

    def choose_autolock(self) -> None:
        w = self.window
        choices = [(f"{m} minutes", float(m)) for m in (2, 5, 10, 15, 30)]
        current = w.settings.autolock_minutes(DEFAULT_MINUTES)
        answer = forms.ask_form(
            w,
            "Auto-lock",
            "How long may the window sit unused before it locks itself?",
            [Field("minutes", "Lock after", Kind.CHOICE, value=current, choices=choices)],
            "Save",
        )
        if answer is None:
            return
        minutes = float(answer["minutes"])
        w.settings.set_autolock_minutes(minutes)
        w.idle.set_minutes(minutes)
        w.lock_screen.set_minutes(minutes)
        self.say(f"The window will lock after {minutes:g} minutes without use.", 8000)

    def lock(self) -> None:
        w = self.window
        if w.locked:
            return
        w.plan.commit_pending()
        w.idle.pause()
        w.pages.setCurrentWidget(w.lock_screen)
        # Nothing of the vault may be readable while locked: the menus, the toolbar (whose undo
        # button names the last edit) and any status message go with the content.
        w.menuBar().setEnabled(False)
        w.menuBar().hide()
        w.toolbar.hide()
        w.statusBar().clearMessage()
        w.lock_screen.reset()
        w.update_actions()

    def unlock(self, passphrase: str) -> None:
        w = self.window
        if not self.vault.verify_passphrase(passphrase):
            w.lock_screen.refuse()
            return
        w.pages.setCurrentIndex(0)
        w.menuBar().setEnabled(True)
        w.menuBar().show()
        w.toolbar.show()
        w.lock_screen.reset()
        w.idle.resume()
        w.update_actions()
