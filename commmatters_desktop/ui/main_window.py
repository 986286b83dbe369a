"""The main window: a shell that builds the views, the menus (from the action registry) and the
status bar, and wires the views' requests to the controllers that act on them.

Controllers (``ui/controllers``) own what happens by subject: priorities on the board, the quarter,
sync, wards and meetings, leaflets, and keeping the vault safe. The window keeps only navigation
(which tab, which priority is chosen) and reloading what the views show when data changes.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from commmatters_desktop import APP_TITLE, build
from commmatters_desktop.core import people_queries, queries
from commmatters_desktop.core.clock import Clock, SystemClock
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui import actions, refresh
from commmatters_desktop.ui.controllers.leaflets import LeafletsController
from commmatters_desktop.ui.controllers.priorities import PrioritiesController
from commmatters_desktop.ui.controllers.quarter import QuarterController
from commmatters_desktop.ui.controllers.safekeeping import SafekeepingController
from commmatters_desktop.ui.controllers.sync import SyncController
from commmatters_desktop.ui.controllers.wards import WardsController
from commmatters_desktop.ui.integrity_warning import IntegrityWarning
from commmatters_desktop.ui.lock import DEFAULT_MINUTES, IdleWatcher, LockScreen
from commmatters_desktop.ui.operations import Operations
from commmatters_desktop.ui.settings import WindowSettings
from commmatters_desktop.ui.views.audit_view import AuditView
from commmatters_desktop.ui.views.board_view import PriorityBoardView
from commmatters_desktop.ui.views.cycle_views import CalendarView, ForceOverviewView, PartnerActionsView
from commmatters_desktop.ui.views.people_view import PeopleView
from commmatters_desktop.ui.views.sara_view import SaraPlanView
from commmatters_desktop.ui.views.ward_view import WardView

if TYPE_CHECKING:
    from commmatters_desktop.ui.evidence_actions import EvidenceMenu

DEMO_BANNER = "DEMO FORCE: real ward names, invented people and priorities. Nothing here is real case data."


class MainWindow(QMainWindow):
    def __init__(
        self,
        vault: Vault,
        *,
        clock: Clock | None = None,
        settings: WindowSettings | None = None,
        autolock_minutes: float | None = None,
        sync_on_open: bool = True,
    ) -> None:
        super().__init__()
        gc.freeze()  # what is loaded already (modules, classes) stays: see the end of __init__
        self.sync_on_close = sync_on_open
        self.setObjectName("mainWindow")
        self.vault = vault
        self.clock = clock or SystemClock()
        self.settings = settings or WindowSettings()
        self.cycle = CycleCode.containing(self.clock.today())
        self.setWindowTitle(window_title(vault))
        self.setMinimumSize(780, 540)  # an old 800x600 church-hall projector still fits

        self.ops: Operations = Operations(vault, self)
        self.integrity_warning = IntegrityWarning(vault, self)  # damage found by the background check
        #: The priority last chosen on the board or a ward's page, which the SARA tab shows next.
        self._chosen: uuid.UUID | None = None
        self.ward_view = WardView(self)
        self.board = PriorityBoardView(self)
        self.plan = SaraPlanView(self.ops, self.clock, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("viewTabs")
        self.tabs.setAccessibleName("Views")
        self.tabs.addTab(self.ward_view, "&Wards")
        self.tabs.addTab(self.board, "Priority &board")
        self.tabs.addTab(self.plan, "&SARA plan")
        self.calendar = CalendarView(self)
        self.partners = PartnerActionsView(self)
        self.overview = ForceOverviewView(self)
        self.tabs.addTab(self.calendar, "&Calendar")
        self.tabs.addTab(self.partners, "Partners' a&ctions")
        self.tabs.addTab(self.overview, "Force &overview")
        self.people = PeopleView(self.ops, self.clock, self)
        self.tabs.addTab(self.people, "Peop&le && partners")
        self.audit_view = AuditView(self.ops, self)
        self.tabs.addTab(self.audit_view, "&Audit trail")

        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(6, 6, 6, 0)
        if vault.is_demo:
            banner = QLabel(DEMO_BANNER, content)
            banner.setObjectName("demoBanner")
            banner.setAccessibleName("Demo force notice")
            banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
            banner.setStyleSheet("background: #fff3cd; color: #4d3800; font-weight: bold; padding: 6px;")
            layout.addWidget(banner)
        layout.addWidget(self.tabs, 1)
        minutes = (
            autolock_minutes
            if autolock_minutes is not None
            else self.settings.autolock_minutes(DEFAULT_MINUTES)
        )
        self.lock_screen = LockScreen(minutes, self)
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("windowPages")
        self.pages.addWidget(content)
        self.pages.addWidget(self.lock_screen)
        self.setCentralWidget(self.pages)
        self.idle = IdleWatcher(int(minutes * 60_000), self)

        self.priorities: PrioritiesController = PrioritiesController(self)
        self.quarter: QuarterController = QuarterController(self)
        self.sync: SyncController = SyncController(self)
        self.wards: WardsController = WardsController(self)
        self.leaflets: LeafletsController = LeafletsController(self)
        self.safekeeping: SafekeepingController = SafekeepingController(self)
        self._evidence: EvidenceMenu | None = None  # crime data, surveys, harm index, reports (issue 14)
        self.actions_ = actions.build_actions(self)
        self.toolbar = actions.install(self, self.actions_)
        self._build_status_bar()
        self._connect()
        self._restore()
        self.board.set_cycles(self.ops.read(queries.cycle_codes), str(self.cycle))
        self.refresh()
        if sync_on_open:
            self.sync.sync_now(quiet=True)  # the shared folder, if it is reachable; silent otherwise
        self.sync.show_state()
        # What the window is built of lives as long as it does. Left to the garbage collector, each of its
        # full passes walks all of it (150,000 objects: a 160 ms pause in the middle of switching views on
        # a 680-ward force); frozen, a pass walks only what was made since. Thawed when the window closes
        # or the application quits, so that everything is collected as usual on the way out.
        gc.freeze()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(gc.unfreeze)

    @property
    def evidence(self) -> EvidenceMenu:
        """The Evidence menu's handlers, loaded when first used (the crime importer is not needed to start)."""
        if self._evidence is None:
            from commmatters_desktop.ui.evidence_actions import EvidenceMenu

            self._evidence = EvidenceMenu(self)
        return self._evidence

    @property
    def locked(self) -> bool:
        return self.pages.currentWidget() is self.lock_screen

    # --- construction ------------------------------------------------------------------------------------

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
        """The views' requests, to the controllers (the menus' actions wire themselves)."""
        quarter, priorities = self.quarter, self.priorities
        self.ward_view.show_people.connect(self.show_people)
        self.calendar.week_requested.connect(quarter.set_week)
        self.calendar.unavailable_requested.connect(quarter.toggle_unavailable)
        self.calendar.plan_requested.connect(quarter.plan_weeks)
        self.calendar.export_requested.connect(quarter.export_ics)
        self.calendar.cycle_changed.connect(lambda _c: quarter.refresh_views())
        self.partners.filter_changed.connect(quarter.refresh_views)
        self.partners.open_requested.connect(self.open_plan)
        self.partners.print_requested.connect(quarter.print_partner_list)
        self.overview.open_requested.connect(self.open_plan)
        self.overview.cycle_changed.connect(lambda _c: quarter.refresh_views())
        self.plan.leaflet_requested.connect(self.leaflets.preview_leaflet)
        self.refresher = refresh.connect(self)  # edits refresh the rows they change (ui/refresh.py)
        self.ops.refused.connect(self.refused)
        self.board.move_requested.connect(priorities.request_move)
        self.board.open_requested.connect(self.open_plan)
        self.board.selection_changed.connect(self._card_chosen)
        self.plan.step_requested.connect(priorities.step)
        self.ward_view.ward_selected.connect(self._show_ward)
        self.ward_view.open_plan.connect(self.open_plan)
        self.ward_view.show_on_board.connect(self.show_on_board)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.idle.idle.connect(self.safekeeping.lock)
        self.lock_screen.unlock_requested.connect(self.safekeeping.unlock)

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

    # --- showing data ------------------------------------------------------------------------------------

    def refresh(self) -> None:
        today = self.clock.today()
        cycle = self.board.selected_cycle()

        def load(s: Session) -> tuple[list[queries.WardRow], list[str], list[queries.PriorityCard]]:
            return (
                queries.ward_rows(s, cycle=str(self.cycle)),
                queries.local_authorities(s),
                queries.priority_cards(s, cycle=cycle or None, today=today),
            )

        rows, authorities, cards = self.ops.read(load)
        self.ward_view.set_rows(rows, authorities)
        self.board.set_cards(cards)
        self.plan.set_choices(cards)
        self.plan.reload()
        selected = self.ward_view.selected_ward()
        if selected is not None:
            self._show_ward(selected)
        self.quarter.refresh_views()
        self.refresher.reloaded()
        self.update_actions()

    def reload(self) -> None:
        """Refresh, asked for by the user (after a colleague's change reached the shared folder)."""
        self.refresh()
        self.statusBar().showMessage("Reloaded from the vault.", 5000)

    def _tab_changed(self, _index: int) -> None:
        self.update_actions()  # the refresher reloads the view shown if it is stale

    def show_people(self, ward_id: uuid.UUID) -> None:
        self.people.show_ward(ward_id)
        self.tabs.setCurrentWidget(self.people)

    def _show_ward(self, ward_id: uuid.UUID) -> None:
        self.ward_view.show_people_of(
            self.ops.read(lambda s: people_queries.ward_people(s, ward_id=ward_id, on=self.clock.today()))
        )
        self.ward_view.show_detail(
            self.ops.read(lambda s: queries.ward_detail(s, ward_id, cycle=str(self.cycle)))
        )
        self.update_actions()

    def update_actions(self) -> None:
        self.actions_.update(
            has_ward=self.ward_view.selected_ward() is not None,
            has_card=self.selected_priority() is not None,
            locked=self.locked,
            can_undo=self.ops.stack.canUndo(),
            can_redo=self.ops.stack.canRedo(),
        )

    def selected_priority(self) -> uuid.UUID | None:
        """The priority open in the SARA tab while it is shown, else the card selected on the board."""
        if self.tabs.currentWidget() is self.plan:
            return self.plan.detail.id if self.plan.detail else None
        card = self.board.current_card()
        return card.id if card else None

    def with_selected(self, handler: Callable[[uuid.UUID], object]) -> None:
        selected = self.selected_priority()
        if selected is None:
            self.statusBar().showMessage(actions.When.PRIORITY.why, 8000)
            return
        handler(selected)

    def _card_chosen(self) -> None:
        card = self.board.current_card()
        if card is not None:
            self._chosen = card.id
        self.update_actions()

    def show_plan(self) -> None:
        """The SARA plan tab, showing the priority last chosen on the board or a ward's page."""
        chosen, self._chosen = self._chosen, None
        if chosen is not None and (self.plan.detail is None or self.plan.detail.id != chosen):
            self.open_plan(chosen)
        else:
            self.tabs.setCurrentWidget(self.plan)

    def open_plan(self, priority_id: uuid.UUID) -> None:
        self.tabs.setCurrentWidget(self.plan)
        self.plan.show_priority(priority_id)
        self.update_actions()

    def show_on_board(self, priority_id: uuid.UUID) -> None:
        self.tabs.setCurrentWidget(self.board)
        if not self.board.select(priority_id, focus=True):
            self.board.set_cycles(self.ops.read(queries.cycle_codes), "")
            self.refresh()
            self.board.select(priority_id, focus=True)

    def find_in_view(self) -> None:
        if self.tabs.currentWidget() is self.board:
            self.board.focus_search()
        else:
            self.tabs.setCurrentWidget(self.ward_view)
            self.ward_view.focus_search()

    def refused(self, message: str) -> None:
        """A refusal, where the user is looking: on the board and in the status bar."""
        self.board.show_message(message)
        self.statusBar().showMessage(message, 15_000)

    def about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_TITLE}",
            f"<p><b>{APP_TITLE}</b> {build.current().describe()}</p>"
            "<p>Hyper-local problem solving for neighbourhood policing: one community priority per ward per "
            "quarter, a SARA plan, a week of action and feedback to the community.</p>"
            "<p>Ward boundaries contain public sector information licensed under the Open Government "
            "Licence v3.0.</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.plan.commit_pending()
        if self.sync_on_close:
            self.sync.sync_now(quiet=True)
        self.settings.save_window(self.saveGeometry(), self.saveState())
        super().closeEvent(event)
        if event.isAccepted():
            gc.unfreeze()


def window_title(vault: Vault) -> str:
    """Ends with the app's name: Qt adds the display name to a title that does not end with it, which
    showed the name twice."""
    if vault.is_demo:
        return f"DEMO — Demo Force (Greater Manchester wards) — {APP_TITLE}"
    return f"{vault.folder.name} — {APP_TITLE}"
