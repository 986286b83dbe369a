"""Sync between laptops through the shared folder: the team passphrase, progress, the report and conflicts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.services import laptops
from commmatters_desktop.ui import forms, sync_panel
from commmatters_desktop.ui.controllers.base import Controller
from commmatters_desktop.ui.forms import Field, Kind
from commmatters_desktop.ui.sync_panel import ConflictsDialog

#: The status bar counts changes waiting to be sent up to this many ("10,000+ to send" beyond).
PENDING_SHOWN = 10_000


class SyncController(Controller):
    def show_state(self) -> None:
        """The status bar's sync line: when last, what waits to be sent, open conflicts."""
        from commmatters_desktop.sync import engine

        last = self.vault.meta(engine.LAST_SYNC_META)
        # Counted only once sync is set up, and no further than PENDING_SHOWN (a count, not a scan).
        pending = engine.pending_changes(self.vault, limit=PENDING_SHOWN + 1) if last else 0
        conflicts = len(self.ops.read(engine.open_conflicts))
        when = f"last {dt.datetime.fromisoformat(last):%d %b %H:%M}" if last else "not set up"
        shown = f"{PENDING_SHOWN:,}+" if pending > PENDING_SHOWN else str(pending)
        extra = f" · {shown} to send" if pending else ""
        extra += f" · {conflicts} conflict{'s' if conflicts != 1 else ''}" if conflicts else ""
        self.window.sync_label.setText(f"Sync: {when}{extra}")

    def shared_folder(self) -> Path | None:
        from commmatters_desktop.sync import engine

        chosen = self.vault.meta(engine.FOLDER_META)
        return Path(chosen) if chosen else None

    def sync_now(self, *, choose_folder: bool = False, quiet: bool = False) -> object:
        """Sync through the shared folder; quiet (on start and close) says nothing if it cannot."""
        from commmatters_desktop.sync import engine

        window = self.window
        folder = self.shared_folder()
        if folder is None or choose_folder:
            if quiet:
                return None
            picked = QFileDialog.getExistingDirectory(window, "Choose the shared folder", str(Path.home()))
            if not picked:
                return None
            folder = Path(picked)
        if quiet and not folder.is_dir():
            return None
        passphrase: str | None = None
        if self.vault.meta(engine.TEAM_META) is None or choose_folder:
            if quiet:
                return None
            named = self.ops.read(lambda s: laptops.laptop_name(s, self.vault.device_id))
            answer = forms.ask_form(
                window,
                "Team passphrase",
                "Laptops that sync together share a team passphrase. The first laptop "
                "chooses it; colleagues type the same one. Tell it to them in person, never by email. "
                "The laptop's name is how colleagues see whose changes they are.",
                [
                    Field("passphrase", "Team passphrase", Kind.PASSWORD, required=True),
                    Field(
                        "laptop",
                        "This laptop's name",
                        required=True,
                        value="" if named.startswith("laptop ") else named,
                        hint="for example: PC Shaw's laptop, Bolton North",
                    ),
                ],
                "Sync",
            )
            if answer is None:
                return None
            passphrase = answer["passphrase"]
            laptop = str(answer["laptop"])
            self.ops.run(lambda s: laptops.name_laptop(s, device_id=self.vault.device_id, name=laptop))
        progress = QProgressDialog("Syncing…", "Stop", 0, 0, window)
        progress.setObjectName("syncProgress")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(800)

        def step(done: int, total: int) -> bool:
            progress.setMaximum(total)
            progress.setValue(done)
            # Timers and repaints (not clicks, so no second sync can start) between files.
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
            return not progress.wasCanceled()

        try:
            report = engine.sync(self.vault, folder, passphrase=passphrase, progress=step)
        except UserError as exc:
            progress.close()
            if not quiet:
                QMessageBox.warning(window, "Sync did not finish", exc.message)
            self.say(exc.message, 15_000)
            return None
        progress.close()
        # Only what the sync wrote is refreshed (a colleague's few edits: their rows); a join, a
        # snapshot taken in or a purge carried out says "everything" and the views reload.
        self.ops.announce(report.changed)
        self.show_state()
        self.say(report.describe(), 15_000)
        if sync_panel.report_needs_attention(report) and not quiet:
            QMessageBox.warning(window, sync_panel.report_title(report), sync_panel.report_details(report))
        return report

    def show_conflicts(self) -> ConflictsDialog:
        dialog = ConflictsDialog(self.ops, self.window)
        dialog.finished.connect(lambda _r: self.show_state())
        dialog.open()
        return dialog
