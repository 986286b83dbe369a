"""The main window: views in tabs, actions in menus and a toolbar, vault and cycle in the status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from commmatters_desktop import APP_TITLE, __version__
from commmatters_desktop.core import queries
from commmatters_desktop.core.clock import Clock, SystemClock
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.actions import build_actions
from commmatters_desktop.ui.settings import WindowSettings
from commmatters_desktop.ui.views.ward_view import WardView

DEMO_BANNER = "DEMO FORCE: real ward names, invented people and priorities. Nothing here is real case data."


class MainWindow(QMainWindow):
    def __init__(
        self, vault: Vault, *, clock: Clock | None = None, settings: WindowSettings | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.vault = vault
        self.clock = clock or SystemClock()
        self.settings = settings or WindowSettings()
        self.cycle = CycleCode.containing(self.clock.today())
        self.setWindowTitle(window_title(vault))
        self.setMinimumSize(780, 540)  # an old 800x600 church-hall projector still fits

        self.actions_ = build_actions(self)
        self.ward_view = WardView(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("viewTabs")
        self.tabs.setAccessibleName("Views")
        self.tabs.addTab(self.ward_view, "&Wards")

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        if vault.is_demo:
            banner = QLabel(DEMO_BANNER, central)
            banner.setObjectName("demoBanner")
            banner.setAccessibleName("Demo force notice")
            banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
            banner.setStyleSheet("background: #fff3cd; color: #4d3800; font-weight: bold; padding: 6px;")
            layout.addWidget(banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self._build_status_bar()
        self._connect()
        self._restore()
        self.refresh()

    # --- construction ------------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        a = self.actions_
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addActions([a.backup, a.check])
        file_menu.addSeparator()
        file_menu.addAction(a.quit)
        view_menu = menu.addMenu("&View")
        view_menu.addActions([a.show_wards, a.find, a.refresh])
        menu.addMenu("&Help").addAction(a.about)
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolBar")
        toolbar.addActions([a.show_wards, a.find, a.refresh, a.backup])

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.vault_label = QLabel(self)
        self.vault_label.setObjectName("statusVault")
        self.cycle_label = QLabel(f"Cycle {self.cycle}", self)
        self.cycle_label.setObjectName("statusCycle")
        self.sync_label = QLabel("Sync: not set up", self)
        self.sync_label.setObjectName("statusSync")
        if self.vault.is_demo:
            self.vault_label.setText(f"DEMO vault: {self.vault.folder} (published demo passphrase)")
        else:
            self.vault_label.setText(
                f"Vault: {self.vault.folder} (unlocked with the {self.vault.key_source})"
            )
        for label in (self.vault_label, self.cycle_label, self.sync_label):
            bar.addPermanentWidget(label)

    def _connect(self) -> None:
        a = self.actions_
        a.quit.triggered.connect(self.close)
        a.show_wards.triggered.connect(lambda: self.tabs.setCurrentWidget(self.ward_view))
        a.find.triggered.connect(self._find)
        a.refresh.triggered.connect(self.refresh)
        a.backup.triggered.connect(self._backup)
        a.check.triggered.connect(self._check)
        a.about.triggered.connect(self._about)

    def _restore(self) -> None:
        geometry, state = self.settings.geometry(), self.settings.state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            # First run: most of the screen, whether a 1366x768 laptop or a 1920x1080 projector.
            available = self.screen().availableGeometry()
            self.resize(min(1600, int(available.width() * 0.9)), min(1000, int(available.height() * 0.9)))
        if state is not None:
            self.restoreState(state)

    # --- behaviour ---------------------------------------------------------------------------------------

    def refresh(self) -> None:
        with self.vault.reading() as session:
            rows = queries.ward_rows(session, cycle=str(self.cycle))
            authorities = queries.local_authorities(session)
        self.ward_view.set_rows(rows, authorities)

    def _find(self) -> None:
        self.tabs.setCurrentWidget(self.ward_view)
        self.ward_view.focus_search()

    def _backup(self) -> None:
        suggested = str(Path.home() / f"commmatters-backup-{self.clock.now():%Y%m%d}.db")
        path, _ = QFileDialog.getSaveFileName(self, "Back up vault", suggested, "Vault backup (*.db)")
        if not path:
            return
        try:
            target = self.vault.backup(Path(path))
        except UserError as exc:
            QMessageBox.warning(self, "Backup not written", exc.message)
            return
        self.statusBar().showMessage(f"Encrypted backup written to {target}", 10_000)

    def _check(self) -> None:
        problems = self.vault.check()
        if problems:
            QMessageBox.critical(
                self,
                "The vault has problems",
                "The integrity check found:\n\n"
                + "\n".join(problems[:10])
                + "\n\nRestore the newest backup from the vault's backups folder.",
            )
        else:
            QMessageBox.information(
                self, "Vault healthy", "Every page decrypts and the database structure is intact."
            )

    def _about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_TITLE}",
            f"<p><b>{APP_TITLE}</b> {__version__}</p>"
            "<p>Hyper-local problem solving for neighbourhood policing: one community priority per ward per "
            "quarter, a SARA plan, a week of action and feedback to the community.</p>"
            "<p>Ward boundaries contain public sector information licensed under the Open Government "
            "Licence v3.0.</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.save_window(self.saveGeometry(), self.saveState())
        super().closeEvent(event)


def window_title(vault: Vault) -> str:
    if vault.is_demo:
        return f"DEMO — {APP_TITLE} — Demo Force (Greater Manchester wards)"
    return f"{APP_TITLE} — {vault.folder.name}"
